import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings, trainerOptions } from '../../src/extension/config';
import { resultText, statusText, summaryLines } from '../../src/extension/runText';
import { epoch, start, stateOf, summary } from './ext-fixtures';

describe('settings', () => {
  test('defaults when unset or invalid', () => {
    assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
    const s = readSettings((k) => ({ device: 'tpu', keepRuns: -3, gridResolution: 1, maxSamples: 1e12, runsDirectory: '  ', playback: '3x' })[k]);
    assert.equal(s.playback, '1x');
    assert.equal(readSettings((k) => (k === 'playback' ? 'live' : undefined)).playback, 'live');
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

describe('run texts', () => {
  test('status bar text', () => {
    assert.equal(statusText(stateOf(start(100), epoch(36, 0.0412))), '$(beaker) 37/100 · loss 0.0412');
    assert.equal(statusText(stateOf()), '$(beaker) starting…');
    assert.equal(statusText(stateOf(start(10), epoch(0, 1)), 1), '$(beaker) 1/10 · loss 1.0000 (+1)');
  });

  test('result and summary lines', () => {
    assert.equal(resultText(summary()), 'test acc 99.50% · 420 ms · wasm');
    const lines = summaryLines(summary({ artifacts_dir: '/w/r' }), { lagMs: 3.25 });
    assert.match(lines[0], /completed, 100\/100 epochs/);
    assert.ok(lines.some((l) => l.includes('artifacts: /w/r')));
    assert.ok(lines.some((l) => l.includes('lag during the run: 3 ms')), lines.join('\n'));
  });
});
