/**
 * A tuning tool for data-parallel training (core/train/parallel/), not the benchmark:
 * `npm run bench` (bench/bench.ts) reports the worker scaling next to PyTorch. This one
 * digs into the machinery, on the benchmark's big workloads, in ONE process, rounds
 * alternating between thread counts so machine noise hits all alike:
 *
 *   npx tsx bench/workers.ts [--threads 1,2,auto] [--rounds 3] [--only scale-batch,scale-full,million] [--device wasm|js] [--overhead] [--barrier]
 *
 * Runs the trainer itself (`train`, as `blobs train` does, frames off) with
 * TrainerOptions.workers forced, and reports per workload and thread count: the loop's
 * time (train_wall_s; median, min–max), the speed-up over one thread, the workers' start
 * (outside the loop time: it happens before the run's first event), the loop's CPU time
 * over all threads (its growth over one thread's is the cost of splitting, which a loaded
 * machine does not hide the way it hides wall time), and how far the final
 * train loss is from one thread's (float summation order only). Also the per-step cost of
 * the machinery on a model too small to gain (`--overhead`), and the bare barrier: a job
 * posted to a worker blocked in Atomics.wait, or spinning first, and waited for
 * (`--barrier`).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { buildDataset } from '../src/core/data/build';
import type { RunSummary, StartEvent } from '../src/core/protocol';
import { resolveSpec } from '../src/core/spec/defaults';
import { defaultLoaders, type LoadedBackend } from '../src/core/train/backends';
import { train } from '../src/core/train/trainer';

const W = {
  'scale-batch': { title: '3a. 100,000 samples, [64, 64] ReLU, batch 1,024, 3 epochs', n: 100_000, bs: 1024 as const, epochs: 3 },
  'scale-full': { title: '3b. 100,000 samples, [64, 64] ReLU, full batch, 10 epochs', n: 100_000, bs: 'full' as const, epochs: 10 },
  million: { title: '4. 1,000,000 samples, [64, 64] ReLU, batch 4,096, 2 epochs', n: 1_000_000, bs: 4096 as const, epochs: 2 },
};
type Id = keyof typeof W;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const s2 = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  // 0: auto (whatever the trainer picks now; shown as auto→N).
  const threadsList = (arg('--threads') ?? '1,2').split(',').map((t) => (t === 'auto' ? 0 : Number(t)));
  const rounds = Number(arg('--rounds') ?? 3);
  const only = (arg('--only')?.split(',') ?? Object.keys(W)) as Id[];
  const device = (arg('--device') ?? 'wasm') as 'wasm' | 'js';
  const tf = device === 'wasm' ? await defaultLoaders.loadWasm() : await defaultLoaders.loadJs();
  const backend: LoadedBackend = { tf, backend: device === 'wasm' ? 'wasm' : 'cpu', device, reason: 'bench' };
  console.log(`data-parallel scaling: ${cpus().length} × ${cpus()[0]?.model.trim()}, availableParallelism ${availableParallelism()}, load average ${loadavg().map(s2).join(' ')} at start; ${device}; ${rounds} rounds, alternating`);
  const rows: string[] = [];
  for (const id of only) {
    const w = W[id];
    const spec = resolveSpec({
      name: `bench ${id}`,
      seed: 42,
      data: { generator: 'make_blobs', n_samples: w.n, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 },
      model: { hidden_units: [64, 64], activation: 'relu' },
      training: { epochs: w.epochs, optimizer: 'sgd', lr: 0.1, batch_size: w.bs, log_every: 1000 },
      boundary: { every: 1_000_000 },
      device,
    });
    const data = buildDataset(spec, '/tmp');
    const ours = new Map<number, { loop: number[]; cpu: number[]; start: number[]; loss: number; picked: Set<number> }>();
    const one = async (threads: number) => {
      let summary: RunSummary | undefined;
      let startEv: StartEvent | undefined;
      let cpu0: NodeJS.CpuUsage | undefined;
      let cpu = 0;
      for await (const e of train({ spec, runId: 'bench', data, backend, workers: threads || undefined })) {
        if (e.type === 'start') startEv = e;
        else if (e.type === 'frame' && e.epoch === 0) cpu0 = process.cpuUsage();
        else if (e.type === 'epoch' && e.epoch === w.epochs - 1) {
          const c = process.cpuUsage(cpu0);
          cpu = (c.user + c.system) / 1e6;
        }
        else if (e.type === 'done') summary = e.summary;
        else if (e.type === 'error') throw new Error(e.message);
      }
      const started = /workers started in ([\d.]+) s/.exec(startEv?.workers?.reason ?? '');
      const r = ours.get(threads) ?? { loop: [], cpu: [], start: [], loss: summary!.train_loss, picked: new Set<number>() };
      r.cpu.push(cpu);
      r.picked.add(startEv?.workers?.count ?? 1);
      r.loop.push(summary!.train_wall_s);
      r.start.push(started ? Number(started[1]) : 0);
      ours.set(threads, r);
    };
    await one(threadsList[0]); // warm-up (JIT, wasm heap growth), not counted
    ours.clear();
    for (let r = 0; r < rounds; r++) {
      for (const t of threadsList) await one(t);
    }
    console.log(`\n${w.title}`);
    const base = median(ours.get(threadsList[0])!.loop);
    const baseLoss = ours.get(threadsList[0])!.loss;
    for (const [t, r] of ours) {
      const m = median(r.loop);
      const name = t === 0 ? `auto→${[...r.picked].join('/')}` : `${t} thread${t > 1 ? 's' : ''}`;
      const cells = [`ours, ${name}`, `${s2(m)} s (${s2(Math.min(...r.loop))}–${s2(Math.max(...r.loop))})`, `${s2(median(r.cpu))} s`, `×${(base / m).toFixed(2)}`, median(r.start) > 0 ? `${s2(median(r.start))} s` : '–', Math.abs(r.loss - baseLoss).toExponential(1)];
      console.log('  ' + cells.join(' | '));
      rows.push(`| ${id} | ${cells.join(' | ')} |`);
    }
  }
  console.log('\n| workload | run | loop time, median (min–max) | CPU time of the loop (all threads) | speed-up over the first | workers\' start | Δ final train loss vs the first |');
  console.log('|---|---|---|---|---|---|---|');
  rows.forEach((r) => console.log(r));
  if (process.argv.includes('--overhead')) await overhead(backend);
  if (process.argv.includes('--barrier')) for (const spin of [0, 0.5]) await barrier(spin);
  console.log(`\nload average at end ${loadavg().map(s2).join(' ')}`);
}

/** Per-step cost of splitting: a model whose steps are too small to gain, 1 vs 2 threads. */
async function overhead(backend: LoadedBackend): Promise<void> {
  const spec = resolveSpec({
    name: 'overhead',
    seed: 42,
    data: { generator: 'make_blobs', n_samples: 20_000, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 },
    model: { hidden_units: [8, 8], activation: 'relu' },
    training: { epochs: 5, optimizer: 'sgd', lr: 0.1, batch_size: 64, log_every: 1000 },
    boundary: { every: 1_000_000 },
    device: backend.device,
  });
  const data = buildDataset(spec, '/tmp');
  const steps = Math.ceil(data.train.n / 64) * 5 + 5;
  const t: Record<number, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < 4; r++) {
    for (const threads of [1, 2]) {
      for await (const e of train({ spec, runId: 'o', data, backend, workers: threads })) if (e.type === 'done') t[threads].push(e.summary.train_wall_s);
    }
  }
  console.log(`\nper-step cost of splitting ([8, 8], batch 64: ${steps} jobs): ${((1e6 * (median(t[2]) - median(t[1]))) / steps).toFixed(0)} µs more per job on 2 threads (medians ${s2(median(t[1]))} s vs ${s2(median(t[2]))} s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** Round trip of an empty job: post (Atomics.notify), the worker acks, wait for the ack. */
async function barrier(spinMs: number): Promise<void> {
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const code = `
    const ctl = new Int32Array(require('node:worker_threads').workerData);
    for (let seen = 0; ; ) {
      const until = performance.now() + ${spinMs};
      while (Atomics.load(ctl, 0) === seen && performance.now() < until);
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (seen < 0) break;
      Atomics.add(ctl, 1, 1);
      Atomics.notify(ctl, 1);
    }`;
  const w = new Worker(code, { eval: true, workerData: ctl.buffer });
  await new Promise((r) => setTimeout(r, 300));
  const lat: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = performance.now();
    const done = Atomics.load(ctl, 1);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    while (Atomics.load(ctl, 1) === done) Atomics.wait(ctl, 1, done, 5);
    lat.push((performance.now() - t0) * 1000);
    const gap = performance.now() + 0.1; // the training thread's own work between jobs
    while (performance.now() < gap);
  }
  Atomics.store(ctl, 0, -1);
  Atomics.notify(ctl, 0);
  await w.terminate();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.floor(p * (lat.length - 1))].toFixed(0);
  console.log(`barrier round trip, worker ${spinMs ? `spinning ${spinMs} ms first` : 'blocked'}: median ${q(0.5)} µs, p90 ${q(0.9)} µs, p99 ${q(0.99)} µs (load average ${loadavg()[0].toFixed(2)})`);
}
