/**
 * A TensorFlow installation as a source of the C libraries and headers that
 * `@tensorflow/tfjs-node` links against: a pip wheel (`tensorflow-cpu-*.whl`, a zip
 * file, read here without unpacking it) or an unpacked one (a site-packages folder, or
 * its `tensorflow/` folder).
 *
 * Why this works: TensorFlow's C API (c_api.h, eager/c_api.h) is meant to be stable
 * across 2.x, and the wheels' `libtensorflow_cc.so.2` + `libtensorflow_framework.so.2`
 * export every TF_* / TFE_* function the tfjs binding calls. tfjs-node 4.22 expects
 * libtensorflow 2.9.1 under its own file names; `depsEntries` maps the wheel's files onto
 * that layout (links named libtensorflow.so.2.9.1 etc.). Pairing a newer TensorFlow
 * with a binding written for 2.9.1 is not supported upstream: `blobs doctor` checks the
 * result against the WASM backend before calling it usable.
 */

import { closeSync, createReadStream, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import * as zlib from 'node:zlib';

/** The library file names tfjs-node's binding.gyp and install script look for. */
export const TFJS_LIB_VERSION = '2.9.1';

/** Header folders the binding's includes reach (c_api.h and what it includes), relative to include/. */
export const HEADER_DIRS = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/', 'xla/tsl/c/'];

export interface SourceFile {
  /** Path inside the installation's `tensorflow/` folder, '/'-separated. */
  path: string;
  size: number;
  /** Executable bit (the shared libraries). */
  mode: number;
}

export interface TfSource {
  /** What the user gave, for messages. */
  origin: string;
  kind: 'wheel' | 'folder';
  /** "2.21.0", from version.h (or the wheel's name). */
  version: string;
  /** Every file of the `tensorflow/` folder this needs: the two libraries and the headers. */
  files: SourceFile[];
  /** The bytes of one of `files`. */
  open(path: string): Readable;
  close(): void;
}

/** A file or a link of tfjs-node's `deps/` folder. */
export type DepsEntry =
  | { kind: 'file'; path: string; from: string; size: number; mode: number }
  | { kind: 'link'; path: string; target: string };

export class SourceError extends Error {}

const LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

/**
 * Opens `origin`: a .whl file, a folder holding one tensorflow*.whl (what `pip download
 * -d DIR` leaves), a site-packages folder, or a `tensorflow/` folder. Throws SourceError
 * saying what was expected.
 */
export function openTfSource(origin: string): TfSource {
  if (!existsSync(origin)) throw new SourceError(`${origin}: no such file or folder`);
  if (statSync(origin).isDirectory()) {
    if (existsSync(join(origin, LIBS[0]))) return folderSource(origin, origin);
    if (existsSync(join(origin, 'tensorflow', LIBS[0]))) return folderSource(origin, join(origin, 'tensorflow'));
    const wheels = readdirSync(origin).filter((f) => /^tensorflow(?:[_-]cpu)?-\d[\w.+-]*\.whl$/i.test(f));
    if (wheels.length === 1) return wheelSource(join(origin, wheels[0]));
    if (wheels.length > 1) throw new SourceError(`${origin}: holds several TensorFlow wheels (${wheels.join(', ')}); give one`);
    throw new SourceError(`${origin}: not a TensorFlow installation (no ${LIBS[0]} in it or in its tensorflow/ folder, and no tensorflow*.whl)`);
  }
  if (!origin.endsWith('.whl')) throw new SourceError(`${origin}: expected a .whl file (e.g. from \`pip download --no-deps tensorflow-cpu -d DIR\`) or a site-packages folder`);
  return wheelSource(origin);
}

/** The version in tensorflow/include/tensorflow/core/public/version.h. */
export function versionFromHeader(text: string): string | undefined {
  const n = (k: string) => new RegExp(`#define\\s+TF_${k}_VERSION\\s+(\\d+)`).exec(text)?.[1];
  const [a, b, c] = [n('MAJOR'), n('MINOR'), n('PATCH')];
  return a && b && c ? `${a}.${b}.${c}` : undefined;
}

const wanted = (path: string) => LIBS.includes(path) || HEADER_DIRS.some((d) => path.startsWith(`include/${d}`));

function checkComplete(origin: string, files: SourceFile[]): void {
  for (const lib of LIBS)
    if (!files.some((f) => f.path === lib)) throw new SourceError(`${origin}: has no tensorflow/${lib} (is it TensorFlow 2.x for Linux?)`);
  if (!files.some((f) => f.path === 'include/tensorflow/c/c_api.h')) throw new SourceError(`${origin}: has no C headers (tensorflow/include/tensorflow/c/c_api.h)`);
}

function folderSource(origin: string, tfDir: string): TfSource {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = relative(tfDir, abs).split(sep).join('/');
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        if (rel === 'include' || HEADER_DIRS.some((d) => `include/${d}`.startsWith(`${rel}/`) || `${rel}/`.startsWith(`include/${d}`))) walk(abs);
      } else if (wanted(rel)) {
        const real = statSync(abs); // follows links (site-packages may link the libraries)
        files.push({ path: rel, size: real.size, mode: real.mode & 0o111 ? 0o755 : 0o644 });
      }
    }
  };
  walk(tfDir);
  checkComplete(origin, files);
  const vh = join(tfDir, 'include/tensorflow/core/public/version.h');
  const version = (existsSync(vh) && versionFromHeader(readFileSync(vh, 'utf8'))) || 'unknown';
  return { origin, kind: 'folder', version, files, open: (p) => createReadStream(join(tfDir, p)), close() {} };
}

// ---------------------------------------------------------------------------
// A minimal zip reader: the central directory (zip64 aware), stored and deflated
// entries, CRC-32 checked while streaming. Enough for wheels; no encryption.

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localOffset: number;
  mode: number;
}

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/** Every entry of the zip file open on `fd`. */
export function zipEntries(fd: number, origin: string): ZipEntry[] {
  const fileSize = fstatSync(fd).size;
  const tailLen = Math.min(fileSize, 22 + 65535 + 20);
  const tail = readAt(fd, fileSize - tailLen, tailLen);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new SourceError(`${origin}: not a zip file (a wheel is one)`);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // zip64: the locator sits just before the EOCD and points at the zip64 EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new SourceError(`${origin}: damaged zip64 directory`);
    const rec = readAt(fd, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (rec.readUInt32LE(0) !== 0x06064b50) throw new SourceError(`${origin}: damaged zip64 directory`);
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  const cd = readAt(fd, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new SourceError(`${origin}: damaged zip directory (entry ${i})`);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const attrs = cd.readUInt32LE(p + 38);
    let localOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extended information: the 64-bit values of the fields that read 0xffffffff, in order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = Number(cd.readBigUInt64LE(q))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(cd.readBigUInt64LE(q))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    out.push({ name, method, compressedSize, size, crc, localOffset, mode: (attrs >>> 16) & 0o777 });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The (inflated, CRC-checked) bytes of one entry. */
export function zipEntryStream(path: string, fd: number, e: ZipEntry): Readable {
  const local = readAt(fd, e.localOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new SourceError(`${path}: damaged zip entry ${e.name}`);
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (e.method !== 0 && e.method !== 8) throw new SourceError(`${path}: ${e.name} uses compression method ${e.method} (only stored and deflated are read)`);
  const raw = e.compressedSize > 0 ? createReadStream(path, { start, end: start + e.compressedSize - 1 }) : Readable.from([]);
  // zlib.crc32 is Node >= 20.15; without it only the size is checked.
  const crc32 = (zlib as { crc32?: (b: Buffer, v: number) => number }).crc32;
  let crc = 0;
  let got = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (crc32) crc = crc32(chunk, crc);
      got += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      if (got !== e.size || (crc32 && crc >>> 0 !== e.crc)) cb(new SourceError(`${path}: ${e.name} is damaged (CRC or size mismatch)`));
      else cb();
    },
  });
  const body = e.method === 8 && e.compressedSize > 0 ? raw.pipe(zlib.createInflateRaw()) : raw;
  const damaged = (err: Error) => check.destroy(new SourceError(`${path}: ${e.name} is damaged (${err.message})`));
  raw.on('error', damaged);
  if (body !== raw) body.on('error', damaged);
  return body.pipe(check);
}

function wheelSource(path: string): TfSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SourceError(`${path}: cannot read it (${(e as Error).message})`);
  }
  try {
    const entries = zipEntries(fd, path);
    const byPath = new Map<string, ZipEntry>();
    for (const e of entries) if (e.name.startsWith('tensorflow/') && !e.name.endsWith('/')) byPath.set(e.name.slice('tensorflow/'.length), e);
    const files: SourceFile[] = [];
    for (const [rel, e] of byPath) if (wanted(rel)) files.push({ path: rel, size: e.size, mode: LIBS.includes(rel) ? 0o755 : 0o644 });
    checkComplete(path, files);
    let version: string | undefined;
    const vh = byPath.get('include/tensorflow/core/public/version.h');
    if (vh) {
      const local = readAt(fd, vh.localOffset, 30);
      const raw = readAt(fd, vh.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28), vh.compressedSize);
      version = versionFromHeader((vh.method === 8 ? zlib.inflateRawSync(raw) : raw).toString('latin1'));
    }
    version ??= /^tensorflow(?:_cpu|_gpu|-cpu)?-(\d+\.\d+\.\d+)/i.exec(basename(path))?.[1] ?? 'unknown';
    return {
      origin: path,
      kind: 'wheel',
      version,
      files,
      open: (p) => {
        const e = byPath.get(p);
        if (!e) throw new SourceError(`${path}: has no tensorflow/${p}`);
        return zipEntryStream(path, fd, e);
      },
      close: () => closeSync(fd),
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The files and links of tfjs-node's `deps/` folder for `source`: the two libraries
 * under their own names (their SONAMEs, which the built binding records), the names
 * tfjs-node links and checks for (libtensorflow.so.2.9.1, .so.2, .so and the
 * framework's) as links to them, and the headers under include/.
 */
export function depsEntries(source: TfSource): DepsEntry[] {
  const out: DepsEntry[] = [];
  for (const f of source.files) {
    const path = LIBS.includes(f.path) ? `lib/${f.path}` : f.path;
    out.push({ kind: 'file', path, from: f.path, size: f.size, mode: f.mode });
  }
  for (const name of [`libtensorflow.so.${TFJS_LIB_VERSION}`, 'libtensorflow.so.2', 'libtensorflow.so'])
    out.push({ kind: 'link', path: `lib/${name}`, target: LIBS[0] });
  for (const name of [`libtensorflow_framework.so.${TFJS_LIB_VERSION}`, 'libtensorflow_framework.so'])
    out.push({ kind: 'link', path: `lib/${name}`, target: LIBS[1] });
  return out;
}
