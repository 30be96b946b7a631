// make_blobs / make_moons / make_circles / train_test_split / buildDataset against
// scikit-learn 1.2.1 (fixtures: scripts/make_fixtures.py).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBlobs, makeCircles, makeMoons, linspace, GeneratorError } from '../../src/core/data/generators';
import type { GeneratedDataset } from '../../src/core/data/generators';
import { trainTestSplit, SplitError } from '../../src/core/data/split';
import { buildDataset } from '../../src/core/data/build';
import { CsvError } from '../../src/core/data/csv';
import type { BlobSpec, DataSpec } from '../../src/core/spec/types';
import { RandomState } from '../../src/core/random/randomState';
import { validateSpecText } from '../../src/core/spec/validate';

const FIX = join(__dirname, '..', 'fixtures', 'sklearn');
const load = (f: string) => JSON.parse(readFileSync(join(FIX, f), 'utf8'));

/** Totals of fixture comparisons per generator, printed at the end for the report. */
type Stats = { values: number; inexact: number; maxErr: number };
const allStats: Record<string, Stats> = {};
let stats: Stats = { values: 0, inexact: 0, maxErr: 0 };
const statsFor = (name: string) => (stats = allStats[name] ??= { values: 0, inexact: 0, maxErr: 0 });

/**
 * Values within 1e-12 (relative to max(1, |x|)), counting the ones that are not
 * bit-exact. make_blobs is expected to be exact except where glibc's log() misrounds
 * (rare). make_moons/make_circles are not: numpy evaluates np.cos/np.sin with SIMD
 * (SVML on AVX-512 machines, like this one) which differ from libm -- and so from
 * Math.cos/Math.sin -- by an ulp or so on many inputs; numpy's own output depends on the CPU.
 */
function close(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    stats.values++;
    if (err !== 0) stats.inexact++;
    stats.maxErr = Math.max(stats.maxErr, err);
    if (!(err <= 1e-12 * Math.max(1, Math.abs(expected[i])))) assert.fail(`${what}[${i}]: got ${actual[i]}, sklearn ${expected[i]}`);
  }
}

function exact(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.deepEqual(Array.from(actual), expected, what);
}

/** Compares a generated dataset with a fixture's full arrays or its summary. */
function checkAgainst(ds: GeneratedDataset, c: any): void {
  assert.equal(ds.n, c.n, 'n');
  assert.equal(ds.d, c.d, 'd');
  const d = ds.d;
  if (c.X) {
    close(ds.X, c.X, 'X');
    exact(ds.y, c.y, 'y');
    return;
  }
  const rows = (idx: number[]) => idx.flatMap((r) => Array.from(ds.X.subarray(r * d, r * d + d)));
  close(rows(c.sample_idx), c.sample_X, 'sampled rows');
  exact(c.sample_idx.map((r: number) => ds.y[r]), c.sample_y, 'sampled labels');
  close(rows([0, 1, 2, 3, 4]), c.head_X, 'first rows');
  exact(ds.y.subarray(0, 5), c.head_y, 'first labels');
  const counts = new Array(c.label_counts.length).fill(0);
  for (const v of ds.y) counts[v]++;
  assert.deepEqual(counts, c.label_counts, 'label counts');
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < ds.n; i++) s += ds.X[i * d + j];
    // numpy sums pairwise, this sums left to right: compare loosely.
    assert.ok(Math.abs(s - c.col_sum[j]) <= 1e-9 * Math.max(1, Math.abs(c.col_sum[j])), `column ${j} sum ${s} vs ${c.col_sum[j]}`);
  }
}

describe('make_blobs matches scikit-learn 1.2.1', () => {
  for (const c of load('make_blobs.json').cases) {
    test(c.name, () => {
      statsFor('make_blobs');
      const k = c.kwargs;
      const ds = makeBlobs({
        n_samples: k.n_samples,
        n_features: k.n_features,
        centers: k.centers,
        cluster_std: k.cluster_std,
        center_box: k.center_box,
        shuffle: k.shuffle,
        random_state: k.random_state,
      });
      close(ds.centers, c.centers, 'centers');
      checkAgainst(ds, c);
    });
  }

  test("the notebook's first rows", () => {
    const ds = makeBlobs({ n_samples: 1000, n_features: 2, centers: 4, cluster_std: 1.5, random_state: 42 });
    const want = [
      [-8.41339595, 6.93516545],
      [-5.76648413, -6.43117072],
      [-6.04213682, -6.76610151],
      [3.95083749, 0.69840313],
      [4.25049181, -0.28154475],
    ];
    want.flat().forEach((v, i) => assert.ok(Math.abs(ds.X[i] - v) < 5e-9, `X.flat[${i}] = ${ds.X[i]}, notebook ${v}`));
    exact(ds.y.subarray(0, 5), [3, 2, 2, 1, 1], 'y[:5]');
    assert.equal(ds.X[0], -8.413395949316797);
    assert.equal(ds.X[1], 6.935165454942587);
  });
});

describe('make_moons / make_circles match scikit-learn 1.2.1', () => {
  for (const c of load('make_moons.json').cases) {
    test(`make_moons ${c.name}`, () => {
      statsFor('make_moons');
      const k = c.kwargs;
      checkAgainst(makeMoons({ n_samples: k.n_samples, noise: k.noise, shuffle: k.shuffle, random_state: k.random_state }), c);
    });
  }
  for (const c of load('make_circles.json').cases) {
    test(`make_circles ${c.name}`, () => {
      statsFor('make_circles');
      const k = c.kwargs;
      checkAgainst(
        makeCircles({ n_samples: k.n_samples, noise: k.noise, factor: k.factor, shuffle: k.shuffle, random_state: k.random_state }),
        c,
      );
    });
  }
  test('linspace follows numpy (endpoint, num 0 and 1)', () => {
    exact(linspace(0, 1, 5, true), [0, 0.25, 0.5, 0.75, 1], "linspace");
    exact(linspace(0, 1, 4, false), [0, 0.25, 0.5, 0.75], "linspace");
    exact(linspace(2, 3, 1, true), [2], "linspace");
    exact(linspace(0, 1, 0, true), [], "linspace");
  });
});

describe('train_test_split matches scikit-learn 1.2.1', () => {
  const cases = load('train_test_split.json').cases;
  test(`${cases.length} cases: indices identical`, () => {
    for (const c of cases) {
      const { trainIdx, testIdx } = trainTestSplit(c.n, {
        test_size: c.test_size,
        shuffle: c.shuffle,
        random_state: c.random_state ?? undefined,
      });
      const tag = `n=${c.n} test_size=${c.test_size} shuffle=${c.shuffle} rs=${c.random_state}`;
      exact(trainIdx, c.train, `${tag} train`);
      exact(testIdx, c.test, `${tag} test`);
    }
  });
  test('a RandomState instance is drawn from, not re-seeded', () => {
    const rs = new RandomState(42);
    const a = trainTestSplit(10, { test_size: 0.2, random_state: rs });
    const b = trainTestSplit(10, { test_size: 0.2, random_state: rs });
    assert.notDeepEqual(Array.from(a.testIdx), Array.from(b.testIdx));
    exact(a.testIdx, Array.from(trainTestSplit(10, { test_size: 0.2, random_state: 42 }).testIdx), 'first = fresh(42)');
  });
  test('sizes: fraction -> ceil, count, default 0.25, train_size', () => {
    const size = (n: number, o: object) => {
      const r = trainTestSplit(n, { random_state: 0, ...o });
      return [r.trainIdx.length, r.testIdx.length];
    };
    assert.deepEqual(size(10, { test_size: 0.33 }), [6, 4]);
    assert.deepEqual(size(10, { test_size: 3 }), [7, 3]);
    assert.deepEqual(size(10, {}), [7, 3]);
    assert.deepEqual(size(10, { test_size: 0.2, train_size: 0.5 }), [5, 2]);
  });
  test('clear errors when a side would be empty or sizes are invalid', () => {
    assert.throws(() => trainTestSplit(1, { test_size: 0.2, random_state: 0 }), /training set would be empty/);
    assert.throws(() => trainTestSplit(10, { test_size: 10, random_state: 0 }), /smaller than the number of samples/);
    assert.throws(() => trainTestSplit(10, { test_size: 0, random_state: 0 }), SplitError);
    assert.throws(() => trainTestSplit(10, { test_size: 1.5, random_state: 0 }), /fraction between 0 and 1/);
    assert.throws(() => trainTestSplit(10, { test_size: 0.5, train_size: 0.6, random_state: 0 }), /more than 1/);
    assert.throws(() => trainTestSplit(10, { test_size: 0.2 }), /random_state is required/);
  });
});

describe('generator argument errors', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['n_samples 0', () => makeBlobs({ n_samples: 0, random_state: 0 }), /n_samples must be a whole number >= 1/],
    ['fractional n_samples', () => makeBlobs({ n_samples: 10.5, random_state: 0 }), /whole number/],
    ['centers 0', () => makeBlobs({ centers: 0, random_state: 0 }), /centers must be a whole number >= 1/],
    ['ragged centres', () => makeBlobs({ centers: [[0, 0], [1]], random_state: 0 }), /same number/],
    ['std list length', () => makeBlobs({ centers: 3, cluster_std: [1, 2], random_state: 0 }), /cluster_std has 2 values for 3 centres/],
    ['negative std', () => makeBlobs({ cluster_std: -1, random_state: 0 }), /cluster_std must be a finite number >= 0/],
    ['list + int centers', () => makeBlobs({ n_samples: [5, 5], centers: 2, random_state: 0 }), /must be null or a list/],
    ['list vs centres', () => makeBlobs({ n_samples: [5, 5], centers: [[0, 0]], random_state: 0 }), /2 counts but centers has 1 rows/],
    ['bad box', () => makeBlobs({ center_box: [1, -1], random_state: 0 }), /center_box/],
    ['bad seed', () => makeBlobs({ random_state: -3 }), /random_state must be an integer/],
    ['factor 1', () => makeCircles({ factor: 1, random_state: 0 }), /factor has to be between 0 and 1/],
    ['moons tuple of 3', () => makeMoons({ n_samples: [1, 2, 3] as unknown as [number, number], random_state: 0 }), /two-element list/],
    ['negative noise', () => makeMoons({ noise: -0.1, random_state: 0 }), /noise must be null or a finite number >= 0/],
  ];
  for (const [name, fn, re] of bad) {
    test(name, () => assert.throws(fn, (e: unknown) => e instanceof GeneratorError && re.test((e as Error).message)));
  }
});

function spec(data: Partial<DataSpec> & { generator: DataSpec['generator'] }, seed = 42): BlobSpec {
  const base = {
    make_blobs: { n_samples: 1000, n_features: 2, centers: 4, cluster_std: 1.5, center_box: [-10, 10], shuffle: true },
    make_moons: { n_samples: 100, noise: null, shuffle: true },
    make_circles: { n_samples: 100, noise: null, factor: 0.8, shuffle: true },
    csv: { path: 'data.csv' },
  }[data.generator];
  return {
    name: 't',
    seed,
    data: { test_size: 0.2, split_shuffle: true, ...base, ...data } as DataSpec,
    model: { hidden_units: [8, 8], activation: 'none' },
    training: { epochs: 100, optimizer: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, batch_size: 'full', log_every: 10 },
    boundary: { resolution: 101, padding: 0.1, every: 'auto' },
    device: 'auto',
  };
}

describe('buildDataset', () => {
  test("the notebook: make_blobs(random_state=42) then train_test_split(random_state=42)", () => {
    statsFor('notebook');
    const nb = load('notebook.json');
    const s = buildDataset(spec({ generator: 'make_blobs' }), '.');
    close(s.all.X.subarray(0, 10), nb.X_head, 'X[:5]');
    exact(s.all.y.subarray(0, 5), nb.y_head, 'y[:5]');
    assert.equal(s.train.n, 800);
    assert.equal(s.test.n, 200);
    close(s.train.X.subarray(0, 10), nb.X_train_head, 'X_train[:5]');
    exact(s.train.y.subarray(0, 5), nb.y_train_head, 'y_train[:5]');
    close(s.test.X.subarray(0, 10), nb.X_test_head, 'X_test[:5]');
    exact(s.test.y.subarray(0, 5), nb.y_test_head, 'y_test[:5]');
    exact(trainTestSplit(1000, { test_size: 0.2, random_state: 42 }).trainIdx, nb.train_idx, 'train indices');
    assert.equal(s.nClasses, 4);
    assert.deepEqual(s.classNames, ['0', '1', '2', '3']);
    assert.deepEqual(s.featureNames, ['x1', 'x2']);
  });
  test('moons and circles: two classes, split sizes', () => {
    const m = buildDataset(spec({ generator: 'make_moons', n_samples: 101, noise: 0.1 } as Partial<DataSpec> & { generator: 'make_moons' }), '.');
    assert.equal(m.nClasses, 2);
    assert.equal(m.test.n, 21);
    const c = buildDataset(spec({ generator: 'make_circles', test_size: 7 } as Partial<DataSpec> & { generator: 'make_circles' }), '.');
    assert.equal(c.test.n, 7);
    assert.equal(c.train.n, 93);
  });
  test('csv relative to the spec directory, with file-named errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blobs-csv-'));
    try {
      writeFileSync(join(dir, 'data.csv'), 'a,b,kind\n' + Array.from({ length: 10 }, (_, i) => `${i},${-i},${i % 2 ? 'cat' : 'dog'}`).join('\n'));
      const s = buildDataset(spec({ generator: 'csv', split_shuffle: false }), dir);
      assert.deepEqual(s.classNames, ['cat', 'dog']);
      assert.deepEqual(s.featureNames, ['a', 'b']);
      assert.equal(s.train.n, 8);
      exact(s.test.X, [8, -8, 9, -9], 'unshuffled test rows are the last ones');
      assert.throws(() => buildDataset(spec({ generator: 'csv', path: 'missing.csv' } as Partial<DataSpec> & { generator: 'csv' }), dir), (e: unknown) => e instanceof CsvError && /does not exist/.test((e as Error).message) && (e as Error).message.includes('missing.csv'));
      writeFileSync(join(dir, 'bad.csv'), '1,2,a\n3,x,b\n');
      assert.throws(() => buildDataset(spec({ generator: 'csv', path: 'bad.csv' } as Partial<DataSpec> & { generator: 'csv' }), dir), /bad\.csv, line 2: feature column 2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('whole specs match scikit-learn (generator, then train_test_split, both with the seed)', () => {
  for (const c of load('pipelines.json').cases) {
    test(`${c.name}: ${JSON.stringify(c.data)} seed ${c.seed}`, () => {
      statsFor(c.data.generator);
      // Through the validator, as every front end runs a spec.
      const r = validateSpecText(JSON.stringify({ seed: c.seed, data: c.data }));
      assert.ok(r.spec, JSON.stringify(r.problems));
      const s = buildDataset(r.spec, '.');
      close(s.all.X, c.X, 'X');
      exact(s.all.y, c.y, 'y');
      close(s.train.X, c.X_train, 'X_train');
      exact(s.train.y, c.y_train, 'y_train');
      close(s.test.X, c.X_test, 'X_test');
      exact(s.test.y, c.y_test, 'y_test');
    });
  }
});

test('per-centre counts with a matching centre count is centers=None (a spec may write either)', () => {
  const inferred = validateSpecText(JSON.stringify({ data: { n_samples: [5, 7, 3] } })).spec!;
  const explicit = validateSpecText(JSON.stringify({ data: { n_samples: [5, 7, 3], centers: 3 } })).spec!;
  const a = buildDataset(inferred, '.');
  const b = buildDataset(explicit, '.');
  exact(b.all.X, Array.from(a.all.X), 'same X');
  const ref = makeBlobs({ n_samples: [5, 7, 3], centers: null, cluster_std: 1.5, random_state: 42 });
  exact(a.all.X, Array.from(ref.X), 'as make_blobs(centers=None)');
  assert.equal(a.nClasses, 3);
});

describe('fixture coverage', () => {
  test('the golden cases cover the combinations the issue lists', () => {
    const blobs = load('make_blobs.json').cases.map((c: any) => c.kwargs);
    const seeds = new Set(blobs.map((k: any) => k.random_state));
    assert.ok(seeds.size >= 5, 'several seeds');
    assert.ok(blobs.some((k: any) => typeof k.n_samples === 'number' && typeof k.centers === 'number' && k.n_samples % k.centers !== 0), 'uneven sizes');
    assert.ok(blobs.some((k: any) => Array.isArray(k.n_samples)), 'per-centre sizes');
    assert.ok(blobs.some((k: any) => Array.isArray(k.centers)), 'explicit centres');
    assert.ok(blobs.some((k: any) => Array.isArray(k.cluster_std)), 'per-centre std');
    assert.ok(blobs.some((k: any) => (k.n_features ?? 2) >= 3 || (Array.isArray(k.centers) && k.centers[0].length >= 3)), '3+ features');
    assert.ok(blobs.some((k: any) => k.shuffle === false), 'shuffle=false');
    assert.ok(load('make_moons.json').cases.length >= 3 && load('make_circles.json').cases.length >= 3, 'both binary generators');
    const splits = load('train_test_split.json').cases;
    assert.ok(new Set(splits.map((c: any) => c.test_size)).size >= 5, 'different test_size');
    // 0.07 * 100 = 7.000000000000001 in float64: scikit-learn's ceil() gives 8 test rows.
    const edge = splits.find((c: any) => c.n === 100 && c.test_size === 0.07);
    assert.equal(edge.test.length, 8);
    const p = load('pipelines.json').cases;
    assert.ok(new Set(p.map((c: any) => c.data.generator)).size === 3 && p.some((c: any) => c.data.split_shuffle === false));
  });
});

describe('scale', () => {
  test('1,000,000 blobs (2 features, 4 centres) + split', () => {
    // How fast is the benchmark's to say (bench/bench.ts, "data" line of each workload):
    // a time bound here would fail on a busy machine.
    const ds = makeBlobs({ n_samples: 1_000_000, n_features: 2, centers: 4, cluster_std: 1.5, random_state: 42 });
    const sp = trainTestSplit(ds.n, { test_size: 0.2, random_state: 42 });
    assert.equal(ds.n, 1_000_000);
    assert.equal(ds.X.length, 2_000_000);
    assert.equal(sp.testIdx.length, 200_000);
    assert.equal(sp.trainIdx.length, 800_000);
    assert.equal(new Set(sp.testIdx).size, 200_000, 'no row twice');
    assert.ok(ds.X.every(Number.isFinite));
  });
  test('fixture agreement summary', () => {
    for (const [name, s] of Object.entries(allStats)) {
      console.log(`${name}: ${s.values} values compared, ${s.inexact} not bit-exact, max |diff| ${s.maxErr}`);
    }
    // Blobs only go through MT19937 + logCR: anything beyond glibc's rare misroundings is a bug.
    const b = allStats.make_blobs;
    assert.ok(b && b.inexact <= b.values / 500, `make_blobs: ${b?.inexact} of ${b?.values} values not bit-exact`);
  });
});
