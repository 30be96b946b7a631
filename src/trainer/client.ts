/**
 * Host side of the trainer process (dist/trainer.js, src/trainer/process.ts).
 *
 * `TrainerWorker`: one child process that runs one request at a time and stays up between
 * runs (the pool, pool.ts, keeps one warm). `worker.run(req)` returns a `WorkerRun`: the
 * run's events as an async iterable, its controls, and `finished`.
 *
 * `TrainerClient`: one run in a process of its own (fork, run, let the process go):
 *
 *   const run = TrainerClient.start({ trainerPath }, { specText, specPath, options });
 *   for await (const e of run) { ... }   // ends after the terminal event (done/error/cancelled)
 *   run.cancel(); run.pause(); run.resume(); run.step(1); run.kill();
 *
 * A run's stream always ends with exactly one terminal event: if the process dies first
 * (a native backend's SIGILL, an OOM kill, `kill -9`), the run gets
 * `ErrorEvent{code:'crashed'}` naming the signal or exit code and the end of stderr.
 * `kill()` is a deliberate stop and ends the stream with `cancelled` instead. A cancel not
 * honoured within `cancelGraceMs` kills the process. No `vscode` import.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { isTerminal, trainerToHostFromJson, type HostToTrainer, type TrainerEvent, type TrainerToHost, type TrainRequest } from '../core/protocol';

export interface TrainerClientOptions {
  /** Path of the bundled trainer (dist/trainer.js) or, in tests, of process.ts. */
  trainerPath: string;
  /** Node flags for the child, e.g. ['--import', 'tsx'] to run the TypeScript entry. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** A cancel not honoured within this many ms kills the process (default 5000). */
  cancelGraceMs?: number;
}

const STDERR_TAIL = 4000;

/**
 * One trainer child process; one run at a time. A run whose terminal event came while the
 * process still adds its figures (run.ts) is "finishing": the next run may be queued
 * behind it (`next`), and the child starts it as soon as it is idle, instead of the pool
 * forking a cold process for a restart that follows a run's end at once.
 */
export class TrainerWorker {
  /** Settles when the process has exited (for any reason). */
  readonly exited: Promise<void>;
  /** Called when the process is idle again: after a warm-up (with no run waiting), or after a run. */
  onIdle?: () => void;
  /** Called when a warm-up finished (a run may be waiting behind it). */
  onWarm?: () => void;
  /** Called once when the process has exited. */
  onExit?: () => void;
  private readonly child: ChildProcess;
  private current: WorkerRun | undefined;
  /** A run queued behind a finishing `current`. */
  private next: WorkerRun | undefined;
  private exitedFlag = false;
  private killedByUs = false;
  private stderr = '';
  private warming = 0;
  /** Resident memory the process reported when it was last idle, bytes. */
  lastRss = 0;

  private constructor(readonly opts: TrainerClientOptions) {
    this.child = fork(opts.trainerPath, [], {
      execArgv: opts.execArgv ?? [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // The VS Code extension host is Electron: run its binary as plain Node.
      env: { ...process.env, ...opts.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-STDERR_TAIL);
    });
    this.child.on('message', (m: unknown) => {
      const msg = trainerToHostFromJson(m);
      if (msg) this.onMessage(msg);
    });
    this.exited = new Promise((resolve) => {
      const end = (how: string) => {
        if (this.exitedFlag) return;
        this.exitedFlag = true;
        const runs = [this.current, this.next];
        this.current = this.next = undefined;
        for (const run of runs) run?.ended(this.killedByUs ? undefined : how, this.stderr);
        resolve();
        this.onExit?.();
      };
      this.child.on('exit', (code, signal) => end(signal ? `was killed by ${signal}` : `exited unexpectedly with code ${code}`));
      this.child.on('error', (err) => end(`could not run: ${err.message}`));
    });
  }

  static fork(opts: TrainerClientOptions): TrainerWorker {
    return new TrainerWorker(opts);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get alive(): boolean {
    return !this.exitedFlag;
  }
  get busy(): boolean {
    return this.current !== undefined;
  }
  /** Alive and idle, or finishing a run that has ended (its terminal event came) with nothing queued. */
  get acceptsRun(): boolean {
    return this.alive && (this.current === undefined || (this.current.hasTerminal && this.next === undefined));
  }

  /** Loads the backend and compiles the code now (a tiny run in the child); `onIdle` after. */
  warm(): void {
    this.warming++;
    this.send({ type: 'warm' });
  }

  /** Starts a run (queued in the child behind a warm-up, or a finishing run). One at a time. */
  run(req: TrainRequest): WorkerRun {
    if (!this.alive) throw new Error('the trainer process has exited');
    if (!this.acceptsRun) throw new Error('the trainer process is busy with another run');
    const run = new WorkerRun(this, this.opts.cancelGraceMs ?? 5000);
    if (this.current) this.next = run;
    else {
      this.stderr = ''; // a crash names this run's stderr, not an earlier run's warnings
      this.current = run;
    }
    this.send({ type: 'train', ...req });
    return run;
  }

  /** Lets the process go: it exits at once when idle, else after cancelling its run. */
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }

  /** Ends the process now; a run in progress ends with `cancelled`. */
  kill(): void {
    if (this.exitedFlag) return;
    this.killedByUs = true;
    this.child.kill('SIGKILL');
  }

  /** @internal for WorkerRun */
  send(m: HostToTrainer): void {
    if (this.child.connected) this.child.send(m, (err) => err && void 0);
  }

  private onMessage(msg: TrainerToHost): void {
    const run = this.current;
    if (msg.type === 'events') {
      for (const e of msg.events) run?.push(e);
    } else if (msg.type === 'ready') {
      if (typeof msg.rss === 'number') this.lastRss = msg.rss;
      // `ready`s come in the order of the requests. One before the current run's terminal
      // event is a warm-up's (the run waited behind it); the run is over at the next one.
      if (this.warming > 0 && !run?.hasTerminal) {
        this.warming--;
        this.onWarm?.();
        if (!run) this.onIdle?.();
        return;
      }
      if (run && !run.hasTerminal) return; // not from this protocol version: ignore
      // The queued run (if any) is the process's now: its events come after this `ready`.
      this.current = this.next;
      this.next = undefined;
      if (this.current) this.stderr = '';
      run?.ended();
      if (!this.current) this.onIdle?.();
    }
  }
}

/** One run in a `TrainerWorker`. */
export class WorkerRun implements AsyncIterable<TrainerEvent> {
  /** Settles with the terminal event once the run is over (the process idle again, or gone). */
  readonly finished: Promise<TrainerEvent>;
  private resolveFinished!: (e: TrainerEvent) => void;
  private readonly queue: TrainerEvent[] = [];
  private waiter: (() => void) | undefined;
  private terminal: TrainerEvent | undefined;
  private over = false;
  private lastEpoch = -1;
  private cancelTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly worker: TrainerWorker,
    private readonly cancelGraceMs: number,
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  get pid(): number | undefined {
    return this.worker.pid;
  }
  get hasTerminal(): boolean {
    return this.terminal !== undefined;
  }

  /** Stop after the current epoch (answered by `cancelled`); the process is killed if not honoured in time. */
  cancel(): void {
    if (this.over) return;
    this.worker.send({ type: 'cancel' });
    if (!this.cancelTimer) {
      this.cancelTimer = setTimeout(() => this.kill(), this.cancelGraceMs);
      this.cancelTimer.unref();
    }
  }
  pause(): void {
    if (!this.over) this.worker.send({ type: 'pause' });
  }
  resume(): void {
    if (!this.over) this.worker.send({ type: 'resume' });
  }
  /** While paused: run `epochs` more epochs, then pause again. */
  step(epochs = 1): void {
    if (!this.over) this.worker.send({ type: 'step', epochs });
  }
  /** Ends the process now; the stream ends with `cancelled` unless a terminal event came first. */
  kill(): void {
    if (!this.over) this.worker.kill();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TrainerEvent> {
    for (;;) {
      const e = this.queue.shift();
      if (e) {
        yield e;
        if (isTerminal(e)) return;
        continue;
      }
      if (this.over) return;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** @internal an event from the process */
  push(e: TrainerEvent): void {
    if (this.terminal) return; // exactly one terminal event
    if (e.type === 'epoch') this.lastEpoch = e.epoch;
    if (isTerminal(e)) {
      this.terminal = e;
      clearTimeout(this.cancelTimer);
    }
    this.queue.push(e);
    this.wake();
  }

  /**
   * @internal The run is over: the process said `ready` after the terminal event, or it
   * exited (`crash` says how when it was not killed on purpose).
   */
  ended(crash?: string, stderr = ''): void {
    if (this.over) return;
    if (!this.terminal) {
      if (crash === undefined) this.push({ type: 'cancelled', epoch: this.lastEpoch + 1 });
      else {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        this.push({ type: 'error', code: 'crashed', message: `The trainer process ${crash}${tail ? ` (${tail})` : ''}.` });
      }
    }
    this.over = true;
    clearTimeout(this.cancelTimer);
    this.wake();
    this.resolveFinished(this.terminal!);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/** One run in a process of its own: the process exits when the run is over. */
export class TrainerClient implements AsyncIterable<TrainerEvent> {
  /** Settles with the terminal event once the process has exited. */
  readonly finished: Promise<TrainerEvent>;

  private constructor(
    private readonly worker: TrainerWorker,
    private readonly run: WorkerRun,
  ) {
    void run.finished.then(() => worker.close());
    this.finished = Promise.all([run.finished, worker.exited]).then(([t]) => t);
  }

  /** Forks the trainer and starts the run. */
  static start(opts: TrainerClientOptions, req: TrainRequest): TrainerClient {
    const worker = TrainerWorker.fork(opts);
    return new TrainerClient(worker, worker.run(req));
  }

  get pid(): number | undefined {
    return this.worker.pid;
  }

  cancel(): void {
    this.run.cancel();
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
  kill(): void {
    this.run.kill();
  }

  [Symbol.asyncIterator](): AsyncIterator<TrainerEvent> {
    return this.run[Symbol.asyncIterator]();
  }
}
