/**
 * A run on disk: the one owner of its folder's layout, writing, reading, listing and
 * pruning. The trainer (in the extension's child process, or in-process for the CLI)
 * writes; the extension host and the CLI read, list and prune.
 *
 *   <spec dir>/.blob-runs/<spec stem>/            runs of one spec (the default parent)
 *     <run id>/                                    one run (run id: id.ts)
 *       spec.json  metrics.csv  summary.json  data.csv  figure.svg  figure.png
 *       model/model.json  model/weights.bin  events.jsonl
 *     <run id>.<pid>.partial/                      a run being written by process <pid>
 *
 * Atomic: a run is written into `<run id>.<pid>.partial/`, then renamed, so a reader
 * never sees half a run: either the whole folder exists, or only the `.partial`, which
 * readers skip (its name is not a run id) and the next write into the same parent
 * removes once its writer process is gone (a crash, a kill). The writer's pid is in the
 * name, not in a file inside, so there is no moment at which a live writer's folder
 * looks abandoned. The figures come right after the rename (`addFile`: each written
 * under a temporary name, then renamed), so the run's end is not held up by rendering a
 * PNG: a kill in that moment leaves a complete run without its figures.
 *
 * Pruning deletes only the files the engine writes (`RUN_FILES`), then the folders if
 * that left them empty: a file the user saved into a run folder is never deleted.
 */

import { existsSync, mkdirSync, promises as fsp, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isRunSummary, type RunSummary } from '../protocol';
import { parseRunHistory, type RunHistory } from './history';
import { isRunId } from './id';

export const DEFAULT_RUNS_DIRECTORY = '.blob-runs';
export const PARTIAL_SUFFIX = '.partial';
/** Written inside `.partial` folders by earlier versions (the pid is in the name now). */
const LEGACY_OWNER_FILE = 'owner.pid';

/** The files the engine writes into a run folder; nothing else in it is ours. */
export const RUN_FILES = {
  spec: 'spec.json',
  metrics: 'metrics.csv',
  summary: 'summary.json',
  data: 'data.csv',
  figureSvg: 'figure.svg',
  figurePng: 'figure.png',
  modelDir: 'model',
  model: 'model/model.json',
  weights: 'model/weights.bin',
  events: 'events.jsonl',
} as const;

/** A file being added to a committed run (`addFile`): `.tmp-<name>.<pid>`, renamed when whole. */
const TEMP_PREFIX = '.tmp-';

/** Larger `events.jsonl` files are not read back (the disk frame budget keeps ours far below). */
export const MAX_EVENTS_FILE_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Layout

/** `iris.blobs.json` -> `iris`: the spec's runs' folder name, made portable. */
export function specStem(specPath: string): string {
  const stem = basename(specPath).replace(/\.blobs\.json$|\.jsonc?$/i, '');
  // Keep folder names portable: no separators or reserved characters.
  return stem.replace(/[<>:"/\\|?*\x00-\x1f]/g, '_') || 'spec';
}

/**
 * `<spec dir>/.blob-runs/<spec stem>`: where runs go by default, for the CLI and the
 * extension alike. A dot-folder, like `.pytest_cache`: generated output beside the spec
 * that does not crowd the user's own files (and is easy to git-ignore).
 */
export function defaultRunsDir(specPath: string): string {
  return join(dirname(resolve(specPath)), DEFAULT_RUNS_DIRECTORY, specStem(specPath));
}

export class OutsideRootError extends Error {}

/**
 * `p` with symbolic links resolved as far as it exists (the rest may not exist yet):
 * a link inside the root that points elsewhere must not let a run escape.
 */
function realPathSoFar(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(p);
      tail.push(basename(head));
      head = up;
    }
  }
}

/** Resolves `outDir` and checks it lies inside `root` (no escaping through .. or a symlink). */
export function checkInsideRoot(outDir: string, root: string): string {
  const abs = resolve(outDir);
  const real = realPathSoFar(abs);
  const realRoot = realPathSoFar(root);
  // Where the files would really go, against where the root really is.
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    const via = real !== abs ? ` (it leads to ${real})` : '';
    throw new OutsideRootError(`output folder ${abs}${via} is outside the allowed folder ${resolve(root)}`);
  }
  return abs;
}

// ---------------------------------------------------------------------------
// Writing (the trainer side; synchronous: the trainer's process or the CLI's own)

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the process writing a `.partial` folder, from its name (or an older version's owner.pid). */
function partialOwner(parent: string, name: string): number {
  const m = /\.(\d+)\.partial$/.exec(name);
  if (m) return Number(m[1]);
  try {
    return Number(readFileSync(join(parent, name, LEGACY_OWNER_FILE), 'utf8'));
  } catch {
    return NaN; // crashed before it said who it was
  }
}

/** Removes `*.partial` run folders in `parent` whose writer process is gone. */
export function removeStalePartials(parent: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.endsWith(PARTIAL_SUFFIX)) continue;
    const pid = partialOwner(parent, name);
    if (!(pid > 0) || (pid !== process.pid && !pidAlive(pid))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Writes one run's folder: `open()` makes `<runId>.<pid>.partial/`, the caller writes
 * files into it (`write`), `commit()` adds the event history and renames it to `dir`;
 * `abandon()` removes it.
 */
export class RunFolderWriter {
  /** The run's folder once committed. */
  readonly dir: string;
  /** Where its files are written until then. */
  readonly partialDir: string;
  private state: 'new' | 'open' | 'committed' | 'abandoned' = 'new';

  constructor(
    /** The spec's runs folder (already checked with `checkInsideRoot`). */
    readonly parent: string,
    readonly runId: string,
  ) {
    if (!isRunId(runId)) throw new Error(`"${runId}" is not a run id`);
    this.dir = join(resolve(parent), runId);
    this.partialDir = `${this.dir}.${process.pid}${PARTIAL_SUFFIX}`;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isCommitted(): boolean {
    return this.state === 'committed';
  }

  /** Creates the `.partial` folder (removing stale ones of crashed writers first); returns it. */
  open(): string {
    if (this.state !== 'new') throw new Error(`run folder ${this.dir} was already opened`);
    mkdirSync(this.parent, { recursive: true });
    removeStalePartials(this.parent);
    if (existsSync(this.dir)) throw new Error(`run folder ${this.dir} already exists`);
    rmSync(this.partialDir, { recursive: true, force: true });
    mkdirSync(this.partialDir, { recursive: true });
    this.state = 'open';
    return this.partialDir;
  }

  /** Writes one file (a `RUN_FILES` name) into the open run. */
  write(name: (typeof RUN_FILES)[keyof typeof RUN_FILES], data: string | Uint8Array): void {
    if (this.state !== 'open') throw new Error(`run folder ${this.dir} is not open`);
    const file = join(this.partialDir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  }

  /** Writes the event history and publishes the run: one rename. Returns `dir`. */
  commit(eventsJsonl: string): string {
    this.write(RUN_FILES.events, eventsJsonl);
    renameSync(this.partialDir, this.dir);
    this.state = 'committed';
    return this.dir;
  }

  /**
   * Adds a file to the committed run: written beside it under a temporary name, then
   * renamed, so a reader sees the whole file or none. For what is made after the run is
   * published (the figures: `done` does not wait for a PNG).
   */
  addFile(name: (typeof RUN_FILES)[keyof typeof RUN_FILES], data: string | Uint8Array): void {
    if (this.state !== 'committed') throw new Error(`run folder ${this.dir} is not committed`);
    const file = join(this.dir, name);
    const tmp = join(this.dir, `${TEMP_PREFIX}${name}.${process.pid}`);
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  }

  /** Removes the unfinished run (a failed write). */
  abandon(): void {
    if (this.state !== 'open') return;
    this.state = 'abandoned';
    rmSync(this.partialDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Reading (the host and the CLI; asynchronous: the extension host must not block)

/** Run folders under a spec's runs folder, newest first (run ids sort by time; `.partial` is skipped). */
export async function listRuns(specRunsDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(specRunsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.isDirectory() && isRunId(d.name))
    .map((d) => d.name)
    .sort()
    .reverse();
}

/** The newest run folder's path, if any. */
export async function latestRunDir(specRunsDir: string): Promise<string | undefined> {
  const [newest] = await listRuns(specRunsDir);
  return newest ? join(specRunsDir, newest) : undefined;
}

/**
 * A run's `summary.json`: the fields of a RunSummary (the file has more), checked, with
 * `artifacts_dir` set to where it was found (the folder may have been moved).
 */
export async function readRunSummary(dir: string): Promise<RunSummary | undefined> {
  let v: unknown;
  try {
    v = JSON.parse(await fsp.readFile(join(dir, RUN_FILES.summary), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRunSummary(v)) return undefined;
  return {
    runId: v.runId,
    name: v.name,
    epochs: v.epochs,
    epochs_completed: v.epochs_completed,
    train_loss: v.train_loss,
    train_acc: v.train_acc,
    test_loss: v.test_loss,
    test_acc: v.test_acc,
    backend: v.backend,
    device: v.device,
    train_wall_s: v.train_wall_s,
    epochs_per_s: v.epochs_per_s,
    status: v.status,
    artifacts_dir: dir,
  };
}

/** A run's `events.jsonl`, checked (parseRunHistory); undefined when missing, too large or invalid. */
export async function readRunHistory(dir: string): Promise<RunHistory | undefined> {
  const file = join(dir, RUN_FILES.events);
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > MAX_EVENTS_FILE_BYTES) return undefined;
    return parseRunHistory(await fsp.readFile(file, 'utf8'), dir);
  } catch {
    return undefined;
  }
}

/** The newest run's summary under a spec's runs folder (an unreadable one: the one before). */
export async function readLatestSummary(specRunsDir: string): Promise<RunSummary | undefined> {
  for (const name of await listRuns(specRunsDir)) {
    const s = await readRunSummary(join(specRunsDir, name));
    if (s) return s;
  }
  return undefined;
}

/**
 * The newest run's event history, when that run has a valid `events.jsonl`; never an
 * older run's (the CodeLens shows the newest result, and the view must not contradict it).
 */
export async function readLatestRunHistory(specRunsDir: string): Promise<(RunHistory & { dir: string }) | undefined> {
  const dir = await latestRunDir(specRunsDir);
  const h = dir ? await readRunHistory(dir) : undefined;
  return h && dir ? { ...h, dir } : undefined;
}

// ---------------------------------------------------------------------------
// Pruning

/**
 * Keeps the newest `keep` runs of a spec: older run folders lose the files the engine
 * wrote (`RUN_FILES`), and the folder goes when nothing else is left in it. A file the
 * user saved there (an exported figure, notes) stays, with its folder. Returns the run
 * folders pruned. Errors are ignored per file (a file in use on Windows: next time).
 */
export async function pruneRuns(specRunsDir: string, keep: number): Promise<string[]> {
  const runs: string[] = [];
  for (const name of await listRuns(specRunsDir)) {
    const dir = join(specRunsDir, name);
    // A folder whose run was pruned but holds the user's files is no run any more.
    if (existsSync(join(dir, RUN_FILES.summary))) runs.push(dir);
  }
  const pruned: string[] = [];
  for (const dir of runs.slice(Math.max(1, Math.floor(keep)))) {
    for (const f of Object.values(RUN_FILES)) {
      if (f === RUN_FILES.modelDir) continue;
      await fsp.rm(join(dir, f), { force: true }).catch(() => undefined);
    }
    // A figure a killed writer left half-written under its temporary name is ours too.
    for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
      if (f.startsWith(TEMP_PREFIX)) await fsp.rm(join(dir, f), { force: true }).catch(() => undefined);
    }
    for (const d of [join(dir, RUN_FILES.modelDir), dir]) await fsp.rmdir(d).catch(() => undefined);
    pruned.push(dir);
  }
  return pruned;
}
