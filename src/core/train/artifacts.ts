/**
 * What a run folder holds, written by the trainer when a run ends (completed or
 * cancelled), through the run folder's writer (run/folder.ts: layout, `.partial` and
 * rename, pruning):
 *   spec.json        the spec as run (defaults applied)
 *   metrics.csv      epoch,train_loss,train_acc,test_loss,test_acc,elapsed_ms
 *   summary.json     RunSummary + evaluation + backend, timings, versions
 *   model/model.json + model/weights.bin   (TF.js layers format; outputs softmax)
 *   data.csv         features, label, split (train rows then test rows)
 *   figure.svg (+ figure.png when resvg loads)
 * (events.jsonl, the event history, is written by the writer at commit.)
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { io, LayersModel } from '@tensorflow/tfjs';
import type { SplitDataset } from '../data/dataset';
import { renderRunFigureSvg, svgToPng } from '../figure/runFigure';
import type { EpochEvent } from '../protocol';
import { RUN_FILES, type RunFolderWriter } from '../run/folder';
import type { Tf } from './backends';
import type { FinishedRun } from './trainer';
import { syncModel } from './model';

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

/** Saves the net's layers model (model/model.json + model/weights.bin) into the open run. */
export async function saveModel(tf: Tf, run: Pick<FinishedRun, 'net'>, writer: RunFolderWriter): Promise<void> {
  syncModel(tf, run.net);
  await run.net.model.save(
    tf.io.withSaveHandler(async (artifacts: io.ModelArtifacts) => {
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      writer.write(RUN_FILES.weights, new Uint8Array(weights));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writer.write(RUN_FILES.model, JSON.stringify(modelJson));
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

export interface WriteOptions {
  /** The run's folder writer, opened by the caller. */
  writer: RunFolderWriter;
  data: SplitDataset;
}

/**
 * Writes the finished run's results into its open run folder: the spec as run, metrics,
 * data, model and summary. The figures are `writeFigures`'s, once the run is published.
 */
export async function writeArtifacts(run: FinishedRun, opts: WriteOptions): Promise<void> {
  const { writer } = opts;
  writer.write(RUN_FILES.spec, JSON.stringify(run.start.spec, null, 2) + '\n');
  writer.write(RUN_FILES.metrics, metricsCsv(run.epochs));
  writer.write(RUN_FILES.data, dataCsv(opts.data));
  await saveModel(run.backend.tf, run, writer);
  const summary = {
    ...run.summary,
    artifacts_dir: writer.dir,
    evaluation: run.evaluation,
    backend_info: { backend: run.start.backend, device: run.start.device, reason: run.start.reason },
    timings: { started_at: run.start.startedAt, finished_at: new Date().toISOString(), train_wall_s: run.summary.train_wall_s, epochs_per_s: run.summary.epochs_per_s },
    versions: run.start.versions,
    data: run.start.data,
    model: run.start.model,
  };
  writer.write(RUN_FILES.summary, JSON.stringify(summary, null, 2) + '\n');
}

/**
 * The notebook's figure of a finished run, as figure.svg and (when resvg loads, and
 * `png` is not false) figure.png, added to the committed run folder. Rendering the PNG
 * takes a few hundred ms: it happens after the run's terminal event went out.
 */
export function writeFigures(run: Pick<FinishedRun, 'start' | 'lastFrame' | 'epochs'>, writer: RunFolderWriter, png = true): void {
  const svg = renderRunFigureSvg({ start: run.start, frame: run.lastFrame, epochs: run.epochs });
  writer.addFile(RUN_FILES.figureSvg, svg);
  const image = png ? svgToPng(svg) : undefined;
  if (image) writer.addFile(RUN_FILES.figurePng, image);
}
