/**
 * The decision-boundary heatmap as pixels: the predicted class's colour, more opaque
 * where the model is more confident (a continuous tint), blended over the background.
 * Opaque output on purpose: the same pixels go to `putImageData` (the panel), to the
 * exported PNG and to the static SVG (as an embedded PNG), and none of them should
 * depend on what is behind the figure. `smoothHeatmapRgba` draws it finer than the grid,
 * like the notebook's `contourf`.
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
  /**
   * How a class colour is mixed into the background. Default: 'srgb' on a light
   * background (what matplotlib's alpha does: the notebook's look), 'linear' (in linear
   * light) on a dark one: mixing saturated colours toward near-black in sRGB turns
   * orange into brown and yellow into olive (a muddy map); in linear light they keep
   * their hue and brightness and only get weaker.
   */
  blend?: 'srgb' | 'linear';
}

const toLin = (v: number) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const fromLin = (c: number) => 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
/** `col` over `bg` at opacity `a`, mixed as `blend` says. */
export function mix(bg: Rgb, col: Rgb, a: number, blend: 'srgb' | 'linear' = 'srgb'): Rgb {
  if (blend === 'linear') return [0, 1, 2].map((i) => fromLin(toLin(bg[i]) + (toLin(col[i]) - toLin(bg[i])) * a)) as Rgb;
  return [0, 1, 2].map((i) => bg[i] + (col[i] - bg[i]) * a) as Rgb;
}

/** WCAG relative luminance of an RGB triple, 0..1. */
function lum([r, g, b]: Rgb): number {
  return 0.2126 * toLin(r) + 0.7152 * toLin(g) + 0.0722 * toLin(b);
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
  const blend = style.blend ?? (lum(bg) < 0.2 ? 'linear' : 'srgb');
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
      const px = mix(bg, col, a, blend);
      lut[o] = Math.round(px[0]);
      lut[o + 1] = Math.round(px[1]);
      lut[o + 2] = Math.round(px[2]);
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

/**
 * The heatmap drawn `scale` times finer than the grid, the way matplotlib's `contourf`
 * looks: no cell stair-steps, no bands. For every output pixel the class scores at the
 * four surrounding grid points are interpolated bilinearly and the winner is drawn,
 * tinted by its interpolated score (a continuous confidence). Boundaries fall where the
 * scores cross, between grid points, as smooth lines.
 *
 * Which class wins between grid points is decided by interpolating each grid point's
 * margin (its probability minus the runner-up's, `margin`: zero on the boundary), for
 * its class and against the others present: the boundary falls where the margins of
 * the two sides balance, and moves smoothly with them. Choosing by nearest grid point
 * instead draws the cells' stair-steps. Frames without `margin` (older recordings) use
 * p - 1/K, exact for two classes and blocky where a boundary has more around it.
 *
 * Output: (resolution·scale)² RGBA pixels, top row = yMax, covering the same rectangle
 * as the grid image (`gridImageRect`): pixel centres at grid coordinates
 * (j + 0.5)/scale - 0.5, clamped to the grid. `out` is reused when it has the right size.
 */
export function smoothHeatmapRgba(
  cls: Uint8Array,
  conf: Uint8Array,
  resolution: number,
  lut: Uint8Array,
  scale: number,
  out?: Uint8ClampedArray,
  margin?: Uint8Array,
): Uint8ClampedArray {
  const n = resolution;
  const s = Math.max(1, Math.floor(scale));
  const mg = margin && margin.length === cls.length ? margin : undefined;
  const N = n * s;
  const px = out && out.length === N * N * 4 ? out : new Uint8ClampedArray(N * N * 4);
  const k = lut.length / 768;
  // Per output column (and row): the two grid columns and the weight of the second.
  const i0 = new Int32Array(N);
  const i1 = new Int32Array(N);
  const f = new Float32Array(N);
  for (let j = 0; j < N; j++) {
    const u = Math.min(n - 1, Math.max(0, (j + 0.5) / s - 0.5));
    const a = Math.min(n - 2, Math.floor(u));
    i0[j] = Math.max(0, a);
    i1[j] = Math.min(n - 1, a + 1);
    f[j] = n > 1 ? u - i0[j] : 0;
  }
  // Chance level as a confidence byte: an argmax is always at least this sure.
  const chance = k > 1 ? 255 / k : 0;
  // One output pixel in grid units (the sub-samples' spacing).
  const step = n > 1 ? 1 / s : 0;
  const cs = [0, 0, 0, 0];
  const qs = [0, 0, 0, 0];
  const ms = [0, 0, 0, 0];
  const ws = [0, 0, 0, 0];
  const cand = [0, 0, 0, 0];
  for (let Y = 0; Y < N; Y++) {
    // Image row Y (top = yMax) is grid row n-1-… : flip.
    const jr = N - 1 - Y;
    const r0 = i0[jr] * n;
    const r1 = i1[jr] * n;
    const fy = f[jr];
    for (let X = 0; X < N; X++) {
      const c0 = i0[X];
      const c1 = i1[X];
      const fx = f[X];
      const a = r0 + c0, b = r0 + c1, c = r1 + c0, e = r1 + c1;
      cs[0] = cls[a]; qs[0] = conf[a]; ws[0] = (1 - fx) * (1 - fy);
      cs[1] = cls[b]; qs[1] = conf[b]; ws[1] = fx * (1 - fy);
      cs[2] = cls[c]; qs[2] = conf[c]; ws[2] = (1 - fx) * fy;
      cs[3] = cls[e]; qs[3] = conf[e]; ws[3] = fx * fy;
      // The tint: the interpolated confidence, continuous across boundaries too (both
      // sides are about equally unsure there).
      const score = ws[0] * qs[0] + ws[1] * qs[1] + ws[2] * qs[2] + ws[3] * qs[3];
      const q = Math.min(255, Math.max(0, Math.round(score)));
      const d = (Y * N + X) * 4;
      const win = cs[0];
      if (cs[1] === win && cs[2] === win && cs[3] === win) {
        if (win >= k) {
          // An out-of-range class (corrupt frame) shows as the background, not garbage.
          px[d] = px[d + 1] = px[d + 2] = px[d + 3] = 0;
          continue;
        }
        const o = (win * 256 + q) * 3;
        px[d] = lut[o];
        px[d + 1] = lut[o + 1];
        px[d + 2] = lut[o + 2];
        px[d + 3] = 255;
        continue;
      }
      // A cell with a boundary through it: the winner at 4 points inside the pixel,
      // colours averaged, so the boundary is anti-aliased rather than a 1-px staircase.
      if (mg) {
        ms[0] = mg[a]; ms[1] = mg[b]; ms[2] = mg[c]; ms[3] = mg[e];
      } else for (let t = 0; t < 4; t++) ms[t] = qs[t] - chance;
      for (let t = 0; t < 4; t++) ms[t] = Math.max(0.5, ms[t]);
      let m = 0;
      for (let t = 0; t < 4; t++) {
        let seen = false;
        for (let u = 0; u < m; u++) if (cand[u] === cs[t]) seen = true;
        if (!seen) cand[m++] = cs[t];
      }
      let R = 0, G = 0, B = 0;
      let bad = false;
      for (let sub = 0; sub < 4; sub++) {
        const sx = Math.min(1, Math.max(0, fx + ((sub & 1 ? 0.25 : -0.25) * step)));
        const sy = Math.min(1, Math.max(0, fy + ((sub & 2 ? 0.25 : -0.25) * step)));
        const w0 = (1 - sx) * (1 - sy), w1 = sx * (1 - sy), w2 = (1 - sx) * sy, w3 = sx * sy;
        // The winner: bilinear interpolation of each corner's margin, for its class
        // (and against the others present).
        let best = -Infinity;
        let wc = win;
        for (let u = 0; u < m; u++) {
          const cl = cand[u];
          const o = -1 / (m - 1);
          const sc =
            w0 * ms[0] * (cs[0] === cl ? 1 : o) + w1 * ms[1] * (cs[1] === cl ? 1 : o) +
            w2 * ms[2] * (cs[2] === cl ? 1 : o) + w3 * ms[3] * (cs[3] === cl ? 1 : o);
          if (sc > best) {
            best = sc;
            wc = cl;
          }
        }
        if (wc >= k) {
          bad = true;
          break;
        }
        const o = (wc * 256 + q) * 3;
        R += lut[o];
        G += lut[o + 1];
        B += lut[o + 2];
      }
      if (bad) {
        px[d] = px[d + 1] = px[d + 2] = px[d + 3] = 0;
        continue;
      }
      px[d] = Math.round(R / 4);
      px[d + 1] = Math.round(G / 4);
      px[d + 2] = Math.round(B / 4);
      px[d + 3] = 255;
    }
  }
  return px;
}

/**
 * How many times finer than the grid to draw the heatmap so it is about `targetPx`
 * pixels across, at most ~512 (a small grid is drawn as finely as a large one; past
 * that the renderer's smoothing covers the remaining stretch invisibly).
 */
export function smoothScale(resolution: number, targetPx: number): number {
  const n = Math.max(1, resolution);
  return Math.max(1, Math.min(Math.max(1, Math.floor(512 / n)), Math.round(targetPx / n)));
}
