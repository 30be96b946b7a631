/**
 * `blobs doctor --native-from`: puts a TensorFlow installation's C libraries where
 * `@tensorflow/tfjs-node` looks for them, builds its binding against them, and checks it.
 *
 * tfjs-node's install script downloads libtensorflow 2.9.1 from Google's storage (our
 * machines cannot reach it; users report 403s) unless TFJS_NODE_BASE_URI points
 * elsewhere. So this serves the libraries itself, as the tarball the script asks for, from
 * an HTTP server on 127.0.0.1 for the duration of one npm command, and lets npm and the
 * script do the rest the way they always do:
 *   - tfjs-node not in node_modules (npm dropped it when its download failed):
 *     `npm install --no-save @tensorflow/tfjs-node@<locked version>`;
 *   - already there: its deps/ folder is removed and `npm rebuild @tensorflow/tfjs-node`
 *     runs the same script again.
 * The tarball is an uncompressed tar streamed straight out of the wheel (node-tar, which
 * the script uses, recognises gzip or not by its first bytes), so nothing is unpacked
 * twice and its length is known up front. The binding is always compiled
 * (npm_config_build_from_source): the prebuilt one is also downloaded from Google, and
 * compiling against the staged headers is what makes the pairing sound.
 *
 * Needs: Linux x64 (the wheel's .so files), npm, and node-gyp's tools (make, a C++
 * compiler, python3). The ~850 MB of libraries end up in node_modules only.
 */

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { depsEntries, TFJS_LIB_VERSION, type DepsEntry, type TfSource } from './tfSource';

export const TFJS_NODE = '@tensorflow/tfjs-node';
/** The path the install script requests under TFJS_NODE_BASE_URI (see its deps-constants.js). */
export const TARBALL = `cpu-linux-x86_64-${TFJS_LIB_VERSION}.tar.gz`;

// ---------------------------------------------------------------------------
// tar (ustar): regular files and symbolic links, enough for node-tar to unpack.

const BLOCK = 512;

function octal(h: Buffer, value: number, offset: number, length: number): void {
  h.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/** A ustar header; paths over 100 bytes are split into prefix/name at a '/'. */
export function tarHeader(path: string, size: number, mode: number, type: '0' | '2', link = '', mtime = Math.floor(Date.now() / 1000)): Buffer {
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`tar: path too long: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, mode, 100, 8);
  octal(h, 0, 108, 8); // uid
  octal(h, 0, 116, 8); // gid
  octal(h, size, 124, 12);
  octal(h, mtime, 136, 12);
  h.fill(' ', 148, 156); // checksum field counts as spaces
  h.write(type, 156, 1, 'ascii');
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Bytes of the tar of `entries` (headers, padded data, two end blocks). */
export function tarSize(entries: DepsEntry[]): number {
  return entries.reduce((n, e) => n + BLOCK + (e.kind === 'file' ? padded(e.size) : 0), 0) + 2 * BLOCK;
}

/** The tar of `entries`, file contents streamed from `source`. */
export function tarStream(source: TfSource, entries: DepsEntry[]): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      if (e.kind === 'link') {
        yield tarHeader(e.path, 0, 0o777, '2', e.target);
        continue;
      }
      yield tarHeader(e.path, e.size, e.mode, '0');
      let n = 0;
      for await (const c of source.open(e.from)) {
        n += (c as Buffer).length;
        yield c as Buffer;
      }
      if (n !== e.size) throw new Error(`${e.from}: read ${n} bytes, expected ${e.size}`);
      if (padded(n) > n) yield Buffer.alloc(padded(n) - n);
    }
    yield Buffer.alloc(2 * BLOCK);
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Serves the tarball at /libtensorflow-<TARBALL> on 127.0.0.1; anything else is a 404. */
export async function serveTarball(source: TfSource, entries: DepsEntry[]): Promise<{ server: Server; baseUri: string; requests: string[] }> {
  const requests: string[] = [];
  const size = tarSize(entries);
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== `/libtensorflow-${TARBALL}`) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`not here: only the CPU library (${TARBALL}) is served\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/x-tar', 'Content-Length': size });
    pipeline(tarStream(source, entries), res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('the local server has no port');
  return { server, baseUri: `http://127.0.0.1:${addr.port}/libtensorflow-`, requests };
}

// ---------------------------------------------------------------------------
// npm

/** The tfjs-node version to install: the project's lock, else its package.json, else ours. */
export function tfjsNodeSpec(root: string): string {
  try {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const v = lock.packages?.[`node_modules/${TFJS_NODE}`]?.version;
    if (v) return v;
  } catch {
    /* no lock */
  }
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const k of ['optionalDependencies', 'dependencies', 'devDependencies']) if (pkg[k]?.[TFJS_NODE]) return pkg[k][TFJS_NODE];
  } catch {
    /* no package.json */
  }
  return '4.22.0';
}

/** Tools node-gyp needs to compile the binding; the ones missing from PATH. */
export function missingBuildTools(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = (cmd: string) => (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
  const missing: string[] = [];
  if (!onPath('npm')) missing.push('npm');
  if (!onPath('make')) missing.push('make');
  if (!onPath('g++') && !onPath('c++') && !onPath('clang++')) missing.push('a C++ compiler (g++)');
  if (!onPath('python3')) missing.push('python3');
  return missing;
}

/**
 * The npm child's environment: TFJS_NODE_BASE_URI at our server, always compile. The
 * install script sends a proxy variable's value every request, 127.0.0.1 included, so
 * HTTP(S)_PROXY move into npm's own config (npm_config_*), which npm still uses for the
 * registry and the script does not read.
 */
export function npmEnv(baseUri: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, TFJS_NODE_BASE_URI: baseUri, npm_config_build_from_source: 'true' };
  const https = env.HTTPS_PROXY ?? env.https_proxy;
  const http = env.HTTP_PROXY ?? env.http_proxy;
  if (https) out.npm_config_https_proxy ??= https;
  if (http) out.npm_config_proxy ??= http;
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) delete out[k];
  delete out.npm_config_tfjs_node_base_uri;
  delete out.TFJS_NODE_CDN_STORAGE;
  return out;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; log: NodeJS.WritableStream }): Promise<number> {
  return new Promise((resolve) => {
    opts.log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(opts.log, { end: false });
    child.stderr.pipe(opts.log, { end: false });
    child.on('error', (e) => {
      opts.log.write(`${cmd}: ${e.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** The built binding (lib/napi-v*\/tfjs_binding.node), if there is one. */
export function bindingPath(pkgDir: string): string | undefined {
  const lib = join(pkgDir, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const d of readdirSync(lib)) if (existsSync(join(lib, d, 'tfjs_binding.node'))) return join(lib, d, 'tfjs_binding.node');
  return undefined;
}

/**
 * What to show of npm's output when it failed: the compiler's and linker's own error lines
 * (buried under node-gyp's boilerplate), else the last lines.
 */
export function logSummary(log: string): string {
  const lines = log.split('\n');
  const errors = lines.filter((l) => /(^|\s)(fatal )?error: |undefined reference|cannot find -l|No such file or directory|cannot open shared object/.test(l) && !/^(gyp|npm|node-pre-gyp)\b/.test(l));
  return (errors.length ? errors.slice(0, 12) : lines.filter(Boolean).slice(-25)).join('\n');
}

export interface InstallResult {
  /** What was done: 'installed' (npm install) or 'rebuilt' (npm rebuild). */
  action: 'installed' | 'rebuilt';
  pkgDir: string;
  binding: string;
  version: string;
}

export class InstallError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
    readonly logFile?: string,
  ) {
    super(message);
  }
}

/**
 * Stages `source` into `<root>/node_modules/@tensorflow/tfjs-node` (installing the package
 * if npm left it out) and builds the binding. `say` gets one line per step.
 */
export async function installNative(root: string, source: TfSource, say: (line: string) => void): Promise<InstallResult> {
  const pkgDir = join(root, 'node_modules', TFJS_NODE);
  const present = existsSync(join(pkgDir, 'package.json'));
  const entries = depsEntries(source);
  const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
  const total = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
  const logDir = mkdtempSync(join(tmpdir(), 'blobs-doctor-'));
  const logFile = join(logDir, 'npm.log');
  const log = createWriteStream(logFile);
  const { server, baseUri, requests } = await serveTarball(source, entries);
  let ok = false;
  try {
    say(`serving TensorFlow ${source.version}'s C libraries and headers (${entries.length} files, ${mb(total)}) to tfjs-node's installer on ${baseUri.replace(/libtensorflow-$/, '')}`);
    const env = npmEnv(baseUri);
    let code: number;
    if (present) {
      // The script downloads (from us) only when deps/ lacks the library.
      rmSync(join(pkgDir, 'deps'), { recursive: true, force: true });
      say(`rebuilding ${TFJS_NODE} (npm rebuild; compiling the binding takes a minute)`);
      code = await run('npm', ['rebuild', TFJS_NODE, '--foreground-scripts', '--ignore-scripts=false'], { cwd: root, env, log });
    } else {
      const spec = `${TFJS_NODE}@${tfjsNodeSpec(root)}`;
      say(`installing ${spec} (npm install --no-save; compiling the binding takes a minute)`);
      code = await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--foreground-scripts', '--ignore-scripts=false', spec], { cwd: root, env, log });
    }
    const binding = bindingPath(pkgDir);
    if (code !== 0 || !binding || !existsSync(join(pkgDir, 'deps/lib', `libtensorflow.so.${TFJS_LIB_VERSION}`))) {
      const served = requests.some((r) => r.endsWith(TARBALL));
      const why =
        code !== 0 ? `npm exited with ${code}` : !existsSync(join(pkgDir, 'package.json')) ? `npm did not install ${TFJS_NODE} (its install script failed)` : 'the binding was not built';
      throw new InstallError(`${why}${served ? '' : '; the installer never asked for the libraries'}`, '', logFile);
    }
    ok = true;
    return { action: present ? 'rebuilt' : 'installed', pkgDir, binding, version: source.version };
  } catch (e) {
    if (e instanceof InstallError) {
      await new Promise<void>((r) => log.end(r));
      throw new InstallError(e.message, logSummary(readFileSync(logFile, 'utf8')), logFile);
    }
    throw e;
  } finally {
    server.closeAllConnections?.();
    server.close();
    if (!log.closed) await new Promise<void>((r) => log.end(r));
    if (ok) rmSync(logDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Checking the result against WASM

/**
 * Ops checked, as the source of a function of `tf` (run in a child on tfjs-node, and here
 * on wasm): the products, fused activations, softmax/log/reductions and comparisons the
 * training loop uses, on fixed pseudo-random inputs. Returns name → values.
 */
export const VERIFY_OPS = `(tf) => {
  const r = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s * 78.233) * 2);
  const a = tf.tensor2d(r(64 * 32, 1), [64, 32]);
  const b = tf.tensor2d(r(32 * 16, 2), [32, 16]);
  const bt = tf.tensor2d(r(16 * 32, 3), [16, 32]);
  const bias = tf.tensor1d(r(16, 4));
  const z = tf.matMul(a, b);
  const out = {
    matMul: z,
    matMulTransposed: tf.matMul(a, bt, false, true),
    matMulBatched: tf.matMul(tf.reshape(a, [1, 64, 32]), tf.reshape(b, [1, 32, 16]), false, false),
    fusedRelu: tf.fused.matMul({ a, b, bias, activation: 'relu' }),
    fusedSigmoid: tf.fused.matMul({ a, b, bias, activation: 'sigmoid' }),
    tanh: tf.tanh(z),
    softmax: tf.softmax(z),
    logSoftmax: tf.log(tf.add(tf.softmax(z), 1e-30)),
    sumRows: tf.sum(z, 0),
    transpose: tf.transpose(a),
    argMax: tf.argMax(z, 1),
    countEqual: tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), tf.argMax(tf.matMul(a, bt, false, true), 1)), 'float32')),
    sqrtDiv: tf.div(tf.abs(z), tf.add(tf.sqrt(tf.abs(z)), 1e-8)),
  };
  const res = {};
  for (const k of Object.keys(out)) res[k] = Array.from(out[k].dataSync());
  return res;
}`;

export type OpResults = Record<string, number[]>;

export function runVerifyOps(tf: unknown): OpResults {
  return new Function('tf', `return (${VERIFY_OPS})(tf);`)(tf) as OpResults;
}

/** Worst |a - b| / max(1, |b|) per op; names missing on one side are Infinity. */
export function compareOps(got: OpResults, ref: OpResults): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(ref)) {
    const a = got[k];
    const b = ref[k];
    if (!a || a.length !== b.length) {
      out[k] = Infinity;
      continue;
    }
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    out[k] = worst;
  }
  return out;
}

export interface NativeRun {
  ok: boolean;
  backend?: string;
  /** libtensorflow's own version string (TF_Version), e.g. "2.21.0". */
  tfVersion?: string;
  results?: OpResults;
  error?: string;
}

/** Runs VERIFY_OPS on the tfjs-node at `pkgDir` in a child process. */
export function runOpsOnNative(pkgDir: string, timeoutMs = 120_000): Promise<NativeRun> {
  const script = `
    const tf = require(${JSON.stringify(pkgDir)});
    const results = (${VERIFY_OPS})(tf);
    let tfVersion;
    try { tfVersion = tf.backend().binding.TF_Version; } catch {}
    process.stdout.write(JSON.stringify({ ok: true, backend: tf.getBackend(), tfVersion, results }));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as NativeRun);
      } catch {
        const last = err.trim().split('\n').filter(Boolean).pop();
        resolve({ ok: false, error: signal ? `crashed with ${signal}` : `exit ${code}: ${last ?? 'no output'}` });
      }
    });
  });
}
