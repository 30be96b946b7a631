/**
 * Hostile input through the real `blobs` process (issue 15), each case in a scratch
 * folder: special files as specs and as data, a 50 MB spec, prototype-named keys, other
 * encodings, signals, unwritable output, non-finite predictions. Several files go
 * through one `validate` call where the verb allows it, to keep the process count low.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { validateSpecText } from '../../src/core/spec/validate';

const root = join(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const main = join(root, 'src/cli/main.ts');
const linux = process.platform === 'linux';

function blobs(args: string[], cwd: string, input?: string): { code: number | null; stdout: string; stderr: string } {
  // A hang is the failure this guards against: the timeout makes it a clear one.
  const r = spawnSync(process.execPath, ['--import', tsx, main, ...args], { cwd, encoding: 'utf8', timeout: 60_000, input, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.signal, null, `blobs ${args.join(' ')} was killed (${r.signal}): it hung`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');

let tmp: string;
let sock: Server | undefined;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'blobs-hostile-cli-'));
});
after(() => {
  sock?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function scratch(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('special files given as the spec', () => {
  test('devices, pipes, /proc, folders, links to them: one clear line each, exit 2, no hang', { skip: !linux && 'Linux special files' }, () => {
    const d = scratch('spec-files');
    execFileSync('mkfifo', [join(d, 'pipe.blobs.json')]);
    symlinkSync('/dev/zero', join(d, 'zero.blobs.json'));
    symlinkSync('/proc/self/environ', join(d, 'env.blobs.json'));
    const files = ['/dev/zero', '/dev/urandom', 'pipe.blobs.json', 'zero.blobs.json', '/proc/self/environ', 'env.blobs.json', '.'];
    const r = blobs(['validate', '--json', ...files], d);
    assert.equal(r.code, 2);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; valid: boolean; error?: string });
    assert.deepEqual(out.map((o) => o.file), files);
    const expect = [/is a device, not a regular file/, /is a device/, /is a named pipe, not a regular file/, /is a device/, /is a system file \(under \/proc\)/, /is a system file/, /is a folder/];
    out.forEach((o, i) => {
      assert.equal(o.valid, false);
      assert.match(o.error ?? '', expect[i], o.file);
    });
    assert.doesNotMatch(r.stdout, /PATH=|HOME=/, 'nothing of the environment');
    // data and train read the spec the same way.
    for (const verb of ['data', 'train']) {
      const v = blobs([verb, 'pipe.blobs.json'], d);
      assert.equal(v.code, 2, verb);
      assert.match(v.stderr, /pipe\.blobs\.json: is a named pipe/);
      noStack(v.stderr);
    }
  });

  test('a 50 MB spec with 2.5 million centres: refused from its size, in every verb and in the validator', () => {
    const d = scratch('big');
    // As a pretty-printer writes it: one centre per line, indented.
    const rows = Array.from({ length: 2_500_000 }, (_, i) => `      [${((i % 2000) - 1000) / 100}, ${(((i * 7) % 2000) - 1000) / 100}]`);
    const text = `{\n  "name": "big",\n  "data": {\n    "centers": [\n${rows.join(',\n')}\n    ]\n  }\n}\n`;
    rows.length = 0;
    assert.ok(text.length > 50e6, `${text.length} characters`);
    writeFileSync(join(d, 'big.blobs.json'), text);
    for (const verb of ['validate', 'data', 'train']) {
      const r = blobs([verb, 'big.blobs.json'], d);
      assert.equal(r.code, 2, `${verb}: ${r.stderr}`);
      assert.match(r.stdout + r.stderr, /big\.blobs\.json: is \d+(\.\d)? MiB \([\d,]+ bytes\); the limit is 4 MiB/, verb);
      assert.match(r.stdout + r.stderr, /large data belongs in a CSV file/, verb);
    }
    // The editor has the text, not the file: one problem, nothing parsed.
    const v = validateSpecText(text);
    assert.equal(v.problems.length, 1);
    assert.match(v.problems[0].message, /characters long; a spec may have at most 4,194,304/);
  });

  test('a sparse file past the limit is judged by its size alone', () => {
    const d = scratch('sparse');
    writeFileSync(join(d, 's.blobs.json'), '{}');
    truncateSync(join(d, 's.blobs.json'), 4 * 1024 * 1024 + 1);
    const r = blobs(['validate', 's.blobs.json'], d);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /s\.blobs\.json: is 4 MiB \(4,194,305 bytes\); the limit is 4 MiB \(4,194,304 bytes\)/);
  });

  test('UTF-16 (LE/BE, with or without a BOM) and Latin-1 specs: "save it as UTF-8", not 209 syntax errors', () => {
    const d = scratch('enc');
    const spec = '{"seed": 1, "name": "café"}\n';
    writeFileSync(join(d, 'le.blobs.json'), Buffer.from('\ufeff' + spec, 'utf16le'));
    writeFileSync(join(d, 'be.blobs.json'), Buffer.from('\ufeff' + spec, 'utf16le').swap16());
    writeFileSync(join(d, 'nobom.blobs.json'), Buffer.from(spec, 'utf16le'));
    writeFileSync(join(d, 'latin1.blobs.json'), Buffer.from(spec, 'latin1'));
    writeFileSync(join(d, 'bom8.blobs.json'), '\ufeff' + spec);
    const r = blobs(['validate', 'le.blobs.json', 'be.blobs.json', 'nobom.blobs.json', 'latin1.blobs.json', 'bom8.blobs.json'], d);
    assert.equal(r.code, 2);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^le\.blobs\.json: is saved as UTF-16 \(little-endian\), not UTF-8; a spec must be UTF-8: save it again as UTF-8/);
    assert.match(lines[1], /^be\.blobs\.json: is saved as UTF-16 \(big-endian\)/);
    assert.match(lines[2], /^nobom\.blobs\.json: looks like UTF-16 text/);
    assert.match(lines[3], /^latin1\.blobs\.json: is not valid UTF-8: byte 0xE9 at line 1, column 25/);
    assert.equal(lines[4], 'bom8.blobs.json: valid', 'UTF-8 with a BOM is fine');
    const t = blobs(['train', 'le.blobs.json'], d);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /^blobs train: le\.blobs\.json: is saved as UTF-16 \(little-endian\)/);
  });
});

describe('CSV data paths', () => {
  test('devices, pipes, sockets, /proc and paths outside, direct or linked: refused by the path rule, exit 2, nothing quoted', { skip: !linux && 'Linux special files', timeout: 120_000 }, async () => {
    const d = scratch('csv');
    const secret = join(tmp, 'secret.csv');
    writeFileSync(secret, 'API_KEY=hunter2,1,a\n2,3,b\n');
    mkdirSync(join(d, 'sub'));
    execFileSync('mkfifo', [join(d, 'pipe.csv')]);
    sock = createServer();
    await new Promise<void>((r) => sock!.listen(join(d, 'sock.csv'), r));
    symlinkSync('/dev/zero', join(d, 'zero.csv'));
    symlinkSync('/proc/self/environ', join(d, 'env.csv'));
    symlinkSync(secret, join(d, 'secret-link.csv'));
    symlinkSync(join(d, 'pipe.csv'), join(d, 'pipe-link.csv'));
    const cases: [string, string, RegExp][] = [
      ['/dev/zero', 'csv-path', /is outside/],
      ['/dev/urandom', 'csv-path', /is outside/],
      ['zero.csv', 'csv-path', /is outside .*\(it leads to \/dev\/zero\)/],
      ['pipe.csv', 'csv-path', /is a named pipe, not a regular file/],
      ['pipe-link.csv', 'csv-path', /is a named pipe/],
      ['sock.csv', 'csv-path', /is a socket/],
      ['/proc/self/environ', 'csv-path', /is outside/],
      ['env.csv', 'csv-path', /is outside/],
      ['../secret.csv', 'csv-path', /is outside/],
      [secret, 'csv-path', /is outside/],
      ['secret-link.csv', 'csv-path', /is outside/],
      ['../../../../../../../../etc/passwd', 'csv-path', /is outside/],
    ];
    const files = cases.map(([path], i) => {
      const f = `c${i}.blobs.json`;
      writeFileSync(join(d, f), JSON.stringify({ data: { generator: 'csv', path } }));
      return f;
    });
    const r = blobs(['validate', '--json', ...files], d);
    assert.equal(r.code, 2);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; problems: { code: string; message: string }[] });
    cases.forEach(([path, code, re], i) => {
      const p = out[i].problems.find((x) => x.code === code);
      assert.ok(p, `${path}: ${JSON.stringify(out[i].problems)}`);
      assert.match(p.message, re, path);
      assert.match(p.message, /^`data\.path`: /);
    });
    assert.doesNotMatch(r.stdout, /hunter2|PATH=|HOME=|root:x:/, 'nothing of any refused file');
    // The verbs that load the data refuse the same, before any read (a pipe would block).
    for (const [verb, f] of [['data', files[3]], ['train', files[3]], ['data', files[2]]] as const) {
      const v = blobs([verb, f], d);
      assert.equal(v.code, 2, `${verb} ${f}: ${v.stderr}`);
      assert.match(v.stderr, /is a named pipe|is outside/);
      noStack(v.stderr);
    }
  });
});

describe('keys named like Object.prototype members', () => {
  test('toString, constructor, valueOf, __proto__ (with a seed inside): unknown keys in validate, data and train', () => {
    const d = scratch('proto');
    const names = ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty'];
    for (const k of names) writeFileSync(join(d, `${k}.blobs.json`), `{"${k}": {"seed": 7}, "data": {"${k}": 1}, "training": {"epochs": 2}}`);
    const v = blobs(['validate', ...names.map((k) => `${k}.blobs.json`)], d);
    assert.equal(v.code, 0, v.stdout);
    for (const k of names) {
      assert.match(v.stdout, new RegExp(`${k}\\.blobs\\.json:1:2: warning: Unknown key \`${k}\` at the top level; it is ignored\\.`));
      assert.match(v.stdout, new RegExp(`warning: Unknown key \`${k}\` in \`data\``));
    }
    assert.doesNotMatch(v.stdout, /Internal error/);
    const data = blobs(['data', '__proto__.blobs.json', '-f', 'csv'], d);
    assert.equal(data.code, 0, data.stderr);
    assert.match(data.stderr, /warning: Unknown key `__proto__` at the top level/);
    const train = blobs(['train', 'toString.blobs.json', '--device', 'js', '--quiet', '--no-save'], d);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stderr, /toString\.blobs\.json:1:2: warning: Unknown key `toString` at the top level/);
  });
});

describe('blobs train', () => {
  const spec = (dir: string, name: string, over: object) => {
    writeFileSync(join(dir, name), JSON.stringify({ ...NOTEBOOK_SPEC, device: 'js', ...over }));
    return name;
  };

  test("one verdict: validate's warnings on stderr, and as log events with --json", () => {
    const d = scratch('warn');
    writeFileSync(join(d, 'w.blobs.json'), '{"epochs": 3, "training": {"epochs": 2}, "device": "js"}');
    const warning = 'w.blobs.json:1:2: warning: Unknown key `epochs` at the top level; it is ignored. `epochs` belongs in `training`';
    assert.ok(blobs(['validate', 'w.blobs.json'], d).stdout.includes(warning));
    const j = blobs(['train', 'w.blobs.json', '--json', '--no-frames', '--no-save'], d);
    assert.equal(j.code, 0, j.stderr);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events[0].type, 'log');
    assert.equal(events[0].level, 'warn');
    assert.ok(events[0].message.includes(warning), events[0].message);
    assert.equal(events.filter((e) => e.type === 'epoch').length, 2, 'training.epochs wins; the misplaced key is ignored, as validate said');
    const t = blobs(['train', 'w.blobs.json', '--quiet', '--no-save'], d);
    assert.equal(t.code, 0);
    assert.ok(t.stderr.includes(warning), t.stderr);
  });

  test('--out naming a file (the spec itself): refused before training, exit 2, the file untouched', () => {
    const d = scratch('out-file');
    const f = spec(d, 's.blobs.json', {});
    const before = readFileSync(join(d, f), 'utf8');
    const r = blobs(['train', f, '--out', f], d);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out s\.blobs\.json is a file, not a folder: runs are saved in folders .* Nothing was trained\./);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(join(d, f), 'utf8'), before);
  });

  /** Starts `blobs train ... --json`; calls `onEpoch` once, at the first epoch event. */
  function trainUntilEpoch(dir: string, args: string[], onEpoch: (child: ReturnType<typeof spawn>) => void) {
    const child = spawn(process.execPath, ['--import', tsx, main, 'train', ...args, '--json', '--no-frames'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      if (!out.includes('"type":"epoch"') && s.includes('"type":"epoch"')) onEpoch(child);
      out += s;
    });
    return new Promise<{ code: number | null; events: { type: string; [k: string]: unknown }[]; err: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, err, events: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) })),
    );
  }

  test('SIGTERM (timeout, docker stop) is Ctrl-C: the run is saved marked cancelled, exit 143', async () => {
    const d = scratch('sigterm');
    const f = spec(d, 'four.blobs.json', { training: { ...NOTEBOOK_SPEC.training, epochs: 1_000_000 } });
    const r = await trainUntilEpoch(d, [f], (c) => c.kill('SIGTERM'));
    assert.equal(r.code, 143, r.err);
    assert.equal(r.events.at(-2)?.type, 'cancelled');
    const summary = r.events.at(-1) as { status?: string; artifacts_dir?: string };
    assert.equal(summary.status, 'cancelled');
    const runs = readdirSync(join(d, '.blob-runs', 'four'));
    assert.equal(runs.length, 1);
    assert.equal(JSON.parse(readFileSync(join(d, '.blob-runs', 'four', runs[0], 'summary.json'), 'utf8')).status, 'cancelled');
  });

  test('a run that cannot be saved fails the command: exit 1, with the reason', async () => {
    const d = scratch('unsaved');
    const f = spec(d, 'four.blobs.json', { training: { ...NOTEBOOK_SPEC.training, epochs: 1_000_000 } });
    mkdirSync(join(d, 'runs'));
    // The output folder becomes a file while training: the save at the end fails.
    const r = await trainUntilEpoch(d, [f, '--out', 'runs'], (c) => {
      rmSync(join(d, 'runs'), { recursive: true });
      writeFileSync(join(d, 'runs'), 'in the way');
      c.kill('SIGINT');
    });
    assert.equal(r.code, 1, r.err);
    const warn = r.events.find((e) => e.type === 'log' && e.level === 'warn' && String(e.message).startsWith("Could not write the run's artifacts"));
    assert.ok(warn, JSON.stringify(r.events.filter((e) => e.type === 'log')));
    assert.equal((r.events.at(-1) as { artifacts_dir?: string }).artifacts_dir, undefined);
    assert.equal(readFileSync(join(d, 'runs'), 'utf8'), 'in the way');
  });
});

describe('blobs predict', () => {
  test('refuses non-finite inputs (1e400) and inputs float32 cannot hold (1e300): exit 2, no NaN table', () => {
    const d = scratch('predict');
    writeFileSync(join(d, 'p.blobs.json'), JSON.stringify({ ...NOTEBOOK_SPEC, device: 'js', training: { ...NOTEBOOK_SPEC.training, epochs: 3 } }));
    assert.equal(blobs(['train', 'p.blobs.json', '--quiet'], d).code, 0);
    const run = join(d, '.blob-runs', 'p', readdirSync(join(d, '.blob-runs', 'p'))[0]);
    for (const args of [['1', '-1e400'], ['1e300', '0']]) {
      const r = blobs(['predict', run, ...args], d);
      assert.equal(r.code, 2, `${args}: ${r.stdout}`);
      assert.match(r.stderr, /feature values must be finite numbers the model's 32-bit floats can hold/);
      assert.doesNotMatch(r.stdout, /NaN|undefined/);
    }
    const ok = blobs(['predict', run, '--', '-8.4', '6.9'], d);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /predicted: \d/);
    // A model whose weights are NaN (a diverged run) gives no probabilities: exit 1, said so.
    const weights = join(run, 'model', 'weights.bin');
    writeFileSync(weights, Buffer.alloc(readFileSync(weights).length, 0xff));
    const nan = blobs(['predict', run, '1', '2'], d);
    assert.equal(nan.code, 1, nan.stdout);
    assert.match(nan.stderr, /the model gives no finite probabilities for \(1, 2\)/);
    assert.doesNotMatch(nan.stdout, /NaN|undefined/);
  });
});
