/**
 * The small interface the session manager needs from "something that trains": the real
 * one is the child-process trainer (`src/trainer/client.ts`, adapted in
 * trainerAdapter.ts); tests use a fake. Training never runs in the extension host:
 * TensorFlow.js (and its native bindings, which can crash their process) live in the
 * child. Pure types.
 */

import type { TrainerEvent, TrainRequest } from '../core/protocol';

export interface DisposableLike {
  dispose(): void;
}

export interface TrainerRun {
  /** Every event of the run, in order; the last one is terminal (done/error/cancelled). */
  onEvent(cb: (e: TrainerEvent) => void): DisposableLike;
  /** Asks the trainer to stop after the current epoch (it answers `cancelled`). */
  cancel(): void;
  /** Ends the process now (after a cancel that was not honoured, or on shutdown). */
  kill(): void;
  /** Pauses training at the next epoch boundary (answered by the paused model's frame, then `paused`). */
  pause(): void;
  /** Resumes a paused run (answered by `resumed`). */
  resume(): void;
  /** While paused: trains `epochs` more epochs (each with its frame), then pauses again. */
  step(epochs: number): void;
  /**
   * Settles when the trainer process has exited and every event was delivered. An
   * adapter reports an unexpected exit as an `error` event with code `crashed` first.
   */
  readonly done: Promise<void>;
}

export type StartTrainer = (req: TrainRequest) => TrainerRun;
