/**
 * The hand-written training loop: forward, softmax cross-entropy, backward and the
 * optimiser update written directly with TF.js kernels (kernels.ts), no gradient tape.
 *
 * Why by hand: for the notebook's 132-parameter model per-op overhead is everything, and
 * the tape (`optimizer.minimize`) roughly triples the op count. An epoch of the notebook
 * (3 linear layers, full batch, plain SGD, test pass included) is ~21 kernel calls with
 * the host loss head (js/wasm/native CPU) or ~41 with the device head (GPUs, ONE
 * read-back per epoch: train and test loss/hits stacked). See `LoopConfig.head`.
 *
 * Maths (per batch of n rows, logits z, p = softmax(z), one-hot Y):
 *   loss = -(1/n) Σ Y·log p   (host head: exact log-sum-exp in float64; device head:
 *                              p floored at 1e-30, so a sample's loss caps at ~69)
 *   dL/dz = (p - Y)/n, then backprop.ts.
 * For SGD the gradient is pre-scaled by lr (dz·lr/n), which is linear through the whole
 * backward pass, so the update is a single `W - g` (momentum buffers scale the same way).
 * weight_decay adds wd·W to every parameter's gradient (biases included), as PyTorch's
 * optimisers do; the reported loss excludes it, as the notebook's loss_fn does.
 * Adam follows torch.optim.Adam (betas 0.9/0.999, eps 1e-8, bias-corrected, L2 decay).
 *
 * Train loss/acc come from the forward pass before the update and test loss/acc after
 * it — exactly the notebook's loop. With a numeric batch_size the rows are shuffled each
 * epoch (seeded), train loss is the sample-weighted mean over the batches.
 *
 * One epoch is ONE sequence of steps, `epochSteps` (a generator): it yields between
 * mini-batches, row chunks and test chunks. `epoch()` drains it at once; `epochAsync()`
 * hands the event loop a turn at those points (and may stop there, undoing the epoch).
 * Both run the same kernels in the same order, so their numbers are the same bit for bit.
 *
 * Bigger models on wasm: the backward pass and row chunks of backprop.ts. Per-kernel
 * timing: bench/kprof.ts; A/B of configurations: bench/ab.ts; the figures behind the
 * constants: bench/loop-timings.md.
 */

import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import type { OptimizerName } from '../spec/types';
import { readsAreCopies, readsSync, type Tf } from './backends';
import { Backprop, type BackwardMode, WASM_NS } from './backprop';
import { kernels, type Kernels } from './kernels';
import { forward, type Net } from './model';
import { WorkerPool } from './parallel/pool';
import { JOB, partOf, sharedCopy, STAT } from './parallel/shared';
import { Rng } from './rng';

export { hostHead, WASM_NS, type BackwardMode } from './backprop';

export interface LoopConfig {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  batchSize: 'full' | number;
  /** Seeds the per-epoch batch shuffle. */
  seed: number;
  /**
   * Where the loss head (softmax, loss, accuracy, dL/dz) runs. `host`: in JS on the read-back
   * logits — for the js, wasm and tfjs-node CPU backends a read-back is a memcpy, and this
   * replaces ~20 small kernels per epoch. `device`: as TF.js kernels, one read-back per
   * epoch — on a GPU (tfjs-node-gpu, webgpu), where a read-back is a device sync.
   * Default: `backends.readsAreCopies` ? host : device.
   */
  head?: 'host' | 'device';
  /**
   * How the backward pass multiplies by transposed matrices (backprop.ts `BackwardMode`).
   * Default: auto on wasm (XNNPACK runs only un-transposed products), plain elsewhere.
   */
  backward?: BackwardMode;
  /**
   * Host head: a step on more rows than this is computed in row chunks of this size — the
   * gradient of the whole batch is the sum of the chunks' gradients (each scaled by
   * 1/rows of the whole batch), so the update is the same; the metrics too (the same
   * weights give every row's logits). Why: on wasm (one thread, no fused kernels across
   * ops) a big activation is streamed through memory by every kernel, and XNNPACK's
   * dW = aᵀ·dz with a long inner dimension runs far slower per multiply-add than in
   * cache-sized chunks (bench/loop-timings.md).
   * Default: CHUNK_ROWS on wasm, JS_CHUNK_ROWS on js, no chunking elsewhere (per-op
   * overhead on native backends).
   */
  chunkRows?: number;
  /** Overrides of WASM_NS, for tuning (bench/ab.ts). */
  wasmCosts?: Partial<typeof WASM_NS>;
}

export interface EpochMetrics {
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

const LOG_FLOOR = 1e-30;

/** Rows per chunk on wasm: see LoopConfig.chunkRows (2,048-8,192 measured alike). */
export const CHUNK_ROWS = 4096;
/**
 * Rows per chunk on the js backend (host head). Not for speed (per-op overhead is nothing
 * at this size) but so a long full-batch epoch has points where `epochAsync` can hand the
 * event loop a turn and notice a cancel; it also bounds the activations' memory.
 */
export const JS_CHUNK_ROWS = 8192;
/**
 * Epochs estimated above this many FLOPs are `interruptible`: the trainer runs them with
 * `epochAsync`, which yields between row chunks and mini-batches. Below it (the notebook
 * is ~0.7 MFLOP) an epoch is a few ms and the plain synchronous `epoch()` runs.
 */
export const INTERRUPTIBLE_FLOPS = 2e7;
/** epochAsync hands the event loop a turn at most this often. */
const YIELD_MS = 4;

/**
 * What an epoch's sequence of steps yields: `undefined` at a point where the async drain
 * may hand the event loop a turn or stop the epoch; a Promise for work running elsewhere
 * (other threads) that must finish before the sequence can go on.
 */
export type EpochPause = Promise<void> | undefined;

/** A split on the device, in the [1, n, *] layout of kernels.ts. */
export interface DeviceSet {
  x: Tensor; // [1, n, d] float32
  /** The same float32 rows on the host (chunks are uploaded from here: see `Backprop.rows`). */
  xHost: Float32Array;
  y: Tensor; // [1, n] int32
  /** -onehot(y) [1, n, classes]: dz = (p + negY)·scale, loss = Σ negY·log p. */
  negY: Tensor;
  n: number;
}

/** Uploads a split (kept: the caller disposes x, y, negY). */
export function uploadSet(tf: Tf, ds: Dataset, classes: number): DeviceSet {
  // Outside the tidy: tidy walks what it returns, and would visit every element of xHost.
  const xHost = new Float32Array(ds.X);
  const set = tf.tidy(() => {
    const x = tf.keep(tf.tensor3d(xHost, [1, ds.n, ds.d]));
    const y = tf.keep(tf.tensor2d(ds.y, [1, ds.n], 'int32'));
    const negY = tf.keep(tf.neg(tf.oneHot(y, classes).toFloat()));
    return { x, y, negY };
  });
  return { ...set, xHost, n: ds.n };
}

/** A training batch's rows: `rows` of the shuffled order from `start`, or (start -1) the whole set in order. */
interface BatchRows {
  n: number;
  start: number;
  rows?: Int32Array;
}

/** Rows of a training batch for the host head: their features and labels on the host. */
interface HostBatch {
  n: number;
  x: Float32Array; // n × d, row-major
  y: Int32Array;
  /** The same rows already on the device (the full batch), used when they make one chunk. */
  whole?: Tensor;
}

/** A training batch for the device head. */
interface DeviceBatch {
  x: Tensor; // [1, n, d]
  y: Tensor; // [1, n]
  negY: Tensor; // [1, n, classes]
  n: number;
}

/**
 * [train loss, train correct, test loss, test correct], summed over an epoch: numbers
 * with the host head, scalars on the device with the device head (read back once).
 */
class MetricSums {
  private readonly v: (Tensor | number)[] = [0, 0, 0, 0];

  constructor(
    private readonly tf: Tf,
    private readonly ops: Kernels,
  ) {}

  add(i: number, x: Tensor | number): void {
    const cur = this.v[i];
    if (typeof cur === 'number' && typeof x === 'number') {
      this.v[i] = cur + x;
      return;
    }
    this.v[i] = this.tf.tidy(() => this.ops.add(this.asTensor(cur), this.asTensor(x)));
    if (typeof cur !== 'number') cur.dispose();
    if (typeof x !== 'number') x.dispose();
  }

  read(): ArrayLike<number> {
    if (this.v.every((x) => typeof x === 'number')) return this.v as number[];
    const stacked = this.tf.tidy(() => this.tf.stack(this.v.map((x) => this.asTensor(x))));
    const out = stacked.dataSync();
    stacked.dispose();
    return out;
  }

  /** `read`, awaited: webgpu cannot read synchronously (backends.readsSync). */
  async readAsync(): Promise<ArrayLike<number>> {
    if (this.v.every((x) => typeof x === 'number')) return this.v as number[];
    const stacked = this.tf.tidy(() => this.tf.stack(this.v.map((x) => this.asTensor(x))));
    try {
      return await stacked.data();
    } finally {
      stacked.dispose();
    }
  }

  dispose(): void {
    this.tf.dispose(this.v.filter((x): x is Tensor => typeof x !== 'number'));
    this.v.fill(0);
  }

  private asTensor(v: Tensor | number): Tensor {
    return typeof v === 'number' ? this.tf.scalar(v) : v;
  }
}

export class TrainLoop {
  /** The raw kernels (kernels.ts). */
  private readonly ops: Kernels;
  private readonly backprop: Backprop;
  private readonly kept: Tensor[] = [];
  private readonly train: DeviceSet;
  private readonly test: DeviceSet;
  private readonly floor: Tensor;
  private readonly scaleByN = new Map<number, Tensor>();
  private readonly state: Variable[] = []; // momentum buffers, or adam m and v
  /** Scalars of the update rule (decay, momentum, betas), kept for the loop's life. */
  private readonly consts: Record<string, Tensor> = {};
  private readonly rng: Rng;
  /** The training rows' order, shuffled each epoch (in shared memory once there are workers). */
  private order: Int32Array;
  /** The loss head runs on the host (LoopConfig.head). */
  private readonly onHost: boolean;
  private readonly d: number;
  private yTrain: Int32Array;
  private yTest: Int32Array;
  private readonly chunkRows: number;
  private step = 0;
  private readonly longEpochs: boolean;
  /** Data-parallel workers (startWorkers), if any. */
  private pool: WorkerPool | undefined;

  constructor(
    private readonly tf: Tf,
    private readonly net: Net,
    data: { train: Dataset; test: Dataset; nClasses: number },
    private readonly cfg: LoopConfig,
  ) {
    const backend = tf.getBackend();
    this.ops = kernels(tf);
    this.onHost = (cfg.head ?? (readsAreCopies(tf) ? 'host' : 'device')) === 'host';
    this.d = data.train.d;
    this.yTrain = data.train.y;
    this.yTest = data.test.y;
    this.train = uploadSet(tf, data.train, data.nClasses);
    this.test = uploadSet(tf, data.test, data.nClasses);
    for (const s of [this.train, this.test]) this.kept.push(s.x, s.y, s.negY);
    this.floor = this.keep(tf.scalar(LOG_FLOOR));
    this.rng = new Rng(cfg.seed, 2);
    this.order = Int32Array.from({ length: this.train.n }, (_, i) => i);
    this.chunkRows = cfg.chunkRows ?? (backend === 'wasm' ? CHUNK_ROWS : backend === 'cpu' ? JS_CHUNK_ROWS : Infinity);
    this.backprop = new Backprop(tf, this.ops, net, {
      backward: cfg.backward ?? (backend === 'wasm' ? 'auto' : 'plain'),
      chunkRows: this.chunkRows,
      wasmCosts: cfg.wasmCosts,
    });
    let params = 0;
    for (let l = 0; l + 1 < net.sizes.length; l++) params += net.sizes[l] * net.sizes[l + 1] + net.sizes[l + 1];
    // A backend that cannot read synchronously (webgpu) runs every epoch through epochAsync.
    this.longEpochs = !readsSync(backend) || 2 * params * (3 * this.train.n + this.test.n) >= INTERRUPTIBLE_FLOPS;
    const c = (name: string, v: number) => (this.consts[name] = this.keep(tf.scalar(v)));
    // tidy: tf.variable shares the zeros' data, the temporary itself must go.
    const zeros = () => tf.tidy(() => net.params.map((p) => tf.variable(tf.zerosLike(p), false)));
    if (cfg.optimizer === 'sgd') {
      if (cfg.weightDecay > 0) {
        c('decay', 1 - cfg.lr * cfg.weightDecay); // W·(1 - lr·wd) - g
        c('lrWd', cfg.lr * cfg.weightDecay);
      }
      if (cfg.momentum > 0) {
        c('momentum', cfg.momentum);
        this.state.push(...zeros());
      }
    } else {
      c('b1', 0.9);
      c('1-b1', 0.1);
      c('b2', 0.999);
      c('1-b2', 0.001);
      if (cfg.weightDecay > 0) c('wd', cfg.weightDecay);
      this.state.push(...zeros(), ...zeros()); // m..., v...
    }
  }

  private keep<T extends Tensor>(t: T): T {
    this.kept.push(this.tf.keep(t));
    return t;
  }

  /**
   * True when epochs must run with `epochAsync`: long ones (see INTERRUPTIBLE_FLOPS), every
   * epoch with workers (it waits on them), and every epoch on a backend whose reads must be
   * awaited (backends.readsSync: webgpu).
   */
  get interruptible(): boolean {
    return this.longEpochs || this.pool !== undefined;
  }

  /** Threads each step runs on: this one and its workers. */
  get threads(): number {
    return this.pool?.parts ?? 1;
  }

  /**
   * Data-parallel from now on: every step's batch and every test pass is split into
   * `threads` parts of equal rows, part 0 computed here and the others by `threads - 1`
   * worker threads, each on its own instance of this backend (parallel/). The gradients
   * are summed in part order and applied once, here, so the result is the one-thread
   * result up to float summation order. Host head only (js, wasm).
   */
  async startWorkers(threads: number): Promise<void> {
    const backend = this.tf.getBackend();
    if (!this.onHost || (backend !== 'wasm' && backend !== 'cpu')) throw new Error(`workers need the js or wasm backend (this run uses ${backend})`);
    if (this.pool) throw new Error('startWorkers: already started');
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`startWorkers: ${threads} threads`);
    const { sizes, activation } = this.net;
    const paramFloats = this.net.params.reduce((a, p) => a + p.size, 0);
    // The data in shared memory; this thread reads the same copies from now on.
    this.train.xHost = sharedCopy(this.train.xHost);
    this.test.xHost = sharedCopy(this.test.xHost);
    this.yTrain = sharedCopy(this.yTrain);
    this.yTest = sharedCopy(this.yTest);
    this.order = sharedCopy(this.order);
    this.pool = await WorkerPool.start({
      parts: threads,
      backend,
      sizes: [...sizes],
      activation,
      backward: this.backprop.mode,
      chunkRows: this.chunkRows,
      wasmCosts: this.cfg.wasmCosts,
      gradNumerator: this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1,
      shared: {
        ctl: new SharedArrayBuffer(8 * 4),
        params: new SharedArrayBuffer(paramFloats * 4),
        grads: new SharedArrayBuffer(threads * paramFloats * 4),
        stats: new SharedArrayBuffer(threads * STAT.size * 8),
        trainX: this.train.xHost.buffer as SharedArrayBuffer,
        trainY: this.yTrain.buffer as SharedArrayBuffer,
        testX: this.test.xHost.buffer as SharedArrayBuffer,
        testY: this.yTest.buffer as SharedArrayBuffer,
        order: this.order.buffer as SharedArrayBuffer,
      },
    });
  }

  /** Each worker's live tensor count after its last job (tests). */
  workerTensors(): number[] {
    return this.pool?.workerTensors() ?? [];
  }

  private get miniBatches(): boolean {
    const { batchSize } = this.cfg;
    return batchSize !== 'full' && batchSize < this.train.n;
  }

  /** The gradient scale of a batch of n rows: lr/n for SGD (see header), 1/n for adam. */
  private gradScale(n: number): number {
    return (this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1) / n;
  }

  /** gradScale(n) as a scalar on the device, kept per n. */
  private scale(n: number): Tensor {
    let s = this.scaleByN.get(n);
    if (!s) {
      s = this.keep(this.tf.scalar(this.gradScale(n)));
      this.scaleByN.set(n, s);
    }
    return s;
  }

  /** [Σ loss, # correct] of logits/probabilities against a set, as scalars. Inside tidy. */
  lossAndHits(logits: Tensor, p: Tensor, set: { y: Tensor; negY: Tensor }): [Tensor, Tensor] {
    const ops = this.ops;
    const loss = ops.sum(ops.mul(set.negY, ops.log(ops.add(p, this.floor))), [0, 1, 2]);
    const hits = ops.countEqual(ops.argMax(logits, 2), set.y);
    return [loss, hits];
  }

  // -------------------------------------------------------------------------
  // One epoch: a sequence of steps, and its two drains

  /**
   * The epoch: the optimisation step(s), then the test pass; yields between mini-batches,
   * row chunks and test chunks (see EpochPause). Device head: the sums stay on the device
   * (read back once, by the drain); host head: each step's and test chunk's logits are
   * read back instead (a memcpy on js/wasm).
   */
  private *epochSteps(sums: MetricSums): Generator<EpochPause, void, undefined> {
    const tr = this.train;
    if (!this.miniBatches) {
      if (this.onHost) yield* this.hostStep({ n: tr.n, start: -1 }, sums);
      else this.deviceStep({ x: tr.x, y: tr.y, negY: tr.negY, n: tr.n }, sums);
    } else {
      const batchSize = this.cfg.batchSize as number;
      this.rng.shuffle(this.order);
      for (let s = 0; s < tr.n; s += batchSize) {
        if (s > 0) yield;
        const rows = this.order.subarray(s, Math.min(tr.n, s + batchSize));
        if (this.onHost) yield* this.hostStep({ n: rows.length, start: s, rows }, sums);
        else this.deviceMiniBatch(rows, sums);
      }
    }
    if (this.test.n > 0) {
      yield;
      yield* this.testPass(sums);
    }
  }

  /**
   * One epoch, at once: the sequence of steps drained without a pause. Runs without
   * workers only (a parallel epoch waits on other threads: `epochAsync`).
   */
  epoch(): EpochMetrics {
    if (this.pool) throw new Error('TrainLoop.epoch(): this loop has workers to wait on; run its epochs with epochAsync()');
    if (!readsSync(this.tf.getBackend())) throw new Error(`TrainLoop.epoch() reads synchronously; on ${this.tf.getBackend()} use epochAsync()`);
    const sums = new MetricSums(this.tf, this.ops);
    try {
      for (const pause of this.epochSteps(sums)) {
        if (pause) throw new Error('TrainLoop.epoch(): a step waits on other threads');
      }
      return this.metricsFromSums(sums.read());
    } finally {
      sums.dispose();
    }
  }

  /**
   * The same epoch as `epoch()` — the same sequence of steps, so the same numbers bit
   * for bit — but it hands the event loop a turn every YIELD_MS at the sequence's pauses,
   * and asks `stop()` after each turn. When `stop()` says yes the epoch is abandoned:
   * parameters and optimiser state go back to where the epoch started (mini-batches
   * already applied are undone) and it resolves `undefined`.
   * For long epochs (`interruptible`): a cancel (SIGINT, IPC) is seen within ~one chunk,
   * not one epoch (seconds to minutes at 1M rows). Costs a parameter snapshot per epoch.
   */
  async epochAsync(stop: () => boolean): Promise<EpochMetrics | undefined> {
    const tf = this.tf;
    const vars: Variable[] = [...this.net.params, ...this.state];
    const snap = vars.map((v) => tf.keep(v.clone()));
    const step0 = this.step;
    const rng0 = this.rng.state;
    const order0 = this.miniBatches ? this.order.slice() : undefined;
    const sums = new MetricSums(tf, this.ops);
    const steps = this.epochSteps(sums);
    let settled = false;
    try {
      let lastYield = performance.now();
      for (let r = steps.next(); !r.done; r = steps.next()) {
        if (r.value) await r.value;
        if (performance.now() - lastYield < YIELD_MS) continue;
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        if (stop()) {
          settled = true;
          steps.return(undefined); // releases the step in flight
          vars.forEach((v, i) => v.assign(snap[i]));
          this.step = step0;
          this.rng.state = rng0;
          if (order0) this.order.set(order0);
          return undefined;
        }
      }
      settled = true;
      return this.metricsFromSums(await sums.readAsync());
    } finally {
      if (!settled) steps.return(undefined); // it threw: still release the step in flight
      sums.dispose();
      tf.dispose(snap);
    }
  }

  /** Sums [train loss, train correct, test loss, test correct] → per-sample means. */
  private metricsFromSums(v: ArrayLike<number>): EpochMetrics {
    const nTr = this.train.n;
    const nTe = this.test.n;
    return {
      trainLoss: v[0] / nTr,
      trainAcc: v[1] / nTr,
      testLoss: nTe > 0 ? v[2] / nTe : 0,
      testAcc: nTe > 0 ? v[3] / nTe : 0,
    };
  }

  // -------------------------------------------------------------------------
  // Steps

  /** A host-head step: the batch's gradient (in row chunks, yielding between), then the update. */
  private *hostStep(batch: BatchRows, sums: MetricSums): Generator<EpochPause, void, undefined> {
    if (this.pool) return yield* this.parallelStep(this.pool, batch, sums);
    const b = this.hostRows(batch, 0, batch.n);
    const g = yield* this.backprop.gradient(b.x, b.y, this.gradScale(batch.n), b.whole);
    try {
      this.update(g.grads);
    } finally {
      this.tf.dispose(g.grads);
    }
    sums.add(0, g.loss);
    sums.add(1, g.hits);
  }

  /**
   * A host-head step across the workers: they take parts 1.. of the batch while this
   * thread computes part 0; then the gradients are summed in part order and applied once.
   * Abandoned (a cancel) or failed, it tells the workers to drop the job.
   */
  private *parallelStep(pool: WorkerPool, batch: BatchRows, sums: MetricSums): Generator<EpochPause, void, undefined> {
    yield* pool.settle(); // an abandoned job may still be finishing
    pool.run(JOB.train, batch.n, batch.rows ? batch.start : -1, this.net.params);
    let settled = false;
    let grads: Tensor[] | undefined;
    try {
      const [lo, hi] = partOf(batch.n, pool.parts, 0);
      const b = this.hostRows(batch, lo, hi);
      const g = yield* this.backprop.gradient(b.x, b.y, this.gradScale(batch.n), b.whole);
      grads = g.grads;
      yield* pool.settle();
      settled = true;
      const total = pool.sumGradients(this.tf, grads);
      try {
        this.update(total);
      } finally {
        this.tf.dispose(total);
      }
      sums.add(0, g.loss + pool.statSum(STAT.loss));
      sums.add(1, g.hits + pool.statSum(STAT.hits));
    } finally {
      if (!settled) pool.abort();
      if (grads) this.tf.dispose(grads);
    }
  }

  /** A device-head step: loss head, backward and update as kernels; loss/hits stay scalars. */
  private deviceStep(b: DeviceBatch, sums: MetricSums): void {
    const ops = this.ops;
    const [loss, hits] = this.tf.tidy(() => {
      const { logits, acts } = forward(ops, this.net, b.x);
      const p = ops.softmax(logits);
      const stats = this.lossAndHits(logits, p, b);
      this.update(this.backprop.backward(acts, ops.mul(ops.add(p, b.negY), this.scale(b.n)), b.n));
      return stats;
    });
    sums.add(0, loss);
    sums.add(1, hits);
  }

  /** A device-head mini-batch: its rows gathered on the device, then `deviceStep`. */
  private deviceMiniBatch(rows: Int32Array, sums: MetricSums): void {
    const tf = this.tf;
    const tr = this.train;
    // In a tidy for the gather's index tensor.
    const batch = tf.tidy(() => {
      const idx = tf.tensor1d(rows, 'int32');
      const pick = (t: Tensor) => tf.gather(t, idx, 1);
      return { x: pick(tr.x), y: pick(tr.y), negY: pick(tr.negY), n: rows.length };
    });
    try {
      this.deviceStep(batch, sums);
    } finally {
      tf.dispose([batch.x, batch.y, batch.negY]);
    }
  }

  /** The test pass: the host head in row chunks (yielding between), else one device pass. */
  private *testPass(sums: MetricSums): Generator<EpochPause, void, undefined> {
    const { tf, ops } = this;
    const te = this.test;
    if (!this.onHost) {
      const [loss, hits] = tf.tidy(() => {
        const { logits } = forward(ops, this.net, te.x);
        return this.lossAndHits(logits, ops.softmax(logits), te);
      });
      sums.add(2, loss);
      sums.add(3, hits);
      return;
    }
    if (this.pool) return yield* this.parallelTest(this.pool, sums);
    for (let s = 0; s < te.n; s += this.chunkRows) {
      if (s > 0) yield;
      const m = Math.min(this.chunkRows, te.n - s);
      const [loss, hits] = tf.tidy(() =>
        this.backprop.lossAndHits(m === te.n ? te.x : this.backprop.rows(te.xHost, this.d, s, m), this.yTest.subarray(s, s + m)),
      );
      sums.add(2, loss);
      sums.add(3, hits);
    }
  }

  /** The test pass across the workers: part 0 here in row chunks, the sums in part order. */
  private *parallelTest(pool: WorkerPool, sums: MetricSums): Generator<EpochPause, void, undefined> {
    const te = this.test;
    yield* pool.settle();
    pool.run(JOB.test, te.n, -1, this.net.params);
    let settled = false;
    try {
      const [lo, hi] = partOf(te.n, pool.parts, 0);
      let loss = 0;
      let hits = 0;
      for (let s = lo; s < hi; s += this.chunkRows) {
        if (s > lo) yield;
        const m = Math.min(this.chunkRows, hi - s);
        const [l, h] = this.tf.tidy(() => this.backprop.lossAndHits(this.backprop.rows(te.xHost, this.d, s, m), this.yTest.subarray(s, s + m)));
        loss += l;
        hits += h;
      }
      yield* pool.settle();
      settled = true;
      sums.add(2, loss + pool.statSum(STAT.loss));
      sums.add(3, hits + pool.statSum(STAT.hits));
    } finally {
      if (!settled) pool.abort();
    }
  }

  /** The optimiser update from a step's gradients (pre-scaled: see header). */
  private update(grads: Tensor[]): void {
    this.step++;
    this.tf.tidy(() => (this.cfg.optimizer === 'sgd' ? this.sgd(grads) : this.adam(grads)));
  }

  private sgd(grads: Tensor[]): void {
    const ops = this.ops;
    const { params } = this.net;
    const { momentum, decay, lrWd } = this.consts;
    for (let i = 0; i < params.length; i++) {
      const w = params[i];
      if (momentum) {
        // torch: buf = momentum·buf + g (buf starts at 0, so the first step is buf = g)
        let g = grads[i];
        if (lrWd) g = ops.add(g, ops.mul(w, lrWd));
        const buf = this.state[i];
        buf.assign(ops.add(ops.mul(buf, momentum), g));
        w.assign(ops.sub(w, buf));
      } else {
        w.assign(ops.sub(decay ? ops.mul(w, decay) : w, grads[i]));
      }
    }
  }

  private adam(grads: Tensor[]): void {
    const ops = this.ops;
    const tf = this.tf;
    const { params } = this.net;
    const c = this.consts;
    const t = this.step;
    const bc1 = 1 - 0.9 ** t;
    const bc2 = 1 - 0.999 ** t;
    // lr·m̂/(√v̂+eps) = [lr·√bc2/bc1]·m/(√v + eps·√bc2): two new scalars per step.
    const stepSize = tf.scalar((this.cfg.lr * Math.sqrt(bc2)) / bc1);
    const epsHat = tf.scalar(1e-8 * Math.sqrt(bc2));
    const P = params.length;
    for (let i = 0; i < P; i++) {
      const w = params[i];
      let g = grads[i];
      if (c.wd) g = ops.add(g, ops.mul(w, c.wd));
      const m = this.state[i];
      const v = this.state[P + i];
      m.assign(ops.add(ops.mul(m, c.b1), ops.mul(g, c['1-b1'])));
      v.assign(ops.add(ops.mul(v, c.b2), ops.mul(ops.square(g), c['1-b2'])));
      w.assign(ops.sub(w, ops.mul(stepSize, ops.div(m, ops.add(ops.sqrt(v), epsHat)))));
    }
  }

  /**
   * Rows [lo, hi) of a batch for the host head. The whole set in order: views of the
   * host copies (and the device copy when that is all of it). A mini-batch: gathered in
   * JS from the float32 rows — the labels are needed on the host anyway, and on js/wasm
   * an upload is a memcpy, cheaper than device-side gathers of x, y and -onehot.
   */
  private hostRows(batch: BatchRows, lo: number, hi: number): HostBatch {
    const d = this.d;
    const X = this.train.xHost;
    const n = hi - lo;
    if (!batch.rows) {
      return { n, x: X.subarray(lo * d, hi * d), y: this.yTrain.subarray(lo, hi), whole: n === this.train.n ? this.train.x : undefined };
    }
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = batch.rows[lo + i];
      for (let j = 0; j < d; j++) x[i * d + j] = X[r * d + j];
      y[i] = this.yTrain[r];
    }
    return { n, x, y };
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
    for (const t of this.kept) t.dispose();
    for (const s of this.state) s.dispose();
    this.backprop.dispose();
    this.kept.length = 0;
    this.state.length = 0;
  }
}
