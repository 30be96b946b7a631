/**
 * What the view knows about the run it shows: the run's state, folded by the one
 * reducer (src/core/run/state.ts, as the host and the CLI fold it), plus what the view
 * draws (the epochs' curves, boundary frames, recent log lines). Pure (no DOM) so it is
 * unit-tested directly. Returns which parts of the view changed so the renderer redraws
 * only those.
 */
import type { EpochEvent, FrameEvent, LogEvent, RunRef, TrainerEvent } from '../src/core/protocol';
import { epochsDone, foldRunEvent, newRunState, type RunState, type RunStatus } from '../src/core/run/state';

/** A run's status, or `idle` when the view shows no run. */
export type ViewStatus = RunStatus | 'idle';
export type Part = 'header' | 'boundary' | 'curves' | 'eval' | 'layout' | 'network' | 'probe';

export interface RunModel {
  run?: RunRef;
  /** The run's state; undefined while no run is shown. */
  state?: RunState;
  epochs: EpochEvent[];
  /** Recorded frames, ascending epoch. Thinned when very many (see MAX_FRAMES). */
  frames: FrameEvent[];
  logs: LogEvent[];
  /** Epochs done when each of `logs` came (a log line belongs to the epochs before it). */
  logAt: number[];
}

/** Frames kept for replay; each is ~2 x resolution^2 bytes of base64. */
export const MAX_FRAMES = 400;
const MAX_LOGS = 50;

export function emptyModel(): RunModel {
  return { epochs: [], frames: [], logs: [], logAt: [] };
}

export function viewStatus(m: RunModel): ViewStatus {
  return m.state?.status ?? 'idle';
}

export function applyEvents(m: RunModel, events: TrainerEvent[], changed = new Set<Part>()): Set<Part> {
  for (const e of events) applyEvent(m, e, changed);
  return changed;
}

export function applyEvent(m: RunModel, e: TrainerEvent, changed: Set<Part>): void {
  m.state ??= newRunState();
  if (!foldRunEvent(m.state, e)) return; // the run had ended
  switch (e.type) {
    case 'start':
      // A start begins the run afresh (a run message replays from the beginning).
      Object.assign(m, { epochs: [], frames: [], logs: [], logAt: [] });
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
      m.logAt.push(epochsDone(m.state));
      if (m.logs.length > MAX_LOGS) {
        m.logs.shift();
        m.logAt.shift();
      }
      changed.add('header');
      break;
    case 'done':
      changed.add('header').add('eval').add('curves');
      break;
    case 'error':
    case 'cancelled':
    case 'paused':
    case 'resumed':
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

/**
 * THE frame a view shows for the shown epoch (the playback clock's, or the slider's:
 * they are one), undefined = the latest. Every part that draws "the model now" (the
 * boundary plots, the network view, the probe, the export) asks this one function, so
 * they move together.
 */
export function shownFrame(m: RunModel, shown: number | undefined): FrameEvent | undefined {
  return shown === undefined ? m.frames.at(-1) : frameAtOrBefore(m.frames, shown);
}

/** The latest log line that belongs to the first `shown` epochs (all of them when undefined). */
export function logsUpTo(m: RunModel, shown: number | undefined): LogEvent[] {
  if (shown === undefined) return m.logs;
  let n = 0;
  while (n < m.logs.length && m.logAt[n] <= shown) n++;
  return m.logs.slice(0, n);
}
