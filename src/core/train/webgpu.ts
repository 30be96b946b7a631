/**
 * WebGPU from npm alone: `@tensorflow/tfjs-backend-webgpu` on Dawn's Node binding (the
 * `webgpu` package ships a prebuilt `dawn.node`; no download at install, no CUDA).
 *
 * Dawn picks a native API: Vulkan on Linux and Windows (an NVIDIA/AMD/Intel driver's
 * ICD), Metal on macOS, D3D12 on Windows; `DAWN_TRIES` asks for that first. Where no such
 * adapter exists it tries OpenGL ES at WebGPU's `compatibility` feature level: that is
 * what a machine without a GPU has through Mesa (the software rasteriser llvmpipe; Mesa's
 * software Vulkan, lavapipe, is rejected by Dawn). A software adapter is correct but slow
 * — good for tests, never for speed — so it is only used when asked for
 * (`allowSoftware`, or BLOBS_WEBGPU_SOFTWARE=1) and `auto` never picks it.
 *
 * Loading order matters: tfjs-backend-webgpu registers itself at import only if
 * `navigator.gpu` exists, and its kernels read WebGPU's global constants
 * (`GPUBufferUsage`, `GPUMapMode`); both are installed before it is imported. The
 * backend's own adapter request is answered with the adapter chosen here.
 *
 * Like the native bindings, Dawn is first exercised in a throw-away child (`probeWebgpu`):
 * a broken driver can crash the process that loads it.
 */

import { runProbeChild } from './probeChild';
import { pathToFileURL } from 'node:url';
import type { Tf } from './backends';

export type FeatureLevel = 'core' | 'compatibility';

/** One way of asking Dawn for an adapter. */
export interface DawnTry {
  /** Dawn's `backend=` option (vulkan, metal, d3d12, opengles, ...); unset = Dawn's default. */
  backend?: string;
  featureLevel: FeatureLevel;
}

/** Tried in order; the first hardware adapter wins (see the header). */
export const DAWN_TRIES: readonly DawnTry[] = [
  { featureLevel: 'core' },
  { backend: 'opengles', featureLevel: 'compatibility' },
];

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The try that found it: Dawn's backend option ('default' = the platform's API). */
  backend: string;
  featureLevel: FeatureLevel;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP): correct, slow. */
  software: boolean;
}

export interface WebgpuProbe {
  ok: boolean;
  /** Why not, or what was found. */
  reason: string;
  /** The adapter to use (ok), or the software one that was found and refused. */
  adapter?: AdapterInfo;
  /** The try that gave `adapter`: pass it to `loadWebgpu`. */
  use?: DawnTry;
  /** Every try, in order, with what it gave. */
  tries: { try: DawnTry; adapter?: AdapterInfo; error?: string }[];
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(info: Pick<AdapterInfo, 'vendor' | 'device' | 'description'>): boolean {
  return SOFTWARE.test(`${info.vendor} ${info.device} ${info.description}`);
}

/** "llvmpipe (OpenGL ES 3.2 Mesa 22.3.6), opengles, software" */
export function describeAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.device].filter(Boolean).join(' ') || 'unnamed adapter';
  const desc = a.description && !a.description.includes(name) ? ` (${a.description})` : '';
  const api = a.backend === 'default' ? '' : `, ${a.backend}`;
  return `${name}${desc}${api}${a.featureLevel === 'compatibility' ? ', compatibility mode' : ''}${a.software ? ', software rendering' : ''}`;
}

/** BLOBS_WEBGPU_BACKEND=vulkan|opengles|... narrows the tries to that one Dawn backend. */
export function dawnTries(env: NodeJS.ProcessEnv = process.env): DawnTry[] {
  const only = env.BLOBS_WEBGPU_BACKEND?.trim().toLowerCase();
  if (!only) return [...DAWN_TRIES];
  const gl = only === 'opengles' || only === 'opengl';
  return [{ backend: only, featureLevel: gl ? 'compatibility' : 'core' }];
}

export function softwareAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.BLOBS_WEBGPU_SOFTWARE === '1';
}

const dawnArgs = (t: DawnTry) => (t.backend ? [`backend=${t.backend}`] : []);

/**
 * Chooses from a probe's tries (pure; exported for tests): the first hardware adapter
 * whose device ran the probe's shader; else, when allowed, the first software one.
 */
export function chooseAdapter(tries: WebgpuProbe['tries'], allowSoftware: boolean): WebgpuProbe {
  const working = tries.filter((t) => t.adapter && !t.error);
  const hw = working.find((t) => !t.adapter!.software);
  const sw = working.find((t) => t.adapter!.software);
  const pick = hw ?? (allowSoftware ? sw : undefined);
  if (pick) return { ok: true, reason: `WebGPU adapter: ${describeAdapter(pick.adapter!)}`, adapter: pick.adapter, use: pick.try, tries };
  if (sw)
    return {
      ok: false,
      reason: `only a software WebGPU adapter was found (${describeAdapter(sw.adapter!)}): correct but slower than the CPU backends; set BLOBS_WEBGPU_SOFTWARE=1 to use it anyway`,
      adapter: sw.adapter,
      tries,
    };
  const what = tries.map((t) => `${t.try.backend ?? 'default'}: ${t.error ?? 'no adapter'}`).join('; ');
  return { ok: false, reason: `no WebGPU adapter (${what})`, tries };
}

// ---------------------------------------------------------------------------
// The probe: a child process finds adapters and runs one compute shader on each.

// `require` exists in the CJS bundle and under tsx; `webgpu` is an esbuild external.
const nodeRequire: NodeRequire = require;

/** Where the `webgpu` package is, or undefined when it is not installed. */
export function resolveDawn(): string | undefined {
  try {
    return nodeRequire.resolve('webgpu');
  } catch {
    return undefined;
  }
}

/**
 * The child's script (an ES module: `webgpu` is one). For each try: adapter, device, a
 * shader that doubles 64 floats, read back and checked. It stops at the first hardware
 * adapter that works. Prints one JSON line; exits explicitly (Dawn may hold the loop).
 */
function probeScript(entry: string, tries: DawnTry[]): string {
  return `
const SOFTWARE = ${SOFTWARE.toString()};
const { create, globals } = await import(${JSON.stringify(pathToFileURL(entry).href)});
Object.assign(globalThis, globals);
const out = [];
const keep = []; // Dawn instances must outlive their pending events (a collected one crashes dawn.node)
for (const t of ${JSON.stringify(tries)}) {
  const rec = { try: t };
  out.push(rec);
  try {
    const gpu = create(t.backend ? ['backend=' + t.backend] : []);
    keep.push(gpu);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: t.featureLevel });
    if (!adapter) { rec.error = 'no adapter'; continue; }
    const i = adapter.info || {};
    const a = { vendor: i.vendor || '', architecture: i.architecture || '', device: i.device || '', description: i.description || '',
      backend: t.backend || 'default', featureLevel: t.featureLevel };
    a.software = SOFTWARE.test(a.vendor + ' ' + a.device + ' ' + a.description);
    rec.adapter = a;
    const device = await adapter.requestDevice();
    const n = 64;
    const module = device.createShaderModule({ code: '@group(0) @binding(0) var<storage, read_write> v: array<f32>; @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { v[id.x] = v[id.x] * 2.0; }' });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, Float32Array.from({ length: n }, (_, k) => k));
    const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const v = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    device.destroy();
    const bad = v.findIndex((x, k) => x !== 2 * k);
    if (bad >= 0) { rec.error = 'a compute shader gave a wrong result (' + v[bad] + ' for ' + 2 * bad + ')'; continue; }
    if (!a.software) break;
  } catch (e) {
    rec.error = String(e && e.message || e).split('\\n')[0];
  }
}
process.stdout.write(JSON.stringify(out) + '\\n', () => process.exit(0));
`;
}

/**
 * Looks for a WebGPU adapter in a child process. Never throws; never crashes this one.
 * `EGL_PLATFORM=surfaceless` (unless set) lets Mesa's EGL start without a display.
 */
export function probeWebgpu(opts: { allowSoftware?: boolean; tries?: DawnTry[]; timeoutMs?: number } = {}): Promise<WebgpuProbe> {
  const tries = opts.tries ?? dawnTries();
  const allowSoftware = opts.allowSoftware ?? softwareAllowed();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const entry = resolveDawn();
  if (!entry) return Promise.resolve({ ok: false, reason: 'the `webgpu` package (Dawn) is not installed (optional dependency)', tries: [] });
  const env = { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' };
  return runProbeChild(['--input-type=module', '-e', probeScript(entry, tries)], env, timeoutMs).then((r) =>
    r.error ? { ok: false, reason: `could not start the WebGPU probe: ${r.error.message}`, tries: [] } : interpretWebgpuProbe({ ...r, timeoutMs, allowSoftware }),
  );
}

/** Pure: a probe child's exit → WebgpuProbe. Exported for tests. */
export function interpretWebgpuProbe(r: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  timeoutMs?: number;
  allowSoftware: boolean;
}): WebgpuProbe {
  if (r.timedOut) return { ok: false, reason: `Dawn did not answer within ${(r.timeoutMs ?? 0) / 1000} s (a hung GPU driver?)`, tries: [] };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let tries: WebgpuProbe['tries'] | undefined;
  try {
    tries = JSON.parse(line) as WebgpuProbe['tries'];
  } catch {
    /* no result: explained below */
  }
  if (!Array.isArray(tries)) {
    if (r.signal) return { ok: false, reason: `the WebGPU probe crashed with ${r.signal} (GPU driver?)`, tries: [] };
    const last = r.stderr.trim().split('\n').filter((l) => l && !/^\s+at /.test(l) && !/^Warning:/.test(l)).pop();
    return { ok: false, reason: `the WebGPU probe failed: ${last ?? `exit code ${r.code}`}`, tries: [] };
  }
  return chooseAdapter(tries, r.allowSoftware);
}

// ---------------------------------------------------------------------------
// Loading in this process

/** The little of WebGPU's API used here (no dependency on @webgpu/types). */
interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string };
}
interface DawnGpu {
  requestAdapter(o: { powerPreference: string; featureLevel: FeatureLevel }): Promise<DawnAdapter | null>;
  wgslLanguageFeatures: unknown;
}

let loaded: Promise<AdapterInfo> | undefined;
/**
 * Dawn's instance, held for the life of the process. Without this reference the GPU
 * object is garbage-collected while dawn.node still has event processing scheduled for
 * its instance: a use-after-free (SIGSEGV in InstanceBase::ProcessEvents, seen here).
 */
const instances: DawnGpu[] = [];

/**
 * Makes `tf` run on WebGPU with the adapter `use` found (a probe already ran it). Once
 * per process: the backend module registers itself once, and Dawn's instance lives as
 * long as the process.
 */
export async function loadWebgpu(tf: Tf, use: DawnTry): Promise<AdapterInfo> {
  loaded ??= (async () => {
    const entry = resolveDawn();
    if (!entry) throw new Error('the `webgpu` package (Dawn) is not installed');
    process.env.EGL_PLATFORM ??= 'surfaceless';
    const dawn = (await import(pathToFileURL(entry).href)) as { create(args: string[]): DawnGpu; globals: object };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create(dawnArgs(use));
    instances.push(gpu);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: use.featureLevel });
    if (!adapter) throw new Error(`Dawn found no adapter this time (${use.backend ?? 'default'}, ${use.featureLevel})`);
    installNavigatorGpu(gpu, adapter);
    await import('@tensorflow/tfjs-backend-webgpu');
    const i = adapter.info;
    const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description };
    return { ...info, backend: use.backend ?? 'default', featureLevel: use.featureLevel, software: isSoftwareAdapter(info) };
  })();
  let info: AdapterInfo;
  try {
    info = await loaded;
  } catch (e) {
    loaded = undefined;
    throw e;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
  await tf.ready();
  return info;
}

/**
 * `navigator.gpu` for tfjs-backend-webgpu: its adapter request gets ours (whatever
 * options it passes: it knows nothing of Dawn's backends or feature levels). Node ≥ 21
 * has a `navigator` of its own; the property is added to it rather than replacing it.
 */
function installNavigatorGpu(gpu: DawnGpu, adapter: DawnAdapter): void {
  const shim = {
    requestAdapter: async () => adapter,
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: shim, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: shim }, configurable: true, writable: true });
}
