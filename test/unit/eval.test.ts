import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrix, evaluate } from '../../src/core/train/evaluate';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);

describe('evaluate (sklearn definitions)', () => {
  // y_true = [0,0,0,1,1,2], y_pred = [0,1,0,1,2,2]  (worked by hand, and equal to
  // sklearn.metrics.classification_report / precision_recall_fscore_support)
  const yTrue = [0, 0, 0, 1, 1, 2];
  const yPred = [0, 1, 0, 1, 2, 2];
  const ev = evaluate(yTrue, yPred, 3, 0.5);

  test('confusion[true][pred]', () => {
    assert.deepEqual(ev.confusion, [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });

  test('per-class precision, recall, f1, support', () => {
    // class 0: tp 2, fp 0, fn 1 -> p 1, r 2/3, f1 0.8
    // class 1: tp 1, fp 1, fn 1 -> p .5, r .5, f1 .5
    // class 2: tp 1, fp 1, fn 0 -> p .5, r 1, f1 2/3
    const want = [
      [1, 2 / 3, 0.8, 3],
      [0.5, 0.5, 0.5, 2],
      [0.5, 1, 2 / 3, 1],
    ];
    ev.perClass.forEach((s, c) => {
      close(s.precision, want[c][0], `p${c}`);
      close(s.recall, want[c][1], `r${c}`);
      close(s.f1, want[c][2], `f${c}`);
      assert.equal(s.support, want[c][3]);
    });
  });

  test('accuracy, macro and weighted averages', () => {
    close(ev.accuracy, 4 / 6);
    close(ev.macro.precision, 2 / 3);
    close(ev.macro.recall, (2 / 3 + 0.5 + 1) / 3);
    close(ev.macro.f1, (0.8 + 0.5 + 2 / 3) / 3);
    close(ev.weighted.precision, (1 * 3 + 0.5 * 2 + 0.5 * 1) / 6);
    close(ev.weighted.recall, (2 / 3 * 3 + 0.5 * 2 + 1 * 1) / 6);
    close(ev.weighted.f1, (0.8 * 3 + 0.5 * 2 + (2 / 3) * 1) / 6);
    assert.equal(ev.loss, 0.5);
  });

  test('zero division gives 0; absent classes are left out of the macro average', () => {
    // class 1 never predicted (precision 0/0 -> 0); class 2 absent from both.
    const e = evaluate([0, 1, 1], [0, 0, 0], 3, 0);
    assert.equal(e.perClass[1].precision, 0);
    assert.equal(e.perClass[1].recall, 0);
    assert.equal(e.perClass[1].f1, 0);
    assert.deepEqual(e.perClass[2], { precision: 0, recall: 0, f1: 0, support: 0 });
    // sklearn (labels = unique(y_true ∪ y_pred) = {0,1}): macro p = (1/3 + 0)/2
    close(e.macro.precision, 1 / 6);
    close(e.macro.recall, 0.5);
    close(e.macro.f1, 0.25);
  });

  test('empty input', () => {
    const e = evaluate([], [], 2, 0);
    assert.equal(e.accuracy, 0);
    assert.deepEqual(e.confusion, [
      [0, 0],
      [0, 0],
    ]);
  });

  test('length mismatch is an error', () => {
    assert.throws(() => confusionMatrix([0], [0, 1], 2), /y_true has 1 labels but y_pred has 2/);
  });
});
