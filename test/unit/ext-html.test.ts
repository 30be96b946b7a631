import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderWebviewHtml } from '../../src/extension/webviewHtml';

const input = (over = {}) => ({
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: makeNonce(),
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/webview.css',
  view: 'panel' as const,
  title: 'Blob Classifier: four',
  specPath: '/w/four.blobs.json',
  ...over,
});

describe('webview HTML', () => {
  test('CSP: default none, nonce-only scripts, no unsafe-inline/eval', () => {
    const i = input();
    const html = renderWebviewHtml(i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp);
    assert.equal(csp, contentSecurityPolicy(i.cspSource, i.nonce));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${i.nonce}'`));
    assert.match(csp, new RegExp(`style-src ${i.cspSource.replace(/[.+]/g, '\\$&')} 'nonce-${i.nonce}'`));
    assert.match(csp, /img-src \S+ data: blob:/);
    assert.match(csp, /font-src /);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  });

  test('the script tag carries the nonce and every script has one', () => {
    const i = input();
    const html = renderWebviewHtml(i);
    assert.ok(html.includes(`<script nonce="${i.nonce}" src="${i.scriptUri}"></script>`));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((s) => s.includes(`nonce="${i.nonce}"`)));
    assert.doesNotMatch(html, /<style\b|style="/); // no inline styles
  });

  test('a fresh nonce per render', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  });

  test('the app root says which view and which spec', () => {
    assert.match(renderWebviewHtml(input()), /<div id="app" data-view="panel" data-spec-path="\/w\/four.blobs.json"><\/div>/);
    assert.match(renderWebviewHtml(input({ view: 'side', specPath: undefined })), /<div id="app" data-view="side"><\/div>/);
  });

  test('escapes paths and titles', () => {
    const html = renderWebviewHtml(input({ specPath: '/w/"><script>x</script>.blobs.json', title: '<b>' }));
    assert.doesNotMatch(html, /<script>x/);
    assert.match(html, /&quot;&gt;&lt;script&gt;/);
    assert.match(html, /<title>&lt;b&gt;<\/title>/);
  });

  test('refuses a weak nonce', () => {
    assert.throws(() => renderWebviewHtml(input({ nonce: 'abc' })));
  });
});
