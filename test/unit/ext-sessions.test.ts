import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainerEvent } from '../../src/core/protocol';
import { LagMonitor, type LagHistogram } from '../../src/extension/lagMonitor';
import { SessionManager } from '../../src/extension/sessions';
import { SessionStore } from '../../src/extension/sessionStore';
import type { TrainRequest } from '../../src/core/protocol';
import type { TrainerRun } from '../../src/extension/trainerRun';
import { done, epoch, start } from './ext-fixtures';

class FakeRun implements TrainerRun {
  cb?: (e: TrainerEvent) => void;
  cancelled = 0;
  killed = 0;
  controls: string[] = [];
  exit!: () => void;
  readonly done = new Promise<void>((r) => (this.exit = r));
  constructor(readonly req: TrainRequest) {}
  onEvent(cb: (e: TrainerEvent) => void) {
    this.cb = cb;
    return { dispose: () => (this.cb = undefined) };
  }
  emit(...es: TrainerEvent[]) {
    for (const e of es) this.cb?.(e);
  }
  cancel() {
    this.cancelled++;
  }
  kill() {
    this.killed++;
    this.exit();
  }
  pause() {
    this.controls.push('pause');
  }
  resume() {
    this.controls.push('resume');
  }
  step(n: number) {
    this.controls.push(`step ${n}`);
  }
}

class FakeHist implements LagHistogram {
  max = 0;
  enabled = false;
  enable() { this.enabled = true; }
  disable() { this.enabled = false; }
  reset() { this.max = 0; }
}

function setup() {
  const runs: FakeRun[] = [];
  const timers: (() => void)[] = [];
  const hist = new FakeHist();
  const store = new SessionStore(3);
  const m = new SessionManager(store, (req) => {
    const r = new FakeRun(req);
    runs.push(r);
    return r;
  }, { lag: new LagMonitor(() => hist), setTimer: (fn) => timers.push(fn), clearTimer: () => {} });
  const log: string[] = [];
  m.listen({
    onRunStarted: (r) => log.push(`started ${r.ref.runId}`),
    onEvents: (r, es) => log.push(`events ${r.ref.runId} ${es.map((e) => e.type).join(',')}`),
    onRunEnded: (r) => log.push(`ended ${r.ref.runId} ${r.status}`),
  });
  const params = (runId: string, specPath = '/w/a.blobs.json') => ({ runId, specPath, specName: 'a', specText: '{}', options: { outDir: `/w/runs/${runId}` } });
  return { m, store, runs, timers, hist, log, params };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SessionManager', () => {
  test('records how long starting the trainer blocked the host (logged with the run)', () => {
    const { m, params } = setup();
    const rec = m.start(params('r1'));
    assert.equal(typeof rec.spawnMs, 'number');
    assert.ok(rec.spawnMs! >= 0);
  });

  test('records events, notifies listeners, ends on the terminal event', async () => {
    const { m, store, runs, log, params } = setup();
    const rec = m.start(params('r1'));
    assert.equal(runs[0].req.options.outDir, '/w/runs/r1');
    assert.equal(runs[0].req.runId, 'r1', "the host's run id goes to the trainer");
    assert.ok(m.isRunning('/w/a.blobs.json'));
    runs[0].emit(start(2), epoch(0), epoch(1), done());
    assert.equal(rec.status, 'completed');
    assert.equal(m.isRunning('/w/a.blobs.json'), false);
    assert.equal(store.replay('r1').length, 4);
    assert.deepEqual(log, ['started r1', 'events r1 start', 'events r1 epoch', 'events r1 epoch', 'events r1 done', 'ended r1 completed']);
    assert.equal((await m.wait('r1'))?.status, 'completed');
  });

  test('one run per spec: a second start throws until the first ended', () => {
    const { m, params } = setup();
    m.start(params('r1'));
    assert.throws(() => m.start(params('r2')), /already training/);
    m.start(params('b1', '/w/b.blobs.json')); // another spec is fine
    assert.deepEqual(m.runningSpecs().sort(), ['/w/a.blobs.json', '/w/b.blobs.json']);
  });

  test('stop cancels; the trainer answers cancelled and the run ends', async () => {
    const { m, runs, params } = setup();
    const rec = m.start(params('r1'));
    runs[0].emit(start(10), epoch(0));
    const stopped = m.stop('/w/a.blobs.json');
    assert.equal(runs[0].cancelled, 1);
    runs[0].emit({ type: 'cancelled', epoch: 1 });
    assert.equal((await stopped)?.status, 'cancelled');
    assert.equal(rec.status, 'cancelled');
    const s = rec.result!;
    assert.equal(s.status, 'cancelled');
    assert.equal(s.epochs_completed, 1);
    assert.equal(s.epochs, 10);
    assert.equal(s.artifacts_dir, undefined); // stopped before the trainer wrote anything
  });

  test('a trainer that ignores cancel is killed after the grace period', async () => {
    const { m, runs, timers, params } = setup();
    const rec = m.start(params('r1'));
    runs[0].emit(start(10), epoch(0), epoch(1));
    const stopped = m.stop('/w/a.blobs.json');
    assert.equal(timers.length, 1);
    timers[0](); // grace period over
    assert.equal(runs[0].killed, 1);
    assert.equal((await stopped)?.status, 'cancelled');
    assert.equal(rec.events.at(-1)?.type, 'cancelled');
    assert.equal(m.isRunning('/w/a.blobs.json'), false);
  });

  test('a process exit without a terminal event is a crash, and the manager keeps working', async () => {
    const { m, runs, log, params } = setup();
    const rec = m.start(params('r1'));
    runs[0].emit(start(10), epoch(0));
    runs[0].exit();
    await tick();
    assert.equal(rec.status, 'error');
    assert.equal(rec.error?.code, 'crashed');
    assert.ok(log.includes('ended r1 error'));
    const again = m.start(params('r2'));
    runs[1].emit(start(1), epoch(0), done());
    assert.equal(again.status, 'completed');
  });

  test('a trainer that cannot start is a failed run, not an exception', () => {
    const store = new SessionStore();
    const m = new SessionManager(store, () => {
      throw new Error('ENOENT dist/trainer.js');
    }, { lag: new LagMonitor(() => new FakeHist()) });
    const rec = m.start({ runId: 'r1', specPath: '/w/a.blobs.json', specName: 'a', specText: '{}', options: {} });
    assert.equal(rec.status, 'error');
    assert.match(rec.error!.message, /ENOENT/);
    assert.equal(m.isRunning('/w/a.blobs.json'), false);
  });

  test('measures the worst event-loop lag per run', () => {
    const { m, runs, hist, params } = setup();
    const rec = m.start(params('r1'));
    assert.ok(hist.enabled);
    hist.max = 12e6; // 12 ms, in ns
    runs[0].emit(start(1), epoch(0), done());
    assert.equal(rec.maxLagMs, 12);
    assert.equal(hist.enabled, false);
    assert.equal(m.lag.maxLagMs(), 12);
  });

  test('dispose kills every run', () => {
    const { m, runs, params } = setup();
    m.start(params('r1'));
    m.start(params('b1', '/w/b.blobs.json'));
    m.dispose();
    assert.deepEqual(runs.map((r) => r.killed), [1, 1]);
    assert.deepEqual(m.runningSpecs(), []);
  });

  test('pause, resume and step go to the spec\'s trainer; the run says when it is paused', () => {
    const { m, runs, params } = setup();
    const spec = '/w/a.blobs.json';
    assert.equal(m.pause(spec), false, 'no run');
    m.start(params('r1'));
    runs[0].emit(start(100), epoch(0));
    assert.equal(m.isPaused(spec), false);
    assert.equal(m.pause(spec), true);
    // A step asked before the trainer answered `paused` still goes: the trainer decides.
    assert.equal(m.step(spec), true);
    runs[0].emit({ type: 'paused', epoch: 1 });
    assert.equal(m.isPaused(spec), true);
    assert.equal(m.step(spec, 10), true);
    assert.equal(m.step(spec, 2.7), true);
    assert.equal(m.resume(spec), true);
    runs[0].emit({ type: 'resumed', epoch: 1 });
    assert.equal(m.isPaused(spec), false);
    assert.deepEqual(runs[0].controls, ['pause', 'step 1', 'step 10', 'step 2', 'resume']);
    void m.stop(spec);
    assert.equal(m.pause(spec), false, 'a run being stopped takes no more controls');
    runs[0].emit({ type: 'cancelled', epoch: 1 });
    assert.equal(m.isPaused(spec), false);
  });

  test('a throwing listener does not break the run', () => {
    const { m, runs, params } = setup();
    m.listen({ onEvents: () => { throw new Error('disposed webview'); } });
    const orig = console.error;
    console.error = () => {};
    try {
      const rec = m.start(params('r1'));
      runs[0].emit(start(1), epoch(0), done());
      assert.equal(rec.status, 'completed');
    } finally {
      console.error = orig;
    }
  });
});
