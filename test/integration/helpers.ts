// Shared by the integration tests (they run inside the extension host).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BlobClassifierApi } from '../../src/extension/vscode/api';

export const EXTENSION_ID = 'blob-classifier.blob-classifier';

export async function api(): Promise<BlobClassifierApi> {
  const ext = vscode.extensions.getExtension<BlobClassifierApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The workspace folder the runner opened (a scratch copy of examples/). */
export function workspaceDir(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests need a workspace folder (a copy of examples/)');
  return f.uri.fsPath;
}

export function specUri(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceDir(), name));
}

/** Writes a spec derived from examples' notebook.blobs.json into the workspace. */
export function writeSpec(name: string, edit: (spec: any) => void): vscode.Uri {
  const spec = JSON.parse(fs.readFileSync(path.join(workspaceDir(), 'notebook.blobs.json'), 'utf8'));
  edit(spec);
  const file = path.join(workspaceDir(), name);
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  return vscode.Uri.file(file);
}

/** Polls `fn` until it returns a truthy value (no fixed sleeps in the tests). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
}

export function lensTitles(ls: vscode.CodeLens[]): string[] {
  return ls.map((l) => l.command?.title ?? '');
}

/** A line of context for the runner's report (activation time, accuracy, timings). */
export function note(line: string): void {
  console.log(`      ${line}`);
  (globalThis as { __blobTestNote?: (s: string) => void }).__blobTestNote?.(line);
}
