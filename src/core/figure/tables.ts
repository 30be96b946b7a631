/**
 * Table models for the evaluation: the confusion matrix (counts, row-normalised
 * shares for shading) and the per-class scores, as plain data the webview turns into
 * <table>s and tests check directly.
 */
import type { Evaluation } from '../protocol';
import { pyFixed } from './format';

export interface ConfusionCell {
  count: number;
  /** count / row total (recall share), 0 when the row is empty. */
  share: number;
  correct: boolean;
}

export interface ConfusionModel {
  classNames: string[];
  /** rows[true][predicted] */
  rows: ConfusionCell[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
  correct: number;
}

export function confusionModel(ev: Evaluation, classNames: string[]): ConfusionModel {
  const k = Math.max(ev.confusion.length, classNames.length);
  const names = Array.from({ length: k }, (_, i) => classNames[i] ?? String(i));
  const rowTotals = new Array<number>(k).fill(0);
  const colTotals = new Array<number>(k).fill(0);
  let total = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = ev.confusion[t]?.[p] ?? 0;
      rowTotals[t] += c;
      colTotals[p] += c;
      total += c;
      if (t === p) correct += c;
    }
  }
  const rows = Array.from({ length: k }, (_, t) =>
    Array.from({ length: k }, (_, p) => {
      const count = ev.confusion[t]?.[p] ?? 0;
      return { count, share: rowTotals[t] ? count / rowTotals[t] : 0, correct: t === p };
    }),
  );
  return { classNames: names, rows, rowTotals, colTotals, total, correct };
}

export interface ScoreRow {
  label: string;
  precision: string;
  recall: string;
  f1: string;
  support: string;
}

/** scikit-learn's classification_report layout: per class, then macro and weighted avg. */
export function scoreRows(ev: Evaluation, classNames: string[]): ScoreRow[] {
  const f = (x: number) => (Number.isFinite(x) ? pyFixed(x, 2) : '–');
  const rows: ScoreRow[] = ev.perClass.map((s, i) => ({
    label: classNames[i] ?? String(i),
    precision: f(s.precision),
    recall: f(s.recall),
    f1: f(s.f1),
    support: String(s.support),
  }));
  const support = ev.perClass.reduce((a, s) => a + s.support, 0);
  rows.push({ label: 'macro avg', precision: f(ev.macro.precision), recall: f(ev.macro.recall), f1: f(ev.macro.f1), support: String(support) });
  rows.push({ label: 'weighted avg', precision: f(ev.weighted.precision), recall: f(ev.weighted.recall), f1: f(ev.weighted.f1), support: String(support) });
  return rows;
}
