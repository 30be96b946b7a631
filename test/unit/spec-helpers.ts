/** Shared helpers for the spec tests (not a test file itself). */
import assert from 'node:assert/strict';
import { validateSpecText, type Problem, type ValidateOptions, type ValidationResult } from '../../src/core/spec/validate';

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
