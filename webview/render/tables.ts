/** The evaluation tables (confusion matrix, classification report) as DOM. */
import type { Evaluation } from '../../src/core/protocol';
import { pct } from '../../src/core/figure/format';
import { confusionModel, scoreRows } from '../../src/core/figure/tables';

function cell(doc: Document, tag: 'td' | 'th', text: string, cls?: string): HTMLTableCellElement {
  const c = doc.createElement(tag);
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

/** Rows = true class, columns = predicted; cells shaded by the row share (recall). */
export function fillConfusion(table: HTMLTableElement, ev: Evaluation, classNames: string[], split: string): void {
  const doc = table.ownerDocument;
  const m = confusionModel(ev, classNames);
  table.replaceChildren();
  const cap = doc.createElement('caption');
  cap.textContent = `Confusion matrix (${split}): ${m.correct}/${m.total} correct`;
  table.append(cap);
  const thead = doc.createElement('thead');
  const hr = doc.createElement('tr');
  const corner = cell(doc, 'th', 'true ↓ pred →');
  corner.title = 'Rows: true class. Columns: predicted class.';
  corner.scope = 'col';
  hr.append(corner);
  for (const n of m.classNames) {
    const th = cell(doc, 'th', n);
    th.scope = 'col';
    hr.append(th);
  }
  thead.append(hr);
  const tbody = doc.createElement('tbody');
  m.rows.forEach((row, t) => {
    const tr = doc.createElement('tr');
    const th = cell(doc, 'th', m.classNames[t]);
    th.scope = 'row';
    tr.append(th);
    row.forEach((c, p) => {
      const td = cell(doc, 'td', String(c.count), c.correct ? 'cm-diag' : c.count ? 'cm-off' : 'cm-zero');
      // Shading intensity via a CSS variable read by the stylesheet (no inline colours).
      td.style.setProperty('--share', c.share.toFixed(3));
      td.title = `true ${m.classNames[t]}, predicted ${m.classNames[p]}: ${c.count} (${pct(c.share, 1)} of row)`;
      tr.append(td);
    });
    tbody.append(tr);
  });
  table.append(thead, tbody);
}

export function fillScores(table: HTMLTableElement, ev: Evaluation, classNames: string[], split: string): void {
  const doc = table.ownerDocument;
  table.replaceChildren();
  const cap = doc.createElement('caption');
  cap.textContent = `Classification report (${split}), accuracy ${pct(ev.accuracy)}`;
  const thead = doc.createElement('thead');
  const hr = doc.createElement('tr');
  for (const h of ['class', 'precision', 'recall', 'f1-score', 'support']) {
    const th = cell(doc, 'th', h);
    th.scope = 'col';
    hr.append(th);
  }
  thead.append(hr);
  const tbody = doc.createElement('tbody');
  for (const r of scoreRows(ev, classNames)) {
    const tr = doc.createElement('tr');
    if (r.label.endsWith('avg')) tr.className = 'avg';
    const th = cell(doc, 'th', r.label);
    th.scope = 'row';
    tr.append(th, cell(doc, 'td', r.precision), cell(doc, 'td', r.recall), cell(doc, 'td', r.f1), cell(doc, 'td', r.support));
    tbody.append(tr);
  }
  table.append(cap, thead, tbody);
}
