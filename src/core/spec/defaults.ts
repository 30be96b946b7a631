/**
 * Defaults: the notebook's choices. `resolveSpec` turns a (validated) raw spec into the
 * `BlobSpec` the engine runs, and `NOTEBOOK_SPEC_TEXT` is the notebook written out as a
 * spec file (`blobs init`, the extension's "New Blob Spec").
 *
 * `resolveSpec` fills in and infers; it does not check. Run `validateSpecText` first:
 * a value of the wrong type here is replaced by its default rather than reported.
 */

import {
  BLOBS_FIELDS,
  BOUNDARY_FIELDS,
  CIRCLES_FIELDS,
  DATA_COMMON,
  GENERATORS,
  MODEL_FIELDS,
  MOONS_FIELDS,
  TOP_FIELDS,
  TRAINING_FIELDS,
  type FieldTable,
} from './fields';
import type {
  BlobSpec,
  BlobsData,
  BoundarySpec,
  CirclesData,
  CsvData,
  DataSpec,
  GeneratorName,
  ModelSpec,
  MoonsData,
  TrainingSpec,
} from './types';

type Obj = Record<string, unknown>;

/** `v`'s own keys in an object without a prototype: nothing inherited is ever read as a field. */
function asObj(v: unknown): Obj {
  const out = Object.create(null) as Obj;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) out[k] = x;
  return out;
}

/** Deep copy, so a resolved spec never shares arrays with the table or the input. */
function copy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** The table's keys, each taken from `raw` when present, else the default. */
function fill(table: FieldTable, raw: Obj): Obj {
  const out: Obj = {};
  for (const [key, field] of Object.entries(table)) {
    if (field.shape.t === 'object') continue;
    // Own keys only: a polluted Object.prototype must not fill in a spec.
    const v = Object.hasOwn(raw, key) && raw[key] !== undefined ? raw[key] : field.def;
    if (v !== undefined) out[key] = copy(v);
  }
  return out;
}

/** `foo.blobs.json` -> `foo`; the spec's display name when it has no `name`. */
export function nameFromPath(specPath: string): string {
  const base = specPath.split(/[\\/]/).pop() ?? specPath;
  return base.replace(/\.blobs\.json$/i, '').replace(/\.json$/i, '') || 'Untitled';
}

function resolveData(raw: Obj): DataSpec {
  const gen: GeneratorName = GENERATORS.includes(raw.generator as GeneratorName)
    ? (raw.generator as GeneratorName)
    : 'make_blobs';
  const common = fill(DATA_COMMON, raw);
  common.generator = gen;
  switch (gen) {
    case 'make_blobs': {
      const d = { ...common, ...fill(BLOBS_FIELDS, raw) } as unknown as BlobsData;
      // As scikit-learn: with per-centre counts and no `centers`, one random centre per
      // count (`centers` = the number of counts draws exactly what centers=None does).
      if (Array.isArray(d.n_samples) && raw.centers === undefined) d.centers = d.n_samples.length;
      // Explicit centres fix the dimension (scikit-learn takes n_features from them).
      if (Array.isArray(d.centers) && raw.n_features === undefined && d.centers.length > 0) {
        d.n_features = d.centers[0].length;
      }
      return d;
    }
    case 'make_moons':
      return { ...common, ...fill(MOONS_FIELDS, raw) } as unknown as MoonsData;
    case 'make_circles':
      return { ...common, ...fill(CIRCLES_FIELDS, raw) } as unknown as CirclesData;
    case 'csv':
      return { ...common, path: typeof raw.path === 'string' ? raw.path : '' } as CsvData;
  }
}

/** Fills every missing field of a raw spec object with the notebook's default. */
export function resolveSpec(raw: unknown, opts: { specPath?: string } = {}): BlobSpec {
  const r = asObj(raw);
  const top = fill(TOP_FIELDS, r);
  const spec: BlobSpec = {
    name:
      typeof r.name === 'string' && r.name.trim() ? r.name : opts.specPath ? nameFromPath(opts.specPath) : 'Untitled',
    seed: top.seed as number,
    data: resolveData(asObj(r.data)),
    model: fill(MODEL_FIELDS, asObj(r.model)) as unknown as ModelSpec,
    training: fill(TRAINING_FIELDS, asObj(r.training)) as unknown as TrainingSpec,
    boundary: fill(BOUNDARY_FIELDS, asObj(r.boundary)) as unknown as BoundarySpec,
    device: top.device as BlobSpec['device'],
  };
  if (typeof r.description === 'string') spec.description = r.description;
  return spec;
}

/**
 * The notebook's spec object, every field spelled out. No `$schema`: the extension
 * associates *.blobs.json with the bundled schema, and a URL in a user's file would
 * point at the network.
 */
export const NOTEBOOK_SPEC = {
  name: 'Four blobs',
  description:
    "The notebook's multiclass example: make_blobs(1000, 2 features, 4 centres, cluster_std=1.5, random_state=42), a 2-8-8-4 network without non-linear layers, SGD lr 0.1, 100 full-batch epochs.",
  seed: 42,
  data: {
    generator: 'make_blobs',
    n_samples: 1000,
    n_features: 2,
    centers: 4,
    cluster_std: 1.5,
    center_box: [-10, 10],
    shuffle: true,
    test_size: 0.2,
    split_shuffle: true,
  },
  model: { hidden_units: [8, 8], activation: 'none' },
  training: { epochs: 100, optimizer: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, batch_size: 'full', log_every: 10 },
  boundary: { resolution: 101, padding: 0.1, every: 'auto' },
  device: 'auto',
};

/**
 * `NOTEBOOK_SPEC` as the text of a new file. Short lists stay on one line
 * (`[8, 8]`, `[-10, 10]`), which is how people write them.
 */
export const NOTEBOOK_SPEC_TEXT: string = prettyJson(NOTEBOOK_SPEC) + '\n';

/**
 * A new spec file's text (the extension's "New Blob Spec", `blobs init`): the notebook's
 * spec, named after its file (`moons.blobs.json` -> "moons"), so the panel, the run
 * folder and the file all say the same name.
 */
export function newSpecText(specPath: string): string {
  return prettyJson({ ...NOTEBOOK_SPEC, name: nameFromPath(specPath) }) + '\n';
}

/** JSON.stringify with 2-space indent, but arrays of scalars on one line. */
export function prettyJson(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined);
    if (!entries.length) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
