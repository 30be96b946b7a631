/**
 * The context keys the package.json `when` clauses read: is anything training, which
 * specs (for the editor's Stop button), can a run be paused or is one paused, is there a
 * run to open, is a panel open.
 */

import * as vscode from 'vscode';
import { CONTEXT } from '../ids';
import type { SessionManager } from '../sessions';
import type { SpecTracker } from './specs';

export class ContextKeys {
  constructor(
    private readonly sessions: SessionManager,
    private readonly specs: SpecTracker,
    /** A run folder exists on disk (found at start-up, so "Open Last Run's Artifacts" works after a reload). */
    private readonly runsOnDisk: () => boolean,
  ) {}

  update(): void {
    const running = this.sessions.runningSpecs();
    this.set(CONTEXT.training, running.length > 0);
    const paused = running.filter((p) => this.sessions.isPaused(p));
    this.set(CONTEXT.canPause, paused.length < running.length);
    this.set(CONTEXT.paused, paused.length > 0);
    // `resourcePath` is the fsPath for a local file but the URI's path in a remote
    // window (code-server, SSH), where the window's URI is vscode-remote://: list both.
    this.set(CONTEXT.trainingSpecs, [...new Set(running.flatMap((p) => [p, this.specs.uriOf(p).path]))]);
    this.set(CONTEXT.hasRun, running.length > 0 || this.sessions.store.mostRecentSpec() !== undefined || this.runsOnDisk());
  }

  setHasPanel(open: boolean): void {
    this.set(CONTEXT.hasPanel, open);
  }

  private set(key: string, value: unknown): void {
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
