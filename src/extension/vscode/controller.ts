/**
 * The extension's behaviour, as one object the commands, CodeLens, webviews and the
 * public API all call: train / stop / show / export. It owns the `vscode` side of the
 * session manager (output channel, status bar, context keys, notifications) and keeps
 * the views in step with the session store.
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary, TrainerEvent, TrainerOptions, WebviewToHost } from '../../core/protocol';
import { NOTEBOOK_SPEC_TEXT, nameFromPath } from '../../core/spec/defaults';
import { SpecCodeLensProvider } from './codeLens';
import type { LensState } from '../codeLensState';
import { readSettings, trainerOptions, type Settings } from '../config';
import { isSpecDocument, SpecDiagnostics } from './diagnostics';
import { progressUpdate, statusText, summaryLines } from '../format';
import { COMMANDS, CONFIG, CONTEXT, SPEC_GLOB } from '../ids';
import { firstError, refusalMessage } from '../problemMapping';
import { readLatestRunHistory, writeRunHistory } from '../runHistoryFile';
import { DEFAULT_RUNS_DIRECTORY, isInside, isRunId, makeRunId, pruneRunFolders, readLatestSummary, resolveSpecRunsDir, specStem } from '../runsDir';
import { SessionManager, summaryOf } from '../sessions';
import { SessionStore, type RunRecord } from '../sessionStore';
import type { StartTrainer } from '../trainerRun';
import type { ViewChannel } from '../viewChannel';
import { PanelManager, SideViewProvider, type ViewContext, type WebviewHost } from './webviews';

export interface TrainCallOptions {
  /** Restart a running run of the spec without asking. */
  restart?: boolean;
  /** A person asked (command, CodeLens, button): show dialogs and the panel. False for the API and train-on-save. */
  interactive?: boolean;
  /** Per-run overrides of the trainer options (epochs, device...). */
  overrides?: TrainerOptions;
}

/** Thrown by `train` when it refuses (invalid spec, untrusted workspace, declined restart). */
export class TrainRefused extends Error {}

const STATUS_THROTTLE_MS = 100;
/**
 * A run started by a person that is still going after this long gets a cancellable
 * progress notification (its Cancel stops the run); short runs only flash the status bar.
 */
const NOTIFY_AFTER_MS = 3000;
const EXPORT_TIMEOUT_MS = 5000;

export class Controller implements vscode.Disposable, WebviewHost {
  readonly store: SessionStore;
  readonly sessions: SessionManager;
  readonly diagnostics: SpecDiagnostics;
  readonly codeLens: SpecCodeLensProvider;
  readonly panels: PanelManager;
  readonly side: SideViewProvider;
  private settings: Settings;
  private readonly status: vscode.StatusBarItem;
  private statusTimer: NodeJS.Timeout | undefined;
  /** The spec the status bar item's Stop command is for. */
  private statusSpec?: string;
  /** fsPath -> Uri of every spec seen, for context keys and commands. */
  private readonly uris = new Map<string, vscode.Uri>();
  /** The spec being edited (the side view follows it). */
  private activeSpec?: string;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    startTrainer: StartTrainer,
  ) {
    this.settings = this.readConfig();
    this.store = new SessionStore(this.settings.keepRuns);
    this.sessions = new SessionManager(this.store, startTrainer);
    this.diagnostics = new SpecDiagnostics(() => this.settings.maxSamples);
    this.codeLens = new SpecCodeLensProvider((uri) => this.lensState(uri));
    this.panels = new PanelManager(this, context.workspaceState);
    this.side = new SideViewProvider(this);
    this.status = vscode.window.createStatusBarItem('blobClassifier.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Blob Classifier training';

    this.subs.push(
      this.diagnostics,
      this.codeLens,
      this.panels,
      this.side,
      this.status,
      this.sessions.listen({
        onRunStarted: (rec) => this.onRunStarted(rec),
        onEvents: (rec, events) => this.onEvents(rec, events),
        onRunEnded: (rec) => this.onRunEnded(rec),
      }),
      { dispose: () => this.sessions.dispose() },
      this.diagnostics.onDidChange((uri) => {
        this.codeLens.refresh();
        // An idle view shows the spec's problem count.
        if (!this.store.latest(uri.fsPath)) this.refreshViews(uri.fsPath);
      }),
      this.panels.onDidChange(() => {
        void vscode.commands.executeCommand('setContext', CONTEXT.hasPanel, this.panels.all().length > 0);
        // A panel restored after a window reload: bring back its spec's last run from disk.
        for (const p of this.panels.all()) this.restoreFromDisk(p.specPath);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => this.followEditor(e)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSaved(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG)) return;
        const before = this.settings;
        this.settings = this.readConfig();
        this.store.setKeepRuns(this.settings.keepRuns);
        if (before.runsDirectory !== this.settings.runsDirectory) {
          this.diskSummaries.clear();
          this.restoreTried.clear();
        }
        if (before.maxSamples !== this.settings.maxSamples) this.diagnostics.revalidateAll();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.codeLens.refresh()),
      vscode.workspace.onDidDeleteFiles((e) => this.onSpecsGone(e.files)),
      vscode.workspace.onDidRenameFiles((e) => this.onSpecsGone(e.files.map((f) => f.oldUri))),
    );
    this.followEditor(vscode.window.activeTextEditor);
    this.updateContext();
    void this.findRunsOnDisk().catch(() => undefined);
  }

  // -------------------------------------------------------------------------
  // Commands

  /** Trains a spec; resolves when the run has STARTED (use `sessions.wait` for the end). */
  async train(arg?: unknown, opts: TrainCallOptions = {}): Promise<RunRecord | undefined> {
    const interactive = opts.interactive ?? true;
    const uri = await this.resolveSpec(arg, interactive);
    if (!uri) return undefined;
    if (!vscode.workspace.isTrusted) {
      const msg = 'Blob Classifier: training is disabled in an untrusted workspace (it runs code from the workspace, e.g. reads its data files). Validation still works.';
      if (interactive) {
        void vscode.window.showWarningMessage(msg, 'Manage Workspace Trust').then((a) => {
          if (a) void vscode.commands.executeCommand('workbench.trust.manage');
        });
        return undefined;
      }
      throw new TrainRefused(msg);
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const result = this.diagnostics.validateNow(doc, true);
    const specName = result?.spec?.name ?? nameFromPath(uri.fsPath);
    if (!result?.spec) {
      const problems = result?.problems ?? [];
      const file = path.basename(uri.fsPath);
      const msg = refusalMessage(file, problems) || `Cannot train ${file}: the spec is not valid.`;
      this.output.warn(msg);
      if (interactive) {
        void vscode.window.showErrorMessage(msg);
        const first = firstError(problems);
        if (first) {
          const r = first.range;
          const sel = new vscode.Selection(r.start.line, r.start.character, r.end.line, r.end.character);
          await vscode.window.showTextDocument(doc, { selection: sel, preserveFocus: false });
        }
        return undefined;
      }
      throw new TrainRefused(msg);
    }

    const specPath = uri.fsPath;
    this.uris.set(specPath, uri);
    if (this.sessions.isRunning(specPath)) {
      if (!opts.restart) {
        if (!interactive) throw new TrainRefused(`${specName} is already training`);
        const restart = 'Restart';
        const a = await vscode.window.showWarningMessage(`${specName} is already training — restart?`, { modal: true }, restart);
        if (a !== restart) return undefined;
      }
      await this.sessions.stop(specPath);
    }

    const workspaceRoot = this.workspaceRoot(uri);
    const dirs = resolveSpecRunsDir(specPath, workspaceRoot, this.settings.runsDirectory);
    if (dirs.warning) this.output.warn(dirs.warning);
    const rec = this.sessions.start({
      runId: makeRunId(new Date()),
      specPath,
      specName,
      specText: doc.getText(),
      // The trainer creates `<specRunsDir>/<its run id>/` when the run ends (atomically).
      options: trainerOptions(this.settings, { outDir: dirs.specRunsDir, allowedRoot: workspaceRoot }, opts.overrides),
    });
    if (interactive) {
      this.showPanel(uri);
      this.notifyLater(rec);
    }
    return rec;
  }

  async stop(arg?: unknown): Promise<void> {
    // The argument (CodeLens, menus, status bar), else the spec being edited if it trains.
    let specPath = this.specPathOf(arg) ?? (this.activeSpec && this.sessions.isRunning(this.activeSpec) ? this.activeSpec : undefined);
    if (!specPath || !this.sessions.isRunning(specPath)) {
      const running = this.sessions.runningSpecs();
      if (specPath === undefined && running.length === 1) specPath = running[0];
      else if (running.length > 1 && !specPath) {
        const pick = await vscode.window.showQuickPick(
          running.map((p) => ({ label: nameFromPath(p), description: vscode.workspace.asRelativePath(p), p })),
          { placeHolder: 'Stop which run?' },
        );
        specPath = pick?.p;
      }
    }
    if (specPath && this.sessions.isRunning(specPath)) await this.sessions.stop(specPath);
  }

  showPanel(arg?: unknown): void {
    const specPath = this.specPathOf(arg) ?? this.activeSpec;
    if (specPath) {
      this.panels.show(specPath);
      return;
    }
    void this.resolveSpec(undefined, true).then((uri) => uri && this.panels.show(uri.fsPath));
  }

  async newSpec(arg?: unknown): Promise<vscode.Uri | undefined> {
    let folder: vscode.Uri | undefined;
    if (arg instanceof vscode.Uri) {
      const st = await vscode.workspace.fs.stat(arg).then(
        (s) => s,
        () => undefined,
      );
      folder = st?.type === vscode.FileType.Directory ? arg : vscode.Uri.joinPath(arg, '..');
    } else {
      const folders = vscode.workspace.workspaceFolders ?? [];
      folder = folders.length > 1 ? (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where to create the spec?' }))?.uri : folders[0]?.uri;
      if (!folder && folders.length === 0) {
        void vscode.window.showErrorMessage('Blob Classifier: open a folder first; a spec is saved in the workspace.');
        return undefined;
      }
    }
    if (!folder) return undefined;
    const name = await vscode.window.showInputBox({
      title: 'New Blob Spec',
      prompt: 'File name (".blobs.json" is added)',
      value: 'four-blobs',
      validateInput: (v) => (/^[\w][\w .-]*$/.test(v.trim().replace(/\.blobs\.json$/i, '')) ? undefined : 'Letters, digits, spaces, ".", "-" and "_" only'),
    });
    if (name === undefined) return undefined;
    const file = vscode.Uri.joinPath(folder, `${name.trim().replace(/\.blobs\.json$/i, '')}.blobs.json`);
    const exists = await vscode.workspace.fs.stat(file).then(
      () => true,
      () => false,
    );
    if (exists) {
      void vscode.window.showErrorMessage(`Blob Classifier: ${vscode.workspace.asRelativePath(file)} already exists; not overwriting it.`);
      return undefined;
    }
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(NOTEBOOK_SPEC_TEXT));
    await vscode.window.showTextDocument(file);
    return file;
  }

  async openArtifacts(arg?: unknown): Promise<void> {
    const specPath = this.specPathOf(arg) ?? this.activeSpec ?? this.mostRecentSpec();
    const dir = specPath ? await this.artifactsDir(specPath) : undefined;
    if (!dir) {
      void vscode.window.showInformationMessage('Blob Classifier: no run artifacts yet. Train the spec first.');
      return;
    }
    const dirUri = vscode.Uri.file(dir);
    const summary = vscode.Uri.joinPath(dirUri, 'summary.json');
    const hasSummary = await vscode.workspace.fs.stat(summary).then(
      () => true,
      () => false,
    );
    // Reveal works for folders inside the workspace (where runs always are); harmless otherwise.
    await vscode.commands.executeCommand('revealInExplorer', dirUri).then(undefined, () => undefined);
    if (hasSummary) await vscode.window.showTextDocument(summary, { preview: true });
  }

  /** Asks the spec's panel for its figure; the answer arrives as an `exportFigure` message. */
  async exportFigure(arg?: unknown): Promise<void> {
    const specPath = this.specPathOf(arg) ?? this.activeSpec ?? this.panels.all()[0]?.specPath;
    if (!specPath) {
      void vscode.window.showInformationMessage('Blob Classifier: open a visualisation first.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'PNG', description: 'image, as shown', format: 'png' as const },
        { label: 'SVG', description: 'vector, editable', format: 'svg' as const },
      ],
      { placeHolder: 'Export the figure as' },
    );
    if (!pick) return;
    const panel = this.panels.get(specPath) ?? this.panels.show(specPath);
    panel.channel.send({ type: 'export', format: pick.format });
    // The answer is an `exportFigure` message (then the save dialog). A view that cannot
    // export yet (nothing drawn, or an older webview) never answers: say so, not nothing.
    const timer = setTimeout(() => {
      if (this.exportWaits.get(specPath) !== timer) return;
      this.exportWaits.delete(specPath);
      void vscode.window.showInformationMessage('Blob Classifier: the visualisation did not provide a figure (nothing drawn yet?). You can also use its Export buttons.');
    }, EXPORT_TIMEOUT_MS);
    this.exportWaits.set(specPath, timer);
  }

  /** Export requests waiting for the panel's answer, per spec. */
  private readonly exportWaits = new Map<string, NodeJS.Timeout>();

  showOutput(): void {
    this.output.show(true);
  }

  // -------------------------------------------------------------------------
  // WebviewHost

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  problems(specPath: string): number | undefined {
    const uri = this.uris.get(specPath) ?? vscode.Uri.file(specPath);
    return this.diagnostics.errorsOf(uri);
  }

  log(line: string): void {
    this.output.info(line);
  }

  handle(msg: WebviewToHost, from: ViewContext): void {
    const spec = from.specPath ? this.uriOf(from.specPath) : undefined;
    switch (msg.type) {
      case 'train':
        void this.train(spec, { interactive: true }).catch((err) => this.output.error(String(err)));
        break;
      case 'stop':
        void this.stop(spec);
        break;
      case 'openPanel':
        this.showPanel(spec);
        break;
      case 'exportFigure':
        void this.saveFigure(from.specPath, msg, from.channel);
        break;
      default:
        break;
    }
  }

  // -------------------------------------------------------------------------
  // Sessions -> views

  private onRunStarted(rec: RunRecord): void {
    const spawn = rec.spawnMs !== undefined ? ` (trainer process started in ${rec.spawnMs.toFixed(1)} ms)` : '';
    this.output.info(`▶ ${rec.ref.specName}: run ${rec.ref.runId} started${rec.outDir ? ` → ${rec.outDir}` : ''}${spawn}`);
    this.updateContext();
    this.codeLens.refresh();
    this.updateStatus();
    this.refreshViews(rec.ref.specPath);
  }

  private onEvents(rec: RunRecord, events: TrainerEvent[]): void {
    for (const e of events) {
      if (e.type === 'log') (e.level === 'warn' ? this.output.warn : this.output.info).call(this.output, `[${rec.ref.specName}] ${e.message}`);
      else if (e.type === 'start') this.output.info(`[${rec.ref.specName}] ${e.backend}/${e.device}: ${e.reason}; ${e.data.nTrain} train / ${e.data.nTest} test samples, layers ${e.model.layers.join('-')}, ${e.epochs} epochs`);
      else if (e.type === 'error') this.output.error(`[${rec.ref.specName}] ${e.code}: ${e.message}`);
    }
    for (const ch of this.channels()) ch.onEvents(rec.ref.runId, events);
    this.codeLens.refreshThrottled();
    this.scheduleStatus();
  }

  // -------------------------------------------------------------------------
  // Progress notification (runs started by a person, once they last a while)

  private readonly notifyTimers = new Map<string, NodeJS.Timeout>();
  private readonly notifications = new Map<string, { progress: vscode.Progress<{ message?: string; increment?: number }>; pct: number; end: () => void }>();

  private notifyLater(rec: RunRecord): void {
    if (rec.status !== 'running') return;
    const runId = rec.ref.runId;
    const timer = setTimeout(() => {
      this.notifyTimers.delete(runId);
      if (rec.status !== 'running') return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Blob Classifier: training ${rec.ref.specName}`, cancellable: true },
        (progress, token) =>
          new Promise<void>((resolve) => {
            if (rec.status !== 'running') return resolve();
            const entry = { progress, pct: 0, end: resolve };
            this.notifications.set(runId, entry);
            token.onCancellationRequested(() => {
              if (this.store.active(rec.ref.specPath) === rec) void this.sessions.stop(rec.ref.specPath);
            });
            this.updateNotification(rec);
          }),
      );
    }, NOTIFY_AFTER_MS);
    this.notifyTimers.set(runId, timer);
  }

  private updateNotification(rec: RunRecord): void {
    const n = this.notifications.get(rec.ref.runId);
    if (!n) return;
    const u = progressUpdate(rec.lastEpoch, rec.epochs, n.pct);
    n.pct = u.pct;
    n.progress.report({ message: u.message, increment: u.increment });
  }

  private endNotification(runId: string): void {
    clearTimeout(this.notifyTimers.get(runId));
    this.notifyTimers.delete(runId);
    this.notifications.get(runId)?.end();
    this.notifications.delete(runId);
  }

  private onRunEnded(rec: RunRecord): void {
    this.endNotification(rec.ref.runId);
    // The run's folder now exists (written at the end): add the event history, so the
    // visualisation can show this run after a window reload, and keep the newest `keepRuns`.
    void this.saveHistory(rec);
    if (rec.outDir) {
      const keep = this.settings.keepRuns;
      void pruneRunFolders(rec.outDir, keep).then((deleted) => {
        for (const d of deleted) this.output.info(`pruned old run ${d} (keepRuns = ${keep})`);
      });
    }
    const summary = summaryOf(rec);
    if (summary) for (const l of summaryLines(summary, { lagMs: rec.maxLagMs })) this.output.info(l);
    else this.output.info(`${rec.ref.specName}: ${rec.status}; worst extension-host event-loop lag during the run: ${(rec.maxLagMs ?? 0).toFixed(1)} ms`);
    const fr = rec.frames;
    if (fr && fr.kept < fr.seen) this.output.info(`  kept ${fr.kept} of ${fr.seen} boundary frames for replay (every ${fr.stride}th, epoch 0 and the latest)`);
    if (rec.status === 'error' && rec.error) {
      const what = rec.error.code === 'crashed' ? 'the trainer process crashed' : rec.error.code;
      void vscode.window.showErrorMessage(`Blob Classifier: training ${rec.ref.specName} failed (${what}): ${rec.error.message}`, 'Show Output').then((a) => {
        if (a) this.output.show(true);
      });
    }
    this.updateContext();
    this.codeLens.refresh();
    this.updateStatus();
    // Views drawing this run got the terminal event; others may now show it in `history`.
    for (const ch of this.channels()) if (ch.specPath === rec.ref.specPath && ch.runId !== rec.ref.runId) ch.refresh(rec.ref.specPath);
  }

  // -------------------------------------------------------------------------
  // Run histories on disk (a window reload empties the store)

  /** Writes `events.jsonl` into the run's artifacts folder (inside the workspace only). */
  private async saveHistory(rec: RunRecord): Promise<void> {
    const dir = rec.summary?.artifacts_dir;
    const root = this.workspaceRoot(this.uriOf(rec.ref.specPath));
    if (!dir || !root || !isInside(root, dir)) return;
    try {
      await writeRunHistory(dir, root, { runId: rec.ref.runId, specName: rec.ref.specName, events: rec.events, framesSeen: rec.frames?.seen });
    } catch (err) {
      this.output.warn(`could not save the run's event history in ${dir}: ${String(err)}`);
    }
  }

  /** Specs whose runs folder was already looked at since activation. */
  private readonly restoreTried = new Set<string>();

  /**
   * A view shows a spec the host has no run of (after a window reload): read its latest
   * run back from `events.jsonl`, once, and show it as a finished run.
   */
  private restoreFromDisk(specPath: string): void {
    if (this.restoreTried.has(specPath) || this.store.list(specPath).length > 0) return;
    this.restoreTried.add(specPath);
    const uri = this.uriOf(specPath);
    const dirs = resolveSpecRunsDir(specPath, this.workspaceRoot(uri), this.settings.runsDirectory);
    if (!dirs.specRunsDir) return;
    const outDir = dirs.specRunsDir;
    void readLatestRunHistory(outDir).then((h) => {
      if (!h || !this.restoreTried.has(specPath)) return;
      const start = h.events[0];
      const specName = start.type === 'start' && start.specName ? start.specName : nameFromPath(specPath);
      const rec = this.store.restore({ runId: h.header.runId, specPath, specName }, h.events, outDir);
      if (!rec) return;
      this.output.info(`restored the last run of ${specName} (${h.header.runId}) from ${h.dir} for the visualisation`);
      this.refreshViews(specPath);
      this.codeLens.refresh();
      this.updateContext();
    });
  }

  private channels(): ViewChannel[] {
    const list = this.panels.all().map((p) => p.channel);
    if (this.side.viewChannel) list.push(this.side.viewChannel);
    return list;
  }

  private refreshViews(specPath: string): void {
    for (const ch of this.channels()) ch.refresh(specPath);
  }

  private lensState(uri: vscode.Uri): LensState {
    const specPath = uri.fsPath;
    this.uris.set(specPath, uri);
    const active = this.store.active(specPath);
    const latest = this.store.latest(specPath);
    const finished = this.store.lastFinished(specPath);
    return {
      trusted: vscode.workspace.isTrusted,
      errors: this.diagnostics.errorsOf(uri),
      running: active ? { lastEpoch: active.lastEpoch, epochs: active.epochs } : undefined,
      last: finished ? summaryOf(finished) : latest ? summaryOf(latest) : this.diskSummary(specPath),
      lastError: latest?.status === 'error' ? latest.error : undefined,
    };
  }

  /** Last result read from the runs folder, for specs with no run since activation (a reload). */
  private readonly diskSummaries = new Map<string, RunSummary | 'loading' | null>();

  private diskSummary(specPath: string): RunSummary | undefined {
    const v = this.diskSummaries.get(specPath);
    if (v === undefined) {
      this.diskSummaries.set(specPath, 'loading');
      const dirs = resolveSpecRunsDir(specPath, this.workspaceRoot(this.uriOf(specPath)), this.settings.runsDirectory);
      void (dirs.specRunsDir ? readLatestSummary(dirs.specRunsDir) : Promise.resolve(undefined)).then((s) => {
        this.diskSummaries.set(specPath, s ?? null);
        if (s) this.codeLens.refresh();
      });
      return undefined;
    }
    return v === 'loading' || v === null ? undefined : v;
  }

  private scheduleStatus(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.updateStatus();
    }, STATUS_THROTTLE_MS);
  }

  private updateStatus(): void {
    for (const runId of this.notifications.keys()) {
      const rec = this.store.find(runId);
      if (rec) this.updateNotification(rec);
    }
    const running = this.sessions.runningSpecs();
    if (running.length === 0) {
      this.status.hide();
      this.statusSpec = undefined;
      return;
    }
    // Prefer the spec being edited; otherwise the first run.
    const specPath = running.includes(this.activeSpec ?? '') ? this.activeSpec! : running[0];
    const rec = this.store.active(specPath);
    this.status.text = statusText(rec?.lastEpoch, rec?.epochs, running.length - 1);
    this.status.tooltip = `Blob Classifier: training ${nameFromPath(specPath)}. Click to stop.`;
    // Set the command only when the spec changes: every assignment replaces VS Code's
    // converted command, and a click racing a replaced one fails ("command not found").
    if (this.statusSpec !== specPath) {
      this.statusSpec = specPath;
      this.status.command = { title: 'Stop Training', command: COMMANDS.stop, arguments: [this.uriOf(specPath)] };
    }
    this.status.show();
  }

  private updateContext(): void {
    const running = this.sessions.runningSpecs();
    void vscode.commands.executeCommand('setContext', CONTEXT.training, running.length > 0);
    void vscode.commands.executeCommand(
      'setContext',
      CONTEXT.trainingSpecs,
      // `resourcePath` is the fsPath for a local file but the URI's path in a remote
      // window (code-server, SSH), where the window's URI is vscode-remote://: list both.
      [...new Set(running.flatMap((p) => [p, this.uriOf(p).path]))],
    );
    const hasRun = running.length > 0 || this.mostRecentSpec() !== undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.hasRun, hasRun || this.hasRunsOnDisk);
  }

  /** Found at start-up, so "Open Last Run's Artifacts" is offered after a reload too. */
  private hasRunsOnDisk = false;

  private async findRunsOnDisk(): Promise<void> {
    // The run folder's last path segment (".blob-runs" by default); one hit is enough.
    const base = path.basename(this.settings.runsDirectory.replace(/[\\/]+$/, '')) || DEFAULT_RUNS_DIRECTORY;
    if (/[{}*?[\]]/.test(base)) return;
    const hits = await vscode.workspace.findFiles(`**/${base}/*/*/summary.json`, '**/node_modules/**', 1);
    if (hits.length) {
      this.hasRunsOnDisk = true;
      this.updateContext();
    }
  }

  private followEditor(e: vscode.TextEditor | undefined): void {
    if (!e || !isSpecDocument(e.document)) return; // keep following the last spec (the view stays useful)
    const specPath = e.document.uri.fsPath;
    this.uris.set(specPath, e.document.uri);
    if (specPath === this.activeSpec) return;
    this.activeSpec = specPath;
    this.restoreFromDisk(specPath);
    this.side.follow(specPath);
    this.updateStatus();
  }

  /** Specs deleted or renamed (or a folder holding them): stop their runs, close their panels. */
  private onSpecsGone(uris: readonly vscode.Uri[]): void {
    const gone = (p: string) => uris.some((u) => p === u.fsPath || p.startsWith(u.fsPath + path.sep));
    const known = new Set([...this.uris.keys(), ...this.panels.all().map((p) => p.specPath)]);
    for (const specPath of known) {
      if (!gone(specPath)) continue;
      if (this.sessions.isRunning(specPath)) void this.sessions.stop(specPath);
      this.store.forget(specPath);
      this.diskSummaries.delete(specPath);
      this.restoreTried.delete(specPath);
      this.panels.get(specPath)?.dispose();
      if (this.activeSpec === specPath) {
        this.activeSpec = undefined;
        this.side.follow(undefined);
      }
    }
    this.codeLens.refresh();
  }

  private onSaved(doc: vscode.TextDocument): void {
    if (!this.settings.trainOnSave || !isSpecDocument(doc) || !vscode.workspace.isTrusted) return;
    // Diagnostics already validated the saved text; a spec with errors just shows them.
    if (this.diagnostics.errorsOf(doc.uri) > 0) return;
    void this.train(doc.uri, { restart: true, interactive: false }).catch((err) => this.output.warn(`train on save: ${String(err)}`));
  }

  private async saveFigure(specPath: string | undefined, msg: Extract<WebviewToHost, { type: 'exportFigure' }>, channel: ViewChannel): Promise<void> {
    if (specPath) {
      clearTimeout(this.exportWaits.get(specPath));
      this.exportWaits.delete(specPath);
    }
    try {
      const rec = specPath ? (this.store.latest(specPath) ?? undefined) : undefined;
      const dir = (specPath && (await this.artifactsDir(specPath))) || (specPath ? path.dirname(specPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
      // Named after the trainer's run id (its artifacts folder's name) when known.
      const runId = rec?.summary?.runId ?? rec?.ref.runId;
      const base = `${specPath ? specStem(specPath) : 'figure'}${runId ? `-${runId}` : ''}.${msg.format}`;
      const target = await vscode.window.showSaveDialog({
        title: 'Export Figure',
        saveLabel: 'Export',
        defaultUri: dir ? vscode.Uri.file(path.join(dir, base)) : undefined,
        filters: msg.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
      });
      if (!target) {
        channel.send({ type: 'exported' });
        return;
      }
      const bytes =
        msg.format === 'png'
          ? Buffer.from(msg.data.slice(msg.data.indexOf(',') + 1), 'base64')
          : Buffer.from(msg.data, 'utf8');
      await vscode.workspace.fs.writeFile(target, bytes);
      this.output.info(`exported figure → ${target.fsPath}`);
      channel.send({ type: 'exported', path: target.fsPath });
    } catch (err) {
      this.output.error(`export failed: ${String(err)}`);
      channel.send({ type: 'exported', error: String(err) });
    }
  }

  /** The latest run's artifacts folder: from memory, or the newest run folder on disk (after a reload). */
  private async artifactsDir(specPath: string): Promise<string | undefined> {
    const fromRun = this.store.lastFinished(specPath)?.summary?.artifacts_dir;
    if (fromRun) return fromRun;
    const parent =
      this.store.latest(specPath)?.outDir ??
      resolveSpecRunsDir(specPath, this.workspaceRoot(this.uriOf(specPath)), this.settings.runsDirectory).specRunsDir;
    if (!parent) return undefined;
    try {
      // Run ids sort chronologically; `.partial` folders (runs being written) do not match.
      const names = (await fsp.readdir(parent)).filter(isRunId).sort();
      return names.length ? path.join(parent, names[names.length - 1]) : undefined;
    } catch {
      return undefined;
    }
  }

  private workspaceRoot(uri: vscode.Uri): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  private mostRecentSpec(): string | undefined {
    let best: { p: string; t: string } | undefined;
    for (const p of [...this.uris.keys()]) {
      const r = this.store.latest(p);
      if (r && (!best || r.ref.runId > best.t)) best = { p, t: r.ref.runId };
    }
    return best?.p;
  }

  private uriOf(specPath: string): vscode.Uri {
    return this.uris.get(specPath) ?? vscode.Uri.file(specPath);
  }

  private specPathOf(arg: unknown): string | undefined {
    if (arg instanceof vscode.Uri) return arg.fsPath;
    if (typeof arg === 'string' && arg) return arg;
    return undefined;
  }

  /** The spec a command is about: its argument, the active editor's spec, or a quick pick. */
  private async resolveSpec(arg: unknown, interactive: boolean): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg) return this.uriOf(arg);
    const ed = vscode.window.activeTextEditor;
    if (ed && isSpecDocument(ed.document)) return ed.document.uri;
    if (!interactive) return undefined;
    const files = await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**', 500);
    if (files.length === 0) {
      const create = 'New Blob Spec';
      const a = await vscode.window.showInformationMessage('Blob Classifier: no *.blobs.json spec in this workspace.', create);
      if (a === create) return this.newSpec();
      return undefined;
    }
    if (files.length === 1) return files[0];
    files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const pick = await vscode.window.showQuickPick(
      files.map((u) => ({ label: nameFromPath(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u })),
      { placeHolder: 'Which spec?', matchOnDescription: true },
    );
    return pick?.uri;
  }

  private readConfig(): Settings {
    const c = vscode.workspace.getConfiguration(CONFIG);
    return readSettings((k) => c.get(k));
  }

  dispose(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    for (const t of this.exportWaits.values()) clearTimeout(t);
    for (const runId of [...this.notifyTimers.keys(), ...this.notifications.keys()]) this.endNotification(runId);
    vscode.Disposable.from(...this.subs).dispose();
  }
}

