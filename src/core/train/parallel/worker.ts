/**
 * A data-parallel training worker (a worker_thread; bundled to dist/trainWorker.js).
 *
 * It loads its own TF.js backend (the training thread's: wasm or js), then serves jobs
 * until told to quit: for each, it reads the current parameters from shared memory and
 * computes ITS part of the batch (or of the test set) with the same code as the training
 * thread (backprop.ts): the part's gradient into its slot, Σ loss and # correct into its
 * stats. It keeps no state between jobs but its backend's cached constants, so a
 * cancelled epoch has nothing to undo here. See shared.ts for the layout.
 *
 * The job loop blocks in Atomics.wait (a worker may; it has nothing else to do). It does
 * not spin first: on a busy machine the training thread and a spinning worker may share
 * one core, and the spinner then holds it for a whole time slice before the other can
 * post the next job, where a blocked worker is woken by the OS in microseconds
 * (bench/loop-timings.md). A job that throws ends the worker: it posts `failed` with the
 * error and exits, and the training thread reports the run as failed.
 */

import type { Tensor } from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { defaultLoaders, type Tf } from '../backends';
import { Backprop, type Layers } from '../backprop';
import { kernels } from '../kernels';
import { CTL, JOB, partOf, paramOffsets, paramShapes, STAT, type WorkerInit, type WorkerMessage } from './shared';

function post(m: WorkerMessage): void {
  parentPort!.postMessage(m);
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  if (init.backend !== 'wasm' && init.backend !== 'cpu') throw new Error(`no such backend for a worker: ${init.backend}`);
  const tf: Tf = init.backend === 'wasm' ? await defaultLoaders.loadWasm() : await defaultLoaders.loadJs();
  const s = init.shared;
  const ctl = new Int32Array(s.ctl);
  const params = new Float32Array(s.params);
  const { offsets, total } = paramOffsets(init.sizes);
  const shapes = paramShapes(init.sizes);
  const slot = new Float32Array(s.grads, init.rank * total * 4, total);
  const stats = new Float64Array(s.stats, init.rank * STAT.size * 8, STAT.size);
  const data = {
    trainX: new Float32Array(s.trainX),
    trainY: new Int32Array(s.trainY),
    testX: new Float32Array(s.testX),
    testY: new Int32Array(s.testY),
    order: new Int32Array(s.order),
  };
  const d = init.sizes[0];
  const layers: Layers & { params: Tensor[] } = { params: [], sizes: init.sizes, activation: init.activation };
  const backprop = new Backprop(tf, kernels(tf), layers, { backward: init.backward, chunkRows: init.chunkRows, wasmCosts: init.wasmCosts });
  const aborted = () => Atomics.load(ctl, CTL.abort) !== 0;

  /** The current parameters, as this backend's tensors. */
  const loadParams = () => {
    tf.dispose(layers.params);
    layers.params = shapes.map((shape, i) => tf.tensor(params.subarray(offsets[i], offsets[i] + shape.reduce((a, b) => a * b, 1)), shape));
  };

  /** Rows [lo, hi) of the batch: features and labels, gathered through the order (or in place). */
  const batchPart = (start: number, lo: number, hi: number): { x: Float32Array; y: Int32Array } => {
    if (start < 0) return { x: data.trainX.subarray(lo * d, hi * d), y: data.trainY.subarray(lo, hi) };
    const m = hi - lo;
    const x = new Float32Array(m * d);
    const y = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const r = data.order[start + lo + i];
      for (let j = 0; j < d; j++) x[i * d + j] = data.trainX[r * d + j];
      y[i] = data.trainY[r];
    }
    return { x, y };
  };

  const trainPart = (rows: number, start: number) => {
    const [lo, hi] = partOf(rows, init.parts, init.rank);
    const { x, y } = batchPart(start, lo, hi);
    const it = backprop.gradient(x, y, init.gradNumerator / rows);
    let r = it.next();
    while (!r.done) {
      if (aborted()) {
        it.return(undefined as never);
        return;
      }
      r = it.next();
    }
    const { grads, loss, hits } = r.value;
    if (grads.length === 0) slot.fill(0); // no rows in this part (a batch smaller than the parts)
    grads.forEach((g, i) => slot.set(g.dataSync() as Float32Array, offsets[i]));
    tf.dispose(grads);
    stats[STAT.loss] = loss;
    stats[STAT.hits] = hits;
  };

  const testPart = (rows: number) => {
    const [lo, hi] = partOf(rows, init.parts, init.rank);
    let loss = 0;
    let hits = 0;
    for (let s0 = lo; s0 < hi && !aborted(); s0 += init.chunkRows) {
      const m = Math.min(init.chunkRows, hi - s0);
      const [l, h] = tf.tidy(() => backprop.lossAndHits(backprop.rows(data.testX, d, s0, m), data.testY.subarray(s0, s0 + m)));
      loss += l;
      hits += h;
    }
    stats[STAT.loss] = loss;
    stats[STAT.hits] = hits;
  };

  let seen = Atomics.load(ctl, CTL.seq); // before `ready`: the first job may follow at once
  post({ type: 'ready' });
  for (;;) {
    Atomics.wait(ctl, CTL.seq, seen);
    seen = Atomics.load(ctl, CTL.seq);
    const kind = Atomics.load(ctl, CTL.kind);
    if (kind === JOB.quit) break;
    loadParams();
    const rows = Atomics.load(ctl, CTL.rows);
    if (kind === JOB.train) trainPart(rows, Atomics.load(ctl, CTL.start));
    else if (kind === JOB.test) testPart(rows);
    stats[STAT.tensors] = tf.memory().numTensors;
    Atomics.add(ctl, CTL.done, 1);
    Atomics.notify(ctl, CTL.done);
  }
  tf.dispose(layers.params);
  backprop.dispose();
}

main().catch((e: unknown) => {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
