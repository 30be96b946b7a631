/**
 * Run artifacts: one folder per run,
 *   <parent>/<runId>/spec.json        the spec as run (defaults applied)
 *                    metrics.csv      epoch,train_loss,train_acc,test_loss,test_acc,elapsed_ms
 *                    summary.json     RunSummary + evaluation + backend, timings, versions
 *                    model/model.json + model/weights.bin   (TF.js layers format; outputs softmax)
 *                    data.csv         features, label, split (train rows then test rows)
 *                    figure.svg (+ figure.png when resvg loads)
 * Default parent: <spec dir>/.blob-runs/<spec file base name>/. The parent must lie inside an
 * allowed root (the spec's folder tree by default, or the workspace the caller passes).
 *
 * Atomic: everything is written into `<runId>.partial/` (with an `owner.pid` file) and
 * renamed at the end, so a reader never sees a half-written run. `*.partial` folders whose
 * owner process is gone (a crash) are removed by the next write in the same parent;
 * readers must ignore names ending in `.partial`.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { io, LayersModel } from '@tensorflow/tfjs';
import type { SplitDataset } from '../data/dataset';
import { renderRunFigureSvg, svgToPng } from '../figure/runFigure';
import type { EpochEvent } from '../protocol';
import type { Tf } from './backends';
import type { FinishedRun } from './trainer';
import { syncModel } from './model';

export const PARTIAL_SUFFIX = '.partial';

export { defaultRunsDir } from '../runs';

export class OutsideRootError extends Error {}

/**
 * `p` with symbolic links resolved as far as it exists (the rest may not exist yet):
 * a link inside the root that points elsewhere must not let a run escape.
 */
function realPathSoFar(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(p);
      tail.push(basename(head));
      head = up;
    }
  }
}

/** Resolves `outDir` and checks it lies inside `root` (no escaping through .. or a symlink). */
export function checkInsideRoot(outDir: string, root: string): string {
  const abs = resolve(outDir);
  const real = realPathSoFar(abs);
  const realRoot = realPathSoFar(root);
  // Where the files would really go, against where the root really is.
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    const via = real !== abs ? ` (it leads to ${real})` : '';
    throw new OutsideRootError(`output folder ${abs}${via} is outside the allowed folder ${resolve(root)}`);
  }
  return abs;
}

export function metricsCsv(epochs: EpochEvent[]): string {
  const rows = ['epoch,train_loss,train_acc,test_loss,test_acc,elapsed_ms'];
  for (const e of epochs) {
    rows.push([e.epoch, e.trainLoss, e.trainAcc, e.testLoss, e.testAcc, e.elapsedMs.toFixed(3)].join(','));
  }
  return rows.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function dataCsv(data: SplitDataset): string {
  const rows = [[...data.featureNames, 'label', 'split'].map(csvField).join(',')];
  for (const [ds, split] of [
    [data.train, 'train'],
    [data.test, 'test'],
  ] as const) {
    for (let i = 0; i < ds.n; i++) {
      const x = Array.from(ds.X.subarray(i * ds.d, i * ds.d + ds.d), String);
      rows.push([...x, csvField(data.classNames[ds.y[i]] ?? String(ds.y[i])), split].join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** Saves the net's layers model (model.json + weights.bin) into `dir`. */
export async function saveModel(tf: Tf, run: Pick<FinishedRun, 'net'>, dir: string): Promise<void> {
  syncModel(tf, run.net);
  mkdirSync(dir, { recursive: true });
  await run.net.model.save(
    tf.io.withSaveHandler(async (artifacts: io.ModelArtifacts) => {
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(weights));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads `<runDir>/model` back (a file-reading IOHandler: JS/WASM have no file://). */
export async function loadRunModel(tf: Tf, runDir: string): Promise<LayersModel> {
  const dir = existsSync(join(runDir, 'model', 'model.json')) ? join(runDir, 'model') : runDir;
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as io.ModelJSON;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const b = readFileSync(join(dir, p));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  });
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData: tf.io.CompositeArrayBuffer.join(buffers),
    }),
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `*.partial` run folders in `parent` whose writer process is gone. */
export function removeStalePartials(parent: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.endsWith(PARTIAL_SUFFIX)) continue;
    const dir = join(parent, name);
    let pid = NaN;
    try {
      pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      /* no pid file: crashed before writing it */
    }
    if (!(pid > 0) || (pid !== process.pid && !pidAlive(pid))) rmSync(dir, { recursive: true, force: true });
  }
}

export interface WriteOptions {
  /** Folder that receives `<runId>/`. */
  parent: string;
  data: SplitDataset;
  /** Skip the PNG (it costs ~100 ms+). */
  png?: boolean;
}

/** Writes the run's folder atomically; returns its final path. */
export async function writeArtifacts(run: FinishedRun, opts: WriteOptions): Promise<string> {
  const { tf } = run.backend;
  const parent = resolve(opts.parent);
  mkdirSync(parent, { recursive: true });
  removeStalePartials(parent);
  const finalDir = join(parent, run.summary.runId);
  const tmp = finalDir + PARTIAL_SUFFIX;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(join(tmp, 'owner.pid'), String(process.pid));
    writeFileSync(join(tmp, 'spec.json'), JSON.stringify(run.start.spec, null, 2) + '\n');
    writeFileSync(join(tmp, 'metrics.csv'), metricsCsv(run.epochs));
    writeFileSync(join(tmp, 'data.csv'), dataCsv(opts.data));
    await saveModel(tf, run, join(tmp, 'model'));
    const svg = renderRunFigureSvg({ start: run.start, frame: run.lastFrame, epochs: run.epochs });
    writeFileSync(join(tmp, 'figure.svg'), svg);
    const png = opts.png === false ? undefined : svgToPng(svg);
    if (png) writeFileSync(join(tmp, 'figure.png'), png);
    const summary = {
      ...run.summary,
      artifacts_dir: finalDir,
      evaluation: run.evaluation,
      backend_info: { backend: run.start.backend, device: run.start.device, reason: run.start.reason },
      timings: { started_at: run.start.startedAt, finished_at: new Date().toISOString(), train_wall_s: run.summary.train_wall_s, epochs_per_s: run.summary.epochs_per_s },
      versions: run.start.versions,
      data: run.start.data,
      model: run.start.model,
    };
    writeFileSync(join(tmp, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    rmSync(join(tmp, 'owner.pid'));
    renameSync(tmp, finalDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return finalDir;
}
