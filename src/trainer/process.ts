/**
 * The trainer child process (bundled to dist/trainer.js). One process, many runs, one at
 * a time:
 *
 *   host → { type: 'warm' }                                 optional: load the backend and
 *                                                          compile the code now (tiny run)
 *   host → { type: 'train', runId, specText, specPath, options }   starts a run (its id from
 *                                                          the host; queued behind a
 *                                                          warm-up or a run in progress)
 *   host → { type: 'cancel' | 'pause' | 'resume' }          controls the latest `train`
 *   host → { type: 'step', epochs }                         while paused: run that many epochs
 *   trainer → { type: 'events', events }                   every TrainerEvent, in order, in batches
 *   trainer → { type: 'ready' }                            idle: the warm-up or the run is over
 *                                                          and all its events were sent
 *
 * The process stays up between runs (src/trainer/pool.ts keeps one warm: TensorFlow.js
 * loaded, the wasm module compiled, V8's code hot) and exits when the host disconnects:
 * at once when idle, else after cancelling the run (at most 2 s later).
 *
 * Why a child process: native TF bindings can crash (SIGILL, abort on missing CUDA
 * libraries) and training must not block the extension host.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isHostToTrainer, isTerminal, type HostToTrainer, type TrainerEvent, type TrainerToHost } from '../core/protocol';
import { RunControl } from '../core/train/control';
import { runSpec } from '../core/train/run';

/** Unacknowledged IPC messages allowed before the loop waits for the pipe to drain. */
const MAX_IN_FLIGHT = 64;

let inFlight = 0;
let drained: (() => void) | undefined;

function send(msg: TrainerToHost): Promise<void> | void {
  if (!process.send || !process.connected) return;
  inFlight++;
  process.send(msg, undefined, {}, () => {
    inFlight--;
    if (inFlight <= MAX_IN_FLIGHT / 2 && drained) {
      const d = drained;
      drained = undefined;
      d();
    }
  });
  // Back-pressure: a slow host must not make this process buffer every frame in memory.
  if (inFlight > MAX_IN_FLIGHT) return new Promise<void>((r) => (drained = r));
}

/**
 * Events go out in batches: at most BATCH_MS after the first one waiting, at once for
 * start, the untrained frame, pause/resume and terminal events (what a view must show
 * without delay), or when MAX_BATCH pile up. A fast run makes ~4,000 epochs/s and up to
 * ~200 frames; one IPC message each kept the extension host so busy that VS Code's own
 * requests to it (CodeLens) fell seconds behind.
 */
const BATCH_MS = 25;
const MAX_BATCH = 512;
let batch: TrainerEvent[] = [];
let batchTimer: NodeJS.Timeout | undefined;

function flushBatch(): Promise<void> | void {
  clearTimeout(batchTimer);
  batchTimer = undefined;
  if (!batch.length) return;
  const events = batch;
  batch = [];
  return send({ type: 'events', events });
}

function queue(event: TrainerEvent): Promise<void> | void {
  batch.push(event);
  const batched = event.type === 'epoch' || event.type === 'log' || (event.type === 'frame' && event.epoch > 0);
  if (!batched) return flushBatch();
  if (batch.length >= MAX_BATCH) return flushBatch();
  batchTimer ??= setTimeout(() => void flushBatch(), BATCH_MS);
}

async function run(msg: Extract<HostToTrainer, { type: 'train' }>, control: RunControl): Promise<void> {
  let terminal = false;
  try {
    for await (const event of runSpec(msg.specText, msg.specPath, msg.options, control, { runId: msg.runId })) {
      await queue(event);
      if (isTerminal(event)) terminal = true;
    }
  } catch (e) {
    // runSpec turns failures into events; this is the last line of defence.
    const event: TrainerEvent = { type: 'error', code: 'internal', message: `trainer: ${(e as Error)?.message ?? e}` };
    if (!terminal) await queue(event);
  }
  await flushBatch();
}

/**
 * The warm-up: two tiny runs through the real path (validate, data, backend `auto`, the
 * loop with and without an activation, full batch and mini-batches, frames, evaluation;
 * the first also writes its run folder, into a temporary folder removed after: model,
 * figure.svg, figure.png through resvg), nothing sent. What a first real run would
 * otherwise pay: importing TensorFlow.js, compiling the wasm module, loading resvg, V8
 * compiling the loop and the figure code. About a second, once, before any run asks.
 */
const WARM_SPECS = [
  { activation: 'none', batch_size: 'full' },
  { activation: 'relu', batch_size: 16 },
].map(({ activation, batch_size }) =>
  JSON.stringify({
    name: 'warm-up',
    seed: 1,
    data: { generator: 'make_blobs', n_samples: 64, n_features: 2, centers: 4 },
    model: { hidden_units: [8, 8], activation },
    training: { epochs: 3, batch_size },
    boundary: { resolution: 21 },
    device: 'auto',
  }),
);

async function warm(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'blobs-warm-'));
  const specPath = join(dir, 'warm-up.blobs.json'); // never read: the spec is inline, no CSV
  try {
    for (const [i, spec] of WARM_SPECS.entries()) {
      const options = i === 0 ? { outDir: join(dir, 'runs'), allowedRoot: dir } : {};
      for await (const _ of runSpec(spec, specPath, options, new RunControl())) void _;
    }
  } catch {
    /* a warm-up that fails costs nothing: the real run reports what is wrong */
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs (and warm-ups) one at a time, in arrival order; `ready` after each. */
let chain: Promise<void> = Promise.resolve();
let pending = 0;
/** The control of the latest `train`: what cancel/pause/resume/step act on. */
let control: RunControl | undefined;

function enqueue(task: () => Promise<void>): void {
  pending++;
  chain = chain.then(async () => {
    try {
      await task();
    } finally {
      pending--;
      await send({ type: 'ready', rss: process.memoryUsage().rss });
      if (!process.connected && pending === 0) process.exit(0);
    }
  });
}

process.on('message', (m: unknown) => {
  if (!isHostToTrainer(m)) {
    const what = typeof m === 'object' && m !== null ? String((m as { type?: unknown }).type).slice(0, 40) : typeof m;
    void send({ type: 'events', events: [{ type: 'log', level: 'warn', message: `trainer: ignored an invalid message (${what})` }] });
    return;
  }
  const msg: HostToTrainer = m;
  switch (msg.type) {
    case 'warm':
      enqueue(warm);
      return;
    case 'train': {
      // Made now, not when the run starts: a cancel that comes while it waits behind a
      // warm-up must still reach it.
      const c = (control = new RunControl());
      enqueue(() => run(msg, c));
      return;
    }
    case 'cancel':
      control?.cancel();
      return;
    case 'pause':
      control?.pause();
      return;
    case 'resume':
      control?.resume();
      return;
    case 'step':
      control?.step(msg.epochs);
      return;
  }
});

// The host went away: stop training, nobody is listening. Idle: exit now.
process.on('disconnect', () => {
  control?.cancel();
  if (pending === 0) process.exit(0);
  setTimeout(() => process.exit(0), 2000).unref();
});
