/**
 * What the commands do: train (with the checks and questions a person gets), stop, show
 * the panel, create a spec, open the last run's artifacts. The CodeLens, menus, webview
 * buttons and the test API all come here.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainerOptions } from '../../core/protocol';
import { nameFromPath, newSpecText } from '../../core/spec/defaults';
import { trainerOptions, type Settings } from '../config';
import { firstError, refusalMessage } from '../problemMapping';
import { newRunId } from '../../core/run/id';
import type { SessionManager } from '../sessions';
import type { RunRecord } from '../sessionStore';
import type { SpecDiagnostics } from './diagnostics';
import type { RunsOnDisk } from './runsOnDisk';
import type { SpecTracker } from './specs';
import type { PanelManager } from './webviews';

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

export interface CommandDeps {
  specs: SpecTracker;
  sessions: SessionManager;
  diagnostics: SpecDiagnostics;
  panels: PanelManager;
  runsOnDisk: RunsOnDisk;
  output: vscode.LogOutputChannel;
  settings: () => Settings;
}

export class Commands {
  /** The document version each running spec was started from (a save of that text needs no restart). */
  private readonly trainedVersion = new Map<string, number>();

  constructor(private readonly d: CommandDeps) {}

  /** The spec's run is training exactly this document's current text. */
  isTraining(doc: vscode.TextDocument): boolean {
    return this.d.sessions.isRunning(doc.uri.fsPath) && this.trainedVersion.get(doc.uri.fsPath) === doc.version;
  }

  /** Saves the spec's editor text, if it has unsaved changes (Ctrl+S in a view). */
  async saveSpec(arg?: unknown): Promise<void> {
    const specPath = this.d.specs.specPathOf(arg) ?? this.d.specs.activeSpec;
    const doc = specPath ? vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === specPath) : undefined;
    if (doc?.isDirty) await doc.save();
  }

  /** Trains a spec; resolves when the run has STARTED (use `sessions.wait` for the end). */
  async train(arg?: unknown, opts: TrainCallOptions = {}): Promise<RunRecord | undefined> {
    const { specs, sessions, output } = this.d;
    const interactive = opts.interactive ?? true;
    const uri = await specs.resolveSpec(arg, interactive, () => this.newSpec());
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
    const result = this.d.diagnostics.validateNow(doc, true);
    const specName = result?.spec?.name ?? nameFromPath(uri.fsPath);
    if (!result?.spec) {
      const problems = result?.problems ?? [];
      const file = path.basename(uri.fsPath);
      const msg = refusalMessage(file, problems) || `Cannot train ${file}: the spec is not valid.`;
      output.warn(msg);
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
    specs.remember(uri);
    // The panel opens at the click, before the run starts: a new webview takes a moment
    // to load, and the data and the untrained boundary should be on screen as soon as
    // the trainer sends them (the view then plays the run from epoch 0, however fast it
    // trained meanwhile).
    if (interactive) this.showPanel(uri);
    if (sessions.isRunning(specPath)) {
      if (!opts.restart) {
        if (!interactive) throw new TrainRefused(`${specName} is already training`);
        const restart = 'Restart';
        const a = await vscode.window.showWarningMessage(`${specName} is already training — restart?`, { modal: true }, restart);
        if (a !== restart) return undefined;
      }
      await sessions.stop(specPath);
    }

    const workspaceRoot = specs.workspaceRoot(uri);
    const dirs = this.d.runsOnDisk.specRunsDir(specPath);
    if (dirs.warning) output.warn(dirs.warning);
    const rec = sessions.start({
      runId: newRunId(),
      specPath,
      specName,
      // The editor's text, saved or not (what the person sees is what trains).
      specText: doc.getText(),
      // The trainer writes the run into `<specRunsDir>/<runId>/` when it ends (atomically).
      options: trainerOptions(this.d.settings(), { outDir: dirs.specRunsDir, allowedRoot: workspaceRoot }, opts.overrides),
    });
    this.trainedVersion.set(specPath, doc.version);
    if (interactive && doc.isDirty) this.sayUnsaved(doc);
    return rec;
  }

  /**
   * Training unsaved text (the side view's Train does not show the editor's dirty dot):
   * say so, and offer to save it. A toast that goes away by itself, not a dialog.
   */
  private sayUnsaved(doc: vscode.TextDocument): void {
    const file = path.basename(doc.uri.fsPath);
    const save = 'Save';
    void vscode.window
      .showInformationMessage(`Training the unsaved text of ${file}: the file on disk is older.`, save)
      .then((a) => (a === save ? doc.save() : undefined));
  }

  async stop(arg?: unknown): Promise<void> {
    const specPath = await this.runningSpec(arg, 'Stop which run?');
    if (specPath) await this.d.sessions.stop(specPath);
  }

  /** Pauses training (the trainer waits at the next epoch; the views play up to it). */
  async pause(arg?: unknown): Promise<void> {
    const specPath = await this.runningSpec(arg, 'Pause which run?', (p) => !this.d.sessions.isPaused(p));
    if (specPath) this.d.sessions.pause(specPath);
  }

  async resume(arg?: unknown): Promise<void> {
    const specPath = await this.runningSpec(arg, 'Resume which run?', (p) => this.d.sessions.isPaused(p));
    if (specPath) this.d.sessions.resume(specPath);
  }

  /** While paused: trains `epochs` more epochs, each drawn, then pauses again. */
  async step(arg?: unknown, epochs = 1): Promise<void> {
    const specPath = await this.runningSpec(arg, `Step which run by ${epochs} epoch${epochs === 1 ? '' : 's'}?`, (p) => this.d.sessions.isPaused(p));
    if (!specPath) return;
    if (!this.d.sessions.isPaused(specPath)) {
      void vscode.window.showInformationMessage(`Blob Classifier: pause ${nameFromPath(specPath)} first; a step trains ${epochs === 1 ? 'one more epoch' : `${epochs} more epochs`} of a paused run.`);
      return;
    }
    this.d.sessions.step(specPath, epochs);
  }

  /**
   * The running spec a command acts on: its argument (CodeLens, menus, status bar), else
   * the spec being edited if it trains, else the only run that `fits`, else one picked.
   */
  private async runningSpec(arg: unknown, placeHolder: string, fits: (specPath: string) => boolean = () => true): Promise<string | undefined> {
    const { specs, sessions } = this.d;
    const active = specs.activeSpec;
    let specPath = specs.specPathOf(arg) ?? (active && sessions.isRunning(active) ? active : undefined);
    if (!specPath || !sessions.isRunning(specPath)) {
      const running = sessions.runningSpecs();
      const candidates = running.filter(fits);
      const pool = candidates.length ? candidates : running;
      if (specPath === undefined && pool.length === 1) specPath = pool[0];
      else if (pool.length > 1 && !specPath) {
        const pick = await vscode.window.showQuickPick(
          pool.map((p) => ({ label: nameFromPath(p), description: vscode.workspace.asRelativePath(p), p })),
          { placeHolder },
        );
        specPath = pick?.p;
      }
    }
    return specPath && sessions.isRunning(specPath) ? specPath : undefined;
  }

  showPanel(arg?: unknown): void {
    const specPath = this.d.specs.specPathOf(arg) ?? this.d.specs.activeSpec;
    if (specPath) {
      this.d.panels.show(specPath);
      return;
    }
    void this.d.specs.resolveSpec(undefined, true, () => this.newSpec()).then((uri) => uri && this.d.panels.show(uri.fsPath));
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
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(newSpecText(file.path)));
    await vscode.window.showTextDocument(file);
    return file;
  }

  async openArtifacts(arg?: unknown): Promise<void> {
    const { specs, sessions } = this.d;
    const specPath = specs.specPathOf(arg) ?? specs.activeSpec ?? sessions.store.mostRecentSpec();
    const dir = specPath ? await this.d.runsOnDisk.artifactsDir(specPath) : undefined;
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

  showOutput(): void {
    this.d.output.show(true);
  }
}
