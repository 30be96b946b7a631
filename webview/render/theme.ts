/**
 * Colours for canvas drawing and exports, read from VS Code's theme variables. Canvas
 * can't use CSS variables, so they are resolved here, and re-read when the body's
 * theme class changes (vscode-light / vscode-dark / vscode-high-contrast).
 */
import { LIGHT_FIGURE_THEME, type FigureTheme } from '../../src/core/figure/figureSvg';
import { hexToRgb, rgbToHex } from '../../src/core/figure/palette';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface ViewTheme extends FigureTheme {
  kind: ThemeKind;
  /** Heatmap opacity range: lower in high contrast so points and borders dominate. */
  minAlpha: number;
  maxAlpha: number;
}

export function themeKind(body: Element): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

/** Any CSS colour VS Code gives (#rgb, #rrggbbaa, rgb(...)) as #rrggbb, else undefined. */
export function toHex(css: string): string | undefined {
  const s = css.trim();
  if (/^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(s)) return rgbToHex(hexToRgb(s.length === 9 ? s.slice(0, 7) : s));
  const m = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/i.exec(s);
  return m ? rgbToHex([+m[1], +m[2], +m[3]]) : undefined;
}

export function readTheme(doc: Document): ViewTheme {
  const kind = themeKind(doc.body);
  const dark = kind === 'dark' || kind === 'high-contrast';
  const cs = doc.defaultView?.getComputedStyle(doc.body);
  const v = (name: string, fallback: string) => toHex(cs?.getPropertyValue(name) ?? '') ?? fallback;
  const background = v('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff');
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', dark ? '#cccccc' : '#1f1f1f'));
  const hc = kind.startsWith('high-contrast');
  return {
    ...LIGHT_FIGURE_THEME,
    kind,
    background,
    foreground,
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#6b6b6b'),
    pointStroke: hc ? foreground : dark ? '#111111' : '#1f1f1f',
    errorMark: hc ? v('--vscode-contrastActiveBorder', foreground) : foreground,
    // Okabe-Ito blue is too dark on dark backgrounds; sky blue keeps the contrast.
    trainCurve: dark ? '#56B4E9' : '#0072B2',
    testCurve: dark ? '#E69F00' : '#D55E00',
    fontFamily: (cs?.getPropertyValue('--vscode-font-family').trim() || LIGHT_FIGURE_THEME.fontFamily),
    // Dark backgrounds mix in linear light (heatmap.ts), at lower opacity: clear hues,
    // not brown and olive, with the points brighter than their regions.
    minAlpha: hc ? 0.08 : dark ? 0.06 : 0.12,
    maxAlpha: hc ? 0.3 : dark ? 0.35 : 0.7,
  };
}
