import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings, trainerOptions } from '../../src/extension/config';
import { duration, loss, percent, progressUpdate, resultText, statusText, summaryLines } from '../../src/extension/format';
import { epoch, summary } from './ext-fixtures';

describe('settings', () => {
  test('defaults when unset or invalid', () => {
    assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
    const s = readSettings((k) => ({ device: 'tpu', keepRuns: -3, gridResolution: 1, maxSamples: 1e12, runsDirectory: '  ' })[k]);
    assert.equal(s.device, 'auto');
    assert.equal(s.keepRuns, 1);
    assert.equal(s.gridResolution, 0);
    assert.equal(s.maxSamples, 5_000_000);
    assert.equal(s.runsDirectory, '.blob-runs');
  });

  test('trainer options: auto device and 0 resolution leave the spec in charge', () => {
    assert.deepEqual(trainerOptions(DEFAULT_SETTINGS), {});
    const s = { ...DEFAULT_SETTINGS, device: 'wasm' as const, gridResolution: 51 };
    assert.deepEqual(trainerOptions(s, { outDir: '/w/.blob-runs/a', allowedRoot: '/w' }, { epochs: 5 }), {
      device: 'wasm',
      resolution: 51,
      outDir: '/w/.blob-runs/a',
      allowedRoot: '/w',
      dataRoot: '/w',
      epochs: 5,
    });
    // No artifacts folder, no root.
    assert.deepEqual(trainerOptions(DEFAULT_SETTINGS, { allowedRoot: '/w' }), {});
  });
});

describe('format', () => {
  test('numbers', () => {
    assert.equal(percent(0.995), '99.50%');
    assert.equal(duration(0.42), '0.4 s');
    assert.equal(duration(12.4), '12 s');
    assert.equal(duration(125), '2 min 05 s');
    assert.equal(loss(0.0412), '0.041');
    assert.equal(loss(0.00001234), '1.2e-5');
  });

  test('status bar text', () => {
    assert.equal(statusText(epoch(36, 0.0412), 100), '$(beaker) 37/100 · loss 0.041');
    assert.equal(statusText(undefined, undefined), '$(beaker) starting…');
    assert.equal(statusText(epoch(0, 1), 10, 1), '$(beaker) 1/10 · loss 1.000 (+1)');
    // The progress notification: message and increments that add up to the progress.
    assert.deepEqual(progressUpdate(undefined, undefined, 0), { message: 'starting…', increment: 0, pct: 0 });
    const p1 = progressUpdate(epoch(36, 0.0412), 100, 0);
    assert.deepEqual(p1, { message: '37/100 · loss 0.041', increment: 37, pct: 37 });
    const p2 = progressUpdate(epoch(49, 0.03), 100, p1.pct);
    assert.equal(p2.increment, 13);
    assert.equal(progressUpdate(epoch(10, 0.03), 100, 50).increment, 0, 'never goes back');
    assert.equal(progressUpdate(epoch(99, 0.03), 100, 0).pct, 100);
  });

  test('result and summary lines', () => {
    assert.equal(resultText(summary()), 'test acc 99.50% · 0.4 s · wasm');
    const lines = summaryLines(summary({ artifacts_dir: '/w/r' }), { lagMs: 3.25 });
    assert.match(lines[0], /completed, 100\/100 epochs/);
    assert.ok(lines.some((l) => l.includes('artifacts: /w/r')));
    assert.ok(lines.some((l) => l.includes('3.3 ms') || l.includes('3.2 ms')));
  });
});
