// RandomState against numpy 1.24's legacy RandomState (fixtures: scripts/make_fixtures.py).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomState, RandomStateError } from '../../src/core/random/randomState';
import { logCR } from '../../src/core/random/log';

const FIX = join(__dirname, '..', 'fixtures', 'sklearn');
const fx = JSON.parse(readFileSync(join(FIX, 'random_streams.json'), 'utf8'));

/** Bit-exact comparison, reporting the first differing index. */
function same(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, numpy ${expected[i]}`);
    }
  }
}

/**
 * Gaussian-derived values: numpy calls glibc's log(), which is not quite correctly
 * rounded (0.07 % of inputs differ from logCR by an ulp), so these are compared within
 * 1e-12 (relative), and the count of inexact values is printed for the report.
 */
let inexactGauss = 0;
function close(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err !== 0) inexactGauss++;
    if (!(err <= 1e-12 * Math.max(1, Math.abs(expected[i])))) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, numpy ${expected[i]}`);
    }
  }
}

const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('RandomState matches numpy legacy streams', () => {
  for (const c of fx.cases) {
    test(`seed ${c.seed}`, () => {
      const rs = new RandomState(c.seed);
      const st = rs.getState();
      same(st.key.subarray(0, 4), c.key_head, 'key head');
      same(st.key.subarray(622), c.key_tail, 'key tail');
      assert.equal(st.pos, c.pos);
      const raw = new RandomState(c.seed);
      same(draw(5, () => raw.nextUint32()), c.uint32, 'uint32');

      same(rs.fillRandomSample(new Float64Array(7)), c.random_sample, 'random_sample');
      close(rs.fillStandardNormal(new Float64Array(7)), c.standard_normal_7, 'standard_normal(7)');
      // The 7th value left one Gaussian cached; the next call must return it first.
      close(rs.fillStandardNormal(new Float64Array(4)), c.standard_normal_4, 'standard_normal(4)');
      close([rs.normal()], [c.normal_scalar], 'normal()');
      same(rs.fillUniform(new Float64Array(5), -10, 10), c.uniform, 'uniform');
      same(rs.fillUniform(new Float64Array(6), -10, 10), c.uniform_box, 'uniform (3,2)');
      close(draw(5, () => rs.normal(3.0, 2.5)), c.normal_loc_scale, 'normal(3, 2.5)');
      close(rs.fillNormal(new Float64Array(9), [1.0, -2.0, 0.5], 0.7), c.normal_rows, 'normal rows');
      same(rs.permutation(20), c.permutation_20, 'permutation(20)');
      same(rs.shuffle(Array.from({ length: 13 }, (_, i) => i)), c.shuffle_13, 'shuffle(arange(13))');
      same(rs.permutation(1), c.permutation_1, 'permutation(1)');
      same(draw(6, () => rs.randint(0, 1000)), c.randint_1000, 'randint(0, 1000)');
      same(rs.fillRandint(new Int32Array(6), -5, 5), c.randint_neg, 'randint(-5, 5)');
      same(draw(3, () => rs.randint(0, 2 ** 32)), c.randint_2_32, 'randint(0, 2**32)');
      same(draw(3, () => rs.randint(0, 2 ** 40)), c.randint_2_40, 'randint(0, 2**40)');
      same(draw(3, () => rs.randint(3, 2 ** 52 + 12345)), c.randint_big, 'randint(3, 2**52+12345)');
      same(rs.fillRandomSample(new Float64Array(3)), c.random_sample_after, 'random_sample after');
    });
  }

  test('Gaussian agreement summary', () => {
    console.log(`stream Gaussians not bit-exact: ${inexactGauss}`);
  });

  test('array seed (init_by_array)', () => {
    const rs = new RandomState(fx.array_seed.seed);
    same(rs.fillRandomSample(new Float64Array(5)), fx.array_seed.random_sample, 'random_sample');
  });

  for (const L of fx.long) {
    test(`long run, seed ${L.seed}: ${L.n} Gaussians, then uniforms and a permutation`, () => {
      const rs = new RandomState(L.seed);
      const g = rs.fillStandardNormal(new Float64Array(L.n));
      const sampled = Array.from({ length: L.normal_sampled.length }, (_, i) => g[i * L.normal_stride]);
      // Math.log/Math.sqrt may differ from glibc by an ulp on rare inputs: allow 1e-12 here,
      // but the stream itself must never drift (the later uniforms are checked exactly).
      let maxErr = 0;
      let inexact = 0;
      for (let i = 0; i < sampled.length; i++) {
        const e = Math.abs(sampled[i] - L.normal_sampled[i]);
        if (e !== 0) inexact++;
        maxErr = Math.max(maxErr, e);
      }
      assert.ok(maxErr <= 1e-12, `max |diff| ${maxErr}`);
      // glibc's log is misrounded on ~0.07 % of inputs; more would mean logCR regressed.
      assert.ok(inexact <= sampled.length / 100, `${inexact} of ${sampled.length} sampled Gaussians are not bit-exact`);
      assert.ok(Math.abs(g[L.n - 1] - L.normal_last) <= 1e-12);
      const u = rs.fillRandomSample(new Float64Array(1000));
      same(u.subarray(997), L.random_sample_after, 'random_sample after the Gaussians');
      const p = rs.permutation(L.permutation_n);
      same(Array.from({ length: L.permutation_sampled.length }, (_, i) => p[i * 997]), L.permutation_sampled, 'permutation');
      console.log(`long run seed ${L.seed}: ${inexact}/${sampled.length} sampled Gaussians not bit-exact (max |diff| ${maxErr})`);
    });
  }
});

describe('logCR', () => {
  const L = fx.log;
  test(`correctly rounded on ${L.x.length} reference inputs`, () => {
    let mathLogOff = 0;
    let glibcOff = 0;
    L.x.forEach((x: number, i: number) => {
      assert.equal(logCR(x), L.log_cr[i], `logCR(${x})`);
      if (Math.log(x) !== L.log_cr[i]) mathLogOff++;
      if (logCR(x) !== L.log_glibc[i]) glibcOff++;
    });
    console.log(`log: Math.log off by an ulp on ${mathLogOff}/${L.x.length}; logCR differs from glibc on ${glibcOff}`);
  });
  test('edge inputs behave like Math.log', () => {
    for (const x of [0, -0, -1, NaN, Infinity]) assert.ok(Object.is(logCR(x), Math.log(x)), String(x));
    assert.equal(logCR(1), 0);
  });
});

describe('RandomState arguments', () => {
  test('seeds outside [0, 2**32-1] or non-integers are rejected', () => {
    for (const s of [-1, 2 ** 32, 1.5, NaN]) assert.throws(() => new RandomState(s), RandomStateError);
    assert.throws(() => new RandomState([]), /non-empty/);
    new RandomState(2 ** 32 - 1);
  });
  test('re-seeding drops the cached Gaussian', () => {
    const a = new RandomState(3);
    a.standardNormal();
    a.seed(3);
    assert.equal(a.standardNormal(), new RandomState(3).standardNormal());
  });
  test('bad ranges and scales throw', () => {
    const rs = new RandomState(0);
    assert.throws(() => rs.randint(5, 5), /low >= high/);
    assert.throws(() => rs.normal(0, -1), /non-negative/);
    assert.throws(() => rs.randomInterval(-1), RandomStateError);
    assert.throws(() => rs.permutation(-2), RandomStateError);
    assert.throws(() => rs.fillNormal(new Float64Array(5), [0, 0], 1), /whole rows/);
  });
  test('randint(high) draws from [0, high)', () => {
    const a = new RandomState(9);
    const b = new RandomState(9);
    for (let i = 0; i < 50; i++) assert.equal(a.randint(10), b.randint(0, 10));
  });
});
