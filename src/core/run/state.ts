/**
 * A run's state, folded from its events: the one reducer the extension host (its
 * session store), the webview (its run model) and the CLI (`blobs train`) all use, so
 * they agree on what a run's status, progress and result are. Pure: no I/O, no DOM.
 *
 * Rules: a run is `running` from its first event until the terminal one (`done` →
 * `completed`, `cancelled`, `error`); events after the terminal one are not folded (a
 * trainer that reports `done` and then crashes on exit must not turn a finished run
 * into a crashed one); `start` begins the run afresh.
 *
 * Each front end keeps what it draws or replays (the host every event, the webview the
 * curves and frames) itself; this is the state they derive their text and decisions from.
 */

import { isTerminal, type CancelledEvent, type DoneEvent, type EpochEvent, type ErrorEvent, type RunSummary, type StartEvent, type TrainerEvent } from '../protocol';

/** The vocabulary of RunSummary.status, plus the two states a summary never has. */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'error';

export interface RunState {
  status: RunStatus;
  start?: StartEvent;
  /** The latest epoch event. */
  lastEpoch?: EpochEvent;
  /** The terminal event, by kind. */
  done?: DoneEvent;
  cancelled?: CancelledEvent;
  error?: ErrorEvent;
  /** Between a `paused` and a `resumed`. */
  paused: boolean;
}

export function newRunState(): RunState {
  return { status: 'running', paused: false };
}

/** Folds one event into `s` (in place); false when it was not folded (the run had ended). */
export function foldRunEvent(s: RunState, e: TrainerEvent): boolean {
  if (s.status !== 'running') return false;
  switch (e.type) {
    case 'start':
      Object.assign(s, newRunState(), { start: e, lastEpoch: undefined, done: undefined, cancelled: undefined, error: undefined });
      break;
    case 'epoch':
      s.lastEpoch = e;
      break;
    case 'paused':
    case 'resumed':
      s.paused = e.type === 'paused';
      break;
    case 'done':
      s.done = e;
      break;
    case 'cancelled':
      s.cancelled = e;
      break;
    case 'error':
      s.error = e;
      break;
    case 'frame':
    case 'log':
      break;
  }
  if (isTerminal(e)) {
    s.status = ENDED[e.type];
    s.paused = false;
  }
  return true;
}

const ENDED = { done: 'completed', cancelled: 'cancelled', error: 'error' } as const;

/** Folds events in order; returns those folded (none after the terminal event). */
export function foldRunEvents(s: RunState, events: Iterable<TrainerEvent>): TrainerEvent[] {
  const folded: TrainerEvent[] = [];
  for (const e of events) {
    if (!foldRunEvent(s, e)) break;
    folded.push(e);
  }
  return folded;
}

/**
 * After a replayed history (a view catching up): `active` says whether the run is still
 * going. One that is not, but never reached a terminal event (its trainer went away),
 * is stopped.
 */
export function settleReplay(s: RunState, active: boolean): void {
  if (s.status === 'running' && !active) s.status = 'cancelled';
}

/** The event that ended the run, if it ended. */
export function terminalEvent(s: RunState): DoneEvent | CancelledEvent | ErrorEvent | undefined {
  return s.done ?? s.cancelled ?? s.error;
}

/** Epochs the run planned (from `start`). */
export function totalEpochs(s: RunState): number | undefined {
  return s.start?.epochs;
}

/** Epochs completed: the protocol's epochs are 0-based, so epoch 36 done is 37 done. */
export function epochsDone(s: RunState): number {
  const fromEpochs = s.lastEpoch ? s.lastEpoch.epoch + 1 : 0;
  return Math.max(fromEpochs, s.cancelled?.epoch ?? 0, s.done?.summary.epochs_completed ?? 0);
}

/** The latest test accuracy: the last epoch's, else the final evaluation's. */
export function latestTestAcc(s: RunState): number | undefined {
  return s.lastEpoch?.testAcc ?? s.done?.evaluation.test.accuracy;
}

/**
 * The run's result: the trainer's summary, or, for a run stopped before the trainer
 * could report one (killed), what its start and last epoch say. Undefined while it
 * runs, for a failed run, and for a run stopped before it started (whose backend and
 * device nobody knows: they are not made up).
 */
export function summaryOf(s: RunState, ref: { runId: string; specName: string }): RunSummary | undefined {
  const given = s.done?.summary ?? s.cancelled?.summary;
  if (given) return given;
  if (s.status !== 'cancelled' || !s.start) return undefined;
  const last = s.lastEpoch;
  return {
    runId: ref.runId,
    name: ref.specName,
    epochs: s.start.epochs,
    epochs_completed: epochsDone(s),
    train_loss: last?.trainLoss ?? NaN,
    train_acc: last?.trainAcc ?? NaN,
    test_loss: last?.testLoss ?? NaN,
    test_acc: last?.testAcc ?? NaN,
    backend: s.start.backend,
    device: s.start.device,
    train_wall_s: last ? last.elapsedMs / 1000 : 0,
    epochs_per_s: last && last.elapsedMs > 0 ? (last.epoch + 1) / (last.elapsedMs / 1000) : 0,
    status: 'cancelled',
    // A run stopped before the trainer reported wrote no artifacts.
  };
}
