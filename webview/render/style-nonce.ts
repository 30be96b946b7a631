/**
 * FAST (under the toolkit) probes for :focus-visible support once, while it loads, by
 * putting an empty <style> in <head>. The webview's CSP allows no 'unsafe-inline', so
 * that element needs the page's nonce, which FAST takes from
 * <meta property="csp-nonce" content="…"> (fast-web-utilities' getNonce). Without it the
 * probe is refused (a CSP violation in the console) and the components fall back to
 * :focus, ringing every mouse-clicked control.
 *
 * Imported by the entry before the toolkit: it lends FAST this script's own nonce (the
 * `nonce` property; the attribute reads back empty). The entry withdraws the meta once
 * the toolkit has loaded (the probe has run by then and is cached), so the nonce is not
 * left readable in the DOM.
 */
let meta: HTMLMetaElement | undefined;

const script = typeof document === 'undefined' ? null : (document.currentScript as HTMLScriptElement | null);
const nonce = script?.nonce || script?.getAttribute('nonce') || '';
if (nonce && !document.querySelector('meta[property="csp-nonce"]')) {
  meta = document.createElement('meta');
  meta.setAttribute('property', 'csp-nonce');
  meta.content = nonce;
  document.head.append(meta);
}

export function withdrawStyleNonce(): void {
  meta?.remove();
  meta = undefined;
}
