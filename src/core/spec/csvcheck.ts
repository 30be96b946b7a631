/**
 * The `csv` generator's file check: the file exists next to the spec, parses with the
 * same parser the engine loads it with, and holds a classification problem (>= 2
 * features, >= 2 classes). This is the validator's only I/O.
 */

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Reporter } from './check';
import type { DataFacts } from './semantic';
import { LIMITS } from './types';

/** The part of `parseCsv` (data/csv.ts) the check needs. */
export type CsvParser = (text: string) => { n: number; d: number; classNames: string[] };

const PATH: (string | number)[] = ['data', 'path'];

/** Where a spec's relative CSV path points: next to the spec file. */
export function resolveCsvPath(path: string, specPath: string | undefined): string | undefined {
  if (isAbsolute(path)) return path;
  return specPath === undefined ? undefined : resolve(dirname(specPath), path);
}

export function checkCsv(
  root: Node,
  r: Reporter,
  path: string,
  specPath: string | undefined,
  parse: CsvParser,
): DataFacts | undefined {
  const node = findNodeAtLocation(root, PATH);
  const at = node ?? { offset: root.offset, length: 1 };
  const err = (code: string, message: string): undefined => {
    r.add(code, 'error', message, PATH, at);
    return undefined;
  };
  const file = resolveCsvPath(path, specPath);
  if (file === undefined) {
    r.add('csv-unchecked', 'info', `\`data.path\` "${path}" is relative and this spec has no file location yet (save it), so the CSV file was not checked.`, PATH, at);
    return undefined;
  }
  let size: number;
  let mtimeMs: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return err('csv-missing', `\`data.path\` "${path}" is a folder, not a CSV file (${file}).`);
    size = st.size;
    mtimeMs = st.mtimeMs;
  } catch {
    return err('csv-missing', `\`data.path\`: the CSV file "${path}" does not exist (looked for ${file}). Paths are relative to the spec file's folder.`);
  }
  if (size > LIMITS.maxCsvBytes) {
    return err('too-large', `\`data.path\`: "${path}" is ${(size / 1e6).toFixed(0)} MB; the limit is ${LIMITS.maxCsvBytes / 1024 / 1024} MB.`);
  }
  let parsed: ReturnType<CsvParser>;
  try {
    parsed = parseCached(file, size, mtimeMs, parse);
  } catch (e) {
    const line = (e as { line?: unknown }).line;
    const msg = e instanceof Error ? e.message : String(e);
    const where = typeof line === 'number' && line > 0 ? ` line ${line}` : ''; // 0: the whole file
    // The parser's message may already say "line N"; do not say it twice.
    const text = where && /\bline \d+/i.test(msg) ? msg : `${where ? `${where.trim()}: ` : ''}${msg}`;
    return err('csv-invalid', `\`data.path\`: "${path}" is not a valid data file: ${text}${/[.!?]$/.test(text) ? '' : '.'}`);
  }
  if (parsed.d < 2) {
    return err('csv-invalid', `\`data.path\`: "${path}" has ${parsed.d} feature column${parsed.d === 1 ? '' : 's'}; a spec needs at least 2 (rows are x1,x2,...,label).`);
  }
  if (parsed.d > LIMITS.maxFeatures) {
    return err('too-large', `\`data.path\`: "${path}" has ${parsed.d} feature columns; the limit is ${LIMITS.maxFeatures}.`);
  }
  if (parsed.classNames.length < 2) {
    return err(
      'csv-one-class',
      `\`data.path\`: "${path}" has only ${parsed.classNames.length === 1 ? `one class ("${parsed.classNames[0]}")` : 'no classes'} in its last column; a classifier needs at least 2.`,
    );
  }
  return { nSamples: parsed.n, nFeatures: parsed.d, nClasses: parsed.classNames.length };
}

// The editor validates on every keystroke; re-reading an unchanged CSV each time would
// make typing slow for big files. Keyed by path, size and mtime, so an edit re-reads.
interface CacheEntry {
  size: number;
  mtimeMs: number;
  parse: CsvParser;
  result?: ReturnType<CsvParser>;
  error?: unknown;
}
const cache = new Map<string, CacheEntry>();
const CACHE_ENTRIES = 8;

function parseCached(file: string, size: number, mtimeMs: number, parse: CsvParser): ReturnType<CsvParser> {
  const hit = cache.get(file);
  if (hit && hit.size === size && hit.mtimeMs === mtimeMs && hit.parse === parse) {
    if (hit.error !== undefined) throw hit.error;
    return hit.result!;
  }
  const entry: CacheEntry = { size, mtimeMs, parse };
  try {
    // Only what the checks need is kept, not the parsed arrays.
    const r = parse(readFileSync(file, 'utf8'));
    entry.result = { n: r.n, d: r.d, classNames: r.classNames };
  } catch (e) {
    entry.error = e;
  }
  cache.delete(file);
  cache.set(file, entry);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  if (entry.error !== undefined) throw entry.error;
  return entry.result!;
}
