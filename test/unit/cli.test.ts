/**
 * The `blobs` CLI, run as a user runs it: a real process on real files.
 * (`node --import <tsx loader> src/cli/main.ts`, so no build is needed.)
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NOTEBOOK_SPEC_TEXT } from '../../src/core/spec/defaults';

const root = join(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const main = join(root, 'src/cli/main.ts');

function blobs(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', tsx, main, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'blobs-cli-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('program', () => {
  test('--version, --help, no arguments, unknown command', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const v = blobs(['--version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), pkg.version);
    const h = blobs(['--help']);
    assert.equal(h.code, 0);
    for (const verb of ['init', 'validate', 'data']) assert.match(h.stdout, new RegExp(`\\n  ${verb} `));
    const none = blobs([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: blobs/);
    const u = blobs(['trian']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unknown command "trian"/);
  });

  test('each verb has --help', () => {
    for (const verb of ['init', 'validate', 'data']) {
      const r = blobs([verb, '--help']);
      assert.equal(r.code, 0, verb);
      assert.match(r.stdout, new RegExp(`^Usage: blobs ${verb}`));
    }
  });

  test('the short options the help lists work', () => {
    assert.match(blobs(['data', '--help']).stdout, /-f, --format[\s\S]*-o, --out/);
    assert.match(blobs(['validate', '--help']).stdout, /-q, --quiet/);
    const out = join(tmp, 'short.csv');
    const r = blobs(['data', 'examples/notebook.blobs.json', '-f', 'csv', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(out, 'utf8'), /^x1,x2,label,split\n/);
    assert.equal(blobs(['validate', '-q', 'examples/notebook.blobs.json']).stdout, '');
  });
});

describe('blobs validate', () => {
  test('a good spec: exit 0', () => {
    const r = blobs(['validate', 'examples/notebook.blobs.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'examples/notebook.blobs.json: valid\n');
  });

  test('a bad spec: file:line:col: severity: message, exit 2', () => {
    const f = 'test/fixtures/specs/bad/missing-comma.blobs.json';
    const r = blobs(['validate', f]);
    assert.equal(r.code, 2);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${f.replace(/[.]/g, '\\.')}:4:3: error: Expected a comma`));
    assert.equal(lines.at(-1), `${f}: 1 error`);
    noStack(r.stderr);
  });

  test('warnings alone exit 0; --quiet hides them; --json is machine-readable', () => {
    const f = join(tmp, 'warn.blobs.json');
    writeFileSync(f, '{\n  "seed": 1,\n  "trainig": {}\n}\n');
    const r = blobs(['validate', f]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes(`${f}:3:3: warning: Unknown key \`trainig\``), r.stdout);
    assert.ok(r.stdout.includes(`${f}: valid (1 warning)`));
    assert.equal(blobs(['validate', '--quiet', f]).stdout, '');
    const j = JSON.parse(blobs(['validate', '--json', f]).stdout);
    assert.equal(j.valid, true);
    assert.equal(j.problems[0].code, 'unknown-key');
  });

  test('several files, one missing: exit 2, the others still checked', () => {
    const r = blobs(['validate', 'nope.blobs.json', 'examples/csv.blobs.json']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /nope\.blobs\.json: no such spec file/);
    assert.match(r.stdout, /examples\/csv\.blobs\.json: valid/);
  });

  test('usage errors exit 2 without a stack', () => {
    const r = blobs(['validate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no spec file given/);
    const o = blobs(['validate', '--frobnicate', 'x']);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /Unknown option '--frobnicate'/);
    noStack(o.stderr);
  });
});

describe('blobs data', () => {
  test("the notebook's data, exactly scikit-learn's numbers", () => {
    const r = blobs(['data', 'examples/notebook.blobs.json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    // make_blobs(n_samples=1000, n_features=2, centers=4, cluster_std=1.5, random_state=42)
    assert.deepEqual(d.X[0], [-8.413395949316797, 6.935165454942587]);
    assert.deepEqual(d.X[1], [-5.766484133137309, -6.4311707226662085]);
    assert.deepEqual(d.y.slice(0, 5), [3, 2, 2, 1, 1]);
    assert.equal(d.X.length, 1000);
    assert.equal(d.X_train.length, 800);
    assert.equal(d.y_train.length, 800);
    assert.equal(d.X_test.length, 200);
    assert.equal(d.y_test.length, 200);
    assert.match(r.stdout, /\[-8\.413395949316797, 6\.935165454942587\]/, 'shortest round-trip text');
  });

  test("its first rows are the notebook's printed X_blob[:5], y_blob[:5]", () => {
    const r = blobs(['data', 'examples/notebook.blobs.json']);
    assert.equal(r.code, 0, r.stderr);
    // The notebook prints torch float32 tensors to 4 decimals (seed-facts.md).
    const printed = [[-8.4134, 6.9352], [-5.7665, -6.4312], [-6.0421, -6.7661], [3.9508, 0.6984], [4.2505, -0.2815]];
    const head = r.stdout.split('\n').slice(2, 7).map((l) => JSON.parse(l.trim().replace(/,$/, '')) as number[]);
    assert.deepEqual(head.map((row) => row.map((v) => Number(Math.fround(v).toFixed(4)))), printed);
    assert.deepEqual(JSON.parse(r.stdout).y.slice(0, 5), [3, 2, 2, 1, 1]);
    // CSV: the same five rows are the first of the data, whichever side of the split they fell on.
    const csv = blobs(['data', 'examples/notebook.blobs.json', '--format', 'csv']).stdout.trim().split('\n').slice(1);
    for (const [i, row] of head.entries()) assert.ok(csv.some((l) => l.startsWith(`${row[0]},${row[1]},${[3, 2, 2, 1, 1][i]},`)), `row ${i} in the CSV`);
  });

  test('--format csv --out: columns x1..xn,label,split, written atomically', () => {
    const out = join(tmp, 'blobs.csv');
    const r = blobs(['data', 'examples/notebook.blobs.json', '--format', 'csv', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /1000 samples \(800 train, 200 test\)/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'x1,x2,label,split');
    assert.equal(lines.length, 1001);
    assert.match(lines[1], /^-?\d.*,\d,train$/);
    assert.match(lines[1000], /,test$/);
    assert.equal(lines.filter((l) => l.endsWith(',test')).length, 200);
  });

  test('csv-backed spec keeps the header and label names', () => {
    const r = blobs(['data', 'examples/csv.blobs.json', '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^bill_length_mm,bill_depth_mm,label,split\n/);
    assert.match(r.stdout, /,(Adelie|Chinstrap|Gentoo),train\n/);
  });

  test('a bad spec writes nothing and exits 2; a bad format exits 2', () => {
    const out = join(tmp, 'never.json');
    const r = blobs(['data', 'test/fixtures/specs/bad/negative-zero.blobs.json', '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /negative-zero\.blobs\.json:3:18: error: `data\.n_samples`/);
    assert.match(r.stderr, /4 errors; nothing was run/);
    assert.equal(existsSync(out), false);
    noStack(r.stderr);
    const f = blobs(['data', 'examples/notebook.blobs.json', '--format', 'xml']);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /--format must be json or csv/);
  });

  test('--out naming the spec or its CSV file is refused; both stay as they were', () => {
    const dir = join(tmp, 'inplace');
    mkdirSync(dir);
    const specFile = join(dir, 'mine.blobs.json');
    writeFileSync(specFile, NOTEBOOK_SPEC_TEXT);
    const r = blobs(['data', specFile, '--out', specFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is one of this command's input files/);
    assert.equal(readFileSync(specFile, 'utf8'), NOTEBOOK_SPEC_TEXT, 'the spec is untouched');
    // The same file through another spelling of its path.
    assert.equal(blobs(['data', 'mine.blobs.json', '--out', './sub/../mine.blobs.json'], dir).code, 2);
    mkdirSync(join(dir, 'sub'));
    const csvText = 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n';
    writeFileSync(join(dir, 'points.csv'), csvText);
    const csvSpec = join(dir, 'csv.blobs.json');
    writeFileSync(csvSpec, JSON.stringify({ data: { generator: 'csv', path: 'points.csv' } }));
    const c = blobs(['data', csvSpec, '--format', 'csv', '--out', join(dir, 'points.csv')]);
    assert.equal(c.code, 2);
    assert.equal(readFileSync(join(dir, 'points.csv'), 'utf8'), csvText, 'the data file is untouched');
    assert.deepEqual(readdirSync(dir).sort(), ['csv.blobs.json', 'mine.blobs.json', 'points.csv', 'sub']);
  });

  test('--out into a missing folder: exit 2, clear message', () => {
    const r = blobs(['data', 'examples/notebook.blobs.json', '--out', join(tmp, 'no/such/dir/x.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /folder does not exist/);
  });
});

describe('the malformed corpus through the CLI (test/fixtures/specs/bad)', () => {
  const dir = 'test/fixtures/specs/bad';
  const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.blobs.json')).sort();
  const lineRe = /^(.+):(\d+):(\d+): (error|warning|info): \S.*$/;

  test(`validate: ${files.length} files, exit 2, one file:line:col line per problem, no stack`, () => {
    const r = blobs(['validate', ...files.map((f) => `${dir}/${f}`)]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, '', 'all output is the report');
    noStack(r.stdout);
    assert.doesNotMatch(r.stdout, /internal error|TypeError|undefined/);
    for (const f of files) assert.ok(r.stdout.includes(`${dir}/${f}: `), `${f} has a summary line`);
    for (const line of r.stdout.trim().split('\n')) {
      if (/: \d+ errors?(, \d+ warnings?)?$/.test(line)) continue;
      assert.match(line, lineRe);
    }
  });

  for (const f of files) {
    test(`data ${f}: exit 2, errors on stderr, nothing written`, () => {
      const out = join(tmp, `corpus-${f}.json`);
      const r = blobs(['data', `${dir}/${f}`, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      noStack(r.stderr);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.match(r.stderr, /error: /);
      assert.match(r.stderr, /nothing was run/);
      assert.equal(existsSync(out), false);
    });
  }

  const bin = join(root, 'bin', 'blobs.js');
  test('the built binary (bin/blobs.js) too', { skip: existsSync(join(root, 'dist', 'cli.js')) ? false : 'not built' }, () => {
    const v = spawnSync(process.execPath, [bin, 'validate', ...files.map((f) => `${dir}/${f}`)], { cwd: root, encoding: 'utf8' });
    assert.equal(v.status, 2);
    noStack(v.stdout + v.stderr);
    assert.doesNotMatch(v.stdout + v.stderr, /internal error/);
    for (const f of files) {
      const d = spawnSync(process.execPath, [bin, 'data', `${dir}/${f}`, '--out', join(tmp, 'bin-out.json')], { cwd: root, encoding: 'utf8' });
      assert.equal(d.status, 2, `${f}: ${d.stderr}`);
      noStack(d.stderr);
      assert.doesNotMatch(d.stderr, /internal error/);
    }
    assert.equal(existsSync(join(tmp, 'bin-out.json')), false);
  });
});

describe('blobs init', () => {
  test("writes the notebook's spec, then refuses to overwrite", () => {
    const dir = join(tmp, 'init');
    mkdirSync(dir);
    const r = blobs(['init'], dir);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, 'notebook.blobs.json');
    assert.equal(readFileSync(file, 'utf8'), NOTEBOOK_SPEC_TEXT.replace('"name": "Four blobs"', '"name": "notebook"'));
    writeFileSync(file, '{"seed": 7}\n');
    const again = blobs(['init'], dir);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists; not overwriting/);
    assert.equal(readFileSync(file, 'utf8'), '{"seed": 7}\n', 'untouched');
    // The written spec validates.
    const named = join(dir, 'mine.blobs.json');
    assert.equal(blobs(['init', named]).code, 0);
    assert.equal(blobs(['validate', named]).code, 0);
  });

  test('a name without .blobs.json is written, with a note on the ending the editor looks for', () => {
    const dir = join(tmp, 'init3');
    mkdirSync(dir);
    const r = blobs(['init', 'mine.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Note: VS Code recognises specs by the ending \.blobs\.json; rename it \(e\.g\. to mine\.blobs\.json\)/);
    assert.equal(readFileSync(join(dir, 'mine.json'), 'utf8'), NOTEBOOK_SPEC_TEXT.replace('"name": "Four blobs"', '"name": "mine"'));
    assert.doesNotMatch(blobs(['init', 'ok.blobs.json'], dir).stdout, /Note:/);
  });

  test('a folder argument creates the file inside it; a missing folder is an error', () => {
    const dir = join(tmp, 'init2');
    mkdirSync(dir);
    assert.equal(blobs(['init', dir]).code, 0);
    assert.ok(existsSync(join(dir, 'notebook.blobs.json')));
    const r = blobs(['init', join(tmp, 'nope', 'x.blobs.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /folder does not exist/);
  });
});

describe('the bundle (dist/cli.js, after `npm run build`)', () => {
  const bundle = join(root, 'dist', 'cli.js');
  test('validates and prints data like the sources', { skip: existsSync(bundle) ? false : 'not built' }, () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'blobs.js'), 'data', 'examples/notebook.blobs.json', '--format', 'csv'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^x1,x2,label,split\n/);
    const v = spawnSync(process.execPath, [bundle, 'validate', 'test/fixtures/specs/bad/trailing-comma.blobs.json'], { cwd: root, encoding: 'utf8' });
    assert.equal(v.status, 2);
    assert.match(v.stdout, /:4:3: error: A trailing comma/);
  });
});
