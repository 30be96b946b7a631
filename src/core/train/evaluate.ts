/**
 * Classification metrics with scikit-learn's definitions (pure, no TF.js):
 *   precision_c = tp / (tp + fp), recall_c = tp / (tp + fn), f1_c = 2·p·r / (p + r),
 *   zero_division → 0 (sklearn's `zero_division=0`).
 *   macro = unweighted mean over the labels present in y_true ∪ y_pred (sklearn's
 *   default `labels`), weighted = mean weighted by support (true count).
 * `perClass` and `confusion` cover every class 0..nClasses-1 so tables line up across
 * runs; a class with no samples and no predictions has all-zero scores.
 */

import type { ClassScores, Evaluation } from '../protocol';

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`y_true has ${yTrue.length} labels but y_pred has ${yPred.length}`);
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function evaluate(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number, loss: number): Evaluation {
  const confusion = confusionMatrix(yTrue, yPred, nClasses);
  const perClass: ClassScores[] = [];
  let correct = 0;
  for (let c = 0; c < nClasses; c++) {
    const tp = confusion[c][c];
    correct += tp;
    let support = 0; // row sum: true c
    let predicted = 0; // column sum: predicted c
    for (let j = 0; j < nClasses; j++) {
      support += confusion[c][j];
      predicted += confusion[j][c];
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
  }
  const present = perClass.map((s, c) => s.support > 0 || confusion.some((row) => row[c] > 0));
  const nPresent = present.filter(Boolean).length;
  const total = yTrue.length;
  const avg = (key: 'precision' | 'recall' | 'f1', weighted: boolean) => {
    let s = 0;
    perClass.forEach((sc, c) => {
      if (present[c]) s += weighted ? sc[key] * sc.support : sc[key];
    });
    return ratio(s, weighted ? total : nPresent);
  };
  return {
    accuracy: ratio(correct, total),
    loss,
    confusion,
    perClass,
    macro: { precision: avg('precision', false), recall: avg('recall', false), f1: avg('f1', false) },
    weighted: { precision: avg('precision', true), recall: avg('recall', true), f1: avg('f1', true) },
  };
}
