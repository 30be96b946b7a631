/**
 * Our engine as one of the benchmark's long-lived engine processes (the counterpart of
 * bench/torch_reference.py's worker): bench/bench.ts starts one per device and alternates
 * rounds between them and PyTorch, so every side is warm in the same way (its backend
 * loaded, its code compiled by the warm-up rounds) and machine noise hits all alike.
 *
 *   node --import tsx bench/engine.ts --device wasm|js|cpu|gpu
 *
 * One JSON line out when ready ({ready, device, backend, reason, load_s}), then one JSON
 * reply per request line on stdin:
 *   {kind: "train", ...TrainRequest}        the trainer (`train`, as `blobs train` runs
 *        it, minus the spec file and the run folder) on the request's data; reply: the
 *        loop's time (summary.train_wall_s), losses, accuracy, worker threads, peak RSS;
 *   {kind: "spec", path, every}            `runSpec` on a spec file with boundary.every
 *        set ("auto": the default frames; a number past the run: only the first and last)
 *        and optionally `epochs`;
 *        reply: the loop's time, the whole run's, frames sent;
 *   {kind: "frameWeights", reps}            what the weights on every frame cost (the
 *        network view's and the probe's input): reading them next to the whole frame.
 * `cpu` needs @tensorflow/tfjs-node resolvable (bench.ts sets NODE_PATH to the staged
 * one); `gpu` here is WebGPU on whatever adapter Dawn finds (BLOBS_WEBGPU_SOFTWARE=1 lets
 * it take Mesa's software one: correctness only).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildDataset } from '../src/core/data/build';
import type { Dataset, SplitDataset } from '../src/core/data/dataset';
import type { RunSummary, StartEvent } from '../src/core/protocol';
import type { DeviceRequest } from '../src/core/spec/types';
import { loadBackend, type LoadedBackend } from '../src/core/train/backends';
import { FrameMaker, frameWeights } from '../src/core/train/frames';
import { kernels } from '../src/core/train/kernels';
import { buildNet, disposeNet, paramCount } from '../src/core/train/model';
import { runSpec } from '../src/core/train/run';
import { train } from '../src/core/train/trainer';
import { specOf, type TrainRequest } from './workloads';

const argv = process.argv.slice(2);
const device = (argv[argv.indexOf('--device') + 1] ?? 'wasm') as DeviceRequest;
const root = `${__dirname}/..`;

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

let cached: { key: string; data: SplitDataset } | undefined;
/** The request's data, made once per process (data_s: the time to make it, on the request that made it). */
function dataFor(req: TrainRequest): { data: SplitDataset; data_s?: number } {
  const key = JSON.stringify([req.n_samples, req.n_features, req.centers, req.cluster_std, req.seed, req.test_size]);
  if (cached?.key === key) return { data: cached.data };
  cached = undefined; // let the previous one go first (1M rows)
  const t0 = performance.now();
  const data = buildDataset(specOf(req), root);
  cached = { key, data };
  return { data, data_s: (performance.now() - t0) / 1000 };
}

async function trainOnce(backend: LoadedBackend, req: TrainRequest) {
  const { data, data_s } = dataFor(req);
  let summary: RunSummary | undefined;
  let start: StartEvent | undefined;
  let frames = 0;
  for await (const e of train({ spec: specOf(req, device), runId: 'bench', data, backend, workers: req.workers })) {
    if (e.type === 'start') start = e;
    else if (e.type === 'frame') frames++;
    else if (e.type === 'done') summary = e.summary;
    else if (e.type === 'error') throw new Error(e.message);
  }
  if (!summary) throw new Error('no summary');
  return {
    train_s: summary.train_wall_s,
    data_s,
    epochs: summary.epochs_completed,
    train_loss: summary.train_loss,
    train_acc: summary.train_acc,
    test_loss: summary.test_loss,
    test_acc: summary.test_acc,
    samples_per_s: (summary.epochs_completed * data.train.n) / summary.train_wall_s,
    workers: start?.workers,
    backend: summary.backend,
    frames,
    peak_rss_mb: peakRssMb(),
  };
}

async function specOnce(path: string, every: 'auto' | number, epochs?: number) {
  const spec = JSON.parse(readFileSync(path, 'utf8'));
  const text = JSON.stringify({ ...spec, boundary: { ...spec.boundary, every }, training: { ...spec.training, epochs: epochs ?? spec.training.epochs } });
  const t0 = performance.now();
  let frames = 0;
  let summary: RunSummary | undefined;
  for await (const e of runSpec(text, path, {})) {
    if (e.type === 'frame') frames++;
    else if (e.type === 'done') summary = e.summary;
    else if (e.type === 'error') throw new Error(e.message);
  }
  if (!summary) throw new Error('no summary');
  return { train_s: summary.train_wall_s, whole_s: (performance.now() - t0) / 1000, frames, epochs: summary.epochs_completed, backend: summary.backend };
}

/** The examples' nets: a frame (grid forward + read-backs + encoding, weights included) and its weights alone. */
async function frameWeightsCost(backend: LoadedBackend, reps: number) {
  const { tf } = backend;
  const k = kernels(tf);
  const nets: [string, number[], 'none' | 'relu'][] = [
    ['notebook 2-8-8-4', [2, 8, 8, 4], 'none'],
    ['circles-relu 2-10-10-2', [2, 10, 10, 2], 'relu'],
  ];
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 20 - 10;
  const points = (n: number, classes: number): Dataset => ({ X: new Float64Array(n * 2).map(rnd), y: new Int32Array(n).map((_, i) => i % classes), n, d: 2 });
  const out: Record<string, unknown>[] = [];
  for (const [label, sizes, act] of nets) {
    const classes = sizes.at(-1)!;
    const net = buildNet(tf, sizes, act, 42);
    // The trainer's intermediate frames use the 51 x 51 grid, the first and last 101 x 101.
    for (const res of [51, 101]) {
      const fm = new FrameMaker(tf, k, { xMin: -10, xMax: 10, yMin: -10, yMax: 10 }, res, {
        train: points(800, classes), test: points(200, classes), trainIdx: [...Array(800).keys()], testIdx: [...Array(200).keys()], featureNames: ['x1', 'x2'],
      });
      for (let i = 0; i < 20; i++) await fm.frame(net, 1);
      const frameMs: number[] = [];
      const weightsMs: number[] = [];
      let weightsBytes = 0;
      let frameBytes = 0;
      for (let i = 0; i < reps; i++) {
        let t = performance.now();
        const f = await fm.frame(net, 1);
        frameMs.push(performance.now() - t);
        t = performance.now();
        const w = await frameWeights(net);
        weightsMs.push(performance.now() - t);
        weightsBytes = w?.length ?? 0;
        frameBytes = JSON.stringify(f).length;
      }
      fm.dispose();
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const fw = med(weightsMs);
      const ff = med(frameMs);
      out.push({ net: label, params: paramCount(sizes), resolution: res, frame_ms: ff, weights_ms: fw, extra_time: fw / (ff - fw), weights_bytes: weightsBytes, frame_bytes: frameBytes, extra_bytes: weightsBytes / (frameBytes - weightsBytes) });
    }
    disposeNet(net);
  }
  return { reps, nets: out };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let backend: LoadedBackend;
  try {
    // The workload only steers `auto`; bench.ts always names a device.
    backend = await loadBackend(device, { params: 132, nTrain: 800, nTest: 200 });
  } catch (e) {
    console.log(JSON.stringify({ ready: false, error: (e as Error).message }));
    process.exit(0);
  }
  console.log(JSON.stringify({ ready: true, device: backend.device, backend: backend.backend, reason: backend.reason, load_s: (performance.now() - t0) / 1000 }));
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    let reply: unknown;
    try {
      if (req.kind === 'train') reply = await trainOnce(backend, req);
      else if (req.kind === 'spec') reply = await specOnce(req.path, req.every, req.epochs);
      else if (req.kind === 'frameWeights') reply = await frameWeightsCost(backend, req.reps ?? 200);
      else throw new Error(`unknown request ${req.kind}`);
    } catch (e) {
      reply = { error: (e as Error).message };
    }
    console.log(JSON.stringify(reply));
  }
  // Dawn (webgpu) and worker pools may keep the event loop alive: the parent closed stdin.
  process.exit(0);
}

void main();
