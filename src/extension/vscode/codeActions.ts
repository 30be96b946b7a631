/**
 * Quick fixes (the light bulb, Ctrl+.) for the engine's diagnostics: "Rename `epocs` to
 * `epochs`", "Set `training.lr` to 0.1 (the default)"... Which fixes and their edits
 * come from quickFixes.ts (pure); this turns them into `WorkspaceEdit`s, which join the
 * editor's undo stack. Nothing is offered for a text newer than its last check (the
 * diagnostics are about to change).
 */

import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../ids';
import { quickFixes } from '../quickFixes';
import type { SpecDiagnostics } from './diagnostics';

export class SpecQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: SpecDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // Asked on every cursor move (for the light bulb): nothing to do without a diagnostic of ours.
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string');
    if (!ours.length) return [];
    const problems = this.diagnostics.currentProblemsOf(doc);
    if (!problems) return [];
    const keys = ours.map((d) => ({ code: String(d.code), line: d.range.start.line, character: d.range.start.character }));
    return quickFixes(doc.getText(), problems, keys).map((f) => {
      const action = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [ours[f.index]];
      action.isPreferred = f.preferred;
      action.edit = new vscode.WorkspaceEdit();
      for (const e of f.edits) {
        action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
      }
      return action;
    });
  }
}
