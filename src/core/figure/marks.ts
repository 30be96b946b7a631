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
 * between 1.5 and `maxR`); the outline (a rim that contrasts with the fill, see
 * `pointOutline`) is at most a quarter of the radius, so a dot of 1.5 px still shows its
 * fill colour rather than a dark speck.
 */
export function pointMark(count: number, area: number, maxR = 4): PointMark {
  const r = Math.max(1.5, Math.min(maxR, Math.sqrt(area / Math.max(1, count)) / 5));
  return { r, strokeWidth: Math.min(1, r * 0.25), ringR: r + 2.5 };
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
 * The rim of a point of colour `fill`: of the theme's point stroke, foreground and
 * background, the one that stands out best from both the fill and `behind`, the tint of
 * the point's own class where the model is sure (where a correctly classified point
 * sits). Yellow gets a dark rim on yellow; navy (RdYlBu) a light rim on navy; on a dark
 * theme, whose regions are darker than the dots, a light rim where a dark one would
 * vanish into the region (green on dark green). Without `behind`: the one that stands
 * out from the fill.
 */
export function pointOutline(fill: string, theme: { pointStroke: string; background: string; foreground: string }, behind?: string): string {
  const score = (c: string) => Math.min(contrast(fill, c), behind ? contrast(behind, c) : Infinity);
  let best = theme.pointStroke;
  for (const c of [theme.foreground, theme.background]) if (score(c) > score(best) + 0.25) best = c;
  return best;
}

/** The tint of class `c` at full confidence in a heatmap colour table (heatmap.ts `heatmapLut`). */
export function regionColor(lut: Uint8Array, c: number): string {
  const o = (c * 256 + 255) * 3;
  if (o + 2 >= lut.length) return '#000000';
  return '#' + [lut[o], lut[o + 1], lut[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
}

/**
 * Marker shape per class. Beyond eight classes no palette stays distinguishable for
 * every colour-vision deficiency (under deuteranopia Tol's rose, class 11, is close to
 * Okabe-Ito's green, class 2), so each further block of eight classes gets its own
 * shape: classes 0-7 circles, 8-15 squares, 16-23 triangles, 24-31 diamonds, then again.
 * The colour and the shape together tell every class apart.
 */
export type MarkShape = 'circle' | 'square' | 'triangle' | 'diamond';
const SHAPES: MarkShape[] = ['circle', 'square', 'triangle', 'diamond'];

export function classShape(c: number): MarkShape {
  return SHAPES[Math.floor(Math.max(0, c) / 8) % SHAPES.length];
}

/** The path operations a marker needs (a CanvasRenderingContext2D has them). */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  closePath(): void;
}

/**
 * Adds one marker of radius `r` centred on (x, y) to the current path. Squares,
 * triangles and diamonds are sized to about the circle's area, so no class looks bigger.
 */
export function traceMark(p: PathSink, shape: MarkShape, x: number, y: number, r: number): void {
  switch (shape) {
    case 'circle':
      p.moveTo(x + r, y);
      p.arc(x, y, r, 0, Math.PI * 2);
      return;
    case 'square': {
      const h = r * 0.886; // sqrt(pi)/2: the same area as the circle
      p.moveTo(x - h, y - h);
      p.lineTo(x + h, y - h);
      p.lineTo(x + h, y + h);
      p.lineTo(x - h, y + h);
      p.closePath();
      return;
    }
    case 'triangle': {
      const s = r * 1.35;
      p.moveTo(x, y - s);
      p.lineTo(x + s * 0.866, y + s * 0.5);
      p.lineTo(x - s * 0.866, y + s * 0.5);
      p.closePath();
      return;
    }
    case 'diamond': {
      const d = r * 1.25;
      p.moveTo(x, y - d);
      p.lineTo(x + d, y);
      p.lineTo(x, y + d);
      p.lineTo(x - d, y);
      p.closePath();
      return;
    }
  }
}

/** The same marker as SVG path data (2-decimal numbers), for shapes other than circles. */
export function markPath(shape: Exclude<MarkShape, 'circle'>, x: number, y: number, r: number): string {
  const parts: string[] = [];
  const n = (v: number) => String(Math.round(v * 100) / 100);
  traceMark(
    {
      moveTo: (a, b) => parts.push(`M${n(a)},${n(b)}`),
      lineTo: (a, b) => parts.push(`L${n(a)},${n(b)}`),
      arc: () => undefined,
      closePath: () => parts.push('Z'),
    },
    shape, x, y, r,
  );
  return parts.join('');
}
