/**
 * The gradient of a block of rows with the loss head on the host: forward, softmax
 * cross-entropy in float64 (`hostHead`), backward, written with raw kernels (kernels.ts).
 * One module for both users, so that they run the same kernels in the same order:
 * the training loop (loop.ts) for its own rows, and each data-parallel worker
 * (parallel/worker.ts) for its part of a batch.
 *
 * Maths (n rows of the batch, logits z, p = softmax(z), one-hot Y, `scale` s):
 *   dz = (p - Y)·s;   dW = aᵀ·dz, db = Σ_rows dz, da_prev = dz·Wᵀ ⊙ act'(a)
 * The caller picks s (lr/n for SGD, 1/n for Adam, n = rows of the WHOLE batch), so the
 * gradients of row blocks add up to the batch's gradient: that is what lets a big step
 * run in row chunks here, and in parts on several threads.
 *
 * On wasm (one thread, XNNPACK) arithmetic is the cost for bigger models, and two things
 * decide it: XNNPACK only runs UN-transposed matMuls (with a transpose flag the backend
 * takes a naive scalar loop), and tensors beyond cache size make every kernel
 * memory-bound. So products are transposed explicitly where a cost model (`WASM_NS`)
 * says it pays, and many rows go in chunks (`chunkRows`). The measurements behind both
 * are in bench/loop-timings.md.
 */

import type { Tensor } from '@tensorflow/tfjs';
import type { Activation } from '../spec/types';
import type { Tf } from './backends';
import type { Kernels } from './kernels';
import { forward } from './model';

/**
 * How the backward pass multiplies by transposed matrices (aᵀ·dz, dz·Wᵀ). `plain`:
 * BatchMatMul with transpose flags. `auto`: an explicit transpose wherever the cost model
 * `WASM_NS` says XNNPACK then wins; `xnn`: explicitly for every product (for tests).
 */
export type BackwardMode = 'plain' | 'auto' | 'xnn';

/**
 * Cost model of the wasm backend's matMul paths, ns per unit (bench/loop-timings.md has
 * where they come from): the naive transposed-flag loop per multiply-add; XNNPACK per
 * multiply-add; XNNPACK packing its right-hand operand (per element: it is re-packed for
 * every new tensor, and every step's weights and dz are new); an explicit transpose per
 * element; and the fixed cost of one more kernel call.
 */
export const WASM_NS = { slowMac: 0.8, xnnMac: 0.05, pack: 2.3, transpose: 1.0, kernel: 4_000 };

/** What the backward pass needs of a network: its parameters [W0, b0, W1, b1, ...]. */
export interface Layers {
  /** W as [1, in, out], b as [out] (see model.ts). */
  params: readonly Tensor[];
  /** Widths from input to output. */
  sizes: readonly number[];
  activation: Activation;
}

export interface BackpropOptions {
  backward: BackwardMode;
  /** Rows per chunk; Infinity = none. */
  chunkRows: number;
  /** Overrides of WASM_NS, for tuning (bench/ab.ts). */
  wasmCosts?: Partial<typeof WASM_NS>;
}

/** A block's gradient (the caller disposes `grads`; none for no rows), Σ loss and # correct before the step. */
export interface BlockGradient {
  grads: Tensor[];
  loss: number;
  hits: number;
}

/**
 * The loss head on the host, in float64: for each row of logits z (n × classes,
 * row-major) the exact log-softmax loss (no floor), whether argmax(z) is the label, and
 * optionally dL/dz = (softmax(z) - onehot(y))·scale into `dz`. Returns [Σ loss, # correct].
 */
export function hostHead(z: ArrayLike<number>, y: ArrayLike<number>, classes: number, scale: number, dz?: Float32Array): [number, number] {
  let loss = 0;
  let hits = 0;
  const n = y.length;
  const ex = new Float64Array(classes);
  for (let i = 0, o = 0; i < n; i++, o += classes) {
    let m = z[o];
    let arg = 0;
    for (let j = 1; j < classes; j++) {
      if (z[o + j] > m) {
        m = z[o + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) {
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
      for (let j = 0; j < classes; j++) dz[o + j] = ex[j] * inv - (j === label ? scale : 0);
    }
  }
  return [loss, hits];
}

export class Backprop {
  private readonly kept: Tensor[] = [];
  private readonly onesRow = new Map<number, Tensor>();
  private readonly onesColumn = new Map<number, Tensor>();
  private oneScalar: Tensor | undefined;
  private readonly costs: typeof WASM_NS;
  private readonly wasm: boolean;
  private readonly js: boolean;

  constructor(
    private readonly tf: Tf,
    private readonly ops: Kernels,
    /** Read at every call: the worker swaps in new parameter tensors each step. */
    private readonly layers: Layers,
    private readonly opts: BackpropOptions,
  ) {
    this.costs = { ...WASM_NS, ...opts.wasmCosts };
    this.wasm = tf.getBackend() === 'wasm';
    this.js = tf.getBackend() === 'cpu';
  }

  get mode(): BackwardMode {
    return this.opts.backward;
  }

  /**
   * The gradient of `count` rows (features `x`, count × d row-major; labels `y`) scaled by
   * `scale`, in chunks of `chunkRows`: yields after each chunk but the last (a caller may
   * hand the event loop a turn there, or stop). Each chunk's temporaries go at once; the
   * chunks' gradients are summed in order. `whole`: the same rows already uploaded
   * ([1, count, d]), used when they make one chunk. Abandoned early (`return()`), it
   * disposes the partial sums.
   */
  *gradient(x: Float32Array, y: Int32Array, scale: number, whole?: Tensor): Generator<undefined, BlockGradient, undefined> {
    const { tf, ops } = this;
    const n = y.length;
    const d = this.layers.sizes[0];
    const classes = this.layers.sizes[this.layers.sizes.length - 1];
    const chunk = this.opts.chunkRows;
    let loss = 0;
    let hits = 0;
    let acc: Tensor[] | undefined;
    let done = false;
    try {
      for (let s = 0; s < n; s += chunk) {
        if (s > 0) yield;
        const m = Math.min(chunk, n - s);
        const part = tf.tidy(() => {
          const xs = m === n && whole ? whole : this.rows(x, d, s, m);
          const { logits, acts } = forward(ops, this.layers, xs);
          const g = new Float32Array(m * classes);
          const [l, h] = hostHead(logits.dataSync(), y.subarray(s, s + m), classes, scale, g);
          loss += l;
          hits += h;
          const gs = this.backward(acts, tf.tensor3d(g, [1, m, classes]), m);
          return acc ? gs.map((t, i) => ops.add(acc![i], t)) : gs;
        });
        if (acc) tf.dispose(acc);
        acc = part;
      }
      done = true;
      return { grads: acc ?? [], loss, hits };
    } finally {
      if (!done && acc) tf.dispose(acc);
    }
  }

  /** Σ loss and # correct of `count` rows (no gradient), one chunk; call inside tidy. */
  lossAndHits(x: Tensor, y: Int32Array): [number, number] {
    const classes = this.layers.sizes[this.layers.sizes.length - 1];
    return hostHead(forward(this.ops, this.layers, x).logits.dataSync(), y, classes, 0);
  }

  /**
   * Rows [s, s + m) of a host copy as a [1, m, d] tensor. Not the Slice kernel: the wasm
   * backend's Slice reads the WHOLE input back first.
   */
  rows(x: Float32Array, d: number, s: number, m: number): Tensor {
    return this.tf.tensor3d(x.subarray(s * d, (s + m) * d), [1, m, d]);
  }

  /** Backprop from dz = dL/dlogits (pre-scaled) to every parameter's gradient. */
  backward(acts: Tensor[], dz: Tensor, n: number): Tensor[] {
    const ops = this.ops;
    const { params, sizes, activation } = this.layers;
    const grads: Tensor[] = new Array(params.length);
    for (let l = params.length / 2 - 1; l >= 0; l--) {
      const a = acts[l];
      const [nIn, nOut] = [sizes[l], sizes[l + 1]];
      const path = this.weightPath(n, nIn, nOut);
      if (path === 'aT') {
        // dW = aᵀ·dz: one explicit transpose, XNNPACK packs dz. db = ones·dz then REUSES
        // that packing (the wasm backend caches the operator on dz's tensor id).
        grads[2 * l] = ops.matMul(this.transpose(a), dz, false, false);
        grads[2 * l + 1] = this.reshape(ops.matMul(this.ones(n), dz, false, false), [nOut]);
      } else if (path === 'dzT') {
        // dWᵀ = dzᵀ·a (XNNPACK packs a), transposed back (small); db = Σ over dzᵀ's inner
        // axis (a plain reduction). Cheaper than 'aT' when a is the narrower one (x).
        const dzT = this.transpose(dz);
        grads[2 * l] = this.transpose(ops.matMul(dzT, a, false, false));
        // Axis 2 alone and a reshape: [0, 2] makes the wasm Sum copy its input first.
        grads[2 * l + 1] = this.reshape(ops.sum(dzT, [2]), [nOut]);
      } else {
        grads[2 * l] = ops.matMul(a, dz, true, false);
        grads[2 * l + 1] = this.colSum(dz, n);
      }
      if (l > 0) {
        const W = params[2 * l];
        const da = this.inputXnn(n, nIn, nOut) ? ops.matMul(dz, this.transpose(W), false, false) : ops.matMul(dz, W, false, true);
        dz = activation === 'none' ? da : ops.mul(da, this.actGrad(a));
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
    const mode = this.opts.backward;
    if (mode === 'plain') return 'plain';
    const c = this.costs;
    const macs = n * nIn * nOut;
    const aT = n * nIn * c.transpose + n * nOut * c.pack + (macs + n * nOut) * c.xnnMac + 3 * c.kernel;
    const dzT = n * nOut * c.transpose + n * nIn * c.pack + macs * c.xnnMac + nIn * nOut * c.transpose + n * nOut * c.xnnMac + 4 * c.kernel;
    const xnn = aT <= dzT ? 'aT' : 'dzT';
    if (mode === 'xnn') return xnn;
    const plain = (macs + n * nOut) * c.slowMac + 2 * c.kernel;
    return Math.min(aT, dzT) < plain ? xnn : 'plain';
  }

  /** da = dz·Wᵀ through XNNPACK (W transposed explicitly; small) rather than the flag loop? */
  private inputXnn(n: number, nIn: number, nOut: number): boolean {
    const mode = this.opts.backward;
    if (mode !== 'auto') return mode === 'xnn';
    const c = this.costs;
    const macs = n * nIn * nOut;
    return nIn * nOut * (c.transpose + c.pack) + macs * c.xnnMac + 2 * c.kernel < macs * c.slowMac + c.kernel;
  }

  private reshape(x: Tensor, shape: number[]): Tensor {
    return this.tf.engine().runKernel('Reshape', { x }, { shape }) as Tensor;
  }

  /**
   * [1, r, c] → [1, c, r]. The wasm Transpose kernel writes with a stride of r floats;
   * when r·4 bytes is a multiple of 1 KiB those writes alias in the cache and the kernel
   * slows several-fold. Viewing the rows as [r/32, 32, c] and permuting [2, 0, 1] gives
   * the same result with strided READS instead.
   */
  private transpose(t: Tensor): Tensor {
    const e = this.tf.engine();
    const [, r, c] = t.shape as number[];
    if (r % 256 !== 0 || r > 8192 || !this.wasm) return e.runKernel('Transpose', { x: t }, { perm: [0, 2, 1] }) as Tensor;
    const out = e.runKernel('Transpose', { x: this.reshape(t, [r / 32, 32, c]) }, { perm: [2, 0, 1] }) as Tensor;
    return this.reshape(out, [1, c, r]);
  }

  /**
   * Σ over rows of dz [1, n, m] → [m] (the bias gradient). The js backend's Sum over a
   * non-inner axis transposes element by element; a [1,1,n]·dz matMul is cheaper there.
   * On wasm the Sum kernel is the cheaper one for few rows, but it transposes first, and
   * from ~256 rows up that transpose hits the cache aliasing described at `transpose`:
   * there the naive loop's onesᵀ·dz wins (contiguous reads).
   */
  private colSum(dz: Tensor, n: number): Tensor {
    const ops = this.ops;
    const m = dz.shape[2] as number;
    if (this.wasm && n >= 256) return this.reshape(ops.matMul(this.ones(n, true), dz, true, false), [m]);
    if (!this.js) return ops.sum(dz, [0, 1]);
    return this.reshape(ops.matMul(this.ones(n), dz, false, false), [m]);
  }

  /** ones [1, 1, n] (or [1, n, 1] with `column`), kept per n. */
  private ones(n: number, column = false): Tensor {
    const cache = column ? this.onesColumn : this.onesRow;
    let ones = cache.get(n);
    if (!ones) {
      ones = this.keep(this.tf.ones(column ? [1, n, 1] : [1, 1, n]));
      cache.set(n, ones);
    }
    return ones;
  }

  /** act'(z) expressed through a = act(z). */
  private actGrad(a: Tensor): Tensor {
    const ops = this.ops;
    const one = (this.oneScalar ??= this.keep(this.tf.scalar(1)));
    switch (this.layers.activation) {
      case 'relu':
        // a = relu(z) ≥ 0, so step(a) = sign(a). tfjs-node builds Step from ~6 ops
        // (Greater, Fill, Select, IsNan...; half of a full-batch epoch); Sign is one.
        return this.tf.getBackend() === 'tensorflow' ? ops.sign(a) : ops.step(a);
      case 'tanh':
        return ops.sub(one, ops.square(a));
      case 'sigmoid':
        return ops.mul(a, ops.sub(one, a));
      case 'none':
        return one;
    }
  }

  private keep<T extends Tensor>(t: T): T {
    this.kept.push(this.tf.keep(t));
    return t;
  }

  dispose(): void {
    this.tf.dispose(this.kept);
    this.kept.length = 0;
    this.onesRow.clear();
    this.onesColumn.clear();
    this.oneScalar = undefined;
  }
}
