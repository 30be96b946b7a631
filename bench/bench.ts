/**
 * `npm run bench`: Blob Classifier against the notebook's own stack (PyTorch +
 * scikit-learn), measured the way users meet it, side by side in ONE run:
 *
 *   1. warm training loops: long-lived engine processes, one per side and setting —
 *      PyTorch with its default threads, with one thread (when the default is not one)
 *      and with all cores (when that differs); our engine on each device that is
 *      available (wasm with 1, 2 and all cores' worker threads, js, native CPU through
 *      tfjs-node, WebGPU on a hardware adapter) — warmed up, then rounds ALTERNATING
 *      between them (the order rotating each round), so machine noise hits all alike.
 *      Figure: the loop's own time (ours: the run summary's train_wall_s; PyTorch: the
 *      same loop, timed around it), medians and min–max;
 *   2. cold, whole process: `blobs train` (dist/cli.js, the shipped bundle) against
 *      `python3 bench/torch_reference.py --once` (the notebook as a script), each in a
 *      fresh process, alternating: process wall time from spawn to exit, the loop time
 *      each reports, and peak RSS. Both sides: start the runtime, import the libraries,
 *      make_blobs + train_test_split, build the model, train with the per-epoch test
 *      pass, print the log every 10 epochs; `blobs train` also prints its evaluation
 *      (classification report, confusion matrix). Neither side saves anything, except
 *      the notebook's extra "blobs train, saving the run" row (run folder + figure.png);
 *   3. frames: what recording the decision boundary costs the trainer (the examples'
 *      notebook and circles-relu specs with their default frames vs none, alternating),
 *      and what the weights on every frame (the network view) add;
 *   4. WebGPU: on a software adapter (Mesa), the same losses as wasm (correctness only);
 *   5. the real VS Code (bench/vscode.mjs: code-server + Chromium): click → first frame
 *      and click → done in the extension host, first run and warm "Train again".
 *
 *   npm run bench -- [--smoke] [--rounds N] [--only notebook,3a,3b,4] [--no-torch]
 *                    [--no-native] [--native-from WHEEL|DIR] [--js-all] [--no-vscode]
 *                    [--vscode-windows 3] [--vscode-reps 5] [--wait-idle LOAD]
 *                    [--out FILE] [--markdown RESULTS.json]
 *
 * `--smoke` (part of `npm test`) runs tiny sizes once on wasm to keep this script from
 * rotting; its numbers mean nothing. `--wait-idle 0.7` first waits (up to 20 minutes) for
 * the 1-minute load average to drop below 0.7. `--markdown FILE` prints the README tables
 * of a saved results file and exits. A full run writes bench/results/<date>.json.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { specOf, trainRequest, workloads, type TrainRequest, type Workload, type WorkloadId } from './workloads';

const root = join(__dirname, '..');
const PY = '/usr/bin/python3';
const SETTLE_MS = 100;
const NATIVE_ROOT = join(root, '.tools', 'native');
const CLI = join(root, 'dist', 'cli.js');

// ---------------------------------------------------------------------------
// Arguments

interface Args {
  smoke: boolean;
  noTorch: boolean;
  noNative: boolean;
  nativeFrom?: string;
  jsAll: boolean;
  noVscode: boolean;
  vscodeWindows: number;
  vscodeReps: number;
  waitIdle?: number;
  rounds?: number;
  only?: WorkloadId[];
  out?: string;
  markdown?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const num = (name: string) => (get(name) !== undefined ? Number(get(name)) : undefined);
  return {
    smoke: argv.includes('--smoke'),
    noTorch: argv.includes('--no-torch'),
    noNative: argv.includes('--no-native'),
    nativeFrom: get('--native-from'),
    jsAll: argv.includes('--js-all'),
    noVscode: argv.includes('--no-vscode'),
    vscodeWindows: num('--vscode-windows') ?? 3,
    vscodeReps: num('--vscode-reps') ?? 5,
    waitIdle: num('--wait-idle'),
    rounds: num('--rounds'),
    only: get('--only')?.split(',') as WorkloadId[] | undefined,
    out: get('--out'),
    markdown: get('--markdown'),
  };
}

// ---------------------------------------------------------------------------
// Statistics and formatting

export interface Stats { median: number; min: number; max: number; n: number }
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: m, min: s[0], max: s[s.length - 1], n: s.length };
}
const median = (xs: number[]) => stats(xs).median;
const sec = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`);
const msf = (ms: number) => sec(ms / 1000);
const range = (st: Stats, f = sec) => `${f(st.median)} (${f(st.min)}–${f(st.max)})`;
const r2 = (x: number) => x.toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

// ---------------------------------------------------------------------------
// Long-lived engine processes (one JSON request per line, one JSON reply per line)

class LineProc {
  private waiting: ((line: string | undefined) => void)[] = [];
  private exited = false;
  stderr = '';
  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return; // a library's chatter
      this.waiting.shift()?.(line);
    });
    proc.once('exit', () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w(undefined);
    });
  }

  /** Starts the process and reads its first line (what it is, or why it is not). */
  static async start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ p?: LineProc; info: Record<string, unknown> }> {
    const p = new LineProc(spawn(cmd, args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] }));
    const first = await p.next();
    if (!first) return { info: { ready: false, error: `exited at start: ${p.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}` } };
    const info = JSON.parse(first);
    if (info.ready === false) {
      p.close();
      return { info };
    }
    return { p, info };
  }

  private next(): Promise<string | undefined> {
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((r) => this.waiting.push(r));
  }

  async request<T = Record<string, any>>(req: object): Promise<T> {
    const reply = this.next();
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const line = await reply;
    if (!line) throw new Error(`the engine process exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const r = JSON.parse(line);
    if (r.error) throw new Error(r.error);
    return r as T;
  }

  close(): void {
    if (!this.exited) this.proc.stdin.end();
  }
}

// ---------------------------------------------------------------------------
// What runs where

interface Sample {
  train_s: number;
  test_acc: number;
  train_loss: number;
  test_loss: number;
  samples_per_s: number;
  data_s?: number;
  peak_rss_mb?: number;
  workers?: { count: number; reason: string };
}

interface Variant {
  key: string;
  label: string;
  side: 'pytorch' | 'ours';
  device: string;
  threads: number;
  run(req: TrainRequest): Promise<Sample>;
  /** Which workloads it runs. */
  runs(w: Workload): boolean;
  skipNote?: string;
}

interface WarmResult {
  id: WorkloadId;
  title: string;
  variants: { key: string; label: string; side: string; device: string; threads: number; loop: Stats; test_acc: number; train_loss: number; samples_per_s: number; workers?: string; ratio_vs_pytorch_default?: number }[];
  skipped: { key: string; why: string }[];
  /** make_blobs + train_test_split, once per process: ours (wasm engine), scikit-learn (PyTorch's). */
  data_s: { ours?: number; pytorch?: number };
}

interface ColdVariant {
  key: string;
  label: string;
  side: 'pytorch' | 'ours';
  /** What the process does, in words. */
  includes: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface ColdSample { wall_s: number; loop_s: number; peak_rss_mb?: number; device?: string; workers?: string; test_acc?: number }
interface ColdResult {
  id: WorkloadId;
  title: string;
  variants: { key: string; label: string; side: string; includes: string; wall: Stats; loop: Stats; peak_rss_mb?: number; device?: string; workers?: string; test_acc?: number; first_loop_s: number }[];
}

// ---------------------------------------------------------------------------
// Setup steps

function waitIdle(threshold: number): Promise<void> {
  return (async () => {
    const deadline = Date.now() + 20 * 60_000;
    while (loadavg()[0] >= threshold && Date.now() < deadline) {
      console.log(`  waiting for a quiet machine: load average ${load().join(' ')} (want < ${threshold})`);
      await sleep(30_000);
    }
    console.log(`load average ${load().join(' ')}${loadavg()[0] >= threshold ? ' (still above the threshold after 20 minutes: going on)' : ''}`);
  })();
}

/** The shipped bundles: a full run measures what a user installs (production build + vsix). */
function prepareBundles(smoke: boolean): { vsix?: string; note: string } {
  if (smoke) {
    if (!existsSync(CLI)) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    return { note: 'smoke: the existing dist/ build' };
  }
  console.log('packaging (production build + vsix: what users install; `blobs train` runs its dist/cli.js)');
  const r = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: root, encoding: 'utf8' });
  const vsix = join(root, 'dist', 'blob-classifier.vsix');
  if (r.status !== 0 || !existsSync(vsix)) throw new Error(`packaging failed:\n${r.stdout}\n${r.stderr}`);
  return { vsix, note: 'production build (scripts/package.mjs)' };
}

/** tfjs-node staged from a TensorFlow wheel into .tools/native (git-ignored), as `blobs doctor --native-from --root` does it. */
function stageNative(args: Args): { ok: boolean; note: string; nodePath?: string } {
  if (args.noNative) return { ok: false, note: 'skipped (--no-native)' };
  if (args.smoke) return { ok: false, note: 'skipped in the smoke run' };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, note: `skipped: tfjs-node from a wheel is Linux x64 only (this is ${process.platform} ${process.arch})` };
  const nodePath = join(NATIVE_ROOT, 'node_modules');
  const binding = join(nodePath, '@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node');
  if (existsSync(binding) && !args.nativeFrom) return { ok: true, nodePath, note: `staged earlier in ${NATIVE_ROOT.slice(root.length + 1)} (delete it to restage)` };
  let wheel = args.nativeFrom ?? process.env.BLOBS_TF_WHEEL;
  const cache = join(root, '.tools', 'wheels');
  if (!wheel && existsSync(cache)) {
    const w = readdirSync(cache).find((f) => /^tensorflow(_cpu)?-.*\.whl$/.test(f));
    if (w) wheel = join(cache, w);
  }
  if (!wheel) return { ok: false, note: 'skipped: no TensorFlow wheel (give --native-from WHEEL, set BLOBS_TF_WHEEL, or put tensorflow_cpu-*.whl in .tools/wheels/)' };
  mkdirSync(NATIVE_ROOT, { recursive: true });
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.['node_modules/@tensorflow/tfjs-node']?.version ?? '4.22.0';
  writeFileSync(join(NATIVE_ROOT, 'package.json'), JSON.stringify({ name: 'blobs-bench-native', private: true, dependencies: { '@tensorflow/tfjs-node': version } }));
  console.log(`staging the native backend: blobs doctor --native-from ${wheel} --root ${NATIVE_ROOT.slice(root.length + 1)}`);
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--native-from', wheel, '--root', NATIVE_ROOT], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, note: `skipped: blobs doctor --native-from failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  return { ok: true, nodePath, note: `staged from ${wheel} (${r.stdout.trim().split('\n').find((l) => /worst relative difference/.test(l))?.trim() ?? 'checked against wasm'})` };
}

// ---------------------------------------------------------------------------
// Engines

interface Engines {
  torch: { info?: Record<string, unknown>; note: string; procs: { key: string; label: string; threads: number; p: LineProc }[] };
  ours: Record<string, { p?: LineProc; info: Record<string, unknown> }>;
  close(): void;
}

async function startEngines(args: Args, native: { ok: boolean; nodePath?: string }): Promise<Engines> {
  const torch: Engines['torch'] = { note: '', procs: [] };
  const cores = availableParallelism();
  if (args.noTorch) torch.note = 'skipped (--no-torch)';
  else if (!existsSync(PY)) torch.note = `skipped: ${PY} not found`;
  else {
    const script = join(root, 'bench/torch_reference.py');
    const def = await LineProc.start(PY, [script]);
    if (!def.p) torch.note = `skipped: ${def.info.error}`;
    else {
      torch.info = def.info;
      const d = def.info.threads as number;
      torch.procs.push({ key: 'pytorch-default', label: `PyTorch, default threads (${d})`, threads: d, p: def.p });
      for (const t of [...new Set([1, cores])]) {
        if (t === d) continue;
        const x = await LineProc.start(PY, [script, '--threads', String(t)]);
        if (x.p) torch.procs.push({ key: `pytorch-${t}`, label: `PyTorch, ${t} thread${t > 1 ? 's' : ''}${t === cores ? ' (all cores)' : ''}`, threads: t, p: x.p });
      }
      torch.note = `PyTorch ${def.info.torch}: default ${d} thread${d > 1 ? 's' : ''} here (torch.get_num_threads(); ${cores} cores)`;
    }
  }
  const engine = (device: string, env: NodeJS.ProcessEnv = process.env) => LineProc.start(process.execPath, ['--import', 'tsx', join(root, 'bench/engine.ts'), '--device', device], env);
  const ours: Engines['ours'] = {};
  ours.wasm = await engine('wasm');
  if (!args.smoke) {
    ours.js = await engine('js');
    ours.native = native.ok ? await engine('cpu', { ...process.env, NODE_PATH: native.nodePath }) : { info: { ready: false, error: 'not staged' } };
    ours.webgpu = await engine('gpu', { ...process.env, BLOBS_WEBGPU_SOFTWARE: '1' });
  }
  return {
    torch,
    ours,
    close() {
      torch.procs.forEach((t) => t.p.close());
      Object.values(ours).forEach((o) => o.p?.close());
    },
  };
}

function variantsOf(e: Engines, args: Args): Variant[] {
  const cores = availableParallelism();
  const big = (w: Workload) => w.id !== 'notebook';
  const v: Variant[] = [];
  for (const t of e.torch.procs) {
    v.push({ key: t.key, label: t.label, side: 'pytorch', device: 'cpu', threads: t.threads, run: (req) => t.p.request(req), runs: () => true });
  }
  const wasm = e.ours.wasm.p;
  if (wasm) {
    v.push({ key: 'wasm-1', label: 'ours, wasm, 1 thread', side: 'ours', device: 'wasm', threads: 1, run: (req) => wasm.request({ kind: 'train', ...req, workers: 1 }), runs: () => true });
    // (Not in the smoke run: starting worker threads from TypeScript sources takes seconds.)
    for (const n of args.smoke ? [] : [...new Set([2, cores])].filter((n) => n > 1)) {
      v.push({ key: `wasm-${n}`, label: `ours, wasm, ${n} worker threads${n === cores ? ' (all cores)' : ''}`, side: 'ours', device: 'wasm', threads: n, run: (req) => wasm.request({ kind: 'train', ...req, workers: n }), runs: big });
    }
  }
  const js = e.ours.js?.p;
  if (js) v.push({ key: 'js-1', label: 'ours, js, 1 thread', side: 'ours', device: 'js', threads: 1, run: (req) => js.request({ kind: 'train', ...req, workers: 1 }), runs: (w) => args.jsAll || !big(w), skipNote: 'js runs the notebook only: the last-resort fallback is tens of times slower than wasm on [64, 64] steps (--js-all runs it everywhere)' });
  const native = e.ours.native?.p;
  if (native) v.push({ key: 'native', label: 'ours, native CPU (tfjs-node)', side: 'ours', device: 'cpu', threads: 1, run: (req) => native.request({ kind: 'train', ...req }), runs: () => true });
  const gpu = e.ours.webgpu;
  if (gpu?.p && !/software/i.test(String(gpu.info.reason))) {
    const p = gpu.p;
    v.push({ key: 'webgpu', label: 'ours, WebGPU', side: 'ours', device: 'gpu', threads: 1, run: (req) => p.request({ kind: 'train', ...req }), runs: () => true });
  }
  return v;
}

// ---------------------------------------------------------------------------
// 1. Warm loops

async function warmSection(w: Workload, variants: Variant[]): Promise<WarmResult> {
  const req = trainRequest(w);
  const mine = variants.filter((v) => v.runs(w));
  const skipped = variants.filter((v) => !v.runs(w)).map((v) => ({ key: v.key, why: v.skipNote ?? 'not run on this workload' }));
  process.stdout.write(`\n${w.title}\n  warm-up`);
  // Warm-up on every side: short workloads get whole runs (V8 optimises the hot paths only
  // after many calls: the notebook on wasm needs ~8 runs to settle), big ones one epoch
  // (the first worker pool of a process, XNNPACK's packing, PyTorch's allocator).
  const short = w.epochs * w.n_samples <= 1_000_000;
  const warmups = short ? 10 : 1;
  const data_s: Record<string, number> = {}; // each process makes the data on its first request
  for (const v of mine) {
    for (let i = 0; i < warmups; i++) {
      const s = await v.run(short ? req : { ...req, epochs: 1 });
      if (i === 0 && typeof s.data_s === 'number' && (v.key === 'wasm-1' || v.key === 'pytorch-default')) data_s[v.side] = s.data_s;
    }
    process.stdout.write('.');
  }
  const samples = new Map<string, Sample[]>(mine.map((v) => [v.key, []]));
  process.stdout.write('\n  rounds ');
  for (let r = 0; r < w.rounds; r++) {
    for (let i = 0; i < mine.length; i++) {
      const v = mine[(i + r) % mine.length]; // the order rotates: no side always runs first
      await sleep(SETTLE_MS);
      samples.get(v.key)!.push(await v.run(req));
    }
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  console.log(`  data (make_blobs + train_test_split): ${data_s.ours === undefined && data_s.pytorch === undefined ? 'made for the previous workload (the same samples)' : `ours ${data_s.ours !== undefined ? sec(data_s.ours) : '—'}, scikit-learn ${data_s.pytorch !== undefined ? sec(data_s.pytorch) : '—'}`}`);
  const torchDefault = samples.get('pytorch-default');
  const base = torchDefault?.length ? median(torchDefault.map((s) => s.train_s)) : undefined;
  const out: WarmResult = { id: w.id, title: w.title, variants: [], skipped, data_s };
  for (const v of mine) {
    const s = samples.get(v.key)!;
    const loop = stats(s.map((x) => x.train_s));
    const last = s[s.length - 1];
    out.variants.push({
      key: v.key, label: v.label, side: v.side, device: v.device, threads: v.threads, loop,
      test_acc: last.test_acc, train_loss: last.train_loss, samples_per_s: median(s.map((x) => x.samples_per_s)),
      workers: last.workers ? `${last.workers.count}: ${last.workers.reason}` : undefined,
      ratio_vs_pytorch_default: base !== undefined ? loop.median / base : undefined,
    });
    console.log(`  ${v.label.padEnd(44)} ${range(loop).padEnd(32)} acc ${(last.test_acc * 100).toFixed(2)}%  loss ${last.train_loss.toFixed(5)}${base !== undefined && v.key !== 'pytorch-default' ? `  ×${r2(loop.median / base)} PyTorch default` : ''}`);
  }
  for (const s of skipped) console.log(`  (${s.key}: ${s.why})`);
  return out;
}

// ---------------------------------------------------------------------------
// 2. Cold, whole process

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, cwd = root): Promise<{ code: number | null; wall_s: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, wall_s: (performance.now() - t0) / 1000, stdout, stderr }));
  });
}

async function coldOnce(v: ColdVariant): Promise<ColdSample> {
  const r = await run(v.cmd, v.args, v.env);
  if (r.code !== 0) throw new Error(`${v.label} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (v.side === 'pytorch') {
    const reply = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
    return { wall_s: r.wall_s, loop_s: reply.train_s, peak_rss_mb: reply.peak_rss_mb, test_acc: reply.test_acc, device: 'PyTorch CPU', workers: threads(reply.threads) };
  }
  const events = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const start = events.find((e) => e.type === 'start');
  const done = events.find((e) => e.type === 'done');
  if (!done) throw new Error(`${v.label}: no done event`);
  const rss = /BENCH_MAXRSS_KIB (\d+)/.exec(r.stderr);
  const device = start?.backend === 'tensorflow' ? `native ${start.device}` : start?.device;
  return { wall_s: r.wall_s, loop_s: done.summary.train_wall_s, peak_rss_mb: rss ? Number(rss[1]) / 1024 : undefined, test_acc: done.summary.test_acc, device, workers: threads(start?.workers?.count ?? 1) };
}

const threads = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

function coldVariants(w: Workload, specFile: string, outDir: string, native: { ok: boolean; nodePath?: string }, torchOk: boolean): ColdVariant[] {
  const req = JSON.stringify(trainRequest(w));
  const cli = (extra: string[], env?: NodeJS.ProcessEnv) => ({ cmd: process.execPath, args: ['-r', join(root, 'bench/maxrss.cjs'), CLI, 'train', specFile, '--json', '--no-frames', ...extra], env });
  const v: ColdVariant[] = [];
  if (torchOk) v.push({ key: 'python-script', label: 'python3 script (PyTorch, default threads)', side: 'pytorch', includes: 'python start, import torch + sklearn, make_blobs + split, the loop with the log every 10 epochs', cmd: PY, args: [join(root, 'bench/torch_reference.py'), '--once', req] });
  v.push({ key: 'blobs-train', label: 'blobs train --no-save (device and threads auto)', side: 'ours', includes: 'node start, load the bundle and the wasm backend, make_blobs + split, the loop with the log, the evaluation report', ...cli(['--no-save']) });
  if (w.id === 'notebook') {
    v.push({ key: 'blobs-train-save', label: 'blobs train, saving the run', side: 'ours', includes: 'as above, then the run folder (spec, metrics, data, model, events) and figure.svg/png', ...cli(['--out', outDir]) });
    v.push({ key: 'blobs-train-js', label: 'blobs train --no-save --device js', side: 'ours', includes: 'as blobs train --no-save, on the pure-JS backend', ...cli(['--no-save', '--device', 'js']) });
  }
  if (native.ok) {
    const env = { ...process.env, NODE_PATH: native.nodePath };
    v.push(w.id === 'notebook'
      ? { key: 'blobs-train-native', label: 'blobs train --no-save --device cpu (native)', side: 'ours', includes: 'as blobs train --no-save, loading tfjs-node (probed in a child first)', ...cli(['--no-save', '--device', 'cpu'], env) }
      : { key: 'blobs-train-native', label: 'blobs train --no-save, native enabled (auto)', side: 'ours', includes: 'as blobs train --no-save with tfjs-node installed: auto picks it for these steps (probed in a child first)', ...cli(['--no-save'], env) });
  }
  return v;
}

async function coldSection(w: Workload, dir: string, native: { ok: boolean; nodePath?: string }, torchOk: boolean): Promise<ColdResult> {
  const specFile = join(dir, `${w.id}.blobs.json`);
  writeFileSync(specFile, JSON.stringify(specOf(trainRequest(w)), null, 2));
  const outDir = join(dir, 'runs');
  const variants = coldVariants(w, specFile, outDir, native, torchOk);
  const samples = new Map<string, ColdSample[]>(variants.map((v) => [v.key, []]));
  process.stdout.write(`\n${w.title}: fresh processes, ${w.coldRounds} rounds `);
  for (let r = 0; r < w.coldRounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length];
      await sleep(SETTLE_MS);
      samples.get(v.key)!.push(await coldOnce(v));
    }
    rmSync(outDir, { recursive: true, force: true });
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  const out: ColdResult = { id: w.id, title: w.title, variants: [] };
  for (const v of variants) {
    const s = samples.get(v.key)!;
    const rss = s.map((x) => x.peak_rss_mb).filter((x): x is number => x !== undefined);
    const row = {
      key: v.key, label: v.label, side: v.side, includes: v.includes,
      wall: stats(s.map((x) => x.wall_s)), loop: stats(s.map((x) => x.loop_s)),
      peak_rss_mb: rss.length ? median(rss) : undefined,
      device: s[0].device, workers: s[0].workers, test_acc: s[0].test_acc, first_loop_s: s[0].loop_s,
    };
    out.variants.push(row);
    console.log(`  ${v.label.padEnd(50)} process ${range(row.wall).padEnd(30)} loop ${range(row.loop).padEnd(30)} peak RSS ${row.peak_rss_mb?.toFixed(0) ?? '?'} MiB  [${row.device}, ${row.workers}]`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// 3. Frames

async function framesSection(wasm: LineProc, smoke: boolean) {
  const specs = ['examples/notebook.blobs.json', 'examples/circles-relu.blobs.json'];
  const rounds = smoke ? 1 : 9;
  const out: Record<string, unknown>[] = [];
  console.log('\nFrames: the examples with their default frames ("auto") vs none (only the untrained and the final one), alternating, in-process (wasm)');
  for (const rel of specs) {
    const path = join(root, rel);
    const a: Record<string, number>[] = [];
    const b: Record<string, number>[] = [];
    const epochs = smoke ? 10 : undefined;
    await wasm.request({ kind: 'spec', path, every: 'auto', epochs });
    await wasm.request({ kind: 'spec', path, every: 1_000_000, epochs });
    for (let r = 0; r < rounds; r++) {
      for (const [every, into] of (r % 2 ? [[1_000_000, b], ['auto', a]] : [['auto', a], [1_000_000, b]]) as [string | number, Record<string, number>[]][]) {
        await sleep(SETTLE_MS);
        into.push(await wasm.request({ kind: 'spec', path, every, epochs }));
      }
    }
    const row = {
      spec: rel, epochs: a[0].epochs,
      with: { loop: stats(a.map((x) => x.train_s)), whole: stats(a.map((x) => x.whole_s)), frames: a[0].frames },
      without: { loop: stats(b.map((x) => x.train_s)), whole: stats(b.map((x) => x.whole_s)), frames: b[0].frames },
      ratio_loop: median(a.map((x) => x.train_s)) / median(b.map((x) => x.train_s)),
      ratio_whole: median(a.map((x) => x.whole_s)) / median(b.map((x) => x.whole_s)),
    };
    out.push(row);
    console.log(`  ${rel}: ${row.epochs} epochs; with ${row.with.frames} frames: loop ${range(row.with.loop)}, without (${row.without.frames}): ${range(row.without.loop)} → ×${r2(row.ratio_loop)} (whole run ×${r2(row.ratio_whole)})`);
  }
  const fw = await wasm.request<{ reps: number; nets: Record<string, any>[] }>({ kind: 'frameWeights', reps: smoke ? 5 : 300 });
  for (const n of fw.nets) {
    console.log(`  weights on a ${n.resolution}×${n.resolution} frame, ${n.net}: ${(n.weights_ms * 1000).toFixed(1)} µs of ${n.frame_ms.toFixed(2)} ms (+${(n.extra_time * 100).toFixed(1)} % time), ${n.weights_bytes} B of ${n.frame_bytes} B (+${(n.extra_bytes * 100).toFixed(1)} % bytes)`);
  }
  return { specs: out, weights: fw };
}

// ---------------------------------------------------------------------------
// 4. WebGPU correctness

async function webgpuSection(e: Engines, smoke: boolean) {
  const gpu = e.ours.webgpu;
  const wasm = e.ours.wasm.p!;
  if (!gpu) return { note: smoke ? 'skipped in the smoke run' : 'not started' };
  if (!gpu.p) return { note: `unavailable: ${gpu.info.error}` };
  const software = /software/i.test(String(gpu.info.reason));
  const checks = [
    { name: 'notebook (100 epochs)', req: trainRequest(workloads(false).find((w) => w.id === 'notebook')!) },
    { name: '[64, 64] ReLU, 4,000 samples, batch 1,024, 3 epochs', req: { ...trainRequest(workloads(false).find((w) => w.id === '3a')!), n_samples: 4000 } },
  ];
  const rows: Record<string, unknown>[] = [];
  console.log(`\nWebGPU (${gpu.info.reason}): ${software ? 'software adapter, correctness only (no timing)' : 'hardware adapter'}`);
  for (const c of checks) {
    const g = await gpu.p.request<Sample>({ kind: 'train', ...c.req });
    const w = await wasm.request<Sample>({ kind: 'train', ...c.req, workers: 1 });
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));
    const row = { check: c.name, webgpu: { train_loss: g.train_loss, test_loss: g.test_loss, test_acc: g.test_acc }, wasm: { train_loss: w.train_loss, test_loss: w.test_loss, test_acc: w.test_acc }, worst_rel_diff: Math.max(rel(g.train_loss, w.train_loss), rel(g.test_loss, w.test_loss)) };
    rows.push(row);
    console.log(`  ${c.name}: final train loss webgpu ${g.train_loss.toFixed(6)} / wasm ${w.train_loss.toFixed(6)}, test acc ${(g.test_acc * 100).toFixed(2)}% / ${(w.test_acc * 100).toFixed(2)}%; worst relative loss difference ${row.worst_rel_diff.toExponential(1)}`);
  }
  return { adapter: gpu.info.reason, software, note: software ? 'software, correctness only' : 'hardware: timed with the other devices', checks: rows };
}

// ---------------------------------------------------------------------------
// 5. The real VS Code

interface VsRun { kind: 'first' | 'warm'; clickToFirstFrameMs: number; clickToHostStartMs: number | null; clickToHostDoneMs: number | null; clickToViewDoneMs: number | null; trainerLoopMs: number | null; hostLagMs: number | null }

async function vscodeSection(args: Args, vsix: string | undefined) {
  if (args.smoke) return { note: 'skipped in the smoke run' };
  if (args.noVscode) return { note: 'skipped (--no-vscode)' };
  if (!vsix) return { note: 'skipped: no vsix' };
  const file = join(mkdtempSync(join(tmpdir(), 'blobs-bench-vscode-')), 'vscode.json');
  console.log(`\nThe real VS Code (code-server + Chromium): ${args.vscodeWindows} fresh windows × (first run + ${args.vscodeReps} × Train again), examples/notebook.blobs.json, default settings`);
  const r = spawnSync(process.execPath, [join(root, 'bench/vscode.mjs'), '--vsix', vsix, '--windows', String(args.vscodeWindows), '--reps', String(args.vscodeReps), '--out', file], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  if (r.status !== 0 || !existsSync(file)) return { note: `failed (exit ${r.status ?? r.signal}): see the [vscode] lines above` };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { windows: { activationMs: number | null; activatedToClickMs: number | null; readyMs: number; runs: VsRun[] }[] };
  rmSync(dirname(file), { recursive: true, force: true });
  const all = raw.windows.flatMap((w) => w.runs);
  const pick = (kind: string, k: keyof VsRun) => {
    const xs = all.filter((x) => x.kind === kind).map((x) => x[k]).filter((x): x is number => typeof x === 'number');
    return xs.length ? stats(xs) : undefined;
  };
  const summary = Object.fromEntries((['first', 'warm'] as const).map((kind) => [kind, Object.fromEntries((['clickToFirstFrameMs', 'clickToHostStartMs', 'clickToHostDoneMs', 'clickToViewDoneMs', 'trainerLoopMs', 'hostLagMs'] as const).map((k) => [k, pick(kind, k)]))]));
  const act = raw.windows.map((w) => w.activationMs).filter((x): x is number => x !== null);
  const out = { windows: raw.windows, summary, activationMs: act.length ? stats(act) : undefined };
  const f = (st?: Stats) => (st ? range(st, msf) : '—');
  console.log(`  first run (n=${summary.first.clickToFirstFrameMs?.n ?? 0}): click → first frame ${f(summary.first.clickToFirstFrameMs)}, click → done in the host ${f(summary.first.clickToHostDoneMs)}`);
  console.log(`  Train again (n=${summary.warm.clickToFirstFrameMs?.n ?? 0}): click → first frame ${f(summary.warm.clickToFirstFrameMs)}, click → done in the host ${f(summary.warm.clickToHostDoneMs)}, in the view ${f(summary.warm.clickToViewDoneMs)}; the trainer's loop ${f(summary.warm.trainerLoopMs)}, host lag ${f(summary.warm.hostLagMs)}`);
  return out;
}

function integrationFigures() {
  const file = join(root, 'test-results', 'integration.json');
  if (!existsSync(file)) return { note: 'no test-results/integration.json (run `npm test -- integration` first)' };
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { from: 'test-results/integration.json (the last integration run, not this benchmark)', at: statSync(file).mtime.toISOString(), activationMs: r.activationMs, maxEventLoopLagMs: r.maxEventLoopLagMs, passed: r.passed, failed: r.failed };
}

// ---------------------------------------------------------------------------
// Goals (issue 13): ratios ours / PyTorch with its default threads

type Report = Record<string, any>;

function goals(rep: Report) {
  const warm = (id: string) => rep.warm.find((w: WarmResult) => w.id === id) as WarmResult | undefined;
  const cold = (id: string) => rep.cold.find((c: ColdResult) => c.id === id) as ColdResult | undefined;
  const out: { goal: string; measured: string; met: boolean | null }[] = [];
  for (const id of ['3a', '3b', '4']) {
    const w = warm(id);
    const base = w?.variants.find((v) => v.key === 'pytorch-default');
    const ours = w?.variants.filter((v) => v.side === 'ours' && v.ratio_vs_pytorch_default !== undefined) ?? [];
    if (!base || !ours.length) continue;
    const best = ours.reduce((a, b) => (a.loop.median <= b.loop.median ? a : b));
    const wasmBest = ours.filter((v) => v.device === 'wasm').reduce((a, b) => (a.loop.median <= b.loop.median ? a : b), ours[0]);
    out.push({ goal: `${id}: loop time ≤ 1.0 × PyTorch (${base.label})`, measured: `best: ${best.label} ×${r2(best.ratio_vs_pytorch_default!)}; default install (wasm) best: ${wasmBest.label} ×${r2(wasmBest.ratio_vs_pytorch_default!)}`, met: best.ratio_vs_pytorch_default! <= 1 });
  }
  const c4 = cold('4');
  const py4 = c4?.variants.find((v) => v.key === 'python-script');
  if (c4 && py4?.peak_rss_mb) {
    const rows = c4.variants.filter((v) => v.side === 'ours' && v.peak_rss_mb);
    const desc = rows.map((v) => `${v.peak_rss_mb! <= 1.5 * py4.peak_rss_mb! ? '✓' : '✗'} ${v.label} [${v.device}, ${v.workers}] ${v.peak_rss_mb!.toFixed(0)} MiB = ×${r2(v.peak_rss_mb! / py4.peak_rss_mb!)}`).join('; ');
    out.push({ goal: `4: peak RSS ≤ 1.5 × PyTorch's (${py4.peak_rss_mb.toFixed(0)} MiB, fresh processes)`, measured: desc, met: rows.length ? rows.every((v) => v.peak_rss_mb! <= 1.5 * py4.peak_rss_mb!) : null });
  }
  const cn = cold('notebook');
  const pyn = cn?.variants.find((v) => v.key === 'python-script');
  const bt = cn?.variants.find((v) => v.key === 'blobs-train');
  const wn = warm('notebook')?.variants.find((v) => v.key === 'pytorch-default');
  if (pyn && bt) {
    out.push({
      goal: 'notebook, cold first run in a fresh process, loop time ≤ 1.0 × PyTorch',
      measured: `blobs train ${sec(bt.loop.median)} vs the python script's loop ${sec(pyn.loop.median)} (×${r2(bt.loop.median / pyn.loop.median)})${wn ? `; vs warm PyTorch ${sec(wn.loop.median)} (×${r2(bt.loop.median / wn.loop.median)})` : ''}`,
      met: bt.loop.median <= pyn.loop.median && (!wn || bt.loop.median <= wn.loop.median),
    });
  }
  const vs = rep.vscode?.summary?.warm?.clickToHostDoneMs as Stats | undefined;
  if (vs) out.push({ goal: 'VS Code, "Train again" on the notebook spec: click → done in the extension host ≤ 150 ms (issue 10; median)', measured: `${msf(vs.median)} (${msf(vs.min)}–${msf(vs.max)}, n=${vs.n})`, met: vs.median <= 150 });
  for (const id of ['3a', '3b', '4']) {
    const w = warm(id);
    const one = w?.variants.find((v) => v.key === 'wasm-1');
    if (!w || !one) continue;
    const scaled = w.variants.filter((v) => v.device === 'wasm');
    const cores = rep.machine.availableParallelism;
    out.push({ goal: `${id}: worker scaling reported (1, 2, all cores)`, measured: `wasm, speed-up over 1 thread: ${scaled.map((v) => `${v.threads}${v.threads === cores ? ' (all cores)' : ''} → ${sec(v.loop.median)} (×${r2(one.loop.median / v.loop.median)})`).join(', ')}`, met: scaled.length >= 2 ? true : null });
  }
  return out;
}

// ---------------------------------------------------------------------------
// README tables

/** "37.6 ms (36.1–40.2)", "1.25 s (1.20–1.31)": one unit, from the median. */
function compact(st: Stats, scale = 1): string {
  const [m, lo, hi] = [st.median, st.min, st.max].map((x) => x * scale);
  if (m >= 1) return `${m.toFixed(2)} s (${lo.toFixed(2)}–${hi.toFixed(2)})`;
  const d = m >= 0.1 ? 0 : m >= 0.01 ? 1 : 2;
  const x = (v: number) => (v * 1000).toFixed(d);
  return `${x(m)} ms (${x(lo)}–${x(hi)})`;
}

function markdown(rep: Report): string {
  const L: string[] = [];
  const f = (st?: Stats) => (st ? compact(st) : '—');
  const fm = (st?: Stats) => (st ? compact(st, 1 / 1000) : '—');
  const warm = rep.warm as WarmResult[];
  // PyTorch first, then ours: wasm by threads, js, native, webgpu.
  const rank = (k: string) => (k.startsWith('pytorch') ? 0 : k.startsWith('wasm') ? 100 : k.startsWith('js') ? 200 : k === 'native' ? 300 : 400) + (k === 'pytorch-default' ? 0 : Number(/-(\d+)$/.exec(k)?.[1] ?? 50));
  const keys: string[] = [...new Set(warm.flatMap((w) => w.variants.map((v) => v.key)))].sort((a, b) => rank(a) - rank(b));
  const label = (k: string) => warm.flatMap((w) => w.variants).find((v) => v.key === k)?.label ?? k;
  L.push(`Workloads: ${warm.map((w) => w.title).join('; ')}.`);
  L.push('');
  L.push(`**Warm training loop** (long-lived processes after warm-up, rounds alternating between all of them; the loop's time, median (min–max); **×** = the row's median / ${label('pytorch-default')}'s)`);
  L.push('');
  L.push(`| warm loop | ${warm.map((w) => w.id).join(' | ')} |`);
  L.push(`|---|${warm.map(() => '---').join('|')}|`);
  for (const k of keys) {
    const cells = warm.map((w) => {
      const v = w.variants.find((x) => x.key === k);
      if (!v) return '—';
      const ratio = v.key !== 'pytorch-default' && v.ratio_vs_pytorch_default !== undefined ? ` **×${r2(v.ratio_vs_pytorch_default)}**` : '';
      return `${f(v.loop)}${ratio}`;
    });
    L.push(`| ${label(k)} | ${cells.join(' | ')} |`);
  }
  const d = warm.filter((w) => w.data_s?.ours !== undefined && w.data_s?.pytorch !== undefined);
  if (d.length) {
    L.push('');
    L.push(`Making the data (make_blobs + train_test_split, outside the loop; in the whole-process times below): ${d.map((w) => `${w.id} ours ${sec(w.data_s.ours!)} / scikit-learn ${sec(w.data_s.pytorch!)}`).join(', ')}.`);
  }
  L.push('');
  L.push('**Cold, whole process** (a fresh process per run, alternating; process: wall time from spawn to exit; loop: the time the run reports; × = the row / the python script\'s; peak RSS: the process\'s high-water mark)');
  L.push('');
  L.push('| workload | run | process | loop | peak RSS | device, threads |');
  L.push('|---|---|---|---|---|---|');
  for (const c of rep.cold as ColdResult[]) {
    const py = c.variants.find((v) => v.key === 'python-script');
    for (const v of c.variants) {
      const x = py && v !== py ? ` ×${r2(v.wall.median / py.wall.median)}` : '';
      const lx = py && v !== py ? ` ×${r2(v.loop.median / py.loop.median)}` : '';
      L.push(`| ${c.id} | ${v.label} | ${f(v.wall)}${x} | ${f(v.loop)}${lx} | ${v.peak_rss_mb?.toFixed(0) ?? '?'} MiB | ${v.device}, ${v.workers} |`);
    }
  }
  if (rep.frames?.specs) {
    L.push('');
    L.push('**Frames** (recording the boundary for playback; in-process, wasm, alternating with none)');
    L.push('');
    L.push('| spec | frames | loop with / without | × |');
    L.push('|---|---|---|---|');
    for (const s of rep.frames.specs) L.push(`| ${s.spec} (${s.epochs} epochs) | ${s.with.frames} vs ${s.without.frames} | ${f(s.with.loop)} / ${f(s.without.loop)} | ${r2(s.ratio_loop)} |`);
    const nb = rep.frames.weights.nets.filter((n: Record<string, number>) => n.resolution === 51);
    L.push('');
    L.push(`Weights on each frame (network view): ${nb.map((n: Record<string, any>) => `${n.net} ${(n.weights_ms * 1000).toFixed(0)} µs of a ${n.frame_ms.toFixed(2)} ms 51×51 frame (+${(n.extra_time * 100).toFixed(0)} %), +${n.weights_bytes} B`).join('; ')}.`);
  }
  const vs = rep.vscode?.summary;
  if (vs) {
    L.push('');
    L.push(`**The real VS Code** (code-server 1.100.3 + Chromium, examples/notebook.blobs.json, default settings; ${rep.vscode.windows.length} fresh windows, click = mousedown)`);
    L.push('');
    L.push('| | click → first frame | click → run started (host) | click → done (host) | click → done (view) | trainer loop (default frames) | host event-loop lag |');
    L.push('|---|---|---|---|---|---|---|');
    L.push(`| first run (CodeLens, fresh window), n=${vs.first.clickToFirstFrameMs?.n ?? 0} | ${fm(vs.first.clickToFirstFrameMs)} | ${fm(vs.first.clickToHostStartMs)} | ${fm(vs.first.clickToHostDoneMs)} | — | ${fm(vs.first.trainerLoopMs)} | ${fm(vs.first.hostLagMs)} |`);
    L.push(`| Train again (panel button), n=${vs.warm.clickToFirstFrameMs?.n ?? 0} | ${fm(vs.warm.clickToFirstFrameMs)} | ${fm(vs.warm.clickToHostStartMs)} | ${fm(vs.warm.clickToHostDoneMs)} | ${fm(vs.warm.clickToViewDoneMs)} | ${fm(vs.warm.trainerLoopMs)} | ${fm(vs.warm.hostLagMs)} |`);
    const act = rep.vscode.activationMs as Stats | undefined;
    const gap = (rep.vscode.windows as { activatedToClickMs: number | null }[]).map((w) => w.activatedToClickMs).filter((x): x is number => x !== null);
    L.push('');
    L.push(`Activation ${act ? fm(act) : '—'} (the extension's own figure, per window); the first click came ${gap.length ? fm(stats(gap)) : '—'} after activation (the trainer process is forked and warmed at activation).`);
  }
  const it = rep.integration;
  if (it?.activationMs !== undefined) L.push(`From the last integration run (${String(it.at).slice(0, 10)}, not this benchmark): activation ${it.activationMs} ms, worst extension-host event-loop lag during its runs ${it.maxEventLoopLagMs} ms.`);
  if (rep.goals?.length) {
    L.push('');
    L.push('**Goals** (issue 13; ours / PyTorch with its default threads)');
    L.push('');
    for (const g of rep.goals) L.push(`- ${g.met === true ? '✅' : g.met === false ? '❌' : '—'} ${g.goal}: ${g.measured}`);
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.markdown) {
    console.log(markdown(JSON.parse(readFileSync(args.markdown, 'utf8'))));
    return;
  }
  const t0 = performance.now();
  if (args.waitIdle !== undefined) await waitIdle(args.waitIdle);
  const rep: Report = {
    date: new Date().toISOString(),
    smoke: args.smoke,
    machine: { cpus: cpus().length, availableParallelism: availableParallelism(), model: cpus()[0]?.model.trim(), memGiB: Math.round(totalmem() / 1024 ** 3), node: process.versions.node },
    load: { start: load() } as Record<string, number[]>,
  };
  console.log(`Blob Classifier benchmark${args.smoke ? ' (smoke run: tiny sizes, numbers mean nothing)' : ''}`);
  console.log(`machine: ${rep.machine.cpus} × ${rep.machine.model}, ${rep.machine.memGiB} GiB, node ${rep.machine.node}; load average ${rep.load.start.join(' ')}`);
  const bundles = prepareBundles(args.smoke);
  rep.bundles = bundles.note;
  const native = stageNative(args);
  const engines = await startEngines(args, native);
  const dir = mkdtempSync(join(tmpdir(), 'blobs-bench-'));
  try {
    rep.torch = { note: engines.torch.note, ...(engines.torch.info ?? {}), processes: engines.torch.procs.map((t) => ({ key: t.key, label: t.label, threads: t.threads })) };
    rep.devices = Object.fromEntries(Object.entries(engines.ours).map(([k, v]) => [k, v.p ? { available: true, reason: v.info.reason, load_s: v.info.load_s } : { available: false, why: v.info.error }]));
    rep.devices.native = { ...(rep.devices.native ?? { available: false }), staging: native.note };
    console.log(engines.torch.note);
    for (const [k, v] of Object.entries(rep.devices) as [string, Record<string, unknown>][]) console.log(`  ${k}: ${v.available ? `available (${v.reason})` : `unavailable (${v.why ?? v.staging})`}${k === 'native' && v.available ? `; ${v.staging}` : ''}`);

    const list = workloads(args.smoke, args.rounds).filter((w) => !args.only || args.only.includes(w.id));
    const variants = variantsOf(engines, args);
    console.log('\n== 1. Warm training loops (alternating, rotating order)');
    rep.warm = [];
    for (const w of list) {
      rep.load[`warm ${w.id}`] = load();
      rep.warm.push(await warmSection(w, variants));
    }
    console.log('\n== 2. Cold: a fresh process per run, `blobs train` vs the python script (alternating)');
    rep.cold = [];
    // The smoke run checks the fresh-process path on the notebook only (seconds, not minutes).
    for (const w of list.filter((x) => !args.smoke || x.id === 'notebook')) {
      rep.load[`cold ${w.id}`] = load();
      rep.cold.push(await coldSection(w, dir, native, engines.torch.procs.length > 0));
    }
    console.log('\n== 3. Frames');
    rep.load.frames = load();
    rep.frames = await framesSection(engines.ours.wasm.p!, args.smoke);
    console.log('\n== 4. WebGPU');
    rep.webgpu = await webgpuSection(engines, args.smoke);
    engines.close();
    console.log('\n== 5. The real VS Code');
    rep.load.vscode = load();
    rep.vscode = await vscodeSection(args, bundles.vsix);
    if (rep.vscode.note) console.log(`  ${rep.vscode.note}`);
    rep.integration = integrationFigures();
    rep.goals = goals(rep);
    rep.load.end = load();
    rep.seconds = (performance.now() - t0) / 1000;
  } finally {
    engines.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${markdown(rep)}\n`);
  console.log(`load average: ${Object.entries(rep.load).map(([k, v]) => `${k} ${(v as number[])[0]}`).join(', ')}; ${sec(rep.seconds)} in all`);
  // Only a full run (every workload, PyTorch there) becomes the day's record.
  const full = !args.smoke && !args.only && engines.torch.procs.length > 0;
  const out = args.out ?? (full ? join(root, 'bench/results', `${rep.date.slice(0, 10)}.json`) : undefined);
  if (!out) console.log('(partial run: not saved; pass --out FILE to keep it)');
  else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(rep, null, 2) + '\n');
    console.log(`wrote ${out}`);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
