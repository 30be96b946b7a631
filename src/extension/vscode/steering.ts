/**
 * The panel's controls, host side: an `editSpec` from a webview becomes an edit of the
 * spec's document (a `WorkspaceEdit`, so it works on unsaved text and Ctrl+Z in the
 * editor undoes it), refused with the validator's message when it would make the spec
 * invalid; a valid spec is retrained at once, newest edit wins (retrainer.ts). And the
 * other way: whenever the document's problems are recomputed (typing, saving, an edit
 * from a control), the panels of that spec get its current values (`spec`).
 * The edit itself is computed by the pure specEdit.ts.
 */

import * as vscode from 'vscode';
import type { EditSpecMessage, HostToWebview } from '../../core/protocol';
import { validateSpecText } from '../../core/spec/validate';
import { errorCount } from '../problemMapping';
import { Retrainer } from '../retrainer';
import { controlValues, fieldProblems, newError, specEdit } from '../specEdit';
import type { ViewChannel } from '../viewChannel';
import { isSpecDocument, type SpecDiagnostics } from './diagnostics';
import type { SpecTracker } from './specs';

export interface SteeringDeps {
  specs: SpecTracker;
  diagnostics: SpecDiagnostics;
  /** Trains the spec now, restarting its run (the commands' train, non-interactive). */
  retrain: (uri: vscode.Uri) => Promise<unknown>;
  /** The channels of the panels showing a spec. */
  panelChannels: (specPath: string) => ViewChannel[];
  maxSamples: () => number;
  output: vscode.LogOutputChannel;
}

type SpecMessage = Extract<HostToWebview, { type: 'spec' }>;

export class Steering implements vscode.Disposable {
  private readonly values = new Map<string, SpecMessage>();
  private readonly opening = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];
  readonly retrainer: Retrainer;

  constructor(private readonly d: SteeringDeps) {
    this.retrainer = new Retrainer(
      (specPath) => d.retrain(d.specs.uriOf(specPath)),
      (specPath, err) => d.output.warn(`retrain after an edit of ${specPath}: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.subs.push(
      d.diagnostics.onDidChange((uri) => this.onProblems(uri)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (isSpecDocument(doc)) this.values.delete(doc.uri.fsPath);
      }),
    );
  }

  /**
   * The `spec` message a panel of `specPath` gets with its snapshot. When the spec's
   * document is not loaded yet (a panel restored after a reload), it is loaded (not
   * shown); its first validation brings the values to the panel.
   */
  specMessage(specPath: string): SpecMessage | undefined {
    const cached = this.values.get(specPath);
    if (cached) return cached;
    if (!this.opening.has(specPath)) {
      this.opening.add(specPath);
      void vscode.workspace.openTextDocument(this.d.specs.uriOf(specPath)).then(
        (doc) => {
          this.opening.delete(specPath);
          if (!this.values.has(specPath)) this.d.diagnostics.validateNow(doc, false);
        },
        () => this.opening.delete(specPath),
      );
    }
    return undefined;
  }

  /** A control asked to set a field: edit the document, answer the view, retrain when valid. */
  async edit(uri: vscode.Uri, msg: EditSpecMessage, reply: ViewChannel): Promise<void> {
    const answer = (ok: boolean, message?: string) => reply.send({ type: 'editResult', id: msg.id, field: msg.field, ok, ...(message ? { message } : {}) });
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (err) {
      answer(false, `Cannot open the spec: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const text = doc.getText();
    const out = specEdit(text, msg.field, msg.value);
    if (!out.ok) {
      answer(false, out.message);
      return;
    }
    const opts = { specPath: uri.scheme === 'file' ? uri.fsPath : undefined, maxSamples: this.d.maxSamples(), checkFiles: false };
    const refused = newError(validateSpecText(text, opts).problems, validateSpecText(out.text, opts).problems, msg.field);
    if (refused) {
      answer(false, refused);
      return;
    }
    if (out.edit) {
      const e = out.edit;
      const we = new vscode.WorkspaceEdit();
      we.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
      if (!(await vscode.workspace.applyEdit(we))) {
        answer(false, 'VS Code did not apply the edit (is the spec read-only?).');
        return;
      }
    }
    answer(true);
    // Problems now (not after the typing debounce): the controls and the lens follow at once.
    const result = this.d.diagnostics.validateNow(doc, true);
    if (out.edit && result?.spec) await this.retrainer.request(uri.fsPath);
  }

  private onProblems(uri: vscode.Uri): void {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!doc || !isSpecDocument(doc)) return;
    const specPath = uri.fsPath;
    const problems = this.d.diagnostics.problemsOf(uri);
    const msg: SpecMessage = {
      type: 'spec',
      specPath,
      values: controlValues(doc.getText()),
      errors: errorCount(problems),
      problems: fieldProblems(problems),
    };
    this.values.set(specPath, msg);
    for (const ch of this.d.panelChannels(specPath)) ch.send(msg);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subs).dispose();
  }
}
