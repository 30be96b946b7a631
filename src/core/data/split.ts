/**
 * scikit-learn 1.2's `train_test_split` (without `stratify`), as row indices.
 *
 * `_validate_shuffle_split`: a fractional test_size gives n_test = ceil(test_size * n),
 * a whole-number one is the count itself; n_train = n - n_test (or from train_size:
 * floor(train_size * n) / the count). With shuffle, `ShuffleSplit` draws
 * `rng.permutation(n)` from `check_random_state(random_state)` -- a *fresh*
 * RandomState for an int seed -- and takes test = perm[:n_test],
 * train = perm[n_test : n_test + n_train]. Without shuffle: train = 0..n_train-1,
 * test = the next n_test rows.
 *
 * JSON has one number type, so the int/float distinction sklearn makes is by value:
 * 0 < x < 1 is a fraction, a whole number >= 1 is a count.
 */
import { RandomState } from '../random/randomState';

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

export interface SplitOptions {
  /** Fraction in (0, 1) or a whole count in [1, n-1]. Default 0.25 (sklearn's, when train_size is also absent). */
  test_size?: number;
  /** Same convention; default: the complement of test_size. */
  train_size?: number;
  /** Default true. */
  shuffle?: boolean;
  /** An int seeds a fresh RandomState; an instance is drawn from (sklearn's check_random_state). */
  random_state?: number | RandomState;
}

export interface SplitIndices {
  trainIdx: Int32Array;
  testIdx: Int32Array;
}

export function trainTestSplit(n: number, opts: SplitOptions = {}): SplitIndices {
  if (!Number.isInteger(n) || n < 0) throw new SplitError(`train_test_split: n must be a whole number, got ${n}`);
  const [nTrain, nTest] = splitSizes(n, opts.test_size, opts.train_size);
  const shuffle = opts.shuffle ?? true;
  if (!shuffle) {
    const trainIdx = new Int32Array(nTrain);
    const testIdx = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) trainIdx[i] = i;
    for (let i = 0; i < nTest; i++) testIdx[i] = nTrain + i;
    return { trainIdx, testIdx };
  }
  const rs = opts.random_state;
  if (rs === undefined) {
    // sklearn would use numpy's global state; this engine is always reproducible.
    throw new SplitError('train_test_split: random_state is required when shuffle is true (e.g. the seed 42)');
  }
  const rng = typeof rs === 'number' ? seeded(rs) : rs;
  const perm = rng.permutation(n);
  return { testIdx: perm.slice(0, nTest), trainIdx: perm.slice(nTest, nTest + nTrain) };
}

/** sklearn's `_validate_shuffle_split`: [n_train, n_test], with its checks and clearer words. */
export function splitSizes(n: number, testSize?: number, trainSize?: number): [number, number] {
  const test = testSize === undefined && trainSize === undefined ? 0.25 : testSize;
  const kindTest = sizeKind('test_size', test, n);
  const kindTrain = sizeKind('train_size', trainSize, n);
  if (kindTest === 'fraction' && kindTrain === 'fraction' && test! + trainSize! > 1) {
    throw new SplitError(`train_test_split: test_size + train_size = ${test! + trainSize!} is more than 1; reduce one of them`);
  }
  let nTest = test === undefined ? NaN : kindTest === 'fraction' ? Math.ceil(test * n) : test;
  let nTrain = trainSize === undefined ? NaN : kindTrain === 'fraction' ? Math.floor(trainSize * n) : trainSize;
  if (trainSize === undefined) nTrain = n - nTest;
  else if (test === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    throw new SplitError(`train_test_split: train (${nTrain}) + test (${nTest}) = ${nTrain + nTest} samples, but there are only ${n}`);
  }
  if (nTrain === 0) {
    throw new SplitError(
      `train_test_split: with ${n} samples and test_size=${test}, the training set would be empty; use a smaller test_size or more samples`,
    );
  }
  if (nTest === 0) {
    throw new SplitError(
      `train_test_split: with ${n} samples and test_size=${test}, the test set would be empty; use a larger test_size or more samples`,
    );
  }
  return [nTrain, nTest];
}

function sizeKind(name: string, v: number | undefined, n: number): 'fraction' | 'count' | 'absent' {
  if (v === undefined) return 'absent';
  if (Number.isInteger(v) && v >= 1) {
    if (v >= n) {
      throw new SplitError(`train_test_split: ${name}=${v} must be smaller than the number of samples (${n}), or a fraction between 0 and 1`);
    }
    return 'count';
  }
  if (Number.isFinite(v) && v > 0 && v < 1) return 'fraction';
  throw new SplitError(`train_test_split: ${name}=${v} must be a fraction between 0 and 1 (e.g. 0.2) or a whole number of samples`);
}

function seeded(seed: number): RandomState {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SplitError(`train_test_split: random_state must be an integer between 0 and 2**32 - 1, got ${seed}`);
  }
  return new RandomState(seed);
}
