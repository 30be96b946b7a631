import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLenses, LENS_PROGRESS_MS, LENS_STALE_MS } from '../../src/extension/codeLensState';
import { epoch, start, stateOf, summary } from './ext-fixtures';
import { Throttle } from '../../src/extension/throttle';

const titles = (s: Parameters<typeof computeLenses>[0]) => computeLenses(s).map((l) => l.title);

describe('CodeLens state', () => {
  test('idle, no run yet: Train and Show visualisation', () => {
    const l = computeLenses({ trusted: true, errors: 0 });
    assert.deepEqual(l.map((x) => x.title), ['▶ Train', 'Show visualisation']);
    assert.deepEqual(l.map((x) => x.command), ['blobClassifier.train', 'blobClassifier.showPanel']);
  });

  test('training: Stop with 1-based completed epochs over the total', () => {
    assert.deepEqual(titles({ trusted: true, errors: 0, running: stateOf(start(100), epoch(36)) }), ['■ Stop (epoch 37/100)', '$(debug-pause) Pause', 'Show visualisation']);
    assert.equal(computeLenses({ trusted: true, errors: 0, running: stateOf(start(100)) })[0].title, '■ Stop (epoch 0/100)');
    assert.equal(computeLenses({ trusted: true, errors: 0, running: stateOf() })[0].title, '■ Stop (starting…)');
    assert.equal(computeLenses({ trusted: true, errors: 0, running: stateOf() })[0].command, 'blobClassifier.stop');
  });

  test('training paused: Resume and Step (one epoch); the commands take the spec', () => {
    const l = computeLenses({ trusted: true, errors: 0, running: stateOf(start(100), epoch(36), { type: 'paused', epoch: 37 }) });
    assert.deepEqual(l.map((x) => x.title), ['■ Stop (epoch 37/100)', '▶ Resume', 'Step', 'Show visualisation']);
    assert.deepEqual(l.map((x) => x.command), ['blobClassifier.stop', 'blobClassifier.resume', 'blobClassifier.step', 'blobClassifier.showPanel']);
    const resumed = stateOf(start(100), epoch(36), { type: 'paused', epoch: 37 }, { type: 'resumed', epoch: 37 });
    assert.equal(computeLenses({ trusted: true, errors: 0, running: resumed })[1].command, 'blobClassifier.pause');
  });

  test('the last result, linked to the artifacts', () => {
    const l = computeLenses({ trusted: true, errors: 0, last: summary({ artifacts_dir: '/w/.blob-runs/a/r1' }) });
    assert.equal(l[2].title, 'test acc 99.50% · 420 ms · wasm');
    assert.equal(l[2].command, 'blobClassifier.openArtifacts');
    assert.match(l[2].tooltip!, /\/w\/.blob-runs\/a\/r1/);
  });

  test('while training, the previous result is still shown', () => {
    assert.equal(titles({ trusted: true, errors: 0, running: stateOf(start(10)), last: summary() }).length, 4);
  });

  test('a cancelled run says where it stopped', () => {
    const t = titles({ trusted: true, errors: 0, last: summary({ status: 'cancelled', epochs_completed: 37 }) });
    assert.equal(t[2], 'test acc 99.50% · 420 ms · wasm · stopped at 37/100');
  });

  test('errors: count lens, Train still offered (it explains the first problem)', () => {
    const l = computeLenses({ trusted: true, errors: 2 });
    assert.deepEqual(l.map((x) => x.title), ['▶ Train', '⚠ 2 problems', 'Show visualisation']);
    assert.equal(computeLenses({ trusted: true, errors: 1 })[1].title, '⚠ 1 problem');
  });

  test('untrusted workspace: training disabled, says why', () => {
    const l = computeLenses({ trusted: false, errors: 0 });
    assert.match(l[0].title, /disabled: untrusted workspace/);
    assert.notEqual(l[0].command, 'blobClassifier.train');
  });

  test('a failed latest run shows its error (truncated) instead of the older result', () => {
    const message = 'x'.repeat(200);
    const l = computeLenses({ trusted: true, errors: 0, last: summary(), lastError: { code: 'crashed', message } });
    assert.ok(l[2].title.startsWith('✗ crashed: '));
    assert.ok(l[2].title.length < 80);
    assert.equal(l[2].tooltip, message);
  });
});

describe('CodeLens refresh cadence (Throttle)', () => {
  function fakeTimers() {
    let t = 0;
    let seq = 0;
    const pending = new Map<number, { at: number; fn: () => void }>();
    const api = {
      now: () => t,
      setTimeout: (fn: () => void, ms: number) => {
        pending.set(++seq, { at: t + ms, fn });
        return seq;
      },
      clearTimeout: (h: unknown) => void pending.delete(h as number),
    };
    const advance = (ms: number) => {
      const end = t + ms;
      for (;;) {
        const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        pending.delete(next[0]);
        t = next[1].at;
        next[1].fn();
      }
      t = end;
    };
    return { api, advance, now: () => t };
  }

  /**
   * VS Code's CodeLens controller, simulated: every `onDidChangeCodeLenses` restarts a
   * RunOnceScheduler of `debounceMs`; when it runs, the lenses are provided (consumed()).
   */
  function vscodeConsumer(clock: ReturnType<typeof fakeTimers>, debounceMs: number) {
    let handle: unknown;
    const provided: number[] = [];
    let th: Throttle;
    const onChange = () => {
      if (handle !== undefined) clock.api.clearTimeout(handle);
      handle = clock.api.setTimeout(() => {
        handle = undefined;
        provided.push(clock.now());
        th.consumed();
      }, debounceMs);
    };
    th = new Throttle(onChange, LENS_PROGRESS_MS, LENS_STALE_MS, clock.api);
    return { th, provided };
  }

  for (const debounceMs of [250, 700, 1500, 3000, 6000]) {
    test(`the lens keeps up with a steady stream of progress (VS Code debounce ${debounceMs} ms restarted by every fire)`, () => {
      const clock = fakeTimers();
      const { th, provided } = vscodeConsumer(clock, debounceMs);
      th.now(); // run started
      for (let i = 0; i < 10_000; i++) {
        th.soon(); // an epoch event every ms for 10 s
        clock.advance(1);
      }
      // Firing every 250-500 ms regardless would restart a >= 500 ms debounce forever.
      assert.ok(provided.length >= 10_000 / (LENS_PROGRESS_MS + debounceMs) - 1, `provided at ${provided}`);
      const gaps = [provided[0], ...provided.slice(1).map((p, i) => p - provided[i])];
      assert.ok(Math.max(...gaps) <= LENS_PROGRESS_MS + debounceMs, `gaps ${gaps}`);
    });
  }

  test('at most one fire per interval; state changes fire at once; a quiet spell then one event fires at once', () => {
    const clock = fakeTimers();
    const fires: number[] = [];
    let th: Throttle;
    th = new Throttle(() => { fires.push(clock.now()); th.consumed(); }, 500, 2000, clock.api);
    th.soon();
    assert.deepEqual(fires, [0]);
    clock.advance(100);
    th.soon(); // within the interval: trailing, at 500
    assert.equal(th.pending, true);
    clock.advance(100);
    th.now(); // run done: at once, the pending one is dropped
    assert.deepEqual(fires, [0, 200]);
    assert.equal(th.pending, false);
    clock.advance(2000);
    th.soon();
    assert.deepEqual(fires, [0, 200, 2200]);
    for (let i = 0; i < 3000; i++) {
      th.soon();
      clock.advance(1);
    }
    const gaps = fires.slice(3).map((f, i) => f - fires[2 + i]);
    assert.ok(gaps.length >= 5 && gaps.every((g) => g === 500), `${gaps}`);
    assert.ok(LENS_PROGRESS_MS > 250 && LENS_PROGRESS_MS <= 1000);
  });

  test('with no stale fallback, an unpulled fire arms no timer until the pull', () => {
    const clock = fakeTimers();
    const fires: number[] = [];
    const th = new Throttle(() => fires.push(clock.now()), 500, LENS_STALE_MS, clock.api);
    th.now();
    th.soon();
    assert.equal(th.pending, false, 'no timer: a real setTimeout(Infinity) fires after 1 ms');
    clock.advance(10_000);
    assert.deepEqual(fires, [0]);
    th.consumed(); // VS Code pulled: the wanted refresh goes (its slot is long due)
    assert.deepEqual(fires, [0, 10_000]);
  });

  test('a consumer that never pulls (no editor shows the spec) is fired at the stale interval', () => {
    const clock = fakeTimers();
    const fires: number[] = [];
    const th = new Throttle(() => fires.push(clock.now()), 500, 2000, clock.api);
    th.now();
    for (let i = 0; i < 5000; i++) {
      th.soon();
      clock.advance(1);
    }
    assert.deepEqual(fires, [0, 2000, 4000]);
  });
});
