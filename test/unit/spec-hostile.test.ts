/**
 * Hostile specs (issue 15): a spec comes from a course, a download or a cloned repository
 * and is validated as soon as it is opened. Each class of attack is covered in general:
 * every Object.prototype name as a key, every list past its limit, any special file or
 * path outside the spec's folder as data, any non-UTF-8 encoding.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSpecText } from '../../src/core/spec/validate';
import { LIMITS } from '../../src/core/spec/types';
import { MAX_PROBLEMS } from '../../src/core/spec/check';
import { FileRuleError, decodeSpecBytes, firstInvalidUtf8, locateDataFile, readSpecFile } from '../../src/core/spec/files';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { check, expectProblem, pathText } from './spec-helpers';

const linux = process.platform === 'linux';
const noInternal = (r: ReturnType<typeof check>) =>
  assert.ok(!r.problems.some((p) => p.code === 'internal'), `internal error: ${r.problems.map((p) => p.message).join('; ')}`);

const tmp = mkdtempSync(join(tmpdir(), 'blobs-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('keys are data, not properties', () => {
  // Every name an object inherits, plus the ones that reach the prototype itself.
  const names = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype', 'constructor'])];

  test(`each of ${names.length} Object.prototype names is an unknown key, in every section`, () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const k of names) {
      for (const [where, spec] of [
        ['at the top level', `{${JSON.stringify(k)}: {"seed": 7}}`],
        ['in `data`', `{"data": {${JSON.stringify(k)}: 1}}`],
        ['in `training`', `{"training": {${JSON.stringify(k)}: {"lr": 5}}}`],
        ['in `model`', `{"model": {${JSON.stringify(k)}: []}}`],
        ['in `boundary`', `{"boundary": {${JSON.stringify(k)}: null}}`],
      ] as const) {
        const r = check(spec);
        noInternal(r);
        const p = r.problems.find((x) => x.code === 'unknown-key');
        assert.ok(p, `${k} ${where}: ${JSON.stringify(r.problems)}`);
        assert.ok(p.message.startsWith(`Unknown key \`${k}\` ${where}; it is ignored.`), p.message);
        // Nothing inherited is suggested as the key's home ("`toString` belongs in `model`").
        assert.doesNotMatch(p.message, /belongs in/, p.message);
        assert.ok(r.spec, `${k} ${where}: still valid (a warning only)`);
        assert.equal(r.spec.seed, 42, 'the default seed, not one smuggled in');
        assert.equal(r.spec.training.lr, 0.1);
      }
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before, 'Object.prototype unchanged');
    assert.equal(({} as { seed?: unknown }).seed, undefined);
    assert.equal(({} as { lr?: unknown }).lr, undefined);
  });

  test('__proto__ with a seed inside, at every depth: no prototype changes, ({}).seed stays undefined', () => {
    const texts = [
      '{"__proto__": {"seed": 7}}',
      '{"seed": 1, "__proto__": {"seed": 7, "data": {"generator": "csv"}}}',
      '{"data": {"__proto__": {"seed": 7, "n_samples": 3}}}',
      '{"training": {"__proto__": {"epochs": 1}}, "__proto__": null}',
      '{"data": {"centers": [{"__proto__": {"seed": 7}}]}}',
      '{"constructor": {"prototype": {"seed": 7}}}',
    ];
    for (const t of texts) {
      const r = check(t);
      noInternal(r);
      assert.equal(({} as { seed?: unknown }).seed, undefined, t);
      assert.equal(({} as { epochs?: unknown }).epochs, undefined, t);
      assert.equal(Object.getPrototypeOf({}), Object.prototype, t);
    }
    const r = check('{"seed": 1, "__proto__": {"seed": 7}}');
    assert.equal(r.spec?.seed, 1);
    expectProblem(r, { code: 'unknown-key', path: '__proto__', includes: ['Unknown key `__proto__`'] });
  });

  test('a polluted Object.prototype does not fill in a spec', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.epochs = 3;
    proto.seed = 7;
    try {
      const r = check('{}');
      assert.equal(r.spec?.seed, 42);
      assert.equal(r.spec?.training.epochs, 100);
    } finally {
      delete proto.epochs;
      delete proto.seed;
    }
  });

  test('keys with control or bidirectional characters are shown escaped and short', () => {
    const key = 'evil\u202e\u0000' + 'x'.repeat(500);
    const r = check({ [key]: 1 });
    const p = expectProblem(r, { code: 'unknown-key' });
    assert.ok(!/[\u202e\u0000]/.test(p.message), p.message);
    assert.match(p.message, /evil\\u202e\\u0000x+\.\.\./);
    assert.ok(p.message.length < 200, `${p.message.length} characters`);
  });
});

describe('limits before work', () => {
  test('a text over the size limit is one error, with its size and the limit; the limit itself is fine', () => {
    const over = '{"description": "' + 'x'.repeat(LIMITS.maxSpecBytes) + '"}';
    const r = validateSpecText(over);
    assert.equal(r.problems.length, 1);
    const p = r.problems[0];
    assert.equal(p.code, 'too-large');
    assert.match(p.message, new RegExp(`${over.length.toLocaleString('en-US')} characters long; a spec may have at most 4,194,304 \\(4 MiB\\)`));
    assert.deepEqual([p.range.offset, p.range.start.line], [0, 0]);
    const at = '{"description": "' + 'x'.repeat(LIMITS.maxSpecBytes - 20) + '"}';
    assert.ok(validateSpecText(at).spec, 'a spec of exactly the limit is read');
  });

  test('every list, anywhere, past the item limit: named by its path, before parsing', () => {
    const long = (n: number) => Array.from({ length: n }, () => 1);
    const over = LIMITS.maxListItems + 1;
    const cases: [unknown, string][] = [
      [{ data: { centers: long(over) } }, 'data.centers'],
      [{ data: { centers: [long(over)] } }, 'data.centers[0]'],
      [{ data: { n_samples: long(over) } }, 'data.n_samples'],
      [{ data: { cluster_std: long(over) } }, 'data.cluster_std'],
      [{ model: { hidden_units: long(over) } }, 'model.hidden_units'],
      [{ data: { center_box: long(over) } }, 'data.center_box'],
      [{ whatever: { deeper: [[], long(over)] } }, 'whatever.deeper[1]'],
      [long(over), ''],
      [{ data: Object.fromEntries(long(over).map((_, i) => [`k${i}`, i])) }, 'data'],
    ];
    for (const [spec, path] of cases) {
      const r = check(spec);
      assert.equal(r.problems.length, 1, JSON.stringify(r.problems.map((p) => p.message)));
      const p = r.problems[0];
      assert.equal(p.code, 'too-large');
      assert.equal(pathText(p), path);
      assert.match(p.message, /has more than 1,000 (items|keys)/);
      if (path) assert.ok(p.message.startsWith(`\`${path}\``), p.message);
    }
    // At the limit the scan lets it through; the field's own rule speaks.
    const r = check({ data: { centers: long(LIMITS.maxListItems) } });
    expectProblem(r, { path: 'data.centers', code: 'length', includes: ['at most 100 values, but it has 1000'] });
  });

  test('the whole spec past the value limit (many lists, each within its own limit)', () => {
    const lists = Array.from({ length: Math.ceil(LIMITS.maxSpecValues / LIMITS.maxListItems) + 1 }, () => Array.from({ length: LIMITS.maxListItems }, () => 0));
    const r = check({ data: { centers: lists } });
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].code, 'too-large');
    assert.match(r.problems[0].message, /more than 200,000 values/);
    // Bare garbage counts too: tokens without commas are values.
    const g = validateSpecText('{"a": [' + '1 '.repeat(LIMITS.maxSpecValues + 1) + ']}');
    assert.match(g.problems[0].message, /more than 200,000 values/);
  });

  test('the largest spec the limits allow (100 explicit centres x 1,000 features) is valid', () => {
    const centers = Array.from({ length: LIMITS.maxClasses }, (_, i) => Array.from({ length: LIMITS.maxFeatures }, (_, j) => -123.456789012345 + i + j / 7));
    const text = JSON.stringify({ data: { centers, n_samples: 1000 }, model: { hidden_units: [4] } }, null, 2);
    assert.ok(text.length < LIMITS.maxSpecBytes, `${text.length} characters`);
    const r = validateSpecText(text);
    assert.ok(r.spec, JSON.stringify(r.problems.slice(0, 3)));
  });

  test(`at most ${MAX_PROBLEMS} problems, then one that counts the rest (with the worst severity)`, () => {
    const r = check({ data: { centers: Array.from({ length: 100 }, () => Array.from({ length: 5 }, () => 'x')) } });
    assert.equal(r.problems.length, MAX_PROBLEMS + 1);
    const last = r.problems[MAX_PROBLEMS];
    assert.equal(last.code, 'more-problems');
    assert.equal(last.severity, 'error');
    assert.match(last.message, /^Only the first 200 problems are listed; 300 more are not shown\./);
    assert.equal(r.spec, undefined);
    // Warnings only, past the cap: still valid.
    const w = check(Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`unknown${i}`, 1])));
    assert.ok(w.spec);
    assert.equal(w.problems.at(-1)?.severity, 'warning');
  });

  test('syntax errors in a long text: messages stay short; a trailing comma behind many comments is still named', () => {
    const r = validateSpecText('{"seed": 1, ' + '/* c */ '.repeat(20_000) + '}');
    expectProblem(r, { code: 'trailing-comma', includes: ['trailing comma'] });
    const bare = validateSpecText('{"name": ' + 'x'.repeat(100_000) + '}');
    for (const p of bare.problems) assert.ok(p.message.length < 300, p.message.slice(0, 100));
  });
});

describe('data files stay inside', () => {
  const root = join(tmp, 'ws');
  const specDir = join(root, 'specs');
  mkdirSync(join(specDir, 'data'), { recursive: true });
  const specPath = join(specDir, 's.blobs.json');
  writeFileSync(join(specDir, 'data', 'ok.csv'), 'a,b,y\n1,2,x\n3,4,z\n');
  writeFileSync(join(root, 'shared.csv'), 'a,b,y\n1,2,x\n3,4,z\n');
  const secret = 'SECRET_TOKEN=' + 'z'.repeat(20) + 'hunter2' + 'z'.repeat(200);
  writeFileSync(join(tmp, 'secret.csv'), `${secret},1,a\n`);
  const csv = (path: string) => ({ data: { generator: 'csv', path } });
  const link = (name: string, target: string) => {
    const p = join(specDir, name);
    symlinkSync(target, p);
    return name;
  };
  let sock: Server | undefined;
  after(() => sock?.close());

  /** The path rule's error for `path`; nothing of `secret` in any message. */
  const refused = (path: string, code: string, includes: string[], opts: { dataRoot?: string } = {}) => {
    const r = check(csv(path), { specPath, ...opts });
    const p = expectProblem(r, { path: 'data.path', code, includes });
    for (const q of r.problems) assert.ok(!q.message.includes('hunter2'), q.message);
    return p;
  };

  test('any device, as a path or through a link in the folder: refused without opening it', () => {
    for (const dev of ['/dev/zero', '/dev/urandom', '/dev/null', '/dev/full', '/dev/tty', '/dev/stdin']) {
      if (!existsSync(dev)) continue;
      refused(dev, 'csv-path', ['is outside', "inside the spec's folder"]);
      refused(link(`dev-${dev.split('/').pop()}.csv`, dev), 'csv-path', ['is outside', 'it leads to']);
    }
  });

  test('anything under /proc (the environment, the command line), directly or through a link', { skip: !linux && 'Linux /proc' }, () => {
    for (const p of ['/proc/self/environ', '/proc/self/cmdline', '/proc/self/status', '/proc/cpuinfo']) {
      refused(p, 'csv-path', ['is outside']);
      refused(link(`proc-${p.replace(/\W/g, '_')}.csv`, p), 'csv-path', ['is outside']);
    }
    // Even with / as the allowed root, /proc is never read.
    refused('/proc/self/environ', 'csv-path', ['is a system file (under /proc)'], { dataRoot: '/' });
  });

  test('pipes and sockets inside the folder: refused by type, never opened (a pipe would block)', { skip: !linux && 'mkfifo', timeout: 20_000 }, async () => {
    execFileSync('mkfifo', [join(specDir, 'pipe.csv')]);
    refused('pipe.csv', 'csv-path', ['is a named pipe, not a regular file']);
    refused(link('to-pipe.csv', join(specDir, 'pipe.csv')), 'csv-path', ['is a named pipe']);
    sock = createServer();
    await new Promise<void>((r) => sock!.listen(join(specDir, 'sock.csv'), r));
    refused('sock.csv', 'csv-path', ['is a socket, not a regular file']);
  });

  test('outside by .., by an absolute path, by a link (also a link to a folder outside)', () => {
    refused('../../secret.csv', 'csv-path', ['is outside']);
    refused(join(tmp, 'secret.csv'), 'csv-path', ['is outside']);
    refused(link('s.csv', join(tmp, 'secret.csv')), 'csv-path', ['is outside', 'it leads to']);
    link('up', tmp);
    refused('up/secret.csv', 'csv-path', ['is outside']);
    refused('../shared.csv', 'csv-path', ['is outside']);
  });

  test('inside is fine, through links too; the workspace root (dataRoot) widens the tree', () => {
    assert.ok(check(csv('data/ok.csv'), { specPath }).spec);
    assert.ok(check(csv(join(specDir, 'data', 'ok.csv')), { specPath }).spec, 'an absolute path inside');
    assert.ok(check(csv(link('inner.csv', join(specDir, 'data', 'ok.csv'))), { specPath }).spec);
    assert.ok(check(csv('../shared.csv'), { specPath, dataRoot: root }).spec);
    refused('../../secret.csv', 'csv-path', ['is outside'], { dataRoot: root });
  });

  test('a dangling link, a link loop, a folder', () => {
    refused(link('dangling.csv', join(specDir, 'nowhere.csv')), 'csv-missing', ['symbolic link to a file that does not exist']);
    link('loop-a.csv', join(specDir, 'loop-b.csv'));
    link('loop-b.csv', join(specDir, 'loop-a.csv'));
    refused('loop-a.csv', 'csv-missing', ['link loop']);
    refused('data', 'csv-missing', ['is a folder']);
  });

  test('a data file is quoted in a short, clean excerpt only', () => {
    writeFileSync(join(specDir, 'data', 'leak.csv'), `1,2,a\n3,${secret}\u202e\u0007,b\n`);
    const p = refused('data/leak.csv', 'csv-invalid', ['line 2', 'feature column 2']);
    assert.match(p.message, /"SECRET_TOKEN=zzzzzzzzzzz\.\.\." is not a number/);
    writeFileSync(join(specDir, 'data', 'ctl.csv'), `1,2,a\n3,\u202eab\u0000,b\n`);
    const q = refused('data/ctl.csv', 'csv-invalid', ['line 2']);
    assert.match(q.message, /"\\u202eab\\u0000" is not a number/);
  });

  test('a CSV over the byte limit is judged by its size (sparse, nothing read)', () => {
    const big = join(specDir, 'data', 'huge.csv');
    writeFileSync(big, '');
    truncateSync(big, LIMITS.maxCsvBytes + 1);
    refused('data/huge.csv', 'too-large', ['536,870,913 bytes']);
  });

  test('csvReadLimit (the editor): a bigger CSV passes the path rule and is left to training, with a note', () => {
    writeFileSync(join(specDir, 'data', 'mid.csv'), 'a,b,y\n' + '1,2,x\n3,4,z\n'.repeat(100));
    const r = check(csv('data/mid.csv'), { specPath, csvReadLimit: 1000 });
    expectProblem(r, { path: 'data.path', code: 'csv-unchecked', severity: 'info', includes: ['is not read here', 'checked when the spec is trained'] });
    assert.ok(r.spec);
    // The path rule still applies first.
    expectProblem(check(csv(link('far.csv', join(tmp, 'secret.csv'))), { specPath, csvReadLimit: 1 }), { path: 'data.path', code: 'csv-path', includes: ['is outside'] });
    assert.ok(check(csv('data/mid.csv'), { specPath, csvReadLimit: 1_000_000 }).problems.every((p) => p.code !== 'csv-unchecked'));
  });

  test('locateDataFile never opens: a pipe is refused by what it is', { skip: !linux && 'mkfifo' }, () => {
    const fifo = join(tmp, 'direct.fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => locateDataFile('direct.fifo', tmp), (e: unknown) => e instanceof FileRuleError && e.kind === 'special');
  });
});

describe('spec files: regular, small, UTF-8', () => {
  test('devices, pipes and /proc are refused by what they are', { skip: !linux && 'Linux' }, () => {
    for (const dev of ['/dev/zero', '/dev/urandom', '/dev/null', '/dev/stdin']) {
      if (!existsSync(dev)) continue;
      assert.throws(() => readSpecFile(dev), (e: unknown) => e instanceof FileRuleError && (e.kind === 'special' || e.kind === 'unreadable' || e.kind === 'missing'), dev);
    }
    const fifo = join(tmp, 'spec.fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => readSpecFile(fifo), /is a named pipe, not a regular file/);
    assert.throws(() => readSpecFile('/proc/self/environ'), /is a system file \(under \/proc\)/);
    assert.throws(() => readSpecFile(tmp), /is a folder/);
  });

  test('size from the metadata first (a sparse 50 MB file is not read)', () => {
    const f = join(tmp, 'big.blobs.json');
    writeFileSync(f, '{}');
    truncateSync(f, 50 * 1024 * 1024);
    assert.throws(() => readSpecFile(f), (e: unknown) => e instanceof FileRuleError && e.kind === 'too-large' && /is 50 MiB \(52,428,800 bytes\); the limit is 4 MiB/.test(e.message));
  });

  test('UTF-16 and UTF-32 (with or without a byte-order mark), Latin-1, binary: named, with what to do', () => {
    const u16le = Buffer.from('\ufeff{"seed": 1}', 'utf16le');
    const u16be = Buffer.from(u16le).swap16();
    const enc = (b: Uint8Array) => {
      try {
        decodeSpecBytes(b);
      } catch (e) {
        assert.ok(e instanceof FileRuleError && e.kind === 'encoding');
        assert.match(e.message, /save it again as UTF-8/);
        return e.message;
      }
      return 'decoded';
    };
    assert.match(enc(u16le), /UTF-16 \(little-endian\)/);
    assert.match(enc(u16be), /UTF-16 \(big-endian\)/);
    assert.match(enc(Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0])), /UTF-32 \(little-endian\)/);
    assert.match(enc(Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x7b])), /UTF-32 \(big-endian\)/);
    assert.match(enc(Buffer.from('{"seed": 1}', 'utf16le')), /looks like UTF-16/);
    assert.match(enc(Buffer.from('{"name": "caf\xe9"}', 'latin1')), /not valid UTF-8: byte 0xE9 at line 1, column 14 \(text saved as Latin-1/);
    assert.match(enc(Buffer.from('{\n "a": 1,\n "b": "\xff"}', 'latin1')), /byte 0xFF at line 3, column 8/);
    assert.match(enc(Buffer.from([0x7b, 0x00, 0x00, 0x00, 0x01, 0x7d])), /contains a zero byte/);
    assert.equal(enc(Buffer.from('\ufeff{"name": "café ✓ 𝄞"}', 'utf8')), 'decoded', 'UTF-8 with a BOM is fine');
  });

  test('firstInvalidUtf8 agrees with the strict decoder on every 1-3 byte sequence with a lead byte', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    for (let a = 0x80; a < 0x100; a++) {
      for (const b of [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff]) {
        for (const c of [0x80, 0xbf, 0x41]) {
          const bytes = Uint8Array.from([0x41, a, b, c, 0x80, 0x80]);
          let ok = true;
          try {
            fatal.decode(bytes);
          } catch {
            ok = false;
          }
          assert.equal(firstInvalidUtf8(bytes) === bytes.length, ok, Buffer.from(bytes).toString('hex'));
        }
      }
    }
  });

  test('the notebook spec reads back as written', () => {
    const f = join(tmp, 'nb.blobs.json');
    writeFileSync(f, JSON.stringify(NOTEBOOK_SPEC));
    assert.deepEqual(JSON.parse(readSpecFile(f)), NOTEBOOK_SPEC);
  });
});

test("the README's spec section states the limits and the path rule", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Limits and the data path rule'), readme.indexOf('## The CLI'));
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const n of [LIMITS.maxSpecBytes, LIMITS.maxListItems, LIMITS.maxSpecValues, LIMITS.maxSamples, LIMITS.maxFeatures, LIMITS.maxClasses, LIMITS.maxDataValues, LIMITS.maxParams, LIMITS.maxHiddenUnits, LIMITS.maxCsvLabels, LIMITS.maxFeatures + 1]) {
    assert.ok(section.includes(fmt(n)), `README states ${fmt(n)}`);
  }
  assert.ok(section.includes(`${LIMITS.maxCsvBytes / 1024 / 1024} MiB`));
  assert.ok(section.includes(`${LIMITS.maxCsvLineChars / 1024 / 1024} MiB per line`));
  assert.match(section, /regular file inside the spec's folder/);
  assert.match(section, /after\s+following symbolic links/);
  assert.match(section, /\/proc/);
});
