/**
 * Which specs the host knows and which one the user is on: the URI of every spec seen
 * (commands get fsPaths, VS Code wants URIs, and a remote window's URIs are not
 * `file:`), the spec being edited (the side view and status bar follow it), and how a
 * command's argument becomes a spec.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import { nameFromPath } from '../../core/spec/defaults';
import { SPEC_GLOB } from '../ids';
import { isSpecDocument } from './diagnostics';

export class SpecTracker implements vscode.Disposable {
  /** fsPath -> Uri of every spec seen, for context keys and commands. */
  private readonly uris = new Map<string, vscode.Uri>();
  private active?: string;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** The spec being edited changed (undefined: it was deleted). */
  readonly onDidChangeActive = this.changed.event;
  private readonly subs: vscode.Disposable[] = [this.changed];

  constructor() {
    this.subs.push(vscode.window.onDidChangeActiveTextEditor((e) => this.followEditor(e)));
  }

  /** Starts following the editor (after the listeners are in place). */
  start(): void {
    this.followEditor(vscode.window.activeTextEditor);
  }

  /** The spec being edited, if any (the last one, when the editor moved elsewhere). */
  get activeSpec(): string | undefined {
    return this.active;
  }

  /** Every spec seen since activation (fsPaths). */
  known(): string[] {
    return [...this.uris.keys()];
  }

  remember(uri: vscode.Uri): void {
    this.uris.set(uri.fsPath, uri);
  }

  uriOf(specPath: string): vscode.Uri {
    return this.uris.get(specPath) ?? vscode.Uri.file(specPath);
  }

  /** A command's argument as a spec path: a Uri (menus, lenses) or a string (the API, tests). */
  specPathOf(arg: unknown): string | undefined {
    if (arg instanceof vscode.Uri) return arg.fsPath;
    if (typeof arg === 'string' && arg) return arg;
    return undefined;
  }

  /** The spec's workspace folder on disk (runs are only written inside it). */
  workspaceRoot(uri: vscode.Uri): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  /** True for `specPath` itself or a spec inside one of the deleted/renamed `uris`. */
  isGone(specPath: string, uris: readonly vscode.Uri[]): boolean {
    return uris.some((u) => specPath === u.fsPath || specPath.startsWith(u.fsPath + path.sep));
  }

  /** Forgets the active spec when it is gone. */
  forgetActive(specPath: string): void {
    if (this.active !== specPath) return;
    this.active = undefined;
    this.changed.fire(undefined);
  }

  /**
   * The spec a command is about: its argument, the active editor's spec, or (when a
   * person asked) a quick pick of the workspace's specs; `create` offers a new one.
   */
  async resolveSpec(arg: unknown, interactive: boolean, create: () => Promise<vscode.Uri | undefined>): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg) return this.uriOf(arg);
    const ed = vscode.window.activeTextEditor;
    if (ed && isSpecDocument(ed.document)) return ed.document.uri;
    if (!interactive) return undefined;
    const files = await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**', 500);
    if (files.length === 0) {
      const label = 'New Blob Spec';
      const a = await vscode.window.showInformationMessage('Blob Classifier: no *.blobs.json spec in this workspace.', label);
      return a === label ? create() : undefined;
    }
    if (files.length === 1) return files[0];
    files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const pick = await vscode.window.showQuickPick(
      files.map((u) => ({ label: nameFromPath(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u })),
      { placeHolder: 'Which spec?', matchOnDescription: true },
    );
    return pick?.uri;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subs).dispose();
  }

  private followEditor(e: vscode.TextEditor | undefined): void {
    if (!e || !isSpecDocument(e.document)) return; // keep following the last spec (the view stays useful)
    const specPath = e.document.uri.fsPath;
    this.remember(e.document.uri);
    if (specPath === this.active) return;
    this.active = specPath;
    this.changed.fire(specPath);
  }
}
