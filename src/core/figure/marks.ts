/**
 * How the data points are drawn on the boundary: their size for a given count and plot
 * area, and an outline that keeps every class colour visible on any theme. Pure, shared
 * by the live canvas (webview/render/boundary.ts) and the static SVG.
 */
import { hexToRgb } from './palette';

export interface PointMark {
  /** Radius, px. */
  r: number;
  /** Outline width, px: thin for small dots, or the outline is all one sees. */
  strokeWidth: number;
  /** Radius of the ring around a misclassified point. */
  ringR: number;
}

/**
 * Dots shrink as there are more of them so clusters stay readable (area per point / 5,
 * between 1.5 and `maxR`); the outline is at most a quarter of the radius, so a dot of
 * 1.5 px still shows its fill colour rather than a dark speck.
 */
export function pointMark(count: number, area: number, maxR = 4): PointMark {
  const r = Math.max(1.5, Math.min(maxR, Math.sqrt(area / Math.max(1, count)) / 5));
  return { r, strokeWidth: Math.min(0.7, r * 0.25), ringR: r + 2.5 };
}

/** WCAG relative luminance of a #rrggbb colour, 0 (black) .. 1 (white). */
export function luminance(hex: string): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = hexToRgb(hex);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two #rrggbb colours, 1..21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The outline of a point of colour `fill`: the theme's usual one, unless the fill is too
 * close to the background to stand out by itself (Paul Tol's indigo and wine, past the
 * eighth class, on a dark theme), then the foreground: the dot gets a light rim. On light
 * themes the foreground is dark, like the usual outline.
 */
export function pointOutline(fill: string, theme: { pointStroke: string; background: string; foreground: string }): string {
  return contrast(fill, theme.background) >= 2.5 ? theme.pointStroke : theme.foreground;
}
