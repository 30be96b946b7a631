/**
 * `npm run bench`: Blob Classifier's engine against the notebook's own stack (PyTorch +
 * scikit-learn), side by side in one run.
 *
 * Each workload runs the same data (our make_blobs is bit-identical to scikit-learn's),
 * the same model, the same number of epochs and the same metrics every epoch (train loss
 * and accuracy, test loss and accuracy) on both sides. Rounds ALTERNATE between the two
 * (torch, ours, torch, ours, ...) so machine noise hits both alike; we report medians,
 * min/max and the ratio of medians ours/PyTorch (< 1 means we are faster).
 *
 *   npx tsx bench/bench.ts [--smoke] [--rounds N] [--only notebook,frames,scale-batch,scale-full,million]
 *                          [--device wasm|js|cpu|gpu|auto] [--no-torch] [--out FILE]
 *
 * `--smoke` (part of `npm test`) runs tiny sizes once, to keep this script from rotting;
 * its numbers mean nothing. Without `/usr/bin/python3` + torch, the torch column is
 * skipped (scripts/bench.mjs installs Debian's python3-torch/python3-sklearn when it can).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { buildDataset } from '../src/core/data/build';
import type { SplitDataset } from '../src/core/data/dataset';
import type { RunSummary, TrainerEvent } from '../src/core/protocol';
import { resolveSpec } from '../src/core/spec/defaults';
import type { BlobSpec, DeviceRequest } from '../src/core/spec/types';
import { defaultLoaders, loadBackend, type LoadedBackend } from '../src/core/train/backends';
import { dataBounds, FrameMaker } from '../src/core/train/frames';
import { kernels } from '../src/core/train/kernels';
import { buildNet, disposeNet, layerSizes, paramCount } from '../src/core/train/model';
import { train } from '../src/core/train/trainer';

const root = join(__dirname, '..');
const SETTLE_MS = 100;

// ---------------------------------------------------------------------------
// Workloads

interface Workload {
  id: string;
  title: string;
  n_samples: number;
  hidden: number[];
  activation: 'none' | 'relu';
  epochs: number;
  batch_size: 'full' | number;
  /** Boundary frames: 'auto' = the UI's default cadence; undefined = only the two the trainer always sends. */
  frames?: 'auto';
  rounds: number;
  /**
   * Compare against PyTorch. The frames workload instead alternates with ITSELF WITHOUT
   * frames (frames round, no-frames round, ...), so its ratio comes from one alternating run.
   */
  torch: boolean;
}

function workloads(smoke: boolean, roundsOverride?: number): Workload[] {
  const r = (n: number) => roundsOverride ?? (smoke ? 1 : n);
  const s = (n: number, small: number) => (smoke ? small : n);
  return [
    { id: 'notebook', title: '1. notebook: 1,000 samples, [8, 8], full batch, 100 epochs', n_samples: 1000, hidden: [8, 8], activation: 'none', epochs: s(100, 5), batch_size: 'full', rounds: r(7), torch: true },
    { id: 'frames', title: '2. notebook + boundary frames at the UI cadence', n_samples: 1000, hidden: [8, 8], activation: 'none', epochs: s(100, 5), batch_size: 'full', frames: 'auto', rounds: r(7), torch: false },
    { id: 'scale-batch', title: '3a. 100,000 samples, [64, 64] ReLU, batch 1,024', n_samples: s(100_000, 2_000), hidden: [64, 64], activation: 'relu', epochs: s(3, 1), batch_size: 1024, rounds: r(3), torch: true },
    { id: 'scale-full', title: '3b. 100,000 samples, [64, 64] ReLU, full batch', n_samples: s(100_000, 2_000), hidden: [64, 64], activation: 'relu', epochs: s(10, 2), batch_size: 'full', rounds: r(3), torch: true },
    { id: 'million', title: '4. 1,000,000 samples, [64, 64] ReLU, batch 4,096', n_samples: s(1_000_000, 5_000), hidden: [64, 64], activation: 'relu', epochs: s(2, 1), batch_size: 4096, rounds: r(1), torch: true },
  ];
}

function specFor(w: Workload, device: DeviceRequest): BlobSpec {
  return resolveSpec({
    name: `bench ${w.id}`,
    seed: 42,
    data: { generator: 'make_blobs', n_samples: w.n_samples, n_features: 2, centers: 4, cluster_std: 1.5, test_size: 0.2 },
    model: { hidden_units: w.hidden, activation: w.activation },
    training: { epochs: w.epochs, optimizer: 'sgd', lr: 0.1, batch_size: w.batch_size, log_every: 10 },
    // Without frames the trainer still sends the untrained and the final one (cheap).
    boundary: { every: w.frames ?? 1_000_000 },
    device,
  });
}

// ---------------------------------------------------------------------------
// Our side

interface Sample {
  train_s: number;
  test_acc: number;
  samples_per_s: number;
  frames?: number;
  peak_rss_mb?: number;
}

async function runOurs(spec: BlobSpec, data: SplitDataset, backend: LoadedBackend): Promise<Sample> {
  let summary: RunSummary | undefined;
  let frames = 0;
  for await (const e of train({ spec, runId: 'bench', data, backend }) as AsyncGenerator<TrainerEvent>) {
    if (e.type === 'frame') frames++;
    else if (e.type === 'done') summary = e.summary;
    else if (e.type === 'error') throw new Error(`ours: ${e.message}`);
  }
  if (!summary) throw new Error('ours: no summary');
  return {
    train_s: summary.train_wall_s,
    test_acc: summary.test_acc,
    samples_per_s: (spec.training.epochs * data.train.n) / summary.train_wall_s,
    frames,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------------------
// PyTorch side: bench/torch_reference.py as a long-lived worker

class TorchWorker {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    readonly info: { torch: string; threads: number },
  ) {}

  static async start(): Promise<TorchWorker | string> {
    const py = '/usr/bin/python3';
    if (!existsSync(py)) return `${py} not found`;
    const proc = spawn(py, [join(root, 'bench/torch_reference.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: proc.stdout });
    const first = await new Promise<string | undefined>((res) => {
      lines.once('line', res);
      proc.once('exit', () => res(undefined));
    });
    if (!first) return `torch worker did not start: ${stderr.trim().split('\n').pop() ?? 'no output'}`;
    return new TorchWorker(proc, lines, JSON.parse(first));
  }

  run(w: Workload): Promise<Sample> {
    const req = {
      workload: w.id, n_samples: w.n_samples, centers: 4, n_features: 2, cluster_std: 1.5, seed: 42,
      test_size: 0.2, hidden: w.hidden, activation: w.activation, lr: 0.1, epochs: w.epochs, batch_size: w.batch_size,
    };
    return new Promise((res, rej) => {
      this.lines.once('line', (line) => {
        const r = JSON.parse(line);
        if (r.error) rej(new Error(`torch: ${r.error}`));
        else res(r);
      });
      this.proc.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

// ---------------------------------------------------------------------------
// Statistics and reporting

interface Stats { median: number; min: number; max: number; n: number }
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: m, min: s[0], max: s[s.length - 1], n: s.length };
}

interface WorkloadResult {
  id: string;
  title: string;
  ours: Stats;
  oursSamplesPerS: number;
  oursTestAcc: number;
  oursFrames?: number;
  torch?: Stats;
  torchSamplesPerS?: number;
  torchTestAcc?: number;
  /** ours/PyTorch (or frames/no-frames for workload 2) on medians. */
  ratio?: number;
  ratioOf?: string;
  /** Median of the per-round ratios (the two runs of a round ran back to back). */
  pairedRatio?: number;
  /** Short workloads: the first warm-up run (cold JIT only for the first workload of the process), seconds. */
  coldFirstRunS?: { ours?: number; torch?: number };
  /** Workload 2 only: the same runs without frames, alternating with it. */
  withoutFrames?: Stats;
  peakRssMb?: { ours?: number; torch?: number };
}

const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const fmtStats = (st: Stats) => `${ms(st.median)} (${ms(st.min)}–${ms(st.max)}, n=${st.n})`;

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    smoke: argv.includes('--smoke'),
    noTorch: argv.includes('--no-torch'),
    rounds: get('--rounds') ? Number(get('--rounds')) : undefined,
    only: get('--only')?.split(','),
    device: (get('--device') ?? 'wasm') as DeviceRequest,
    out: get('--out'),
  };
}

async function frameTimes(backend: LoadedBackend, data: SplitDataset): Promise<Record<string, number>> {
  const { tf } = backend;
  const k = kernels(tf);
  const net = buildNet(tf, layerSizes(2, [8, 8], data.nClasses), 'none', 42);
  const out: Record<string, number> = {};
  for (const res of [101, 201]) {
    const fm = new FrameMaker(tf, k, dataBounds(data.all, 0.1), res, {
      train: data.train, test: data.test,
      trainIdx: Array.from({ length: data.train.n }, (_, i) => i),
      testIdx: Array.from({ length: data.test.n }, (_, i) => i),
      featureNames: data.featureNames,
    });
    await fm.frame(net, 0); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      await fm.frame(net, i);
      times.push(performance.now() - t);
    }
    fm.dispose();
    out[`${res}x${res}`] = stats(times).median;
  }
  disposeNet(net);
  return out;
}

async function availableBackends(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const d of ['gpu', 'cpu'] as const) {
    const p = await defaultLoaders.probeNative(d);
    out[d === 'gpu' ? 'gpu (tfjs-node-gpu)' : 'cpu (tfjs-node)'] = p.ok ? 'available' : `unavailable: ${p.reason}`;
  }
  out['wasm'] = 'available';
  out['js'] = 'available';
  return out;
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const list = workloads(args.smoke, args.rounds).filter((w) => !args.only || args.only.includes(w.id));
  const torch = args.noTorch ? 'skipped (--no-torch)' : await TorchWorker.start();
  const torchOk = typeof torch !== 'string';
  console.log(`Blob Classifier benchmark${args.smoke ? ' (smoke run: tiny sizes, numbers mean nothing)' : ''}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.versions.node}`);
  console.log(`PyTorch: ${torchOk ? `${torch.info.torch}, ${torch.info.threads} thread(s)` : torch}`);

  const results: WorkloadResult[] = [];
  let frameMs: Record<string, number> = {};
  for (const w of list) {
    const spec = specFor(w, args.device);
    const d0 = performance.now();
    const data = buildDataset(spec, root);
    const dataMs = performance.now() - d0; // make_blobs + train_test_split (a unit test checks the 1M result, not its time)
    const params = paramCount(layerSizes(2, w.hidden, data.nClasses));
    const backend = await loadBackend(spec.device, { params, nTrain: data.train.n, nTest: data.test.n });
    process.stdout.write(`\n${w.title}\n  data: ${data.all.n} samples made and split in ${dataMs.toFixed(0)} ms\n`);
    process.stdout.write(`  ours on ${backend.device}, torch: ${w.torch && torchOk ? 'yes' : 'no'}; rounds: ${w.rounds}\n  `);
    // Warm-up on both sides. Short workloads get whole runs: V8 optimises the hot paths
    // only after many calls, and 3 epochs of the notebook (~1 ms) leave the first timed
    // rounds half-interpreted (the cold first run is reported separately, not hidden).
    const warm = w.epochs * w.n_samples <= 1_000_000 ? 3 : 1;
    const cold: { ours?: number; torch?: number } = {};
    for (let i = 0; i < warm; i++) {
      const epochs = warm > 1 ? w.epochs : Math.min(w.epochs, 3);
      const o = await runOurs({ ...spec, training: { ...spec.training, epochs } }, data, backend);
      const t = w.torch && torchOk ? await torch.run({ ...w, epochs }) : undefined;
      if (i === 0 && warm > 1) Object.assign(cold, { ours: o.train_s, torch: t?.train_s });
    }
    const ours: Sample[] = [];
    const theirs: Sample[] = [];
    const withoutFrames: Sample[] = [];
    const plainSpec = specFor({ ...w, frames: undefined }, args.device);
    // A short idle pause before every timed run, on both sides alike: the previous run's
    // background work (V8's concurrent GC/compiler threads, the other process's wind-down)
    // otherwise lands in the next run on this 2-core machine.
    const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
    for (let r = 0; r < w.rounds; r++) {
      if (w.torch && torchOk) {
        await settle();
        theirs.push(await torch.run(w));
      }
      if (w.frames) {
        await settle();
        withoutFrames.push(await runOurs(plainSpec, data, backend));
      }
      await settle();
      ours.push(await runOurs(spec, data, backend));
      process.stdout.write('.');
    }
    const o = stats(ours.map((s) => s.train_s));
    // Per-round ratios (each pair ran back to back): less sensitive to load drifting
    // over the run than the ratio of medians, reported next to it.
    const paired = (other: Sample[]) => stats(ours.map((s, i) => s.train_s / other[i].train_s)).median;
    const res: WorkloadResult = {
      id: w.id, title: w.title, ours: o,
      oursSamplesPerS: stats(ours.map((s) => s.samples_per_s)).median,
      oursTestAcc: ours[ours.length - 1].test_acc,
      oursFrames: ours[ours.length - 1].frames,
      peakRssMb: { ours: ours[ours.length - 1].peak_rss_mb },
    };
    if (cold.ours !== undefined) res.coldFirstRunS = cold;
    if (theirs.length) {
      const t = stats(theirs.map((s) => s.train_s));
      Object.assign(res, {
        torch: t,
        torchSamplesPerS: stats(theirs.map((s) => s.samples_per_s)).median,
        torchTestAcc: theirs[theirs.length - 1].test_acc,
        ratio: o.median / t.median,
        ratioOf: 'ours/PyTorch',
        pairedRatio: paired(theirs),
      });
      res.peakRssMb!.torch = theirs[theirs.length - 1].peak_rss_mb;
    }
    if (withoutFrames.length) {
      res.withoutFrames = stats(withoutFrames.map((s) => s.train_s));
      res.ratio = o.median / res.withoutFrames.median;
      res.ratioOf = 'with frames/without';
      res.pairedRatio = paired(withoutFrames);
    }
    if ((w.id === 'notebook' || w.id === 'frames') && !Object.keys(frameMs).length) frameMs = await frameTimes(backend, data);
    results.push(res);
    console.log(`\n  ours  ${fmtStats(o)}  test acc ${(res.oursTestAcc * 100).toFixed(2)}%${res.oursFrames !== undefined ? `  frames ${res.oursFrames}` : ''}`);
    if (res.torch) console.log(`  torch ${fmtStats(res.torch)}  test acc ${((res.torchTestAcc ?? 0) * 100).toFixed(2)}%`);
    if (res.withoutFrames) console.log(`  same without frames ${fmtStats(res.withoutFrames)}`);
    if (res.coldFirstRunS) console.log(`  first run of the workload (warm-up, not in the stats; cold only for the first workload): ours ${ms(res.coldFirstRunS.ours ?? 0)}${res.coldFirstRunS.torch !== undefined ? `, torch ${ms(res.coldFirstRunS.torch)}` : ''}`);
    if (res.ratio !== undefined) console.log(`  ratio ${res.ratioOf}: ${res.ratio.toFixed(2)} (median of per-round ratios ${res.pairedRatio?.toFixed(2)})`);
  }
  if (torchOk) torch.close();

  const vsix = join(root, 'dist/blob-classifier.vsix');
  const integration = readIfExists(join(root, 'test-results/integration.json'));
  const extra = {
    backends: await availableBackends(),
    boundaryFrameMs: frameMs,
    vsixBytes: existsSync(vsix) ? statSync(vsix).size : undefined,
    activationMs: integration ? JSON.parse(integration).activationMs : undefined,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  printTable(results, extra);
  const report = {
    date: new Date().toISOString(),
    smoke: args.smoke,
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim(), memGiB: Math.round(totalmem() / 1024 ** 3), node: process.versions.node },
    torch: torchOk ? torch.info : torch,
    device: args.device,
    results,
    ...extra,
  };
  // Only a full run (every workload, both sides) becomes the day's record; partial runs
  // (--only, --no-torch, --smoke) are written only where --out says.
  const full = !args.smoke && !args.only && torchOk;
  const out = args.out ?? (full ? join(root, 'bench/results', `${new Date().toISOString().slice(0, 10)}.json`) : undefined);
  if (!out) console.log('\n(partial run: not saved; pass --out FILE to keep it)');
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${out}`);
  }
}

function printTable(results: WorkloadResult[], extra: { backends: Record<string, string>; boundaryFrameMs: Record<string, number>; vsixBytes?: number; activationMs?: number; peakRssMb: number }): void {
  console.log('\n| workload | ours (median, min–max) | PyTorch or baseline (median, min–max) | ratio of medians | per-round ratio | samples/s ours / torch | test acc ours / torch | frames | peak RSS MiB ours / torch |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const sps = `${Math.round(r.oursSamplesPerS).toLocaleString('en')}${r.torchSamplesPerS ? ` / ${Math.round(r.torchSamplesPerS).toLocaleString('en')}` : ''}`;
    const other = r.torch ?? r.withoutFrames;
    const acc = `${(r.oursTestAcc * 100).toFixed(2)}%${r.torchTestAcc !== undefined ? ` / ${(r.torchTestAcc * 100).toFixed(2)}%` : ''}`;
    const rss = `${r.peakRssMb?.ours?.toFixed(0) ?? '—'}${r.peakRssMb?.torch !== undefined ? ` / ${r.peakRssMb.torch.toFixed(0)}` : ''}`;
    console.log(
      `| ${r.title} | ${fmtStats(r.ours)} | ${other ? `${fmtStats(other)}${r.withoutFrames ? ' (ours, no frames)' : ''}` : '—'} | ` +
        `${r.ratio !== undefined ? `${r.ratio.toFixed(2)} (${r.ratioOf})` : '—'} | ${r.pairedRatio?.toFixed(2) ?? '—'} | ${sps} | ${acc} | ${r.oursFrames ?? '—'} | ${rss} |`,
    );
  }
  console.log('(peak RSS is each process\'s high-water mark so far: both processes live through all workloads)');
  console.log('\nbackends:', Object.entries(extra.backends).map(([k, v]) => `${k}: ${v}`).join('; '));
  console.log('boundary frame (compute + encode):', Object.entries(extra.boundaryFrameMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ') || '—');
  console.log(`extension activation: ${extra.activationMs !== undefined ? `${extra.activationMs.toFixed(0)} ms (from test-results/integration.json)` : 'not measured (run the integration tests first)'}`);
  console.log(`.vsix size: ${extra.vsixBytes !== undefined ? `${(extra.vsixBytes / 1024 / 1024).toFixed(2)} MiB` : 'not built (npm run package)'}`);
  console.log(`peak RSS (this process): ${extra.peakRssMb.toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
