/**
 * "Export Figure": the command asks the spec's panel for its figure (`export`); the
 * panel answers with `exportFigure` (as its own Export buttons do), and the host asks
 * where to save it. A panel that cannot answer (nothing drawn yet) is reported after
 * EXPORT_TIMEOUT_MS rather than leaving the user waiting on nothing.
 *
 * The dialog proposes the spec's folder, never a run folder: run folders belong to the
 * engine and are pruned (`keepRuns`), which once took an exported figure with them.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WebviewToHost } from '../../core/protocol';
import { specStem } from '../../core/run/folder';
import type { SessionStore } from '../sessionStore';
import type { ViewChannel } from '../viewChannel';
import type { SpecTracker } from './specs';
import type { PanelManager } from './webviews';

const EXPORT_TIMEOUT_MS = 5000;

export class FigureExport implements vscode.Disposable {
  /** Export requests waiting for the panel's answer, per spec. */
  private readonly waits = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly specs: SpecTracker,
    private readonly panels: PanelManager,
    private readonly store: SessionStore,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** The command: asks the spec's panel for its figure; the answer arrives as an `exportFigure` message. */
  async request(arg?: unknown): Promise<void> {
    const specPath = this.specs.specPathOf(arg) ?? this.specs.activeSpec ?? this.panels.all()[0]?.specPath;
    if (!specPath) {
      void vscode.window.showInformationMessage('Blob Classifier: open a visualisation first.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'PNG', description: 'image, as shown', format: 'png' as const },
        { label: 'SVG', description: 'vector, editable', format: 'svg' as const },
      ],
      { placeHolder: 'Export the figure as' },
    );
    if (!pick) return;
    const panel = this.panels.get(specPath) ?? this.panels.show(specPath);
    panel.channel.send({ type: 'export', format: pick.format });
    // A view that cannot export yet (nothing drawn, or an older webview) never answers: say so, not nothing.
    const timer = setTimeout(() => {
      if (this.waits.get(specPath) !== timer) return;
      this.waits.delete(specPath);
      void vscode.window.showInformationMessage('Blob Classifier: the visualisation did not provide a figure (nothing drawn yet?). You can also use its Export buttons.');
    }, EXPORT_TIMEOUT_MS);
    this.waits.set(specPath, timer);
  }

  /** A view sent its figure: ask where to save it, write it, tell the view. */
  async save(specPath: string | undefined, msg: Extract<WebviewToHost, { type: 'exportFigure' }>, channel: ViewChannel): Promise<void> {
    if (specPath) {
      clearTimeout(this.waits.get(specPath));
      this.waits.delete(specPath);
    }
    try {
      const dir = specPath ? path.dirname(specPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const base = exportFileName(specPath, specPath ? this.store.latest(specPath)?.ref.runId : undefined, msg.format);
      const target = await vscode.window.showSaveDialog({
        title: 'Export Figure',
        saveLabel: 'Export',
        defaultUri: dir ? vscode.Uri.file(path.join(dir, base)) : undefined,
        filters: msg.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
      });
      if (!target) {
        channel.send({ type: 'exported' });
        return;
      }
      const bytes =
        msg.format === 'png'
          ? Buffer.from(msg.data.slice(msg.data.indexOf(',') + 1), 'base64')
          : Buffer.from(msg.data, 'utf8');
      await vscode.workspace.fs.writeFile(target, bytes);
      this.output.info(`exported figure → ${target.fsPath}`);
      channel.send({ type: 'exported', path: target.fsPath });
    } catch (err) {
      this.output.error(`export failed: ${String(err)}`);
      channel.send({ type: 'exported', error: String(err) });
    }
  }

  dispose(): void {
    for (const t of this.waits.values()) clearTimeout(t);
    this.waits.clear();
  }
}

/** `notebook-20261128-181634-3f9a.png`: the spec and the run the figure shows. */
export function exportFileName(specPath: string | undefined, runId: string | undefined, format: 'png' | 'svg'): string {
  return `${specPath ? specStem(specPath) : 'figure'}${runId ? `-${runId}` : ''}.${format}`;
}
