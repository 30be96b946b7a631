/**
 * The CodeLens row at the top of every `*.blobs.json`. What it says is computed in
 * codeLensState.ts (pure, tested); this only wraps it in `vscode.CodeLens` objects and
 * refreshes them, throttled while training: an epoch event every few milliseconds must
 * not re-render the editor's lenses at that rate.
 */

import * as vscode from 'vscode';
import { computeLenses, type LensState } from './codeLensState';

const THROTTLE_MS = 250;

export class SpecCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private lastFire = 0;

  constructor(private readonly stateOf: (uri: vscode.Uri) => LensState) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return computeLenses(this.stateOf(doc.uri)).map(
      (l) => new vscode.CodeLens(top, { title: l.title, command: l.command, tooltip: l.tooltip, arguments: [doc.uri] }),
    );
  }

  /** Refresh now (state changes: run started/ended, problems changed). */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFire = Date.now();
    this.changed.fire();
  }

  /** Refresh at most every THROTTLE_MS (progress while training), trailing edge included. */
  refreshThrottled(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFire + THROTTLE_MS - Date.now());
    this.timer = setTimeout(() => this.refresh(), wait);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
