/**
 * Validator `Problem` -> the fields of a `vscode.Diagnostic`, as plain data. The numbers
 * are `vscode.DiagnosticSeverity`'s values (Error 0, Warning 1, Information 2, Hint 3),
 * fixed by the API, so this module needs no `vscode` import and is unit-tested. Pure.
 */

import type { Problem } from '../core/spec/problems';
import { formatPath } from '../core/spec/problems';
import { DIAGNOSTIC_SOURCE } from './ids';

export const Sev = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export type Sev = (typeof Sev)[keyof typeof Sev];

export interface DiagnosticData {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity: Sev;
  source: string;
  code: string;
}

export function severityOf(p: Problem): Sev {
  switch (p.severity) {
    case 'error':
      return Sev.Error;
    case 'warning':
      return Sev.Warning;
    default:
      return Sev.Information;
  }
}

export function toDiagnosticData(p: Problem): DiagnosticData {
  return {
    // The validator's ranges are already 0-based line/character in UTF-16 units, VS Code's model.
    range: { start: { ...p.range.start }, end: { ...p.range.end } },
    message: p.message,
    severity: severityOf(p),
    source: DIAGNOSTIC_SOURCE,
    code: p.code,
  };
}

/**
 * What VS Code's JSON language service reports itself on every `*.blobs.json` (a .json
 * file): syntax errors and duplicate keys, in its own words and places. The engine's
 * version of those would make one mistake two problems, so the editor shows the
 * engine's other problems only (training and the CLI still use all of them). The schema
 * reports nothing (it has no validation keywords), so everything else is the engine's.
 */
export const JSON_SERVICE_CODES: ReadonlySet<string> = new Set(['syntax', 'duplicate-key']);

/** The problems the editor shows; `jsonService`: VS Code's JSON language service validates the document. */
export function editorProblems(problems: readonly Problem[], jsonService: boolean): Problem[] {
  return jsonService ? problems.filter((p) => !JSON_SERVICE_CODES.has(p.code)) : [...problems];
}

/** Errors first, then by position: the "first problem" training refuses with. */
export function firstError(problems: readonly Problem[]): Problem | undefined {
  return problems
    .filter((p) => p.severity === 'error')
    .sort((a, b) => a.range.offset - b.range.offset)[0];
}

export function errorCount(problems: readonly Problem[]): number {
  return problems.reduce((n, p) => n + (p.severity === 'error' ? 1 : 0), 0);
}

/**
 * "Cannot train iris.blobs.json: data.cluster_std: must be > 0 (line 3, and 2 more errors)."
 * The field is named once: a message that already names it (the validator's own wording,
 * "`data.n_samples` must be between …", starts with it in backticks) is not prefixed again.
 * The useful part (field, rule, value, line) comes first so a toast that truncates keeps it.
 */
export function refusalMessage(specName: string, problems: readonly Problem[]): string {
  const first = firstError(problems);
  if (!first) return '';
  const more = errorCount(problems) - 1;
  const field = formatPath(first.path);
  const text = first.message.trim().replace(/[.\s]+$/, '');
  const named = !field || text.includes(field);
  const msg = named ? text : `${field}: ${text}`;
  const notes = [`line ${first.range.start.line + 1}`];
  if (more > 0) notes.push(`and ${more} more error${more === 1 ? '' : 's'}`);
  return `Cannot train ${specName}: ${msg} (${notes.join(', ')}).`;
}
