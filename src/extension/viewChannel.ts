/**
 * One host-side connection to one webview (the editor panel or the side view).
 *
 * Rules (vscode-pull-request-github's `_waitForReady`, hexeditor's typed messages):
 * - Nothing is posted before the webview says `ready`. Run data is not queued: the
 *   host owns the full history, so on `ready` the view gets a snapshot (`run` with every
 *   event so far, then `history`), which supersedes anything it missed. Other messages
 *   (an `exported` answer) are queued and sent after the snapshot.
 * - A hidden webview's document is destroyed (no `retainContextWhenHidden`), and it says
 *   `ready` again when shown; when it becomes visible with its document intact, it
 *   still gets a fresh snapshot (a replay), since messages to hidden views may be lost.
 * - New events of the shown run are batched (one `events` message per `flushMs`) so a
 *   fast trainer does not flood the webview with one postMessage per event.
 * Pure: the `vscode` side passes a `post` function; timers are injectable for tests.
 */

import type { HostToWebview, PlaybackSetting, TrainerEvent } from '../core/protocol';
import type { SessionStore } from './sessionStore';

export interface ChannelTarget {
  specPath?: string;
  specName?: string;
}

export interface ChannelOptions {
  /** Error count of the followed spec, for the `idle` message. */
  problems?: (specPath: string) => number | undefined;
  /** The spec's current values for the panel's controls (`spec`), sent with every snapshot. */
  specMessage?: (specPath: string) => HostToWebview | undefined;
  /** The playback setting, sent on `ready` before the replay (the view plays it at that speed). */
  playback?: () => PlaybackSetting;
  flushMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class ViewChannel {
  private ready = false;
  private visible = true;
  private target: ChannelTarget = {};
  /** The run the view is drawing, so `events` go only to the view that has its start. */
  private shownRunId?: string;
  private readonly queued: HostToWebview[] = [];
  private pending: TrainerEvent[] = [];
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly store: SessionStore,
    private readonly post: (m: HostToWebview) => void,
    private readonly opts: ChannelOptions = {},
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  get specPath(): string | undefined {
    return this.target.specPath;
  }

  get runId(): string | undefined {
    return this.shownRunId;
  }

  /** The view now shows another spec (or none). */
  follow(target: ChannelTarget): void {
    if (target.specPath === this.target.specPath && target.specName === this.target.specName) return;
    this.target = { ...target };
    this.sendSnapshot();
  }

  /**
   * The webview posted `ready` (first load, or reload after being hidden): it gets the
   * replay at once. A view whose document just loaded is being shown (VS Code loads a
   * webview's document only when it is shown), so `ready` also means visible: a
   * visibility event that said "hidden" while a new panel was being placed (or one that
   * never came back as "visible") must not hold the replay back and leave it blank.
   */
  onReady(): void {
    this.ready = true;
    this.visible = true;
    if (this.opts.playback && !this.disposed) this.post({ type: 'options', playback: this.opts.playback() });
    this.sendSnapshot();
    for (const m of this.queued.splice(0)) this.post(m);
  }

  onVisibility(visible: boolean): void {
    const wasVisible = this.visible;
    this.visible = visible;
    if (visible && !wasVisible) this.sendSnapshot();
  }

  /** A run of some spec started (or a spec's state changed, e.g. its problems): resend if it is ours. */
  refresh(specPath: string): void {
    if (specPath === this.target.specPath) this.sendSnapshot();
  }

  /** New events of a run; forwarded when the view is drawing that run. */
  onEvents(runId: string, events: readonly TrainerEvent[]): void {
    if (this.disposed || !this.ready || !this.visible || runId !== this.shownRunId || events.length === 0) return;
    this.pending.push(...events);
    const ms = this.opts.flushMs ?? 16;
    if (ms <= 0) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = (this.opts.setTimer ?? setTimeout)(() => this.flush(), ms);
    }
  }

  /** A one-off message (e.g. `exported`): queued until ready. */
  send(m: HostToWebview): void {
    if (this.disposed) return;
    if (this.ready) this.post(m);
    else this.queued.push(m);
  }

  flush(): void {
    if (this.timer !== undefined) (this.opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
    if (this.disposed || !this.ready || !this.shownRunId || this.pending.length === 0) {
      this.pending = [];
      return;
    }
    const events = this.pending;
    this.pending = [];
    this.post({ type: 'events', runId: this.shownRunId, events });
  }

  /** The messages that bring a fresh view up to date with its spec. */
  snapshot(): HostToWebview[] {
    const { specPath, specName } = this.target;
    const rec = specPath ? this.store.latest(specPath) : undefined;
    const spec = specPath ? this.opts.specMessage?.(specPath) : undefined;
    const extra = spec ? [spec] : [];
    if (!specPath || !rec) {
      return [{ type: 'idle', specPath, specName, problems: specPath ? this.opts.problems?.(specPath) : undefined }, ...extra];
    }
    return [
      { type: 'run', run: rec.ref, events: this.store.replay(rec.ref.runId), active: rec.status === 'running' },
      { type: 'history', runs: this.store.history(specPath, rec.ref.runId) },
      ...extra,
    ];
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) (this.opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.queued.length = 0;
  }

  private sendSnapshot(): void {
    // Pending events are part of the replay the snapshot carries.
    this.pending = [];
    if (this.timer !== undefined) (this.opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
    const msgs = this.snapshot();
    const run = msgs.find((m) => m.type === 'run');
    this.shownRunId = run && run.type === 'run' ? run.run.runId : undefined;
    if (this.disposed || !this.ready || !this.visible) return;
    for (const m of msgs) this.post(m);
  }
}
