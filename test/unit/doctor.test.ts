/**
 * `blobs doctor` and the parts of --native-from that need no TensorFlow: reading wheels
 * (zip, zip64, CRC), installations as folders, the deps/ layout tfjs-node expects, the
 * tarball its installer downloads, npm's environment. The real wheel end to end is
 * test/unit/native.test.ts.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync, crc32 } from 'node:zlib';
import { depsEntries, openTfSource, SourceError, versionFromHeader, zipEntries, zipEntryStream, TFJS_LIB_VERSION } from '../../src/cli/tfSource';
import { compareOps, logSummary, npmEnv, serveTarball, TARBALL, tarHeader, tarSize, tarStream, tfjsNodeSpec } from '../../src/cli/nativeInstall';
import { formatDevices } from '../../src/cli/doctor';

const root = join(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const blobs = (args: string[]) => spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'blobs-doctor-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const VERSION_H = '#define TF_MAJOR_VERSION 2\n#define TF_MINOR_VERSION 21\n#define TF_PATCH_VERSION 0\n';

/** A TensorFlow-shaped file set: two "libraries", the headers the binding needs, and noise. */
const FILES: Record<string, string> = {
  'tensorflow/libtensorflow_cc.so.2': 'CC'.repeat(700),
  'tensorflow/libtensorflow_framework.so.2': 'FW',
  'tensorflow/include/tensorflow/c/c_api.h': '// c api\n',
  'tensorflow/include/tensorflow/c/eager/c_api.h': '// eager\n',
  'tensorflow/include/tensorflow/core/platform/ctstring.h': '//\n',
  'tensorflow/include/tensorflow/core/public/version.h': VERSION_H,
  'tensorflow/include/tsl/platform/ctstring_internal.h': '//\n',
  'tensorflow/include/xla/tsl/c/tsl_status.h': '//\n',
  'tensorflow/include/xla/service/big.h': 'not needed',
  'tensorflow/python/thing.py': 'not needed',
  'tensorflow_cpu-2.21.0.dist-info/METADATA': 'Name: tensorflow-cpu',
};

/** A zip file of FILES (deflated, except where `stored`), optionally in zip64 form. */
function makeZip(files: Record<string, string>, opts: { zip64?: boolean; corrupt?: string } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const stored = name.endsWith('.h');
    let body = stored ? data : deflateRawSync(data);
    const crc = crc32(data) >>> 0;
    if (opts.corrupt === name) body = Buffer.from(body.map((b, i) => (i === 0 ? b ^ 0xff : b)));
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, body);
    const extra = opts.zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (opts.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(stored ? 0 : 8, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 42);
    central.push(c, nameBuf, extra);
    offset += 30 + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(central);
  const n = Object.keys(files).length;
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(n), 24);
    rec.writeBigUInt64LE(BigInt(n), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : n, 8);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : n, 10);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

describe('reading TensorFlow installations', () => {
  test('a wheel (zip) and a zip64 one: the libraries, the needed headers only, the version', async () => {
    for (const zip64 of [false, true]) {
      const whl = join(tmp, `tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64${zip64 ? '-z64' : ''}.whl`);
      writeFileSync(whl, makeZip(FILES, { zip64 }));
      const s = openTfSource(whl);
      try {
        assert.equal(s.kind, 'wheel');
        assert.equal(s.version, '2.21.0');
        assert.deepEqual(s.files.map((f) => f.path).sort(), [
          'include/tensorflow/c/c_api.h',
          'include/tensorflow/c/eager/c_api.h',
          'include/tensorflow/core/platform/ctstring.h',
          'include/tsl/platform/ctstring_internal.h',
          'include/xla/tsl/c/tsl_status.h',
          'libtensorflow_cc.so.2',
          'libtensorflow_framework.so.2',
        ]);
        assert.equal(await text(s.open('libtensorflow_cc.so.2')), FILES['tensorflow/libtensorflow_cc.so.2']);
        assert.equal(await text(s.open('include/tensorflow/c/c_api.h')), '// c api\n');
      } finally {
        s.close();
      }
    }
  });

  test('a damaged entry fails its CRC check instead of being staged', async () => {
    const whl = join(tmp, 'damaged.whl');
    writeFileSync(whl, makeZip(FILES, { corrupt: 'tensorflow/libtensorflow_framework.so.2' }));
    const s = openTfSource(whl);
    try {
      await assert.rejects(text(s.open('libtensorflow_framework.so.2')), /damaged|invalid/);
    } finally {
      s.close();
    }
    const fd = openSync(whl, 'r');
    try {
      const e = zipEntries(fd, whl).find((x) => x.name === 'tensorflow/libtensorflow_cc.so.2')!;
      assert.equal(await text(zipEntryStream(whl, fd, e)), FILES['tensorflow/libtensorflow_cc.so.2']);
    } finally {
      closeSync(fd);
    }
  });

  test('folders: site-packages, its tensorflow/ folder, a folder holding one wheel', () => {
    const site = join(tmp, 'site-packages');
    for (const [p, t] of Object.entries(FILES)) {
      mkdirSync(join(site, p, '..'), { recursive: true });
      writeFileSync(join(site, p), t);
    }
    for (const origin of [site, join(site, 'tensorflow')]) {
      const s = openTfSource(origin);
      assert.equal(s.kind, 'folder');
      assert.equal(s.version, '2.21.0');
      assert.equal(s.files.length, 7);
    }
    const dl = join(tmp, 'pip-download');
    mkdirSync(dl);
    writeFileSync(join(dl, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'), makeZip(FILES));
    writeFileSync(join(dl, 'tensorboard-2.21.0-py3-none-any.whl'), 'not this one');
    const s = openTfSource(dl);
    assert.equal(s.kind, 'wheel');
    s.close();
  });

  test('what is not a TensorFlow installation says so', () => {
    assert.throws(() => openTfSource(join(tmp, 'nope.whl')), (e: unknown) => e instanceof SourceError && /no such file or folder/.test(e.message));
    writeFileSync(join(tmp, 'x.txt'), 'x');
    assert.throws(() => openTfSource(join(tmp, 'x.txt')), /expected a \.whl file/);
    writeFileSync(join(tmp, 'notzip.whl'), 'plain text');
    assert.throws(() => openTfSource(join(tmp, 'notzip.whl')), /not a zip file/);
    const { 'tensorflow/libtensorflow_framework.so.2': _, ...noFw } = FILES;
    writeFileSync(join(tmp, 'nofw.whl'), makeZip(noFw));
    assert.throws(() => openTfSource(join(tmp, 'nofw.whl')), /has no tensorflow\/libtensorflow_framework\.so\.2/);
    mkdirSync(join(tmp, 'empty'));
    assert.throws(() => openTfSource(join(tmp, 'empty')), /not a TensorFlow installation/);
    assert.equal(versionFromHeader('#define TF_MAJOR_VERSION 2\n'), undefined);
  });
});

describe("tfjs-node's deps/ layout and the tarball its installer downloads", () => {
  test('libraries under their own names, links under the names tfjs-node 4.22 uses; a tar that tar(1) unpacks as such', async () => {
    const whl = join(tmp, 'tensorflow_cpu-2.21.0-cp311-none-linux_x86_64.whl');
    writeFileSync(whl, makeZip(FILES));
    const s = openTfSource(whl);
    const entries = depsEntries(s);
    const links = Object.fromEntries(entries.filter((e) => e.kind === 'link').map((e) => [e.path, (e as { target: string }).target]));
    assert.deepEqual(links, {
      [`lib/libtensorflow.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_cc.so.2',
      'lib/libtensorflow.so.2': 'libtensorflow_cc.so.2',
      'lib/libtensorflow.so': 'libtensorflow_cc.so.2',
      [`lib/libtensorflow_framework.so.${TFJS_LIB_VERSION}`]: 'libtensorflow_framework.so.2',
      'lib/libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    });
    const tarFile = join(tmp, 'deps.tar');
    const bytes: Buffer[] = [];
    for await (const c of tarStream(s, entries)) bytes.push(c as Buffer);
    const tar = Buffer.concat(bytes);
    assert.equal(tar.length, tarSize(entries), 'tarSize is exact (it is the Content-Length)');
    writeFileSync(tarFile, tar);
    const out = join(tmp, 'deps');
    mkdirSync(out);
    const r = spawnSync('tar', ['-xf', tarFile, '-C', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(out, 'lib/libtensorflow_cc.so.2'), 'utf8'), FILES['tensorflow/libtensorflow_cc.so.2']);
    assert.equal(lstatSync(join(out, 'lib/libtensorflow.so.2.9.1')).isSymbolicLink(), true);
    assert.equal(readlinkSync(join(out, 'lib/libtensorflow.so.2.9.1')), 'libtensorflow_cc.so.2');
    assert.equal(readFileSync(join(out, 'lib/libtensorflow_framework.so'), 'utf8'), 'FW');
    assert.equal(readFileSync(join(out, 'include/tensorflow/c/eager/c_api.h'), 'utf8'), '// eager\n');
    assert.equal(lstatSync(join(out, 'lib/libtensorflow_cc.so.2')).mode & 0o777, 0o755);
    s.close();
  });

  test('long paths use the ustar prefix field', () => {
    const long = `include/${'d/'.repeat(60)}file.h`;
    const h = tarHeader(long, 3, 0o644, '0', '', 0);
    const field = (o: number, n: number) => h.subarray(o, o + n).toString('utf8').replace(/\0.*$/s, '');
    assert.equal(`${field(345, 155)}/${field(0, 100)}`, long);
    assert.throws(() => tarHeader('x'.repeat(120), 0, 0o644, '0'), /path too long/);
  });

  test('the local server serves the CPU tarball with its length and 404s the rest (the GPU one)', async () => {
    const whl = join(tmp, 'tensorflow_cpu-2.21.0-cp311-none-any.whl');
    writeFileSync(whl, makeZip(FILES));
    const s = openTfSource(whl);
    const entries = depsEntries(s);
    const { server, baseUri, requests } = await serveTarball(s, entries);
    const fetchIt = (url: string) =>
      new Promise<{ status?: number; length?: string; bytes: number }>((res, rej) =>
        get(url, (r) => {
          let bytes = 0;
          r.on('data', (c: Buffer) => (bytes += c.length));
          r.on('end', () => res({ status: r.statusCode, length: r.headers['content-length'], bytes }));
        }).on('error', rej),
      );
    try {
      assert.match(baseUri, /^http:\/\/127\.0\.0\.1:\d+\/libtensorflow-$/);
      const ok = await fetchIt(`${baseUri}${TARBALL}`);
      assert.equal(ok.status, 200);
      assert.equal(Number(ok.length), tarSize(entries));
      assert.equal(ok.bytes, tarSize(entries));
      assert.equal((await fetchIt(`${baseUri}gpu-linux-x86_64-2.9.1.tar.gz`)).status, 404);
      assert.equal(requests.length, 2);
    } finally {
      server.close();
      s.close();
    }
  });
});

describe('npm, versions, comparisons', () => {
  test("proxies move into npm's config (the installer would send 127.0.0.1 through them); the build is from source", () => {
    const env = npmEnv('http://127.0.0.1:1/libtensorflow-', { PATH: '/bin', HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'http://proxy:80', TFJS_NODE_CDN_STORAGE: 'x' });
    assert.equal(env.TFJS_NODE_BASE_URI, 'http://127.0.0.1:1/libtensorflow-');
    assert.equal(env.npm_config_build_from_source, 'true');
    assert.equal(env.npm_config_https_proxy, 'http://proxy:3128');
    assert.equal(env.npm_config_proxy, 'http://proxy:80');
    for (const k of ['HTTPS_PROXY', 'http_proxy', 'TFJS_NODE_CDN_STORAGE']) assert.equal(env[k], undefined, k);
  });

  test('the tfjs-node version comes from the lock, else package.json', () => {
    assert.match(tfjsNodeSpec(root), /^\d+\.\d+\.\d+$/);
    const p = join(tmp, 'proj');
    mkdirSync(p);
    writeFileSync(join(p, 'package.json'), JSON.stringify({ dependencies: { '@tensorflow/tfjs-node': '^4.20.0' } }));
    assert.equal(tfjsNodeSpec(p), '^4.20.0');
    writeFileSync(join(p, 'package-lock.json'), JSON.stringify({ packages: { 'node_modules/@tensorflow/tfjs-node': { version: '4.21.0' } } }));
    assert.equal(tfjsNodeSpec(p), '4.21.0');
  });

  test("a failed build shows the compiler's error lines, not node-gyp's boilerplate", () => {
    const log = [
      'node-pre-gyp install failed with error: Error: Command failed',
      '../binding/tfjs_backend.h:26:10: fatal error: tensorflow/c/eager/c_api.h: No such file or directory',
      'gyp ERR! build error',
      'npm error code 1',
    ].join('\n');
    assert.equal(logSummary(log), '../binding/tfjs_backend.h:26:10: fatal error: tensorflow/c/eager/c_api.h: No such file or directory');
    assert.equal(logSummary('a\nb\n'), 'a\nb');
  });

  test('without the build tools: exit 1 naming them, before anything is installed', () => {
    const whl = join(tmp, 'tensorflow_cpu-2.21.0-cp311-none-tools.whl');
    writeFileSync(whl, makeZip(FILES));
    const p = join(tmp, 'proj-tools');
    mkdirSync(p);
    writeFileSync(join(p, 'package.json'), '{}');
    const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), 'doctor', '--native-from', whl, '--root', p], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: join(tmp, 'no-tools-here') },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot build tfjs-node's binding: npm, make, a C\+\+ compiler \(g\+\+\), python3 not found on PATH/);
    assert.equal(existsSync(join(p, 'node_modules')), false);
  });

  test('op comparison: relative to max(1, |ref|); a missing op is infinitely wrong', () => {
    const d = compareOps({ a: [1, 100.001], b: [0] }, { a: [1, 100], b: [0], c: [1] });
    assert.ok(Math.abs(d.a - 1e-5) < 1e-9);
    assert.equal(d.b, 0);
    assert.equal(d.c, Infinity);
  });
});

describe('blobs doctor', () => {
  test('lists every device with why; wasm and js are available here', () => {
    const r = blobs(['doctor', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const { devices } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(devices.map((d: { device: string }) => d.device), ['gpu', 'cpu', 'wasm', 'js']);
    const by = Object.fromEntries(devices.map((d: { device: string }) => [d.device, d]));
    assert.equal(by.wasm.available, true);
    assert.equal(by.js.available, true);
    assert.deepEqual(by.gpu.routes.map((x: { route: string }) => x.route), ['tfjs-node-gpu (CUDA)', 'WebGPU (Dawn)']);
    for (const d of devices) assert.ok(d.detail.length > 0, `${d.device} says why`);
    const text = formatDevices(devices);
    assert.match(text, /^Devices:\n  gpu /);
    if (!by.cpu.available) assert.match(text, /blobs doctor --native-from DIR/);
  });

  test('bad --native-from: exit 2 and what was expected, nothing touched', () => {
    const r = blobs(['doctor', '--native-from', join(tmp, 'missing.whl'), '--root', tmp]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.whl: no such file or folder/);
    assert.equal(existsSync(join(tmp, 'node_modules')), false);
    const u = blobs(['doctor', 'extra']);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /unexpected argument "extra"/);
  });
});
