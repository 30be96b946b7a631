import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainerClient, TrainerWorker } from '../../src/trainer/client';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import type { TrainerEvent } from '../../src/core/protocol';
import { readLatestRunHistory, readLatestSummary } from '../../src/core/run/folder';
import { newRunId } from '../../src/core/run/id';
import { buildTrainerBundle } from '../fixtures/trainerBundle';
import { tempDir } from './tempDir';

let trainerPath = '';
let remove = () => {};
before(async () => {
  ({ trainerPath, remove } = await buildTrainerBundle());
});
after(() => remove());

const spec = (epochs: number, device = 'wasm') => JSON.stringify({ ...NOTEBOOK_SPEC, device, training: { ...NOTEBOOK_SPEC.training, epochs } });
const SPEC_PATH = '/nonexistent/proc.blobs.json';
/** A train request as the host makes it: the run's id comes with it. */
const req = (specText: string, options = {}) => ({ runId: newRunId(), specText, specPath: SPEC_PATH, options });

describe('trainer child process + TrainerClient', () => {
  test('a run streams start → frames/epochs → done, then the process exits', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(50)));
    const evs: TrainerEvent[] = [];
    for await (const e of run) evs.push(e);
    assert.equal(evs[0].type, 'start');
    if (evs[0].type === 'start') assert.equal(evs[0].backend, 'wasm');
    assert.equal(evs.filter((e) => e.type === 'epoch').length, 50);
    const d = evs[evs.length - 1];
    assert.equal(d.type, 'done', JSON.stringify(d));
    if (d.type === 'done') assert.ok(d.summary.test_acc >= 0.98);
    assert.equal((await run.finished).type, 'done');
  });

  test('events cross the IPC pipe in batches, all of them, in order', async () => {
    const { fork } = await import('node:child_process');
    const child = fork(trainerPath, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const messages: { type: string; events?: TrainerEvent[] }[] = [];
    const exited = new Promise((r) => child.on('exit', r));
    child.on('message', (m) => {
      messages.push(m as { type: string; events?: TrainerEvent[] });
      // Idle after the run: the process stays for the next one until the host lets it go.
      if ((m as { type: string }).type === 'ready') child.disconnect();
    });
    child.send({ type: 'train', ...req(spec(2000)) });
    await exited;
    assert.equal(messages.at(-1)?.type, 'ready');
    const events = messages.flatMap((m) => m.events ?? []);
    const epochs = events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.epoch : -1));
    assert.deepEqual(epochs, Array.from({ length: 2000 }, (_, i) => i), 'every epoch, in order');
    assert.equal(events[events.length - 1].type, 'done');
    // Batches, by the trainer's rule (process.ts): start, the untrained frame and the
    // terminal event go at once, each the last of its message; epochs, logs and later
    // frames (~200 a run) wait (<= 25 ms, <= 512). So no message holds one of the first
    // before other events, and the epochs share messages
    // (one message per event would be > 2,000). Counted, not timed: how many epochs fit
    // in 25 ms depends on the machine's load.
    const batches = messages.filter((m) => m.type === 'events').map((m) => m.events ?? []);
    for (const b of batches) {
      const firstNow = b.findIndex((e) => e.type === 'start' || (e.type === 'frame' && e.epoch === 0) || e.type === 'done');
      assert.ok(firstNow === -1 || firstNow === b.length - 1, `an event that goes at once waited: ${b.map((e) => e.type).join(',')}`);
    }
    assert.ok(batches.some((b) => b.filter((e) => e.type === 'epoch').length > 1), 'epochs share messages');
    assert.ok(batches.every((b) => b.length <= 512));
  });

  test("the run is saved under the host's run id: folder, summary, start and history say the same", async () => {
    const ws = tempDir('trainer-ws-');
    const specPath = join(ws, 'four.blobs.json');
    writeFileSync(specPath, spec(5));
    const outDir = join(ws, '.blob-runs', 'four');
    const r = { ...req(spec(5), { outDir, allowedRoot: ws }), specPath };
    const evs: TrainerEvent[] = [];
    for await (const e of TrainerClient.start({ trainerPath }, r)) evs.push(e);
    const start = evs[0];
    const done = evs.at(-1);
    assert.equal(start.type === 'start' && start.runId, r.runId);
    assert.equal(done?.type === 'done' && done.summary.runId, r.runId);
    assert.equal(done?.type === 'done' && done.summary.artifacts_dir, join(outDir, r.runId));
    assert.deepEqual(readdirSync(outDir), [r.runId]);
    assert.equal((await readLatestSummary(outDir))?.runId, r.runId);
    const h = await readLatestRunHistory(outDir);
    assert.equal(h?.header.runId, r.runId);
    assert.equal(h?.events[0].type === 'start' && h.events[0].runId, r.runId);
  });

  test('a train message without a valid run id is refused, not run', async () => {
    const { fork } = await import('node:child_process');
    const child = fork(trainerPath, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const got = new Promise<{ events?: TrainerEvent[] }>((r) => child.once('message', (m) => r(m as { events?: TrainerEvent[] })));
    child.send({ type: 'train', runId: '../../etc', specText: spec(5), specPath: SPEC_PATH, options: {} });
    const m = await got;
    child.disconnect();
    const e = m.events?.[0];
    assert.ok(e?.type === 'log' && e.level === 'warn' && /invalid message \(train\)/.test(e.message), JSON.stringify(m));
  });

  test('a crash (the child killed from outside) is reported as crashed, naming the signal', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(1_000_000)));
    const evs: TrainerEvent[] = [];
    for await (const e of run) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 3) process.kill(run.pid!, 'SIGKILL');
    }
    const end = evs[evs.length - 1];
    assert.equal(end.type, 'error');
    if (end.type === 'error') {
      assert.equal(end.code, 'crashed');
      assert.match(end.message, /killed by SIGKILL/);
    }
  });

  test('cancel is answered by cancelled with a summary; kill() ends the stream as cancelled', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(1_000_000)));
    let end: TrainerEvent | undefined;
    for await (const e of run) {
      if (e.type === 'epoch' && e.epoch === 2) run.cancel();
      end = e;
    }
    assert.equal(end?.type, 'cancelled');
    if (end?.type === 'cancelled') assert.equal(end.summary?.status, 'cancelled');

    const run2 = TrainerClient.start({ trainerPath }, req(spec(1_000_000)));
    for await (const e of run2) {
      if (e.type === 'epoch') run2.kill();
      end = e;
    }
    assert.equal(end?.type, 'cancelled');
  });

  test('errors cross the process boundary with their codes (bad spec, unavailable device)', async () => {
    const bad = TrainerClient.start({ trainerPath }, req('{ nope'));
    assert.deepEqual(((await bad.finished) as { code?: string }).code, 'bad-spec');
    const gpu = TrainerClient.start({ trainerPath }, req(spec(5, 'gpu')));
    const end = await gpu.finished;
    assert.equal(end.type, 'error');
    if (end.type === 'error') {
      assert.equal(end.code, 'device-unavailable');
      assert.match(end.message, /device "gpu" is unavailable: .*tfjs-node-gpu/);
    }
  });

  test('step over IPC: paused, step 1 then step 10 run exactly that many epochs, each drawing its frame', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(100)));
    const evs: TrainerEvent[] = [];
    let pauses = 0;
    for await (const e of run) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 1) run.pause();
      if (e.type === 'paused') {
        pauses++;
        if (pauses === 1) run.step(1);
        else if (pauses === 2) run.step(10);
        else run.resume();
      }
    }
    assert.equal(evs.at(-1)?.type, 'done');
    const paused = evs.flatMap((e) => (e.type === 'paused' ? [e.epoch] : []));
    assert.equal(paused.length, 3);
    assert.deepEqual([paused[1] - paused[0], paused[2] - paused[1]], [1, 10], `paused at ${paused}`);
    for (const p of paused) {
      const i = evs.findIndex((e) => e.type === 'paused' && e.epoch === p);
      const before = evs.slice(0, i).filter((e) => e.type === 'frame').at(-1);
      assert.equal(before?.type === 'frame' && before.epoch, p, `the frame of epoch ${p} before its pause`);
    }
    assert.equal(evs.filter((e) => e.type === 'epoch').length, 100);
  });

  test('one process, several runs, one at a time: a warm-up, then two runs, each ended by ready', async () => {
    const w = TrainerWorker.fork({ trainerPath });
    let idle = 0;
    let warm = 0;
    w.onIdle = () => idle++;
    w.onWarm = () => warm++;
    w.warm();
    const collect = async (r: AsyncIterable<TrainerEvent>) => {
      const out: TrainerEvent[] = [];
      for await (const e of r) out.push(e);
      return out;
    };
    // Sent while the warm-up runs: queued behind it in the child.
    const first = w.run(req(spec(20)));
    assert.throws(() => w.run(req(spec(20))), /busy/);
    const a = await collect(first);
    assert.equal((await first.finished).type, 'done');
    const b = await collect(w.run(req(spec(30))));
    assert.equal(a.filter((e) => e.type === 'epoch').length, 20, 'no warm-up event leaked into the run');
    assert.equal(a[0].type, 'start');
    assert.equal(b.filter((e) => e.type === 'epoch').length, 30);
    assert.equal(b.at(-1)?.type, 'done');
    assert.ok(w.alive, 'still up between runs');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(warm, 1, 'the warm-up said when it was done');
    assert.equal(idle, 2, 'idle after each run (not after the warm-up: a run was waiting)');
    w.close();
    await w.exited;
    assert.equal(w.alive, false, 'exits when the host lets it go');
  });

  test('pause and resume over IPC', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(200)));
    const types: string[] = [];
    for await (const e of run) {
      types.push(e.type);
      if (e.type === 'epoch' && e.epoch === 1) {
        run.pause();
        setTimeout(() => run.resume(), 100);
      }
    }
    assert.ok(types.includes('paused') && types.includes('resumed'), types.filter((t) => t !== 'epoch').join(','));
    assert.equal(types[types.length - 1], 'done');
    assert.equal(types.filter((t) => t === 'epoch').length, 200, 'no epoch lost or repeated');
  });

  test('a paused run stays paused (no epochs) until resumed; a cancel while paused ends it', async () => {
    const run = TrainerClient.start({ trainerPath }, req(spec(1_000_000)));
    const evs: TrainerEvent[] = [];
    let pausedAt = 0;
    for await (const e of run) {
      evs.push(e);
      if (e.type === 'epoch' && e.epoch === 2) run.pause();
      if (e.type === 'paused') {
        pausedAt = evs.length;
        setTimeout(() => run.cancel(), 300);
      }
    }
    assert.ok(pausedAt > 0, 'paused');
    const after = evs.slice(pausedAt);
    assert.deepEqual(after.map((e) => e.type), ['cancelled'], 'nothing ran while paused; no "resumed" for a cancel');
    const p = evs[pausedAt - 1];
    const end = evs[evs.length - 1];
    assert.ok(p.type === 'paused' && end.type === 'cancelled' && end.epoch === p.epoch, JSON.stringify([p, end]));
    if (end.type === 'cancelled') assert.equal(end.summary?.epochs_completed, p.epoch);
  });
});
