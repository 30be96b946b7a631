/**
 * The host, wired: it creates the pure session manager and store and the `vscode`
 * pieces, each with one job (commands.ts, specs.ts, statusBar.ts, contextKeys.ts,
 * runLog.ts, runsOnDisk.ts, exportFigure.ts, webviews.ts, codeLens.ts,
 * diagnostics.ts), and connects them: session events to views, lenses, status bar and
 * log; webview messages to commands; settings and file events to whoever needs them.
 */

import * as vscode from 'vscode';
import type { HostToWebview, PlaybackSetting, TrainerEvent, WebviewToHost } from '../../core/protocol';
import { markerCounts, type LensState } from '../codeLensState';
import { readSettings, type Settings } from '../config';
import { COMMANDS, CONFIG, isSpecPath } from '../ids';
import { SessionManager } from '../sessions';
import { SessionStore, type RunRecord } from '../sessionStore';
import { Throttle } from '../throttle';
import type { StartTrainer } from '../trainerRun';
import type { ViewChannel } from '../viewChannel';
import { SpecCodeLensProvider } from './codeLens';
import { Commands, type TrainCallOptions } from './commands';
import { ContextKeys } from './contextKeys';
import { isSpecDocument, SpecDiagnostics } from './diagnostics';
import { FigureExport } from './exportFigure';
import { RunLog } from './runLog';
import { RunsOnDisk } from './runsOnDisk';
import { SpecTracker } from './specs';
import { Steering } from './steering';
import { TrainingStatusBar } from './statusBar';
import { PanelManager, SideViewProvider, type ViewContext, type WebviewHost } from './webviews';

/**
 * The status bar refreshes at most this often while epochs stream in. It is a long run's
 * progress: no notification (one covered the panel's curves for the whole run).
 */
const STATUS_THROTTLE_MS = 100;

export class Controller implements vscode.Disposable, WebviewHost {
  readonly store: SessionStore;
  readonly sessions: SessionManager;
  readonly diagnostics: SpecDiagnostics;
  readonly codeLens: SpecCodeLensProvider;
  readonly panels: PanelManager;
  readonly side: SideViewProvider;
  readonly specs = new SpecTracker();
  readonly commands: Commands;
  readonly steering: Steering;
  private settings: Settings;
  private readonly statusBar: TrainingStatusBar;
  private readonly contextKeys: ContextKeys;
  private readonly runsOnDisk: RunsOnDisk;
  private readonly figures: FigureExport;
  private readonly statusThrottle = new Throttle(() => this.updateStatus(), STATUS_THROTTLE_MS);
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    startTrainer: StartTrainer,
  ) {
    this.settings = this.readConfig();
    const settings = () => this.settings;
    this.store = new SessionStore(this.settings.keepRuns);
    this.sessions = new SessionManager(this.store, startTrainer);
    this.diagnostics = new SpecDiagnostics(() => this.settings.maxSamples);
    this.codeLens = new SpecCodeLensProvider((uri) => this.lensState(uri));
    this.panels = new PanelManager(this, context.workspaceState);
    this.side = new SideViewProvider(this);
    this.statusBar = new TrainingStatusBar(this.sessions, this.specs);
    this.runsOnDisk = new RunsOnDisk(this.store, this.specs, settings, output, (what) => {
      if (what.restored) this.refreshViews(what.specPath);
      this.codeLens.refresh();
      this.contextKeys.update();
    });
    this.contextKeys = new ContextKeys(this.sessions, this.specs, () => this.runsOnDisk.anyFound);
    this.figures = new FigureExport(this.specs, this.panels, this.store, output);
    this.commands = new Commands({
      specs: this.specs,
      sessions: this.sessions,
      diagnostics: this.diagnostics,
      panels: this.panels,
      runsOnDisk: this.runsOnDisk,
      output,
      settings,
    });
    this.steering = new Steering({
      specs: this.specs,
      diagnostics: this.diagnostics,
      // A control's edit retrains at once: no dialog, the panel is already there.
      retrain: (uri) => this.commands.train(uri, { restart: true, interactive: false }),
      panelChannels: (specPath) => (this.panels.get(specPath) ? [this.panels.get(specPath)!.channel] : []),
      maxSamples: () => this.settings.maxSamples,
      output,
    });
    const log = new RunLog(output);

    this.subs.push(
      this.specs,
      this.diagnostics,
      this.codeLens,
      this.panels,
      this.side,
      this.statusBar,
      this.figures,
      this.steering,
      this.sessions.listen(log),
      this.sessions.listen({
        onRunStarted: (rec) => this.onRunStarted(rec),
        onEvents: (rec, events) => this.onEvents(rec, events),
        onRunEnded: (rec) => this.onRunEnded(rec),
      }),
      { dispose: () => this.sessions.dispose() },
      { dispose: () => this.statusThrottle.cancel() },
      // The count lens says what the Problems view lists, whoever reported it.
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => isSpecPath(u.path))) this.codeLens.refresh();
      }),
      this.diagnostics.onDidChange((uri) => {
        this.codeLens.refresh();
        // An idle view shows the spec's problem count.
        if (!this.store.latest(uri.fsPath)) this.refreshViews(uri.fsPath);
      }),
      this.panels.onDidChange(() => {
        this.contextKeys.setHasPanel(this.panels.all().length > 0);
        // A panel restored after a window reload: bring back its spec's last run from disk.
        for (const p of this.panels.all()) this.runsOnDisk.restore(p.specPath);
      }),
      this.specs.onDidChangeActive((specPath) => {
        if (specPath) this.runsOnDisk.restore(specPath);
        this.side.follow(specPath);
        this.updateStatus();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSaved(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG)) return;
        const before = this.settings;
        this.settings = this.readConfig();
        this.store.setKeepRuns(this.settings.keepRuns);
        if (before.runsDirectory !== this.settings.runsDirectory) this.runsOnDisk.reset();
        if (before.maxSamples !== this.settings.maxSamples) this.diagnostics.revalidateAll();
        if (before.playback !== this.settings.playback) for (const ch of this.channels()) ch.send({ type: 'options', playback: this.settings.playback });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.codeLens.refresh()),
      vscode.workspace.onDidDeleteFiles((e) => this.onSpecsGone(e.files)),
      vscode.workspace.onDidRenameFiles((e) => this.onSpecsGone(e.files.map((f) => f.oldUri))),
    );
    this.specs.start();
    this.contextKeys.update();
    void this.runsOnDisk.findAny().catch(() => undefined);
  }

  // -------------------------------------------------------------------------
  // Commands (extension.ts registers these; the API calls them too)

  train(arg?: unknown, opts?: TrainCallOptions): Promise<RunRecord | undefined> {
    return this.commands.train(arg, opts);
  }
  stop(arg?: unknown): Promise<void> {
    return this.commands.stop(arg);
  }
  pause(arg?: unknown): Promise<void> {
    return this.commands.pause(arg);
  }
  resume(arg?: unknown): Promise<void> {
    return this.commands.resume(arg);
  }
  step(arg?: unknown, epochs = 1): Promise<void> {
    return this.commands.step(arg, epochs);
  }
  showPanel(arg?: unknown): void {
    this.commands.showPanel(arg);
  }
  newSpec(arg?: unknown): Promise<vscode.Uri | undefined> {
    return this.commands.newSpec(arg);
  }
  openArtifacts(arg?: unknown): Promise<void> {
    return this.commands.openArtifacts(arg);
  }
  exportFigure(arg?: unknown): Promise<void> {
    return this.figures.request(arg);
  }
  showOutput(): void {
    this.commands.showOutput();
  }

  // -------------------------------------------------------------------------
  // WebviewHost: what the views need, and where their messages go

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  problems(specPath: string): number | undefined {
    return this.diagnostics.errorsOf(this.specs.uriOf(specPath));
  }

  playback(): PlaybackSetting {
    return this.settings.playback;
  }

  log(line: string): void {
    this.output.info(line);
  }

  specMessage(specPath: string): HostToWebview | undefined {
    return this.steering.specMessage(specPath);
  }

  handle(msg: WebviewToHost, from: ViewContext): void {
    const spec = from.specPath ? this.specs.uriOf(from.specPath) : undefined;
    switch (msg.type) {
      case 'train':
        void this.commands.train(spec, { interactive: true }).catch((err) => this.output.error(String(err)));
        break;
      case 'stop':
        void this.commands.stop(spec);
        break;
      case 'pause':
        void this.commands.pause(spec);
        break;
      case 'resume':
        void this.commands.resume(spec);
        break;
      case 'step':
        void this.commands.step(spec, msg.epochs);
        break;
      case 'openPanel':
        this.commands.showPanel(spec);
        break;
      case 'openNotebook':
        // The command (exportNotebook.ts) asks before replacing a notebook and opens it.
        if (spec) void vscode.commands.executeCommand(COMMANDS.exportNotebook, spec).then(undefined, (err) => this.output.error(String(err)));
        break;
      case 'save':
        void this.commands.saveSpec(spec).catch((err) => this.output.error(String(err)));
        break;
      case 'exportFigure':
        void this.figures.save(from.specPath, msg, from.channel);
        break;
      case 'editSpec':
        // Only the panel has controls; it always names its spec.
        if (spec) void this.steering.edit(spec, msg, from.channel).catch((err) => this.output.error(`editSpec: ${String(err)}`));
        break;
      default:
        break;
    }
  }

  // -------------------------------------------------------------------------
  // Sessions -> views, lenses, status

  private onRunStarted(rec: RunRecord): void {
    this.contextKeys.update();
    this.codeLens.refresh();
    this.updateStatus();
    this.refreshViews(rec.ref.specPath);
  }

  private onEvents(rec: RunRecord, events: TrainerEvent[]): void {
    for (const ch of this.channels()) ch.onEvents(rec.ref.runId, events);
    if (events.some((e) => e.type === 'paused' || e.type === 'resumed')) {
      // Pause/Resume/Step lenses and palette entries follow the trainer's answer.
      this.contextKeys.update();
      this.codeLens.refresh();
    }
    this.statusThrottle.soon();
  }

  private onRunEnded(rec: RunRecord): void {
    this.runsOnDisk.onRunEnded(rec);
    this.contextKeys.update();
    this.codeLens.refresh();
    this.updateStatus();
    // Views drawing this run got the terminal event; others may now show it in `history`.
    for (const ch of this.channels()) if (ch.specPath === rec.ref.specPath && ch.runId !== rec.ref.runId) ch.refresh(rec.ref.specPath);
  }

  private updateStatus(): void {
    this.statusBar.update();
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
    this.specs.remember(uri);
    const active = this.store.active(specPath);
    const latest = this.store.latest(specPath);
    const finished = this.store.lastFinished(specPath);
    return {
      trusted: vscode.workspace.isTrusted,
      errors: this.diagnostics.errorsOf(uri),
      markers: markerCounts(vscode.languages.getDiagnostics(uri).map((d) => d.severity)),
      running: active?.state,
      last: finished?.result ?? latest?.result ?? this.runsOnDisk.lastSummary(specPath),
      lastError: latest?.status === 'error' ? latest.error : undefined,
    };
  }

  /** Specs deleted or renamed (or a folder holding them): stop their runs, close their panels. */
  private onSpecsGone(uris: readonly vscode.Uri[]): void {
    const known = new Set([...this.specs.known(), ...this.panels.all().map((p) => p.specPath)]);
    for (const specPath of known) {
      if (!this.specs.isGone(specPath, uris)) continue;
      if (this.sessions.isRunning(specPath)) void this.sessions.stop(specPath);
      this.store.forget(specPath);
      this.runsOnDisk.forget(specPath);
      this.panels.get(specPath)?.dispose();
      this.specs.forgetActive(specPath);
    }
    this.codeLens.refresh();
  }

  private onSaved(doc: vscode.TextDocument): void {
    if (!this.settings.trainOnSave || !isSpecDocument(doc) || !vscode.workspace.isTrusted) return;
    // Diagnostics already validated the saved text; a spec with errors just shows them.
    if (this.diagnostics.errorsOf(doc.uri) > 0) return;
    // Saved after training its unsaved text: that run is this text already.
    if (this.commands.isTraining(doc)) return;
    void this.commands.train(doc.uri, { restart: true, interactive: false }).catch((err) => this.output.warn(`train on save: ${String(err)}`));
  }

  private readConfig(): Settings {
    const c = vscode.workspace.getConfiguration(CONFIG);
    return readSettings((k) => c.get(k));
  }

  dispose(): void {
    vscode.Disposable.from(...this.subs).dispose();
  }
}
