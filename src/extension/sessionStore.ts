/**
 * The host's memory of runs: every run's event history, per spec.
 *
 * Webviews are destroyed when hidden and reloaded at will, so the host, not the view,
 * owns the history (vscode-pull-request-github keeps state host-side the same way): a
 * view that (re)connects gets a `run` message with everything so far and draws it as a
 * replay. Finished runs of the same spec are kept (up to `keepRuns`) for the compare
 * overlay (`history` message). Pure: no `vscode`, no I/O.
 *
 * Memory is bounded: every event but boundary frames is kept; frames are kept in full
 * up to a budget (`MEMORY_FRAME_BUDGET`: 400 frames / 48 MiB per run), then thinned
 * evenly, always keeping epoch 0 and the latest frame (frameBudget.ts). A run that is
 * no longer its spec's latest keeps only its first and last frame: earlier runs are
 * only compared by their curves. A run read back from disk after a window reload
 * (`restore`) joins the list like a finished run.
 */

import type { EpochEvent, ErrorEvent, RunRef, RunSummary, TrainerEvent } from '../core/protocol';
import type { BlobSpec } from '../core/spec/types';
import { FrameThinner, keepEndFrames, MEMORY_FRAME_BUDGET, type FrameBudget, type FrameStats } from '../core/run/frameBudget';
import { foldRunEvent, newRunState, summaryOf, type RunState, type RunStatus } from '../core/run/state';

export type { RunStatus };

/** One run the host knows: its events (the replay) and its state, folded by core/run/state.ts. */
export class RunRecord {
  /** Every event in arrival order (frames thinned to a budget); the replay. */
  readonly events: TrainerEvent[] = [];
  readonly state: RunState = newRunState();
  /** Worst extension-host event-loop lag measured during the run, ms. */
  maxLagMs?: number;
  /** How long starting the trainer process blocked the extension host, ms. */
  spawnMs?: number;
  /** Boundary frames seen and kept (the history is thinned past a budget). */
  frames?: FrameStats;

  constructor(
    readonly ref: RunRef,
    /**
     * The spec's runs folder given to the trainer (`TrainerOptions.outDir`); the trainer
     * writes this run into `<outDir>/<runId>/` and reports it as `summary.artifacts_dir`.
     */
    readonly outDir?: string,
    /** Read back from the run's folder (`events.jsonl`) after a window reload. */
    readonly restored = false,
  ) {}

  get status(): RunStatus {
    return this.state.status;
  }
  /** The trainer's summary (from `done`, or `cancelled`), if it sent one. */
  get summary(): RunSummary | undefined {
    return this.state.done?.summary ?? this.state.cancelled?.summary;
  }
  /** The run's result for the lens and the log: the trainer's summary, or one made from the last epoch of a killed run. */
  get result(): RunSummary | undefined {
    return summaryOf(this.state, this.ref);
  }
  get lastEpoch(): EpochEvent | undefined {
    return this.state.lastEpoch;
  }
  /** Total epochs, from the `start` event. */
  get epochs(): number | undefined {
    return this.state.start?.epochs;
  }
  /** Why it failed (the `error` event's code and message). */
  get error(): Pick<ErrorEvent, 'code' | 'message'> | undefined {
    const e = this.state.error;
    return e && { code: e.code, message: e.message };
  }
}

export interface HistoryEntry {
  run: RunRef;
  epochs: EpochEvent[];
  summary?: RunSummary;
  /** The spec the run ran with (its start event's, defaults applied): the legend says what differed. */
  spec?: BlobSpec;
}

/** Spec paths are compared case-sensitively as given; callers pass `uri.fsPath`. */
export class SessionStore {
  /** specPath -> runs, oldest first. The last one is the current or latest run. */
  private readonly runs = new Map<string, RunRecord[]>();
  private readonly thinners = new WeakMap<RunRecord, FrameThinner>();

  constructor(
    private keepRuns = 5,
    private readonly frameBudget: FrameBudget = MEMORY_FRAME_BUDGET,
  ) {}

  setKeepRuns(n: number): void {
    this.keepRuns = Math.max(1, Math.floor(n));
    for (const specPath of this.runs.keys()) this.prune(specPath);
  }

  /** Registers a new run as the spec's current one; older finished runs stay for comparison. */
  begin(ref: RunRef, outDir?: string): RunRecord {
    const list = this.runs.get(ref.specPath) ?? [];
    if (list.some((r) => r.ref.runId === ref.runId)) throw new Error(`run ${ref.runId} already exists`);
    const rec = new RunRecord(ref, outDir);
    const prev = list[list.length - 1];
    if (prev && prev.status !== 'running') this.supersede(prev);
    list.push(rec);
    this.runs.set(ref.specPath, list);
    this.thinners.set(rec, new FrameThinner(this.frameBudget));
    this.prune(ref.specPath);
    return rec;
  }

  /**
   * Adds a finished run read back from disk (a window reload empties the host's memory)
   * as the spec's OLDEST run: a run started since then stays the latest. `events` must
   * start with `start` and end with a terminal event (runHistoryFile.ts checks that).
   * Returns undefined when the run is already known or did not end.
   */
  restore(ref: RunRef, events: readonly TrainerEvent[], outDir?: string): RunRecord | undefined {
    if (this.find(ref.runId)) return undefined;
    const rec = new RunRecord(ref, outDir, true);
    const thinner = new FrameThinner(this.frameBudget);
    this.thinners.set(rec, thinner);
    this.fold(rec, events);
    this.thinners.delete(rec);
    if (rec.status === 'running') return undefined;
    rec.frames = thinner.stats();
    const list = this.runs.get(ref.specPath) ?? [];
    if (list.length) this.supersede(rec);
    list.unshift(rec);
    this.runs.set(ref.specPath, list);
    this.prune(ref.specPath);
    return this.find(ref.runId);
  }

  /**
   * Appends events to a run, updating its bookkeeping. Events after a terminal event
   * are ignored (a trainer that reports `done` and then crashes on exit must not turn a
   * finished run into a crashed one). Returns the events actually appended.
   */
  append(runId: string, events: readonly TrainerEvent[]): TrainerEvent[] {
    const rec = this.find(runId);
    if (!rec) return [];
    return this.fold(rec, events);
  }

  /** Folds events into the run's state (core/run/state.ts) and keeps them, frames within the budget. */
  private fold(rec: RunRecord, events: readonly TrainerEvent[]): TrainerEvent[] {
    const accepted: TrainerEvent[] = [];
    const thinner = this.thinners.get(rec);
    for (const e of events) {
      if (!foldRunEvent(rec.state, e)) break;
      if (e.type === 'frame' && thinner) {
        thinner.push(rec.events, e);
        rec.frames = thinner.stats();
      } else {
        rec.events.push(e);
      }
      accepted.push(e);
    }
    if (rec.status !== 'running') this.thinners.delete(rec);
    return accepted;
  }

  find(runId: string): RunRecord | undefined {
    for (const list of this.runs.values()) {
      const rec = list.find((r) => r.ref.runId === runId);
      if (rec) return rec;
    }
    return undefined;
  }

  /** The spec's current run if one is going, else its latest run. */
  latest(specPath: string): RunRecord | undefined {
    const list = this.runs.get(specPath);
    return list?.[list.length - 1];
  }

  /** The spec's running run, if any. */
  active(specPath: string): RunRecord | undefined {
    const last = this.latest(specPath);
    return last?.status === 'running' ? last : undefined;
  }

  /** The latest run that finished with a summary (for the CodeLens result). */
  lastFinished(specPath: string): RunRecord | undefined {
    const list = this.runs.get(specPath) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].summary) return list[i];
    return undefined;
  }

  /** All runs of a spec, oldest first. */
  list(specPath: string): readonly RunRecord[] {
    return this.runs.get(specPath) ?? [];
  }

  /** The spec whose latest run is the newest (run ids sort by time). */
  mostRecentSpec(): string | undefined {
    let best: { specPath: string; runId: string } | undefined;
    for (const [specPath, list] of this.runs) {
      const r = list[list.length - 1];
      if (r && (!best || r.ref.runId > best.runId)) best = { specPath, runId: r.ref.runId };
    }
    return best?.specPath;
  }

  /** Every spec with at least one running run. */
  runningSpecs(): string[] {
    return [...this.runs.keys()].filter((p) => this.active(p));
  }

  /** The full history of a run, in arrival order (a copy, safe to hand out). */
  replay(runId: string): TrainerEvent[] {
    return [...(this.find(runId)?.events ?? [])];
  }

  /**
   * Earlier runs of the spec for the compare overlay: every run but `exceptRunId`, oldest
   * first, with their epoch curves only (frames are large and not needed to compare).
   */
  history(specPath: string, exceptRunId?: string): HistoryEntry[] {
    return this.list(specPath)
      .filter((r) => r.ref.runId !== exceptRunId && r.status !== 'running')
      .map((r) => ({
        run: r.ref,
        epochs: r.events.filter((e): e is EpochEvent => e.type === 'epoch'),
        summary: r.summary,
        ...(r.state.start ? { spec: r.state.start.spec } : {}),
      }));
  }

  /** Drops everything about a spec except a running run (the spec file was deleted). */
  forget(specPath: string): void {
    const running = this.active(specPath);
    if (running) this.runs.set(specPath, [running]);
    else this.runs.delete(specPath);
  }

  /** A finished run that is no longer the latest: keep its curves, not its frames. */
  private supersede(rec: RunRecord): void {
    keepEndFrames(rec.events);
    if (rec.frames) rec.frames = { ...rec.frames, kept: rec.events.filter((e) => e.type === 'frame').length };
  }

  /** Keeps at most `keepRuns` runs per spec, dropping the oldest finished ones first. */
  private prune(specPath: string): void {
    const list = this.runs.get(specPath);
    if (!list) return;
    while (list.length > this.keepRuns) {
      const i = list.findIndex((r) => r.status !== 'running');
      if (i < 0) break;
      list.splice(i, 1);
    }
  }
}
