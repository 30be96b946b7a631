/**
 * The dense network of `spec.model`, kept as a `tf.Sequential` of dense layers so it can
 * be saved in the TF.js layers format, but trained by the hand-written loop in loop.ts
 * directly on the layers' variables (model.fit's per-op overhead dominates this size).
 *
 * Init follows PyTorch's nn.Linear: kaiming_uniform(a=sqrt(5)) for the weight and the
 * bias rule, both of which come to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); so training
 * behaves like the notebook's.
 *
 * The saved model's last layer applies softmax (outputs probabilities, which is what a
 * user loading model.json expects); the training loop works on logits.
 */

import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Activation } from '../spec/types';
import type { ModelSummary } from '../protocol';
import type { Tf } from './backends';
import type { Kernels } from './kernels';
import { Rng } from './rng';

export interface Net {
  /** The layers model (for saving); its weights are refreshed from `params` by `syncModel`. */
  model: import('@tensorflow/tfjs').Sequential;
  /**
   * The trained parameters [W0, b0, W1, b1, ...]: W as [1, in, out] (the 3-D layout the
   * matMul kernels take natively, see kernels.ts), b as [out].
   */
  params: Variable[];
  /** Widths from input to output, e.g. [2, 8, 8, 4]. */
  sizes: number[];
  activation: Activation;
}

const TFJS_ACTIVATION: Record<Activation, 'linear' | 'relu' | 'tanh' | 'sigmoid'> = {
  none: 'linear',
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
};

export function layerSizes(nIn: number, hidden: readonly number[], nOut: number): number[] {
  return [nIn, ...hidden, nOut];
}

export function paramCount(sizes: readonly number[]): number {
  let p = 0;
  for (let i = 0; i + 1 < sizes.length; i++) p += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return p;
}

export function modelSummary(sizes: number[], activation: Activation): ModelSummary {
  return { layers: sizes, activation, params: paramCount(sizes) };
}

/** PyTorch nn.Linear init values, drawn in the order weight then bias per layer. */
export function initialWeights(sizes: readonly number[], seed: number): Float32Array[] {
  const rng = new Rng(seed, 1);
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const bound = 1 / Math.sqrt(fanIn);
    const W = new Float32Array(fanIn * sizes[l + 1]);
    for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-bound, bound);
    const b = new Float32Array(sizes[l + 1]);
    for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-bound, bound);
    out.push(W, b);
  }
  return out;
}

export function buildNet(tf: Tf, sizes: number[], activation: Activation, seed: number): Net {
  const model = tf.sequential();
  const last = sizes.length - 2;
  for (let l = 0; l <= last; l++) {
    model.add(
      tf.layers.dense({
        units: sizes[l + 1],
        inputShape: l === 0 ? [sizes[0]] : undefined,
        activation: l === last ? 'softmax' : TFJS_ACTIVATION[activation],
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        name: `dense_${l}`,
      }),
    );
  }
  const init = initialWeights(sizes, seed);
  const params = init.map((values, i) => {
    const l = i >> 1;
    const shape = i % 2 === 0 ? [1, sizes[l], sizes[l + 1]] : [sizes[l + 1]];
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), false, undefined, 'float32'));
  });
  const net = { model, params, sizes, activation };
  syncModel(tf, net);
  return net;
}

/** Copies the trained parameters into the layers model (before saving it). */
export function syncModel(tf: Tf, net: Net): void {
  const vars = net.model.layers.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as Variable));
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.reshape(net.params[i], v.shape))));
}

export function disposeNet(net: Net): void {
  net.model.dispose();
  for (const p of net.params) p.dispose();
}

/**
 * Logits of `x` ([1, n, sizes[0]]) and the hidden activations (x first). Call inside
 * tf.tidy. One fused kernel per layer for linear/relu/sigmoid (tanh adds one).
 */
export function forward(k: Kernels, net: { params: readonly Tensor[]; activation: Activation }, x: Tensor): { logits: Tensor; acts: Tensor[] } {
  const acts: Tensor[] = [x];
  let a = x;
  const L = net.params.length / 2;
  for (let l = 0; l < L; l++) {
    const hidden = l < L - 1;
    const act = hidden ? net.activation : 'none';
    const fused = act === 'relu' ? 'relu' : act === 'sigmoid' ? 'sigmoid' : 'linear';
    a = k.fusedMatMul(a, net.params[2 * l], net.params[2 * l + 1], fused);
    if (act === 'tanh') a = k.tanh(a);
    if (hidden) acts.push(a);
  }
  return { logits: a, acts };
}
