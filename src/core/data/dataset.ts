/**
 * A labelled dataset in the layout every part of the engine uses: features as one
 * row-major Float64Array (n rows of d values, the same float64 numbers scikit-learn
 * returns), labels as an Int32Array of class indices 0..nClasses-1.
 */
export interface Dataset {
  X: Float64Array;
  y: Int32Array;
  /** Number of samples (rows). */
  n: number;
  /** Number of features (columns). */
  d: number;
}

/** The generated data and its train/test split, as `train_test_split` returns it. */
export interface SplitDataset {
  all: Dataset;
  train: Dataset;
  test: Dataset;
  nClasses: number;
  /** Display names of the classes (CSV labels, or "0", "1", ...). */
  classNames: string[];
  /** Display names of the features ("x1", "x2", ... or a CSV header). */
  featureNames: string[];
}

/** Rows `idx` of `ds`, in that order. */
export function takeRows(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const { d } = ds;
  const X = new Float64Array(idx.length * d);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    X.set(ds.X.subarray(r * d, r * d + d), i * d);
    y[i] = ds.y[r];
  }
  return { X, y, n: idx.length, d };
}
