/**
 * A small seeded PRNG for weight init and batch shuffling (not for data: data uses
 * numpy's RandomState in src/core/random so it matches scikit-learn).
 *
 * Why not tf.randomUniform({seed})? TF.js treats seed 0 as "no seed" (Math.random), and
 * its seeded streams differ between backends. Drawing in JS makes init identical on every
 * backend and makes seed 0 as deterministic as any other seed.
 */

/** splitmix32 finaliser: spreads any integer seed (0 included) over 32 bits. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** mulberry32: fast, 32-bit state, good enough for init and shuffles. */
export class Rng {
  private s: number;
  /** `stream` separates independent uses of one seed (init vs shuffle). */
  constructor(seed: number, stream = 0) {
    // Seeds may be any safe integer; fold the high bits in so 2^32+1 != 1.
    const hi = Math.floor(seed / 2 ** 32);
    this.s = mix32(mix32(seed >>> 0) ^ mix32(hi ^ 0x5bd1e995) ^ Math.imul(stream + 1, 0x27d4eb2f));
  }
  /** The generator's whole state (to rewind an abandoned epoch's shuffle). */
  get state(): number {
    return this.s;
  }
  set state(s: number) {
    this.s = s;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Fisher–Yates shuffle in place. */
  shuffle(a: Int32Array): Int32Array {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
