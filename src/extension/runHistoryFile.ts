/**
 * A run's event history on disk, so a panel restored after a window reload (or a view
 * opened in a new window) shows the spec's last run instead of an empty view: the
 * host's memory of runs does not survive a reload.
 *
 * The trainer writes the run's artifacts (summary.json, metrics.csv, model, figure)
 * into `<runs>/<spec>/<run id>/`; when the run has ended, the HOST adds `events.jsonl`
 * there: a header line, then one protocol event per line (start, epochs, logs, the
 * frames thinned to `DISK_FRAME_BUDGET`, the terminal event). Written atomically (a
 * temporary file in the same folder, then rename), only inside the workspace folder.
 * Read back with every line checked (`parseRunHistory`): the file lives in the
 * workspace and may be old, truncated or edited, and what passes goes to a webview.
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { TrainerEvent } from '../core/protocol';
import { DISK_FRAME_BUDGET, thinFrames, type FrameBudget } from './frameBudget';
import { asRunSummary, isInside, isRunId } from './runsDir';

export const EVENTS_FILE = 'events.jsonl';
export const EVENTS_FORMAT = 'blob-classifier-events';
/** Larger files are not read back (the disk budget keeps ours far below). */
export const MAX_EVENTS_FILE_BYTES = 64 * 1024 * 1024;

export interface RunHistoryHeader {
  format: typeof EVENTS_FORMAT;
  version: 1;
  /** The host's run id (RunRef.runId). */
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

/** The file's text: header + thinned events, one JSON value per line. */
export function serializeRunHistory(
  run: { runId: string; specName: string; events: readonly TrainerEvent[]; framesSeen?: number },
  budget: FrameBudget = DISK_FRAME_BUDGET,
): string {
  const events = thinFrames(run.events, budget);
  const header: RunHistoryHeader = {
    format: EVENTS_FORMAT,
    version: 1,
    runId: run.runId,
    specName: run.specName,
    framesSeen: Math.max(run.framesSeen ?? 0, run.events.filter((e) => e.type === 'frame').length),
    framesKept: events.filter((e) => e.type === 'frame').length,
  };
  return [header, ...events].map((v) => JSON.stringify(v)).join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Checking what is read back

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number';
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every(num);
const strs = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const b64 = (v: unknown): v is string => str(v) && BASE64.test(v);

function isBounds(v: unknown): boolean {
  return isObj(v) && finite(v.xMin) && finite(v.xMax) && finite(v.yMin) && finite(v.yMax);
}

function isPointSet(v: unknown): boolean {
  return isObj(v) && nums(v.xy) && nums(v.label) && num(v.total) && typeof v.sampled === 'boolean';
}

function isEvaluation(v: unknown): boolean {
  return isObj(v) && num(v.accuracy) && num(v.loss) && Array.isArray(v.confusion) && v.confusion.every(nums) && Array.isArray(v.perClass) && isObj(v.macro) && isObj(v.weighted);
}

/** True when `v` is a well-formed protocol event (the fields the views read). */
export function isTrainerEvent(v: unknown): v is TrainerEvent {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'start': {
      const d = v.data;
      const m = v.model;
      const p = v.points;
      return (
        str(v.runId) && str(v.specName) && isObj(v.spec) && str(v.backend) && str(v.device) && str(v.reason) &&
        isObj(d) && num(d.nClasses) && num(d.nTrain) && num(d.nTest) && num(d.nFeatures) && num(d.nSamples) && str(d.generator) && strs(d.classNames) && strs(d.featureNames) &&
        isObj(m) && nums(m.layers) && str(m.activation) && num(m.params) &&
        num(v.epochs) && isObj(p) && isPointSet(p.train) && isPointSet(p.test) &&
        isBounds(v.bounds) && num(v.resolution) && isObj(v.versions) && str(v.startedAt)
      );
    }
    case 'epoch':
      return num(v.epoch) && num(v.trainLoss) && num(v.trainAcc) && num(v.testLoss) && num(v.testAcc) && num(v.elapsedMs);
    case 'frame':
      return (
        num(v.epoch) && num(v.resolution) && isBounds(v.bounds) && b64(v.cls) && b64(v.conf) && (v.margin === undefined || b64(v.margin)) && b64(v.predTrain) && b64(v.predTest) &&
        (v.slice === undefined || str(v.slice))
      );
    case 'log':
      return (v.level === 'info' || v.level === 'warn') && str(v.message);
    case 'done':
      return isObj(v.summary) && asRunSummary(v.summary, '') !== undefined && isObj(v.evaluation) && isEvaluation(v.evaluation.train) && isEvaluation(v.evaluation.test);
    case 'error':
      return str(v.code) && str(v.message) && (v.epoch === undefined || num(v.epoch));
    case 'cancelled':
      return num(v.epoch) && (v.summary === undefined || asRunSummary(v.summary, '') !== undefined);
    case 'paused':
    case 'resumed':
      return num(v.epoch);
    default:
      return false;
  }
}

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
  if (!isObj(h) || h.format !== EVENTS_FORMAT || h.version !== 1 || !str(h.runId) || !str(h.specName) || !num(h.framesSeen) || !num(h.framesKept)) {
    return undefined;
  }
  const events = values.slice(1);
  for (const e of events) restoreNaN(e);
  if (!events.every(isTrainerEvent)) return undefined;
  if (events[0].type !== 'start') return undefined;
  const terminal = (e: TrainerEvent) => e.type === 'done' || e.type === 'error' || e.type === 'cancelled';
  if (!terminal(events[events.length - 1]) || events.slice(0, -1).some(terminal)) return undefined;
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

const EPOCH_NUMS = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'];
const SUMMARY_NUMS = ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'epochs_per_s'];

/** JSON writes NaN (a diverged loss, a run stopped before its first epoch) as null. */
function restoreNaN(e: unknown): void {
  if (!isObj(e)) return;
  const fix = (o: Obj, keys: string[]) => {
    for (const k of keys) if (o[k] === null) o[k] = NaN;
  };
  if (e.type === 'epoch') fix(e, EPOCH_NUMS);
  if ((e.type === 'done' || e.type === 'cancelled') && isObj(e.summary)) fix(e.summary, SUMMARY_NUMS);
  if (e.type === 'done' && isObj(e.evaluation)) {
    for (const k of ['train', 'test']) {
      const ev = e.evaluation[k];
      if (isObj(ev)) fix(ev, ['loss']);
    }
  }
}

// ---------------------------------------------------------------------------
// I/O

/**
 * Writes `events.jsonl` into a finished run's artifacts folder, atomically. Refuses a
 * folder outside `root` (the workspace folder) or one that does not exist (no artifacts
 * were written). Returns the file's path.
 */
export async function writeRunHistory(
  dir: string,
  root: string,
  run: Parameters<typeof serializeRunHistory>[0],
  budget: FrameBudget = DISK_FRAME_BUDGET,
): Promise<string> {
  if (!isInside(root, dir)) throw new Error(`${dir} is outside the workspace folder ${root}`);
  const st = await fsp.stat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  const file = path.join(dir, EVENTS_FILE);
  const tmp = path.join(dir, `.${EVENTS_FILE}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await fsp.writeFile(tmp, serializeRunHistory(run, budget), { encoding: 'utf8', flag: 'wx' });
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  return file;
}

/**
 * The spec's latest run read back from its newest run folder, when that folder has a
 * valid `events.jsonl` (runs made by the CLI, or before this file existed, have none:
 * then nothing is restored, rather than an older run that the CodeLens would contradict).
 */
export async function readLatestRunHistory(specRunsDir: string): Promise<(RunHistory & { dir: string }) | undefined> {
  let names: string[];
  try {
    names = (await fsp.readdir(specRunsDir)).filter(isRunId).sort();
  } catch {
    return undefined;
  }
  const newest = names[names.length - 1];
  if (!newest) return undefined;
  const dir = path.join(specRunsDir, newest);
  const file = path.join(dir, EVENTS_FILE);
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > MAX_EVENTS_FILE_BYTES) return undefined;
    const h = parseRunHistory(await fsp.readFile(file, 'utf8'), dir);
    return h ? { ...h, dir } : undefined;
  } catch {
    return undefined;
  }
}
