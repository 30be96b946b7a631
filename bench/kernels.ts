/**
 * Per-kernel timing for the training step's shapes (`npx tsx bench/kernels.ts [--device wasm|js] [--n 1024,80000]`).
 *
 * Why: a CPU profile of the wasm backend shows anonymous `wasm-function[N]` frames; this
 * names them by timing each kernel the loop issues, alone, at the loop's shapes. Medians
 * of interleaved repetitions (the machine is shared), in µs.
 */
import { defaultLoaders, type Tf } from '../src/core/train/backends';
import { kernels } from '../src/core/train/kernels';
import type { Tensor } from '@tensorflow/tfjs';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const device = arg('--device') ?? 'wasm';
  const tf: Tf = device === 'js' ? await defaultLoaders.loadJs() : await defaultLoaders.loadWasm();
  const k = kernels(tf);
  const e = tf.engine();
  const ns = (arg('--n') ?? '1024,80000').split(',').map(Number);
  const h = Number(arg('--h') ?? 64);
  for (const n of ns) {
    const a = tf.randomNormal([1, n, h]);
    const dz = tf.randomNormal([1, n, h]);
    const W = tf.randomNormal([1, h, h]);
    const b = tf.randomNormal([h]);
    const x2 = tf.randomNormal([1, n, 2]);
    const W0 = tf.randomNormal([1, 2, h]);
    const z4 = tf.randomNormal([1, n, 4]);
    const W2 = tf.randomNormal([1, h, 4]);
    const idx = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (i * 7919) % n), 'int32');
    const big = tf.randomNormal([1, n * 4, 2]);
    const cases: Record<string, () => Tensor | Tensor[]> = {
      'fused a·W+b relu (xnn)': () => k.fusedMatMul(a, W, b, 'relu'),
      'fused x·W0+b (2→h)': () => k.fusedMatMul(x2, W0, b, 'relu'),
      'matMul aᵀ·dz (slow path)': () => k.matMul(a, dz, true, false),
      'transpose a + matMul (xnn)': () => k.matMul(e.runKernel('Transpose', { x: a }, { perm: [0, 2, 1] }) as Tensor, dz, false, false),
      'transpose a': () => e.runKernel('Transpose', { x: a }, { perm: [0, 2, 1] }) as Tensor,
      'matMul dz·Wᵀ (slow path)': () => k.matMul(dz, W, false, true),
      'transpose W + matMul (xnn)': () => k.matMul(dz, e.runKernel('Transpose', { x: W }, { perm: [0, 2, 1] }) as Tensor, false, false),
      'matMul z4·W2ᵀ (slow)': () => k.matMul(z4, W2, false, true),
      'sum rows of dz': () => k.sum(dz, [0, 1]),
      'step(a)': () => k.step(a),
      'mul(dz, a)': () => k.mul(dz, a),
      'gather rows x (n of 4n)': () => e.runKernel('GatherV2', { x: big, indices: idx }, { axis: 1, batchDims: 0 }) as Tensor,
      'upload [n,4] f32': () => tf.tensor3d(new Float32Array(n * 4), [1, n, 4]),
      'readback [n,4]': () => { z4.dataSync(); return []; },
    };
    const times: Record<string, number[]> = {};
    const reps = n > 10000 ? 5 : 30;
    for (let r = 0; r < reps + 2; r++) {
      for (const [name, f] of Object.entries(cases)) {
        const t = performance.now();
        const out = f();
        if (!Array.isArray(out)) out.dataSync();
        const dt = performance.now() - t;
        tf.dispose(out);
        if (r >= 2) (times[name] ??= []).push(dt * 1000);
      }
    }
    console.log(`\n${device}, n=${n}, h=${h} (median µs over ${reps})`);
    for (const [name, ts] of Object.entries(times)) {
      ts.sort((x, y) => x - y);
      console.log(`  ${ts[ts.length >> 1].toFixed(0).padStart(8)}  ${name}`);
    }
    tf.dispose([a, dz, W, b, x2, W0, z4, W2, idx, big]);
  }
}
main();
