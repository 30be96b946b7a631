/**
 * `runSpec`: the whole job behind "train this spec", as one event stream.
 *
 *   validate → apply overrides → refuse absurd sizes (too-large) → buildDataset →
 *   load backend → train → write the run's folder (artifacts, then its event history,
 *   then the rename that publishes it) → the terminal event
 *
 * Every failure becomes an ErrorEvent with the right code — never an unhandled throw:
 *   bad-spec (validation, CSV that fails to load, bad override), too-large,
 *   device-unavailable, diverged (from the trainer), internal (anything else).
 */

import { dirname, resolve } from 'node:path';
import { buildDataset } from '../data/build';
import type { SplitDataset } from '../data/dataset';
import { isTerminal, type ErrorEvent, type TrainerEvent, type TrainerOptions } from '../protocol';
import { memorySize } from '../figure/format';
import { DEVICES } from '../spec/fields';
import { validateSpecText } from '../spec/validate';
import { LIMITS, type BlobSpec } from '../spec/types';
import { checkInsideRoot, RunFolderWriter } from '../run/folder';
import { HistoryRecorder } from '../run/history';
import { isRunId, newRunId } from '../run/id';
import { writeArtifacts, writeFigures } from './artifacts';
import { defaultLoaders, DeviceUnavailableError, loadBackend, type BackendLoaders } from './backends';
import type { RunControl } from './control';
import type { AutoFramePolicy } from './frames';
import { layerSizes, paramCount } from './model';
import { MAX_WORKERS } from './parallel/plan';
import { train } from './trainer';

/** Largest estimated working set we agree to allocate. */
export const MAX_WORKING_BYTES = 3 * 1024 ** 3;

export interface RunDeps {
  loaders?: BackendLoaders;
  /** Artifacts may only go inside this folder; `options.allowedRoot` wins (default: the spec's folder). */
  allowedRoot?: string;
  /**
   * The run's id (`newRunId`), made by whoever starts the run (the host sends it in the
   * `train` message, the CLI makes it); default: a new one.
   */
  runId?: string;
  /** Write figure.png too (default true). */
  png?: boolean;
  /** The `auto` frame budget (default AUTO_FRAMES, frames.ts). */
  framePolicy?: AutoFramePolicy;
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

function err(code: ErrorEvent['code'], message: string): ErrorEvent {
  return { type: 'error', code, message };
}

/** Applies TrainerOptions overrides; returns an error message for a bad one. */
function applyOverrides(spec: BlobSpec, o: TrainerOptions): string | undefined {
  if (o.device !== undefined) {
    if (!(DEVICES as readonly string[]).includes(o.device)) return `unknown device "${o.device}" (${DEVICES.slice(0, -1).join(', ')} or ${DEVICES.at(-1)})`;
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
    const v = validateSpecText(specText, { specPath, dataRoot: options.dataRoot });
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
        yield err('too-large', `This run would need about ${memorySize(bytes)} of memory (limit ${memorySize(MAX_WORKING_BYTES)}): reduce n_samples, n_features, hidden_units or boundary.resolution.`);
        return;
      }
    }

    const specDir = dirname(resolve(specPath));
    let data: SplitDataset;
    try {
      data = buildDataset(spec, specDir, options.dataRoot);
    } catch (e) {
      yield err('bad-spec', `Could not build the dataset: ${(e as Error).message}`);
      return;
    }
    const bytes = estimateBytes(spec, data.all.n, data.all.d, data.nClasses);
    if (bytes > MAX_WORKING_BYTES) {
      yield err('too-large', `This run would need about ${memorySize(bytes)} of memory (limit ${memorySize(MAX_WORKING_BYTES)}).`);
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
      const batchRows = spec.training.batch_size === 'full' ? data.train.n : spec.training.batch_size;
      backend = await loadBackend(spec.device, { params: paramCount(sizes), nTrain: data.train.n, nTest: data.test.n, batchRows, epochs: spec.training.epochs }, deps.loaders ?? defaultLoaders);
    } catch (e) {
      if (e instanceof DeviceUnavailableError) yield err('device-unavailable', `${e.message}. Use "device": "auto" (or --device auto) to pick an available one.`);
      else yield err('internal', `Could not load a TensorFlow.js backend: ${(e as Error).message}`);
      return;
    }

    const runId = deps.runId ?? newRunId();
    if (!isRunId(runId)) {
      yield err('internal', `"${runId}" is not a run id`);
      return;
    }
    const writer = outParent ? new RunFolderWriter(outParent, runId) : undefined;
    const history = writer ? new HistoryRecorder(runId, spec.name) : undefined;
    /** The figures of the finished run, drawn once the run is published (see below). */
    let figures: (() => void) | undefined;
    const events = train({
      spec,
      runId,
      data,
      backend,
      maxPoints: options.maxPoints,
      workers: options.workers,
      control,
      framePolicy: deps.framePolicy,
      onFinish: writer
        ? async (run) => {
            writer.open();
            try {
              await writeArtifacts(run, { writer, data });
              figures = () => writeFigures(run, writer, deps.png !== false);
            } catch (e) {
              writer.abandon(); // the trainer reports it as a warning; no half-written run
              throw e;
            }
            return { artifacts_dir: writer.dir };
          }
        : undefined,
    });
    try {
      for await (const e of events) {
        history?.push(e);
        // The run's folder is published (renamed) with its whole history before the
        // terminal event goes out: whoever sees `done` finds the folder complete.
        if (writer?.isOpen && isTerminal(e)) yield* publish(writer, history!, e);
        else yield e;
      }
    } finally {
      // A consumer that stopped listening, or a failure before the terminal event.
      writer?.abandon();
      // The results are published and the terminal event is out: whoever waits for the
      // run's end (a click on Train again) does not wait for figure.png (~0.1-0.3 s of
      // resvg). The figures join the committed folder now, each file atomically; a
      // consumer that stops at the terminal event still gets them (this runs on return).
      if (figures && writer?.isCommitted) {
        try {
          figures();
        } catch {
          /* a run without its figures is still a complete run; `blobs train` says so */
        }
      }
    }
  } catch (e) {
    yield err('internal', `Unexpected failure: ${(e as Error)?.stack ?? String(e)}`);
  }
}

/** Commits the run's folder, then yields the terminal event; a failed write is a warning and no `artifacts_dir`. */
function* publish(writer: RunFolderWriter, history: HistoryRecorder, e: TrainerEvent): Generator<TrainerEvent> {
  try {
    writer.commit(history.serialize());
  } catch (x) {
    writer.abandon();
    yield { type: 'log', level: 'warn', message: `Could not write the run's artifacts: ${(x as Error).message}` };
    yield withoutArtifacts(e);
    return;
  }
  yield e;
}

function withoutArtifacts(e: TrainerEvent): TrainerEvent {
  if ((e.type === 'done' || e.type === 'cancelled') && e.summary) {
    const { artifacts_dir: _, ...summary } = e.summary;
    return { ...e, summary };
  }
  return e;
}
