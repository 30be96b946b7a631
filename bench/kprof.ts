/**
 * Kernel-level profile of one training run (`npx tsx bench/kprof.ts [notebook|scale-batch|scale-full] [--epochs N]`):
 * wraps the engine's runKernel and reports time per kernel name and input shapes, plus
 * the time outside kernels (JS: host head, batch building, tidy bookkeeping).
 *
 * Why: on wasm the CPU profile only shows `wasm-function[N]`; this names the kernels.
 * The wasm kernels are synchronous, so wall time around runKernel is their cost.
 */
import { buildDataset } from '../src/core/data/build';
import { resolveSpec } from '../src/core/spec/defaults';
import { defaultLoaders } from '../src/core/train/backends';
import { TrainLoop } from '../src/core/train/loop';
import { buildNet, disposeNet, layerSizes } from '../src/core/train/model';

const which = process.argv[2] ?? 'scale-batch';
const ei = process.argv.indexOf('--epochs');
const W: Record<string, { n: number; hidden: number[]; act: 'none' | 'relu'; bs: 'full' | number; epochs: number }> = {
  notebook: { n: 1000, hidden: [8, 8], act: 'none', bs: 'full', epochs: 100 },
  'scale-batch': { n: 100_000, hidden: [64, 64], act: 'relu', bs: 1024, epochs: 1 },
  'scale-full': { n: 100_000, hidden: [64, 64], act: 'relu', bs: 'full', epochs: 3 },
  million: { n: 1_000_000, hidden: [64, 64], act: 'relu', bs: 4096, epochs: 1 },
};
(async () => {
  const w = W[which];
  const epochs = ei > 0 ? Number(process.argv[ei + 1]) : w.epochs;
  const tf = await defaultLoaders.loadWasm();
  const spec = resolveSpec({ name: 'p', seed: 42, data: { generator: 'make_blobs', n_samples: w.n, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 }, model: { hidden_units: w.hidden, activation: w.act }, training: { epochs, optimizer: 'sgd', lr: 0.1, batch_size: w.bs } });
  const data = buildDataset(spec, '/tmp');
  const net = buildNet(tf, layerSizes(2, w.hidden, 4), w.act, 42);
  const loop = new TrainLoop(tf, net, data, { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: w.bs, seed: 42 });
  loop.epoch(); // warm-up
  type RunKernel = (name: string, inputs: Record<string, { shape: number[] }>, attrs: unknown) => unknown;
  const e = tf.engine() as unknown as { runKernel: RunKernel };
  const orig = e.runKernel.bind(e);
  const acc = new Map<string, { t: number; c: number }>();
  let inKernel = 0;
  e.runKernel = (name, inputs, attrs) => {
    const t = performance.now();
    const out = orig(name, inputs, attrs);
    const dt = performance.now() - t;
    const key = `${name} ${Object.values(inputs).map((x) => `[${x.shape}]`).join(' ')}${attrs && (attrs as { transposeA?: boolean }).transposeA !== undefined ? ` tA=${(attrs as { transposeA: boolean }).transposeA} tB=${(attrs as { transposeB: boolean }).transposeB}` : ''}`;
    const a = acc.get(key) ?? { t: 0, c: 0 };
    a.t += dt; a.c++; acc.set(key, a);
    inKernel += dt;
    return out;
  };
  const t0 = performance.now();
  let m;
  for (let i = 0; i < epochs; i++) m = loop.epoch();
  const total = performance.now() - t0;
  e.runKernel = orig;
  console.log(`${which}: ${epochs} epochs ${total.toFixed(1)} ms; in runKernel ${inKernel.toFixed(1)} ms; outside ${(total - inKernel).toFixed(1)} ms; last`, m);
  for (const [k, v] of [...acc.entries()].sort((a, b) => b[1].t - a[1].t).slice(0, 25)) console.log(`${v.t.toFixed(1).padStart(9)} ms ${String(v.c).padStart(6)}x  ${k}`);
  loop.dispose(); disposeNet(net);
})();
