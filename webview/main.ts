/**
 * Webview entry (bundled to dist/webview/webview.js, CSS to webview.css). Everything is
 * built from script: the webview's CSP allows no inline scripts, styles or handlers.
 */
import './styles.css';
import { App } from './app';
import { acquireApi, post } from './vscode';

const root = document.getElementById('app');
if (root) {
  const api = acquireApi();
  const app = new App(root, api);
  // Exposed for the dev harness's timing run and for debugging in devtools.
  (window as unknown as { blobsApp?: App }).blobsApp = app;
  // Only now can the host send the run: it waits for this.
  post(api, { type: 'ready' });
}
