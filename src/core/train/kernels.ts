/**
 * Thin wrappers that call TF.js kernels through `engine().runKernel`, skipping the op
 * layer (argument conversion, assertions, gradient wiring, reshapes).
 *
 * Why: for the notebook's tiny model an epoch is dominated by per-op overhead, and the
 * public ops add a lot of it — `tf.fused.matMul` alone issues three Reshape kernels and a
 * customGrad record around every _FusedMatMul. The trainer keeps every activation as a
 * 3-D [1, rows, cols] tensor (the kernels' native layout) so no reshapes are needed.
 * Kernel names and attributes are TF.js's public kernel registry (kernel_names.ts); all
 * backends (cpu, wasm, tensorflow) implement these. Nothing here records gradients.
 */

import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './backends';

export type FusedActivation = 'linear' | 'relu' | 'sigmoid';

export interface Kernels {
  /** a·b + bias, then activation. a [1,n,k], b [1,k,m], bias [m]. */
  fusedMatMul(a: Tensor, b: Tensor, bias: Tensor, activation: FusedActivation): Tensor;
  matMul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  sub(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor): Tensor;
  div(a: Tensor, b: Tensor): Tensor;
  sum(x: Tensor, axis: number[]): Tensor;
  softmax(logits: Tensor): Tensor;
  log(x: Tensor): Tensor;
  sqrt(x: Tensor): Tensor;
  square(x: Tensor): Tensor;
  tanh(x: Tensor): Tensor;
  step(x: Tensor): Tensor;
  sign(x: Tensor): Tensor;
  argMax(x: Tensor, axis: number): Tensor;
  /** Number of positions where a == b, as a float32 scalar. */
  countEqual(a: Tensor, b: Tensor): Tensor;
}

export function kernels(tf: Tf): Kernels {
  const e = tf.engine();
  const run = (name: string, inputs: Record<string, Tensor>, attrs?: Record<string, unknown>): Tensor =>
    e.runKernel(name, inputs, attrs as never);
  return {
    fusedMatMul: (a, b, bias, activation) =>
      run('_FusedMatMul', { a, b, bias }, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }),
    matMul: (a, b, transposeA, transposeB) => run('BatchMatMul', { a, b }, { transposeA, transposeB }),
    add: (a, b) => run('Add', { a, b }),
    sub: (a, b) => run('Sub', { a, b }),
    mul: (a, b) => run('Multiply', { a, b }),
    div: (a, b) => run('RealDiv', { a, b }),
    sum: (x, axis) => run('Sum', { x }, { axis, keepDims: false }),
    // The wasm kernel needs the axis as a positive index (it reads shape[dim]).
    softmax: (logits) => run('Softmax', { logits }, { dim: logits.shape.length - 1 }),
    log: (x) => run('Log', { x }),
    sqrt: (x) => run('Sqrt', { x }),
    square: (x) => run('Square', { x }),
    tanh: (x) => run('Tanh', { x }),
    step: (x) => run('Step', { x }, { alpha: 0 }),
    sign: (x) => run('Sign', { x }),
    argMax: (x, axis) => run('ArgMax', { x }, { axis }),
    countEqual: (a, b) => {
      const eq = run('Equal', { a, b });
      const f = run('Cast', { x: eq }, { dtype: 'float32' });
      return run('Sum', { x: f }, { axis: a.shape.map((_, i) => i), keepDims: false });
    },
  };
}
