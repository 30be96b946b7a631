/**
 * Spec -> data, as the notebook does it:
 *
 *   X, y = make_blobs(..., random_state=RANDOM_SEED)
 *   X_train, X_test, ... = train_test_split(X, y, test_size=..., random_state=RANDOM_SEED)
 *
 * Both calls receive the *int* seed, so each makes its own fresh RandomState(seed);
 * the split does not continue the generator's stream. CSV data is read relative to
 * the spec file's directory, through csvFile.ts (the only module here that touches the disk).
 */
import type { DataSpec, BlobSpec } from '../spec/types';
import type { Dataset, SplitDataset } from './dataset';
import { takeRows } from './dataset';
import { loadCsvData } from './csvFile';
import { makeBlobs, makeCircles, makeMoons } from './generators';
import { trainTestSplit } from './split';
import { RandomState } from '../random/randomState';

export interface LabelledData {
  data: Dataset;
  nClasses: number;
  classNames: string[];
  featureNames: string[];
}

/**
 * The whole dataset of a spec's `data` section, before the split. A CSV file must lie
 * inside `dataRoot` (default: `specDir`, the spec's folder).
 */
export function generateData(data: DataSpec, seed: number, specDir: string, dataRoot?: string): LabelledData {
  switch (data.generator) {
    case 'make_blobs': {
      // Per-centre counts with a centre *count* (resolveSpec infers one from the list,
      // and the validator has checked they agree) is scikit-learn's centers=None:
      // make_blobs itself only takes None or coordinates with a list.
      const centers = Array.isArray(data.n_samples) && typeof data.centers === 'number' ? null : data.centers;
      const r = makeBlobs({
        n_samples: data.n_samples,
        n_features: data.n_features,
        centers,
        cluster_std: data.cluster_std,
        center_box: data.center_box,
        shuffle: data.shuffle,
        random_state: new RandomState(seed),
      });
      return withDefaultNames(r, r.nClasses);
    }
    case 'make_moons': {
      const r = makeMoons({ n_samples: data.n_samples, noise: data.noise, shuffle: data.shuffle, random_state: new RandomState(seed) });
      return withDefaultNames(r, 2);
    }
    case 'make_circles': {
      const r = makeCircles({
        n_samples: data.n_samples,
        noise: data.noise,
        factor: data.factor,
        shuffle: data.shuffle,
        random_state: new RandomState(seed),
      });
      return withDefaultNames(r, 2);
    }
    case 'csv': {
      // The path rule, limits and streaming parse live in csvFile.ts (shared with the validator).
      const r = loadCsvData(data.path, specDir, dataRoot);
      return { data: { X: r.X, y: r.y, n: r.n, d: r.d }, nClasses: r.nClasses, classNames: r.classNames, featureNames: r.featureNames };
    }
    default: {
      const g: never = data;
      throw new Error(`unknown data generator ${(g as DataSpec).generator}`);
    }
  }
}

/** The spec's data, split into train and test exactly as `train_test_split`. */
export function buildDataset(spec: BlobSpec, specDir: string, dataRoot?: string): SplitDataset {
  const { data, nClasses, classNames, featureNames } = generateData(spec.data, spec.seed, specDir, dataRoot);
  const { trainIdx, testIdx } = trainTestSplit(data.n, {
    test_size: spec.data.test_size,
    shuffle: spec.data.split_shuffle,
    random_state: spec.seed,
  });
  return { all: data, train: takeRows(data, trainIdx), test: takeRows(data, testIdx), nClasses, classNames, featureNames };
}

function withDefaultNames(ds: Dataset, nClasses: number): LabelledData {
  return {
    data: { X: ds.X, y: ds.y, n: ds.n, d: ds.d },
    nClasses,
    classNames: Array.from({ length: nClasses }, (_, i) => String(i)),
    featureNames: Array.from({ length: ds.d }, (_, j) => `x${j + 1}`),
  };
}
