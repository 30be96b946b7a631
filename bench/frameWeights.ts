/**
 * What the weights on every frame (protocol FrameEvent.weights, for the network view and
 * the probe) cost the trainer: time to read and encode them per frame, next to the whole
 * frame's cost, and the bytes they add, for the examples' nets on wasm and js.
 *
 *   node --import tsx bench/frameWeights.ts [--reps N]
 *
 * Interleaved (A, B, A, B...) so machine load hits both sides alike; the ratio is the figure.
 */
import { defaultLoaders, type Tf } from '../src/core/train/backends';
import { FrameMaker, frameWeights } from '../src/core/train/frames';
import { kernels } from '../src/core/train/kernels';
import { buildNet, disposeNet, paramCount } from '../src/core/train/model';
import type { Dataset } from '../src/core/data/dataset';

const argv = process.argv.slice(2);
const reps = Number(argv[argv.indexOf('--reps') + 1]) || 300;

const NETS: [string, number[]][] = [
  ['notebook 2-8-8-4', [2, 8, 8, 4]],
  ['circles 2-10-10-2', [2, 10, 10, 2]],
  ['moons 2-16-16-2', [2, 16, 16, 2]],
  ['many-classes 2-32-32-10', [2, 32, 32, 10]],
];

function blobs(n: number, k: number): Dataset {
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 20 - 10;
  return { X: new Float64Array(n * 2).map(r), y: new Int32Array(n).map((_, i) => i % k), n, d: 2 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function run(name: string, tf: Tf): Promise<void> {
  const k = kernels(tf);
  for (const [label, sizes] of NETS) {
    const classes = sizes.at(-1)!;
    const train = blobs(800, classes);
    const test = blobs(200, classes);
    const net = buildNet(tf, sizes, 'relu', 42);
    const fm = new FrameMaker(tf, k, { xMin: -10, xMax: 10, yMin: -10, yMax: 10 }, 101, {
      train, test, trainIdx: [...Array(800).keys()], testIdx: [...Array(200).keys()], featureNames: ['x1', 'x2'],
    });
    for (let i = 0; i < 20; i++) fm.frame(net, 1); // warm-up
    const frameMs: number[] = [];
    const weightsMs: number[] = [];
    let bytes = 0;
    let frameBytes = 0;
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      const f = fm.frame(net, 1);
      frameMs.push(performance.now() - t);
      t = performance.now();
      const w = await frameWeights(net);
      weightsMs.push(performance.now() - t);
      bytes = w?.length ?? 0;
      frameBytes = JSON.stringify(f).length;
    }
    const fw = median(weightsMs);
    const ff = median(frameMs);
    console.log(
      `${name.padEnd(5)} ${label.padEnd(24)} ${String(paramCount(sizes)).padStart(5)} params: ` +
        `weights ${(fw * 1000).toFixed(1)} µs of a ${ff.toFixed(3)} ms frame (${((100 * fw) / (ff - fw)).toFixed(1)} % extra), ` +
        `${bytes} B of base64 in a ${frameBytes} B frame (${((100 * bytes) / (frameBytes - bytes)).toFixed(1)} % extra)`,
    );
    fm.dispose();
    disposeNet(net);
  }
}

async function main(): Promise<void> {
  console.log(`frame weights: median of ${reps} frames at 101 x 101 with 1,000 points (the extra over a frame without weights)`);
  await run('wasm', await defaultLoaders.loadWasm());
  await run('js', await defaultLoaders.loadJs());
}

void main();
