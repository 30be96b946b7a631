/**
 * A/B of TrainLoop configurations in ONE process, epochs alternating between them, so that
 * machine noise hits all alike (`npx tsx bench/ab.ts scale-batch '{"chunkRows":1024}' '{"chunkRows":4096}' --epochs 6`).
 * Prints each config's median epoch time and its ratio to the first.
 */
import type { LoopConfig } from '../src/core/train/loop';
import { buildDataset } from '../src/core/data/build';
import { resolveSpec } from '../src/core/spec/defaults';
import { defaultLoaders } from '../src/core/train/backends';
import { TrainLoop } from '../src/core/train/loop';
import { buildNet, disposeNet, layerSizes } from '../src/core/train/model';

const W: Record<string, { n: number; hidden: number[]; act: 'none' | 'relu'; bs: 'full' | number }> = {
  notebook: { n: 1000, hidden: [8, 8], act: 'none', bs: 'full' },
  'scale-batch': { n: 100_000, hidden: [64, 64], act: 'relu', bs: 1024 },
  'scale-full': { n: 100_000, hidden: [64, 64], act: 'relu', bs: 'full' },
  million: { n: 1_000_000, hidden: [64, 64], act: 'relu', bs: 4096 },
};
(async () => {
  const args = process.argv.slice(2);
  const ei = args.indexOf('--epochs');
  const epochs = ei >= 0 ? Number(args.splice(ei, 2)[1]) : 6;
  const w = W[args[0]];
  const confs = args.slice(1).map((a) => JSON.parse(a) as Partial<LoopConfig>);
  if (confs.length === 0) confs.push({});
  const tf = await defaultLoaders.loadWasm();
  const spec = resolveSpec({ name: 'ab', seed: 42, data: { generator: 'make_blobs', n_samples: w.n, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 }, model: { hidden_units: w.hidden, activation: w.act }, training: { epochs: 1, optimizer: 'sgd', lr: 0.1, batch_size: w.bs } });
  const data = buildDataset(spec, '/tmp');
  const runs = confs.map((c) => {
    const net = buildNet(tf, layerSizes(2, w.hidden, 4), w.act, 42);
    return { net, loop: new TrainLoop(tf, net, data, { optimizer: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0, batchSize: w.bs, seed: 42, ...c }), t: [] as number[], m: undefined as unknown };
  });
  const reps = w.n <= 1000 ? 50 : 1; // notebook epochs are short: time 50 at once
  for (const r of runs) r.loop.epoch(); // warm-up
  for (let e = 0; e < epochs; e++) {
    for (const r of runs) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) r.m = r.loop.epoch();
      r.t.push((performance.now() - t) / reps);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const base = med(runs[0].t);
  runs.forEach((r, i) => console.log(`${med(r.t).toFixed(2).padStart(9)} ms/epoch  x${(med(r.t) / base).toFixed(3)}  ${JSON.stringify(confs[i])}  acc ${JSON.stringify(r.m)}`));
  for (const r of runs) { r.loop.dispose(); disposeNet(r.net); }
})();
