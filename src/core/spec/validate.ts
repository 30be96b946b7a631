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
import { checkCsv, type CsvParser } from './csvcheck';
import { resolveSpec } from './defaults';
import { LineMap, type Problem } from './problems';
import { semanticChecks, type DataFacts } from './semantic';
import { LIMITS, type BlobSpec } from './types';
import { parseCsv } from '../data/csv';

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
  /** CSV parser to use; tests inject one. Defaults to the engine's `parseCsv`. */
  parseCsv?: CsvParser;
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

function syntaxMessage(e: ParseError, text: string): string {
  const at = text.slice(e.offset, e.offset + Math.max(1, e.length));
  const code = printParseErrorCode(e.error);
  let msg = SYNTAX_MESSAGES[code] ?? 'Invalid JSON';
  const expectsItem = code === 'PropertyNameExpected' || code === 'ValueExpected';
  if (expectsItem && (at === '}' || at === ']') && /,\s*(\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*$/.test(text.slice(0, e.offset))) {
    msg = `A trailing comma before "${at}" is not allowed in JSON: remove the last ","`;
  } else if (at.startsWith("'")) {
    msg = 'JSON needs double quotes ("...") around keys and strings, not single quotes';
  } else if (code === 'InvalidSymbol' && /^[A-Za-z_]/.test(at)) {
    msg = `${msg}: keys and text values need double quotes, e.g. "${at}" (only true, false and null are bare words)`;
  } else if (code === 'EndOfFileExpected' || code === 'InvalidSymbol') {
    msg = `${msg}: found ${JSON.stringify(at)}`;
  }
  return `${msg}. (${code})`;
}

function validate(text: string, opts: ValidateOptions): ValidationResult {
  const lines = new LineMap(text);
  const r = new Reporter(lines);
  if (text.trim() === '' || text.trim() === '\uFEFF') {
    r.add('empty', 'error', 'The spec file is empty. Write {} to use the notebook\'s defaults, or run "blobs init".', [], { offset: 0, length: 0 });
    return { problems: r.problems };
  }
  // A byte-order mark is fine in a file but not in JSON; a space keeps the offsets.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  // Thousands of nested brackets would overflow the parser's (and the checks') stack.
  const deep = tooDeepAt(source);
  if (deep !== undefined) {
    r.add('too-deep', 'error', `The spec nests lists and objects more than ${MAX_DEPTH} levels deep here; a spec needs at most 4 (e.g. "data" > "centers" > one centre). Check for stray "[" or "{".`, [], { offset: deep, length: 1 });
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
    r.add('syntax', 'error', syntaxMessage(e, source), [], { offset: e.offset, length: e.length });
  }
  if (!root) return { problems: r.problems };

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
      csv = checkCsv(root, r, spec.data.path, opts.specPath, opts.parseCsv ?? parseCsv);
    }
  }
  const csvReadable = spec.data.generator !== 'csv' || csv !== undefined;
  // Without the CSV's facts the sample/class counts are unknown: those checks are skipped.
  semanticChecks({ spec, root, r, maxSamples: opts.maxSamples ?? LIMITS.maxSamples, csv: csvReadable ? csv : undefined });
  return finish(r, spec);
}

/** Deeper than any spec needs, far shallower than what overflows the stack. */
const MAX_DEPTH = 64;

/** Offset of the first bracket that opens level MAX_DEPTH + 1 (outside strings and comments), if any. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 93 || c === 125) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function nodeAt(root: Node, section: string, key: string): Node | undefined {
  const sec = root.children?.find((p) => p.children?.[0]?.value === section)?.children?.[1];
  return sec?.children?.find((p) => p.children?.[0]?.value === key)?.children?.[0];
}

function finish(r: Reporter, spec?: BlobSpec): ValidationResult {
  const problems = [...r.problems].sort((a, b) => a.range.offset - b.range.offset);
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
