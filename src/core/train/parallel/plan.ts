/**
 * How many threads a run's steps are split across, and why (the run header says both).
 *
 * `auto` (TrainerOptions.workers unset), for the js and wasm backends:
 *   - one thread when the whole run is small (< AUTO_WORKERS.minRunFlops): starting a
 *     worker (loading its backend) costs a fixed fraction of a second, which a short run
 *     does not win back;
 *   - otherwise one thread per core that is available AND idle: os.availableParallelism()
 *     cores, of which as many as were idle over a short sample (os.cpus() times) when the
 *     run starts. Every step ends in a barrier (all parts done, gradients summed, one
 *     update): a thread that shares its core with another busy process is descheduled
 *     for whole time slices, and every step then waits for it — on a busy machine two
 *     threads are slower than one;
 *   - and no more than keep each thread's share of a step above AUTO_WORKERS.minPartFlops,
 *     so the barrier's cost stays small beside the part's arithmetic.
 * Native backends (tfjs-node) run their own thread pool inside each kernel: one thread.
 * The thresholds come from bench/workers.ts (bench/loop-timings.md).
 *
 * Numbers: a run on N threads sums each step's gradient in N parts, so it equals a
 * one-thread run up to float summation order, and repeats bit for bit on the same N.
 * Since `auto` looks at the machine's idle cores, pin N (`--workers N`) to rerun a big
 * spec to the last bit on a machine whose load varies.
 */

import { availableParallelism, cpus } from 'node:os';
import type { TrainLoop } from '../loop';

export const AUTO_WORKERS = {
  /** Runs below this many FLOPs in all train on one thread. */
  minRunFlops: 1e10,
  /** Each thread's share of a step is at least this many FLOPs. */
  minPartFlops: 5e6,
  /** How long the idle cores are sampled for. */
  idleSampleMs: 150,
};

/** The most threads a run may be forced to (TrainerOptions.workers). */
export const MAX_WORKERS = 64;

export interface WorkersInput {
  /** TrainerOptions.workers; undefined = auto. */
  requested?: number;
  /** tf.getBackend(): 'wasm' and 'cpu' (js) can split; others run one thread. */
  backend: string;
  params: number;
  /** Rows per step: the batch size, or every training row for full batch. */
  stepRows: number;
  nTrain: number;
  nTest: number;
  epochs: number;
  /** os.availableParallelism(). */
  cores: number;
  /** Cores idle right now (idleCores()); undefined: not measured (taken as all). */
  idle?: number;
}

export interface WorkersPlan {
  count: number;
  reason: string;
}

function fmtFlops(f: number): string {
  if (f >= 1e9) return `${(f / 1e9).toFixed(1)} GFLOP`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(1)} MFLOP`;
  return `${(f / 1e3).toFixed(1)} kFLOP`;
}

/** FLOPs of one step: forward (2·params per row) and backward (4·params per row). */
export function stepFlops(params: number, rows: number): number {
  return 6 * params * rows;
}

/** The thread count for a run, and why. Pure. */
export function planWorkers(w: WorkersInput): WorkersPlan {
  const splits = w.backend === 'wasm' || w.backend === 'cpu';
  if (w.requested !== undefined) {
    if (w.requested > 1 && !splits) return { count: 1, reason: `requested: ${w.requested}, but the ${w.backend} backend runs its own threads inside each kernel: 1` };
    return { count: w.requested, reason: `requested: ${w.requested}` };
  }
  if (!splits) return { count: 1, reason: `auto: 1 (the ${w.backend} backend runs its own threads inside each kernel)` };
  const step = stepFlops(w.params, w.stepRows);
  const run = w.epochs * 2 * w.params * (3 * w.nTrain + w.nTest);
  const work = `~${fmtFlops(step)} per step, ~${fmtFlops(run)} in all`;
  if (w.cores < 2) return { count: 1, reason: 'auto: 1 (1 core available)' };
  if (run < AUTO_WORKERS.minRunFlops) return { count: 1, reason: `auto: 1 (${work}: too little to pay for starting workers)` };
  const byStep = Math.max(1, Math.floor(step / AUTO_WORKERS.minPartFlops));
  if (byStep === 1) return { count: 1, reason: `auto: 1 (${work}: steps too small to split)` };
  const idle = w.idle === undefined ? w.cores : Math.max(1, Math.min(w.cores, Math.round(w.idle)));
  const cores = w.idle === undefined ? `${w.cores} cores` : `${w.cores} cores, ${w.idle.toFixed(1)} idle`;
  if (idle === 1) return { count: 1, reason: `auto: 1 (${cores}: the others are busy; ${work})` };
  const count = Math.min(idle, byStep);
  const limit = count < idle ? `${cores}; steps of ${fmtFlops(step)} split ${count} ways at most` : cores;
  return { count, reason: `auto: ${count} (${limit}; ${work})` };
}

/**
 * Cores free for this run over the next `ms`: each CPU's idle share of its time
 * (os.cpus()), summed, plus what this process itself used meanwhile (V8's background
 * threads, e.g. a collection after building a big dataset, are not another process).
 */
export async function idleCores(ms = AUTO_WORKERS.idleSampleMs): Promise<number> {
  const total = (t: ReturnType<typeof cpus>[number]['times']) => t.user + t.nice + t.sys + t.idle + t.irq;
  const a = cpus();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const own = process.cpuUsage(own0);
  const wall = performance.now() - t0;
  const b = cpus();
  let idle = 0;
  b.forEach((c, i) => {
    const before = a[i]?.times;
    if (!before) return;
    const dt = total(c.times) - total(before);
    if (dt > 0) idle += (c.times.idle - before.idle) / dt;
  });
  return Math.min(b.length, idle + (own.user + own.system) / 1000 / wall);
}

/**
 * Plans the run's threads on this machine (its cores, and for `auto` how many are idle
 * now) and starts them on `loop`. An `auto` plan whose workers fail to start falls back
 * to one thread (the reason says so); a requested count that fails throws.
 */
export async function startWorkers(loop: TrainLoop, input: Omit<WorkersInput, 'cores' | 'idle'>): Promise<WorkersPlan> {
  const w: WorkersInput = { ...input, cores: availableParallelism() };
  let plan = planWorkers(w);
  // Sample the idle cores only when they decide it (a big run on a multi-core machine).
  if (plan.count > 1 && w.requested === undefined) plan = planWorkers({ ...w, idle: await idleCores() });
  if (plan.count <= 1) return plan;
  const t0 = performance.now();
  try {
    await loop.startWorkers(plan.count);
  } catch (e) {
    if (w.requested !== undefined) throw e;
    return { count: 1, reason: `${plan.reason}; the workers failed to start (${(e as Error).message}): 1` };
  }
  return { ...plan, reason: `${plan.reason}; workers started in ${((performance.now() - t0) / 1000).toFixed(2)} s` };
}
