/**
 * The real `StartTrainer`: a pool of trainer child processes (`dist/trainer.js`,
 * src/trainer/pool.ts) that keeps one warm and reuses it run after run, its runs already
 * in the session manager's small `TrainerRun` shape. The process boundary is the point:
 * TensorFlow.js (and its native bindings, which can SIGILL or abort on a missing CUDA
 * library) never load in the extension host, and a crash ends one run, not the editor;
 * the client reports it as `ErrorEvent{code:'crashed'}` and the pool starts a fresh
 * process. No `vscode` import.
 */

import { TrainerPool } from '../trainer/pool';
import type { DisposableLike, StartTrainer } from './trainerRun';

export interface ClientTrainerOptions {
  env?: NodeJS.ProcessEnv;
  /** A cancel not honoured within this many ms kills the process. */
  cancelGraceMs?: number;
  /** An idle warm process exits after this many ms (default 10 minutes). */
  idleMs?: number;
  /** Fork and warm a process at once (default true). */
  warmAtStart?: boolean;
}

/**
 * Runs `trainerPath` (dist/trainer.js) in a warm, reused process. `dispose()` (with the
 * extension) ends the processes; they also exit when the extension host goes away.
 */
export function clientTrainer(trainerPath: string, opts: ClientTrainerOptions = {}): StartTrainer & DisposableLike {
  const pool = new TrainerPool({ trainerPath, ...opts });
  const start: StartTrainer = (req) => pool.start(req);
  return Object.assign(start, { dispose: () => pool.dispose() });
}
