import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostToWebview } from '../../src/core/protocol';
import { SessionStore } from '../../src/extension/sessionStore';
import { ViewChannel } from '../../src/extension/viewChannel';
import { done, epoch, run, start } from './ext-fixtures';

const A = '/w/a.blobs.json';

function setup(flushMs = 0) {
  const store = new SessionStore();
  const posted: HostToWebview[] = [];
  const timers: (() => void)[] = [];
  const ch = new ViewChannel(store, (m) => posted.push(m), {
    flushMs,
    problems: () => 2,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
  });
  return { store, posted, ch, timers };
}

describe('ViewChannel', () => {
  test('posts nothing before ready; on ready sends the full history as a replay', () => {
    const { store, posted, ch } = setup();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    store.append('r1', [start(3), epoch(0)]);
    ch.follow({ specPath: A, specName: 'a' });
    ch.onEvents('r1', [epoch(1)]);
    store.append('r1', [epoch(1)]);
    assert.equal(posted.length, 0);
    ch.onReady();
    assert.deepEqual(posted.map((m) => m.type), ['run', 'history']);
    const r = posted[0] as Extract<HostToWebview, { type: 'run' }>;
    assert.equal(r.active, true);
    assert.deepEqual(r.events.map((e) => e.type), ['start', 'epoch', 'epoch']);
    assert.deepEqual(r.run, { runId: 'r1', specPath: A, specName: 'a' });
  });

  test('idle when the spec has no run (with its problem count) or no spec is followed', () => {
    const { posted, ch } = setup();
    ch.onReady();
    assert.deepEqual(posted, [{ type: 'idle', specPath: undefined, specName: undefined, problems: undefined }]);
    ch.follow({ specPath: A, specName: 'a' });
    assert.deepEqual(posted[1], { type: 'idle', specPath: A, specName: 'a', problems: 2 });
  });

  test('live events of the shown run only, batched', () => {
    const { store, posted, ch, timers } = setup(16);
    ch.follow({ specPath: A, specName: 'a' });
    ch.onReady();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    ch.refresh(A); // run started
    posted.length = 0;
    ch.onEvents('r1', [start(3)]);
    ch.onEvents('r1', [epoch(0)]);
    ch.onEvents('other', [epoch(5)]);
    assert.equal(posted.length, 0);
    assert.equal(timers.length, 1);
    timers[0]();
    assert.deepEqual(posted, [{ type: 'events', runId: 'r1', events: [start(3), epoch(0)] }]);
  });

  test('replays when it becomes visible again; nothing is posted while hidden', () => {
    const { store, posted, ch } = setup();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    ch.follow({ specPath: A });
    ch.onReady();
    posted.length = 0;
    ch.onVisibility(false);
    store.append('r1', [start(2), epoch(0)]);
    ch.onEvents('r1', [start(2), epoch(0)]);
    assert.equal(posted.length, 0);
    ch.onVisibility(true);
    assert.equal(posted[0].type, 'run');
    assert.equal((posted[0] as Extract<HostToWebview, { type: 'run' }>).events.length, 2);
  });

  test('ready always gets the replay at once, even after a "hidden" visibility event', () => {
    // A panel opened from the side view's Train button: a view-state event said "hidden"
    // while it was placed, then its document loaded and said ready.
    const { store, posted, ch } = setup();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    store.append('r1', run(2));
    ch.follow({ specPath: A });
    ch.onVisibility(false);
    ch.onReady();
    assert.deepEqual(posted.map((m) => m.type), ['run', 'history']);
    ch.onEvents('r1', [epoch(2)]);
    assert.equal(posted.length, 3, 'live events flow after it too');
  });

  test('a reload (ready again) replays from scratch', () => {
    const { store, posted, ch } = setup();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    store.append('r1', run(2));
    ch.follow({ specPath: A });
    ch.onReady();
    ch.onReady();
    assert.deepEqual(posted.map((m) => m.type), ['run', 'history', 'run', 'history']);
    assert.equal((posted[2] as Extract<HostToWebview, { type: 'run' }>).active, false);
  });

  test('a new run of the followed spec: run + history of the earlier ones', () => {
    const { store, posted, ch } = setup();
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    store.append('r1', run(2));
    ch.follow({ specPath: A });
    ch.onReady();
    posted.length = 0;
    store.begin({ runId: 'r2', specPath: A, specName: 'a' });
    ch.refresh(A);
    ch.refresh('/w/other.blobs.json'); // ignored
    assert.deepEqual(posted.map((m) => m.type), ['run', 'history']);
    assert.equal((posted[0] as Extract<HostToWebview, { type: 'run' }>).run.runId, 'r2');
    const h = posted[1] as Extract<HostToWebview, { type: 'history' }>;
    assert.deepEqual(h.runs.map((r) => r.run.runId), ['r1']);
    assert.equal(ch.runId, 'r2');
    ch.onEvents('r1', [done()]); // the old run's events are not this view's
    assert.equal(posted.length, 2);
  });

  test('the playback setting goes first on every ready, so the replay plays at that speed', () => {
    const store = new SessionStore();
    const posted: HostToWebview[] = [];
    let playback: '1x' | 'live' = '1x';
    const ch = new ViewChannel(store, (m) => posted.push(m), { flushMs: 0, playback: () => playback });
    store.begin({ runId: 'r1', specPath: A, specName: 'a' });
    store.append('r1', [start(3), epoch(0)]);
    ch.follow({ specPath: A, specName: 'a' });
    ch.onReady();
    assert.deepEqual(posted.map((m) => m.type), ['options', 'run', 'history']);
    assert.deepEqual(posted[0], { type: 'options', playback: '1x' });
    playback = 'live';
    ch.onReady(); // a reloaded view
    assert.deepEqual(posted[3], { type: 'options', playback: 'live' });
  });

  test('one-off messages are queued until ready, after the snapshot', () => {
    const { posted, ch } = setup();
    ch.send({ type: 'exported', path: '/w/f.png' });
    assert.equal(posted.length, 0);
    ch.onReady();
    assert.deepEqual(posted.map((m) => m.type), ['idle', 'exported']);
  });

  test('disposed channels post nothing', () => {
    const { posted, ch } = setup();
    ch.onReady();
    ch.dispose();
    ch.send({ type: 'exported' });
    ch.onEvents('r1', [epoch(0)]);
    assert.equal(posted.length, 1);
  });
});
