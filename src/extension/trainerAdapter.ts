/**
 * The real `StartTrainer`: a child process running `dist/trainer.js`, spoken to with
 * protocol.ts's `HostToTrainer` / `TrainerToHost` over Node IPC. The process boundary is
 * the point: TensorFlow.js (and its native bindings, which can SIGILL or abort on a
 * missing CUDA library) never load in the extension host, and a crash ends one run, not
 * the editor. No `vscode` import.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { isTerminal, type HostToTrainer, type TrainerEvent, type TrainerToHost } from '../core/protocol';
import type { DisposableLike, StartTrainer, TrainerRun, TrainRequest } from './trainerRun';

const STDERR_TAIL = 2000;

/** Forks `script` (dist/trainer.js) for each run. */
export function forkTrainer(script: string, env: NodeJS.ProcessEnv = {}): StartTrainer {
  return (req) => new ForkedRun(script, req, env);
}

class ForkedRun implements TrainerRun {
  readonly done: Promise<void>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<(e: TrainerEvent) => void>();
  /** Events that arrived before anyone listened (the manager subscribes right after start). */
  private readonly early: TrainerEvent[] = [];
  private ended = false;
  private stderr = '';

  constructor(script: string, req: TrainRequest, env: NodeJS.ProcessEnv) {
    this.child = fork(script, [], {
      // No inherited --inspect flags (port clashes with the extension host's debugger).
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // The extension host may be Electron: run its binary as plain Node.
      env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-STDERR_TAIL);
    });
    this.child.stdout?.resume(); // drain; events come over IPC
    this.child.on('message', (m: unknown) => {
      const msg = m as TrainerToHost;
      if (msg && msg.type === 'event' && msg.event && typeof msg.event.type === 'string') this.emit(msg.event);
    });
    this.done = new Promise<void>((resolve) => {
      let settled = false;
      const finish = (how: string) => {
        if (settled) return;
        settled = true;
        if (!this.ended) {
          const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
          this.emit({ type: 'error', code: 'crashed', message: `the trainer process ${how}${tail ? `: ${tail}` : ''}` });
        }
        resolve();
      };
      this.child.on('exit', (code, signal) => finish(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      this.child.on('error', (err) => finish(`failed: ${err.message}`));
    });
    this.send({ type: 'train', specText: req.specText, specPath: req.specPath, options: req.options });
  }

  onEvent(cb: (e: TrainerEvent) => void): DisposableLike {
    this.listeners.add(cb);
    for (const e of this.early.splice(0)) cb(e);
    return { dispose: () => this.listeners.delete(cb) };
  }

  cancel(): void {
    this.send({ type: 'cancel' });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private send(m: HostToTrainer): void {
    if (this.child.connected) this.child.send(m, (err) => err && void 0);
  }

  private emit(e: TrainerEvent): void {
    if (this.ended) return;
    if (isTerminal(e)) this.ended = true;
    if (this.listeners.size === 0) this.early.push(e);
    else for (const l of this.listeners) l(e);
  }
}
