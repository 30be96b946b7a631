/**
 * The progress notification of a run a person started: it appears only once the run
 * has lasted NOTIFY_AFTER_MS (short runs only flash the status bar), shows epochs and
 * loss, and its Cancel stops the run.
 */

import * as vscode from 'vscode';
import { progressUpdate } from '../runText';
import type { SessionManager } from '../sessions';
import type { RunRecord } from '../sessionStore';

const NOTIFY_AFTER_MS = 3000;

interface Shown {
  progress: vscode.Progress<{ message?: string; increment?: number }>;
  pct: number;
  end: () => void;
}

export class RunProgress implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly sessions: SessionManager) {}

  /** Shows the run's notification if it is still going after NOTIFY_AFTER_MS. */
  notifyLater(rec: RunRecord): void {
    if (rec.status !== 'running') return;
    const runId = rec.ref.runId;
    const timer = setTimeout(() => {
      this.timers.delete(runId);
      if (rec.status !== 'running') return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Blob Classifier: training ${rec.ref.specName}`, cancellable: true },
        (progress, token) =>
          new Promise<void>((resolve) => {
            if (rec.status !== 'running') return resolve();
            this.shown.set(runId, { progress, pct: 0, end: resolve });
            token.onCancellationRequested(() => {
              if (this.sessions.store.active(rec.ref.specPath) === rec) void this.sessions.stop(rec.ref.specPath);
            });
            this.update(rec);
          }),
      );
    }, NOTIFY_AFTER_MS);
    this.timers.set(runId, timer);
  }

  /** New epochs of shown runs. */
  updateAll(): void {
    for (const runId of this.shown.keys()) {
      const rec = this.sessions.store.find(runId);
      if (rec) this.update(rec);
    }
  }

  /** The run ended: no notification any more. */
  end(runId: string): void {
    clearTimeout(this.timers.get(runId));
    this.timers.delete(runId);
    this.shown.get(runId)?.end();
    this.shown.delete(runId);
  }

  dispose(): void {
    for (const runId of [...this.timers.keys(), ...this.shown.keys()]) this.end(runId);
  }

  private update(rec: RunRecord): void {
    const n = this.shown.get(rec.ref.runId);
    if (!n) return;
    const u = progressUpdate(rec.state, n.pct);
    n.pct = u.pct;
    n.progress.report({ message: u.message, increment: u.increment });
  }
}
