/** The pure side of the panel's controls (webview/controlsModel.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LR_STEPS, lrIndex, newSeed, parseControl, parseWidth, showValue, spreadField } from '../../webview/controlsModel';

test('the lr slider stops at 1-2-5 steps from 1e-4 to 10; a value between stops shows at the nearest (log scale)', () => {
  assert.equal(LR_STEPS.length, 16);
  assert.deepEqual(LR_STEPS.slice(0, 4), [0.0001, 0.0002, 0.0005, 0.001]);
  assert.equal(LR_STEPS.at(-1), 10);
  assert.equal(LR_STEPS[lrIndex(0.1)], 0.1);
  assert.equal(LR_STEPS[lrIndex(0.03)], 0.02, 'log(0.03/0.02) < log(0.05/0.03)');
  assert.equal(lrIndex(1e-9), 0);
  assert.equal(lrIndex(500), 15);
  assert.equal(lrIndex(-1), 0);
});

test('text becomes a spec value; what is not a value at all is refused here', () => {
  assert.deepEqual(parseControl('lr', ' 0.01 '), { value: 0.01 });
  assert.deepEqual(parseControl('lr', '1e-3'), { value: 0.001 });
  assert.ok('error' in parseControl('lr', ''));
  assert.ok('error' in parseControl('lr', '0x10'));
  assert.ok('error' in parseControl('epochs', 'lots'));
  // Whether -5 is allowed is the validator's call (on the host), not this one's.
  assert.deepEqual(parseControl('epochs', '-5'), { value: -5 });
  assert.deepEqual(parseControl('batch_size', 'Full'), { value: 'full' });
  assert.deepEqual(parseControl('batch_size', '32'), { value: 32 });
  assert.ok('error' in parseControl('batch_size', 'half'));
  assert.deepEqual(parseControl('noise', 'none'), { value: null });
  assert.deepEqual(parseControl('noise', ''), { value: null });
  assert.deepEqual(parseControl('hidden_units', '[16, 16]'), { value: [16, 16] });
  assert.deepEqual(parseControl('hidden_units', ''), { value: [] });
  assert.deepEqual(parseWidth(' 16 '), { value: 16 });
  assert.deepEqual(parseWidth('wide'), { error: 'Enter a layer width, e.g. 8.' });
});

test('what each control shows; which spread control a generator has', () => {
  const v = { generator: 'make_moons', lr: 0.30000000000000004, noise: null, hidden_units: [8, 8], batch_size: 'full' as const };
  assert.equal(showValue('lr', v), '0.3');
  assert.equal(showValue('noise', v), 'none');
  assert.equal(showValue('hidden_units', v), '[8, 8]');
  assert.equal(showValue('batch_size', v), 'full');
  assert.equal(showValue('seed', v), '');
  assert.equal(spreadField(v), 'noise');
  assert.equal(spreadField({ generator: 'make_blobs' }), 'cluster_std');
  assert.equal(spreadField({ generator: 'csv' }), undefined);
  const s = newSeed(() => 0.123456);
  assert.ok(Number.isInteger(s) && s >= 0 && s < 100000);
});
