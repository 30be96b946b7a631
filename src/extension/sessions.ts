/**
 * Training sessions: at most one run per spec, each a `TrainerRun` (a child process),
 * its events recorded in the `SessionStore` and fanned out to listeners (CodeLens,
 * status bar, views, output channel). Pure: no `vscode`; the trainer is injected.
 */

import { performance } from 'node:perf_hooks';
import type { TrainerEvent, TrainerOptions } from '../core/protocol';
import { epochsDone } from '../core/run/state';
import { LagMonitor } from './lagMonitor';
import type { RunRecord, SessionStore } from './sessionStore';
import type { DisposableLike, StartTrainer, TrainerRun } from './trainerRun';

export interface StartParams {
  runId: string;
  specPath: string;
  specName: string;
  specText: string;
  options: TrainerOptions;
}

export interface SessionListener {
  onRunStarted?(rec: RunRecord): void;
  onEvents?(rec: RunRecord, events: TrainerEvent[]): void;
  onRunEnded?(rec: RunRecord): void;
}

export interface SessionOptions {
  /** How long a cancelled trainer gets to answer before it is killed. */
  killAfterMs?: number;
  lag?: LagMonitor;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

interface Live {
  rec: RunRecord;
  run: TrainerRun;
  sub: DisposableLike;
  ended: Promise<RunRecord>;
  /** Ends the session (idempotent): listeners, lag, `ended`. */
  finish: () => void;
  killTimer?: unknown;
}

export class SessionManager {
  private readonly live = new Map<string, Live>(); // specPath -> live run
  private readonly listeners = new Set<SessionListener>();
  readonly lag: LagMonitor;

  constructor(
    readonly store: SessionStore,
    private readonly startTrainer: StartTrainer,
    private readonly opts: SessionOptions = {},
  ) {
    this.lag = opts.lag ?? new LagMonitor();
  }

  listen(l: SessionListener): DisposableLike {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  isRunning(specPath: string): boolean {
    return this.live.has(specPath);
  }

  runningSpecs(): string[] {
    return [...this.live.keys()];
  }

  /** Starts a run; the caller stops any existing run of the spec first (see `restart`). */
  start(p: StartParams): RunRecord {
    if (this.live.has(p.specPath)) throw new Error(`${p.specName} is already training`);
    const rec = this.store.begin(
      { runId: p.runId, specPath: p.specPath, specName: p.specName },
      p.options.outDir,
    );
    this.lag.track(rec.ref.runId);
    let run: TrainerRun;
    const t0 = performance.now();
    try {
      // The run's id goes to the trainer: its folder, summary and events carry it too.
      run = this.startTrainer({ runId: p.runId, specText: p.specText, specPath: p.specPath, options: p.options });
      // Starting a process is the one synchronous step on the host's thread: worth knowing.
      rec.spawnMs = performance.now() - t0;
    } catch (err) {
      // A trainer that cannot even start (missing bundle, fork failure) is a failed run, not a host crash.
      this.store.append(rec.ref.runId, [{ type: 'error', code: 'crashed', message: `could not start the trainer: ${String(err)}` }]);
      rec.maxLagMs = this.lag.untrack(rec.ref.runId);
      this.emit((l) => l.onRunStarted?.(rec));
      this.emit((l) => l.onRunEnded?.(rec));
      return rec;
    }
    let resolveEnded!: (r: RunRecord) => void;
    const ended = new Promise<RunRecord>((r) => (resolveEnded = r));
    const finish = () => {
      if (this.live.get(p.specPath) !== live) return;
      this.live.delete(p.specPath);
      live.sub.dispose();
      if (live.killTimer !== undefined) this.clear(live.killTimer);
      rec.maxLagMs = this.lag.untrack(rec.ref.runId);
      this.emit((l) => l.onRunEnded?.(rec));
      resolveEnded(rec);
    };
    const live: Live = { rec, run, sub: { dispose() {} }, ended, finish };
    this.live.set(p.specPath, live);
    live.sub = run.onEvent((e) => {
      const accepted = this.store.append(rec.ref.runId, [e]);
      if (accepted.length) this.emit((l) => l.onEvents?.(rec, accepted));
      if (rec.status !== 'running') {
        // The stream is over; the process may linger a moment to flush artifacts. The
        // session ends now so a restart does not wait on it.
        finish();
      }
    });
    run.done.then(
      () => this.onExit(rec, finish),
      (err) => this.onExit(rec, finish, err),
    );
    this.emit((l) => l.onRunStarted?.(rec));
    return rec;
  }

  /** True while the spec's run is paused (its trainer said `paused`, not yet `resumed`). */
  isPaused(specPath: string): boolean {
    return this.live.get(specPath)?.rec.state.paused ?? false;
  }

  /**
   * Training's controls (the trainer's, not a view's playback): pause at the next epoch,
   * resume, and, while paused, train `epochs` more. They go to the trainer as asked (its
   * RunControl decides: a step while running is ignored, a second pause is one pause), so
   * a Step clicked right after Pause, before the trainer said `paused`, is not lost.
   * False when the spec has no run to act on (none, or stopping).
   */
  pause(specPath: string): boolean {
    return this.control(specPath, (run) => run.pause());
  }

  resume(specPath: string): boolean {
    return this.control(specPath, (run) => run.resume());
  }

  step(specPath: string, epochs = 1): boolean {
    const n = Number.isFinite(epochs) ? Math.max(1, Math.floor(epochs)) : 1;
    return this.control(specPath, (run) => run.step(n));
  }

  private control(specPath: string, act: (run: TrainerRun) => void): boolean {
    const live = this.live.get(specPath);
    if (!live || live.killTimer !== undefined) return false;
    try {
      act(live.run);
      return true;
    } catch {
      return false; // the process is gone; its exit ends the run
    }
  }

  /** Asks the spec's run to stop; kills it if it does not within `killAfterMs`. Resolves when it ended. */
  stop(specPath: string): Promise<RunRecord | undefined> {
    const live = this.live.get(specPath);
    if (!live) return Promise.resolve(undefined);
    if (live.killTimer === undefined) {
      try {
        live.run.cancel();
      } catch {
        /* the process is already gone; its exit ends the run */
      }
      live.killTimer = this.set(() => this.kill(specPath, 'did not stop when asked; killed'), this.opts.killAfterMs ?? 5000);
    }
    return live.ended;
  }

  /** Ends the spec's run now; the run is recorded as cancelled (with `reason` in the log). */
  kill(specPath: string, reason = 'killed'): void {
    const live = this.live.get(specPath);
    if (!live) return;
    const events = this.store.append(live.rec.ref.runId, [
      { type: 'log', level: 'warn', message: `trainer ${reason}` },
      { type: 'cancelled', epoch: epochsDone(live.rec.state) },
    ]);
    if (events.length) this.emit((l) => l.onEvents?.(live.rec, events));
    try {
      live.run.kill();
    } catch {
      /* already gone */
    }
    live.finish();
  }

  /** Resolves when the run ends (immediately for a finished one). */
  wait(runId: string): Promise<RunRecord | undefined> {
    for (const live of this.live.values()) if (live.rec.ref.runId === runId) return live.ended;
    return Promise.resolve(this.store.find(runId));
  }

  /** Kills every run (deactivation): child processes must not outlive the host. */
  dispose(): void {
    for (const specPath of [...this.live.keys()]) this.kill(specPath, 'stopped: the extension is shutting down');
    this.listeners.clear();
    this.lag.dispose();
  }

  private onExit(rec: RunRecord, finish: () => void, err?: unknown): void {
    if (rec.status === 'running') {
      // Exited without a terminal event: the adapter should have said `crashed`, but make sure.
      const events = this.store.append(rec.ref.runId, [
        { type: 'error', code: 'crashed', message: `the trainer process exited unexpectedly${err ? `: ${String(err)}` : ''}` },
      ]);
      if (events.length) this.emit((l) => l.onEvents?.(rec, events));
    }
    finish();
  }

  private emit(fn: (l: SessionListener) => void): void {
    for (const l of [...this.listeners]) {
      try {
        fn(l);
      } catch (err) {
        // One broken listener (a disposed webview) must not stop the others or the run.
        console.error('[blob-classifier] session listener failed', err);
      }
    }
  }

  private set(fn: () => void, ms: number): unknown {
    return (this.opts.setTimer ?? ((f, m) => setTimeout(f, m).unref()))(fn, ms);
  }

  private clear(h: unknown): void {
    (this.opts.clearTimer ?? ((x) => clearTimeout(x as NodeJS.Timeout)))(h);
  }
}
