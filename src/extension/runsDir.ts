/**
 * Where a run's artifacts go, and which old run folders to prune.
 *
 * Layout: `<runsDirectory>/<spec stem>/<runId>/` (summary.json, model, figures, written
 * by the trainer). `runsDirectory` is relative to the spec's folder, or to the workspace
 * folder when it starts with `${workspaceFolder}`; whatever it says, the result must stay
 * inside the spec's workspace folder: an extension that writes (and prunes!) folders
 * elsewhere on disk because of a setting in a cloned repository is a hazard.
 * Pure path logic plus one small `fs` helper; no `vscode`.
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RunSummary } from '../core/protocol';

import { DEFAULT_RUNS_DIRECTORY, specStem } from '../core/runs';

export { DEFAULT_RUNS_DIRECTORY, specStem };
const WORKSPACE_VAR = '${workspaceFolder}';

export interface RunsDirResult {
  /** Folder holding this spec's run folders; undefined when no artifacts may be written. */
  specRunsDir?: string;
  /** Why the setting was not used as given (shown in the output channel). */
  warning?: string;
}


/** True when `child` is `parent` or inside it (after normalisation). */
export function isInside(parent: string, child: string, p: typeof path = path): boolean {
  const rel = p.relative(p.resolve(parent), p.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

export function resolveSpecRunsDir(
  specPath: string,
  workspaceFolder: string | undefined,
  setting: string | undefined,
  p: typeof path = path,
): RunsDirResult {
  if (!workspaceFolder) {
    return { warning: 'the spec is not inside a workspace folder, so no artifacts are written' };
  }
  const raw = (setting ?? '').trim() || DEFAULT_RUNS_DIRECTORY;
  let base: string;
  if (raw.startsWith(WORKSPACE_VAR)) {
    base = p.join(workspaceFolder, raw.slice(WORKSPACE_VAR.length).replace(/^[\\/]+/, ''));
  } else if (p.isAbsolute(raw)) {
    base = raw;
  } else {
    base = p.resolve(p.dirname(specPath), raw);
  }
  let warning: string | undefined;
  if (!isInside(workspaceFolder, base, p)) {
    warning = `blobClassifier.runsDirectory (${raw}) is outside the workspace folder; using ${DEFAULT_RUNS_DIRECTORY} next to the spec`;
    base = p.resolve(p.dirname(specPath), DEFAULT_RUNS_DIRECTORY);
    if (!isInside(workspaceFolder, base, p)) return { warning };
  }
  return { specRunsDir: p.join(base, specStem(specPath)), warning };
}

/** Run ids sort chronologically as strings: `20261128-181634-3f9a`. */
export function makeRunId(now: Date, random: () => number = Math.random): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}

const RUN_ID_RE = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function isRunId(name: string): boolean {
  return RUN_ID_RE.test(name);
}

/**
 * Which run folders to delete so at most `keep` remain: only names that look like our
 * run ids (never a user's folder), oldest first, never one in `protect` (runs in flight).
 */
export function selectRunsToPrune(names: readonly string[], keep: number, protect: ReadonlySet<string> = new Set()): string[] {
  const runs = names.filter(isRunId).sort();
  const k = Math.max(1, Math.floor(keep));
  const excess = runs.length - k;
  if (excess <= 0) return [];
  return runs.slice(0, excess).filter((n) => !protect.has(n));
}

/** Deletes old run folders under `specRunsDir`; returns the deleted paths. Errors are ignored per folder. */
export async function pruneRunFolders(specRunsDir: string, keep: number, protect: ReadonlySet<string> = new Set()): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await fsp.readdir(specRunsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of selectRunsToPrune(entries, keep, protect)) {
    const dir = path.join(specRunsDir, name);
    try {
      await fsp.rm(dir, { recursive: true, force: true });
      deleted.push(dir);
    } catch {
      /* a folder in use (Windows) stays until next time */
    }
  }
  return deleted;
}

/**
 * A `summary.json` read back from disk (after a window reload the host has no runs in
 * memory, but the CodeLens should still show the last result). Checks the fields the
 * host uses; anything else is rejected, since the file may be old or hand-edited.
 */
export function asRunSummary(v: unknown, dir: string): RunSummary | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const nums = ['epochs', 'epochs_completed', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'train_wall_s', 'epochs_per_s'];
  if (!nums.every((k) => typeof o[k] === 'number')) return undefined;
  if (typeof o.runId !== 'string' || typeof o.name !== 'string') return undefined;
  if (o.status !== 'completed' && o.status !== 'cancelled') return undefined;
  if (typeof o.backend !== 'string' || typeof o.device !== 'string') return undefined;
  const s: RunSummary = {
    runId: o.runId,
    name: o.name,
    epochs: o.epochs as number,
    epochs_completed: o.epochs_completed as number,
    train_loss: o.train_loss as number,
    train_acc: o.train_acc as number,
    test_loss: o.test_loss as number,
    test_acc: o.test_acc as number,
    backend: o.backend as RunSummary['backend'],
    device: o.device as RunSummary['device'],
    train_wall_s: o.train_wall_s as number,
    epochs_per_s: o.epochs_per_s as number,
    status: o.status,
    // Where we found it, whatever the file says (the folder may have been moved).
    artifacts_dir: dir,
  };
  return s;
}

/** The newest run folder's summary under a spec's runs folder, if any. */
export async function readLatestSummary(specRunsDir: string): Promise<RunSummary | undefined> {
  let names: string[];
  try {
    names = (await fsp.readdir(specRunsDir)).filter(isRunId).sort();
  } catch {
    return undefined;
  }
  for (let i = names.length - 1; i >= 0; i--) {
    const dir = path.join(specRunsDir, names[i]);
    try {
      const s = asRunSummary(JSON.parse(await fsp.readFile(path.join(dir, 'summary.json'), 'utf8')), dir);
      if (s) return s;
    } catch {
      /* a folder without a readable summary: try the one before */
    }
  }
  return undefined;
}
