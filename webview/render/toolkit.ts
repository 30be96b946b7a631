/**
 * The one place that loads @vscode/webview-ui-toolkit (archived upstream): it defines
 * the <vscode-*> web components that render/dom.ts builds the controls from. Swapping
 * the toolkit for its successor means changing this file and the factories in dom.ts.
 *
 * Imported by the entry (main.ts) only, before the view is built: FAST reads `window`
 * and `document` when it loads, so modules that unit tests import without a DOM
 * (app.ts, dom.ts) must not import it.
 *
 * CSP: in Chromium (VS Code's webviews) FAST styles its components and the toolkit's
 * design tokens with constructable stylesheets (adoptedStyleSheets) and the tokens'
 * values with CSSOM calls on <body>'s style, none of which the webview's policy
 * (no 'unsafe-inline') blocks; scripts/webview-harness/shoot.ts checks that.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/**
 * Defines the components once (later calls do nothing). Returns false where custom
 * elements are unavailable; the controls then stay inert unknown elements.
 */
export function registerToolkit(): boolean {
  if (registered) return true;
  if (typeof customElements === 'undefined') return false;
  // Another copy of the toolkit in the page already defined them.
  if (!customElements.get('vscode-button')) {
    provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(), vsCodeTextField());
  }
  registered = true;
  return true;
}
