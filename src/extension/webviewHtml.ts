/**
 * The webviews' HTML: one small document that loads `dist/webview/webview.js` and
 * `webview.css`, under a strict Content-Security-Policy (webview-sample's pattern):
 * nothing by default, scripts only with this render's nonce, styles/images/fonts only
 * from the extension's own files (`cspSource`). No 'unsafe-inline', no 'unsafe-eval'.
 * Pure (the URIs come in as strings), so the policy is unit-tested.
 */

import { randomBytes } from 'node:crypto';
import type { ViewKind } from '../core/protocol';

export interface HtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh nonce for this render (`makeNonce()`). */
  nonce: string;
  /** `asWebviewUri(dist/webview/webview.js)`. */
  scriptUri: string;
  /** `asWebviewUri(dist/webview/webview.css)`. */
  styleUri: string;
  view: ViewKind;
  /** Page title (screen readers). */
  title: string;
  /** The spec this view shows, so the webview can keep it in its state (`setState`) for restore. */
  specPath?: string;
}

/** 128 random bits, base64url: only characters a CSP nonce and an attribute take verbatim. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function renderWebviewHtml(i: HtmlInput): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(i.nonce)) throw new Error('nonce must be >= 16 base64url characters');
  // The policy goes into an attribute verbatim (its quotes must stay readable to the browser).
  if (/["<>]/.test(i.cspSource)) throw new Error('unexpected characters in cspSource');
  const spec = i.specPath ? ` data-spec-path="${escapeHtml(i.specPath)}"` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(i.cspSource, i.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${i.nonce}" href="${escapeHtml(i.styleUri)}">
<title>${escapeHtml(i.title)}</title>
</head>
<body>
<div id="app" data-view="${i.view}"${spec}></div>
<script nonce="${i.nonce}" src="${escapeHtml(i.scriptUri)}"></script>
</body>
</html>
`;
}
