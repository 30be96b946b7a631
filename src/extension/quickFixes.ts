/**
 * The quick fixes a code action request asks for: each of our diagnostics under the
 * cursor is matched back to the validator's Problem it shows (same code, same start),
 * whose fixes spec/fixes.ts computes on the document's text. Pure; the `vscode` provider
 * (vscode/codeActions.ts) only wraps the result in `CodeAction`s.
 */

import { fixesFor, type Fix } from '../core/spec/fixes';
import type { Problem } from '../core/spec/problems';

/** What identifies a diagnostic of ours: its code and where it starts (0-based). */
export interface DiagnosticKey {
  code: string;
  line: number;
  character: number;
}

export interface QuickFix extends Fix {
  /** The index in `wanted` of the diagnostic this fixes. */
  index: number;
}

/**
 * Longest text fixes are computed for. VS Code asks for code actions whenever the cursor
 * rests on a diagnostic (the light bulb), and each fix parses the text: a spec this long
 * (a hundred explicit centres of a thousand coordinates) is edited by hand rarely enough.
 */
export const MAX_FIX_TEXT = 1024 * 1024;

export function quickFixes(text: string, problems: readonly Problem[], wanted: readonly DiagnosticKey[]): QuickFix[] {
  const out: QuickFix[] = [];
  if (text.length > MAX_FIX_TEXT) return out;
  wanted.forEach((w, index) => {
    const p = problems.find((x) => x.code === w.code && x.range.start.line === w.line && x.range.start.character === w.character);
    if (p) for (const f of fixesFor(text, p)) out.push({ ...f, index });
  });
  return out;
}
