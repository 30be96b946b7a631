/**
 * Webview entry (bundled to dist/webview/webview.js, CSS to webview.css). Everything is
 * built from script: the webview's CSP allows no inline scripts, styles or handlers.
 */
import './styles.css';
// Before the toolkit: its loading needs the page's style nonce (see style-nonce.ts).
import { withdrawStyleNonce } from './render/style-nonce';
import { registerToolkit } from './render/toolkit';
import { App } from './app';
import { acquireApi, post } from './vscode';

withdrawStyleNonce();
const root = document.getElementById('app');
if (root) {
  // The controls are the toolkit's components: define them before the view builds them.
  registerToolkit();
  const api = acquireApi();
  const app = new App(root, api);
  // Exposed for the dev harness's timing run and for debugging in devtools.
  (window as unknown as { blobsApp?: App }).blobsApp = app;
  // Only now can the host send the run: it waits for this. (The mark times the view's
  // own start-up within "click → first frame".)
  performance.mark('blobs-ready');
  post(api, { type: 'ready' });
}
