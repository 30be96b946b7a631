/**
 * The native CPU backend from TensorFlow's own wheel, end to end: `blobs doctor
 * --native-from <wheel>` into a scratch project (tfjs-node installed through npm with the
 * libraries served locally, then rebuilt in place), checked against WASM, then `blobs
 * train --device cpu` on it against `--device wasm`.
 *
 * Needs a tensorflow-cpu wheel: BLOBS_TF_WHEEL=<file>, or one pip can download
 * (`pip download --no-deps tensorflow-cpu==2.21.0`, cached in .tools/wheels/, git-ignored);
 * skips with the reason when there is none. Slow (~1-2 min: compiling the binding twice).
 * The ~850 MB of libraries go into the scratch project, removed afterwards.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { missingBuildTools, tfjsNodeSpec } from '../../src/cli/nativeInstall';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import type { EpochEvent, TrainerEvent } from '../../src/core/protocol';

const root = join(__dirname, '..', '..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const WHEEL_SPEC = 'tensorflow-cpu==2.21.0';

/** A tensorflow-cpu wheel, or why there is none. */
function findWheel(): { wheel?: string; why: string } {
  if (process.env.BLOBS_TF_WHEEL) {
    const w = process.env.BLOBS_TF_WHEEL;
    return existsSync(w) ? { wheel: w, why: '' } : { why: `BLOBS_TF_WHEEL=${w} does not exist` };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') return { why: `the wheel's libraries are for Linux x64 (this is ${process.platform} ${process.arch})` };
  const cache = join(root, '.tools', 'wheels');
  const cached = () => (existsSync(cache) ? readdirSync(cache).find((f) => /^tensorflow_cpu-.*\.whl$/.test(f)) : undefined);
  if (cached()) return { wheel: join(cache, cached()!), why: '' };
  mkdirSync(cache, { recursive: true });
  const tried: string[] = [];
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-m', 'pip', 'download', '--no-deps', WHEEL_SPEC, '-d', cache, '--retries', '0', '--timeout', '15', '--disable-pip-version-check', '-q'], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (cached()) return { wheel: join(cache, cached()!), why: '' };
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { why: `no ${WHEEL_SPEC} wheel reachable (pip download: ${tried.join('; ')}); set BLOBS_TF_WHEEL to one to run this test` };
}

function blobs(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastJson = (s: string) => JSON.parse(s.trim().split('\n').pop()!);

describe('native CPU backend from a TensorFlow wheel', () => {
  let found: { wheel?: string; why: string };
  let proj: string;
  before(() => {
    found = findWheel();
    proj = mkdtempSync(join(tmpdir(), 'blobs-native-'));
  });
  after(() => rmSync(proj, { recursive: true, force: true }));

  test('blobs doctor --native-from: installs tfjs-node without its download, then rebuilds it in place; both agree with wasm', async (t) => {
    if (!found.wheel) return t.skip(found.why);
    const tools = missingBuildTools();
    if (tools.length) return t.skip(`cannot compile tfjs-node's binding here: ${tools.join(', ')} missing`);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'native-scratch', private: true, dependencies: { '@tensorflow/tfjs-node': tfjsNodeSpec(root) } }));

    const first = await blobs(['doctor', '--native-from', found.wheel, '--root', proj, '--json']);
    assert.equal(first.code, 0, `${first.stderr}\n${first.stdout}`);
    const a = lastJson(first.stdout).native;
    t.diagnostic(`first: ${a.action}, libtensorflow ${a.libtensorflow}, worst op difference from wasm ${a.worst}`);
    assert.equal(a.action, 'installed');
    assert.equal(a.backend, 'tensorflow');
    assert.equal(a.agrees, true);
    assert.ok(a.worst <= 1e-4);
    assert.ok(Object.keys(a.opDiffs).length >= 10);
    assert.ok(existsSync(join(proj, 'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2.9.1')));

    const second = await blobs(['doctor', '--native-from', found.wheel, '--root', proj, '--json']);
    assert.equal(second.code, 0, `${second.stderr}\n${second.stdout}`);
    const b = lastJson(second.stdout).native;
    assert.equal(b.action, 'rebuilt');
    assert.equal(b.agrees, true);
  });

  test('blobs train --device cpu runs on it and matches --device wasm', async (t) => {
    if (!found.wheel) return t.skip(found.why);
    if (!existsSync(join(proj, 'node_modules/@tensorflow/tfjs-node/lib'))) return t.skip('the doctor test did not build tfjs-node');
    // The engine resolves @tensorflow/tfjs-node from this checkout first, then NODE_PATH.
    const env = { ...process.env, NODE_PATH: join(proj, 'node_modules') };
    const specs = {
      notebook: { ...NOTEBOOK_SPEC, training: { ...NOTEBOOK_SPEC.training, epochs: 50 } },
      relu: { ...NOTEBOOK_SPEC, model: { hidden_units: [16, 16], activation: 'relu' }, training: { ...NOTEBOOK_SPEC.training, epochs: 8, batch_size: 64, momentum: 0.9, lr: 0.05 } },
    };
    for (const [name, spec] of Object.entries(specs)) {
      const file = join(proj, `${name}.blobs.json`);
      writeFileSync(file, JSON.stringify(spec));
      const run = async (device: string) => {
        const r = await blobs(['train', file, '--device', device, '--json', '--no-frames', '--no-save'], env);
        assert.equal(r.code, 0, `${device}: ${r.stderr}`);
        const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
        const start = events.find((e) => e.type === 'start') as Extract<TrainerEvent, { type: 'start' }>;
        return { backend: start.backend, epochs: events.filter((e): e is EpochEvent => e.type === 'epoch') };
      };
      const native = await run('cpu');
      const wasm = await run('wasm');
      assert.equal(native.backend, 'tensorflow');
      assert.equal(native.epochs.length, wasm.epochs.length);
      let worst = 0;
      native.epochs.forEach((e, i) => {
        for (const k of ['trainLoss', 'testLoss'] as const) worst = Math.max(worst, Math.abs(e[k] - wasm.epochs[i][k]) / Math.max(1e-3, Math.abs(wasm.epochs[i][k])));
      });
      t.diagnostic(`${name}: worst relative loss difference native vs wasm over ${wasm.epochs.length} epochs: ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `${name}: losses differ by ${worst}`);
    }
  });
});
