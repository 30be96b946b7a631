/**
 * "Blob Classifier: Open as PyTorch Notebook": exports a spec as `<spec stem>.ipynb` next
 * to it and opens it in VS Code's notebook editor.
 *
 * The notebook is made in the exporter process (src/exporter/: it builds the data and the
 * trainer's initial weights, which stay out of this bundle) from the editor's text, so
 * unsaved edits are exported too. This module writes the file: never over an existing one
 * without asking (Replace / Open Existing / Cancel). Command id: COMMANDS.exportNotebook;
 * it takes the spec's Uri as its argument (from a menu, lens or toolbar) or uses the
 * active spec editor, else asks which spec.
 */

import * as vscode from 'vscode';
import { specStem } from '../../core/run/folder';
import { runExporter } from '../../exporter/client';
import { COMMANDS, isSpecPath, SPEC_GLOB } from '../ids';

/** `<spec folder>/<spec stem>.ipynb`, as `blobs export` names it (core/export's defaultExportPath). */
export function notebookUriFor(spec: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(spec, '..', `${specStem(spec.path)}.ipynb`);
}

export function registerExportNotebook(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): vscode.Disposable {
  const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'exporter.js').fsPath;
  return vscode.commands.registerCommand(COMMANDS.exportNotebook, async (arg?: unknown) => {
    try {
      const spec = await specUri(arg);
      if (spec) await exportAndOpen(spec, script, output);
    } catch (e) {
      output.error(`export: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      void vscode.window.showErrorMessage(`Blob Classifier: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

async function exportAndOpen(spec: vscode.Uri, script: string, output: vscode.LogOutputChannel): Promise<void> {
  const target = notebookUriFor(spec);
  const name = target.path.split('/').pop()!;
  if (await exists(target)) {
    const replace = 'Replace';
    const open = 'Open Existing';
    const answer = await vscode.window.showWarningMessage(
      `${name} already exists next to the spec. Replace it with a fresh export of ${spec.path.split('/').pop()}?`,
      { modal: true, detail: 'Replacing loses any changes made in that notebook.' },
      replace,
      open,
    );
    if (answer === open) return openNotebook(target);
    if (answer !== replace) return;
  }
  // The editor's text: unsaved edits count, as they do for Train.
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === spec.toString());
  const specText = doc ? doc.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(spec));
  const reply = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Exporting ${name}` },
    () => runExporter({ script }, { specText, specPath: spec.fsPath, format: 'ipynb', outPath: target.fsPath }),
  );
  if (reply.type === 'error') throw new Error(reply.message);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(reply.text));
  output.info(`exported ${spec.fsPath} as ${target.fsPath} (${reply.cells} cells)`);
  await openNotebook(target);
}

/** In the notebook editor (VS Code's built-in ipynb support); as JSON text if that is unavailable. */
async function openNotebook(uri: vscode.Uri): Promise<void> {
  try {
    // Through the editor resolver with the notebook type named: showNotebookDocument alone
    // failed now and then in code-server ("Notebook Editor creation failure") when the
    // command came from a CodeLens.
    await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook', { preview: false });
  } catch {
    try {
      const nb = await vscode.workspace.openNotebookDocument(uri);
      await vscode.window.showNotebookDocument(nb, { preview: false });
      return;
    } catch (e) {
      await openAsText(uri, e);
    }
  }
}

async function openAsText(uri: vscode.Uri, e: unknown): Promise<void> {
  await vscode.window.showTextDocument(uri, { preview: false });
  void vscode.window.showWarningMessage(`Blob Classifier: opened ${uri.path.split('/').pop()} as text: no notebook editor for .ipynb here (${e instanceof Error ? e.message : String(e)}).`);
}

async function specUri(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  const ed = vscode.window.activeTextEditor;
  if (ed && isSpecPath(ed.document.uri.path)) return ed.document.uri;
  const files = await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**', 500);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Blob Classifier: no *.blobs.json spec in this workspace to export.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const pick = await vscode.window.showQuickPick(
    files.map((u) => ({ label: u.path.split('/').pop()!, description: vscode.workspace.asRelativePath(u), uri: u })),
    { placeHolder: 'Export which spec as a PyTorch notebook?', matchOnDescription: true },
  );
  return pick?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
