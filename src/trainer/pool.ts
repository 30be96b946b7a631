/**
 * A warm trainer: one trainer process per workspace (per extension host) kept loaded and
 * reused run after run, so "Train again" pays for training, not for starting Node,
 * importing TensorFlow.js and compiling its wasm module (about a second on a loaded
 * machine).
 *
 *   const pool = new TrainerPool({ trainerPath });   // forks and warms one process
 *   const run = pool.start({ specText, specPath, options });   // the warm one, if idle
 *   run.onEvent((e) => ...); run.cancel(); run.pause(); run.step(1); await run.done;
 *   pool.dispose();                                   // with the extension
 *
 * Rules:
 * - At most one idle process is kept, warm (`{type:'warm'}`: a tiny throw-away run).
 *   A run takes it; a second run at the same time (another spec) gets a fresh process,
 *   which is closed after its run if a warm one is idle by then.
 * - Crash isolation stays: a run is still a child process. A crash ends that run with
 *   `ErrorEvent{code:'crashed'}` (client.ts) and a fresh process is started and warmed for
 *   the next run; so is one after `kill()` (a cancel not honoured within `cancelGraceMs`
 *   is a kill). A process that dies while idle (e.g. its warm-up crashed: a broken native
 *   backend) is not replaced until the next run asks: no crash loop.
 * - An idle process exits after `idleMs` without a run; the next run starts a cold one.
 *   One left holding more than `maxIdleRss` after its run is replaced at once.
 * - `dispose()` kills them all; a process also exits by itself when its host goes away
 *   (IPC disconnect, process.ts).
 *
 * Pure Node, no `vscode`: the extension wires it in src/extension/trainerAdapter.ts. Runs
 * have the shape of the extension's `TrainerRun` (src/extension/trainerRun.ts).
 */

import type { TrainerEvent, TrainRequest } from '../core/protocol';
import { TrainerWorker, type TrainerClientOptions, type WorkerRun } from './client';

export interface PoolOptions extends TrainerClientOptions {
  /** An idle process exits after this many ms without a run (default 10 minutes). */
  idleMs?: number;
  /** Fork and warm a process at once (default true); else the first run starts one. */
  warmAtStart?: boolean;
  /**
   * A process that holds more than this after a run (bytes; default 768 MiB) is let go
   * and a fresh one warmed: a wasm heap grown by a big run never shrinks, and an idle
   * trainer should not sit on it.
   */
  maxIdleRss?: number;
}

/** A run's request, its id made by the host (core/run/id.ts). */
export type PoolRequest = TrainRequest;

/** A run in a pooled process; the same shape as the extension's `TrainerRun`, plus pause/resume/step. */
export interface PoolRun {
  /** Every event of the run, in order; the last one is terminal (done/error/cancelled). */
  onEvent(cb: (e: TrainerEvent) => void): { dispose(): void };
  /** Stop after the current epoch (answered by `cancelled`); killed if not honoured in time. */
  cancel(): void;
  /** Ends the run's process now (the pool starts a fresh one). */
  kill(): void;
  pause(): void;
  resume(): void;
  /** While paused: run `epochs` more epochs, then pause again. */
  step(epochs?: number): void;
  /** The process running it (tests, diagnostics). */
  readonly pid: number | undefined;
  /** Settles when every event was delivered and the process is idle again or gone. */
  readonly done: Promise<void>;
}

export const DEFAULT_IDLE_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_IDLE_RSS = 768 * 1024 * 1024;

export class TrainerPool {
  private idle: TrainerWorker | undefined;
  private readonly busy = new Set<TrainerWorker>();
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private warmed: Promise<boolean> = Promise.resolve(false);

  constructor(private readonly opts: PoolOptions) {
    if (opts.warmAtStart !== false) this.prewarm();
  }

  /** Starts a run: in the idle warm process when there is one, else in a new process. */
  start(req: PoolRequest): PoolRun {
    if (this.disposed) throw new Error('the trainer pool is disposed');
    let worker = this.idle;
    this.idle = undefined;
    clearTimeout(this.idleTimer);
    // An idle process still warming up is fine: the child queues the run behind it. So is
    // a busy one whose run has ended and is only adding its figures (a restart right after
    // a run: Train again, a control moved): far sooner than a cold process.
    if (!worker?.alive) worker = [...this.busy].find((b) => b.acceptsRun) ?? this.fork();
    const w = worker;
    this.busy.add(w);
    const run = w.run(req);
    void run.finished.then(() => this.release(w));
    return new PooledRun(run);
  }

  /** Forks and warms a process for the next run, unless one is idle already. */
  prewarm(): void {
    if (this.disposed || this.idle?.alive) return;
    const w = this.fork();
    this.warmed = new Promise((resolve) => {
      w.onWarm = () => {
        resolve(true);
        // Idle from now on (not while warming up), unless a run took it meanwhile.
        if (this.idle === w) this.armIdleTimer();
      };
      w.onExit = () => {
        resolve(false);
        if (this.idle === w) this.idle = undefined;
      };
    });
    w.warm();
    this.idle = w;
  }

  /** Resolves true once the idle process finished its warm-up (false if it died first). */
  whenWarm(): Promise<boolean> {
    return this.warmed;
  }

  /** Pids of the idle and the busy processes (tests, diagnostics). */
  get pids(): { idle?: number; busy: number[] } {
    return { idle: this.idle?.alive ? this.idle.pid : undefined, busy: [...this.busy].map((w) => w.pid!).filter(Boolean) };
  }

  /** Ends every process now; running ones' runs end `cancelled`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.idleTimer);
    // Killed, not asked: an idle process has nothing to lose, and a hung one must not outlive us.
    this.idle?.kill();
    this.idle = undefined;
    for (const w of this.busy) w.kill();
  }

  private fork(): TrainerWorker {
    return TrainerWorker.fork({ trainerPath: this.opts.trainerPath, execArgv: this.opts.execArgv, env: this.opts.env, cancelGraceMs: this.opts.cancelGraceMs });
  }

  /** A run is over: keep its process warm for the next one, or replace it if it died. */
  private release(w: TrainerWorker): void {
    if (w.busy && w.alive) return; // a run queued behind the one that ended has it now
    this.busy.delete(w);
    if (this.disposed) return w.close();
    if (!w.alive) {
      // Crashed or killed: a fresh warm one, so the next run does not pay for the crash.
      this.prewarm();
      return;
    }
    if (w.lastRss > (this.opts.maxIdleRss ?? DEFAULT_MAX_IDLE_RSS)) {
      w.close();
      this.prewarm();
      return;
    }
    if (this.idle?.alive) return w.close(); // one idle process is enough
    this.idle = w;
    w.onExit = () => {
      if (this.idle === w) this.idle = undefined;
    };
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const w = this.idle;
      this.idle = undefined;
      w?.close();
    }, this.opts.idleMs ?? DEFAULT_IDLE_MS);
    this.idleTimer.unref();
  }
}

class PooledRun implements PoolRun {
  readonly done: Promise<void>;
  private readonly listeners = new Set<(e: TrainerEvent) => void>();
  /** Events that arrived before anyone listened (the session manager subscribes right after start). */
  private readonly early: TrainerEvent[] = [];

  constructor(private readonly run: WorkerRun) {
    const pump = (async () => {
      for await (const e of run) this.emit(e);
    })();
    this.done = Promise.all([pump, run.finished]).then(() => undefined);
  }

  get pid(): number | undefined {
    return this.run.pid;
  }

  onEvent(cb: (e: TrainerEvent) => void): { dispose(): void } {
    this.listeners.add(cb);
    for (const e of this.early.splice(0)) cb(e);
    return { dispose: () => this.listeners.delete(cb) };
  }

  cancel(): void {
    this.run.cancel();
  }
  kill(): void {
    this.run.kill();
  }
  pause(): void {
    this.run.pause();
  }
  resume(): void {
    this.run.resume();
  }
  step(epochs = 1): void {
    this.run.step(epochs);
  }

  private emit(e: TrainerEvent): void {
    if (this.listeners.size === 0) this.early.push(e);
    else for (const l of this.listeners) l(e);
  }
}
