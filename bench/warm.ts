/**
 * "Train again" in process-tree terms: from asking for a run to its `done` event, for
 * the notebook spec, in a fresh trainer process each time (cold: what every run paid
 * before the pool) and in the pool's warm process (src/trainer/pool.ts), alternating
 * rounds, medians. Uses the built trainer (`npm run build` first: dist/trainer.js). The
 * real-VS-Code figure (click → done in the extension host) is the e2e benchmark's.
 *
 *   node --import tsx bench/warm.ts [--rounds 7] [--spec examples/notebook.blobs.json] [--artifacts]

 * `--artifacts`: each run writes its run folder (model, figures: what the extension asks
 * for) into a temporary folder, removed at the end.
 *
 * Indicative on a shared machine.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainerClient } from '../src/trainer/client';
import { TrainerPool } from '../src/trainer/pool';
import { newRunId } from '../src/core/run/id';

const argv = process.argv.slice(2);
const arg = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const rounds = Number(arg('--rounds', '7'));
const root = join(__dirname, '..');
const specPath = join(root, arg('--spec', 'examples/notebook.blobs.json'));
const trainerPath = join(root, 'dist', 'trainer.js');
if (!existsSync(trainerPath)) throw new Error('build first: npm run build (dist/trainer.js)');
const outRoot = argv.includes('--artifacts') ? mkdtempSync(join(tmpdir(), 'bench-warm-')) : undefined;
const options = outRoot ? { outDir: join(outRoot, 'runs'), allowedRoot: outRoot } : {};
/** A fresh request per run: each run has its own id (the host's, as in the extension). */
const request = () => ({ runId: newRunId(), specText: readFileSync(specPath, 'utf8'), specPath, options });

async function cold(): Promise<{ first: number; done: number }> {
  const t0 = performance.now();
  let first = 0;
  const run = TrainerClient.start({ trainerPath }, request());
  for await (const e of run) {
    if (e.type === 'frame' && !first) first = performance.now() - t0;
    if (e.type === 'error') throw new Error(e.message);
  }
  const done = performance.now() - t0;
  await run.finished;
  return { first, done };
}

async function warm(pool: TrainerPool): Promise<{ first: number; done: number }> {
  await pool.whenWarm();
  // The pool re-warms nothing between runs: the process that just ran is the warm one.
  const t0 = performance.now();
  let first = 0;
  let done = 0;
  const run = pool.start(request());
  run.onEvent((e) => {
    if (e.type === 'frame' && !first) first = performance.now() - t0;
    if (e.type === 'done' || e.type === 'error' || e.type === 'cancelled') done = performance.now() - t0;
  });
  await run.done;
  return { first, done };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const pool = new TrainerPool({ trainerPath });
  await warm(pool); // the first run in the pool: what "Train" pays once the pool is warm
  const c: { first: number; done: number }[] = [];
  const w: { first: number; done: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    c.push(await cold());
    w.push(await warm(pool));
  }
  pool.dispose();
  if (outRoot) rmSync(outRoot, { recursive: true, force: true });
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log(`${specPath}, ${rounds} alternating rounds${outRoot ? ', run folders written' : ', no run folder'}`);
  console.log(`  cold (new process per run): first frame ${fmt(c.map((x) => x.first))}; done ${fmt(c.map((x) => x.done))}`);
  console.log(`  warm (pooled process):      first frame ${fmt(w.map((x) => x.first))}; done ${fmt(w.map((x) => x.done))}`);
  console.log(`  ratio of medians, done warm/cold: ${(median(w.map((x) => x.done)) / median(c.map((x) => x.done))).toFixed(2)}`);
})();
