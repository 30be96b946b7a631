/**
 * WebGPU (tfjs-backend-webgpu on Dawn): the adapter choice (pure), and — where Dawn finds
 * an adapter — the trainer on it against the WASM backend. Without a GPU that adapter is
 * Mesa's software OpenGL ES (llvmpipe; CI installs libegl1 libegl-mesa0 libgles2
 * libgl1-mesa-dri): correctness only, never speed.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defaultLoaders, type LoadedBackend, type Tf } from '../../src/core/train/backends';
import {
  chooseAdapter,
  dawnTries,
  describeAdapter,
  interpretWebgpuProbe,
  isSoftwareAdapter,
  loadWebgpu,
  probeWebgpu,
  type AdapterInfo,
  type WebgpuProbe,
} from '../../src/core/train/webgpu';
import { train } from '../../src/core/train/trainer';
import { buildDataset } from '../../src/core/data/build';
import { NOTEBOOK_SPEC, resolveSpec } from '../../src/core/spec/defaults';
import type { DoneEvent, EpochEvent, FrameEvent, TrainerEvent } from '../../src/core/protocol';
import type { BlobSpec } from '../../src/core/spec/types';

const llvmpipe: AdapterInfo = {
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  backend: 'opengles',
  featureLevel: 'compatibility',
  software: true,
};
const nvidia: AdapterInfo = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 570.86', backend: 'default', featureLevel: 'core', software: false };

describe('WebGPU adapter choice (pure)', () => {
  test('software rasterisers are recognised by name', () => {
    assert.equal(isSoftwareAdapter(llvmpipe), true);
    assert.equal(isSoftwareAdapter({ vendor: 'mesa', device: 'lavapipe', description: '' }), true);
    assert.equal(isSoftwareAdapter({ vendor: 'google', device: 'SwiftShader Device (Subzero)', description: '' }), true);
    assert.equal(isSoftwareAdapter(nvidia), false);
    assert.equal(isSoftwareAdapter({ vendor: 'amd', device: 'AMD Radeon RX 7900 XTX (RADV NAVI31)', description: 'radv Mesa 24' }), false);
  });

  test('a hardware adapter wins; a software one only when allowed, and the refusal says how to allow it', () => {
    const sw = { try: { backend: 'opengles', featureLevel: 'compatibility' as const }, adapter: llvmpipe };
    const hw = { try: { featureLevel: 'core' as const }, adapter: nvidia };
    const none = { try: { featureLevel: 'core' as const }, error: 'no adapter' };
    assert.equal(chooseAdapter([none, sw, hw], false).adapter, nvidia);
    assert.deepEqual(chooseAdapter([none, sw, hw], false).use, { featureLevel: 'core' });
    const refused = chooseAdapter([none, sw], false);
    assert.equal(refused.ok, false);
    assert.match(refused.reason, /only a software WebGPU adapter .*llvmpipe.*BLOBS_WEBGPU_SOFTWARE=1/);
    const allowed = chooseAdapter([none, sw], true);
    assert.equal(allowed.ok, true);
    assert.deepEqual(allowed.use, { backend: 'opengles', featureLevel: 'compatibility' });
    // A device whose shader failed does not count.
    assert.equal(chooseAdapter([{ ...hw, error: 'a compute shader gave a wrong result' }], false).ok, false);
    assert.match(chooseAdapter([none, { try: sw.try, error: 'no adapter' }], false).reason, /^no WebGPU adapter \(default: no adapter; opengles: no adapter\)$/);
  });

  test('probe exits: crash, hang, no result, a result', () => {
    const base = { code: 0, signal: null, stdout: '', stderr: '', allowSoftware: false };
    assert.match(interpretWebgpuProbe({ ...base, code: null, signal: 'SIGSEGV' }).reason, /crashed with SIGSEGV/);
    assert.match(interpretWebgpuProbe({ ...base, timedOut: true, timeoutMs: 30000 }).reason, /did not answer within 30 s/);
    const stderr = "Warning: Couldn't load Vulkan\n    at operator()\nError: dawn.node: cannot open shared object\n    at x\n";
    assert.match(interpretWebgpuProbe({ ...base, code: 1, stderr }).reason, /probe failed: Error: dawn\.node: cannot open/);
    const ok = interpretWebgpuProbe({ ...base, stdout: JSON.stringify([{ try: { featureLevel: 'core' }, adapter: nvidia }]) + '\n' });
    assert.equal(ok.ok, true);
    assert.match(ok.reason, /NVIDIA H200/);
  });

  test('BLOBS_WEBGPU_BACKEND narrows the tries; names read well', () => {
    assert.deepEqual(dawnTries({}), [{ featureLevel: 'core' }, { backend: 'opengles', featureLevel: 'compatibility' }]);
    assert.deepEqual(dawnTries({ BLOBS_WEBGPU_BACKEND: 'Vulkan' }), [{ backend: 'vulkan', featureLevel: 'core' }]);
    assert.deepEqual(dawnTries({ BLOBS_WEBGPU_BACKEND: 'opengles' }), [{ backend: 'opengles', featureLevel: 'compatibility' }]);
    assert.equal(describeAdapter(llvmpipe), 'llvmpipe-llvm-15-0-6-256-bits- (OpenGL version OpenGL ES 3.2 Mesa 22.3.6), opengles, compatibility mode, software rendering');
    assert.equal(describeAdapter(nvidia), 'nvidia NVIDIA H200 (NVIDIA: 570.86)');
  });
});

// ---------------------------------------------------------------------------
// The trainer on a real adapter

function spec(over: Partial<{ model: object; training: object; data: object }>): BlobSpec {
  const s = NOTEBOOK_SPEC;
  return resolveSpec({
    ...s,
    device: 'wasm',
    data: { ...s.data, ...over.data },
    model: { ...s.model, ...over.model },
    training: { ...s.training, ...over.training },
    boundary: { ...s.boundary, every: 25 },
  } as never);
}

async function run(s: BlobSpec, backend: LoadedBackend) {
  const events: TrainerEvent[] = [];
  for await (const e of train({ spec: s, runId: 't', data: buildDataset(s, process.cwd()), backend })) events.push(e);
  const end = events[events.length - 1];
  assert.equal(end.type, 'done', `${backend.backend} run ended with ${JSON.stringify(end).slice(0, 400)}`);
  return {
    epochs: events.filter((e): e is EpochEvent => e.type === 'epoch'),
    frames: events.filter((e): e is FrameEvent => e.type === 'frame'),
    done: end as DoneEvent,
  };
}

/** Largest |a - b| / max(|b|, 1e-3) over every epoch's four metrics. */
function worstRelDiff(a: EpochEvent[], b: EpochEvent[]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++)
    for (const k of ['trainLoss', 'testLoss'] as const) worst = Math.max(worst, Math.abs(a[i][k] - b[i][k]) / Math.max(Math.abs(b[i][k]), 1e-3));
  return worst;
}

describe('the trainer on WebGPU agrees with WASM', () => {
  let probe: WebgpuProbe;
  let gpu: LoadedBackend | undefined;
  let wasm: Tf;
  before(async () => {
    probe = await probeWebgpu({ allowSoftware: true });
    if (!probe.ok || !probe.use) return;
    wasm = await defaultLoaders.loadWasm();
    const tf = (await import('@tensorflow/tfjs')) as Tf;
    const adapter = await loadWebgpu(tf, probe.use);
    gpu = { tf, backend: 'webgpu', device: 'gpu', reason: `test: ${describeAdapter(adapter)}` };
    // A full collection now: Dawn's instance must survive it (a collected instance
    // crashed dawn.node at its next event processing, within seconds of loading).
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  });

  const cases: [string, Parameters<typeof spec>[0], number][] = [
    ['the notebook (linear, SGD, full batch, 100 epochs)', {}, 100],
    ['[16, 16] ReLU, SGD + momentum, mini-batches of 64', { model: { hidden_units: [16, 16], activation: 'relu' }, training: { epochs: 15, batch_size: 64, momentum: 0.9, lr: 0.05 } }, 15],
    ['[8] tanh, Adam + weight decay, mini-batches of 100', { model: { hidden_units: [8], activation: 'tanh' }, training: { epochs: 10, batch_size: 100, optimizer: 'adam', lr: 0.01, weight_decay: 1e-3 } }, 10],
  ];
  for (const [name, over, epochs] of cases) {
    test(name, async (t) => {
      if (!gpu) return t.skip(`no WebGPU adapter here (${probe.reason}); on Debian: apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri`);
      const s = spec(over);
      await wasm.setBackend('wasm');
      const ref = await run(s, { tf: wasm, backend: 'wasm', device: 'wasm', reason: 'test' });
      await gpu.tf.setBackend('webgpu');
      const got = await run(s, gpu);
      assert.equal(gpu.tf.getBackend(), 'webgpu');
      assert.equal(got.epochs.length, epochs);
      const rel = worstRelDiff(got.epochs, ref.epochs);
      t.diagnostic(`${probe.adapter ? describeAdapter(probe.adapter) : ''}: worst relative loss difference vs wasm over ${epochs} epochs: ${rel.toExponential(2)}; final train loss ${got.epochs[epochs - 1].trainLoss} vs ${ref.epochs[epochs - 1].trainLoss}`);
      // float32 on both sides, different summation orders: ~1e-7 per op, compounding over epochs.
      assert.ok(rel < 1e-4, `losses differ by up to ${rel} (relative)`);
      assert.ok(Math.abs(got.done.summary.test_acc - ref.done.summary.test_acc) <= 1 / 200 + 1e-12, 'test accuracy within one sample');
      // The boundary frames come from the same weights: nearly every grid cell agrees.
      const a = Buffer.from(got.frames.at(-1)!.cls, 'base64');
      const b = Buffer.from(ref.frames.at(-1)!.cls, 'base64');
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      assert.ok(same / a.length > 0.999, `boundary cells agreeing: ${same}/${a.length}`);
    });
  }
});
