import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainerClient, TrainerWorker } from '../../src/trainer/client';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import type { TrainerEvent } from '../../src/core/protocol';
import { buildTrainerBundle } from '../fixtures/trainerBundle';

let trainerPath = '';
let remove = () => {};
before(async () => {
  ({ trainerPath, remove } = await buildTrainerBundle());
});
after(() => remove());

const spec = (epochs: number, device = 'wasm') => JSON.stringify({ ...NOTEBOOK_SPEC, device, training: { ...NOTEBOOK_SPEC.training, epochs } });
const SPEC_PATH = join(tmpdir(), 'proc.blobs.json');

describe('trainer child process + TrainerClient', () => {
  test('a run streams start → frames/epochs → done, then the process exits', async () => {
    const run = TrainerClient.start({ trainerPath }, { specText: spec(50), specPath: SPEC_PATH });
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
    child.send({ type: 'train', specText: spec(2000), specPath: SPEC_PATH, options: {} });
    await exited;
    assert.equal(messages.at(-1)?.type, 'ready');
    const events = messages.flatMap((m) => m.events ?? []);
    const epochs = events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.epoch : -1));
    assert.deepEqual(epochs, Array.from({ length: 2000 }, (_, i) => i), 'every epoch, in order');
    assert.equal(events[events.length - 1].type, 'done');
    // One message per event would be > 2,000; batches of <= 25 ms make far fewer.
    assert.ok(messages.length < 200, `${messages.length} IPC messages for ${events.length} events`);
  });

  test('a crash (the child killed from outside) is reported as crashed, naming the signal', async () => {
    const run = TrainerClient.start({ trainerPath }, { specText: spec(1_000_000), specPath: SPEC_PATH });
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
    const run = TrainerClient.start({ trainerPath }, { specText: spec(1_000_000), specPath: SPEC_PATH });
    let end: TrainerEvent | undefined;
    for await (const e of run) {
      if (e.type === 'epoch' && e.epoch === 2) run.cancel();
      end = e;
    }
    assert.equal(end?.type, 'cancelled');
    if (end?.type === 'cancelled') assert.equal(end.summary?.status, 'cancelled');

    const run2 = TrainerClient.start({ trainerPath }, { specText: spec(1_000_000), specPath: SPEC_PATH });
    for await (const e of run2) {
      if (e.type === 'epoch') run2.kill();
      end = e;
    }
    assert.equal(end?.type, 'cancelled');
  });

  test('errors cross the process boundary with their codes (bad spec, unavailable device)', async () => {
    const bad = TrainerClient.start({ trainerPath }, { specText: '{ nope', specPath: SPEC_PATH });
    assert.deepEqual(((await bad.finished) as { code?: string }).code, 'bad-spec');
    const gpu = TrainerClient.start({ trainerPath }, { specText: spec(5, 'gpu'), specPath: SPEC_PATH });
    const end = await gpu.finished;
    assert.equal(end.type, 'error');
    if (end.type === 'error') {
      assert.equal(end.code, 'device-unavailable');
      assert.match(end.message, /device "gpu" is unavailable: .*tfjs-node-gpu/);
    }
  });

  test('step over IPC: paused, step 1 then step 10 run exactly that many epochs, each drawing its frame', async () => {
    const run = TrainerClient.start({ trainerPath }, { specText: spec(100), specPath: SPEC_PATH });
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
    const first = w.run({ specText: spec(20), specPath: SPEC_PATH });
    assert.throws(() => w.run({ specText: spec(20), specPath: SPEC_PATH }), /busy/);
    const a = await collect(first);
    assert.equal((await first.finished).type, 'done');
    const b = await collect(w.run({ specText: spec(30), specPath: SPEC_PATH }));
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
    const run = TrainerClient.start({ trainerPath }, { specText: spec(200), specPath: SPEC_PATH });
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
    const run = TrainerClient.start({ trainerPath }, { specText: spec(1_000_000), specPath: SPEC_PATH });
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
