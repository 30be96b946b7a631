/**
 * The `.blobs.json` spec, as the engine sees it after defaults are applied.
 *
 * Field names follow scikit-learn (`make_blobs`, `train_test_split`) and PyTorch
 * (`lr`, `momentum`, `weight_decay`) so a notebook user recognises them. Every field
 * of the file is optional; `resolveSpec` (spec/defaults.ts) fills in the notebook's
 * choices. The JSON Schema in `schemas/blobs.schema.json` documents each field.
 */

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';
export type OptimizerName = 'sgd' | 'adam';
/** `auto` picks the fastest available; the others are explicit requests. */
export type DeviceRequest = 'auto' | 'gpu' | 'cpu' | 'wasm' | 'js';
export type GeneratorName = 'make_blobs' | 'make_moons' | 'make_circles' | 'csv';

interface CommonData {
  /** Fraction (0 < f < 1) or absolute count of test samples, as in `train_test_split`. */
  test_size: number;
  /** Shuffle before splitting (`train_test_split(shuffle=...)`). */
  split_shuffle: boolean;
}

export interface BlobsData extends CommonData {
  generator: 'make_blobs';
  /** Total count, or one count per centre. */
  n_samples: number | number[];
  n_features: number;
  /** Number of centres, or explicit centre coordinates (each of length n_features). */
  centers: number | number[][];
  /** One std for all centres, or one per centre. */
  cluster_std: number | number[];
  center_box: [number, number];
  shuffle: boolean;
}

export interface MoonsData extends CommonData {
  generator: 'make_moons';
  /** Total count, or [n_outer, n_inner]. */
  n_samples: number | [number, number];
  noise: number | null;
  shuffle: boolean;
}

export interface CirclesData extends CommonData {
  generator: 'make_circles';
  /** Total count, or [n_outer, n_inner]. */
  n_samples: number | [number, number];
  noise: number | null;
  factor: number;
  shuffle: boolean;
}

export interface CsvData extends CommonData {
  generator: 'csv';
  /** Path to `x1,...,xn,label` rows, relative to the spec file. Header optional. */
  path: string;
}

export type DataSpec = BlobsData | MoonsData | CirclesData | CsvData;

export interface ModelSpec {
  /** Widths of the hidden dense layers; [] is plain softmax regression. */
  hidden_units: number[];
  /** Applied after every hidden layer. The notebook's default: none. */
  activation: Activation;
}

export interface TrainingSpec {
  epochs: number;
  optimizer: OptimizerName;
  lr: number;
  /** SGD momentum (0 = plain SGD). Ignored by adam. */
  momentum: number;
  /** L2 penalty added to the loss, as PyTorch's `weight_decay` (coefficient on 0.5*||w||^2 * 2). */
  weight_decay: number;
  /** `"full"` = one step per epoch over the whole training set (the notebook). */
  batch_size: 'full' | number;
  /** Print the notebook's log line every N epochs. */
  log_every: number;
}

export interface BoundarySpec {
  /** Grid points per axis (the notebook's helper: 101). */
  resolution: number;
  /** Padding added to the data's min/max on each axis (the notebook's helper: 0.1). */
  padding: number;
  /** A boundary frame after every N-th epoch, or `"auto"`: every epoch of a short run, ~200 over a long one (frames.ts FrameClock). */
  every: number | 'auto';
}

export interface BlobSpec {
  name: string;
  /** Free text shown with the spec; not used by the engine. */
  description?: string;
  /** Seeds data generation, the split, weight init and batch shuffling (`RANDOM_SEED`). */
  seed: number;
  data: DataSpec;
  model: ModelSpec;
  training: TrainingSpec;
  boundary: BoundarySpec;
  device: DeviceRequest;
}

/**
 * Hard limits, checked by the validator before anything is allocated in proportion to
 * them (the README's spec section lists them).
 */
export const LIMITS = {
  maxSamples: 5_000_000,
  maxFeatures: 1_000,
  maxClasses: 100,
  maxHiddenLayers: 16,
  maxHiddenUnits: 4_096,
  maxEpochs: 1_000_000,
  maxResolution: 501,
  minResolution: 2,
  /** n_samples * n_features: 20M float64 values is 160 MB, before any copies. */
  maxDataValues: 20_000_000,
  /** Trainable parameters of the whole network (weights + biases). */
  maxParams: 5_000_000,
  /** numpy's RandomState accepts seeds in [0, 2**32 - 1]. */
  maxSeed: 4_294_967_295,
  /**
   * Largest |value| of a coordinate, std, noise or padding in a spec. Generated data
   * stays far inside float64 (no Infinity in `blobs data`) and float32 (the trainer's
   * tensors), and a box or std in the millions is already far beyond any toy dataset.
   */
  maxMagnitude: 1_000_000,
  /** Largest CSV file the validator/loader reads (checked from the file's size, then while reading). */
  maxCsvBytes: 512 * 1024 * 1024,
  /** Longest line of a CSV file: 1,001 cells of long labels fit; a file with no line breaks does not. */
  maxCsvLineChars: 1024 * 1024,
  /** Different label texts in a CSV file's last column, read before the class count is judged. */
  maxCsvLabels: 1_000,
  /**
   * Largest spec file (bytes) or text (characters). The biggest spec the other limits
   * allow, 100 explicit centres of 1,000 coordinates at full precision, is about 3 MB.
   */
  maxSpecBytes: 4 * 1024 * 1024,
  /** Items of any one list, or keys of any one object, in a spec: a centre's 1,000 coordinates. */
  maxListItems: 1_000,
  /** Values (numbers, strings, lists, objects...) in a whole spec: 100 centres x 1,000 coordinates, and room to spare. */
  maxSpecValues: 200_000,
} as const;
