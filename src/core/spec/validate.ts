/**
 * `validateSpecText`: everything wrong with a `.blobs.json` text, with exact ranges,
 * in the words a beginner needs. Used by the extension (diagnostics as you type), the
 * CLI (`blobs validate`, and before `data`/`train`) and the trainer (before running).
 *
 * Order: JSON syntax (jsonc-parser), then structure (types, enums, ranges, unknown keys:
 * check.ts), then the CSV file (csvcheck.ts), then cross-field rules (semantic.ts).
 * It never throws: any string gives a result.
 */

import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { Reporter, walkSpec } from './check';
import { checkCsv } from './csvcheck';
import { resolveSpec } from './defaults';
import { LineMap, cleanText, formatPath, type FixHint, type JsonPath, type Problem } from './problems';
import { semanticChecks, type DataFacts } from './semantic';
import { LIMITS, type BlobSpec } from './types';

export type { Problem, Range, Position, Severity, JsonPath } from './problems';

export interface ValidationResult {
  /** The resolved spec; present iff there are no errors. */
  spec?: BlobSpec;
  /** Sorted by position in the text. */
  problems: Problem[];
}

export interface ValidateOptions {
  /** The spec file's path: relative CSV paths are resolved from its folder; names an unnamed spec. */
  specPath?: string;
  /** Upper bound on the total number of samples (default LIMITS.maxSamples). */
  maxSamples?: number;
  /** Skip reading CSV files (e.g. while typing, for a file that is checked elsewhere). */
  checkFiles?: boolean;
  /**
   * The folder tree a CSV `data.path` must stay inside, after following links (default:
   * the spec's folder). The extension passes the workspace folder.
   */
  dataRoot?: string;
  /**
   * Largest CSV file read by this check (default: LIMITS.maxCsvBytes). A bigger one is
   * left to training with a note: the extension host validates on open and save, and
   * reading hundreds of MB there would stall every extension.
   */
  csvReadLimit?: number;
}

// Keyed by printParseErrorCode's names: ParseErrorCode is a const enum, which
// isolatedModules cannot read.
const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'This is not valid JSON here',
  InvalidNumberFormat: 'This number is not written in a valid JSON format',
  PropertyNameExpected: 'Expected a key in double quotes here, like "seed"',
  ValueExpected: 'Expected a value here: a number, "string", [list], {object}, true, false or null',
  ColonExpected: 'Expected a colon ":" between the key and its value',
  CommaExpected: 'Expected a comma "," between two items',
  CloseBraceExpected: 'Expected "}" to close this object',
  CloseBracketExpected: 'Expected "]" to close this list',
  EndOfFileExpected: 'Unexpected text after the end of the spec; the file should end with the closing "}"',
  InvalidCommentToken: 'This comment is not valid',
  UnexpectedEndOfComment: 'This comment is never closed: add "*/"',
  UnexpectedEndOfString: 'This string is never closed: add the closing double quote',
  UnexpectedEndOfNumber: 'This number is incomplete',
  InvalidUnicode: 'Invalid unicode escape: use \\u followed by 4 hex digits',
  InvalidEscapeCharacter: 'Invalid escape in a string: a backslash must be written as \\\\',
  InvalidCharacter: 'Invalid character in a string: line breaks and tabs must be written as \\n and \\t',
};

/**
 * The problem a parse error is: `trailing-comma` for a comma before "}" or "]" (JSON
 * refuses it, JSONC accepts it: the editor's JSON service, in JSONC mode, does not
 * report it, so this one stays the engine's own), else `syntax`.
 */
function syntaxProblem(e: ParseError, text: string, scan: Scan): { code: 'syntax' | 'trailing-comma'; message: string; fixes?: FixHint[] } {
  // What is shown of the text is short and clean: the error may sit on a 4 MB token.
  const at = text.slice(e.offset, e.offset + Math.min(41, Math.max(1, e.length)));
  const code = printParseErrorCode(e.error);
  let msg = Object.hasOwn(SYNTAX_MESSAGES, code) ? SYNTAX_MESSAGES[code] : 'Invalid JSON';
  const expectsItem = code === 'PropertyNameExpected' || code === 'ValueExpected';
  if (expectsItem && (at === '}' || at === ']') && scan.closersAfterComma.has(e.offset)) {
    return {
      code: 'trailing-comma',
      message: `A trailing comma before "${at}" is not allowed in JSON: remove the last ",". (${code})`,
      fixes: [{ kind: 'remove-trailing-comma' }],
    };
  } else if (at.startsWith("'")) {
    msg = 'JSON needs double quotes ("...") around keys and strings, not single quotes';
  } else if (code === 'InvalidSymbol' && /^[A-Za-z_]/.test(at)) {
    msg = `${msg}: keys and text values need double quotes, e.g. "${cleanText(at)}" (only true, false and null are bare words)`;
  } else if (code === 'EndOfFileExpected' || code === 'InvalidSymbol') {
    msg = `${msg}: found ${cleanText(at, 40, true)}`;
  }
  return { code: 'syntax', message: `${msg}. (${code})` };
}

const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** One problem for a text too large to look at (no line map: that alone is O(size)). */
function tooLargeText(length: number): ValidationResult {
  const message =
    `This spec is ${fmtCount(length)} characters long; a spec may have at most ${fmtCount(LIMITS.maxSpecBytes)} (4 MiB), so it was not read. ` +
    'A spec describes the data; large data belongs in a CSV file ("generator": "csv").';
  const start = { line: 0, character: 0 };
  return { problems: [{ code: 'too-large', severity: 'error', message, path: [], range: { offset: 0, length: 0, start, end: start } }] };
}

function validate(text: string, opts: ValidateOptions): ValidationResult {
  // Limits before work: nothing below may cost more than the text's size allows.
  if (text.length > LIMITS.maxSpecBytes) return tooLargeText(text.length);
  const lines = new LineMap(text);
  const r = new Reporter(lines);
  if (text.trim() === '' || text.trim() === '\uFEFF') {
    r.add('empty', 'error', 'The spec file is empty. Write {} to use the notebook\'s defaults, or run "blobs init".', [], { offset: 0, length: 0 });
    return { problems: r.problems };
  }
  // A byte-order mark is fine in a file but not in JSON; a space keeps the offsets.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  // Depth, list lengths and the number of values are counted before the parser builds a
  // tree node for every value (and before thousands of nested brackets overflow a stack).
  const scan = scanText(source);
  if (scan.problem) {
    const p = scan.problem;
    r.add(p.code, 'error', p.message, p.path, { offset: p.offset, length: 1 });
    return { problems: r.problems };
  }
  const errors: ParseError[] = [];
  const root: Node | undefined = parseTree(source, errors, { disallowComments: false, allowTrailingComma: false });
  // The parser can report two codes for one spot (a trailing comma is both
  // "key expected" and "value expected"); one message per spot is enough.
  const seenAt = new Set<number>();
  for (const e of errors) {
    if (seenAt.has(e.offset)) continue;
    seenAt.add(e.offset);
    const p = syntaxProblem(e, source, scan);
    r.add(p.code, 'error', p.message, [], { offset: e.offset, length: e.length }, p.fixes);
  }
  if (!root) return finish(r);

  // Structure is checked even after a syntax error: the parser recovers, and the
  // editor shows both. Cross-field rules wait for clean JSON.
  const raw = walkSpec(root, r);
  if (errors.length) return finish(r);

  const spec = resolveSpec(raw, { specPath: opts.specPath });
  let csv: DataFacts | undefined;
  if (spec.data.generator === 'csv' && r.ok('data.path', 'data.generator', 'data')) {
    if ((raw.data as Record<string, unknown> | undefined)?.path === undefined) {
      r.add('missing', 'error', '`data.path` is required for the csv generator: the CSV file to load, relative to this spec.', ['data', 'generator'], nodeAt(root, 'data', 'generator') ?? root);
    } else if (opts.checkFiles !== false) {
      csv = checkCsv(root, r, spec.data.path, opts.specPath, { dataRoot: opts.dataRoot, readLimit: opts.csvReadLimit });
    }
  }
  const csvReadable = spec.data.generator !== 'csv' || csv !== undefined;
  // Without the CSV's facts the sample/class counts are unknown: those checks are skipped.
  semanticChecks({ spec, root, r, maxSamples: opts.maxSamples ?? LIMITS.maxSamples, csv: csvReadable ? csv : undefined });
  return finish(r, spec);
}

/** Deeper than any spec needs, far shallower than what overflows the stack. */
const MAX_DEPTH = 64;

interface Scan {
  /** The first limit the text breaks, if any. */
  problem?: { code: 'too-deep' | 'too-large'; message: string; offset: number; path: JsonPath };
  /** Offsets of "}" and "]" whose previous token is a comma (a trailing comma). */
  closersAfterComma: Set<number>;
}

interface Frame {
  open: number;
  object: boolean;
  commas: number;
  /** This container's place in its parent: a key or an index. */
  seg?: string | number;
  /** Objects: the last key read (for the path of a child). */
  key?: string;
}

/**
 * One pass over the text, outside strings and comments, as cheap as the text is long:
 * nesting depth, items per list (keys per object), values in all, and where trailing
 * commas are. Stops at the first broken limit, naming the list by its JSON path.
 */
function scanText(text: string): Scan {
  const closersAfterComma = new Set<number>();
  const stack: Frame[] = [];
  let values = 0;
  let lastString: [number, number] | undefined;
  let prev = 0; // the previous significant character
  const pathOf = (frames: Frame[]): JsonPath => frames.slice(1).map((f) => f.seg ?? '?');
  const done = (problem: Scan['problem']): Scan => ({ problem, closersAfterComma });
  const tooMany = (at: number): Scan =>
    done({
      code: 'too-large',
      offset: at,
      path: [],
      message: `The spec holds more than ${fmtCount(LIMITS.maxSpecValues)} values (numbers, strings, lists and objects), so it was not read further; a spec needs far fewer. Large data belongs in a CSV file ("generator": "csv").`,
    });
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    const top = stack[stack.length - 1];
    const startsValue = c !== 93 && c !== 125 && c !== 44 && c !== 58;
    // The item (or key) at index `commas` starts here: past the limit, stop.
    if (startsValue && top && top.commas >= LIMITS.maxListItems) {
      const what = top.object ? 'keys' : 'items';
      const name = stack.length > 1 ? `\`${formatPath(pathOf(stack))}\`` : 'The spec';
      return done({
        code: 'too-large',
        offset: top.open,
        path: pathOf(stack),
        message: `${name} has more than ${fmtCount(LIMITS.maxListItems)} ${what}, so the spec was not read further; no list or object in a spec may have more (the longest a spec needs is one centre's ${fmtCount(LIMITS.maxFeatures)} coordinates). Large data belongs in a CSV file ("generator": "csv").`,
      });
    }
    if (c === 34 /* " */) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10; i++) if (text.charCodeAt(i) === 92) i++;
      lastString = [start, i];
      values++;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (stack.length >= MAX_DEPTH) {
        return done({
          code: 'too-deep',
          offset: i,
          path: [],
          message: `The spec nests lists and objects more than ${MAX_DEPTH} levels deep here; a spec needs at most 4 (e.g. "data" > "centers" > one centre). Check for stray "[" or "{".`,
        });
      }
      values++;
      stack.push({ open: i, object: c === 123, commas: 0, seg: top ? (top.object ? top.key : top.commas) : undefined });
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (prev === 44) closersAfterComma.add(i);
      stack.pop();
    } else if (c === 44 /* , */) {
      if (top) top.commas++;
    } else if (c === 58 /* : */) {
      if (top?.object && lastString) top.key = keyText(text, lastString);
    } else {
      // A number, true/false/null or a stray word: one value, read to its end at once.
      let j = i + 1;
      while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
      i = j - 1;
      values++;
    }
    if (values > LIMITS.maxSpecValues) return tooMany(i);
    prev = c;
  }
  return { closersAfterComma };
}

/** Letters, digits, `_`, `.`, `+`, `-`: what a number or a bare word is made of. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 43 || c === 45;
}

/** The text of a string token (its JSON unescaped when it is valid). */
function keyText(text: string, [start, end]: [number, number]): string {
  const raw = text.slice(start, end + 1);
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.slice(1, -1);
  }
}

function nodeAt(root: Node, section: string, key: string): Node | undefined {
  const sec = root.children?.find((p) => p.children?.[0]?.value === section)?.children?.[1];
  return sec?.children?.find((p) => p.children?.[0]?.value === key)?.children?.[0];
}

function finish(r: Reporter, spec?: BlobSpec): ValidationResult {
  const problems = r.sorted();
  return r.hasErrors || !spec ? { problems } : { spec, problems };
}

export function validateSpecText(text: string, opts: ValidateOptions = {}): ValidationResult {
  try {
    return validate(typeof text === 'string' ? text : String(text), opts);
  } catch (e) {
    // A bug in a check must not take the editor or the CLI down with it.
    const message = `Internal error while checking the spec (please report it): ${e instanceof Error ? e.message : String(e)}`;
    return {
      problems: [
        { code: 'internal', severity: 'error', message, path: [], range: { offset: 0, length: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      ],
    };
  }
}
