/**
 * The rules for the files a spec makes the engine read, in one place for every front end:
 *
 *  - the spec file itself (the CLI reads it; the editor has its own text): a regular file
 *    of at most LIMITS.maxSpecBytes, in UTF-8;
 *  - its CSV data file: `data.path` must lead, after following symbolic links, to a
 *    regular file inside the spec's folder tree (the extension passes the workspace
 *    folder instead), of at most LIMITS.maxCsvBytes.
 *
 * A spec comes from anywhere (a course, a cloned repository) and is validated as soon as
 * it is opened, even in an untrusted workspace. So devices, pipes and sockets are never
 * opened (reading /dev/zero never ends, opening a pipe blocks until someone writes),
 * nor anything under /proc or /sys (their "regular" files hold the process's environment
 * and the like), and no content of a file that breaks the rules reaches a message.
 * Sizes are checked from the file's metadata before reading, and again while reading
 * (a file may grow; files under /proc report 0 bytes).
 */

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LIMITS } from './types';

export type FileProblemKind = 'missing' | 'folder' | 'special' | 'system' | 'outside' | 'too-large' | 'encoding' | 'denied' | 'unreadable';

/**
 * A file the rules refuse, or cannot read. `detail` is a phrase that follows the file's
 * name ("is a named pipe, not a regular file: ..."), so each front end names the file
 * its own way (the CLI by its argument, the validator by `data.path`).
 */
export class FileRuleError extends Error {
  constructor(
    readonly kind: FileProblemKind,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'FileRuleError';
  }
}

/** "a named pipe", "a device", ...: what a path holds, in words. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a file' : 'a special file';
}

/** Pseudo file systems whose regular-looking files are the system's, never data. */
const SYSTEM_DIRS = ['/proc', '/sys'];

function systemDir(real: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  return SYSTEM_DIRS.find((d) => real === d || real.startsWith(d + '/'));
}

/** "51.9 MB" for people; exact bytes are in the message too where they matter. */
export function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}

function tooLarge(size: number | undefined, max: number): FileRuleError {
  const bytes = (n: number) => `${fmtBytes(n)} (${n.toLocaleString('en-US')} bytes)`;
  const is = size === undefined ? `is larger than ${fmtBytes(max)}` : `is ${bytes(size)}`;
  return new FileRuleError('too-large', `${is}; the limit is ${bytes(max)}`);
}

function errnoError(e: unknown): FileRuleError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileRuleError('missing', 'does not exist');
  if (code === 'EACCES' || code === 'EPERM') return new FileRuleError('denied', 'cannot be read: permission denied');
  if (code === 'ELOOP') return new FileRuleError('unreadable', 'cannot be read: too many symbolic links (a link loop?)');
  if (code === 'EISDIR') return new FileRuleError('folder', 'is a folder, not a file');
  return new FileRuleError('unreadable', `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`);
}

/** Checks what `file` is (following links) without opening it. */
function inspect(file: string, maxBytes: number): { st: Stats; real: string } {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    // A link whose target is gone is "missing" too, but say so: the link itself exists.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && lstatOrUndefined(file)?.isSymbolicLink()) {
      throw new FileRuleError('missing', 'is a symbolic link to a file that does not exist');
    }
    throw errnoError(e);
  }
  if (st.isDirectory()) throw new FileRuleError('folder', 'is a folder, not a file');
  if (!st.isFile()) {
    throw new FileRuleError('special', `is ${fileKind(st)}, not a regular file: only regular files are read (never devices, pipes or sockets)`);
  }
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    throw errnoError(e);
  }
  const sys = systemDir(real);
  if (sys) throw new FileRuleError('system', `is a system file (under ${sys}): files under ${SYSTEM_DIRS.join(' and ')} are never read`);
  if (st.size > maxBytes) throw tooLarge(st.size, maxBytes);
  return { st, real };
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/** An open regular file; `close` it. */
export interface OpenFile {
  fd: number;
  /** Size when opened; reading stops with an error past `maxBytes` whatever this says. */
  size: number;
  mtimeMs: number;
  /** The path with every link resolved. */
  real: string;
  maxBytes: number;
}

/**
 * Opens `file` for reading when it is a regular file of at most `maxBytes` outside
 * /proc and /sys; otherwise throws a FileRuleError without having opened it.
 */
export function openRegularFile(file: string, maxBytes: number): OpenFile {
  const { real } = inspect(file, maxBytes);
  let fd: number;
  try {
    // O_NONBLOCK: if the file was swapped for a pipe since `inspect`, the open does not
    // block (and the fstat below refuses it). O_NOFOLLOW: nor for a link.
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    throw errnoError(e);
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.size > maxBytes) {
    closeSync(fd);
    throw st.isFile() ? tooLarge(st.size, maxBytes) : new FileRuleError('special', `is ${fileKind(st)}, not a regular file`);
  }
  return { fd, size: st.size, mtimeMs: st.mtimeMs, real, maxBytes };
}

export function closeFile(f: OpenFile): void {
  closeSync(f.fd);
}

/**
 * The file's bytes in chunks of at most `chunkBytes` (each a fresh Buffer), throwing a
 * too-large FileRuleError as soon as more than `f.maxBytes` have arrived.
 */
export function* readChunks(f: OpenFile, chunkBytes = 1024 * 1024): Generator<Buffer> {
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let n: number;
    try {
      n = readSync(f.fd, buf, 0, chunkBytes, null);
    } catch (e) {
      throw errnoError(e);
    }
    if (n === 0) return;
    total += n;
    if (total > f.maxBytes) throw tooLarge(undefined, f.maxBytes);
    yield n === chunkBytes ? buf : buf.subarray(0, n);
  }
}

/** The whole file, at most `f.maxBytes`. */
export function readAll(f: OpenFile): Buffer {
  const parts: Buffer[] = [];
  for (const c of readChunks(f, Math.min(1024 * 1024, Math.max(64 * 1024, f.size + 1)))) parts.push(c);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Reads a spec file: a regular file of at most LIMITS.maxSpecBytes, in UTF-8 (a UTF-8
 * byte-order mark stays, as U+FEFF: the validator accepts it). Throws FileRuleError.
 */
export function readSpecFile(file: string, maxBytes: number = LIMITS.maxSpecBytes): string {
  const f = openRegularFile(file, maxBytes);
  let bytes: Buffer;
  try {
    bytes = readAll(f);
  } finally {
    closeFile(f);
  }
  return decodeSpecBytes(bytes);
}

const SAVE_AS_UTF8 = 'a spec must be UTF-8: save it again as UTF-8 (in VS Code: click the encoding in the status bar, then "Save with Encoding", "UTF-8")';

/** The text of a spec file's bytes, or an `encoding` FileRuleError that names the encoding. */
export function decodeSpecBytes(b: Uint8Array): string {
  const at = (i: number) => (i < b.length ? b[i] : -1);
  const boms: [number[], string][] = [
    [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 (little-endian)'],
    [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 (big-endian)'],
    [[0xff, 0xfe], 'UTF-16 (little-endian)'],
    [[0xfe, 0xff], 'UTF-16 (big-endian)'],
  ];
  for (const [bom, name] of boms) {
    if (bom.every((x, i) => at(i) === x)) throw new FileRuleError('encoding', `is saved as ${name}, not UTF-8; ${SAVE_AS_UTF8}`);
  }
  const nul = b.indexOf(0);
  if (nul >= 0) {
    // UTF-16 without a byte-order mark: ASCII text with a zero byte beside every character.
    const head = b.subarray(0, 4096);
    let odd = 0;
    let even = 0;
    for (let i = 0; i < head.length; i++) if (head[i] === 0) (i % 2 ? odd++ : even++);
    const utf16 = head.length >= 4 && Math.max(odd, even) >= head.length / 2 - 2 && Math.min(odd, even) === 0;
    throw new FileRuleError(
      'encoding',
      utf16
        ? `looks like UTF-16 text (a zero byte beside every character), not UTF-8; ${SAVE_AS_UTF8}`
        : `contains a zero byte (at byte ${nul + 1}): it is not a text file; ${SAVE_AS_UTF8}`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    const bad = firstInvalidUtf8(b);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) if (b[i] === 10) (line++, (lineStart = i + 1));
    const byte = b[bad].toString(16).toUpperCase().padStart(2, '0');
    // Columns in characters, as editors count them: the line's valid prefix, decoded.
    const col = new TextDecoder().decode(b.subarray(lineStart, bad)).length + 1;
    const hint = b[bad] >= 0x80 && b[bad] <= 0xff ? ' (text saved as Latin-1 or Windows-1252?)' : '';
    throw new FileRuleError('encoding', `is not valid UTF-8: byte 0x${byte} at line ${line}, column ${col}${hint}; ${SAVE_AS_UTF8}`);
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (b.length if none). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const x = i + k < b.length ? b[i + k] : -1;
      if (x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return b.length;
}

/** Where a spec's data file is, and the folder tree it must stay in. */
export interface DataFileLocation {
  /** `data.path` resolved against the spec's folder (links not followed). */
  file: string;
  /** The same with every link resolved: what is really read. */
  real: string;
  size: number;
  mtimeMs: number;
}

/**
 * Applies the path rule to a spec's `data.path`: relative to `specDir`; after following
 * links it must be a regular file inside `root` (default: `specDir`), outside /proc and
 * /sys, of at most `maxBytes`. Nothing is opened. Throws FileRuleError.
 */
export function locateDataFile(path: string, specDir: string, root: string = specDir, maxBytes: number = LIMITS.maxCsvBytes): DataFileLocation {
  const file = isAbsolute(path) ? path : resolve(specDir, path);
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    // Said before the type checks: a missing file is the common case.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && lstatOrUndefined(file)?.isSymbolicLink()) {
      throw new FileRuleError('missing', 'is a symbolic link to a file that does not exist');
    }
    throw errnoError(e);
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = resolve(root);
  }
  const rel = relative(realRoot, real);
  if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
    // Where a link leads is said (it is the user's own link); nothing of the file is.
    const via = real !== resolve(file) ? ` (it leads to ${real})` : '';
    throw new FileRuleError(
      'outside',
      `is outside ${realRoot}${via}: a data file must be inside the spec's folder or a folder below it (in VS Code: inside the workspace folder), also after following symbolic links`,
    );
  }
  const { st } = inspect(real, maxBytes);
  return { file, real, size: st.size, mtimeMs: st.mtimeMs };
}
