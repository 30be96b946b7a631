/**
 * What the training thread and its workers share (parallel/pool.ts, parallel/worker.ts):
 * the layout of the control words and buffers, and how a batch is split into parts.
 *
 * Everything crosses in SharedArrayBuffers, set up once per run: the data (features,
 * labels, the shuffled row order), the parameters (written by the training thread before
 * each job), one gradient slot and one stats slot per worker (written by the worker,
 * summed by the training thread in rank order). A job is posted by bumping SEQ with
 * Atomics; workers count themselves into DONE when finished. Atomics order the plain
 * reads and writes of the buffers around them.
 */

import type { Activation } from '../../spec/types';
import type { BackwardMode, WASM_NS } from '../backprop';

/** Indexes of the control words (an Int32Array over `SharedBuffers.ctl`). */
export const CTL = {
  /** Bumped for each job; workers wait on it. */
  seq: 0,
  /** JOB.* */
  kind: 1,
  /** Rows of the batch (or of the test set). */
  rows: 2,
  /** Offset of the batch in the shared row order; -1: rows 0..rows-1 in order (full batch, test set). */
  start: 3,
  /** Workers that finished the current job. */
  done: 4,
  /** Set by the training thread to abandon the current job (a cancel); workers stop at the next chunk. */
  abort: 5,
  size: 8,
} as const;

export const JOB = { train: 1, test: 2, quit: 3 } as const;

/** Per worker, Float64 stats of its last job. */
export const STAT = { loss: 0, hits: 1, tensors: 2, size: 4 } as const;

export interface SharedBuffers {
  ctl: SharedArrayBuffer;
  /** The parameters [W0, b0, W1, b1, ...] flattened, float32. */
  params: SharedArrayBuffer;
  /** One float32 slot of `params`' length per rank (rank 0, the training thread, unused). */
  grads: SharedArrayBuffer;
  /** STAT.size float64 per rank. */
  stats: SharedArrayBuffer;
  trainX: SharedArrayBuffer;
  trainY: SharedArrayBuffer;
  testX: SharedArrayBuffer;
  testY: SharedArrayBuffer;
  /** The training rows' order (Int32), shuffled by the training thread each epoch. */
  order: SharedArrayBuffer;
}

/** Everything a worker is started with (its `workerData`). */
export interface WorkerInit {
  rank: number;
  /** Parts per job: the training thread and every worker. */
  parts: number;
  /** The TF.js backend to load: the training thread's. */
  backend: 'wasm' | 'cpu';
  sizes: number[];
  activation: Activation;
  backward: BackwardMode;
  chunkRows: number;
  wasmCosts?: Partial<typeof WASM_NS>;
  /** A batch of n rows scales its gradient by gradNumerator/n (lr for SGD, 1 for Adam). */
  gradNumerator: number;
  shared: SharedBuffers;
}

/** Messages a worker posts. Everything else goes through the shared buffers. */
export type WorkerMessage = { type: 'ready' } | { type: 'failed'; message: string };

/** Rows [lo, hi) of part `rank` when `rows` rows are split into `parts` parts. */
export function partOf(rows: number, parts: number, rank: number): [number, number] {
  return [Math.floor((rank * rows) / parts), Math.floor(((rank + 1) * rows) / parts)];
}

/** Element offsets of each parameter in the flat layout, and the total. */
export function paramOffsets(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    offsets.push(total);
    total += sizes[l] * sizes[l + 1];
    offsets.push(total);
    total += sizes[l + 1];
  }
  return { offsets, total };
}

/** The shapes of the parameters (see model.ts): W [1, in, out], b [out]. */
export function paramShapes(sizes: readonly number[]): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) shapes.push([1, sizes[l], sizes[l + 1]], [sizes[l + 1]]);
  return shapes;
}

/** A typed array's elements in a new SharedArrayBuffer. */
export function sharedCopy<T extends Float32Array | Int32Array>(a: T): T {
  const buf = new SharedArrayBuffer(a.byteLength);
  const out = (a instanceof Float32Array ? new Float32Array(buf) : new Int32Array(buf)) as T;
  out.set(a);
  return out;
}
