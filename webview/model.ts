/**
 * What the view knows about the run it shows, folded from the trainer's events. Pure
 * (no DOM) so it is unit-tested directly. Returns which parts of the view changed so
 * the renderer redraws only those.
 */
import type {
  CancelledEvent, DoneEvent, EpochEvent, ErrorEvent, FrameEvent, LogEvent, RunRef, StartEvent, TrainerEvent,
} from '../src/core/protocol';

export type Status = 'idle' | 'running' | 'done' | 'cancelled' | 'error';
export type Part = 'header' | 'boundary' | 'curves' | 'eval' | 'layout';

export interface RunModel {
  run?: RunRef;
  start?: StartEvent;
  epochs: EpochEvent[];
  /** Recorded frames, ascending epoch. Thinned when very many (see MAX_FRAMES). */
  frames: FrameEvent[];
  done?: DoneEvent;
  error?: ErrorEvent;
  cancelled?: CancelledEvent;
  paused: boolean;
  status: Status;
  logs: LogEvent[];
}

/** Frames kept for replay; each is ~2 x resolution^2 bytes of base64. */
export const MAX_FRAMES = 400;
const MAX_LOGS = 50;

export function emptyModel(): RunModel {
  return { epochs: [], frames: [], paused: false, status: 'idle', logs: [] };
}

export function completedEpochs(m: RunModel): number {
  const last = m.epochs.at(-1);
  const fromEpochs = last ? last.epoch + 1 : 0;
  return Math.max(fromEpochs, m.cancelled?.epoch ?? 0, m.done?.summary.epochs_completed ?? 0);
}

export function latestTestAcc(m: RunModel): number | undefined {
  return m.epochs.at(-1)?.testAcc ?? m.done?.evaluation.test.accuracy;
}

export function applyEvents(m: RunModel, events: TrainerEvent[], changed = new Set<Part>()): Set<Part> {
  for (const e of events) applyEvent(m, e, changed);
  return changed;
}

export function applyEvent(m: RunModel, e: TrainerEvent, changed: Set<Part>): void {
  switch (e.type) {
    case 'start':
      // A start resets everything (a run message replays from the beginning).
      Object.assign(m, emptyModel(), { run: m.run, start: e, status: 'running' as Status });
      changed.add('layout').add('header').add('boundary').add('curves').add('eval');
      break;
    case 'epoch': {
      // Replays can repeat an epoch; keep the latest copy and the order.
      const last = m.epochs.at(-1);
      if (last && e.epoch <= last.epoch) m.epochs = m.epochs.filter((x) => x.epoch < e.epoch);
      m.epochs.push(e);
      changed.add('header').add('curves');
      break;
    }
    case 'frame': {
      const last = m.frames.at(-1);
      if (last && e.epoch <= last.epoch) m.frames = m.frames.filter((x) => x.epoch < e.epoch);
      m.frames.push(e);
      if (m.frames.length > MAX_FRAMES) m.frames = thin(m.frames);
      changed.add('boundary');
      break;
    }
    case 'log':
      m.logs.push(e);
      if (m.logs.length > MAX_LOGS) m.logs.shift();
      changed.add('header');
      break;
    case 'done':
      m.done = e;
      m.status = 'done';
      changed.add('header').add('eval').add('curves');
      break;
    case 'error':
      m.error = e;
      m.status = 'error';
      changed.add('header');
      break;
    case 'cancelled':
      m.cancelled = e;
      m.status = 'cancelled';
      changed.add('header');
      break;
    case 'paused':
    case 'resumed':
      m.paused = e.type === 'paused';
      changed.add('header');
      break;
  }
}

/**
 * Halves the older frames (every other one), keeping the first (untrained), the last
 * and the most recent half intact: replay stays dense where the user is looking.
 */
function thin(frames: FrameEvent[]): FrameEvent[] {
  const half = Math.floor(frames.length / 2);
  return frames.filter((_, i) => i === 0 || i >= half || i % 2 === 0);
}

/** The last of `items` (ascending by epoch) with epoch < `limit`; binary search. */
export function lastBefore<T extends { epoch: number }>(items: T[], limit: number): T | undefined {
  let lo = 0;
  let hi = items.length - 1;
  let best: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].epoch < limit) {
      best = items[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/** The latest frame at or before `epoch`, else the first one. */
export function frameAtOrBefore(frames: FrameEvent[], epoch: number): FrameEvent | undefined {
  return lastBefore(frames, epoch + 1) ?? frames[0];
}
