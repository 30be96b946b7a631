/** Shared helpers for the spec tests (not a test file itself). */
import assert from 'node:assert/strict';
import { validateSpecText, type Problem, type ValidateOptions, type ValidationResult } from '../../src/core/spec/validate';
import { describeBounds, describeShape, fmtNumber } from '../../src/core/spec/check';
import type { Field, Shape } from '../../src/core/spec/fields';

/** Validates an object (as JSON) or a raw text. */
export function check(spec: unknown, opts: ValidateOptions = {}): ValidationResult {
  const text = typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2);
  return validateSpecText(text, opts);
}

export interface Expect {
  code?: string;
  severity?: Problem['severity'];
  /** Dotted/bracketed path, e.g. `data.cluster_std[2]`. */
  path?: string;
  /** Substrings the message must contain. */
  includes?: string[];
  /** 1-based line and column of the range start. */
  line?: number;
  col?: number;
}

export function pathText(p: Problem): string {
  let s = '';
  for (const seg of p.path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

/** Asserts exactly one problem matches `e` and returns it. */
export function expectProblem(r: ValidationResult, e: Expect): Problem {
  const matches = r.problems.filter(
    (p) =>
      (e.code === undefined || p.code === e.code) &&
      (e.severity === undefined || p.severity === e.severity) &&
      (e.path === undefined || pathText(p) === e.path) &&
      // Syntax errors have no path: tell them apart by position.
      (e.path !== undefined || e.line === undefined || p.range.start.line + 1 === e.line) &&
      (e.path !== undefined || e.col === undefined || p.range.start.character + 1 === e.col),
  );
  assert.equal(matches.length, 1, `expected one ${JSON.stringify(e)}; problems: ${JSON.stringify(r.problems.map((p) => [p.code, pathText(p), p.message]), null, 1)}`);
  const p = matches[0];
  for (const s of e.includes ?? []) assert.ok(p.message.includes(s), `message ${JSON.stringify(p.message)} should include ${JSON.stringify(s)}`);
  if (e.line !== undefined) assert.equal(p.range.start.line + 1, e.line, `line of ${p.message}`);
  if (e.col !== undefined) assert.equal(p.range.start.character + 1, e.col, `column of ${p.message}`);
  if (p.severity === 'error') assert.equal(r.spec, undefined, 'no spec when there is an error');
  return p;
}

/** Asserts the spec is valid with no errors and no warnings. */
export function expectClean(r: ValidationResult): void {
  assert.deepEqual(
    r.problems.filter((p) => p.severity !== 'info').map((p) => p.message),
    [],
  );
  assert.ok(r.spec, 'a valid spec resolves');
}

/**
 * What a field accepts, in words, from the field table (fields.ts): the schema's hover
 * says "Allowed: <this>." for every constrained field, and spec-schema.test.ts checks it
 * does, so the editor's documentation moves with the validator's bounds.
 */
export function allowedText(field: Field): string | undefined {
  if (field.allowed) return field.allowed;
  const s = field.shape;
  if (s.t === 'object' || s.t === 'bool' || (s.t === 'str' && !s.minLength)) return undefined;
  return shapeText(s);
}

function shapeText(s: Shape): string {
  const bounded = (what: string, b: { min?: number; max?: number; xmin?: number; xmax?: number }) =>
    b.min === undefined && b.max === undefined && b.xmin === undefined && b.xmax === undefined ? what : `${what} ${describeBounds(b)}`;
  switch (s.t) {
    case 'int':
      return bounded('a whole number', s);
    case 'num':
      return bounded('a number', s);
    case 'bool':
      return 'true or false';
    case 'str':
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'enum':
      return describeShape(s);
    case 'null':
      return 'null';
    case 'array': {
      const n =
        s.minItems !== undefined && s.maxItems !== undefined
          ? `${fmtNumber(s.minItems)} to ${fmtNumber(s.maxItems)} `
          : s.maxItems !== undefined
            ? `up to ${fmtNumber(s.maxItems)} `
            : s.minItems !== undefined
              ? `at least ${fmtNumber(s.minItems)} `
              : '';
      return `a list of ${n}items, each ${shapeText(s.items)}`;
    }
    case 'tuple':
      return `a list of ${s.items.length} items, each ${shapeText(s.items[0])}`;
    case 'oneOf':
      return s.options.map(shapeText).join(', or ');
    case 'object':
      return 'an object';
  }
}
