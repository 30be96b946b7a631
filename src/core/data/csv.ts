/**
 * `x1,...,xn,label` CSV files as a Dataset. Pure (no I/O): csvFile.ts reads the file and
 * feeds it here in chunks, so no file is ever held whole as one string.
 *
 * Rules, chosen so a beginner's spreadsheet export just works:
 *  - blank lines and lines starting with `#` are ignored; a UTF-8 BOM and `\r` are dropped;
 *  - a header row is optional: the first row is a header when none of its feature cells
 *    is a number (a row with some numbers and some words is reported as a bad row);
 *  - the last column is the label; labels may be numbers or words and become class
 *    indices 0..k-1 in sorted order (numeric order when every label is a number);
 *  - cells may be "quoted" (no line breaks inside quotes).
 * Every problem is a CsvError with the 1-based line number and a plain message. Limits
 * (rows, columns, values, line length, different labels) are checked row by row, so a
 * file that breaks one stops being read there. Messages quote at most a short, sanitised
 * excerpt of a cell (`excerpt`): a data file's content is not the message's to show.
 */
import { LIMITS } from '../spec/types';
import type { Dataset } from './dataset';

/** `too-large`: a limit was crossed; `one-class`: fewer than 2 classes; `invalid`: anything else. */
export type CsvErrorKind = 'invalid' | 'too-large' | 'one-class';

export class CsvError extends Error {
  /** 1-based line number in the file, or 0 for whole-file problems. */
  readonly line: number;
  /** The message without the location prefix. */
  readonly detail: string;
  /** The file, when known (set by the loader). */
  readonly file?: string;
  readonly kind: CsvErrorKind;
  constructor(line: number, detail: string, file?: string, kind: CsvErrorKind = 'invalid') {
    const where = [file, line > 0 ? `line ${line}` : ''].filter(Boolean).join(', ');
    super(where ? `${where}: ${detail}` : detail);
    this.name = 'CsvError';
    this.line = line;
    this.detail = detail;
    this.file = file;
    this.kind = kind;
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

/** What the validator needs to know about a file: no values are kept. */
export type CsvFacts = Pick<CsvDataset, 'n' | 'd' | 'classNames'>;

export interface CsvLimits {
  /** Data rows (the header not counted). */
  maxRows: number;
  /** Columns, the label included. */
  maxColumns: number;
  /** Feature values in all (rows x features). */
  maxValues: number;
  /** Characters in one line. */
  maxLineChars: number;
  /** Different label texts, before classes are counted ("1" and "1.0" are two texts, one class). */
  maxLabels: number;
}

/** The engine's limits (spec/types.ts): what a spec may ask for, a file may hold. */
export const CSV_LIMITS: CsvLimits = {
  maxRows: LIMITS.maxSamples,
  maxColumns: LIMITS.maxFeatures + 1,
  maxValues: LIMITS.maxDataValues,
  maxLineChars: LIMITS.maxCsvLineChars,
  maxLabels: LIMITS.maxCsvLabels,
};

// Plain decimal numbers only: Number() would also accept "", "0x1f" and "Infinity".
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumber(cell: string): boolean {
  return NUMBER_RE.test(cell);
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * A cell as a message may show it: at most `max` characters, in double quotes, with
 * control, format (bidirectional overrides...), private-use and unpaired surrogate
 * characters written as \u escapes, so a message can neither carry a file's content
 * nor disguise itself.
 */
export function excerpt(s: string, max = 24, quoted = true): string {
  const cut = s.length > max;
  let t = cut ? s.slice(0, max) : s;
  if (quoted) t = t.replace(/[\\"]/g, (c) => `\\${c}`);
  t = t.replace(/\p{C}/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return quoted ? `"${t}${cut ? '...' : ''}"` : `${t}${cut ? '...' : ''}`;
}

/** Rows of float64 values, in blocks, so a growing file never needs one array resized. */
class Blocks<T extends Float64Array | Int32Array> {
  private readonly blocks: T[] = [];
  private used = 0;
  constructor(
    private readonly make: (n: number) => T,
    private readonly blockSize = 1 << 16,
  ) {}
  push(v: number): void {
    let last = this.blocks[this.blocks.length - 1];
    if (!last || this.used === last.length) {
      last = this.make(this.blockSize);
      this.blocks.push(last);
      this.used = 0;
    }
    last[this.used++] = v;
  }
  toArray(total: number): T {
    const out = this.make(total);
    let off = 0;
    for (const b of this.blocks) {
      const n = Math.min(b.length, total - off);
      out.set(b.subarray(0, n), off);
      off += n;
    }
    return out;
  }
}

/**
 * Parses a CSV text fed in pieces of any size (`push`), then `end()`. Throws CsvError at
 * the first bad row or crossed limit, before reading further.
 */
export class CsvReader {
  private readonly limits: CsvLimits;
  private readonly keepValues: boolean;
  private partial = '';
  private lineNo = 0;
  private started = false;
  private first?: { line: number; cells: string[] };
  private nCols = 0;
  private d = 0;
  private hasHeader = false;
  private featureNames: string[] = [];
  private labelName = 'label';
  private n = 0;
  private readonly X = new Blocks((k) => new Float64Array(k));
  private readonly y = new Blocks((k) => new Int32Array(k));
  /** Label text -> first-seen index. */
  private readonly labels = new Map<string, number>();

  constructor(opts: { limits?: Partial<CsvLimits>; keepValues?: boolean } = {}) {
    this.limits = { ...CSV_LIMITS, ...opts.limits };
    this.keepValues = opts.keepValues ?? true;
  }

  push(chunk: string): void {
    let text = this.partial + chunk;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text, start, nl);
      start = nl + 1;
    }
    this.partial = text.slice(start);
    if (this.partial.length > this.limits.maxLineChars) this.tooLongLine(this.lineNo + 1);
  }

  end(): CsvDataset {
    if (this.partial.length) this.line(this.partial, 0, this.partial.length);
    this.partial = '';
    if (!this.first) throw new CsvError(0, 'the CSV file has no data rows (it is empty or only has comments)');
    if (this.n === 0) {
      if (this.hasHeader) throw new CsvError(this.first.line, 'the CSV file has a header but no data rows');
    }
    const { classNames, remap } = this.classes();
    if (classNames.length < 2) {
      throw new CsvError(0, `all ${fmt(this.n)} rows have the same label ${excerpt(classNames[0] ?? '')}; a classifier needs at least 2 classes`, undefined, 'one-class');
    }
    let X = new Float64Array(0);
    let y = new Int32Array(0);
    if (this.keepValues) {
      X = this.X.toArray(this.n * this.d);
      y = this.y.toArray(this.n);
      for (let i = 0; i < y.length; i++) y[i] = remap[y[i]];
    }
    return { X, y, n: this.n, d: this.d, nClasses: classNames.length, classNames, featureNames: this.featureNames, labelName: this.labelName };
  }

  private tooLongLine(line: number): never {
    throw new CsvError(
      line,
      `is longer than ${fmt(this.limits.maxLineChars)} characters; a CSV row is a few numbers and a label (is this really a CSV file with one row per line?)`,
      undefined,
      'too-large',
    );
  }

  /** One line, text[from, to) without its '\n'. */
  private line(text: string, from: number, to: number): void {
    this.lineNo++;
    if (to - from > this.limits.maxLineChars) this.tooLongLine(this.lineNo);
    let raw = text.slice(from, to);
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const cells = splitCells(raw, this.lineNo);
    if (!this.first) this.firstRow(cells);
    else this.dataRow(cells, this.lineNo);
  }

  private firstRow(cells: string[]): void {
    const line = this.lineNo;
    this.first = { line, cells };
    const nCols = cells.length;
    if (nCols < 3) {
      throw new CsvError(line, `found ${nCols} column${nCols === 1 ? '' : 's'}; need at least 2 feature columns and a label column (x1,x2,label)`);
    }
    if (nCols > this.limits.maxColumns) {
      throw new CsvError(line, `has ${fmt(nCols)} columns; the limit is ${fmt(this.limits.maxColumns)} (${fmt(this.limits.maxColumns - 1)} features and the label)`, undefined, 'too-large');
    }
    this.nCols = nCols;
    this.d = nCols - 1;
    this.hasHeader = cells.slice(0, this.d).every((c) => !isNumber(c));
    this.featureNames = this.hasHeader ? cells.slice(0, this.d) : Array.from({ length: this.d }, (_, j) => `x${j + 1}`);
    this.labelName = this.hasHeader ? cells[this.d] : 'label';
    if (!this.hasHeader) this.dataRow(cells, line);
  }

  private dataRow(cells: string[], line: number): void {
    const { d } = this;
    if (cells.length !== this.nCols) {
      throw new CsvError(line, `has ${cells.length} columns but line ${this.first!.line} has ${this.nCols}; every row needs the same number of columns`);
    }
    if (this.n + 1 > this.limits.maxRows) {
      throw new CsvError(line, `the file has more than ${fmt(this.limits.maxRows)} data rows; the limit is ${fmt(this.limits.maxRows)} samples`, undefined, 'too-large');
    }
    if ((this.n + 1) * d > this.limits.maxValues) {
      throw new CsvError(
        line,
        `the file holds more than ${fmt(this.limits.maxValues)} feature values (${fmt(this.n + 1)} rows x ${fmt(d)} features); the limit is ${fmt(this.limits.maxValues)}`,
        undefined,
        'too-large',
      );
    }
    for (let j = 0; j < d; j++) {
      const c = cells[j];
      if (!isNumber(c)) {
        const what = c === '' ? 'is empty' : `${excerpt(c)} is not a number`;
        throw new CsvError(line, `${this.column(j)} ${what}; feature cells must be numbers like 1.5 or -2e3`);
      }
      const v = Number(c);
      if (!Number.isFinite(v)) {
        throw new CsvError(line, `${this.column(j)} ${excerpt(c)} is too large to be a number (it does not fit in 64 bits)`);
      }
      if (this.keepValues) this.X.push(v);
    }
    const label = cells[d];
    if (label === '') throw new CsvError(line, `the label (last column) is empty`);
    let k = this.labels.get(label);
    if (k === undefined) {
      k = this.labels.size;
      if (k + 1 > this.limits.maxLabels) {
        throw new CsvError(
          line,
          `the last column has more than ${fmt(this.limits.maxLabels)} different labels by this line; it holds the class of each row, and a spec has at most ${fmt(LIMITS.maxClasses)} classes`,
          undefined,
          'too-large',
        );
      }
      this.labels.set(label, k);
    }
    if (this.keepValues) this.y.push(k);
    this.n++;
  }

  /** "feature column 2 (petal width)", for messages. */
  private column(j: number): string {
    return `feature column ${j + 1} (${excerpt(this.featureNames[j], 24, false)})`;
  }

  /** Labels -> classes 0..k-1 in sorted order; numeric labels sort (and merge: "1" and "1.0") by value. */
  private classes(): { classNames: string[]; remap: Int32Array } {
    const texts = [...this.labels.keys()]; // in first-seen order: index = label index
    const numeric = texts.every(isNumber);
    const keyOf = numeric ? (s: string) => String(Number(s)) : (s: string) => s;
    const unique = [...new Set(texts.map(keyOf))];
    if (numeric) unique.sort((a, b) => Number(a) - Number(b));
    else unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // code-unit order, like numpy's np.unique
    const index = new Map(unique.map((k, i) => [k, i]));
    const remap = new Int32Array(texts.length);
    texts.forEach((t, i) => (remap[i] = index.get(keyOf(t))!));
    return { classNames: unique, remap };
  }
}

/** A whole CSV text at once (tests, small inputs). */
export function parseCsv(text: string, limits?: Partial<CsvLimits>): CsvDataset {
  const r = new CsvReader({ limits });
  r.push(text);
  return r.end();
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
        // Up to the next quote at once: a long quoted cell is not built one character at a time.
        const q = line.indexOf('"', i);
        const end = q < 0 ? line.length : q;
        cell += line.slice(i, end);
        i = end;
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
