import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStore } from '../../src/extension/sessionStore';
import { done, epoch, frame, run, start, summary } from './ext-fixtures';

const ref = (runId: string, specPath = '/w/a.blobs.json') => ({ runId, specPath, specName: 'a' });

describe('SessionStore', () => {
  test('keeps the full history in arrival order and replays it', () => {
    const s = new SessionStore();
    s.begin(ref('r1'));
    const events = run(3);
    for (const e of events) s.append('r1', [e]);
    assert.deepEqual(s.replay('r1'), events);
    // A copy: handing it out must not let a caller change the record.
    s.replay('r1').pop();
    assert.equal(s.replay('r1').length, events.length);
  });

  test('bookkeeping: epochs, last epoch, status and summary', () => {
    const s = new SessionStore();
    const rec = s.begin(ref('r1'), '/w/.blob-runs/a/r1');
    s.append('r1', [start(5), frame(0), epoch(0), epoch(1)]);
    assert.equal(rec.status, 'running');
    assert.equal(rec.epochs, 5);
    assert.equal(rec.lastEpoch?.epoch, 1);
    assert.equal(s.active('/w/a.blobs.json'), rec);
    s.append('r1', [done(summary({ runId: 'r1' }))]);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.summary?.runId, 'r1');
    assert.equal(rec.outDir, '/w/.blob-runs/a/r1');
    assert.equal(s.active('/w/a.blobs.json'), undefined);
    assert.equal(s.lastFinished('/w/a.blobs.json'), rec);
  });

  test('ignores events after a terminal one (a crash after done does not turn it into an error)', () => {
    const s = new SessionStore();
    const rec = s.begin(ref('r1'));
    const accepted = s.append('r1', [start(1), epoch(0), done(), { type: 'error', code: 'crashed', message: 'x' }]);
    assert.equal(accepted.length, 3);
    assert.equal(s.append('r1', [{ type: 'error', code: 'crashed', message: 'late' }]).length, 0);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.error, undefined);
  });

  test('error and cancelled end a run', () => {
    const s = new SessionStore();
    const a = s.begin(ref('r1'));
    s.append('r1', [start(3), { type: 'error', code: 'diverged', message: 'loss is NaN', epoch: 2 }]);
    assert.equal(a.status, 'error');
    assert.deepEqual(a.error, { code: 'diverged', message: 'loss is NaN' });
    const b = s.begin(ref('r2'));
    s.append('r2', [start(3), epoch(0), { type: 'cancelled', epoch: 1, summary: summary({ status: 'cancelled' }) }]);
    assert.equal(b.status, 'cancelled');
    assert.equal(b.summary?.status, 'cancelled');
  });

  test('events for unknown runs are dropped', () => {
    const s = new SessionStore();
    assert.deepEqual(s.append('nope', [epoch(0)]), []);
  });

  test('keeps earlier runs for comparison; history excludes the shown run and running ones, carries epochs only', () => {
    const s = new SessionStore(5);
    s.begin(ref('r1'));
    s.append('r1', run(2));
    s.begin(ref('r2'));
    s.append('r2', run(3));
    s.begin(ref('r3'));
    s.append('r3', [start(4), epoch(0)]);
    const h = s.history('/w/a.blobs.json', 'r3');
    assert.deepEqual(h.map((x) => x.run.runId), ['r1', 'r2']);
    assert.equal(h[1].epochs.length, 3);
    assert.ok(h[1].epochs.every((e) => e.type === 'epoch'));
    assert.equal(h[1].summary?.epochs, 3);
    assert.equal(s.latest('/w/a.blobs.json')?.ref.runId, 'r3');
    // The latest finished one is still r2 while r3 runs.
    assert.equal(s.lastFinished('/w/a.blobs.json')?.ref.runId, 'r2');
  });

  test('prunes the oldest finished runs beyond keepRuns, never a running one', () => {
    const s = new SessionStore(2);
    s.begin(ref('r1'));
    s.append('r1', run(1));
    s.begin(ref('r2'));
    s.append('r2', run(1));
    s.begin(ref('r3'));
    assert.deepEqual(s.list('/w/a.blobs.json').map((r) => r.ref.runId), ['r2', 'r3']);
    s.setKeepRuns(1);
    assert.deepEqual(s.list('/w/a.blobs.json').map((r) => r.ref.runId), ['r3']);
    assert.equal(s.find('r1'), undefined);
  });

  test('runs of different specs are separate', () => {
    const s = new SessionStore();
    s.begin(ref('a1', '/w/a.blobs.json'));
    s.begin(ref('b1', '/w/b.blobs.json'));
    assert.deepEqual(s.runningSpecs().sort(), ['/w/a.blobs.json', '/w/b.blobs.json']);
    s.append('a1', run(1));
    assert.deepEqual(s.runningSpecs(), ['/w/b.blobs.json']);
  });

  test('duplicate run ids are refused', () => {
    const s = new SessionStore();
    s.begin(ref('r1'));
    assert.throws(() => s.begin(ref('r1')));
  });

  test('forget keeps only a running run', () => {
    const s = new SessionStore();
    s.begin(ref('r1'));
    s.append('r1', run(1));
    s.forget('/w/a.blobs.json');
    assert.equal(s.latest('/w/a.blobs.json'), undefined);
    s.begin(ref('r2'));
    s.forget('/w/a.blobs.json');
    assert.equal(s.latest('/w/a.blobs.json')?.ref.runId, 'r2');
  });
});
