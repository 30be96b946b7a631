/**
 * The hand-written training loop: forward, softmax cross-entropy, backward and the
 * optimiser update written directly with TF.js kernels (kernels.ts), no gradient tape.
 *
 * Why by hand: for the notebook's 132-parameter model per-op overhead is everything, and
 * the tape (`optimizer.minimize`) roughly triples the op count. An epoch of the notebook
 * (3 linear layers, full batch, plain SGD, test pass included) is ~21 kernel calls with
 * the host loss head (js/wasm) or ~41 with the device head (native backends, ONE
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
 */

import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import type { OptimizerName } from '../spec/types';
import type { Tf } from './backends';
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
   * logits — for the js and wasm backends a read-back is a memcpy, and this replaces ~20
   * small kernels per epoch (≈1.5-2x faster on the notebook). `device`: as TF.js kernels,
   * one read-back per epoch — for the native backends, where a read-back is a device sync.
   * Default: host for js/wasm, device otherwise.
   */
  head?: 'host' | 'device';
}

export interface EpochMetrics {
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

const LOG_FLOOR = 1e-30;

/** A split on the device, in the [1, n, *] layout of kernels.ts. */
export interface DeviceSet {
  x: Tensor; // [1, n, d] float32
  y: Tensor; // [1, n] int32
  /** -onehot(y) [1, n, k]: dz = (p + negY)·scale, loss = Σ negY·log p. */
  negY: Tensor;
  n: number;
}

/** Uploads a split (kept: the caller disposes x, y, negY). */
export function uploadSet(tf: Tf, ds: Dataset, nClasses: number): DeviceSet {
  return tf.tidy(() => {
    const x = tf.keep(tf.tensor3d(Float32Array.from(ds.X), [1, ds.n, ds.d]));
    const y = tf.keep(tf.tensor2d(ds.y, [1, ds.n], 'int32'));
    const negY = tf.keep(tf.neg(tf.oneHot(y, nClasses).toFloat()));
    return { x, y, negY, n: ds.n };
  });
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
    for (let j = 0; j < k; j++) sum += Math.exp(z[o + j] - m);
    const label = y[i];
    loss += m + Math.log(sum) - z[o + label];
    if (arg === label) hits++;
    if (dz) {
      const inv = scale / sum;
      for (let j = 0; j < k; j++) dz[o + j] = Math.exp(z[o + j] - m) * inv - (j === label ? scale : 0);
    }
  }
  return [loss, hits];
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
  private readonly yTrain: Int32Array;
  private readonly yTest: Int32Array;
  private step = 0;

  constructor(
    private readonly tf: Tf,
    private readonly net: Net,
    data: { train: Dataset; test: Dataset; nClasses: number },
    private readonly cfg: LoopConfig,
  ) {
    this.k = kernels(tf);
    this.host = (cfg.head ?? (['cpu', 'wasm'].includes(tf.getBackend()) ? 'host' : 'device')) === 'host';
    this.nClasses = data.nClasses;
    this.yTrain = data.train.y;
    this.yTest = data.test.y;
    this.train = uploadSet(tf, data.train, data.nClasses);
    this.test = uploadSet(tf, data.test, data.nClasses);
    for (const s of [this.train, this.test]) this.kept.push(s.x, s.y, s.negY);
    this.floor = this.keep(tf.scalar(LOG_FLOOR));
    this.rng = new Rng(cfg.seed, 2);
    this.order = Int32Array.from({ length: this.train.n }, (_, i) => i);
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

  /** [Σ loss, # correct] of logits/probabilities against a set, as scalars. Inside tidy. */
  lossAndHits(logits: Tensor, p: Tensor, set: { y: Tensor; negY: Tensor }): [Tensor, Tensor] {
    const k = this.k;
    const loss = k.sum(k.mul(set.negY, k.log(k.add(p, this.floor))), [0, 1, 2]);
    const hits = k.countEqual(k.argMax(logits, 2), set.y);
    return [loss, hits];
  }

  /**
   * One optimisation step on a batch; returns Σ loss and # correct before the step, as
   * numbers (host head, `yHost` = the batch's labels) or scalars (device head).
   */
  private stepOn(x: Tensor, y: Tensor, negY: Tensor, n: number, yHost: Int32Array): [Tensor | number, Tensor | number] {
    const k = this.k;
    const { params } = this.net;
    const { logits, acts } = forward(k, this.net, x);
    let stats: [Tensor | number, Tensor | number];
    let dz: Tensor;
    if (this.host) {
      const scale = (this.cfg.optimizer === 'sgd' ? this.cfg.lr : 1) / n;
      const g = new Float32Array(n * this.nClasses);
      stats = hostHead(logits.dataSync(), yHost, this.nClasses, scale, g);
      dz = this.tf.tensor3d(g, [1, n, this.nClasses]);
    } else {
      const p = k.softmax(logits);
      stats = this.lossAndHits(logits, p, { y, negY });
      dz = k.mul(k.add(p, negY), this.scale(n));
    }
    const grads: Tensor[] = new Array(params.length);
    for (let l = params.length / 2 - 1; l >= 0; l--) {
      const a = acts[l];
      grads[2 * l] = k.matMul(a, dz, true, false);
      grads[2 * l + 1] = this.colSum(dz, n);
      if (l > 0) {
        const da = k.matMul(dz, params[2 * l], false, true);
        dz = this.net.activation === 'none' ? da : k.mul(da, this.actGrad(a));
      }
    }
    this.step++;
    if (this.cfg.optimizer === 'sgd') this.sgd(grads);
    else this.adam(grads);
    return stats;
  }

  /**
   * Σ over rows of dz [1, n, m] → [m] (the bias gradient). The js backend's Sum over a
   * non-inner axis transposes element by element (~190 µs here); a [1,1,n]·dz matMul is
   * ~3x cheaper there. On wasm the Sum kernel is the cheaper one (~7 µs vs ~29 µs).
   */
  private colSum(dz: Tensor, n: number): Tensor {
    const k = this.k;
    if (this.tf.getBackend() !== 'cpu') return k.sum(dz, [0, 1]);
    let ones = this.onesByN.get(n);
    if (!ones) {
      ones = this.keep(this.tf.ones([1, 1, n]));
      this.onesByN.set(n, ones);
    }
    const m = dz.shape[2] as number;
    return this.tf.engine().runKernel('Reshape', { x: k.matMul(ones, dz, false, false) }, { shape: [m] }) as Tensor;
  }

  /** act'(z) expressed through a = act(z). */
  private actGrad(a: Tensor): Tensor {
    const k = this.k;
    const one = this.c.one ?? (this.c.one = this.keep(this.tf.scalar(1)));
    switch (this.net.activation) {
      case 'relu':
        return k.step(a);
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
    const values = tf.tidy(() => {
      const sums: (Tensor | number)[] = [0, 0, 0, 0];
      const add = (i: number, v: Tensor | number) => {
        const cur = sums[i];
        sums[i] = typeof cur === 'number' && typeof v === 'number' ? cur + v : k.add(this.asTensor(cur), this.asTensor(v));
      };
      const { batchSize } = this.cfg;
      const tr = this.train;
      if (batchSize === 'full' || batchSize >= tr.n) {
        const [l, h] = this.stepOn(tr.x, tr.y, tr.negY, tr.n, this.yTrain);
        add(0, l);
        add(1, h);
      } else {
        this.rng.shuffle(this.order);
        for (let s = 0; s < tr.n; s += batchSize) {
          const rows = this.order.slice(s, Math.min(tr.n, s + batchSize));
          const idx = tf.tensor1d(rows, 'int32');
          const pick = (t: Tensor) => tf.gather(t, idx, 1);
          const yHost = this.host ? rows.map((r) => this.yTrain[r]) : this.yTrain;
          const [l, h] = this.stepOn(pick(tr.x), pick(tr.y), pick(tr.negY), rows.length, yHost);
          add(0, l);
          add(1, h);
        }
      }
      if (this.test.n > 0) {
        const { logits } = forward(k, this.net, this.test.x);
        if (this.host) {
          const [l, h] = hostHead(logits.dataSync(), this.yTest, this.nClasses, 0);
          add(2, l);
          add(3, h);
        } else {
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
    const nTr = this.train.n;
    const nTe = this.test.n;
    return {
      trainLoss: v[0] / nTr,
      trainAcc: v[1] / nTr,
      testLoss: nTe > 0 ? v[2] / nTe : 0,
      testAcc: nTe > 0 ? v[3] / nTe : 0,
    };
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
