/**
 * numpy's legacy `np.random.RandomState`, reproduced bit for bit for the primitives
 * scikit-learn's dataset generators and `train_test_split` use.
 *
 * Sources followed (numpy 1.24, unchanged since 1.17 because the legacy stream is frozen):
 *  - seeding: `_mt19937.pyx` `_legacy_seeding` -> `mt19937_seed` (int) / `init_by_array`
 *  - `random_sample`: `mt19937_next_double`, 53 bits from two 32-bit draws
 *  - `uniform(low, high)`: `low + (high - low) * next_double`
 *  - `standard_normal`/`normal`: `legacy_gauss`, the polar Box-Muller method that
 *    caches the second value (`has_gauss`/`gauss`) for the next call; its log() is
 *    `logCR` (log.ts) so results match glibc's bit for bit on all but rare inputs
 *  - `shuffle`/`permutation`: `_shuffle_raw` (Fisher-Yates from the end) drawing with
 *    `random_interval` (mask rejection on 32-bit draws, 64-bit draws above 2^32-1)
 *  - `randint`: `random_bounded_uint64_fill` with `use_masked=True` (same mask rejection)
 *
 * Array-valued calls are `fill*` methods that write into a caller's typed array, so
 * generating millions of values allocates nothing per sample.
 */
import { logCR } from './log';
import { MT_N, TEMPER_B, TEMPER_C, seedArray, seedInt, twist } from './mt19937';

const TWO_POW_32 = 4294967296;
const ZERO_LOC = [0];

/** Thrown for arguments numpy itself would reject (bad seeds, empty ranges, ...). */
export class RandomStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RandomStateError';
  }
}

/** A snapshot comparable with numpy's `RandomState.get_state()`. */
export interface RandomStateSnapshot {
  key: Uint32Array;
  pos: number;
  hasGauss: boolean;
  gauss: number;
}

export class RandomState {
  private readonly key = new Int32Array(MT_N);
  private pos = MT_N;
  private hasGauss = false;
  private gauss = 0;

  /** `seed`: an integer in [0, 2^32-1], or an array of such integers (init_by_array). */
  constructor(seed: number | ArrayLike<number>) {
    this.seed(seed);
  }

  /** Re-seeds as `RandomState.seed(seed)`: also drops a cached Gaussian. */
  seed(seed: number | ArrayLike<number>): void {
    if (typeof seed === 'number') {
      checkSeedWord(seed);
      seedInt(this.key, seed);
    } else {
      if (seed.length === 0) throw new RandomStateError('Seed must be non-empty');
      for (let i = 0; i < seed.length; i++) checkSeedWord(seed[i]);
      seedArray(this.key, seed);
    }
    this.pos = MT_N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** Copy of the internal state (for tests and debugging). */
  getState(): RandomStateSnapshot {
    return { key: new Uint32Array(this.key), pos: this.pos, hasGauss: this.hasGauss, gauss: this.gauss };
  }

  /** One raw 32-bit output (numpy `mt19937_next32`), as an unsigned number. */
  nextUint32(): number {
    if (this.pos === MT_N) {
      twist(this.key);
      this.pos = 0;
    }
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) with 53 random bits (`random_sample()`). */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `uniform(low, high)`: `low + (high - low) * random_sample()`. */
  uniform(low = 0, high = 1): number {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RandomStateError('uniform: range (high - low) must be finite');
    return low + range * this.randomSample();
  }

  /** `standard_normal()` via numpy's `legacy_gauss`. */
  standardNormal(): number {
    if (this.hasGauss) {
      const g = this.gauss;
      this.hasGauss = false;
      this.gauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.randomSample() - 1.0;
      x2 = 2.0 * this.randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    // logCR, not Math.log: C's log() is (nearly) correctly rounded, fdlibm's is not (see log.ts).
    const f = Math.sqrt((-2.0 * logCR(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `normal(loc, scale)`: `loc + scale * standard_normal()`. */
  normal(loc = 0, scale = 1): number {
    checkScale(scale);
    return loc + scale * this.standardNormal();
  }

  /** Fills `out` as `random_sample(size=out.length)`. */
  fillRandomSample(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.randomSample();
    return out;
  }

  /** Fills `out` as `uniform(low, high, size=out.length)`. */
  fillUniform(out: Float64Array, low = 0, high = 1): Float64Array {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RandomStateError('uniform: range (high - low) must be finite');
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.randomSample();
    return out;
  }

  /** Fills `out` as `standard_normal(size=out.length)`. */
  fillStandardNormal(out: Float64Array): Float64Array {
    this.gaussInto(out, 0, out.length, ZERO_LOC, 1);
    return out;
  }

  /**
   * The hot loop behind every array of Gaussians: `out[i] = loc[k] + scale * gauss`
   * (k cycling over loc's length), drawing exactly as repeated `legacy_gauss` calls
   * (cached value first, then pairs: f*x2 now, f*x1 kept). The MT draws are inlined
   * with the state in locals, which is several times faster than method calls.
   */
  private gaussInto(out: Float64Array, start: number, count: number, loc: ArrayLike<number>, scale: number): void {
    const end = start + count;
    const d = loc.length;
    let i = start;
    let k = 0;
    if (i < end && this.hasGauss) {
      out[i++] = loc[k] + scale * this.gauss;
      if (++k === d) k = 0;
      this.hasGauss = false;
      this.gauss = 0;
    }
    const key = this.key;
    let pos = this.pos;
    let y: number;
    while (i < end) {
      let x1: number;
      let x2: number;
      let r2: number;
      do {
        // Four 32-bit outputs -> two 53-bit doubles, exactly as randomSample().
        if (pos === MT_N) { twist(key); pos = 0; }
        y = key[pos++]; y ^= y >>> 11; y ^= (y << 7) & TEMPER_B; y ^= (y << 15) & TEMPER_C; y ^= y >>> 18;
        let a = y >>> 5;
        if (pos === MT_N) { twist(key); pos = 0; }
        y = key[pos++]; y ^= y >>> 11; y ^= (y << 7) & TEMPER_B; y ^= (y << 15) & TEMPER_C; y ^= y >>> 18;
        x1 = 2.0 * ((a * 67108864.0 + (y >>> 6)) / 9007199254740992.0) - 1.0;
        if (pos === MT_N) { twist(key); pos = 0; }
        y = key[pos++]; y ^= y >>> 11; y ^= (y << 7) & TEMPER_B; y ^= (y << 15) & TEMPER_C; y ^= y >>> 18;
        a = y >>> 5;
        if (pos === MT_N) { twist(key); pos = 0; }
        y = key[pos++]; y ^= y >>> 11; y ^= (y << 7) & TEMPER_B; y ^= (y << 15) & TEMPER_C; y ^= y >>> 18;
        x2 = 2.0 * ((a * 67108864.0 + (y >>> 6)) / 9007199254740992.0) - 1.0;
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1.0 || r2 === 0.0);
      const f = Math.sqrt((-2.0 * logCR(r2)) / r2);
      out[i++] = loc[k] + scale * (f * x2);
      if (++k === d) k = 0;
      if (i < end) {
        out[i++] = loc[k] + scale * (f * x1);
        if (++k === d) k = 0;
      } else {
        // Odd count: the second value stays cached for the next call, as in numpy.
        this.gauss = f * x1;
        this.hasGauss = true;
      }
    }
    this.pos = pos;
  }

  /**
   * Fills `out[start .. start + count)` as `normal(loc, scale, size)` where `loc` may be a
   * row vector broadcast over rows (numpy's C-order broadcast: element k uses
   * `loc[k % loc.length]`), e.g. make_blobs' `normal(loc=centers[i], size=(n, d))`.
   */
  fillNormal(
    out: Float64Array,
    loc: number | ArrayLike<number>,
    scale: number,
    start = 0,
    count = out.length - start,
  ): Float64Array {
    checkScale(scale);
    if (start < 0 || count < 0 || start + count > out.length) {
      throw new RandomStateError(`fillNormal: range [${start}, ${start + count}) is outside the output array`);
    }
    if (typeof loc === 'number') {
      this.gaussInto(out, start, count, [loc], scale);
      return out;
    }
    const d = loc.length;
    if (d === 0 || count % d !== 0) {
      throw new RandomStateError(`fillNormal: ${count} values do not form whole rows of ${d}`);
    }
    this.gaussInto(out, start, count, loc, scale);
    return out;
  }

  /**
   * numpy `random_interval(max)`: a uniform integer in [0, max] by mask rejection,
   * on 32-bit draws when max fits in 32 bits, else on 64-bit draws (high word first).
   * `max` must be a safe integer (< 2^53), which covers every array JS can hold.
   */
  randomInterval(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RandomStateError(`randomInterval: max must be a non-negative safe integer, got ${max}`);
    }
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      let mask = max;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      mask >>>= 0;
      let value: number;
      while ((value = (this.nextUint32() & mask) >>> 0) > max);
      return value;
    }
    // 64-bit path: the mask's high word covers max's high word; the low word mask is all ones.
    const maxHi = Math.floor(max / TWO_POW_32);
    let maskHi = maxHi;
    maskHi |= maskHi >>> 1;
    maskHi |= maskHi >>> 2;
    maskHi |= maskHi >>> 4;
    maskHi |= maskHi >>> 8;
    maskHi |= maskHi >>> 16;
    maskHi >>>= 0;
    let value: number;
    do {
      const hi = (this.nextUint32() & maskHi) >>> 0;
      const lo = this.nextUint32();
      value = hi * TWO_POW_32 + lo;
    } while (value > max);
    return value;
  }

  /**
   * Legacy `randint(low, high)` for the default integer dtype: an integer in [low, high).
   * With one argument, `randint(high)` draws from [0, high) as numpy does.
   */
  randint(low: number, high?: number): number {
    let lo = low;
    let hi = high;
    if (hi === undefined) {
      hi = lo;
      lo = 0;
    }
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
      throw new RandomStateError(`randint: bounds must be safe integers, got ${lo}, ${hi}`);
    }
    if (lo >= hi) throw new RandomStateError(`randint: low >= high (${lo} >= ${hi})`);
    return lo + this.randomInterval(hi - lo - 1);
  }

  /** Fills `out` as `randint(low, high, size=out.length)`. */
  fillRandint(out: Float64Array | Int32Array, low: number, high: number): typeof out {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RandomStateError(`randint: bounds must be safe integers, got ${low}, ${high}`);
    }
    if (low >= high) throw new RandomStateError(`randint: low >= high (${low} >= ${high})`);
    const range = high - low - 1;
    for (let i = 0; i < out.length; i++) out[i] = low + this.randomInterval(range);
    return out;
  }

  /**
   * In-place `shuffle(x)` of a 1-D sequence: for i = n-1 down to 1, swap x[i] with
   * x[random_interval(i)]. Any indexable array works (typed arrays or plain arrays).
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(x: T): T {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
    return x;
  }

  /** `permutation(n)`: a shuffled `arange(n)`. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RandomStateError(`permutation: n must be an integer in [0, 2^31-1], got ${n}`);
    }
    const arr = new Int32Array(n);
    for (let i = 0; i < n; i++) arr[i] = i;
    return this.shuffle(arr);
  }
}

function checkSeedWord(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RandomStateError(`Seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
  }
}

function checkScale(scale: number): void {
  // numpy: "scale < 0" is a ValueError (CONS_NON_NEGATIVE); NaN is rejected too.
  if (!(scale >= 0)) throw new RandomStateError(`normal: scale must be non-negative, got ${scale}`);
}
