/**
 * `runSpec`: the whole job behind "train this spec", as one event stream.
 *
 *   validate → apply overrides → refuse absurd sizes (too-large) → buildDataset →
 *   load backend → train → write artifacts
 *
 * Every failure becomes an ErrorEvent with the right code — never an unhandled throw:
 *   bad-spec (validation, CSV that fails to load, bad override), too-large,
 *   device-unavailable, diverged (from the trainer), internal (anything else).
 */

import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { buildDataset } from '../data/build';
import type { SplitDataset } from '../data/dataset';
import type { ErrorEvent, TrainerEvent, TrainerOptions } from '../protocol';
import { validateSpecText } from '../spec/validate';
import { LIMITS, type BlobSpec } from '../spec/types';
import { checkInsideRoot, writeArtifacts } from './artifacts';
import { defaultLoaders, DeviceUnavailableError, loadBackend, type BackendLoaders } from './backends';
import type { RunControl } from './control';
import { layerSizes, paramCount } from './model';
import { MAX_WORKERS } from './parallel/plan';
import { train } from './trainer';

/** Largest estimated working set we agree to allocate. */
export const MAX_WORKING_BYTES = 3 * 1024 ** 3;

export interface RunDeps {
  loaders?: BackendLoaders;
  /** Artifacts may only go inside this folder; `options.allowedRoot` wins (default: the spec's folder). */
  allowedRoot?: string;
  /** Fixed run id (tests); default: time + random suffix. */
  runId?: string;
  /** Write figure.png too (default true). */
  png?: boolean;
}

/** e.g. 20261128-181530-3fa2: sorts by time, unique enough for one spec folder. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const t = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${d}-${t}-${randomBytes(2).toString('hex')}`;
}

function sampleCount(spec: BlobSpec): number | undefined {
  const d = spec.data;
  if (d.generator === 'csv') return undefined; // the validator read the file and bounded it
  return Array.isArray(d.n_samples) ? d.n_samples.reduce((a, b) => a + b, 0) : d.n_samples;
}

/** Rough bytes the run will hold: data copies, device tensors, activations, grid. */
export function estimateBytes(spec: BlobSpec, nSamples: number, nFeatures: number, nClasses: number): number {
  const sizes = layerSizes(nFeatures, spec.model.hidden_units, nClasses);
  const widths = sizes.reduce((a, b) => a + b, 0);
  const hostData = nSamples * (nFeatures * 8 + 4) * 3; // all + train + test
  const device = nSamples * (nFeatures + nClasses + 1) * 4;
  const acts = nSamples * widths * 4 * 3; // activations, gradients, temporaries
  const res = spec.boundary.resolution;
  const grid = res * res * (nFeatures + widths) * 4 * 2;
  return hostData + device + acts + grid + paramCount(sizes) * 4 * 4;
}

function fmtBytes(b: number): string {
  return b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(b / 1024 ** 2)} MiB`;
}

function err(code: ErrorEvent['code'], message: string): ErrorEvent {
  return { type: 'error', code, message };
}

/** Applies TrainerOptions overrides; returns an error message for a bad one. */
function applyOverrides(spec: BlobSpec, o: TrainerOptions): string | undefined {
  if (o.device !== undefined) {
    if (!['auto', 'gpu', 'cpu', 'wasm', 'js'].includes(o.device)) return `unknown device "${o.device}" (auto, gpu, cpu, wasm or js)`;
    spec.device = o.device;
  }
  if (o.epochs !== undefined) {
    if (!Number.isInteger(o.epochs) || o.epochs < 1 || o.epochs > LIMITS.maxEpochs) return `epochs must be an integer from 1 to ${LIMITS.maxEpochs}, got ${o.epochs}`;
    spec.training = { ...spec.training, epochs: o.epochs };
  }
  if (o.resolution !== undefined) {
    if (!Number.isInteger(o.resolution) || o.resolution < LIMITS.minResolution || o.resolution > LIMITS.maxResolution)
      return `resolution must be an integer from ${LIMITS.minResolution} to ${LIMITS.maxResolution}, got ${o.resolution}`;
    spec.boundary = { ...spec.boundary, resolution: o.resolution };
  }
  if (o.maxPoints !== undefined && !(Number.isInteger(o.maxPoints) && o.maxPoints >= 0)) return `maxPoints must be a non-negative integer, got ${o.maxPoints}`;
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1 && o.workers <= MAX_WORKERS)) return `workers must be an integer from 1 to ${MAX_WORKERS}, got ${o.workers}`;
  return undefined;
}

export async function* runSpec(
  specText: string,
  specPath: string,
  options: TrainerOptions = {},
  control?: RunControl,
  deps: RunDeps = {},
): AsyncGenerator<TrainerEvent, void, undefined> {
  try {
    const v = validateSpecText(specText, { specPath });
    if (!v.spec) {
      const errors = v.problems.filter((p) => p.severity === 'error');
      const lines = errors.slice(0, 5).map((p) => `  line ${p.range.start.line + 1}: ${p.message}`);
      if (errors.length > 5) lines.push(`  ... and ${errors.length - 5} more`);
      yield err('bad-spec', `The spec has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
      return;
    }
    const spec: BlobSpec = structuredClone(v.spec);
    const bad = applyOverrides(spec, options);
    if (bad) {
      yield err('bad-spec', bad);
      return;
    }

    const declared = sampleCount(spec);
    if (declared !== undefined) {
      const nf = spec.data.generator === 'make_blobs' ? spec.data.n_features : 2;
      const nc = spec.data.generator === 'make_blobs' ? (typeof spec.data.centers === 'number' ? spec.data.centers : spec.data.centers.length) : 2;
      const bytes = estimateBytes(spec, declared, nf, nc);
      if (bytes > MAX_WORKING_BYTES) {
        yield err('too-large', `This run would need about ${fmtBytes(bytes)} of memory (limit ${fmtBytes(MAX_WORKING_BYTES)}): reduce n_samples, n_features, hidden_units or boundary.resolution.`);
        return;
      }
    }

    const specDir = dirname(resolve(specPath));
    let data: SplitDataset;
    try {
      data = buildDataset(spec, specDir);
    } catch (e) {
      yield err('bad-spec', `Could not build the dataset: ${(e as Error).message}`);
      return;
    }
    const bytes = estimateBytes(spec, data.all.n, data.all.d, data.nClasses);
    if (bytes > MAX_WORKING_BYTES) {
      yield err('too-large', `This run would need about ${fmtBytes(bytes)} of memory (limit ${fmtBytes(MAX_WORKING_BYTES)}).`);
      return;
    }
    if (data.train.n === 0) {
      yield err('bad-spec', 'The training split is empty: lower test_size or add samples.');
      return;
    }

    let outParent: string | undefined;
    if (options.outDir) {
      try {
        outParent = checkInsideRoot(options.outDir, options.allowedRoot ?? deps.allowedRoot ?? specDir);
      } catch (e) {
        yield err('bad-spec', (e as Error).message);
        return;
      }
    }

    const sizes = layerSizes(data.all.d, spec.model.hidden_units, data.nClasses);
    let backend;
    try {
      backend = await loadBackend(spec.device, { params: paramCount(sizes), nTrain: data.train.n, nTest: data.test.n }, deps.loaders ?? defaultLoaders);
    } catch (e) {
      if (e instanceof DeviceUnavailableError) yield err('device-unavailable', `${e.message}. Use "device": "auto" (or --device auto) to pick an available one.`);
      else yield err('internal', `Could not load a TensorFlow.js backend: ${(e as Error).message}`);
      return;
    }

    yield* train({
      spec,
      runId: deps.runId ?? newRunId(),
      data,
      backend,
      maxPoints: options.maxPoints,
      workers: options.workers,
      control,
      onFinish: outParent
        ? async (run) => ({ artifacts_dir: await writeArtifacts(run, { parent: outParent, data, png: deps.png }) })
        : undefined,
    });
  } catch (e) {
    yield err('internal', `Unexpected failure: ${(e as Error)?.stack ?? String(e)}`);
  }
}
