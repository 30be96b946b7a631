/**
 * The training thread's side of data-parallel training: it starts the workers
 * (parallel/worker.ts), posts each job (a step's batch, or the test pass) through shared
 * memory, computes part 0 itself meanwhile (loop.ts), waits for the others, and sums
 * their gradients in rank order — one update, applied once, here.
 *
 * Waiting: workers get equal parts, so they usually finish with the training thread; it
 * first blocks briefly in Atomics.wait (no event-loop round trip per step), then waits
 * through the event loop (`settle` yields a Promise), where a worker that failed or died
 * is seen: its `failed` message or `exit` event rejects the wait, and the run ends with
 * an error instead of hanging. Workers are `ref`ed only while starting or while a job is
 * in flight, so they never keep a finished process alive.
 */

import type { Tensor } from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Tf } from '../backends';
import { CTL, JOB, paramOffsets, paramShapes, STAT, type SharedBuffers, type WorkerInit, type WorkerMessage } from './shared';

/** Longest a worker may take to load its backend (a loaded 2-core machine is slow). */
export const START_TIMEOUT_MS = 120_000;
/** How long the training thread blocks for its workers before it waits on the event loop. */
const BLOCK_MS = 2;
/** An event-loop wait re-checks at least this often. */
const WAIT_MS = 250;

/** Atomics.waitAsync: in Node since 16, in TypeScript's lib only from ES2024. */
type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

// `require` exists in the CJS bundle and under tsx.
const nodeRequire: NodeRequire = require;

/**
 * How to start a worker: the bundle next to this one (dist/trainWorker.js, from
 * dist/trainer.js and dist/cli.js), else the TypeScript source through tsx (tests,
 * bench; a worker does not inherit tsx's loader for its entry file).
 */
export function workerEntry(): { file: string; eval: boolean } {
  const bundled = join(__dirname, 'trainWorker.js');
  if (existsSync(bundled)) return { file: bundled, eval: false };
  const source = join(__dirname, 'worker.ts');
  if (existsSync(source)) {
    const tsx = nodeRequire.resolve(['tsx', 'cjs'].join('/')); // joined: not for the bundler to follow
    return { file: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, eval: true };
  }
  throw new Error(`the training worker script is missing (looked for ${bundled})`);
}

export class WorkerPool {
  /** Pools not yet disposed (tests reach a run's workers through it). */
  static readonly live = new Set<WorkerPool>();

  /** Parts per job: this thread and every worker. */
  readonly parts: number;
  readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly stats: Float64Array;
  private readonly offsets: number[];
  private readonly shapes: number[][];
  private readonly total: number;
  private busy = false;
  private failure: Error | undefined;
  private readonly failed: Promise<never>;
  private rejectFailed!: (e: Error) => void;
  private disposed = false;

  /** Starts `init.parts - 1` workers and resolves when every one has loaded its backend. */
  static async start(init: Omit<WorkerInit, 'rank'>): Promise<WorkerPool> {
    const pool = new WorkerPool(init);
    try {
      await pool.ready();
    } catch (e) {
      pool.dispose();
      throw e;
    }
    return pool;
  }

  private constructor(init: Omit<WorkerInit, 'rank'>) {
    this.parts = init.parts;
    const s: SharedBuffers = init.shared;
    this.ctl = new Int32Array(s.ctl);
    this.params = new Float32Array(s.params);
    this.grads = new Float32Array(s.grads);
    this.stats = new Float64Array(s.stats);
    ({ offsets: this.offsets, total: this.total } = paramOffsets(init.sizes));
    this.shapes = paramShapes(init.sizes);
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // observed through `settle`; never unhandled
    const entry = workerEntry();
    for (let rank = 1; rank < init.parts; rank++) {
      const w = new Worker(entry.file, { eval: entry.eval, workerData: { ...init, rank } satisfies WorkerInit });
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'failed') this.fail(new Error(`training worker ${rank} failed: ${m.message}`));
      });
      w.on('error', (e) => this.fail(new Error(`training worker ${rank} failed: ${e.message}`)));
      w.on('exit', (code) => this.fail(new Error(`training worker ${rank} stopped unexpectedly (exit code ${code})`)));
      this.workers.push(w);
    }
    WorkerPool.live.add(this);
  }

  private ready(): Promise<void> {
    const each = this.workers.map(
      (w) => new Promise<void>((resolve) => w.on('message', (m: WorkerMessage) => m.type === 'ready' && resolve())),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the training workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    return Promise.race([Promise.all(each), this.failed, timeout])
      .then(() => this.hold(false))
      .finally(() => clearTimeout(timer));
  }

  private fail(e: Error): void {
    if (this.failure || this.disposed) return;
    this.failure = e;
    this.rejectFailed(e);
  }

  /** Workers keep the process alive only while they have work. */
  private hold(on: boolean): void {
    for (const w of this.workers) on ? w.ref() : w.unref();
  }

  /**
   * Posts a job: the parameters (as they are now) to shared memory, then the job. Part 0
   * is the caller's. One job at a time: `settle` the last one first.
   */
  run(kind: typeof JOB.train | typeof JOB.test, rows: number, start: number, params: readonly Tensor[]): void {
    if (this.failure) throw this.failure;
    if (this.busy) throw new Error('WorkerPool.run: the last job has not settled');
    params.forEach((p, i) => this.params.set(p.dataSync() as Float32Array, this.offsets[i]));
    const c = this.ctl;
    Atomics.store(c, CTL.kind, kind);
    Atomics.store(c, CTL.rows, rows);
    Atomics.store(c, CTL.start, start);
    Atomics.store(c, CTL.abort, 0);
    Atomics.store(c, CTL.done, 0);
    this.busy = true;
    this.hold(true);
    Atomics.add(c, CTL.seq, 1);
    Atomics.notify(c, CTL.seq);
  }

  /**
   * Waits until every worker has finished the job in flight (if any): yields Promises to
   * await when it must wait on the event loop. Throws if a worker failed or died.
   */
  *settle(): Generator<Promise<void>, void, undefined> {
    while (this.busy) {
      if (this.failure) throw this.failure;
      const done = Atomics.load(this.ctl, CTL.done);
      if (done >= this.workers.length) {
        this.busy = false;
        this.hold(false);
        break;
      }
      if (Atomics.wait(this.ctl, CTL.done, done, BLOCK_MS) !== 'timed-out') continue;
      const w = waitAsync(this.ctl, CTL.done, done, WAIT_MS);
      yield Promise.race([w.async ? (w.value as Promise<string>).then(() => undefined) : Promise.resolve(), this.failed]);
    }
    if (this.failure) throw this.failure;
  }

  /** Asks the workers to drop the job in flight at their next chunk (`settle` still waits for them). */
  abort(): void {
    if (this.busy) Atomics.store(this.ctl, CTL.abort, 1);
  }

  /**
   * The settled train job's gradient: `mine` (part 0; empty when part 0 had no rows) plus
   * each worker's slot, summed in rank order, as new tensors of the parameters' shapes.
   */
  sumGradients(tf: Tf, mine: readonly Tensor[]): Tensor[] {
    return this.shapes.map((shape, i) => {
      // A copy (the js backend hands out its own array); zeros for an empty part 0.
      const out = mine.length ? new Float32Array(mine[i].dataSync() as Float32Array) : new Float32Array(shape.reduce((a, b) => a * b, 1));
      const off = this.offsets[i];
      for (let r = 1; r < this.parts; r++) {
        const slot = this.grads.subarray(r * this.total + off, r * this.total + off + out.length);
        for (let j = 0; j < out.length; j++) out[j] += slot[j];
      }
      return tf.tensor(out, shape);
    });
  }

  /** The settled job's `which` stat (STAT.loss, STAT.hits), summed over the workers in rank order. */
  statSum(which: number): number {
    let s = 0;
    for (let r = 1; r < this.parts; r++) s += this.stats[r * STAT.size + which];
    return s;
  }

  /** Each worker's live tensor count after its last job (tests: nothing leaks there either). */
  workerTensors(): number[] {
    return this.workers.map((_, i) => this.stats[(i + 1) * STAT.size + STAT.tensors]);
  }

  /** Stops the workers (a job in flight is abandoned). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    WorkerPool.live.delete(this);
    const c = this.ctl;
    Atomics.store(c, CTL.abort, 1);
    Atomics.store(c, CTL.kind, JOB.quit);
    Atomics.add(c, CTL.seq, 1);
    Atomics.notify(c, CTL.seq);
    for (const w of this.workers) {
      w.unref();
      w.terminate().catch(() => undefined);
    }
  }
}
