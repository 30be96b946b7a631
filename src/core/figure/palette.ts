/**
 * Class colours. Two palettes:
 *  - `categorical` (default): Okabe-Ito, designed to stay distinguishable for the common
 *    forms of colour blindness, for up to 8 classes; then Paul Tol's muted hues, then
 *    golden-angle hues so any class count still gets a colour (distinct hues stop being
 *    separable by eye past ~12; the legend and the tables carry the names).
 *  - `notebook`: the RdYlBu colour map the notebook's `plot_decision_boundary` uses,
 *    sampled at class positions, so a figure can look like the original.
 * Pure: usable from Node (static figures) and the webview.
 */

export type PaletteName = 'categorical' | 'notebook';
export type Rgb = [number, number, number];

/** Okabe & Ito (2008), with grey in place of black so it shows on dark themes. */
export const OKABE_ITO = [
  '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999',
] as const;

/**
 * Classes 9-18: Paul Tol's muted scheme (also designed for colour-vision deficiency)
 * plus Tableau's brown, ordered so the first ones are far from every Okabe-Ito hue
 * (wine, indigo, olive, rose before the teal/sand/cyan that sit near Okabe-Ito's).
 */
const EXTRA = ['#882255', '#332288', '#999933', '#CC6677', '#9C755F', '#AA4499', '#44AA99', '#DDCC77', '#117733', '#88CCEE'] as const;

/** ColorBrewer RdYlBu, 11 classes (matplotlib's `RdYlBu` control points). */
const RDYLBU = [
  '#a50026', '#d73027', '#f46d43', '#fdae61', '#fee090', '#ffffbf',
  '#e0f3f8', '#abd9e9', '#74add1', '#4575b4', '#313695',
] as const;

export function hexToRgb(hex: string): Rgb {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? h.split('').map((c) => c + c).join('') : h;
  const n = parseInt(full.slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbToHex([r, g, b]: Rgb): string {
  return '#' + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
}

function hslToHex(h: number, s: number, l: number): string {
  // Standard HSL -> RGB; used only past the fixed lists.
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return rgbToHex([f(0) * 255, f(8) * 255, f(4) * 255]);
}

/** Linear interpolation in the RdYlBu control points, t in [0, 1]. */
function rdylbu(t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (RDYLBU.length - 1);
  const i = Math.min(RDYLBU.length - 2, Math.floor(x));
  const a = hexToRgb(RDYLBU[i]);
  const b = hexToRgb(RDYLBU[i + 1]);
  const u = x - i;
  return rgbToHex([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u]);
}

/** One colour per class, `n` of them. */
export function classPalette(n: number, name: PaletteName = 'categorical'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (name === 'notebook') {
      // matplotlib maps class c of 0..n-1 to c/(n-1) across the colour map.
      out.push(rdylbu(n === 1 ? 0.5 : i / (n - 1)));
    } else if (i < OKABE_ITO.length) {
      out.push(OKABE_ITO[i].toLowerCase());
    } else if (i < OKABE_ITO.length + EXTRA.length) {
      out.push(EXTRA[i - OKABE_ITO.length].toLowerCase());
    } else {
      // Golden-angle hue steps keep consecutive classes far apart; lightness alternates.
      const k = i - OKABE_ITO.length - EXTRA.length;
      out.push(hslToHex((k * 137.508) % 360, 0.6, k % 2 ? 0.42 : 0.62));
    }
  }
  return out;
}
