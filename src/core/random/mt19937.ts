/**
 * The MT19937 Mersenne Twister core exactly as numpy's legacy `RandomState` runs it
 * (numpy/random/src/mt19937/mt19937.c): integer seeding by Knuth's recurrence
 * (`mt19937_seed`, which is `init_genrand`), array seeding (`init_by_array`) and the
 * state regeneration ("twist").
 *
 * Performance: the state is an Int32Array (same bits as numpy's uint32 words) and every
 * constant is written as a signed 32-bit value. Words >= 2^31 in a Int32Array, or
 * constants like 0x9908b0df, are not small integers for V8 and force slow
 * heap-number arithmetic (about 10x slower); int32 keeps everything in registers.
 */

export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
export const TEMPER_B = 0x9d2c5680 | 0;
export const TEMPER_C = 0xefc60000 | 0;

/** numpy `mt19937_seed(state, seed)`: fills `key` from one 32-bit seed. */
export function seedInt(key: Int32Array, seed: number): void {
  let s = seed >>> 0;
  for (let pos = 0; pos < MT_N; pos++) {
    key[pos] = s;
    // (1812433253 * (s ^ (s >> 30)) + pos + 1) mod 2^32; imul keeps the low 32 bits exact.
    s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + pos + 1) >>> 0;
  }
}

/** numpy `mt19937_init_by_array`: seeding from an array of 32-bit words. */
export function seedArray(key: Int32Array, initKey: ArrayLike<number>): void {
  // init_genrand(19650218) first, as the reference implementation does.
  key[0] = 19650218;
  for (let i = 1; i < MT_N; i++) {
    const p = key[i - 1];
    key[i] = (Math.imul(1812433253, (p ^ (p >>> 30)) >>> 0) + i) >>> 0;
  }
  const len = initKey.length;
  let i = 1;
  let j = 0;
  for (let k = Math.max(MT_N, len); k > 0; k--) {
    const p = key[i - 1];
    key[i] = ((key[i] ^ Math.imul((p ^ (p >>> 30)) >>> 0, 1664525)) + (initKey[j] >>> 0) + j) >>> 0;
    i++;
    j++;
    if (i >= MT_N) {
      key[0] = key[MT_N - 1];
      i = 1;
    }
    if (j >= len) j = 0;
  }
  for (let k = MT_N - 1; k > 0; k--) {
    const p = key[i - 1];
    key[i] = ((key[i] ^ Math.imul((p ^ (p >>> 30)) >>> 0, 1566083941)) - i) >>> 0;
    i++;
    if (i >= MT_N) {
      key[0] = key[MT_N - 1];
      i = 1;
    }
  }
  // MSB is 1, assuring a non-zero initial array (as numpy does).
  key[0] = 0x80000000;
}

/** numpy `mt19937_gen`: regenerates all 624 words; the caller resets its position to 0. */
export function twist(key: Int32Array): void {
  let i = 0;
  let y: number;
  for (; i < MT_N - MT_M; i++) {
    y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
    key[i] = key[i + MT_M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
  for (; i < MT_N - 1; i++) {
    y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
    key[i] = key[i + (MT_M - MT_N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
  y = (key[MT_N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
  key[MT_N - 1] = key[MT_M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
}

/** The MT output tempering of one state word. */
export function temper(word: number): number {
  let y = word | 0;
  y ^= y >>> 11;
  y ^= (y << 7) & TEMPER_B;
  y ^= (y << 15) & TEMPER_C;
  y ^= y >>> 18;
  return y >>> 0;
}
