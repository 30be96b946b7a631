/**
 * How many threads a run's steps are split across, and why (the run header says both).
 *
 * `auto` (TrainerOptions.workers unset), for the js and wasm backends:
 *   - one thread when the whole run is small: starting a worker (loading its backend)
 *     costs a fixed fraction of a second, which a short run does not win back;
 *   - otherwise as many threads as there are cores (os.availableParallelism()), but no
 *     more than keep each thread's share of a step above MIN_PART_FLOPS: every step ends
 *     in a barrier (all parts done, gradients summed, one update), whose cost must stay
 *     small beside the part's arithmetic.
 * Native backends (tfjs-node) run their own thread pool inside each kernel: one thread.
 * The thresholds come from bench/workers.ts (see bench/loop-timings.md).
 *
 * The count is decided once per run from the spec and the machine, never from the
 * machine's current load: the same spec on the same machine splits its sums the same
 * way, so its numbers repeat bit for bit.
 */

import { availableParallelism } from 'node:os';
import type { TrainLoop } from '../loop';

export const AUTO_WORKERS = {
  /** Runs below this many FLOPs in all train on one thread. */
  minRunFlops: 5e9,
  /** Each thread's share of a step is at least this many FLOPs. */
  minPartFlops: 5e6,
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
  if (w.cores < 2) return { count: 1, reason: `auto: 1 (1 core available)` };
  if (run < AUTO_WORKERS.minRunFlops) return { count: 1, reason: `auto: 1 (${work}: too little to pay for starting workers)` };
  const byStep = Math.floor(step / AUTO_WORKERS.minPartFlops);
  const count = Math.max(1, Math.min(w.cores, byStep));
  if (count === 1) return { count, reason: `auto: 1 (${work}: steps too small to split)` };
  const limit = count < w.cores ? `steps of ${fmtFlops(step)} split ${count} ways at most` : `${w.cores} cores`;
  return { count, reason: `auto: ${count} (${limit}; ${work})` };
}

/**
 * Plans the run's threads (on this machine's cores unless `cores` is given) and starts them on `loop`. An `auto` plan whose workers fail
 * to start falls back to one thread (the reason says so); a requested count that fails
 * throws.
 */
export async function startWorkers(loop: TrainLoop, input: Omit<WorkersInput, 'cores'> & { cores?: number }): Promise<WorkersPlan> {
  const w = { ...input, cores: input.cores ?? availableParallelism() };
  const plan = planWorkers(w);
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
