/** The warm trainer pool with the real child process (the bundled trainer, wasm backend). */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainerPool, type PoolRun } from '../../src/trainer/pool';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import type { TrainerEvent } from '../../src/core/protocol';
import { newRunId } from '../../src/core/run/id';
import { existsSync, readdirSync } from 'node:fs';
import { tempDir } from './tempDir';
import { buildTrainerBundle } from '../fixtures/trainerBundle';

let trainerPath = '';
let remove = () => {};
const pools: TrainerPool[] = [];
before(async () => {
  ({ trainerPath, remove } = await buildTrainerBundle());
});
after(() => {
  for (const p of pools) p.dispose();
  remove();
});

const spec = (epochs: number) => JSON.stringify({ ...NOTEBOOK_SPEC, device: 'wasm', training: { ...NOTEBOOK_SPEC.training, epochs } });
const req = (epochs: number) => ({ runId: newRunId(), specText: spec(epochs), specPath: join(tmpdir(), 'pool.blobs.json'), options: {} });

function pool(o: Partial<ConstructorParameters<typeof TrainerPool>[0]> = {}): TrainerPool {
  const p = new TrainerPool({ trainerPath, ...o });
  pools.push(p);
  return p;
}

async function events(run: PoolRun, onEvent?: (e: TrainerEvent) => void): Promise<TrainerEvent[]> {
  const out: TrainerEvent[] = [];
  run.onEvent((e) => {
    out.push(e);
    onEvent?.(e);
  });
  await run.done;
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, what: string): Promise<void> {
  // Behaviour, not speed: poll generously (a loaded machine), fail with what was awaited.
  for (let i = 0; i < 600; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

describe('trainer pool (one warm process, reused)', () => {
  test('warm at start; two runs in a row in the same process; it stays up, idle, between them', async () => {
    const p = pool();
    assert.equal(await p.whenWarm(), true, 'the warm-up finished');
    const warmPid = p.pids.idle!;
    assert.ok(warmPid > 0);
    const r1 = p.start(req(20));
    assert.equal(r1.pid, warmPid, 'the warm process takes the run');
    assert.equal(p.pids.idle, undefined);
    const a = await events(r1);
    assert.equal(a.at(-1)?.type, 'done');
    assert.equal(a.filter((e) => e.type === 'epoch').length, 20);
    assert.equal(p.pids.idle, warmPid, 'idle again after the run');
    const r2 = p.start(req(30));
    assert.equal(r2.pid, warmPid, 'reused');
    const b = await events(r2);
    assert.equal(b[0].type, 'start');
    assert.equal(b.filter((e) => e.type === 'epoch').length, 30);
    assert.equal(b.at(-1)?.type, 'done');
    assert.ok(alive(warmPid));
  });

  test('two runs at once: the second gets its own process, closed after its run (one idle kept)', async () => {
    const p = pool();
    await p.whenWarm();
    const r1 = p.start(req(200));
    const r2 = p.start(req(20));
    assert.notEqual(r1.pid, r2.pid);
    const [a, b] = await Promise.all([events(r1), events(r2)]);
    assert.equal(a.at(-1)?.type, 'done');
    assert.equal(b.at(-1)?.type, 'done');
    const idle = p.pids.idle!;
    assert.ok(idle === r1.pid || idle === r2.pid);
    const other = idle === r1.pid ? r2.pid! : r1.pid!;
    await until(() => !alive(other), 'the extra process exits');
  });

  test('a run started the moment another ended (its process still adding the figures) is queued in that process, not a cold one', async () => {
    const p = pool();
    await p.whenWarm();
    const ws = tempDir('pool-figures-');
    const saved = (epochs: number) => ({ ...req(epochs), specPath: join(ws, 'pool.blobs.json'), options: { outDir: join(ws, 'runs'), allowedRoot: ws } });
    const r1 = p.start(saved(10));
    let r2: PoolRun | undefined;
    let figuresAtRestart: boolean | undefined;
    const a = await events(r1, (e) => {
      if (e.type !== 'done') return;
      // Train again at once: run 1's folder is published, its figures not yet drawn.
      figuresAtRestart = existsSync(join(e.summary.artifacts_dir!, 'figure.svg'));
      r2 = p.start(saved(15));
    });
    assert.equal(a.at(-1)?.type, 'done');
    // Usually the restart comes while run 1's figures are drawn (~0.1-0.3 s), and without
    // the queue it would get a cold process; if the host was slower than that, run 1's
    // process is idle by then and takes it anyway: the same process either way.
    assert.equal(r2!.pid, r1.pid, `queued behind the finishing run, in the same process (figure drawn at the restart: ${figuresAtRestart})`);
    assert.deepEqual(p.pids.busy, [r1.pid], 'no second process');
    const b = await events(r2!);
    assert.equal(b[0].type, 'start');
    assert.equal(b.filter((e) => e.type === 'epoch').length, 15);
    assert.equal(b.at(-1)?.type, 'done');
    assert.equal(p.pids.idle, r1.pid, 'idle again after both');
    for (const r of readdirSync(join(ws, 'runs'))) assert.ok(existsSync(join(ws, 'runs', r, 'figure.svg')), `${r} has its figure`);
  });

  test('a crash ends the run with error/crashed; the next run is in a fresh process', async () => {
    const p = pool();
    await p.whenWarm();
    const r = p.start(req(1_000_000));
    const crashedPid = r.pid!;
    const a = await events(r, (e) => {
      if (e.type === 'epoch' && e.epoch === 3) process.kill(crashedPid, 'SIGKILL');
    });
    const end = a.at(-1);
    assert.equal(end?.type, 'error');
    if (end?.type === 'error') {
      assert.equal(end.code, 'crashed');
      assert.match(end.message, /killed by SIGKILL/);
    }
    // A fresh one is started (and warmed) for the next run.
    await until(() => p.pids.idle !== undefined, 'a fresh idle process');
    assert.notEqual(p.pids.idle, crashedPid);
    const r2 = p.start(req(10));
    assert.notEqual(r2.pid, crashedPid);
    assert.equal((await events(r2)).at(-1)?.type, 'done');
  });

  test('cancel honoured: cancelled with a summary, the process reused; a cancel not honoured in time kills it and a fresh one follows', async () => {
    const p = pool();
    await p.whenWarm();
    const r = p.start(req(1_000_000));
    const pid = r.pid!;
    const a = await events(r, (e) => e.type === 'epoch' && e.epoch === 2 && r.cancel());
    const end = a.at(-1);
    assert.equal(end?.type, 'cancelled');
    if (end?.type === 'cancelled') assert.equal(end.summary?.status, 'cancelled');
    assert.equal(p.pids.idle, pid, 'an honoured cancel keeps the process');

    // A trainer that cannot answer (stopped with SIGSTOP, as a process stuck in a native
    // call would be): the cancel is not honoured, so the grace timer kills it.
    const q = pool({ cancelGraceMs: 200 });
    await q.whenWarm();
    const s = q.start(req(1_000_000));
    const spid = s.pid!;
    const b = await events(s, (e) => {
      if (e.type !== 'epoch' || e.epoch !== 2) return;
      process.kill(spid, 'SIGSTOP');
      s.cancel();
    });
    assert.equal(b.at(-1)?.type, 'cancelled');
    await until(() => !alive(spid), 'the stubborn process is gone');
    await until(() => q.pids.idle !== undefined, 'a fresh process');
    assert.notEqual(q.pids.idle, spid);
  });

  test('kill(): the run ends cancelled at once, the process is replaced', async () => {
    const p = pool();
    await p.whenWarm();
    const r = p.start(req(1_000_000));
    const pid = r.pid!;
    const a = await events(r, (e) => e.type === 'epoch' && e.epoch === 1 && r.kill());
    assert.equal(a.at(-1)?.type, 'cancelled');
    await until(() => p.pids.idle !== undefined && p.pids.idle !== pid, 'a fresh process');
    assert.equal((await events(p.start(req(5)))).at(-1)?.type, 'done');
  });

  test('pause, step and resume through a pooled run', async () => {
    const p = pool();
    const r = p.start(req(50));
    let pauses = 0;
    const a = await events(r, (e) => {
      if (e.type === 'epoch' && e.epoch === 1) r.pause();
      if (e.type === 'paused') {
        pauses++;
        if (pauses === 1) r.step(3);
        else r.resume();
      }
    });
    const paused = a.flatMap((e) => (e.type === 'paused' ? [e.epoch] : []));
    assert.equal(paused[1] - paused[0], 3);
    assert.equal(a.at(-1)?.type, 'done');
  });

  test('a process left holding too much memory after its run is replaced by a fresh warm one', async () => {
    const p = pool({ maxIdleRss: 1 }); // every process is "too big"
    await p.whenWarm();
    const r = p.start(req(5));
    const pid = r.pid!;
    assert.equal((await events(r)).at(-1)?.type, 'done');
    await until(() => !alive(pid), 'the big process exits');
    await until(() => p.pids.idle !== undefined && p.pids.idle !== pid, 'a fresh one');
  });

  test('an idle process exits after idleMs; the next run starts a new one', async () => {
    const p = pool({ idleMs: 300 });
    assert.equal(await p.whenWarm(), true);
    const pid = p.pids.idle!;
    await until(() => !alive(pid), 'the idle process exits');
    assert.equal(p.pids.idle, undefined);
    const r = p.start(req(5));
    assert.notEqual(r.pid, pid);
    assert.equal((await events(r)).at(-1)?.type, 'done');
  });

  test('dispose ends the idle process and kills a running one (its run ends cancelled)', async () => {
    const p = pool();
    await p.whenWarm();
    const r = p.start(req(1_000_000));
    const busy = r.pid!;
    const got = events(r);
    await until(() => p.pids.busy.length === 1, 'running');
    const other = p.start(req(1_000_000)); // a second process, running too
    p.dispose();
    assert.equal((await got).at(-1)?.type, 'cancelled');
    assert.equal((await events(other)).at(-1)?.type, 'cancelled');
    await until(() => !alive(busy) && !alive(other.pid!), 'all processes gone');
    assert.throws(() => p.start(req(5)), /disposed/);
  });
});
