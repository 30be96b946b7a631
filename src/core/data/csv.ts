/**
 * `x1,...,xn,label` CSV files as a Dataset. Pure (no I/O): build.ts reads the file.
 *
 * Rules, chosen so a beginner's spreadsheet export just works:
 *  - blank lines and lines starting with `#` are ignored; a UTF-8 BOM and `\r` are dropped;
 *  - a header row is optional: the first row is a header when none of its feature cells
 *    is a number (a row with some numbers and some words is reported as a bad row);
 *  - the last column is the label; labels may be numbers or words and become class
 *    indices 0..k-1 in sorted order (numeric order when every label is a number);
 *  - cells may be "quoted" (no line breaks inside quotes).
 * Every problem is a CsvError with the 1-based line number and a plain message.
 */
import type { Dataset } from './dataset';

export class CsvError extends Error {
  /** 1-based line number in the file, or 0 for whole-file problems. */
  readonly line: number;
  /** The message without the location prefix. */
  readonly detail: string;
  /** The file, when known (set by the loader). */
  readonly file?: string;
  constructor(line: number, detail: string, file?: string) {
    const where = [file, line > 0 ? `line ${line}` : ''].filter(Boolean).join(', ');
    super(where ? `${where}: ${detail}` : detail);
    this.name = 'CsvError';
    this.line = line;
    this.detail = detail;
    this.file = file;
  }
}

export interface CsvDataset extends Dataset {
  nClasses: number;
  /** Label text for each class index, in class order. */
  classNames: string[];
  /** Header names of the feature columns, or x1, x2, ... without a header. */
  featureNames: string[];
  /** Header name of the label column, or "label" without a header. */
  labelName: string;
}

// Plain decimal numbers only: Number() would also accept "", "0x1f" and "Infinity".
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumber(cell: string): boolean {
  return NUMBER_RE.test(cell);
}

export function parseCsv(text: string): CsvDataset {
  const rows: { line: number; cells: string[] }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    rows.push({ line: i + 1, cells: splitCells(raw, i + 1) });
  }
  if (rows.length === 0) throw new CsvError(0, 'the CSV file has no data rows (it is empty or only has comments)');

  const first = rows[0];
  const nCols = first.cells.length;
  if (nCols < 3) {
    throw new CsvError(
      first.line,
      `found ${nCols} column${nCols === 1 ? '' : 's'}; need at least 2 feature columns and a label column (x1,x2,label)`,
    );
  }
  const d = nCols - 1;
  const hasHeader = first.cells.slice(0, d).every((c) => !isNumber(c));
  const featureNames = hasHeader ? first.cells.slice(0, d) : Array.from({ length: d }, (_, j) => `x${j + 1}`);
  const labelName = hasHeader ? first.cells[d] : 'label';
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new CsvError(first.line, 'the CSV file has a header but no data rows');

  const n = data.length;
  const X = new Float64Array(n * d);
  const labels: string[] = new Array(n);
  data.forEach(({ line, cells }, r) => {
    if (cells.length !== nCols) {
      throw new CsvError(line, `has ${cells.length} columns but line ${first.line} has ${nCols}; every row needs the same number of columns`);
    }
    for (let j = 0; j < d; j++) {
      const c = cells[j];
      if (!isNumber(c)) {
        const what = c === '' ? 'is empty' : `"${c}" is not a number`;
        throw new CsvError(line, `feature column ${j + 1} (${featureNames[j]}) ${what}; feature cells must be numbers like 1.5 or -2e3`);
      }
      const v = Number(c);
      if (!Number.isFinite(v)) {
        throw new CsvError(line, `feature column ${j + 1} (${featureNames[j]}) "${c}" is too large to be a number (it does not fit in 64 bits)`);
      }
      X[r * d + j] = v;
    }
    if (cells[d] === '') throw new CsvError(line, `the label (last column) is empty`);
    labels[r] = cells[d];
  });

  const { y, classNames } = encodeLabels(labels);
  if (classNames.length < 2) {
    throw new CsvError(0, `all ${n} rows have the same label "${classNames[0]}"; a classifier needs at least 2 classes`);
  }
  return { X, y, n, d, nClasses: classNames.length, classNames, featureNames, labelName };
}

/** Labels -> 0..k-1 in sorted order; numeric labels sort (and merge: "1" and "1.0") by value. */
function encodeLabels(labels: string[]): { y: Int32Array; classNames: string[] } {
  const numeric = labels.every(isNumber);
  const keyOf = numeric ? (s: string) => String(Number(s)) : (s: string) => s;
  const unique = [...new Set(labels.map(keyOf))];
  if (numeric) unique.sort((a, b) => Number(a) - Number(b));
  else unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // code-unit order, like numpy's np.unique
  const index = new Map(unique.map((k, i) => [k, i]));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = index.get(keyOf(labels[i]))!;
  return { y, classNames: unique };
}

/** Splits one line on commas, honouring "quoted, cells" with "" as an escaped quote. */
function splitCells(line: string, lineNo: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new CsvError(lineNo, 'a quoted cell is missing its closing "');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw new CsvError(lineNo, 'unexpected text after a quoted cell');
    } else {
      const end = line.indexOf(',', i);
      cell = (end === -1 ? line.slice(i) : line.slice(i, end)).trim();
      i = end === -1 ? line.length : end;
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    i++; // skip the comma
  }
}
