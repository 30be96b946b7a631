/**
 * GPU check: what a machine's WebGPU adapter does for Blob Classifier, next to WASM, in
 * one run of a few minutes. bench/gpu-check.sh runs it (and says what the machine has);
 * `node --import tsx bench/gpu-check.ts --help` for the options.
 *
 *   1. the WebGPU probe: every way Dawn was asked (Vulkan/Metal/D3D12 first, then
 *      OpenGL ES) and what each gave; what `device: "gpu"` and `auto` resolve to;
 *   2. the cost of one optimisation step of a [64, 64] ReLU net by batch size, webgpu
 *      against wasm: the crossover is the per-step work above which a GPU pays
 *      (backends.ts GPU_THRESHOLDS.stepFlops is set from it);
 *   3. bench/bench.ts's big workloads (3a, 3b, 4: the same specs) through the whole
 *      trainer on webgpu and on wasm, alternating rounds: medians, ratio, final losses.
 *
 * Everything goes to stdout and, as JSON, to --out. Nothing here needs the network.
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildDataset } from '../src/core/data/build';
import type { Dataset } from '../src/core/data/dataset';
import type { RunSummary, TrainerEvent } from '../src/core/protocol';
import { resolveSpec } from '../src/core/spec/defaults';
import type { BlobSpec } from '../src/core/spec/types';
import { defaultLoaders, epochFlops, GPU_THRESHOLDS, loadBackend, stepFlops, type LoadedBackend, type Tf } from '../src/core/train/backends';
import { TrainLoop } from '../src/core/train/loop';
import { buildNet, disposeNet, layerSizes, paramCount } from '../src/core/train/model';
import { train } from '../src/core/train/trainer';
import { describeAdapter, loadWebgpu, probeWebgpu, type WebgpuProbe } from '../src/core/train/webgpu';

const USAGE = `Usage: node --import tsx bench/gpu-check.ts [--allow-software] [--small] [--rounds N] [--out FILE]

  --allow-software  measure a software adapter too (Mesa llvmpipe: correctness only)
  --small           tiny sizes (a check that this script works; numbers mean nothing)
  --rounds N        timed rounds per workload and device (default 3; workload 4: 1)
  --out FILE        also write the results as JSON`;

interface Args {
  allowSoftware: boolean;
  small: boolean;
  rounds: number;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const get = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
  return { allowSoftware: argv.includes('--allow-software'), small: argv.includes('--small'), rounds: Number(get('--rounds') ?? 3), out: get('--out') };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);

// ---------------------------------------------------------------------------
// 2. Step cost by batch size

/** Rows from a fixed pseudo-random stream: four Gaussian-ish clusters, labels 0..3. */
function synthetic(n: number, seed: number): Dataset {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const X = new Float64Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    X[2 * i] = (y[i] & 1 ? 4 : -4) + (u() + u() + u() - 1.5);
    X[2 * i + 1] = (y[i] & 2 ? 4 : -4) + (u() + u() + u() - 1.5);
  }
  return { X, y, n, d: 2 };
}

interface StepPoint {
  batchRows: number;
  stepFlops: number;
  msPerStep: Record<string, number>;
  errors?: Record<string, string>;
}

/** ms per optimisation step of a [2, 64, 64, 4] ReLU net, SGD, at each batch size. */
async function stepSweep(devices: [string, Tf][], nTrain: number, batches: number[], budgetMs: number): Promise<StepPoint[]> {
  const train = synthetic(nTrain, 1);
  const test = synthetic(256, 2);
  const sizes = layerSizes(2, [64, 64], 4);
  const params = paramCount(sizes);
  const out: StepPoint[] = [];
  for (const b of batches) {
    const point: StepPoint = { batchRows: b, stepFlops: stepFlops({ params, nTrain, nTest: 0, batchRows: b }), msPerStep: {} };
    for (const [name, tf] of devices) {
      await tf.setBackend(name === 'webgpu' ? 'webgpu' : 'wasm');
      const net = buildNet(tf, sizes, 'relu', 42);
      const loop = new TrainLoop(tf, net, { train, test, nClasses: 4 }, { optimizer: 'sgd', lr: 0.05, momentum: 0, weightDecay: 0, batchSize: b >= nTrain ? 'full' : b, seed: 1 });
      try {
        const epoch = async () => (loop.interruptible ? await loop.epochAsync(() => false) : loop.epoch());
        await epoch(); // warm-up: shader compilation, XNNPACK packing, JIT
        const steps = Math.ceil(nTrain / b);
        let n = 0;
        const t0 = performance.now();
        do {
          await epoch();
          n++;
        } while (performance.now() - t0 < budgetMs && n < 20);
        point.msPerStep[name] = (performance.now() - t0) / (n * steps);
      } catch (e) {
        point.errors = { ...point.errors, [name]: (e as Error).message };
      } finally {
        loop.dispose();
        disposeNet(net);
      }
    }
    out.push(point);
    const cells = [...Object.entries(point.msPerStep).map(([d, v]) => `${d} ${v.toFixed(3)} ms`), ...Object.entries(point.errors ?? {}).map(([d, m]) => `${d} FAILED: ${m}`)].join(', ');
    console.log(`  batch ${String(b).padStart(6)} (${(point.stepFlops / 1e6).toFixed(1).padStart(7)} MFLOP/step): ${cells}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// 3. bench/bench.ts's workloads 3a, 3b, 4 (the same specs)

interface Workload {
  id: string;
  title: string;
  n_samples: number;
  epochs: number;
  batch_size: 'full' | number;
  rounds: number;
}

function workloads(small: boolean, rounds: number): Workload[] {
  const s = (n: number, tiny: number) => (small ? tiny : n);
  return [
    { id: 'scale-batch', title: '3a. 100,000 samples, [64, 64] ReLU, batch 1,024', n_samples: s(100_000, 4_000), epochs: s(3, 1), batch_size: 1024, rounds },
    { id: 'scale-full', title: '3b. 100,000 samples, [64, 64] ReLU, full batch', n_samples: s(100_000, 4_000), epochs: s(10, 2), batch_size: 'full', rounds },
    { id: 'million', title: '4. 1,000,000 samples, [64, 64] ReLU, batch 4,096', n_samples: s(1_000_000, 8_000), epochs: s(2, 1), batch_size: 4096, rounds: Math.min(rounds, 1) },
  ];
}

function specFor(w: Workload): BlobSpec {
  return resolveSpec({
    name: `gpu-check ${w.id}`,
    seed: 42,
    data: { generator: 'make_blobs', n_samples: w.n_samples, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 },
    model: { hidden_units: [64, 64], activation: 'relu' },
    training: { epochs: w.epochs, optimizer: 'sgd', lr: 0.1, batch_size: w.batch_size, log_every: 10 },
    boundary: { every: 1_000_000 },
    device: 'wasm',
  });
}

async function runOnce(spec: BlobSpec, data: ReturnType<typeof buildDataset>, backend: LoadedBackend): Promise<RunSummary> {
  await backend.tf.setBackend(backend.backend === 'webgpu' ? 'webgpu' : 'wasm');
  for await (const e of train({ spec, runId: 'gpu-check', data, backend }) as AsyncGenerator<TrainerEvent>) {
    if (e.type === 'done') return e.summary;
    if (e.type === 'error') throw new Error(`${backend.backend}: ${e.message}`);
  }
  throw new Error('no summary');
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const results: unknown[] = [];
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim(), memGiB: Math.round(totalmem() / 1024 ** 3), node: process.versions.node },
    workloads: results,
  };
  // Saved after every section: a run cut short by the time limit keeps what it measured.
  const save = () => {
    if (!args.out) return;
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');
  };
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.versions.node}`);

  // 1. Adapters and what the engine resolves to
  console.log('\n1. WebGPU (Dawn)');
  const tProbe = performance.now();
  const probe: WebgpuProbe = await probeWebgpu({ allowSoftware: args.allowSoftware });
  const probeMs = performance.now() - tProbe;
  for (const t of probe.tries) {
    const how = `${t.try.backend ?? 'default (Vulkan/Metal/D3D12)'}, ${t.try.featureLevel}`;
    console.log(`  ${how}: ${t.adapter ? describeAdapter(t.adapter) : ''}${t.error ? `${t.adapter ? ' — ' : ''}${t.error}` : t.adapter ? ' — compute shader ok' : ''}`);
  }
  console.log(`  => ${probe.ok ? 'using' : 'not using'}: ${probe.reason} (probe child: ${ms(probeMs / 1000)})`);
  report.webgpu = { ...probe, probeMs };
  const gpuReq = await loadBackend('gpu', { params: 4612, nTrain: 80_000, nTest: 20_000 }).then(
    (b) => `${b.backend}: ${b.reason}`,
    (e: Error) => e.message,
  );
  console.log(`  device "gpu" resolves to: ${gpuReq}`);
  report.gpuRequest = gpuReq;
  const wl = workloads(args.small, args.rounds);
  const autoPicks: Record<string, string> = {};
  for (const w of wl) {
    const nTrain = Math.round(w.n_samples * 0.8);
    const work = { params: 4612, nTrain, nTest: w.n_samples - nTrain, batchRows: w.batch_size === 'full' ? nTrain : w.batch_size, epochs: w.epochs };
    const b = await loadBackend('auto', work);
    autoPicks[w.id] = `${b.device} (${b.backend}): ${b.reason}`;
    console.log(`  auto for ${w.id} (${(stepFlops(work) / 1e6).toFixed(0)} MFLOP/step, ${((epochFlops(work) * w.epochs) / 1e9).toFixed(1)} GFLOP/run): ${b.device}/${b.backend}`);
  }
  report.autoPicks = autoPicks;
  report.thresholds = GPU_THRESHOLDS;
  save();

  const wasm = await defaultLoaders.loadWasm();
  const devices: [string, Tf][] = [['wasm', wasm]];
  let gpu: LoadedBackend | undefined;
  if (probe.ok && probe.use) {
    try {
      const tf = (await import('@tensorflow/tfjs')) as Tf;
      const tLoad = performance.now();
      const adapter = await loadWebgpu(tf, probe.use);
      report.webgpuLoadMs = performance.now() - tLoad;
      gpu = { tf, backend: 'webgpu', device: 'gpu', reason: describeAdapter(adapter) };
      devices.push(['webgpu', tf]);
      console.log(`  loading the webgpu backend in this process: ${ms((report.webgpuLoadMs as number) / 1000)}`);
    } catch (e) {
      console.log(`  webgpu failed to load: ${(e as Error).message}`);
      report.webgpuLoadError = (e as Error).message;
    }
  }
  if (!gpu) console.log('\n(no usable WebGPU adapter: the sections below time wasm alone)');

  // 2. Step cost
  console.log('\n2. One SGD step of [2, 64, 64, 4] ReLU, by batch size (ms per step; lower is better)');
  const nTrain = args.small ? 8_192 : 80_000;
  const batches = (args.small ? [256, 1024, 8192] : [256, 1024, 4096, 16384, 80_000]).filter((b) => b <= nTrain);
  const steps = await stepSweep(devices, nTrain, batches, args.small ? 200 : 1500);
  report.steps = steps;
  save();
  if (gpu) {
    const cross = steps.find((p) => p.msPerStep.webgpu < p.msPerStep.wasm);
    const line = cross
      ? `webgpu is faster from batch ${cross.batchRows} (${(cross.stepFlops / 1e6).toFixed(1)} MFLOP/step) up; backends.ts GPU_THRESHOLDS.stepFlops is ${(GPU_THRESHOLDS.stepFlops / 1e6).toFixed(0)} MFLOP (runFlops ${(GPU_THRESHOLDS.runFlops / 1e9).toFixed(0)} GFLOP)`
      : 'webgpu was not faster at any batch size measured';
    console.log(`  => ${line}`);
    report.crossover = cross ? { batchRows: cross.batchRows, stepFlops: cross.stepFlops } : null;
  }

  // 3. Workloads
  console.log('\n3. bench/bench.ts workloads 3a, 3b, 4 through the trainer (train_wall_s; rounds alternate)');
  for (const w of wl) {
    const spec = specFor(w);
    const data = buildDataset(spec, process.cwd());
    const backends: LoadedBackend[] = [{ tf: wasm, backend: 'wasm', device: 'wasm', reason: 'gpu-check' }];
    if (gpu) backends.push(gpu);
    const times: Record<string, number[]> = {};
    const last: Record<string, RunSummary> = {};
    // Warm-up: one 1-epoch run each, not in the medians; its time shows the first-use cost
    // (shader compilation on webgpu, JIT and XNNPACK packing on wasm) for the first workload.
    const firstRun: Record<string, number> = {};
    const errors: Record<string, string> = {};
    const ok = (b: LoadedBackend) => !(b.backend in errors);
    const attempt = async (b: LoadedBackend, f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        errors[b.backend] = (e as Error).message;
        console.log(`  ${w.id} on ${b.backend} FAILED: ${(e as Error).message}`);
      }
    };
    for (const b of backends) await attempt(b, async () => void (firstRun[b.backend] = (await runOnce({ ...spec, training: { ...spec.training, epochs: 1 } }, data, b)).train_wall_s));
    for (let r = 0; r < w.rounds; r++) {
      for (const b of backends.filter(ok)) {
        await attempt(b, async () => {
          const s = await runOnce(spec, data, b);
          (times[b.backend] ??= []).push(s.train_wall_s);
          last[b.backend] = s;
        });
      }
    }
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const cells = Object.entries(med).map(([k, v]) => `${k} ${ms(v)} (test acc ${(last[k].test_acc * 100).toFixed(2)}%, final train loss ${last[k].train_loss.toFixed(5)})`);
    const ratio = med.webgpu !== undefined ? ` → webgpu/wasm ${(med.webgpu / med.wasm).toFixed(2)}` : '';
    console.log(`  ${w.title}: ${cells.join('; ')}${ratio}`);
    console.log(`    warm-up run (1 epoch): ${Object.entries(firstRun).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
    results.push({ id: w.id, title: w.title, rounds: w.rounds, times, median: med, firstRun, summaries: last, errors });
    save();
  }
  report.seconds = (performance.now() - t0) / 1000;
  save();
  console.log(`\ndone in ${ms((performance.now() - t0) / 1000)}`);
  if (args.out) console.log(`wrote ${args.out}`);
  // Dawn's instance keeps the event loop alive; the report is written.
  process.exit(0);
}

main().catch((e) => {
  console.error(`gpu-check failed: ${(e as Error)?.stack ?? e}`);
  process.exit(1);
});
