/**
 * The trainer child process (bundled to dist/trainer.js). One process = one run:
 *
 *   host → { type: 'train', runId, specText, specPath, options }   starts the run (its id from the host)
 *   host → { type: 'cancel' | 'pause' | 'resume' }          controls it
 *   trainer → { type: 'events', events }                   every TrainerEvent, in order, in batches
 *   trainer → { type: 'exit' }                             after the terminal event; then it exits 0
 *
 * Why a child process: native TF bindings can crash (SIGILL, abort on missing CUDA
 * libraries) and training must not block the extension host. If the host goes away
 * (IPC disconnect) the run is cancelled and the process exits.
 */

import { isHostToTrainer, isTerminal, type HostToTrainer, type TrainerEvent, type TrainerToHost } from '../core/protocol';
import { RunControl } from '../core/train/control';
import { runSpec } from '../core/train/run';

/** Unacknowledged IPC messages allowed before the loop waits for the pipe to drain. */
const MAX_IN_FLIGHT = 64;

let control: RunControl | undefined;
let started = false;
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

function flushed(): Promise<void> {
  if (inFlight === 0) return Promise.resolve();
  return new Promise((r) => {
    const tick = () => (inFlight === 0 || !process.connected ? r() : setTimeout(tick, 5));
    tick();
  });
}

/**
 * Events go out in batches: at most BATCH_MS after the first one waiting, at once for
 * start/frame/terminal events (what a view shows first), or when MAX_BATCH pile up. A
 * fast run makes ~4,000 epochs/s; one IPC message each kept the extension host so busy
 * that VS Code's own requests to it (CodeLens) fell seconds behind.
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
  if (event.type !== 'epoch' && event.type !== 'log') return flushBatch();
  if (batch.length >= MAX_BATCH) return flushBatch();
  batchTimer ??= setTimeout(() => void flushBatch(), BATCH_MS);
}

async function run(msg: Extract<HostToTrainer, { type: 'train' }>): Promise<void> {
  control = new RunControl();
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
  await send({ type: 'exit' });
  await flushed();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (m: unknown) => {
  if (!isHostToTrainer(m)) {
    const what = typeof m === 'object' && m !== null ? String((m as { type?: unknown }).type).slice(0, 40) : typeof m;
    void send({ type: 'events', events: [{ type: 'log', level: 'warn', message: `trainer: ignored an invalid message (${what})` }] });
    return;
  }
  const msg = m;
  switch (msg.type) {
    case 'train':
      if (started) {
        void send({ type: 'events', events: [{ type: 'log', level: 'warn', message: 'trainer: a run is already in progress; start a new process per run' }] });
        return;
      }
      started = true;
      void run(msg);
      return;
    case 'cancel':
      control?.cancel();
      return;
    case 'pause':
      control?.pause();
      return;
    case 'resume':
      control?.resume();
      return;
  }
});

// The host went away: stop training, nobody is listening.
process.on('disconnect', () => {
  control?.cancel();
  setTimeout(() => process.exit(0), 2000).unref();
  if (!started) process.exit(0);
});
