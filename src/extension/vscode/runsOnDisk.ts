/**
 * The runs on disk, from the host's side: a window reload empties the host's memory of
 * runs, so the CodeLens's last result, the panel's last run and "Open Last Run's
 * Artifacts" are read back from the spec's runs folder (written by the trainer, or by
 * the CLI: the same folders); and older runs are pruned when a run ends (`keepRuns`).
 * The folders' layout, reading and pruning are src/core/run/folder.ts's.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../core/protocol';
import { DEFAULT_RUNS_DIRECTORY, latestRunDir, pruneRuns, readLatestRunHistory, readLatestSummary } from '../../core/run/folder';
import { nameFromPath } from '../../core/spec/defaults';
import type { Settings } from '../config';
import { resolveSpecRunsDir } from '../runsDir';
import type { RunRecord, SessionStore } from '../sessionStore';
import type { SpecTracker } from './specs';

export class RunsOnDisk {
  /** Specs whose runs folder was already looked at since activation. */
  private readonly restoreTried = new Set<string>();
  /** Last result read from the runs folder, for specs with no run since activation (a reload). */
  private readonly summaries = new Map<string, RunSummary | 'loading' | null>();
  /** Found at start-up, so "Open Last Run's Artifacts" is offered after a reload too. */
  private found = false;

  constructor(
    private readonly store: SessionStore,
    private readonly specs: SpecTracker,
    private readonly settings: () => Settings,
    private readonly output: vscode.LogOutputChannel,
    /** Something was read back: views, lenses and context keys should look again. */
    private readonly changed: (what: { specPath: string; restored?: boolean; found?: boolean }) => void,
  ) {}

  /** A run folder exists somewhere in the workspace. */
  get anyFound(): boolean {
    return this.found;
  }

  /** The spec's runs folder, when runs may be written for it. */
  specRunsDir(specPath: string): { specRunsDir?: string; warning?: string } {
    return resolveSpecRunsDir(specPath, this.specs.workspaceRoot(this.specs.uriOf(specPath)), this.settings().runsDirectory);
  }

  /** The runs folder setting changed: read everything again. */
  reset(): void {
    this.summaries.clear();
    this.restoreTried.clear();
  }

  /** A spec was deleted or renamed. */
  forget(specPath: string): void {
    this.summaries.delete(specPath);
    this.restoreTried.delete(specPath);
  }

  /** Looks for any run folder in the workspace (one hit is enough). */
  async findAny(): Promise<void> {
    // The run folder's last path segment (".blob-runs" by default).
    const base = path.basename(this.settings().runsDirectory.replace(/[\\/]+$/, '')) || DEFAULT_RUNS_DIRECTORY;
    if (/[{}*?[\]]/.test(base)) return;
    const hits = await vscode.workspace.findFiles(`**/${base}/*/*/summary.json`, '**/node_modules/**', 1);
    if (hits.length) {
      this.found = true;
      this.changed({ specPath: hits[0].fsPath, found: true });
    }
  }

  /**
   * A view shows a spec the host has no run of (after a window reload): read its latest
   * run back from `events.jsonl`, once, and show it as a finished run.
   */
  restore(specPath: string): void {
    if (this.restoreTried.has(specPath) || this.store.list(specPath).length > 0) return;
    this.restoreTried.add(specPath);
    const outDir = this.specRunsDir(specPath).specRunsDir;
    if (!outDir) return;
    void readLatestRunHistory(outDir).then((h) => {
      if (!h || !this.restoreTried.has(specPath)) return;
      const start = h.events[0];
      const specName = start.type === 'start' && start.specName ? start.specName : nameFromPath(specPath);
      const rec = this.store.restore({ runId: h.header.runId, specPath, specName }, h.events, outDir);
      if (!rec) return;
      this.output.info(`restored the last run of ${specName} (${h.header.runId}) from ${h.dir} for the visualisation`);
      this.changed({ specPath, restored: true });
    });
  }

  /** The last result on disk for the CodeLens; undefined while it is being read (then `changed` fires). */
  lastSummary(specPath: string): RunSummary | undefined {
    const v = this.summaries.get(specPath);
    if (v === undefined) {
      this.summaries.set(specPath, 'loading');
      const dir = this.specRunsDir(specPath).specRunsDir;
      void (dir ? readLatestSummary(dir) : Promise.resolve(undefined)).then((s) => {
        this.summaries.set(specPath, s ?? null);
        if (s) this.changed({ specPath });
      });
      return undefined;
    }
    return v === 'loading' || v === null ? undefined : v;
  }

  /** A run ended (the trainer published its folder, event history included): keep the newest `keepRuns`. */
  onRunEnded(rec: RunRecord): void {
    if (!rec.outDir) return;
    const keep = this.settings().keepRuns;
    void pruneRuns(rec.outDir, keep).then((pruned) => {
      for (const d of pruned) this.output.info(`pruned old run ${d} (keepRuns = ${keep})`);
    });
  }

  /** The latest run's artifacts folder: from memory, or the newest run folder on disk (after a reload). */
  async artifactsDir(specPath: string): Promise<string | undefined> {
    const fromRun = this.store.lastFinished(specPath)?.summary?.artifacts_dir;
    if (fromRun) return fromRun;
    const parent = this.store.latest(specPath)?.outDir ?? this.specRunsDir(specPath).specRunsDir;
    return parent ? latestRunDir(parent) : undefined;
  }
}
