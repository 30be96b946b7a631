/**
 * Host side of the trainer process: forks dist/trainer.js for one run and exposes it as
 * an async iterable of `TrainerEvent`s.
 *
 *   const run = TrainerClient.start({ trainerPath }, { specText, specPath, options });
 *   for await (const e of run) { ... }   // ends after the terminal event (done/error/cancelled)
 *   run.cancel(); run.pause(); run.resume(); run.kill();
 *
 * The stream always ends with exactly one terminal event: if the process dies first
 * (a native backend's SIGILL, an OOM kill, `kill -9`), the client emits
 * `ErrorEvent{code:'crashed'}` naming the signal or exit code and the end of stderr.
 * `kill()` is a deliberate stop and ends the stream with `cancelled` instead.
 * No `vscode` import: the extension wraps this.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { isTerminal, trainerToHostFromJson, type HostToTrainer, type TrainerEvent, type TrainRequest } from '../core/protocol';

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

export class TrainerClient implements AsyncIterable<TrainerEvent> {
  /** Settles with the terminal event once the process has exited. */
  readonly finished: Promise<TrainerEvent>;
  private readonly child: ChildProcess;
  private readonly queue: TrainerEvent[] = [];
  private waiter: (() => void) | undefined;
  private terminal: TrainerEvent | undefined;
  private exited = false;
  private killedByUs = false;
  private lastEpoch = -1;
  private stderr = '';
  private cancelTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly opts: TrainerClientOptions,
    req: TrainRequest,
  ) {
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
      if (msg?.type === 'events') for (const e of msg.events) this.push(e);
    });
    this.finished = new Promise((resolve) => {
      const end = (how: string) => {
        if (this.exited) return;
        this.exited = true;
        clearTimeout(this.cancelTimer);
        if (!this.terminal) {
          if (this.killedByUs) this.push({ type: 'cancelled', epoch: this.lastEpoch + 1 });
          else {
            const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
            this.push({ type: 'error', code: 'crashed', message: `The trainer process ${how}${tail ? ` (${tail})` : ''}.` });
          }
        }
        this.wake();
        resolve(this.terminal!);
      };
      this.child.on('exit', (code, signal) => end(signal ? `was killed by ${signal}` : `exited unexpectedly with code ${code}`));
      this.child.on('error', (err) => end(`could not run: ${err.message}`));
    });
    this.send({ type: 'train', ...req });
  }

  /** Forks the trainer and starts the run. */
  static start(opts: TrainerClientOptions, req: TrainRequest): TrainerClient {
    return new TrainerClient(opts, req);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stop after the current epoch (answered by `cancelled`); killed if not honoured in time. */
  cancel(): void {
    this.send({ type: 'cancel' });
    if (!this.cancelTimer && !this.exited) {
      this.cancelTimer = setTimeout(() => this.kill(), this.opts.cancelGraceMs ?? 5000);
      this.cancelTimer.unref();
    }
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  /** Ends the process now; the stream ends with `cancelled` unless a terminal event came first. */
  kill(): void {
    if (this.exited) return;
    this.killedByUs = true;
    this.child.kill('SIGKILL');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TrainerEvent> {
    for (;;) {
      const e = this.queue.shift();
      if (e) {
        yield e;
        if (isTerminal(e)) return;
        continue;
      }
      if (this.exited) return;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  private push(e: TrainerEvent): void {
    if (this.terminal) return; // exactly one terminal event
    if (e.type === 'epoch') this.lastEpoch = e.epoch;
    if (isTerminal(e)) this.terminal = e;
    this.queue.push(e);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private send(m: HostToTrainer): void {
    if (this.child.connected) this.child.send(m, (err) => err && void 0);
  }
}
