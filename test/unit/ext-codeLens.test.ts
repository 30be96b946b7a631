import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLenses, countsText, markerCounts } from '../../src/extension/codeLensState';
import { epoch, start, stateOf, summary } from './ext-fixtures';
import { Throttle } from '../../src/extension/throttle';

const titles = (s: Parameters<typeof computeLenses>[0]) => computeLenses(s).map((l) => l.title);

describe('CodeLens state', () => {
  test('idle, no run yet: Train, Show visualisation and the PyTorch notebook', () => {
    const l = computeLenses({ trusted: true, errors: 0 });
    assert.deepEqual(l.map((x) => x.title), ['▶ Train', 'Show visualisation', 'PyTorch notebook']);
    assert.deepEqual(l.map((x) => x.command), ['blobClassifier.train', 'blobClassifier.showPanel', 'blobClassifier.exportNotebook']);
  });

  test('the PyTorch notebook comes last, after the result, and not while a run trains', () => {
    const l = computeLenses({ trusted: true, errors: 0, last: summary() });
    assert.deepEqual(l.map((x) => x.command).slice(-2), ['blobClassifier.openArtifacts', 'blobClassifier.exportNotebook']);
    assert.ok(!computeLenses({ trusted: true, errors: 0, running: stateOf(start(100)) }).some((x) => x.command === 'blobClassifier.exportNotebook'));
  });

  test('training: Stop, and no epoch count for VS Code\'s lens debounce to leave behind; Pause', () => {
    assert.deepEqual(titles({ trusted: true, errors: 0, running: stateOf(start(100), epoch(36)) }), ['■ Stop training', '$(debug-pause) Pause', 'Show visualisation']);
    assert.equal(computeLenses({ trusted: true, errors: 0, running: stateOf() })[0].command, 'blobClassifier.stop');
    assert.match(computeLenses({ trusted: true, errors: 0, running: stateOf(start(3000)) })[0].tooltip!, /3,000 epochs/);
  });

  test('the lens is the same at every epoch of a run: it changes only when the run starts, pauses, resumes and ends', () => {
    const at = (n: number) => computeLenses({ trusted: true, errors: 0, running: stateOf(start(500), ...Array.from({ length: n }, (_, i) => epoch(i))) });
    for (const n of [1, 250, 500]) assert.deepEqual(at(n), at(0), `epoch ${n}`);
    assert.notDeepEqual(titles({ trusted: true, errors: 0, last: summary() }), titles({ trusted: true, errors: 0, running: stateOf(start(500)) }));
  });

  test('training paused: Resume and Step (one epoch); the commands take the spec', () => {
    const l = computeLenses({ trusted: true, errors: 0, running: stateOf(start(100), epoch(36), { type: 'paused', epoch: 37 }) });
    assert.deepEqual(l.map((x) => x.title), ['■ Stop training', '▶ Resume', 'Step', 'Show visualisation']);
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
    assert.deepEqual(l.map((x) => x.title), ['▶ Train', '⚠ 2 problems', 'Show visualisation', 'PyTorch notebook']);
    assert.equal(computeLenses({ trusted: true, errors: 1 })[1].title, '⚠ 1 problem');
  });

  test('the count is every marker of the file, as the Problems view and the status bar count them', () => {
    // The three-mistake spec: 2 errors and a warning from the engine, nothing from the schema.
    const l = computeLenses({ trusted: true, errors: 2, markers: markerCounts([0, 1, 0]) });
    assert.equal(l[1].title, '⚠ 3 problems');
    assert.equal(l[1].tooltip, '2 errors, 1 warning: show the Problems panel');
    // A syntax error reported by VS Code's JSON service (the engine's is not shown).
    assert.equal(computeLenses({ trusted: true, errors: 1, markers: markerCounts([0]) })[1].title, '⚠ 1 problem');
    // Notes only: no warning sign; hints (severity 3) are not listed anywhere.
    assert.equal(computeLenses({ trusted: true, errors: 0, markers: markerCounts([2, 3]) })[1].title, 'ⓘ 1 problem');
    assert.deepEqual(titles({ trusted: true, errors: 0, markers: markerCounts([3]) }), ['▶ Train', 'Show visualisation', 'PyTorch notebook']);
  });

  test('countsText', () => {
    assert.equal(countsText({ errors: 1, warnings: 0, infos: 2 }), '1 error, 2 infos');
    assert.equal(countsText({ errors: 0, warnings: 0, infos: 0 }), '');
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

describe('status bar refresh cadence (Throttle)', () => {
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

  test('at most one fire per interval; state changes fire at once; a quiet spell then one event fires at once', () => {
    const clock = fakeTimers();
    const fires: number[] = [];
    const th = new Throttle(() => fires.push(clock.now()), 500, clock.api);
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
  });
});
