/**
 * The real `StartTrainer`: the trainer child process (`dist/trainer.js`) through its
 * host-side client (`src/trainer/client.ts`), adapted to the session manager's small
 * `TrainerRun` interface. The process boundary is the point: TensorFlow.js (and its
 * native bindings, which can SIGILL or abort on a missing CUDA library) never load in
 * the extension host, and a crash ends one run, not the editor. The client already turns
 * an unexpected exit into `ErrorEvent{code:'crashed'}`. No `vscode` import.
 */

import type { TrainerEvent } from '../core/protocol';
import { TrainerClient } from '../trainer/client';
import type { DisposableLike, StartTrainer, TrainerRun } from './trainerRun';

export interface ClientTrainerOptions {
  env?: NodeJS.ProcessEnv;
  /** A cancel not honoured within this many ms kills the process. */
  cancelGraceMs?: number;
}

/** Starts `trainerPath` (dist/trainer.js) in a new process for each run. */
export function clientTrainer(trainerPath: string, opts: ClientTrainerOptions = {}): StartTrainer {
  return (req) => new ClientRun(TrainerClient.start({ trainerPath, env: opts.env, cancelGraceMs: opts.cancelGraceMs }, req));
}

class ClientRun implements TrainerRun {
  readonly done: Promise<void>;
  private readonly listeners = new Set<(e: TrainerEvent) => void>();
  /** Events that arrived before anyone listened (the manager subscribes right after start). */
  private readonly early: TrainerEvent[] = [];

  constructor(private readonly client: TrainerClient) {
    const pump = (async () => {
      for await (const e of client) this.emit(e);
    })();
    // Every event delivered AND the process gone: the manager's "ended" is final.
    this.done = Promise.all([pump, client.finished]).then(() => undefined);
  }

  onEvent(cb: (e: TrainerEvent) => void): DisposableLike {
    this.listeners.add(cb);
    for (const e of this.early.splice(0)) cb(e);
    return { dispose: () => this.listeners.delete(cb) };
  }

  cancel(): void {
    this.client.cancel();
  }

  kill(): void {
    this.client.kill();
  }

  private emit(e: TrainerEvent): void {
    if (this.listeners.size === 0) this.early.push(e);
    else for (const l of this.listeners) l(e);
  }
}
