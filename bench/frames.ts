/**
 * What recording boundary frames costs the trainer: the same spec with the default frame
 * cadence (`boundary.every: "auto"`: every epoch of a short run, ~200 over a long one)
 * and without frames (only the untrained and the final one, which every run has), in
 * alternating rounds in one process (machine noise hits both alike); medians and the
 * ratio of medians. In-process (runSpec), the backend the spec picks (wasm here).
 *
 *   node --import tsx bench/frames.ts [--rounds 7] [--specs examples/notebook.blobs.json,examples/circles-relu.blobs.json]
 *
 * Indicative on a shared machine: compare the ratio, not the milliseconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSpec } from '../src/core/train/run';

const argv = process.argv.slice(2);
const arg = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const rounds = Number(arg('--rounds', '7'));
const specs = arg('--specs', 'examples/notebook.blobs.json,examples/circles-relu.blobs.json').split(',');
const root = join(__dirname, '..');

async function once(specText: string, specPath: string): Promise<{ ms: number; frames: number; trainMs: number }> {
  const t0 = performance.now();
  let frames = 0;
  let trainMs = 0;
  for await (const e of runSpec(specText, specPath, {})) {
    if (e.type === 'frame') frames++;
    if (e.type === 'done') trainMs = e.summary.train_wall_s * 1000;
    if (e.type === 'error') throw new Error(e.message);
  }
  return { ms: performance.now() - t0, frames, trainMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  for (const rel of specs) {
    const path = join(root, rel);
    const spec = JSON.parse(readFileSync(path, 'utf8'));
    const withFrames = JSON.stringify({ ...spec, boundary: { ...spec.boundary, every: 'auto' } });
    const without = JSON.stringify({ ...spec, boundary: { ...spec.boundary, every: 1_000_000 } });
    await once(withFrames, path); // warm-up: backend, JIT
    await once(without, path);
    const a: { ms: number; frames: number; trainMs: number }[] = [];
    const b: { ms: number; frames: number; trainMs: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await once(withFrames, path));
      b.push(await once(without, path));
    }
    const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
    const ratio = median(a.map((x) => x.trainMs)) / median(b.map((x) => x.trainMs));
    console.log(`${rel}: ${spec.training?.epochs ?? 100} epochs, resolution ${spec.boundary?.resolution ?? 101}`);
    console.log(`  with frames (auto):   training ${fmt(a.map((x) => x.trainMs))}, whole run ${fmt(a.map((x) => x.ms))}, ${median(a.map((x) => x.frames))} frames`);
    console.log(`  without (first/last): training ${fmt(b.map((x) => x.trainMs))}, whole run ${fmt(b.map((x) => x.ms))}, ${median(b.map((x) => x.frames))} frames`);
    console.log(`  ratio of medians, training with/without frames: ${ratio.toFixed(2)}; whole run: ${(median(a.map((x) => x.ms)) / median(b.map((x) => x.ms))).toFixed(2)}`);
  }
})();
