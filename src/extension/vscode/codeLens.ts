/**
 * The CodeLens row at the top of every `*.blobs.json`. What it says is computed in
 * codeLensState.ts (pure, tested); this only wraps it in `vscode.CodeLens` objects and
 * refreshes them: at once on state changes (run started/stopped/done, problems), and at a
 * steady cadence while training (`LENS_PROGRESS_MS`), never at the rate of epoch events.
 */

import * as vscode from 'vscode';
import { computeLenses, LENS_PROGRESS_MS, LENS_STALE_MS, type LensState } from '../codeLensState';
import { Throttle } from '../throttle';

export class SpecCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly throttle = new Throttle(() => this.changed.fire(), LENS_PROGRESS_MS, LENS_STALE_MS);

  constructor(private readonly stateOf: (uri: vscode.Uri) => LensState) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    this.throttle.consumed();
    const top = new vscode.Range(0, 0, 0, 0);
    return computeLenses(this.stateOf(doc.uri)).map(
      (l) => new vscode.CodeLens(top, { title: l.title, command: l.command, tooltip: l.tooltip, arguments: [doc.uri] }),
    );
  }

  /** Refresh now (state changes: run started/ended, problems changed). */
  refresh(): void {
    this.throttle.now();
  }

  /** Refresh at the progress cadence (every LENS_PROGRESS_MS while events come). */
  refreshThrottled(): void {
    this.throttle.soon();
  }

  dispose(): void {
    this.throttle.cancel();
    this.changed.dispose();
  }
}
