/**
 * The `csv` generator's file check: `data.path` obeys the path rule (files.ts: a regular
 * file inside the spec's folder tree, or the workspace folder the extension passes), and
 * the file parses, within the limits, with the same streaming reader the engine loads it
 * with, into a classification problem (>= 2 features, >= 2 classes). This is the
 * validator's only I/O. A file that breaks the path rule is not opened, and nothing of
 * its content appears in a message.
 */

import { dirname, isAbsolute, resolve } from 'node:path';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Reporter } from './check';
import { CsvError, excerpt, type CsvFacts } from '../data/csv';
import { readCsvAt } from '../data/csvFile';
import { FileRuleError, fmtBytes, locateDataFile, type DataFileLocation, type FileProblemKind } from './files';
import type { DataFacts } from './semantic';
import { LIMITS } from './types';

const PATH: (string | number)[] = ['data', 'path'];

export function checkCsv(
  root: Node,
  r: Reporter,
  path: string,
  specPath: string | undefined,
  opts: { dataRoot?: string; readLimit?: number } = {},
): DataFacts | undefined {
  const node = findNodeAtLocation(root, PATH);
  const at = node ?? { offset: root.offset, length: 1 };
  const err = (code: string, message: string): undefined => {
    r.add(code, 'error', message, PATH, at);
    return undefined;
  };
  const name = `\`data.path\`: ${excerpt(path, 80)}`;
  if (specPath === undefined) {
    r.add('csv-unchecked', 'info', `${name} was not checked: this spec has no file location yet (save it), and paths are relative to the spec's folder.`, PATH, at);
    return undefined;
  }
  let loc: DataFileLocation;
  let parsed: CsvFacts;
  try {
    loc = locateDataFile(path, dirname(specPath), opts.dataRoot);
    if (opts.readLimit !== undefined && loc.size > opts.readLimit) {
      r.add(
        'csv-unchecked',
        'info',
        `${name} (${fmtBytes(loc.size)}) is not read here: files over ${fmtBytes(opts.readLimit)} are checked when the spec is trained, not while it is edited.`,
        PATH,
        at,
      );
      return undefined;
    }
    parsed = readCached(loc);
  } catch (e) {
    if (e instanceof FileRuleError) return err(FILE_CODES[e.kind], `${name} ${e.detail}${e.kind === 'missing' ? ` (looked for ${resolveCsvPath(path, specPath)}; paths are relative to the spec's folder)` : ''}.`);
    if (!(e instanceof CsvError)) throw e;
    const where = e.line > 0 ? `line ${e.line}: ` : ''; // 0: the whole file
    const text = `${where}${e.detail}`;
    const code = e.kind === 'too-large' ? 'too-large' : e.kind === 'one-class' ? 'csv-one-class' : 'csv-invalid';
    return err(code, `${name} is not a valid data file: ${text}${/[.!?]$/.test(text) ? '' : '.'}`);
  }
  if (parsed.d > LIMITS.maxFeatures) {
    return err('too-large', `${name} has ${parsed.d} feature columns; the limit is ${LIMITS.maxFeatures}.`);
  }
  return { nSamples: parsed.n, nFeatures: parsed.d, nClasses: parsed.classNames.length };
}

const FILE_CODES: Record<FileProblemKind, string> = {
  missing: 'csv-missing',
  folder: 'csv-missing',
  special: 'csv-path',
  system: 'csv-path',
  outside: 'csv-path',
  'too-large': 'too-large',
  encoding: 'csv-invalid',
  denied: 'csv-missing',
  unreadable: 'csv-missing',
};

/** Where a spec's relative CSV path points: next to the spec file. */
export function resolveCsvPath(path: string, specPath: string): string {
  return isAbsolute(path) ? path : resolve(dirname(specPath), path);
}

// The editor validates on open and save; re-reading an unchanged CSV each time would be
// slow for big files. Keyed by the real path, size and mtime, so an edit re-reads.
interface CacheEntry {
  size: number;
  mtimeMs: number;
  result?: CsvFacts;
  error?: unknown;
}
const cache = new Map<string, CacheEntry>();
const CACHE_ENTRIES = 8;

function readCached(loc: DataFileLocation): CsvFacts {
  const hit = cache.get(loc.real);
  if (hit && hit.size === loc.size && hit.mtimeMs === loc.mtimeMs) {
    if (hit.error !== undefined) throw hit.error;
    return hit.result!;
  }
  const entry: CacheEntry = { size: loc.size, mtimeMs: loc.mtimeMs };
  try {
    // Only what the checks need is kept, not the values.
    const r = readCsvAt(loc, { keepValues: false });
    entry.result = { n: r.n, d: r.d, classNames: r.classNames };
  } catch (e) {
    entry.error = e;
  }
  cache.delete(loc.real);
  cache.set(loc.real, entry);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  if (entry.error !== undefined) throw entry.error;
  return entry.result!;
}
