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
 *   dL/dz = (p - Y)/n;   dW = aᵀ·dz, db = Σ_rows dz, da_prev = dz·Wᵀ ⊙ act'(a)
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
 * Bigger models on wasm (one thread, XNNPACK): arithmetic, not op count, is the cost, and
 * two things decide it (see `LoopConfig.backward` and `LoopConfig.chunkRows`): XNNPACK
 * only runs UN-transposed matMuls (aᵀ·dz and dz·Wᵀ with transpose flags take a naive
 * scalar loop, ~10x slower), and tensors beyond cache size (a [80000, 64] activation)
 * make every kernel memory-bound. So the backward pass transposes explicitly where a cost
 * model says it pays, and steps/test passes over many rows go in 4,096-row chunks.
 * Per-kernel timing: bench/kprof.ts; A/B of configurations: bench/ab.ts.
 */

import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import type { OptimizerName } from '../spec/types';
import { readsAreCopies, readsSync, type Tf } from './backends';
import { kernels, type Kernels } from './kernels';
import { forward, type Net } from './model';
import { Rng } from './rng';

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
   * replaces ~20 small kernels per epoch (≈1.5-2x faster on the notebook). `device`: as
   * TF.js kernels, one read-back per epoch — on a GPU (tfjs-node-gpu, webgpu), where a
   * read-back is a device sync. Default: `backends.readsAreCopies` ? host : device.
   */
  head?: 'host' | 'device';
  /**
   * How the backward pass multiplies by transposed matrices (aᵀ·dz, dz·Wᵀ). `plain`:
   * BatchMatMul with transpose flags. The wasm backend runs only UN-transposed matMuls
   * through XNNPACK; with a transpose flag it falls back to a naive scalar loop (~10x
   * slower at [1024, 64]ᵀ·[1024, 64]), so `auto` transposes explicitly wherever a cost
   * model says it pays (see `WASM_NS`, `backward`); `xnn` does so for every product (for
   * tests). Default: auto on wasm, plain elsewhere.
   */
  backward?: 'plain' | 'auto' | 'xnn';
  /**
   * Host head: a step on more rows than this is computed in row chunks of this size — the
   * gradient of the whole batch is the sum of the chunks' gradients (each scaled by
   * 1/rows of the whole batch), so the update is the same; the metrics too (the same
   * weights give every row's logits). Why: on wasm (one thread, no fused kernels across
   * ops) a [80000, 64] activation is 20 MB and every kernel streams it through memory,
   * and XNNPACK's dW = aᵀ·dz with an 80,000-long inner dimension ran ~6x slower per
   * multiply-add than in 2,048-row chunks. Chunks keep each layer's tensors cache-sized;
   * 2,048-8,192 measured alike (bench/ab.ts), 16,384 already slower.
   * Default: CHUNK_ROWS on wasm, no chunking elsewhere (per-op overhead on native backends).
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

/** Rows per chunk on wasm: see LoopConfig.chunkRows. */
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
 * Cost model of the wasm backend's matMul paths, ns per unit, measured on the 2-core
 * bench machine (bench/kernels.ts and per-shape timings): the naive transposed-flag loop
 * per multiply-add (0.55 at [1024, 64]², ~1 at the notebook's [800, 8] shapes); XNNPACK
 * per multiply-add; XNNPACK packing its right-hand operand (per element: it is re-packed
 * for every new tensor, and every step's weights and dz are new); an explicit transpose
 * per element; and the fixed cost of one more kernel call.
 */
export const WASM_NS = { slowMac: 0.8, xnnMac: 0.05, pack: 2.3, transpose: 1.0, kernel: 4_000 };

/** A split on the device, in the [1, n, *] layout of kernels.ts. */
export interface DeviceSet {
  x: Tensor; // [1, n, d] float32
  /** The same float32 rows on the host (chunks are uploaded from here: see `rowsOf`). */
  xHost: Float32Array;
  y: Tensor; // [1, n] int32
  /** -onehot(y) [1, n, k]: dz = (p + negY)·scale, loss = Σ negY·log p. */
  negY: Tensor;
  n: number;
}

/** Uploads a split (kept: the caller disposes x, y, negY). */
export function uploadSet(tf: Tf, ds: Dataset, nClasses: number): DeviceSet {
  // Outside the tidy: tidy walks what it returns, and would visit every element of xHost.
  const xHost = new Float32Array(ds.X);
  const set = tf.tidy(() => {
    const x = tf.keep(tf.tensor3d(xHost, [1, ds.n, ds.d]));
    const y = tf.keep(tf.tensor2d(ds.y, [1, ds.n], 'int32'));
    const negY = tf.keep(tf.neg(tf.oneHot(y, nClasses).toFloat()));
    return { x, y, negY };
  });
  return { ...set, xHost, n: ds.n };
}

/**
 * The loss head on the host, in float64: for each row of logits z (n×k, row-major) the
 * exact log-softmax loss (no floor), whether argmax(z) is the label, and optionally
 * dL/dz = (softmax(z) - onehot(y))·scale into `dz`. Returns [Σ loss, # correct].
 */
export function hostHead(z: ArrayLike<number>, y: ArrayLike<number>, k: number, scale: number, dz?: Float32Array): [number, number] {
  let loss = 0;
  let hits = 0;
  const n = y.length;
  const ex = new Float64Array(k);
  for (let i = 0, o = 0; i < n; i++, o += k) {
    let m = z[o];
    let arg = 0;
    for (let j = 1; j < k; j++) {
      if (z[o + j] > m) {
        m = z[o + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      // Each exp once (the same doubles the dz line below would recompute); exp(0) = 1
      // exactly, so the arg-max column needs none.
      const e = j === arg ? 1 : Math.exp(z[o + j] - m);
      ex[j] = e;
      sum += e;
    }
    const label = y[i];
    loss += m + Math.log(sum) - z[o + label];
    if (arg === label) hits++;
    if (dz) {
      const inv = scale / sum;
      for (let j = 0; j < k; j++) dz[o + j] = ex[j] * inv - (j === label ? scale : 0);
    }
  }
  return [loss, hits];
}

/** A training batch as the step needs it. */
interface Batch {
  x: Tensor; // [1, n, d]
  xHost?: Float32Array; // the same rows on the host (host head: chunks come from here)
  y?: Tensor; // device head only
  negY?: Tensor; // device head only
  n: number;
  yHost: Int32Array; // host head only
}

export class TrainLoop {
  private readonly k: Kernels;
  private readonly kept: Tensor[] = [];
  private readonly train: DeviceSet;
  private readonly test: DeviceSet;
  private readonly floor: Tensor;
  private readonly scaleByN = new Map<number, Tensor>();
  private readonly onesByN = new Map<number, Tensor>();
  private readonly state: Variable[] = []; // momentum buffers, or adam m and v
  private readonly c: Record<string, Tensor> = {};
  private readonly rng: Rng;
  private readonly order: Int32Array;
  private readonly host: boolean;
  private readonly nClasses: number;
  private readonly d: number;
  private readonly yTrain: Int32Array;
  private readonly yTest: Int32Array;
  private readonly xnn: 'plain' | 'auto' | 'xnn';
  private readonly chunkRows: number;
  private readonly onesTByN = new Map<number, Tensor>();
  private step = 0;
  /**
   * True when epochs must run with `epochAsync`: long enough to be interrupted (see
   * INTERRUPTIBLE_FLOPS), or on a backend whose reads must be awaited (backends.readsSync).
   */
  readonly interruptible: boolean;

  constructor(
    private readonly tf: Tf,
    private readonly net: Net,
    data: { train: Dataset; test: Dataset; nClasses: number },
    private readonly cfg: LoopConfig,
  ) {
    this.k = kernels(tf);
    this.host = (cfg.head ?? (readsAreCopies(tf) ? 'host' : 'device')) === 'host';
    this.nClasses = data.nClasses;
    this.d = data.train.d;
    this.yTrain = data.train.y;
    this.yTest = data.test.y;
    this.train = uploadSet(tf, data.train, data.nClasses);
    this.test = uploadSet(tf, data.test, data.nClasses);
    for (const s of [this.train, this.test]) this.kept.push(s.x, s.y, s.negY);
    this.floor = this.keep(tf.scalar(LOG_FLOOR));
    this.rng = new Rng(cfg.seed, 2);
    this.order = Int32Array.from({ length: this.train.n }, (_, i) => i);
    this.xnn = cfg.backward ?? (tf.getBackend() === 'wasm' ? 'auto' : 'plain');
    this.chunkRows = cfg.chunkRows ?? (tf.getBackend() === 'wasm' ? CHUNK_ROWS : tf.getBackend() === 'cpu' ? JS_CHUNK_ROWS : Infinity);
    let params = 0;
    for (let l = 0; l + 1 < net.sizes.length; l++) params += net.sizes[l] * net.sizes[l + 1] + net.sizes[l + 1];
    // A backend that cannot read synchronously (webgpu) runs every epoch through epochAsync.
    this.interruptible = !readsSync(tf.getBackend()) || 2 * params * (3 * this.train.n + this.test.n) >= INTERRUPTIBLE_FLOPS;
    const c = (name: string, v: number) => (this.c[name] = this.keep(tf.scalar(v)));
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

  /** Gradient scale for a batch of n rows: lr/n for SGD (see header), 1/n for adam. */
  private scale(n: number): Tensor {
    let s = this.scaleByN.get(n);
    if (!s) {
      s = this.keep(this.tf.scalar((this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1) / n));
      this.scaleByN.set(n, s);
    }
    return s;
  }

  /** ones [1, 1, n] (or [1, n, 1] with `column`), kept per n. */
  private ones(n: number, column = false): Tensor {
    const cache = column ? this.onesTByN : this.onesByN;
    let ones = cache.get(n);
    if (!ones) {
      ones = this.keep(this.tf.ones(column ? [1, n, 1] : [1, 1, n]));
      cache.set(n, ones);
    }
    return ones;
  }

  /** [Σ loss, # correct] of logits/probabilities against a set, as scalars. Inside tidy. */
  lossAndHits(logits: Tensor, p: Tensor, set: { y: Tensor; negY: Tensor }): [Tensor, Tensor] {
    const k = this.k;
    const loss = k.sum(k.mul(set.negY, k.log(k.add(p, this.floor))), [0, 1, 2]);
    const hits = k.countEqual(k.argMax(logits, 2), set.y);
    return [loss, hits];
  }

  /**
   * One optimisation step on a batch; returns Σ loss and # correct before the step, as
   * numbers (host head) or scalars (device head).
   */
  private stepOn(b: Batch): [Tensor | number, Tensor | number] {
    const k = this.k;
    const { n } = b;
    let stats: [Tensor | number, Tensor | number];
    let grads: Tensor[];
    if (this.host) {
      const scale = (this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1) / n;
      const K = this.nClasses;
      if (n <= this.chunkRows) {
        const { logits, acts } = forward(k, this.net, b.x);
        const g = new Float32Array(n * K);
        stats = hostHead(logits.dataSync(), b.yHost, K, scale, g);
        grads = this.backward(acts, this.tf.tensor3d(g, [1, n, K]), n);
      } else {
        const it = this.chunkedStep(b);
        let r = it.next();
        while (!r.done) r = it.next();
        return r.value;
      }
    } else {
      const { logits, acts } = forward(k, this.net, b.x);
      const p = k.softmax(logits);
      stats = this.lossAndHits(logits, p, { y: b.y!, negY: b.negY! });
      grads = this.backward(acts, k.mul(k.add(p, b.negY!), this.scale(n)), n);
    }
    this.step++;
    if (this.cfg.optimizer === 'sgd') this.sgd(grads);
    else this.adam(grads);
    return stats;
  }

  /**
   * A host-head step in row chunks (LoopConfig.chunkRows): yields after each chunk but the
   * last (`epochAsync` may hand the event loop a turn there; `stepOn` just goes on). Each
   * chunk's temporaries go at once; the summed gradients after the update. Abandoned
   * early (a cancel), it disposes the partial sums and updates nothing.
   */
  private *chunkedStep(b: Batch): Generator<void, [number, number]> {
    const tf = this.tf;
    const k = this.k;
    const { n } = b;
    const K = this.nClasses;
    const scale = (this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1) / n;
    const d = b.x.shape[2] as number;
    let loss = 0;
    let hits = 0;
    let acc: Tensor[] | undefined;
    try {
      for (let s = 0; s < n; s += this.chunkRows) {
        if (s > 0) yield;
        const m = Math.min(this.chunkRows, n - s);
        const part = tf.tidy(() => {
          const x = this.rowsOf(b.xHost!, d, s, m);
          const { logits, acts } = forward(k, this.net, x);
          const g = new Float32Array(m * K);
          const [l, h] = hostHead(logits.dataSync(), b.yHost.subarray(s, s + m), K, scale, g);
          loss += l;
          hits += h;
          const gs = this.backward(acts, tf.tensor3d(g, [1, m, K]), m);
          return acc ? gs.map((t, i) => k.add(acc![i], t)) : gs;
        });
        if (acc) tf.dispose(acc);
        acc = part;
      }
      this.step++;
      const grads = acc!;
      tf.tidy(() => (this.cfg.optimizer === 'sgd' ? this.sgd(grads) : this.adam(grads)));
      return [loss, hits];
    } finally {
      if (acc) tf.dispose(acc);
    }
  }

  /** Backprop from dz = dL/dlogits (pre-scaled, see header) to every parameter's gradient. */
  private backward(acts: Tensor[], dz: Tensor, n: number): Tensor[] {
    const k = this.k;
    const { params, sizes } = this.net;
    const grads: Tensor[] = new Array(params.length);
    for (let l = params.length / 2 - 1; l >= 0; l--) {
      const a = acts[l];
      const [nIn, nOut] = [sizes[l], sizes[l + 1]];
      const path = this.weightPath(n, nIn, nOut);
      if (path === 'aT') {
        // dW = aᵀ·dz: one explicit transpose, XNNPACK packs dz. db = ones·dz then REUSES
        // that packing (the wasm backend caches the operator on dz's tensor id).
        grads[2 * l] = k.matMul(this.transpose(a), dz, false, false);
        grads[2 * l + 1] = this.reshape(k.matMul(this.ones(n), dz, false, false), [nOut]);
      } else if (path === 'dzT') {
        // dWᵀ = dzᵀ·a (XNNPACK packs a), transposed back (small); db = Σ over dzᵀ's inner
        // axis (a plain reduction). Cheaper than 'aT' when a is the narrower one (x).
        const dzT = this.transpose(dz);
        grads[2 * l] = this.transpose(k.matMul(dzT, a, false, false));
        // Axis 2 alone and a reshape: [0, 2] makes the wasm Sum copy its input first.
        grads[2 * l + 1] = this.reshape(k.sum(dzT, [2]), [nOut]);
      } else {
        grads[2 * l] = k.matMul(a, dz, true, false);
        grads[2 * l + 1] = this.colSum(dz, n);
      }
      if (l > 0) {
        const W = params[2 * l];
        const da = this.inputXnn(n, nIn, nOut) ? k.matMul(dz, this.transpose(W), false, false) : k.matMul(dz, W, false, true);
        dz = this.net.activation === 'none' ? da : k.mul(da, this.actGrad(a));
      }
    }
    return grads;
  }

  /**
   * dW and db of a layer [n rows, nIn → nOut]: `plain` (aᵀ·dz with a transpose flag, and
   * colSum), or an XNNPACK form: `aT` (transpose a, pack dz) or `dzT` (transpose dz, pack
   * a). `auto` prices them with WASM_NS; `xnn` takes the cheaper XNNPACK form.
   */
  private weightPath(n: number, nIn: number, nOut: number): 'plain' | 'aT' | 'dzT' {
    if (this.xnn === 'plain') return 'plain';
    const c = { ...WASM_NS, ...this.cfg.wasmCosts };
    const macs = n * nIn * nOut;
    const aT = n * nIn * c.transpose + n * nOut * c.pack + (macs + n * nOut) * c.xnnMac + 3 * c.kernel;
    const dzT = n * nOut * c.transpose + n * nIn * c.pack + macs * c.xnnMac + nIn * nOut * c.transpose + n * nOut * c.xnnMac + 4 * c.kernel;
    const xnn = aT <= dzT ? 'aT' : 'dzT';
    if (this.xnn === 'xnn') return xnn;
    const plain = (macs + n * nOut) * c.slowMac + 2 * c.kernel;
    return Math.min(aT, dzT) < plain ? xnn : 'plain';
  }

  /** da = dz·Wᵀ through XNNPACK (W transposed explicitly; small) rather than the flag loop? */
  private inputXnn(n: number, nIn: number, nOut: number): boolean {
    if (this.xnn !== 'auto') return this.xnn === 'xnn';
    const c = { ...WASM_NS, ...this.cfg.wasmCosts };
    const macs = n * nIn * nOut;
    return nIn * nOut * (c.transpose + c.pack) + macs * c.xnnMac + 2 * c.kernel < macs * c.slowMac + c.kernel;
  }

  private reshape(x: Tensor, shape: number[]): Tensor {
    return this.tf.engine().runKernel('Reshape', { x }, { shape }) as Tensor;
  }

  /**
   * [1, r, c] → [1, c, r]. The wasm Transpose kernel writes with a stride of r floats;
   * when r·4 bytes is a multiple of 1 KiB those writes alias in the cache (a [1024, 64]
   * transpose: ~430 µs, vs ~35 µs at 1,000 rows). Viewing the rows as [r/32, 32, c] and
   * permuting [2, 0, 1] gives the same result with strided READS instead (~60-150 µs).
   */
  private transpose(t: Tensor): Tensor {
    const e = this.tf.engine();
    const [, r, c] = t.shape as number[];
    if (r % 256 !== 0 || r > 8192 || this.tf.getBackend() !== 'wasm') return e.runKernel('Transpose', { x: t }, { perm: [0, 2, 1] }) as Tensor;
    const out = e.runKernel('Transpose', { x: this.reshape(t, [r / 32, 32, c]) }, { perm: [2, 0, 1] }) as Tensor;
    return this.reshape(out, [1, c, r]);
  }

  /**
   * Σ over rows of dz [1, n, m] → [m] (the bias gradient). The js backend's Sum over a
   * non-inner axis transposes element by element (~190 µs here); a [1,1,n]·dz matMul is
   * ~3x cheaper there. On wasm the Sum kernel is the cheaper one at the notebook's size
   * (~7 µs vs ~29 µs), but it transposes first, and from ~256 rows up that transpose hits
   * the cache aliasing described at `transpose`: there the naive loop's onesᵀ·dz wins
   * (contiguous reads, ~0.55 ns per element).
   */
  private colSum(dz: Tensor, n: number): Tensor {
    const k = this.k;
    const m = dz.shape[2] as number;
    const backend = this.tf.getBackend();
    if (backend === 'wasm' && n >= 256) return this.reshape(k.matMul(this.ones(n, true), dz, true, false), [m]);
    if (backend !== 'cpu') return k.sum(dz, [0, 1]);
    return this.reshape(k.matMul(this.ones(n), dz, false, false), [m]);
  }

  /** act'(z) expressed through a = act(z). */
  private actGrad(a: Tensor): Tensor {
    const k = this.k;
    const one = this.c.one ?? (this.c.one = this.keep(this.tf.scalar(1)));
    switch (this.net.activation) {
      case 'relu':
        // a = relu(z) ≥ 0, so step(a) = sign(a). tfjs-node builds Step from ~6 ops
        // (Greater, Fill, Select, IsNan...; half of a full-batch epoch); Sign is one.
        return this.tf.getBackend() === 'tensorflow' ? k.sign(a) : k.step(a);
      case 'tanh':
        return k.sub(one, k.square(a));
      case 'sigmoid':
        return k.mul(a, k.sub(one, a));
      case 'none':
        return one;
    }
  }

  private sgd(grads: Tensor[]): void {
    const k = this.k;
    const { params } = this.net;
    const { momentum, decay, lrWd } = this.c;
    for (let i = 0; i < params.length; i++) {
      const w = params[i];
      if (momentum) {
        // torch: buf = momentum·buf + g (buf starts at 0, so the first step is buf = g)
        let g = grads[i];
        if (lrWd) g = k.add(g, k.mul(w, lrWd));
        const buf = this.state[i];
        buf.assign(k.add(k.mul(buf, momentum), g));
        w.assign(k.sub(w, buf));
      } else {
        w.assign(k.sub(decay ? k.mul(w, decay) : w, grads[i]));
      }
    }
  }

  private adam(grads: Tensor[]): void {
    const k = this.k;
    const tf = this.tf;
    const { params } = this.net;
    const c = this.c;
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
      if (c.wd) g = k.add(g, k.mul(w, c.wd));
      const m = this.state[i];
      const v = this.state[P + i];
      m.assign(k.add(k.mul(m, c.b1), k.mul(g, c['1-b1'])));
      v.assign(k.add(k.mul(v, c.b2), k.mul(k.square(g), c['1-b2'])));
      w.assign(k.sub(w, k.mul(stepSize, k.div(m, k.add(k.sqrt(v), epsHat)))));
    }
  }

  /**
   * One epoch: the optimisation step(s), then the test pass. Device head: ONE read-back
   * (train loss/hits and test loss/hits stacked). Host head: the logits of each step and
   * of the test pass are read back instead (a memcpy on js/wasm).
   */
  epoch(): EpochMetrics {
    const tf = this.tf;
    const k = this.k;
    if (!readsSync(tf.getBackend())) throw new Error(`epoch() reads synchronously; on ${tf.getBackend()} use epochAsync()`);
    const values = tf.tidy(() => {
      const sums: (Tensor | number)[] = [0, 0, 0, 0];
      const add = (i: number, v: Tensor | number) => {
        const cur = sums[i];
        sums[i] = typeof cur === 'number' && typeof v === 'number' ? cur + v : k.add(this.asTensor(cur), this.asTensor(v));
      };
      const { batchSize } = this.cfg;
      const tr = this.train;
      if (batchSize === 'full' || batchSize >= tr.n) {
        const [l, h] = this.stepOn({ x: tr.x, xHost: tr.xHost, y: tr.y, negY: tr.negY, n: tr.n, yHost: this.yTrain });
        add(0, l);
        add(1, h);
      } else {
        this.rng.shuffle(this.order);
        for (let s = 0; s < tr.n; s += batchSize) {
          const rows = this.order.subarray(s, Math.min(tr.n, s + batchSize));
          // A tidy per batch: the epoch's tidy would hold every batch's temporaries until
          // the epoch ends (GBs at 1M rows, and a wasm heap that only grows).
          const [l, h] = tf.tidy(() => this.stepOn(this.host ? this.hostBatch(rows) : this.deviceBatch(rows)));
          add(0, l);
          add(1, h);
        }
      }
      if (this.test.n > 0) {
        if (this.host) {
          // In row chunks too (LoopConfig.chunkRows), each freed at once.
          for (let s = 0; s < this.test.n; s += this.chunkRows) {
            const [l, h] = this.testChunkOnHost(s);
            add(2, l);
            add(3, h);
          }
        } else {
          const { logits } = forward(k, this.net, this.test.x);
          const [l, h] = this.lossAndHits(logits, k.softmax(logits), this.test);
          add(2, l);
          add(3, h);
        }
      }
      if (sums.every((v) => typeof v === 'number')) return sums as number[];
      return tf.stack(sums.map((v) => this.asTensor(v)));
    });
    let v: ArrayLike<number>;
    if (Array.isArray(values)) v = values;
    else {
      v = values.dataSync();
      values.dispose();
    }
    return this.metricsFromSums(v);
  }

  /** Test loss and hits of the chunk of rows starting at `start`, loss head on the host. */
  private testChunkOnHost(start: number): [number, number] {
    const { tf, k } = this;
    const te = this.test;
    const d = te.x.shape[2] as number;
    const m = Math.min(this.chunkRows, te.n - start);
    return tf.tidy(() => {
      const x = m === te.n ? te.x : this.rowsOf(te.xHost, d, start, m);
      return hostHead(forward(k, this.net, x).logits.dataSync(), this.yTest.subarray(start, start + m), this.nClasses, 0);
    });
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

  /**
   * The same epoch as `epoch()` — the same kernels in the same order, so the same numbers
   * bit for bit — but it hands the event loop a turn every YIELD_MS between row chunks,
   * mini-batches and test chunks, and asks `stop()` after each turn. When `stop()` says
   * yes the epoch is abandoned: parameters and optimiser state go back to where the epoch
   * started (mini-batches already applied are undone) and it resolves `undefined`.
   * For long epochs (`interruptible`): a cancel (SIGINT, IPC) is seen within ~one chunk,
   * not one epoch (seconds to minutes at 1M rows). Costs a parameter snapshot per epoch.
   */
  async epochAsync(stop: () => boolean): Promise<EpochMetrics | undefined> {
    const tf = this.tf;
    const k = this.k;
    const vars: Variable[] = [...this.net.params, ...this.state];
    const snap = vars.map((v) => tf.keep(v.clone()));
    const step0 = this.step;
    const rng0 = this.rng.state;
    const order0 = this.cfg.batchSize === 'full' || this.cfg.batchSize >= this.train.n ? undefined : this.order.slice();
    const sums: (Tensor | number)[] = [0, 0, 0, 0];
    const temps: Tensor[] = [];
    let lastYield = performance.now();
    const shouldStop = async (): Promise<boolean> => {
      if (performance.now() - lastYield < YIELD_MS) return false;
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
      return stop();
    };
    const add = (i: number, v: Tensor | number) => {
      const cur = sums[i];
      if (typeof cur === 'number' && typeof v === 'number') {
        sums[i] = cur + v;
        return;
      }
      sums[i] = tf.tidy(() => k.add(this.asTensor(cur), this.asTensor(v)));
      if (typeof cur !== 'number') cur.dispose();
      if (typeof v !== 'number') v.dispose();
    };
    /** One step; false when stopped part-way. */
    const step = async (b: Batch): Promise<boolean> => {
      if (this.host && b.n > this.chunkRows) {
        const it = this.chunkedStep(b);
        for (let r = it.next(); ; r = it.next()) {
          if (r.done) {
            add(0, r.value[0]);
            add(1, r.value[1]);
            return true;
          }
          if (await shouldStop()) {
            it.return([0, 0]);
            return false;
          }
        }
      }
      const [l, h] = tf.tidy(() => this.stepOn(b));
      add(0, l);
      add(1, h);
      return true;
    };
    let ok = true;
    try {
      const { batchSize } = this.cfg;
      const tr = this.train;
      if (batchSize === 'full' || batchSize >= tr.n) {
        ok = await step({ x: tr.x, xHost: tr.xHost, y: tr.y, negY: tr.negY, n: tr.n, yHost: this.yTrain });
      } else {
        this.rng.shuffle(this.order);
        for (let s = 0; ok && s < tr.n; s += batchSize) {
          if (s > 0 && (await shouldStop())) ok = false;
          else {
            const rows = this.order.subarray(s, Math.min(tr.n, s + batchSize));
            let b: Batch;
            if (this.host) b = this.hostBatch(rows);
            else {
              // In a tidy for the gather's index tensor; not returning the Batch itself (tidy
              // would walk every element of its host label array).
              const [x, y, negY] = tf.tidy(() => {
                const db = this.deviceBatch(rows);
                return [db.x, db.y!, db.negY!];
              });
              b = { x, y, negY, n: rows.length, yHost: this.yTrain };
            }
            temps.push(...[b.x, b.y, b.negY].filter((t): t is Tensor => !!t));
            ok = await step(b);
            tf.dispose(temps.splice(0));
          }
        }
      }
      if (ok && this.test.n > 0 && (await shouldStop())) ok = false;
      if (ok && this.test.n > 0) {
        if (this.host) {
          for (let s = 0; ok && s < this.test.n; s += this.chunkRows) {
            if (s > 0 && (await shouldStop())) ok = false;
            else {
              const [l, h] = this.testChunkOnHost(s);
              add(2, l);
              add(3, h);
            }
          }
        } else {
          const [l, h] = tf.tidy(() => {
            const { logits } = forward(k, this.net, this.test.x);
            return this.lossAndHits(logits, k.softmax(logits), this.test);
          });
          add(2, l);
          add(3, h);
        }
      }
      if (!ok) {
        vars.forEach((v, i) => v.assign(snap[i]));
        this.step = step0;
        this.rng.state = rng0;
        if (order0) this.order.set(order0);
        return undefined;
      }
      let v: ArrayLike<number>;
      if (sums.every((x) => typeof x === 'number')) v = sums as number[];
      else {
        const stacked = tf.tidy(() => tf.stack(sums.map((x) => this.asTensor(x))));
        try {
          v = await stacked.data(); // awaited: webgpu cannot read synchronously (readsSync)
        } finally {
          stacked.dispose();
        }
      }
      return this.metricsFromSums(v);
    } finally {
      tf.dispose(temps);
      tf.dispose(sums.filter((x): x is Tensor => typeof x !== 'number'));
      tf.dispose(snap);
    }
  }

  /**
   * A mini-batch for the host head, built in JS from the float32 rows and uploaded: the
   * labels are needed on the host anyway, and on js/wasm an upload is a memcpy — cheaper
   * than device-side gathers of x, y and -onehot (y and negY are not needed at all).
   */
  private hostBatch(rows: Int32Array): Batch {
    const n = rows.length;
    const d = this.d;
    const X = this.train.xHost;
    const x = new Float32Array(n * d);
    const yHost = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      for (let j = 0; j < d; j++) x[i * d + j] = X[r * d + j];
      yHost[i] = this.yTrain[r];
    }
    return { x: this.tf.tensor3d(x, [1, n, d]), xHost: x, n, yHost };
  }

  /**
   * Rows [s, s + m) of a host copy as a [1, m, d] tensor. Not the Slice kernel: the wasm
   * backend's Slice reads the WHOLE input back first (1.6 MB per chunk of the 1M test set).
   */
  private rowsOf(xHost: Float32Array, d: number, s: number, m: number): Tensor {
    return this.tf.tensor3d(xHost.subarray(s * d, (s + m) * d), [1, m, d]);
  }

  /** A mini-batch for the device head: rows gathered on the device. */
  private deviceBatch(rows: Int32Array): Batch {
    const tf = this.tf;
    const tr = this.train;
    const idx = tf.tensor1d(rows, 'int32');
    const pick = (t: Tensor) => tf.gather(t, idx, 1);
    return { x: pick(tr.x), y: pick(tr.y), negY: pick(tr.negY), n: rows.length, yHost: this.yTrain };
  }

  private asTensor(v: Tensor | number): Tensor {
    return typeof v === 'number' ? this.tf.scalar(v) : v;
  }

  dispose(): void {
    for (const t of this.kept) t.dispose();
    for (const s of this.state) s.dispose();
    this.kept.length = 0;
    this.state.length = 0;
  }
}
