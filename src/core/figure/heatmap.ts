/**
 * The decision-boundary heatmap as pixels: one pixel per grid point, the predicted
 * class's colour, more opaque where the model is more confident, blended over the
 * background. Opaque output on purpose: the same pixels go to `putImageData`, to the
 * exported PNG and (run-length merged) to the static SVG, and none of them should
 * depend on what is behind the figure.
 *
 * Grid layout (protocol.ts FrameEvent): row-major, row 0 at yMin. Images have row 0 at
 * the top, so rows are flipped here.
 */
import { hexToRgb, type Rgb } from './palette';

export interface HeatmapStyle {
  /** Class colours, hex. */
  colors: string[];
  /** Colour behind the figure, hex. */
  background: string;
  /** Opacity of a class colour at chance-level confidence (1/nClasses). */
  minAlpha: number;
  /** Opacity at confidence 1; the notebook's contourf uses 0.7. */
  maxAlpha: number;
}

export const DEFAULT_HEATMAP_STYLE: Omit<HeatmapStyle, 'colors' | 'background'> = {
  minAlpha: 0.12,
  maxAlpha: 0.7,
};

/**
 * Colour lookup table: for class c and confidence byte q, RGB at [(c*256+q)*3].
 * 256 x classes entries, so the per-cell loop is two array reads.
 */
export function heatmapLut(style: HeatmapStyle): Uint8Array {
  const k = style.colors.length;
  const bg = hexToRgb(style.background);
  const lut = new Uint8Array(Math.max(1, k) * 256 * 3);
  // Confidence below chance cannot happen for argmax of a softmax; clamp anyway.
  const chance = k > 1 ? 1 / k : 0;
  for (let c = 0; c < k; c++) {
    const col: Rgb = hexToRgb(style.colors[c]);
    for (let q = 0; q < 256; q++) {
      const p = q / 255;
      const t = chance < 1 ? Math.max(0, Math.min(1, (p - chance) / (1 - chance))) : 1;
      const a = style.minAlpha + (style.maxAlpha - style.minAlpha) * t;
      const o = (c * 256 + q) * 3;
      lut[o] = Math.round(bg[0] + (col[0] - bg[0]) * a);
      lut[o + 1] = Math.round(bg[1] + (col[1] - bg[1]) * a);
      lut[o + 2] = Math.round(bg[2] + (col[2] - bg[2]) * a);
    }
  }
  return lut;
}

/**
 * RGBA pixels (resolution x resolution, top row = yMax) for `putImageData`.
 * `out` is reused when it has the right size, to avoid garbage at 60 fps.
 */
export function heatmapRgba(
  cls: Uint8Array,
  conf: Uint8Array,
  resolution: number,
  lut: Uint8Array,
  out?: Uint8ClampedArray,
): Uint8ClampedArray {
  const n = resolution;
  const px = out && out.length === n * n * 4 ? out : new Uint8ClampedArray(n * n * 4);
  const k = lut.length / 768;
  for (let row = 0; row < n; row++) {
    const src = row * n;
    const dst = (n - 1 - row) * n * 4;
    for (let col = 0; col < n; col++) {
      const c = cls[src + col];
      // An out-of-range class (corrupt frame) shows as the background, not garbage.
      const o = c < k ? (c * 256 + conf[src + col]) * 3 : -1;
      const d = dst + col * 4;
      if (o < 0) {
        px[d] = px[d + 1] = px[d + 2] = 0;
        px[d + 3] = 0;
      } else {
        px[d] = lut[o];
        px[d + 1] = lut[o + 1];
        px[d + 2] = lut[o + 2];
        px[d + 3] = 255;
      }
    }
  }
  return px;
}

export interface HeatRect {
  /** Grid column of the first cell and number of cells across. */
  col: number;
  w: number;
  /** Image row (0 = top = yMax) and number of rows down. */
  row: number;
  h: number;
  color: string;
}

/**
 * The same image as few rectangles: runs of equal colour in a row, then runs stacked
 * down when the row below has the identical run. Confidence is quantised to `levels`
 * steps so runs are long; used for SVG output where one <rect> per cell (10k-40k)
 * would be too heavy.
 */
export function heatmapRects(
  cls: Uint8Array,
  conf: Uint8Array,
  resolution: number,
  lut: Uint8Array,
  levels = 8,
): HeatRect[] {
  const n = resolution;
  const k = lut.length / 768;
  const quant = (q: number) => {
    // Centre of the level's bucket, so the quantised colour is unbiased.
    const step = 256 / levels;
    return Math.min(255, Math.floor(Math.floor(q / step) * step + step / 2));
  };
  const keyAt = (gridRow: number, col: number) => {
    const i = gridRow * n + col;
    const c = cls[i];
    return c < k ? c * 256 + quant(conf[i]) : -1;
  };
  const done: HeatRect[] = [];
  // Open rects keyed by "col,w,key" from the previous image row, to extend downwards.
  let open = new Map<string, HeatRect>();
  for (let row = 0; row < n; row++) {
    const gridRow = n - 1 - row;
    const next = new Map<string, HeatRect>();
    let col = 0;
    while (col < n) {
      const key = keyAt(gridRow, col);
      let end = col + 1;
      while (end < n && keyAt(gridRow, end) === key) end++;
      if (key >= 0) {
        const id = `${col},${end - col},${key}`;
        const prev = open.get(id);
        if (prev) {
          prev.h++;
          next.set(id, prev);
          open.delete(id);
        } else {
          const o = key * 3;
          const rect: HeatRect = {
            col, w: end - col, row, h: 1,
            color: '#' + [lut[o], lut[o + 1], lut[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join(''),
          };
          next.set(id, rect);
        }
      }
      col = end;
    }
    for (const r of open.values()) done.push(r);
    open = next;
  }
  for (const r of open.values()) done.push(r);
  // Stable order (top-left first) keeps SVG output deterministic for snapshots.
  return done.sort((a, b) => a.row - b.row || a.col - b.col);
}
