/**
 * Validation as you type: the engine's `validateSpecText` on every open `*.blobs.json`,
 * shown as squiggles at the validator's exact ranges. Typing is debounced (~200 ms) and
 * skips the CSV file check (a file read per keystroke); open and save check files too.
 * Syntax errors and duplicate keys are left to VS Code's JSON language service where it
 * validates the file (problemMapping.ts `editorProblems`): one mistake, one problem.
 * Thin `vscode` layer over problemMapping.ts.
 */

import * as vscode from 'vscode';
import type { Problem } from '../../core/spec/problems';
import { validateSpecText, type ValidationResult } from '../../core/spec/validate';
import { DIAGNOSTIC_SOURCE, isSpecPath } from '../ids';
import { editorProblems, errorCount, toDiagnosticData } from '../problemMapping';

const DEBOUNCE_MS = 200;
/** Largest CSV the host reads to check a spec: about a second at the measured ~20-50 MB/s. */
const CSV_READ_LIMIT = 32 * 1024 * 1024;

export function isSpecDocument(doc: vscode.TextDocument): boolean {
  return isSpecPath(doc.uri.path) && doc.uri.scheme !== 'git' && doc.uri.scheme !== 'output';
}

export class SpecDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly problems = new Map<string, Problem[]>();
  /** The document version each entry of `problems` was computed from. */
  private readonly versions = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subs: vscode.Disposable[] = [];
  /** Fires after a spec's problems were recomputed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly maxSamples: () => number) {
    this.subs.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.validateNow(d, true)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.validateNow(d, true)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('json.validate.enable')) this.revalidateAll();
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.validateNow(d, true);
  }

  /** Validates now and updates the squiggles; returns the result (for train). */
  validateNow(doc: vscode.TextDocument, checkFiles: boolean): ValidationResult | undefined {
    if (!isSpecDocument(doc)) return undefined;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    const result = validateSpecText(doc.getText(), {
      specPath: doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
      maxSamples: this.maxSamples(),
      checkFiles,
      // A spec's CSV may be anywhere in its workspace folder (the trainer gets the same root).
      dataRoot: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath,
      // Reading a big CSV here would stall the host (~20 MB/s); the trainer checks it all.
      csvReadLimit: CSV_READ_LIMIT,
    });
    this.problems.set(key, result.problems);
    this.versions.set(key, doc.version);
    this.collection.set(doc.uri, editorProblems(result.problems, jsonServiceValidates(doc)).map(toDiagnostic));
    this.changed.fire(doc.uri);
    return result;
  }

  problemsOf(uri: vscode.Uri): readonly Problem[] {
    return this.problems.get(uri.toString()) ?? [];
  }

  /** The problems of the document's current text; undefined while a check of newer text is pending. */
  currentProblemsOf(doc: vscode.TextDocument): readonly Problem[] | undefined {
    const key = doc.uri.toString();
    return this.versions.get(key) === doc.version ? this.problems.get(key) : undefined;
  }

  errorsOf(uri: vscode.Uri): number {
    return errorCount(this.problemsOf(uri));
  }

  /** Re-checks every open spec (a setting such as maxSamples changed). */
  revalidateAll(): void {
    for (const d of vscode.workspace.textDocuments) this.validateNow(d, true);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    vscode.Disposable.from(...this.subs).dispose();
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isSpecDocument(doc)) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        // The document may have been closed in the meantime.
        if (!doc.isClosed) this.validateNow(doc, false);
      }, DEBOUNCE_MS),
    );
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.problems.delete(key);
    this.versions.delete(key);
    this.collection.delete(uri);
    this.changed.fire(uri);
  }
}

/** VS Code's JSON language service checks this document (syntax, duplicate keys) itself. */
function jsonServiceValidates(doc: vscode.TextDocument): boolean {
  return (doc.languageId === 'json' || doc.languageId === 'jsonc') && vscode.workspace.getConfiguration('json').get<boolean>('validate.enable') !== false;
}

export function toDiagnostic(p: Problem): vscode.Diagnostic {
  const d = toDiagnosticData(p);
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const diag = new vscode.Diagnostic(range, d.message, d.severity as number as vscode.DiagnosticSeverity);
  diag.source = d.source;
  diag.code = d.code;
  return diag;
}
