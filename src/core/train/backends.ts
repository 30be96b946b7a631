/**
 * Backend/device selection and loading.
 *
 * Devices map to TF.js backends:
 *   gpu  -> `@tensorflow/tfjs-node-gpu` (backend "tensorflow", CUDA) if it loads, else
 *           WebGPU (backend "webgpu": tfjs-backend-webgpu on Dawn's `webgpu` package,
 *           see webgpu.ts) if a hardware adapter is found
 *   cpu  -> `@tensorflow/tfjs-node`     (backend "tensorflow", native libtensorflow)
 *   wasm -> `@tensorflow/tfjs-backend-wasm` (backend "wasm", non-threaded SIMD build in Node)
 *   js   -> `@tensorflow/tfjs`'s pure-JS backend (backend "cpu")
 *
 * The native packages and Dawn are optional and can take the whole process down when
 * loaded (SIGILL on CPUs without AVX, missing CUDA libraries, a broken GPU driver), so
 * they are only loaded after a PROBE in a throw-away child process has loaded them and
 * run one op (or one compute shader). Probe results are cached per process. The loader
 * returns the `tf` namespace to use; nothing in the trainer imports a global tf.
 *
 * `auto` rule (see `loadBackend`): estimated work per epoch W = 2·params·(3·nTrain + nTest)
 * FLOPs (forward+backward on train, forward on test), per optimisation step
 * S = 6·params·batchRows, per run epochs·W.
 *   - S < 2e7 (AUTO_THRESHOLDS.nativeStepFlops; the notebook is ~0.5 MFLOP): wasm, without
 *     probing natives at all. Per-op overhead dominates small steps; measured on the
 *     notebook spec here (2 cores, the trainer's loop, steady state): js ≈ 390 epochs/s,
 *     wasm ≈ 2,700-3,300 epochs/s; tfjs-node's per-op overhead (N-API + a TFE op per
 *     kernel) is ~10x wasm's (see AUTO_THRESHOLDS).
 *   - S ≥ GPU_THRESHOLDS.stepFlops and epochs·W ≥ GPU_THRESHOLDS.runFlops: the GPU
 *     (tfjs-node-gpu, else a hardware WebGPU adapter), when one probes OK. A GPU step
 *     costs a roughly fixed ~40 kernel dispatches whatever its size, and starting the GPU
 *     costs seconds once; both must be repaid (GPU_THRESHOLDS).
 *   - S ≥ 2e7 and native cpu probes OK: cpu (multi-threaded Eigen/oneDNN).
 *   - otherwise wasm, else js.
 *
 * Asking explicitly for a device that is unavailable throws `DeviceUnavailableError`
 * with the reason (for gpu: every route tried) — never a silent fallback.
 */

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendName, ResolvedDevice } from '../protocol';
import type { DeviceRequest } from '../spec/types';
import { runProbeChild } from './probeChild';
import { describeAdapter, loadWebgpu, probeWebgpu, type AdapterInfo, type WebgpuProbe } from './webgpu';

export type Tf = typeof import('@tensorflow/tfjs');

export type NativeDevice = 'gpu' | 'cpu';

export interface ProbeResult {
  ok: boolean;
  /** Why not (or a short note on what was found when ok). */
  reason: string;
}

/** What the selection logic needs; substituted in tests. */
export interface BackendLoaders {
  /** Loads and checks a native package in a child process; never crashes this one. */
  probeNative(device: NativeDevice): Promise<ProbeResult>;
  /** Requires a native package (only called after a successful probe). */
  loadNative(device: NativeDevice): Promise<Tf>;
  /** Looks for a WebGPU adapter in a child process; never crashes this one. */
  probeWebgpu(): Promise<WebgpuProbe>;
  /** Loads the webgpu backend on the adapter the probe found (only after it was ok). */
  loadWebgpu(): Promise<{ tf: Tf; adapter: AdapterInfo }>;
  loadWasm(): Promise<Tf>;
  loadJs(): Promise<Tf>;
}

export interface Workload {
  params: number;
  nTrain: number;
  nTest: number;
  /** Rows per optimisation step (default nTrain: full batch). */
  batchRows?: number;
  /** Epochs of the run (default 1). */
  epochs?: number;
}

export interface LoadedBackend {
  tf: Tf;
  backend: BackendName;
  device: ResolvedDevice;
  /** Human-readable: why this backend/device was chosen. */
  reason: string;
}

export class DeviceUnavailableError extends Error {
  constructor(
    readonly device: ResolvedDevice,
    readonly why: string,
  ) {
    super(`device "${device}" is unavailable: ${why}`);
    this.name = 'DeviceUnavailableError';
  }
}

const NATIVE_PKG: Record<NativeDevice, string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  cpu: '@tensorflow/tfjs-node',
};

/**
 * The step size from which the native CPU backend beats wasm. Measured here (tfjs-node
 * 4.22 on libtensorflow 2.21 from the tensorflow-cpu wheel, against wasm, the loop's
 * epochs, paired medians on the loaded 2-core machine; native/wasm time): the notebook
 * (0.5 MFLOP/step) 2.6; [32, 32] ReLU in 256-row batches (2e6) 2.4; an 8,000-row full
 * batch of [16, 16] (1.9e7) 0.9; [64, 64] in 1,024- and 4,096-row batches (2.8e7, 1.1e8)
 * ~0.6; an 80,000-row full batch (2.2e9) 0.46. More cores only help the native side.
 */
export const AUTO_THRESHOLDS = { nativeStepFlops: 2e7 } as const;

/**
 * When `auto` takes a GPU: both the work of one optimisation step and that of the whole
 * run must be big enough.
 *   - stepFlops: a GPU step costs a roughly fixed host time whatever its size, ~40 kernel
 *     dispatches (forward, loss head, backward, update) at tens of µs each in
 *     tfjs-backend-webgpu + Dawn: ~1-1.5 ms (an estimate: no GPU was available to
 *     measure it; Mesa's software adapter costs ms per dispatch and says nothing about
 *     hardware). Wasm, measured here for [64, 64] ReLU steps (loaded 2-core machine),
 *     costs ~1 ms + ~0.2 ms per MFLOP: 1.4 ms at 256 rows (7 MFLOP), 4.2 ms at 1,024 rows
 *     (28 MFLOP), 23 ms at 4,096 rows. At 2e7 FLOP/step wasm needs ~3-5 ms, a margin
 *     over the GPU's estimate that a faster CPU does not erase.
 *   - runFlops (epochs × W): starting the GPU costs ~1-2 s once (the probe child, Dawn,
 *     compiling ~20 shaders on the first epoch); 2e10 FLOP is ~4 s of wasm.
 * Bench workloads: 3b (full batch of 80,000 rows, 10 epochs) and 4 (1M rows, 4,096 per
 * step) take the GPU; 3a (1,024 rows per step, 3 epochs: ~1 s on wasm) does not.
 * bench/gpu-check.sh measures the step crossover on a real GPU; set these from it.
 */
export const GPU_THRESHOLDS = { stepFlops: 2e7, runFlops: 2e10 } as const;

export function epochFlops(w: Workload): number {
  return 2 * w.params * (3 * w.nTrain + w.nTest);
}

export function stepFlops(w: Workload): number {
  return 6 * w.params * Math.min(w.batchRows ?? w.nTrain, w.nTrain);
}

/** Is this workload big enough for `auto` to consider a GPU? (see GPU_THRESHOLDS) */
export function gpuWorthIt(w: Workload): boolean {
  return stepFlops(w) >= GPU_THRESHOLDS.stepFlops && epochFlops(w) * (w.epochs ?? 1) >= GPU_THRESHOLDS.runFlops;
}

/**
 * Can the backend read a tensor synchronously (`dataSync`)? WebGPU cannot in Node: its
 * readSync goes through an OffscreenCanvas, which Node lacks; reads must be awaited
 * (`TrainLoop` then runs every epoch through `epochAsync`).
 */
export function readsSync(backend: string): boolean {
  return backend !== 'webgpu';
}

/**
 * Is reading a tensor back a plain memory copy — js, wasm, and tfjs-node on the CPU —
 * rather than a device sync (tfjs-node-gpu, webgpu)? Then the loop runs the loss head on
 * the host from read-back logits (LoopConfig.head): ~20 fewer kernels per step. Measured
 * on tfjs-node (libtensorflow 2.21 from the wheel, [64, 64] ReLU, 80,000 rows): host head
 * 2x faster per epoch in batches of 1,024 and 4,096 rows, equal at full batch.
 */
export function readsAreCopies(tf: Tf): boolean {
  const b = tf.getBackend();
  if (b === 'cpu' || b === 'wasm') return true;
  if (b === 'tensorflow') return !(tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  return false;
}

function fmtFlops(f: number): string {
  if (f >= 1e9) return `${(f / 1e9).toFixed(1)} GFLOP`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(1)} MFLOP`;
  return `${(f / 1e3).toFixed(1)} kFLOP`;
}

/**
 * Loads the backend for `request`. Explicit devices either load or throw
 * `DeviceUnavailableError`; `auto` follows the rule in this file's header.
 */
export async function loadBackend(
  request: DeviceRequest,
  workload: Workload,
  loaders: BackendLoaders = defaultLoaders,
): Promise<LoadedBackend> {
  if (request !== 'auto') return loadExplicit(request, loaders);
  const flops = epochFlops(workload);
  const step = stepFlops(workload);
  const size = `${workload.params} parameters, ~${fmtFlops(step)}/step`;
  const notes: string[] = [];
  if (step >= AUTO_THRESHOLDS.nativeStepFlops) {
    if (gpuWorthIt(workload)) {
      const big = `${size}, ~${fmtFlops(flops * (workload.epochs ?? 1))}/run`;
      const p = await loaders.probeNative('gpu');
      if (p.ok) {
        const tf = await tryLoad(() => loaders.loadNative('gpu'), notes, 'tfjs-node-gpu');
        if (tf) return { tf, backend: 'tensorflow', device: 'gpu', reason: `auto: gpu (tfjs-node-gpu) for a large model (${big})` };
      } else notes.push(`tfjs-node-gpu: ${p.reason}`);
      const w = await loaders.probeWebgpu();
      if (w.ok) {
        const r = await tryLoad(() => loaders.loadWebgpu(), notes, 'webgpu');
        if (r) return { tf: r.tf, backend: 'webgpu', device: 'gpu', reason: `auto: gpu (WebGPU on ${describeAdapter(r.adapter)}) for a large model (${big})` };
      } else notes.push(`webgpu: ${w.reason}`);
    }
    const p = await loaders.probeNative('cpu');
    if (p.ok) {
      const tf = await tryLoad(() => loaders.loadNative('cpu'), notes, 'cpu');
      if (tf) return { tf, backend: 'tensorflow', device: 'cpu', reason: `auto: native cpu for large steps (${size})` };
    } else notes.push(`cpu: ${p.reason}`);
  }
  const why = notes.length ? `; ${notes.join('; ')}` : '';
  const wasm = await tryLoad(() => loaders.loadWasm(), notes, 'wasm');
  if (wasm) {
    const base = step < AUTO_THRESHOLDS.nativeStepFlops ? 'per-op overhead dominates, wasm is fastest' : 'no native backend';
    return { tf: wasm, backend: 'wasm', device: 'wasm', reason: `auto: wasm (${size}; ${base}${why})` };
  }
  const js = await loaders.loadJs();
  return { tf: js, backend: 'cpu', device: 'js', reason: `auto: js (${size}; ${notes.join('; ')})` };
}

async function tryLoad<T>(f: () => Promise<T>, notes: string[], name: string): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    notes.push(`${name} failed to load: ${errText(e)}`);
    return undefined;
  }
}

async function loadExplicit(device: ResolvedDevice, loaders: BackendLoaders): Promise<LoadedBackend> {
  const requested = `requested: ${device}`;
  try {
    switch (device) {
      case 'gpu':
        return await loadGpu(loaders);
      case 'cpu': {
        const p = await loaders.probeNative(device);
        if (!p.ok) throw new DeviceUnavailableError(device, p.reason);
        return { tf: await loaders.loadNative(device), backend: 'tensorflow', device, reason: requested };
      }
      case 'wasm':
        return { tf: await loaders.loadWasm(), backend: 'wasm', device, reason: requested };
      case 'js':
        return { tf: await loaders.loadJs(), backend: 'cpu', device, reason: requested };
    }
  } catch (e) {
    if (e instanceof DeviceUnavailableError) throw e;
    throw new DeviceUnavailableError(device, errText(e));
  }
}

/** `gpu`: tfjs-node-gpu if it loads, else WebGPU if an adapter is found, else say what was tried. */
async function loadGpu(loaders: BackendLoaders): Promise<LoadedBackend> {
  const tried: string[] = [];
  const p = await loaders.probeNative('gpu');
  if (p.ok) {
    try {
      return { tf: await loaders.loadNative('gpu'), backend: 'tensorflow', device: 'gpu', reason: 'requested: gpu (tfjs-node-gpu, CUDA)' };
    } catch (e) {
      tried.push(`tfjs-node-gpu failed to load: ${errText(e)}`);
    }
  } else tried.push(`tfjs-node-gpu: ${p.reason}`);
  const w = await loaders.probeWebgpu();
  if (w.ok) {
    try {
      const r = await loaders.loadWebgpu();
      return { tf: r.tf, backend: 'webgpu', device: 'gpu', reason: `requested: gpu, through WebGPU on ${describeAdapter(r.adapter)} (tfjs-node-gpu is unavailable)` };
    } catch (e) {
      tried.push(`webgpu failed to load: ${errText(e)}`);
    }
  } else tried.push(`webgpu: ${w.reason}`);
  throw new DeviceUnavailableError('gpu', `tried ${tried.join('; ')}`);
}

/** One device as `blobs doctor` reports it. */
export interface DeviceStatus {
  device: ResolvedDevice;
  available: boolean;
  /** The backend it runs on when available. */
  backend?: BackendName;
  /** What it runs on, or why it is unavailable. */
  detail: string;
  /** gpu: each route, in the order `device: "gpu"` tries them. */
  routes?: { route: string; ok: boolean; detail: string }[];
}

/**
 * Every device and whether this installation can use it, probing the native packages and
 * Dawn in child processes as `loadBackend` does (wasm and js load here: they cannot crash).
 */
export async function describeDevices(loaders: BackendLoaders = defaultLoaders): Promise<DeviceStatus[]> {
  const [cuda, web, cpu] = await Promise.all([loaders.probeNative('gpu'), loaders.probeWebgpu(), loaders.probeNative('cpu')]);
  const routes = [
    { route: 'tfjs-node-gpu (CUDA)', ok: cuda.ok, detail: cuda.reason },
    { route: 'WebGPU (Dawn)', ok: web.ok, detail: web.reason },
  ];
  const gpu: DeviceStatus = cuda.ok
    ? { device: 'gpu', available: true, backend: 'tensorflow', detail: `tfjs-node-gpu: ${cuda.reason}`, routes }
    : web.ok
      ? { device: 'gpu', available: true, backend: 'webgpu', detail: web.reason, routes }
      : { device: 'gpu', available: false, detail: routes.map((r) => `${r.route}: ${r.detail}`).join('; '), routes };
  const inProcess = async (device: 'wasm' | 'js', backend: BackendName, load: () => Promise<Tf>, what: string): Promise<DeviceStatus> => {
    try {
      const tf = await load();
      const v = tf.tidy(() => tf.tensor([1, 2, 3]).square().sum().dataSync()[0]);
      if (v !== 14) return { device, available: false, detail: `computed a wrong result (${v})` };
      return { device, available: true, backend, detail: what };
    } catch (e) {
      return { device, available: false, detail: errText(e) };
    }
  };
  return [
    gpu,
    cpu.ok ? { device: 'cpu', available: true, backend: 'tensorflow', detail: cpu.reason } : { device: 'cpu', available: false, detail: cpu.reason },
    await inProcess('wasm', 'wasm', () => loaders.loadWasm(), 'TensorFlow.js WebAssembly backend (SIMD, one thread)'),
    await inProcess('js', 'cpu', () => loaders.loadJs(), 'TensorFlow.js pure-JavaScript backend (slowest)'),
  ];
}

function errText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

// ---------------------------------------------------------------------------
// Default (real) loaders

// `require` exists in the CJS bundle and under tsx; the native packages are esbuild
// externals, so this stays a run-time lookup in node_modules.
const nodeRequire: NodeRequire = require;

/** Folder holding the wasm binaries: dist/wasm next to the bundle, else node_modules. */
export function wasmDir(): string {
  const candidates = [
    join(__dirname, 'wasm'), // dist/trainer.js, dist/cli.js -> dist/wasm
    join(__dirname, '..', 'wasm'),
  ];
  try {
    candidates.push(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm')));
  } catch {
    /* not resolvable (bundled without node_modules): rely on dist/wasm */
  }
  for (const c of candidates) if (existsSync(join(c, 'tfjs-backend-wasm-simd.wasm'))) return c;
  throw new Error(`tfjs-backend-wasm .wasm files not found (looked in ${candidates.join(', ')})`);
}

let tfjsPromise: Promise<Tf> | undefined;
async function baseTf(): Promise<Tf> {
  tfjsPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    tf.enableProdMode(); // also silences the "install the node backend" banner
    return tf;
  })();
  return tfjsPromise;
}

let wasmReady: Promise<Tf> | undefined;
const nativeLoaded = new Map<NativeDevice, Tf>();
const probeCache = new Map<NativeDevice, Promise<ProbeResult>>();
let webgpuProbe: Promise<WebgpuProbe> | undefined;

export const defaultLoaders: BackendLoaders = {
  probeNative(device) {
    let p = probeCache.get(device);
    if (!p) {
      p = probeNativePackage(NATIVE_PKG[device], device === 'gpu');
      probeCache.set(device, p);
    }
    return p;
  },
  async loadNative(device) {
    const cached = nativeLoaded.get(device);
    if (cached) return cached;
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2'; // silence libtensorflow's start-up chatter
    const tf = nodeRequire(NATIVE_PKG[device]) as Tf;
    tf.enableProdMode();
    await tf.setBackend('tensorflow');
    await tf.ready();
    nativeLoaded.set(device, tf);
    return tf;
  },
  probeWebgpu() {
    webgpuProbe ??= probeWebgpu();
    return webgpuProbe;
  },
  async loadWebgpu() {
    const p = await this.probeWebgpu();
    if (!p.ok || !p.use) throw new Error(p.reason);
    const tf = await baseTf();
    return { tf, adapter: await loadWebgpu(tf, p.use) };
  },
  async loadWasm() {
    wasmReady ??= (async () => {
      const tf = await baseTf();
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dir = wasmDir();
      // Node has no worker-based threads for this build: the plain SIMD binary is used
      // (WASM_HAS_MULTITHREAD_SUPPORT is false under IS_NODE); map every name anyway so a
      // bundler's relocation cannot send it elsewhere.
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
        'tfjs-backend-wasm-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
        'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
      });
      return tf;
    })();
    const tf = await wasmReady;
    if (!(await tf.setBackend('wasm'))) {
      wasmReady = undefined;
      throw new Error('the wasm backend failed to initialise');
    }
    await tf.ready();
    return tf;
  },
  async loadJs() {
    const tf = await baseTf();
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  },
};

/**
 * Loads `pkg` in a child Node process and runs one op. Interprets the ways it fails:
 * not installed, SIGILL (CPU lacks AVX), missing CUDA libraries, no GPU, timeout.
 */
export function probeNativePackage(pkg: string, wantGpu: boolean, timeoutMs = 30_000): Promise<ProbeResult> {
  let resolved: string;
  try {
    resolved = nodeRequire.resolve(pkg);
  } catch {
    return Promise.resolve({ ok: false, reason: `${pkg} is not installed (optional dependency; its libtensorflow download may have failed)` });
  }
  const script = `
    const tf = require(${JSON.stringify(resolved)});
    tf.enableProdMode();
    const v = tf.tensor([1, 2, 3]).square().sum().dataSync()[0];
    const gpu = tf.backend() && tf.backend().isUsingGpuDevice;
    let lib;
    try { lib = tf.backend().binding.TF_Version; } catch {}
    process.stdout.write(JSON.stringify({ v, gpu: !!gpu, version: tf.version && tf.version['tfjs-node'], lib }));
  `;
  return runProbeChild(['-e', script], { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, timeoutMs).then((r) => {
    if (r.error) return { ok: false, reason: `could not start the probe: ${r.error.message}` };
    if (r.timedOut) return { ok: false, reason: `${pkg} did not load within ${timeoutMs / 1000} s` };
    return interpretProbe(pkg, wantGpu, r.code, r.signal, r.stdout, r.stderr);
  });
}

/** Pure: turns a probe's exit into a reason. Exported for tests. */
export function interpretProbe(
  pkg: string,
  wantGpu: boolean,
  code: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
): ProbeResult {
  if (signal === 'SIGILL')
    return { ok: false, reason: `${pkg} crashed with SIGILL: this CPU lacks instructions (AVX) the prebuilt libtensorflow needs` };
  if (signal) return { ok: false, reason: `${pkg} crashed with ${signal} while loading` };
  const cuda = /(libcudart|libcudnn|libcublas|libcuda)[\w.]*/.exec(stderr);
  if (cuda) return { ok: false, reason: `${pkg} needs CUDA libraries that are missing (${cuda[0]}); install CUDA 11.x and cuDNN 8` };
  if (/Cannot find module/.test(stderr)) {
    const m = /Cannot find module '([^']+)'/.exec(stderr);
    return { ok: false, reason: `${pkg} is incomplete: cannot find ${m ? m[1] : 'a module'} (libtensorflow not downloaded?)` };
  }
  if (code !== 0) {
    const last = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${code}`;
    return { ok: false, reason: `${pkg} failed to load: ${last}` };
  }
  try {
    const r = JSON.parse(stdout) as { v: number; gpu: boolean; lib?: string };
    if (r.v !== 14) return { ok: false, reason: `${pkg} computed a wrong result (${r.v})` };
    if (wantGpu && !r.gpu) return { ok: false, reason: `${pkg} loaded but TensorFlow sees no CUDA GPU` };
    return { ok: true, reason: `${pkg} loaded${typeof r.lib === 'string' ? ` (libtensorflow ${r.lib})` : ''}` };
  } catch {
    return { ok: false, reason: `${pkg} probe printed no result` };
  }
}
