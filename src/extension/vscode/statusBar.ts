/**
 * The status bar item while runs are going: "$(beaker) 37/100 · loss 0.041" for the spec
 * being edited (else the first run), "(+1)" for the others; a click stops that run.
 * The controller refreshes it at a throttled cadence while epochs stream in.
 */

import * as vscode from 'vscode';
import { newRunState } from '../../core/run/state';
import { nameFromPath } from '../../core/spec/defaults';
import { statusText } from '../runText';
import { COMMANDS } from '../ids';
import type { SessionManager } from '../sessions';
import type { SpecTracker } from './specs';

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  /** The spec the item's Stop command is for. */
  private spec?: string;

  constructor(
    private readonly sessions: SessionManager,
    private readonly specs: SpecTracker,
  ) {
    this.item = vscode.window.createStatusBarItem('blobClassifier.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Blob Classifier training';
  }

  update(): void {
    const running = this.sessions.runningSpecs();
    if (running.length === 0) {
      this.item.hide();
      this.spec = undefined;
      return;
    }
    // Prefer the spec being edited; otherwise the first run.
    const active = this.specs.activeSpec;
    const specPath = active && running.includes(active) ? active : running[0];
    const rec = this.sessions.store.active(specPath);
    this.item.text = statusText(rec?.state ?? newRunState(), running.length - 1);
    this.item.tooltip = `Blob Classifier: training ${nameFromPath(specPath)}. Click to stop.`;
    // Set the command only when the spec changes: every assignment replaces VS Code's
    // converted command, and a click racing a replaced one fails ("command not found").
    if (this.spec !== specPath) {
      this.spec = specPath;
      this.item.command = { title: 'Stop Training', command: COMMANDS.stop, arguments: [this.specs.uriOf(specPath)] };
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
