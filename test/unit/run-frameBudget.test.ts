import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameEvent, TrainerEvent } from '../../src/core/protocol';
import { DISK_FRAME_BUDGET, FrameThinner, frameBytes, keepEndFrames, MEMORY_FRAME_BUDGET, thinFrames } from '../../src/core/run/frameBudget';
import { AUTO_FRAMES, FrameClock, plannedFrameEpochs } from '../../src/core/train/frames';
import { SessionStore } from '../../src/extension/sessionStore';
import { done, epoch, frame, start, summary } from './ext-fixtures';

const frames = (es: readonly TrainerEvent[]) => es.filter((e): e is FrameEvent => e.type === 'frame').map((f) => f.epoch);

/** A long run with boundary.every = 1: start, frame 0, then (epoch i, frame i+1) per epoch. */
function longRun(epochs: number): TrainerEvent[] {
  const out: TrainerEvent[] = [start(epochs), frame(0)];
  for (let i = 0; i < epochs; i++) out.push(epoch(i), frame(i + 1));
  out.push(done(summary({ epochs, epochs_completed: epochs })));
  return out;
}

describe('frame budget', () => {
  test("the trainer's default (auto) run is kept whole, in memory and on disk, at the largest grid it sends", () => {
    // Coarse intermediate frames with 2,000 points, full 501 x 501 first and last.
    const big = (epochs: number, res: number): FrameEvent => {
      const b64 = (n: number) => 'A'.repeat(4 * Math.ceil(n / 3));
      return { type: 'frame', epoch: epochs, resolution: res, bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 }, cls: b64(res * res), conf: b64(res * res), predTrain: b64(1000), predTest: b64(1000) };
    };
    const total = 100_000;
    const clock = new FrameClock('auto', total, { resolution: 501, points: 2000 });
    const plan = plannedFrameEpochs(total, clock.maxFrames);
    const events: TrainerEvent[] = [start(total)];
    for (const e of plan) events.push(big(e, clock.gridFor(e) === 'full' ? 501 : clock.coarseResolution));
    assert.ok(plan.length <= AUTO_FRAMES.maxFrames);
    for (const budget of [MEMORY_FRAME_BUDGET, DISK_FRAME_BUDGET]) assert.deepEqual(frames(thinFrames(events, budget)), plan);
  });

  test('keeps every frame while under budget', () => {
    const out = thinFrames(longRun(9), { maxFrames: 10, maxBytes: Infinity });
    assert.deepEqual(frames(out), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(out.filter((e) => e.type === 'epoch').length, 9);
  });

  test('a long run stays bounded: evenly spaced, epoch 0 and the latest always kept, every epoch event kept', () => {
    const events = longRun(10_000);
    const out = thinFrames(events, { maxFrames: 400, maxBytes: Infinity });
    const kept = frames(out);
    assert.ok(kept.length <= 400, `${kept.length} frames`);
    assert.ok(kept.length >= 200, `${kept.length} frames (thinned too much)`);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 10_000);
    // Evenly spaced apart from the latest.
    const gaps = new Set(kept.slice(1, -1).map((e, i) => e - kept[i]));
    assert.equal(gaps.size, 1, `gaps ${[...gaps]}`);
    // Ascending, and nothing but frames was dropped.
    assert.deepEqual([...kept].sort((a, b) => a - b), kept);
    assert.equal(out.filter((e) => e.type === 'epoch').length, 10_000);
    assert.equal(out.at(-1)?.type, 'done');
  });

  test('the result does not depend on how events were batched, and the latest is kept at every step', () => {
    const all = longRun(777);
    const budget = { maxFrames: 50, maxBytes: Infinity };
    const one = thinFrames(all, budget);
    const t = new FrameThinner(budget);
    const live: TrainerEvent[] = [];
    for (const e of all) {
      if (e.type === 'frame') {
        t.push(live, e);
        assert.equal(frames(live).at(-1), e.epoch);
        assert.equal(frames(live)[0], 0);
        assert.ok(t.stats().kept <= 50);
      } else live.push(e);
    }
    assert.deepEqual(live, one);
    assert.equal(t.stats().seen, 778);
  });

  test('a byte budget bounds large frames too', () => {
    const big = (i: number): FrameEvent => ({ ...frame(i), cls: 'A'.repeat(10_000), conf: 'A'.repeat(10_000) });
    const events: TrainerEvent[] = [start(300)];
    for (let i = 0; i <= 300; i++) events.push(big(i));
    const maxBytes = 20 * frameBytes(big(0));
    const out = thinFrames(events, { maxFrames: 1000, maxBytes });
    const kept = frames(out);
    assert.ok(kept.length <= 20, `${kept.length}`);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 300);
  });

  test('keepEndFrames keeps the first and the last frame only', () => {
    const es = longRun(5);
    keepEndFrames(es);
    assert.deepEqual(frames(es), [0, 5]);
    assert.equal(es.filter((e) => e.type === 'epoch').length, 5);
  });
});

describe('SessionStore frame budget', () => {
  const ref = (runId: string) => ({ runId, specPath: '/w/a.blobs.json', specName: 'a' });

  test('a very long run with boundary.every = 1 keeps a bounded history', () => {
    const s = new SessionStore(5, { maxFrames: 64, maxBytes: Infinity });
    const rec = s.begin(ref('r1'));
    const events = longRun(5000);
    // Arrives one event at a time, like the trainer's stream.
    for (const e of events) s.append('r1', [e]);
    const kept = frames(s.replay('r1'));
    assert.ok(kept.length <= 64, `${kept.length} frames kept`);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 5000);
    assert.equal(rec.frames?.seen, 5001);
    assert.equal(rec.frames?.kept, kept.length);
    assert.equal(rec.status, 'completed');
    assert.equal(s.history('/w/a.blobs.json')[0].epochs.length, 5000);
  });

  test('a superseded run keeps only its first and last frame; its curve stays', () => {
    const s = new SessionStore();
    s.begin(ref('r1'));
    s.append('r1', longRun(20));
    s.begin(ref('r2'));
    assert.deepEqual(frames(s.replay('r1')), [0, 20]);
    assert.equal(s.history('/w/a.blobs.json', 'r2')[0].epochs.length, 20);
  });

  test('restore adds a finished run as the oldest; an unfinished or known one is refused', () => {
    const s = new SessionStore();
    s.begin(ref('new'));
    const rec = s.restore(ref('old'), longRun(3), '/w/.blob-runs/a');
    assert.ok(rec);
    assert.equal(rec.restored, true);
    assert.equal(rec.status, 'completed');
    assert.deepEqual(s.list('/w/a.blobs.json').map((r) => r.ref.runId), ['old', 'new']);
    assert.equal(s.latest('/w/a.blobs.json')?.ref.runId, 'new');
    assert.equal(s.restore(ref('old'), longRun(3)), undefined);
    assert.equal(s.restore(ref('half'), longRun(3).slice(0, -1)), undefined);
    assert.equal(s.list('/w/a.blobs.json').length, 2);
  });

  test('a restored run alone is the latest and replays in full', () => {
    const s = new SessionStore();
    const events = longRun(4);
    s.restore(ref('old'), events);
    assert.equal(s.latest('/w/a.blobs.json')?.ref.runId, 'old');
    assert.deepEqual(s.replay('old'), events);
    assert.equal(s.lastFinished('/w/a.blobs.json')?.summary?.epochs, 4);
  });
});
