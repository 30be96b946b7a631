/**
 * Reading a spec's CSV file: the path rule and size limit (spec/files.ts), then a
 * streaming parse (csv.ts) in 1 MiB chunks that stops at the first crossed limit. The
 * validator (facts only, no values kept) and the data builder both read through here,
 * so what the editor accepts is what training loads.
 */

import { closeFile, FileRuleError, locateDataFile, openRegularFile, readChunks, type DataFileLocation } from '../spec/files';
import { LIMITS } from '../spec/types';
import { CsvError, CsvReader, type CsvDataset, type CsvLimits } from './csv';

export interface CsvReadOptions {
  /** Keep the values (false: only count and check them, for the validator). Default true. */
  keepValues?: boolean;
  limits?: Partial<CsvLimits>;
  /** Default LIMITS.maxCsvBytes. */
  maxBytes?: number;
}

/**
 * Reads a located data file. Throws CsvError (with `file` set to the spec's path for it)
 * or FileRuleError (the file changed into something the rules refuse since it was located).
 */
export function readCsvAt(loc: DataFileLocation, opts: CsvReadOptions = {}): CsvDataset {
  const f = openRegularFile(loc.real, opts.maxBytes ?? LIMITS.maxCsvBytes);
  try {
    const reader = new CsvReader({ keepValues: opts.keepValues, limits: opts.limits });
    // Not fatal: a stray Latin-1 byte in a label becomes U+FFFD, as readFileSync('utf8') did.
    const decoder = new TextDecoder('utf-8');
    for (const chunk of readChunks(f)) reader.push(decoder.decode(chunk, { stream: true }));
    reader.push(decoder.decode());
    return reader.end();
  } catch (e) {
    if (e instanceof CsvError) throw new CsvError(e.line, e.detail, loc.file, e.kind);
    throw e;
  } finally {
    closeFile(f);
  }
}

/**
 * A spec's `data.path` as a dataset: relative to `specDir`, inside `root` (default
 * `specDir`). Every failure is a CsvError that names the file.
 */
export function loadCsvData(path: string, specDir: string, root?: string): CsvDataset {
  let loc: DataFileLocation;
  try {
    loc = locateDataFile(path, specDir, root);
    return readCsvAt(loc);
  } catch (e) {
    if (e instanceof FileRuleError) throw new CsvError(0, `data.path ${JSON.stringify(path)} ${e.detail}`, undefined, e.kind === 'too-large' ? 'too-large' : 'invalid');
    throw e;
  }
}
