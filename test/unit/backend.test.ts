import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './tempDir';
import {
  defaultLoaders,
  DeviceUnavailableError,
  GPU_THRESHOLDS,
  gpuWorthIt,
  stepFlops,
  interpretProbe,
  loadBackend,
  probeNativePackage,
  wasmDir,
  type BackendLoaders,
  type NativeDevice,
  type Tf,
  type Workload,
} from '../../src/core/train/backends';
import type { AdapterInfo } from '../../src/core/train/webgpu';

/** Substituted loaders: each "tf" is a tagged stub; records what was probed/loaded. */
function fakeLoaders(avail: { gpu?: string | true; cpu?: string | true; webgpu?: string | true; wasm?: boolean }) {
  const calls: string[] = [];
  const stub = (name: string) => ({ stub: name }) as unknown as Tf;
  const adapter: AdapterInfo = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: '', backend: 'default', featureLevel: 'core', software: false };
  const loaders: BackendLoaders = {
    async probeNative(d: NativeDevice) {
      calls.push(`probe:${d}`);
      const a = avail[d];
      return a === true ? { ok: true, reason: 'ok' } : { ok: false, reason: a ?? `${d} not installed` };
    },
    async loadNative(d) {
      calls.push(`load:${d}`);
      return stub(d);
    },
    async probeWebgpu() {
      calls.push('probe:webgpu');
      const a = avail.webgpu;
      return a === true ? { ok: true, reason: 'ok', adapter, use: { featureLevel: 'core' }, tries: [] } : { ok: false, reason: a ?? 'the `webgpu` package (Dawn) is not installed', tries: [] };
    },
    async loadWebgpu() {
      calls.push('load:webgpu');
      return { tf: stub('webgpu'), adapter };
    },
    async loadWasm() {
      calls.push('load:wasm');
      if (avail.wasm === false) throw new Error('wasm binary missing');
      return stub('wasm');
    },
    async loadJs() {
      calls.push('load:js');
      return stub('js');
    },
  };
  return { loaders, calls };
}

const tiny: Workload = { params: 132, nTrain: 800, nTest: 200 }; // the notebook
const mid: Workload = { params: 5_000, nTrain: 80_000, nTest: 20_000 };
const huge: Workload = { params: 600_000, nTrain: 800_000, nTest: 200_000 };
// bench workloads 3a/3b/4: [2, 64, 64, 4] ReLU = 4,612 parameters
const w3a: Workload = { params: 4_612, nTrain: 80_000, nTest: 20_000, batchRows: 1_024, epochs: 3 };
const w3b: Workload = { params: 4_612, nTrain: 80_000, nTest: 20_000, epochs: 10 };
const w4: Workload = { params: 4_612, nTrain: 800_000, nTest: 200_000, batchRows: 4_096, epochs: 2 };
const tag = (tf: Tf) => (tf as unknown as { stub: string }).stub;

describe('device selection (substituted loaders)', () => {
  test('auto, small steps: wasm without probing the natives (per-op overhead decides, measured)', async () => {
    const { loaders, calls } = fakeLoaders({ gpu: true, cpu: true, webgpu: true });
    // [32, 32] ReLU in batches of 256: 2e6 FLOP per step, tfjs-node 2.4x slower than wasm here.
    const b = await loadBackend('auto', { params: 1_348, nTrain: 8_000, nTest: 2_000, batchRows: 256, epochs: 1_000 }, loaders);
    assert.equal(b.device, 'wasm');
    assert.deepEqual(calls, ['load:wasm']);
    const big = fakeLoaders({ cpu: true });
    assert.equal((await loadBackend('auto', w3a, big.loaders)).device, 'cpu', '3a: 2.8e7 FLOP per step');
  });

  test('auto, tiny model: wasm without probing the natives', async () => {
    const { loaders, calls } = fakeLoaders({ gpu: true, cpu: true });
    const b = await loadBackend('auto', tiny, loaders);
    assert.equal(b.device, 'wasm');
    assert.equal(b.backend, 'wasm');
    assert.equal(tag(b.tf), 'wasm');
    assert.match(b.reason, /^auto: wasm .*132 parameters/);
    assert.deepEqual(calls, ['load:wasm']);
  });

  test('auto, huge model with a working GPU: gpu', async () => {
    const { loaders } = fakeLoaders({ gpu: true, cpu: true });
    const b = await loadBackend('auto', huge, loaders);
    assert.equal(b.device, 'gpu');
    assert.equal(b.backend, 'tensorflow');
    assert.match(b.reason, /auto: gpu/);
  });

  test('auto, huge model, GPU probe fails: native cpu', async () => {
    const { loaders, calls } = fakeLoaders({ gpu: 'libcudart.so.11.0 missing', cpu: true });
    const b = await loadBackend('auto', huge, loaders);
    assert.equal(b.device, 'cpu');
    assert.deepEqual(calls, ['probe:gpu', 'probe:webgpu', 'probe:cpu', 'load:cpu']);
  });

  test('auto, mid model: native cpu crashed with SIGILL -> wasm, reason names the crash', async () => {
    const { loaders, calls } = fakeLoaders({ cpu: '@tensorflow/tfjs-node crashed with SIGILL' });
    const b = await loadBackend('auto', { ...mid, batchRows: 2_048 }, loaders);
    assert.equal(b.device, 'wasm');
    assert.match(b.reason, /SIGILL/);
    assert.ok(!calls.includes('probe:gpu'), 'a one-epoch run does not consider the GPU');
  });

  test('auto: wasm fails to load -> js', async () => {
    const { loaders } = fakeLoaders({ wasm: false });
    const b = await loadBackend('auto', tiny, loaders);
    assert.equal(b.device, 'js');
    assert.equal(b.backend, 'cpu');
    assert.match(b.reason, /wasm binary missing/);
  });

  test('explicit gpu that is unavailable: DeviceUnavailableError naming every route tried, no fallback', async () => {
    const { loaders, calls } = fakeLoaders({ gpu: 'needs CUDA libraries that are missing (libcudart.so.11.0)', webgpu: 'no WebGPU adapter (default: no adapter)' });
    await assert.rejects(loadBackend('gpu', tiny, loaders), (e: unknown) => {
      assert.ok(e instanceof DeviceUnavailableError);
      assert.equal(e.device, 'gpu');
      assert.match(e.message, /device "gpu" is unavailable: tried tfjs-node-gpu: .*libcudart.*; webgpu: no WebGPU adapter/);
      return true;
    });
    assert.deepEqual(calls, ['probe:gpu', 'probe:webgpu']);
  });

  test('explicit gpu: tfjs-node-gpu first; WebGPU when it does not load; the reason says which and why', async () => {
    const both = fakeLoaders({ gpu: true, webgpu: true });
    const cuda = await loadBackend('gpu', tiny, both.loaders);
    assert.equal(cuda.backend, 'tensorflow');
    assert.deepEqual(both.calls, ['probe:gpu', 'load:gpu']);
    const web = fakeLoaders({ gpu: '@tensorflow/tfjs-node-gpu is not installed', webgpu: true });
    const b = await loadBackend('gpu', tiny, web.loaders);
    assert.equal(b.device, 'gpu');
    assert.equal(b.backend, 'webgpu');
    assert.equal(tag(b.tf), 'webgpu');
    assert.equal(b.reason, 'requested: gpu, through WebGPU on nvidia NVIDIA H200 (tfjs-node-gpu is unavailable)');
  });

  test('auto considers a GPU only above the per-step and per-run work thresholds', async () => {
    assert.equal(gpuWorthIt({ ...tiny, epochs: 1_000_000 }), false); // the notebook, however long
    assert.equal(gpuWorthIt({ ...mid, epochs: 10 }), true); // full batch of 80,000 rows
    assert.equal(gpuWorthIt({ ...mid, epochs: 1 }), false); // one epoch cannot repay starting a GPU
    assert.equal(gpuWorthIt({ ...mid, batchRows: 32, epochs: 10 }), false); // same epochs, tiny steps
    assert.equal(gpuWorthIt(w3b), true);
    assert.equal(gpuWorthIt(w4), true);
    assert.equal(gpuWorthIt(w3a), false); // ~1 s on wasm in all
    assert.ok(stepFlops(w3a) >= GPU_THRESHOLDS.stepFlops, '3a steps alone would be big enough');
    const small = fakeLoaders({ webgpu: true });
    const b = await loadBackend('auto', { ...mid, batchRows: 32, epochs: 10 }, small.loaders);
    assert.equal(b.device, 'wasm');
    assert.ok(!small.calls.includes('probe:webgpu'), 'small steps: no GPU probe');
  });

  test('auto, big steps: WebGPU when tfjs-node-gpu is absent; a refused (software) adapter falls through to cpu/wasm', async () => {
    const { loaders, calls } = fakeLoaders({ webgpu: true });
    const b = await loadBackend('auto', w4, loaders);
    assert.equal(b.backend, 'webgpu');
    assert.match(b.reason, /^auto: gpu \(WebGPU on .*\) for a large model/);
    assert.deepEqual(calls, ['probe:gpu', 'probe:webgpu', 'load:webgpu']);
    const sw = fakeLoaders({ webgpu: 'only a software WebGPU adapter was found (llvmpipe)' });
    const c = await loadBackend('auto', w4, sw.loaders);
    assert.equal(c.device, 'wasm');
    assert.match(c.reason, /webgpu: only a software WebGPU adapter/);
  });

  test('explicit cpu that crashes with SIGILL is unavailable', async () => {
    const { loaders } = fakeLoaders({ cpu: interpretProbe('@tensorflow/tfjs-node', false, null, 'SIGILL', '', '').reason });
    await assert.rejects(loadBackend('cpu', tiny, loaders), /device "cpu" is unavailable: .*SIGILL.*AVX/);
  });

  test('explicit cpu/gpu that work are used even for tiny models', async () => {
    const { loaders } = fakeLoaders({ gpu: true, cpu: true, webgpu: true });
    assert.equal((await loadBackend('gpu', tiny, loaders)).device, 'gpu');
    assert.equal((await loadBackend('cpu', tiny, loaders)).device, 'cpu');
    const js = await loadBackend('js', tiny, loaders);
    assert.equal(js.backend, 'cpu');
    assert.equal(js.reason, 'requested: js');
  });

  test('explicit wasm that fails to load is unavailable (not replaced by js)', async () => {
    const { loaders, calls } = fakeLoaders({ wasm: false });
    await assert.rejects(loadBackend('wasm', tiny, loaders), /device "wasm" is unavailable: wasm binary missing/);
    assert.ok(!calls.includes('load:js'));
  });
});

describe('probe interpretation', () => {
  const pkg = '@tensorflow/tfjs-node-gpu';
  test('signals, CUDA, missing modules, exit codes, success', () => {
    assert.match(interpretProbe(pkg, true, null, 'SIGILL', '', '').reason, /SIGILL.*AVX/);
    assert.match(interpretProbe(pkg, true, null, 'SIGSEGV', '', '').reason, /crashed with SIGSEGV/);
    const cuda = interpretProbe(pkg, true, 1, null, '', 'Error: libcudart.so.11.0: cannot open shared object file');
    assert.match(cuda.reason, /CUDA libraries .*libcudart\.so\.11\.0/);
    const mod = interpretProbe(pkg, true, 1, null, '', "Error: Cannot find module '/x/lib/napi-v8/tfjs_binding.node'");
    assert.match(mod.reason, /cannot find .*tfjs_binding\.node/);
    assert.match(interpretProbe(pkg, true, 3, null, '', 'boom\nlast words\n').reason, /failed to load: last words/);
    assert.deepEqual(interpretProbe(pkg, true, 0, null, '{"v":14,"gpu":true}', '').ok, true);
    assert.match(interpretProbe(pkg, true, 0, null, '{"v":14,"gpu":false}', '').reason, /sees no CUDA GPU/);
    assert.equal(interpretProbe('@tensorflow/tfjs-node', false, 0, null, '{"v":14,"gpu":false}', '').ok, true);
  });

  test('real probe: a package that is not installed', async () => {
    const r = await probeNativePackage('@tensorflow/tfjs-node-not-a-package', false);
    assert.equal(r.ok, false);
    assert.match(r.reason, /not installed/);
  });

  test('real probe runs in a child process and reads its crash', async () => {
    // A "package" whose require kills its own process with SIGILL: stands in for
    // libtensorflow on a CPU without AVX.
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = tempDir('probe-');
    const file = join(dir, 'crash.js');
    writeFileSync(file, "process.kill(process.pid, 'SIGILL');");
    const r = await probeNativePackage(file, false);
    assert.equal(r.ok, false);
    assert.match(r.reason, /SIGILL/);
  });
});

describe('real loaders', () => {
  test('wasm files are found and the wasm backend runs', async () => {
    assert.ok(wasmDir().length > 0);
    const tf = await defaultLoaders.loadWasm();
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(Array.from(tf.tensor([1, 2]).square().dataSync()), [1, 4]);
    const js = await defaultLoaders.loadJs();
    assert.equal(js.getBackend(), 'cpu');
  });

  test('explicit native cpu here: unavailable with a reason (tfjs-node is not installed on this machine)', async (t) => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    if (installed) return t.skip('tfjs-node is installed here');
    await assert.rejects(loadBackend('cpu', tiny), /device "cpu" is unavailable: @tensorflow\/tfjs-node is not installed/);
  });
});
