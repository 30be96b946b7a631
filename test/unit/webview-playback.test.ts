/**
 * The playback clock (webview/playback.ts) on a hand-driven time source: which epoch the
 * view shows, whatever the trainer's speed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TICK_MS, PlaybackClock, settingOf, speedLabel, speedOf, STORY_MS } from '../../webview/playback';
import { PLAYBACK_SETTINGS } from '../../src/core/protocol';

function clock(total = 100) {
  const t = { now: 0 };
  const c = new PlaybackClock(() => t.now);
  c.reset(total);
  /** Ticks every `frameMs` for `ms`, as animation frames would; returns the shown epochs. */
  const run = (ms: number, frameMs = 16) => {
    const seen: number[] = [];
    c.tick();
    for (let s = 0; s < ms; s += frameMs) {
      t.now += frameMs;
      c.tick();
      seen.push(c.shown);
    }
    return seen;
  };
  return { c, t, run };
}

describe('playback clock', () => {
  test('a run trained at once is told in about 3 s at ×1, eased (the first epochs, where the boundary moves, get the most time)', () => {
    const { c, run } = clock(100);
    c.setTrained(100, true);
    assert.equal(c.shown, 0, 'starts from the untrained model');
    assert.ok(c.animating);
    const seen = run(STORY_MS + 100);
    const at = (ms: number) => seen[Math.round(ms / 16) - 1];
    assert.ok(at(250) === 0, `the untrained model for a moment: ${at(250)}`);
    assert.ok(at(1000) >= 10 && at(1000) <= 12, `a ninth of the epochs after a third of the time: ${at(1000)}`);
    assert.ok(at(2100) >= 47 && at(2100) <= 51, `half of them after 70%: ${at(2100)}`);
    assert.equal(seen.at(-1), 100);
    assert.ok(new Set(seen).size >= 95, `nearly every epoch 0..100 shown at 60 frames/s: ${new Set(seen).size}`);
    const firstTen = seen.filter((e) => e <= 10).length * 16;
    assert.ok(firstTen >= 900, `the first ten epochs take about a second: ${firstTen} ms`);
    const firstAt100 = seen.indexOf(100);
    assert.ok(Math.abs(firstAt100 * 16 - STORY_MS) <= 32, `the end after ${firstAt100 * 16} ms`);
    assert.equal(c.finished, true);
    assert.equal(c.playing, false, 'a finished story stops');
    assert.equal(c.animating, false);
  });

  test('the story of a long run takes as long as a short one; speeds scale it', () => {
    for (const [speed, ms] of [[1, 3000], [2, 1500], [8, 375], [0.25, 12000], [0.5, 6000]] as const) {
      const { c, run } = clock(1_000_000);
      c.setSpeed(speed);
      c.setTrained(1_000_000, true);
      const seen = run(ms + 50);
      const end = seen.indexOf(1_000_000);
      assert.ok(end >= 0 && Math.abs((end + 1) * 16 - ms) <= 32, `×${speed}: the end after ${(end + 1) * 16} ms, expected ${ms}`);
    }
  });

  test('a trainer slower than the story is followed live: the view waits for it, then catches up at once', () => {
    const { c, t, run } = clock(100);
    c.setTrained(5, false);
    run(1000);
    assert.equal(c.shown, 5, 'never ahead of the trainer');
    assert.equal(c.animating, false, 'nothing to animate while caught up');
    assert.equal(c.behind, false);
    // A new epoch after a quiet spell: shown by the next frame, not after a story step.
    t.now += 5000;
    c.setTrained(6, false);
    assert.ok(c.animating);
    assert.equal(c.tick(), true);
    assert.equal(c.shown, 6);
  });

  test('live shows each epoch as soon as it is trained', () => {
    const { c } = clock(100);
    c.setSpeed('live');
    c.setTrained(37, false);
    assert.equal(c.shown, 37);
    c.setTrained(100, true);
    assert.equal(c.shown, 100);
    assert.equal(c.finished, true);
  });

  test('pause holds the shown epoch however long; play goes on from there', () => {
    const { c, t, run } = clock(100);
    c.setTrained(100, true);
    run(1500);
    c.pause();
    const held = c.shown;
    assert.ok(held >= 24 && held <= 26, `${held}`);
    t.now += 60_000;
    assert.equal(c.tick(), false);
    assert.equal(c.shown, held);
    assert.equal(c.animating, false);
    c.play();
    run(100);
    assert.ok(c.shown > held && c.shown <= held + 5, `goes on from ${held}: ${c.shown}`);
  });

  test('the slider is the playback: seek pauses where it is put, clamped to what was trained', () => {
    const { c, run } = clock(100);
    c.setTrained(60, false);
    run(200);
    c.seek(42);
    assert.equal(c.shown, 42);
    assert.equal(c.playing, false);
    c.seek(99);
    assert.equal(c.shown, 60, 'not past the trainer');
    c.seek(-3);
    assert.equal(c.shown, 0);
    run(1000);
    assert.equal(c.shown, 0, 'stays paused');
  });

  test('jump to end shows the trained epoch and follows a run still going; play after the end replays from 0', () => {
    const { c, run } = clock(100);
    c.setTrained(40, false);
    c.jumpToEnd();
    assert.equal(c.shown, 40);
    assert.equal(c.playing, true, 'follows the run');
    c.setTrained(41, false);
    run(50);
    assert.equal(c.shown, 41);
    c.setTrained(100, true);
    c.jumpToEnd();
    assert.equal(c.shown, 100);
    assert.equal(c.finished, true);
    assert.equal(c.playing, false);
    c.play();
    assert.equal(c.shown, 0, 'the story again from the untrained model');
    assert.ok(c.animating);
  });

  test('a stalled renderer slows the story instead of skipping it', () => {
    const { c, t } = clock(100);
    c.setTrained(100, true);
    c.tick();
    t.now += 2000; // one frame two seconds late
    c.tick();
    assert.equal(c.shown, Math.floor(100 * (MAX_TICK_MS / STORY_MS) ** 2));
    for (let i = 0; i < 5; i++) {
      t.now += 2000;
      c.tick();
    }
    assert.equal(c.shown, Math.floor(100 * ((6 * MAX_TICK_MS) / STORY_MS) ** 2), 'each late frame is one short step');
  });

  test('a paused trainer: playback catches up and stops at the trained epoch', () => {
    const { c, run } = clock(1000);
    c.setTrained(300, false); // the trainer paused at 300
    run(2000);
    assert.equal(c.shown, 300);
    assert.equal(c.animating, false);
    assert.equal(c.finished, false, 'the run is not over');
  });

  test('reset restores a saved position, paused or playing', () => {
    const { c } = clock(100);
    c.reset(100, { from: 30, playing: false });
    c.setTrained(100, true);
    assert.equal(c.shown, 30);
    assert.equal(c.playing, false);
  });

  test('settings and labels', () => {
    for (const s of PLAYBACK_SETTINGS) assert.equal(settingOf(speedOf(s)), s);
    assert.deepEqual(PLAYBACK_SETTINGS.map((s) => speedLabel(speedOf(s))), ['×¼', '×½', '×1', '×2', '×4', '×8', 'as fast as it trains']);
  });
});
