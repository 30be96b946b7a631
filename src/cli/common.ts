/** Helpers shared by the verbs: loading a spec file, printing problems, writing files. */

import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileRuleError, readSpecFile } from '../core/spec/files';
import type { BlobSpec } from '../core/spec/types';
import { validateSpecText, type Problem } from '../core/spec/validate';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE } from './verb';

/** `file:line:col: severity: message`, 1-based like compilers (editors make it a link). */
export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message}`;
}

/**
 * Reads a spec file under the engine's file rules (core/spec/files.ts): a regular file
 * (never a device, pipe or socket, nothing under /proc or /sys), at most 4 MiB, in
 * UTF-8. Anything else is a CliError that says what the file is and what to do.
 */
export function readTextFile(file: string, what = 'file'): string {
  try {
    return readSpecFile(file);
  } catch (e) {
    if (!(e instanceof FileRuleError)) throw e;
    const hint = e.kind === 'too-large' ? 'A spec describes the data; large data belongs in a CSV file ("generator": "csv").' : undefined;
    const detail = e.kind === 'missing' ? `no such ${what}` : e.detail;
    // Permission and I/O failures are the machine's, not the input's: exit 1.
    const code = e.kind === 'denied' || e.kind === 'unreadable' ? EXIT_FAILURE : EXIT_BAD_INPUT;
    throw new CliError(`${file}: ${detail}.`, code, hint);
  }
}

export interface LoadedSpec {
  spec: BlobSpec;
  text: string;
  /** Absolute path of the spec file. */
  path: string;
  /** Folder that relative paths in the spec are relative to. */
  dir: string;
  /** Warnings and infos (errors make `loadSpec` throw). */
  problems: Problem[];
}

/**
 * Reads and validates a spec for a verb that runs it. Problems go to stderr; any error
 * is a CliError (exit 2). For `train`, `predict` and `data`.
 */
export function loadSpec(file: string, opts: { quiet?: boolean } = {}): LoadedSpec {
  const text = readTextFile(file, 'spec file');
  const path = resolve(file);
  const result = validateSpecText(text, { specPath: path });
  if (!opts.quiet || !result.spec) {
    for (const p of result.problems) if (p.severity !== 'info') process.stderr.write(formatProblem(file, p) + '\n');
  }
  if (!result.spec) {
    const n = result.problems.filter((p) => p.severity === 'error').length;
    throw new CliError(`${file}: the spec has ${n} error${n === 1 ? '' : 's'}; nothing was run.`, EXIT_BAD_INPUT);
  }
  return { spec: result.spec, text, path, dir: dirname(path), problems: result.problems };
}

/**
 * Writes a file atomically: a temporary file next to it, then a rename, so readers
 * never see half a file and an error leaves the old file (or none) in place.
 */
export function writeFileAtomic(file: string, data: string | Iterable<string>): void {
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    for (const chunk of typeof data === 'string' ? [data] : data) writeSync(fd, chunk);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new CliError(`cannot write ${file}: ${why}.`, code === 'ENOENT' || code === 'EISDIR' ? EXIT_BAD_INPUT : EXIT_FAILURE);
  }
}

/** Writes to stdout, waiting for the pipe to drain between chunks (large outputs). */
export async function writeStdout(data: string | Iterable<string>): Promise<void> {
  for (const chunk of typeof data === 'string' ? [data] : data) {
    if (!process.stdout.write(chunk)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  }
}
