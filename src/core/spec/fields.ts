/**
 * The field table of the `.blobs.json` spec: for every key, the JSON shape it accepts
 * and its default. It is the validator's source of truth for types, enums and ranges,
 * and `resolveSpec` takes its defaults from here.
 *
 * `schemas/blobs.schema.json` says the same things for the editor (completion, hover);
 * `test/unit/spec-schema.test.ts` checks the two agree on defaults, enums and bounds.
 */

import { LIMITS } from './types';
import type { GeneratorName } from './types';

/** A JSON shape. `oneOf` picks its branch by the JSON type of the value. */
export type Shape =
  | { t: 'int'; min?: number; max?: number }
  /** `xmin`/`xmax` are exclusive bounds (JSON Schema's exclusiveMinimum/Maximum). */
  | { t: 'num'; min?: number; max?: number; xmin?: number; xmax?: number }
  | { t: 'bool' }
  | { t: 'str'; minLength?: number }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'null' }
  | { t: 'array'; items: Shape; minItems?: number; maxItems?: number }
  | { t: 'tuple'; items: readonly Shape[] }
  | { t: 'oneOf'; options: readonly Shape[] }
  /** A nested section, walked with its own table (see OBJECT_KEYS). */
  | { t: 'object' };

export interface Field {
  shape: Shape;
  /** Undefined when the default depends on other fields (e.g. `name`). */
  def?: unknown;
  /** Extra check after the shape matched; returns a message, or undefined when fine. */
  refine?: (v: unknown) => string | undefined;
  /** What the value may be, in words, for range errors (else the shape's bounds). */
  allowed?: string;
}

export type FieldTable = Record<string, Field>;

export const GENERATORS: readonly GeneratorName[] = ['make_blobs', 'make_moons', 'make_circles', 'csv'];
export const ACTIVATIONS = ['none', 'relu', 'tanh', 'sigmoid'] as const;
export const OPTIMIZERS = ['sgd', 'adam'] as const;
export const DEVICES = ['auto', 'gpu', 'cpu', 'wasm', 'js'] as const;

const bool: Shape = { t: 'bool' };
/** A coordinate: any number a toy dataset can hold (see LIMITS.maxMagnitude). */
const coord: Shape = { t: 'num', min: -LIMITS.maxMagnitude, max: LIMITS.maxMagnitude };
/** A spread (std, noise, padding): from 0 to LIMITS.maxMagnitude. */
const spread: Shape = { t: 'num', min: 0, max: LIMITS.maxMagnitude };
const count = (min: number, max: number = LIMITS.maxSamples): Shape => ({ t: 'int', min, max });

export const TOP_FIELDS: FieldTable = {
  $schema: { shape: { t: 'str' } },
  name: { shape: { t: 'str' } },
  description: { shape: { t: 'str' } },
  seed: { shape: { t: 'int', min: 0, max: LIMITS.maxSeed }, def: 42 },
  data: { shape: { t: 'object' } },
  model: { shape: { t: 'object' } },
  training: { shape: { t: 'object' } },
  boundary: { shape: { t: 'object' } },
  device: { shape: { t: 'enum', values: DEVICES }, def: 'auto' },
};

/** Keys of the top level whose values are objects with their own tables. */
export const OBJECT_KEYS = ['data', 'model', 'training', 'boundary'] as const;

export const DATA_COMMON: FieldTable = {
  generator: { shape: { t: 'enum', values: GENERATORS }, def: 'make_blobs' },
  test_size: {
    // A fraction in (0, 1) or a whole count >= 1, exactly as train_test_split reads it.
    shape: { t: 'oneOf', options: [{ t: 'num', xmin: 0, max: LIMITS.maxSamples }] },
    def: 0.2,
    allowed: `a fraction between 0 and 1 (e.g. 0.2) or a whole number of test samples (e.g. 200, at most ${LIMITS.maxSamples.toLocaleString('en-US')})`,
    refine: (v) =>
      typeof v === 'number' && v >= 1 && !Number.isInteger(v)
        ? `must be a fraction between 0 and 1 (e.g. 0.2) or a whole number of test samples (e.g. 200), not ${v}`
        : undefined,
  },
  split_shuffle: { shape: bool, def: true },
};

export const BLOBS_FIELDS: FieldTable = {
  n_samples: {
    shape: {
      t: 'oneOf',
      options: [count(1), { t: 'array', items: count(1), minItems: 2, maxItems: LIMITS.maxClasses }],
    },
    def: 1000,
  },
  n_features: { shape: { t: 'int', min: 2, max: LIMITS.maxFeatures }, def: 2 },
  centers: {
    shape: {
      t: 'oneOf',
      options: [
        { t: 'int', min: 2, max: LIMITS.maxClasses },
        {
          t: 'array',
          items: { t: 'array', items: coord, minItems: 2, maxItems: LIMITS.maxFeatures },
          minItems: 2,
          maxItems: LIMITS.maxClasses,
        },
      ],
    },
    def: 4,
  },
  cluster_std: {
    shape: {
      t: 'oneOf',
      options: [
        spread,
        { t: 'array', items: spread, minItems: 2, maxItems: LIMITS.maxClasses },
      ],
    },
    def: 1.5,
  },
  center_box: { shape: { t: 'tuple', items: [coord, coord] }, def: [-10, 10] },
  shuffle: { shape: bool, def: true },
};

const TWO_MOONS_SAMPLES: Field = {
  shape: { t: 'oneOf', options: [count(2), { t: 'tuple', items: [count(1), count(1)] }] },
  def: 1000,
};
const NOISE: Field = {
  shape: { t: 'oneOf', options: [spread, { t: 'null' }] },
  def: null,
};

export const MOONS_FIELDS: FieldTable = {
  n_samples: TWO_MOONS_SAMPLES,
  noise: NOISE,
  shuffle: { shape: bool, def: true },
};

export const CIRCLES_FIELDS: FieldTable = {
  n_samples: TWO_MOONS_SAMPLES,
  noise: NOISE,
  // scikit-learn rejects factor >= 1 (the inner circle must be smaller).
  factor: { shape: { t: 'num', min: 0, xmax: 1 }, def: 0.8 },
  shuffle: { shape: bool, def: true },
};

export const CSV_FIELDS: FieldTable = {
  path: { shape: { t: 'str', minLength: 1 } },
};

export const GENERATOR_FIELDS: Record<GeneratorName, FieldTable> = {
  make_blobs: BLOBS_FIELDS,
  make_moons: MOONS_FIELDS,
  make_circles: CIRCLES_FIELDS,
  csv: CSV_FIELDS,
};

export const MODEL_FIELDS: FieldTable = {
  hidden_units: {
    shape: { t: 'array', items: { t: 'int', min: 1, max: LIMITS.maxHiddenUnits }, maxItems: LIMITS.maxHiddenLayers },
    def: [8, 8],
  },
  activation: { shape: { t: 'enum', values: ACTIVATIONS }, def: 'none' },
};

export const TRAINING_FIELDS: FieldTable = {
  epochs: { shape: { t: 'int', min: 1, max: LIMITS.maxEpochs }, def: 100 },
  optimizer: { shape: { t: 'enum', values: OPTIMIZERS }, def: 'sgd' },
  lr: { shape: { t: 'num', xmin: 0 }, def: 0.1 },
  // momentum >= 1 never converges; PyTorch accepts it, we do not.
  momentum: { shape: { t: 'num', min: 0, xmax: 1 }, def: 0 },
  weight_decay: { shape: { t: 'num', min: 0 }, def: 0 },
  batch_size: {
    shape: { t: 'oneOf', options: [{ t: 'enum', values: ['full'] }, count(1)] },
    def: 'full',
  },
  log_every: { shape: { t: 'int', min: 1, max: LIMITS.maxEpochs }, def: 10 },
};

export const BOUNDARY_FIELDS: FieldTable = {
  resolution: { shape: { t: 'int', min: LIMITS.minResolution, max: LIMITS.maxResolution }, def: 101 },
  padding: { shape: spread, def: 0.1 },
  every: {
    shape: { t: 'oneOf', options: [{ t: 'enum', values: ['auto'] }, { t: 'int', min: 1, max: LIMITS.maxEpochs }] },
    def: 'auto',
  },
};

export const SECTION_FIELDS = {
  model: MODEL_FIELDS,
  training: TRAINING_FIELDS,
  boundary: BOUNDARY_FIELDS,
} as const;

/** Every key any generator accepts, to tell "unused here" from "unknown". */
export function allDataKeys(): string[] {
  const keys = new Set(Object.keys(DATA_COMMON));
  for (const t of Object.values(GENERATOR_FIELDS)) for (const k of Object.keys(t)) keys.add(k);
  return [...keys];
}

/** Generators that accept `key`, for "`factor` is only used by make_circles". */
export function generatorsUsing(key: string): GeneratorName[] {
  return GENERATORS.filter((g) => Object.hasOwn(GENERATOR_FIELDS[g], key));
}
