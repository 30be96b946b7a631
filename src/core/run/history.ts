/**
 * A run's event history on disk, `events.jsonl`, so a view opened later (after a window
 * reload, in another window, for a run the CLI made) shows the run instead of an empty
 * view: a header line, then one protocol event per line (start, epochs, logs, the
 * frames thinned to `DISK_FRAME_BUDGET`, the terminal event).
 *
 * The trainer side records the events as they stream (`HistoryRecorder`) and the run
 * writer (folder.ts) writes the file into the run's `.partial` folder with everything
 * else, before the folder's atomic rename. Read back with every line checked
 * (`parseRunHistory`): the file lives in the workspace and may be old, truncated or
 * edited, and what passes goes to a webview.
 */

import { isTerminal, trainerEventFromJson, type FrameEvent, type TrainerEvent } from '../protocol';
import { DISK_FRAME_BUDGET, FrameThinner, type FrameBudget } from './frameBudget';

export const EVENTS_FORMAT = 'blob-classifier-events';

export interface RunHistoryHeader {
  format: typeof EVENTS_FORMAT;
  version: 1;
  /** The run's id: its folder's name, `summary.runId`, `start.runId`. */
  runId: string;
  specName: string;
  /** Boundary frames the run produced, and how many are in the file. */
  framesSeen: number;
  framesKept: number;
}

export interface RunHistory {
  header: RunHistoryHeader;
  events: TrainerEvent[];
}

/** Keeps a run's events as they stream, frames thinned to a budget on the way. */
export class HistoryRecorder {
  private readonly events: TrainerEvent[] = [];
  private readonly thinner: FrameThinner;

  constructor(
    readonly runId: string,
    readonly specName: string,
    budget: FrameBudget = DISK_FRAME_BUDGET,
  ) {
    this.thinner = new FrameThinner(budget);
  }

  push(e: TrainerEvent): void {
    if (e.type === 'frame') this.thinner.push(this.events, e as FrameEvent);
    else this.events.push(e);
  }

  /** Replaces the last event (the terminal one, once the writer knows where the run went). */
  replaceLast(e: TrainerEvent): void {
    this.events[this.events.length - 1] = e;
  }

  /** The file's text: header + events, one JSON value per line. */
  serialize(): string {
    const stats = this.thinner.stats();
    const header: RunHistoryHeader = {
      format: EVENTS_FORMAT,
      version: 1,
      runId: this.runId,
      specName: this.specName,
      framesSeen: stats.seen,
      framesKept: stats.kept,
    };
    return [header, ...this.events].map((v) => JSON.stringify(v)).join('\n') + '\n';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses an `events.jsonl`; undefined unless every line is valid, the first event is
 * `start` and the last (only the last) is terminal: a finished run, whole. `dir` (where
 * it was found) replaces the summaries' `artifacts_dir`, as for summary.json.
 */
export function parseRunHistory(text: string, dir?: string): RunHistory | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 3) return undefined;
  let values: unknown[];
  try {
    values = lines.map((l) => JSON.parse(l) as unknown);
  } catch {
    return undefined;
  }
  const h = values[0];
  if (
    !isObj(h) || h.format !== EVENTS_FORMAT || h.version !== 1 || typeof h.runId !== 'string' || typeof h.specName !== 'string' ||
    typeof h.framesSeen !== 'number' || typeof h.framesKept !== 'number'
  ) {
    return undefined;
  }
  const events: TrainerEvent[] = [];
  for (const v of values.slice(1)) {
    const e = trainerEventFromJson(v);
    if (!e) return undefined;
    events.push(e);
  }
  if (events[0].type !== 'start') return undefined;
  if (!isTerminal(events[events.length - 1]) || events.slice(0, -1).some(isTerminal)) return undefined;
  if (dir !== undefined) {
    const last = events[events.length - 1];
    if (last.type === 'done') last.summary = { ...last.summary, artifacts_dir: dir };
    else if (last.type === 'cancelled' && last.summary) last.summary = { ...last.summary, artifacts_dir: dir };
  }
  const header: RunHistoryHeader = {
    format: EVENTS_FORMAT,
    version: 1,
    runId: h.runId,
    specName: h.specName,
    framesSeen: h.framesSeen,
    framesKept: h.framesKept,
  };
  return { header, events };
}
