/**
 * The CodeLens row at the top of every `*.blobs.json`. What it says is computed in
 * codeLensState.ts (pure, tested); this only wraps it in `vscode.CodeLens` objects and
 * refreshes them when that changes: a run started or ended, problems, a result. The lens
 * shows no per-epoch progress (the status bar does), so nothing refreshes it while
 * epochs stream in.
 */

import * as vscode from 'vscode';
import { computeLenses, type LensState } from '../codeLensState';

export class SpecCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly stateOf: (uri: vscode.Uri) => LensState) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return computeLenses(this.stateOf(doc.uri)).map(
      (l) => new vscode.CodeLens(top, { title: l.title, command: l.command, tooltip: l.tooltip, arguments: [doc.uri] }),
    );
  }

  /** The state changed (run started/ended, problems, a result): VS Code asks again. */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
