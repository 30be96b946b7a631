/**
 * `Problem`: one diagnostic about a spec, with the range VS Code needs (offsets and
 * 0-based line/character, in UTF-16 code units like JS strings and jsonc-parser).
 */

export type Severity = 'error' | 'warning' | 'info';
export type JsonPath = (string | number)[];

export interface Position {
  /** 0-based. */
  line: number;
  /** 0-based, UTF-16 code units. */
  character: number;
}

export interface Range {
  offset: number;
  length: number;
  start: Position;
  end: Position;
}

export interface Problem {
  /** Stable machine-readable kind, e.g. `type`, `range`, `unknown-key`, `syntax`. */
  code: string;
  severity: Severity;
  message: string;
  /** Where in the document's JSON the problem is; [] for the whole file. */
  path: JsonPath;
  range: Range;
  /**
   * Mechanical fixes the message suggests, best first, made where the message is made
   * so "Did you mean `epochs`?" and its quick fix never disagree. spec/fixes.ts turns
   * them into text edits.
   */
  fixes?: FixHint[];
}

/**
 * One fix of a problem, as data (no offsets: spec/fixes.ts finds the place in the text
 * from the problem's range and path).
 */
export type FixHint =
  /** The key at the problem's range, renamed (a typo: `epocs` -> `epochs`). */
  | { kind: 'rename-key'; to: string }
  /** The property at the problem's path, moved into the object at `into` ([] = top level), renamed to `key` if given. */
  | { kind: 'move-key'; into: JsonPath; key?: string }
  /** The property at the problem's path, removed (a key the spec ignores). */
  | { kind: 'remove-key' }
  /** The value at the problem's range, replaced: a bound, the default, a spelling, the unquoted value. */
  | { kind: 'set-value'; value: string | number | boolean | null; why: 'min' | 'max' | 'default' | 'spelling' | 'unquoted' | 'rounded' }
  /** The comma before the "}" or "]" at the problem's range, removed. */
  | { kind: 'remove-trailing-comma' }
  /** The list at the problem's path, cut or padded (repeating its last item) to `length` items. */
  | { kind: 'resize-list'; length: number; per: string };

/** Turns offsets into line/character positions for one text. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // \r\n, \r and \n all end a line, as in VS Code.
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (c === 10) {
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  range(offset: number, length: number): Range {
    const start = Math.max(0, Math.min(offset, this.text.length));
    const len = Math.max(0, Math.min(length, this.text.length - start));
    return { offset: start, length: len, start: this.position(start), end: this.position(start + len) };
  }
}

/**
 * A text from the spec (or a file) as a message may show it: at most `max` characters,
 * with control, format (bidirectional overrides...), private-use and unpaired surrogate
 * characters written as \u escapes, so a message stays one readable line and cannot
 * disguise itself. `quoted` wraps it in double quotes (JSON style).
 */
export function cleanText(s: string, max = 40, quoted = false): string {
  const cut = s.length > max ? `${s.slice(0, max - 3)}...` : s;
  const body = quoted ? JSON.stringify(cut).slice(1, -1) : cut;
  const clean = body.replace(/\p{C}|[\u2028\u2029]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return quoted ? `"${clean}"` : clean;
}

/** `data.cluster_std[2]`: how messages name a field. */
export function formatPath(path: JsonPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${cleanText(seg)}` : cleanText(seg);
  return s || '(the spec)';
}

/** Short, readable rendering of a JSON value for messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return cleanText(v, 40, true);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'a number too large to represent';
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

/** "a string", "a list", ... for "but it is ..." in type errors. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `a string (${show(v)})`;
  if (typeof v === 'number') return `the number ${show(v)}`;
  if (typeof v === 'boolean') return `${v}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}
