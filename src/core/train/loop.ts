/**
 * The hand-written training loop: forward, softmax cross-entropy, backward and the
 * optimiser update written directly with TF.js kernels, no gradient tape.
 *
 * Why by hand: for the notebook's 84-parameter model per-op overhead is everything, and
 * the tape (`optimizer.minimize`) roughly triples the op count. Here an epoch of the
 * notebook (3 linear layers, full batch, plain SGD) is ~45 kernel calls including the test
 * pass, and ONE read-back (train loss/acc and test loss/acc stacked).
 *
 * Maths (per batch of n rows, logits z, p = softmax(z), one-hot Y):
 *   loss = -(1/n) Σ Y·log p          (p floored at 1e-30: a sample's loss caps at ~69)
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

export class TrainLoop {
  private readonly k: Kernels;
  private readonly kept: Tensor[] = [];
  private readonly train: DeviceSet;
  private readonly test: DeviceSet;
  private readonly floor: Tensor;
  private readonly scaleByN = new Map<number, Tensor>();
  private readonly state: Variable[] = []; // momentum buffers, or adam m and v
  private readonly c: Record<string, Tensor> = {};
  private readonly rng: Rng;
  private readonly order: Int32Array;
  private step = 0;

  constructor(
    private readonly tf: Tf,
    private readonly net: Net,
    data: { train: Dataset; test: Dataset; nClasses: number },
    private readonly cfg: LoopConfig,
  ) {
    this.k = kernels(tf);
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

  /** One optimisation step on a batch; returns Σ loss and # correct before the step. */
  private stepOn(x: Tensor, y: Tensor, negY: Tensor, n: number): [Tensor, Tensor] {
    const k = this.k;
    const { params } = this.net;
    const { logits, acts } = forward(k, this.net, x);
    const p = k.softmax(logits);
    const stats = this.lossAndHits(logits, p, { y, negY });
    let dz = k.mul(k.add(p, negY), this.scale(n));
    const grads: Tensor[] = new Array(params.length);
    for (let l = params.length / 2 - 1; l >= 0; l--) {
      const a = acts[l];
      grads[2 * l] = k.matMul(a, dz, true, false);
      grads[2 * l + 1] = k.sum(dz, [0, 1]);
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

  /** One epoch: the optimisation step(s), then the test pass; ONE read-back. */
  epoch(): EpochMetrics {
    const tf = this.tf;
    const k = this.k;
    const values = tf.tidy(() => {
      let loss: Tensor;
      let hits: Tensor;
      const { batchSize } = this.cfg;
      const tr = this.train;
      if (batchSize === 'full' || batchSize >= tr.n) {
        [loss, hits] = this.stepOn(tr.x, tr.y, tr.negY, tr.n);
      } else {
        this.rng.shuffle(this.order);
        loss = tf.scalar(0);
        hits = tf.scalar(0);
        for (let s = 0; s < tr.n; s += batchSize) {
          const idx = tf.tensor1d(this.order.slice(s, Math.min(tr.n, s + batchSize)), 'int32');
          const n = idx.shape[0];
          const pick = (t: Tensor) => tf.gather(t, idx, 1);
          const [l, h] = this.stepOn(pick(tr.x), pick(tr.y), pick(tr.negY), n);
          loss = k.add(loss, l);
          hits = k.add(hits, h);
        }
      }
      const parts: Tensor[] = [loss, hits];
      if (this.test.n > 0) {
        const { logits } = forward(k, this.net, this.test.x);
        parts.push(...this.lossAndHits(logits, k.softmax(logits), this.test));
      }
      return tf.stack(parts);
    });
    const v = values.dataSync();
    values.dispose();
    const nTr = this.train.n;
    const nTe = this.test.n;
    return {
      trainLoss: v[0] / nTr,
      trainAcc: v[1] / nTr,
      testLoss: nTe > 0 ? v[2] / nTe : 0,
      testAcc: nTe > 0 ? v[3] / nTe : 0,
    };
  }

  dispose(): void {
    for (const t of this.kept) t.dispose();
    for (const s of this.state) s.dispose();
    this.kept.length = 0;
    this.state.length = 0;
  }
}
