/**
 * The two webviews, host side: the editor panel (one per spec, opened beside it) and the
 * compact side view (follows the active spec). Both load the same bundle and speak
 * protocol.ts through a `ViewChannel`; every message they send is validated with
 * `isWebviewToHost` before anything acts on it.
 *
 * Choice: one panel PER SPEC (not one shared panel following the editor), so two runs
 * can be watched side by side and a panel never switches under the user's eyes; the
 * side view is the one that follows the active editor.
 */

import * as vscode from 'vscode';
import { isWebviewToHost, type HostToWebview, type PlaybackSetting, type ViewKind, type WebviewToHost } from '../../core/protocol';
import { nameFromPath } from '../../core/spec/defaults';
import { VIEWS } from '../ids';
import type { SessionStore } from '../sessionStore';
import { ViewChannel } from '../viewChannel';
import { makeNonce, renderWebviewHtml } from '../webviewHtml';

export interface ViewContext {
  kind: ViewKind;
  /** The spec the view shows when the message arrived. */
  specPath?: string;
  channel: ViewChannel;
}

export interface WebviewHost {
  readonly extensionUri: vscode.Uri;
  readonly store: SessionStore;
  problems(specPath: string): number | undefined;
  /** The spec's values for the panel's controls (steering.ts). */
  specMessage(specPath: string): HostToWebview | undefined;
  /** The `blobClassifier.playback` setting, for a view that just loaded. */
  playback(): PlaybackSetting;
  handle(msg: WebviewToHost, from: ViewContext): void;
  log(line: string): void;
}

/** Webview options: scripts on, and only the two folders the views load from. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function htmlFor(webview: vscode.Webview, extensionUri: vscode.Uri, view: ViewKind, specPath?: string): string {
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', f)).toString();
  return renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(), // fresh per render
    scriptUri: asset('webview.js'),
    styleUri: asset('webview.css'),
    view,
    title: specPath ? `Blob Classifier: ${nameFromPath(specPath)}` : 'Blob Classifier',
    specPath,
  });
}

/** Wires a webview's messages to a channel + the host, validating each one. */
function connect(webview: vscode.Webview, host: WebviewHost, ctx: () => ViewContext): vscode.Disposable {
  return webview.onDidReceiveMessage((m: unknown) => {
    if (!isWebviewToHost(m)) {
      const type = typeof m === 'object' && m !== null ? String((m as { type?: unknown }).type) : typeof m;
      host.log(`dropped an invalid message from a webview (type ${type.slice(0, 40)})`);
      return;
    }
    const c = ctx();
    if (m.type === 'ready') c.channel.onReady();
    else host.handle(m, c);
  });
}

class SpecPanel implements vscode.Disposable {
  readonly channel: ViewChannel;
  private readonly subs: vscode.Disposable[] = [];
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly specPath: string,
    host: WebviewHost,
  ) {
    const post = (msg: HostToWebview) => void panel.webview.postMessage(msg);
    this.channel = new ViewChannel(host.store, post, { problems: (p) => host.problems(p), specMessage: (p) => host.specMessage(p), playback: () => host.playback() });
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'blobs-file.svg');
    panel.title = `Blob Classifier: ${nameFromPath(specPath)}`;
    this.subs.push(
      connect(panel.webview, host, () => ({ kind: 'panel', specPath, channel: this.channel })),
      panel.onDidChangeViewState((e) => this.channel.onVisibility(e.webviewPanel.visible)),
      panel.onDidDispose(() => this.dispose()),
    );
    this.channel.follow({ specPath, specName: nameFromPath(specPath) });
    panel.webview.html = htmlFor(panel.webview, host.extensionUri, 'panel', specPath);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.dispose();
    vscode.Disposable.from(...this.subs).dispose();
    this.subs.length = 0;
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
    this.panel.dispose(); // no-op when VS Code already disposed it
  }
}

/** One panel per spec, restored after a window reload. */
export class PanelManager implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, SpecPanel>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly host: WebviewHost,
    /** Spec paths of the open panels, persisted: the fallback when a webview never saved its state. */
    private readonly memento: vscode.Memento,
  ) {}

  get(specPath: string): SpecPanel | undefined {
    return this.panels.get(specPath);
  }

  all(): SpecPanel[] {
    return [...this.panels.values()];
  }

  /** Opens (or reveals) the spec's panel beside the editor. */
  show(specPath: string, preserveFocus = true): SpecPanel {
    const existing = this.panels.get(specPath);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEWS.panel,
      `Blob Classifier: ${nameFromPath(specPath)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      webviewOptions(this.host.extensionUri),
    );
    return this.adopt(panel, specPath);
  }

  /** Restores a panel after a reload; its state (webview `setState`) should hold `specPath`. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    let specPath = typeof state === 'object' && state !== null ? (state as { specPath?: unknown }).specPath : undefined;
    if (typeof specPath !== 'string') {
      const remembered = this.memento.get<string[]>('panels', []);
      specPath = remembered.find((p) => !this.panels.has(p));
    }
    if (typeof specPath !== 'string' || this.panels.has(specPath)) {
      this.host.log('could not restore a visualisation panel: it did not say which spec it showed');
      panel.dispose();
      return;
    }
    this.adopt(panel, specPath);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.changed.dispose();
  }

  private adopt(panel: vscode.WebviewPanel, specPath: string): SpecPanel {
    const p = new SpecPanel(panel, specPath, this.host);
    this.panels.set(specPath, p);
    p.onDidDispose(() => {
      if (this.panels.get(specPath) === p) this.panels.delete(specPath);
      this.remember();
      this.changed.fire();
    });
    this.remember();
    this.changed.fire();
    return p;
  }

  private remember(): void {
    void this.memento.update('panels', [...this.panels.keys()]);
  }
}

/** The activity-bar side view: the run of the spec being edited, compact. */
export class SideViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private channel?: ViewChannel;
  private target: { specPath?: string; specName?: string } = {};
  private subs: vscode.Disposable[] = [];

  constructor(private readonly host: WebviewHost) {}

  get viewChannel(): ViewChannel | undefined {
    return this.channel;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const post = (msg: HostToWebview) => void view.webview.postMessage(msg);
    const channel = new ViewChannel(this.host.store, post, { problems: (p) => this.host.problems(p), playback: () => this.host.playback() });
    this.channel = channel;
    view.webview.options = webviewOptions(this.host.extensionUri);
    this.subs.push(
      connect(view.webview, this.host, () => ({ kind: 'side', specPath: channel.specPath, channel })),
      view.onDidChangeVisibility(() => channel.onVisibility(view.visible)),
      view.onDidDispose(() => {
        if (this.view === view) this.disposeView();
      }),
    );
    channel.follow(this.target);
    this.describe();
    view.webview.html = htmlFor(view.webview, this.host.extensionUri, 'side');
  }

  /** The active spec changed. */
  follow(specPath: string | undefined): void {
    this.target = { specPath, specName: specPath ? nameFromPath(specPath) : undefined };
    this.channel?.follow(this.target);
    this.describe();
  }

  dispose(): void {
    this.disposeView();
  }

  private describe(): void {
    if (this.view) this.view.description = this.target.specName;
  }

  private disposeView(): void {
    this.channel?.dispose();
    this.channel = undefined;
    this.view = undefined;
    vscode.Disposable.from(...this.subs).dispose();
    this.subs = [];
  }
}
