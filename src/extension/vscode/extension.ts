/**
 * Entry point. Activation is lean on purpose: it loads only the validator (jsonc-parser)
 * and this thin layer; TensorFlow.js lives in the trainer child process and is never
 * imported here (check: `grep -c tensorflow dist/extension.js` is 0). Activation time is
 * measured and logged, and returned in the API.
 */

// Must stay the first import (see loadClock.ts).
import { loadStart } from '../loadClock';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { BlobClassifierApi, RunInfo } from './api';
import { SpecQuickFixes } from './codeActions';
import { TrainRefused } from './commands';
import { Controller } from './controller';
import { registerExportNotebook } from './exportNotebook';
import { COMMANDS, OUTPUT_CHANNEL, SPEC_GLOB, VIEWS } from '../ids';
import { epochsDone } from '../../core/run/state';
import type { RunRecord } from '../sessionStore';
import { clientTrainer } from '../trainerAdapter';
import type { StartTrainer } from '../trainerRun';

export function activate(context: vscode.ExtensionContext): BlobClassifierApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  context.subscriptions.push(output);

  const trainerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath;
  // One warm trainer process, reused run after run; ended with the extension.
  const startTrainer: StartTrainer & vscode.Disposable = clientTrainer(trainerScript);
  context.subscriptions.push(startTrainer);
  const c = new Controller(context, output, startTrainer);
  context.subscriptions.push(c);

  // Files only: no Train lens in diff editors (git:) or on unsaved copies.
  const specSelector: vscode.DocumentSelector = [
    { scheme: 'file', language: 'json', pattern: SPEC_GLOB },
    { scheme: 'file', language: 'jsonc', pattern: SPEC_GLOB },
  ];
  const interactive = { interactive: true };
  const report = (err: unknown) => {
    if (!(err instanceof TrainRefused)) output.error(String(err));
    void vscode.window.showErrorMessage(`Blob Classifier: ${err instanceof Error ? err.message : String(err)}`);
  };
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider(specSelector, c.codeLens),
    vscode.languages.registerCodeActionsProvider(specSelector, new SpecQuickFixes(c.diagnostics), SpecQuickFixes.metadata),
    vscode.window.registerWebviewViewProvider(VIEWS.side, c.side),
    vscode.window.registerWebviewPanelSerializer(VIEWS.panel, c.panels),
    vscode.commands.registerCommand(COMMANDS.train, (uri?: vscode.Uri) => c.train(uri, interactive).then(undefined, report)),
    vscode.commands.registerCommand(COMMANDS.stop, (uri?: vscode.Uri) => c.stop(uri)),
    vscode.commands.registerCommand(COMMANDS.pause, (uri?: vscode.Uri) => c.pause(uri)),
    vscode.commands.registerCommand(COMMANDS.resume, (uri?: vscode.Uri) => c.resume(uri)),
    vscode.commands.registerCommand(COMMANDS.step, (uri?: vscode.Uri) => c.step(uri, 1)),
    vscode.commands.registerCommand(COMMANDS.step10, (uri?: vscode.Uri) => c.step(uri, 10)),
    vscode.commands.registerCommand(COMMANDS.showPanel, (uri?: vscode.Uri) => c.showPanel(uri)),
    vscode.commands.registerCommand(COMMANDS.newSpec, (uri?: vscode.Uri) => c.newSpec(uri).then(undefined, report)),
    vscode.commands.registerCommand(COMMANDS.openArtifacts, (uri?: vscode.Uri) => c.openArtifacts(uri).then(undefined, report)),
    vscode.commands.registerCommand(COMMANDS.exportFigure, (uri?: vscode.Uri) => c.exportFigure(uri).then(undefined, report)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => c.showOutput()),
    registerExportNotebook(context, output),
  );

  const activateMs = performance.now() - t0;
  const activationMs = performance.now() - loadStart;
  output.info(`activated in ${activationMs.toFixed(1)} ms (module evaluation + activate; activate alone ${activateMs.toFixed(1)} ms; extension ${context.extension.packageJSON.version}, VS Code ${vscode.version})`);
  if (!vscode.workspace.isTrusted) output.info('untrusted workspace: validation only, training is disabled until the workspace is trusted');
  return makeApi(c, activationMs);
}

export function deactivate(): void {
  // Everything, trainer processes included, is disposed through context.subscriptions.
}

function info(rec: RunRecord): RunInfo {
  return {
    runId: rec.ref.runId,
    specPath: rec.ref.specPath,
    status: rec.status,
    epochsDone: epochsDone(rec.state),
    epochs: rec.epochs,
    artifactsDir: rec.summary?.artifacts_dir,
    summary: rec.result,
    error: rec.error,
    maxLagMs: rec.maxLagMs,
  };
}

function makeApi(c: Controller, activationMs: number): BlobClassifierApi {
  const start = async (uri: vscode.Uri, o: Parameters<BlobClassifierApi['train']>[1] = {}): Promise<RunRecord> => {
    const overrides: { device?: typeof o.device; epochs?: number } = {};
    if (o.device) overrides.device = o.device;
    if (o.epochs !== undefined) overrides.epochs = o.epochs;
    const rec = await c.train(uri, { interactive: false, restart: o.restart ?? true, overrides });
    if (!rec) throw new Error('training did not start');
    return rec;
  };
  return {
    activationMs,
    async train(uri, options) {
      const rec = await start(uri, options);
      const ended = (await c.sessions.wait(rec.ref.runId)) ?? rec;
      if (ended.status === 'error') throw new Error(`${ended.error?.code}: ${ended.error?.message}`);
      const summary = ended.result;
      if (!summary) throw new Error(`run ${ended.ref.runId} ended without a summary (${ended.status})`);
      return summary;
    },
    async startTraining(uri, options) {
      return (await start(uri, options)).ref.runId;
    },
    async stop(uri) {
      await c.sessions.stop(uri.fsPath);
    },
    isTraining: (uri) => c.sessions.isRunning(uri.fsPath),
    getRunEvents(uri) {
      const rec = c.store.latest(uri.fsPath);
      return rec ? c.store.replay(rec.ref.runId) : [];
    },
    getRuns: (uri) => c.store.list(uri.fsPath).map(info),
    async waitForRun(runId) {
      const rec = await c.sessions.wait(runId);
      return rec ? info(rec) : undefined;
    },
    maxEventLoopLagMs: () => c.sessions.lag.maxLagMs(),
    showPanel: (uri) => c.showPanel(uri),
    openPanels: () => c.panels.all().map((p) => p.specPath),
    panelRunId: (uri) => c.panels.get(uri.fsPath)?.channel.runId,
  };
}
