/**
 * The notebook's figure as one SVG string: Train and Test decision boundaries side by
 * side (plot_decision_boundary: heatmap of the predicted class + points by true
 * class), with the loss and accuracy curves below. Pure (no DOM, no Node APIs): the
 * trainer writes it as a run artifact and the webview exports it.
 */
import type { EpochEvent, FrameEvent, PointSet, StartEvent } from '../protocol';
import { decodeBase64 } from './base64';
import { chartModel, type Metric } from './curves';
import { duration, pct, r2, xmlEscape } from './format';
import { DEFAULT_HEATMAP_STYLE, heatmapLut, smoothHeatmapRgba, smoothScale, type HeatmapStyle } from './heatmap';
import { encodeBase64 } from './base64';
import { encodePng } from './png';
import { boundaryScales, equalAspectBox, gridImageRect, inset } from './layout';
import { classPalette, type PaletteName } from './palette';
import { drawIndices, samplingNote } from './sample';
import { classShape, markPath, pointOutline, regionColor } from './marks';
import { axis, el, text } from './svg';

export interface FigureTheme {
  background: string;
  foreground: string;
  /** Axis lines and muted text. */
  muted: string;
  /** Outline of points, for contrast on the heatmap. */
  pointStroke: string;
  /** Ring around misclassified points. */
  errorMark: string;
  trainCurve: string;
  testCurve: string;
  fontFamily: string;
}

export const LIGHT_FIGURE_THEME: FigureTheme = {
  background: '#ffffff',
  foreground: '#1f1f1f',
  muted: '#6b6b6b',
  pointStroke: '#1f1f1f',
  errorMark: '#000000',
  // Okabe-Ito blue and vermillion: apart for every common colour-vision deficiency.
  trainCurve: '#0072B2',
  testCurve: '#D55E00',
  fontFamily: 'DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif',
};

export interface FigureInput {
  start: StartEvent;
  frame: FrameEvent;
  epochs: EpochEvent[];
}

export interface FigureOptions {
  theme?: FigureTheme;
  palette?: PaletteName;
  /** Total width in px; height follows. */
  width?: number;
  logLoss?: boolean;
  /** Most points drawn per split. */
  maxPoints?: number;
  /** Earlier runs' epochs to overlay on the curves. */
  compare?: EpochEvent[][];
  /** Heatmap opacities and blend (default: the theme's when it has them, else DEFAULT_HEATMAP_STYLE). */
  heatmap?: Partial<Pick<HeatmapStyle, 'minAlpha' | 'maxAlpha' | 'blend'>>;
}

const FONT = 12;

export function renderFigureSvg(input: FigureInput, opts: FigureOptions = {}): string {
  const theme = opts.theme ?? LIGHT_FIGURE_THEME;
  const width = opts.width ?? 960;
  const { start, frame } = input;
  // All epochs given are drawn: the caller decides (the webview passes those up to the
  // replayed epoch, artifacts pass the whole run with its last frame).
  const epochs = input.epochs;
  const nClasses = Math.max(start.data.nClasses, 1);
  const colors = classPalette(nClasses, opts.palette ?? 'categorical');
  const gap = 24;
  const panelW = (width - gap * 3) / 2;
  const titleH = 44;
  // Panel height follows the data's aspect (equal scales), within sane limits.
  const aspect = (frame.bounds.yMax - frame.bounds.yMin) / Math.max(1e-12, frame.bounds.xMax - frame.bounds.xMin);
  const boundaryH = Math.round(Math.min(1.1, Math.max(0.45, aspect)) * (panelW - 46) + 48);
  const legendH = 26;
  const chartH = 200;
  const height = titleH + boundaryH + legendH + chartH + 16;
  const parts: string[] = [];

  parts.push(el('rect', { x: 0, y: 0, width, height, fill: theme.background }));
  const last = epochs.at(-1);
  const subtitle = [
    `${start.data.generator}, ${start.data.nSamples} samples, ${start.data.nClasses} classes`,
    `epoch ${frame.epoch}/${start.epochs}`,
    last ? `test acc ${pct(last.testAcc)}` : undefined,
    last ? duration(last.elapsedMs) : undefined,
    `${start.backend}/${start.device}`,
  ].filter(Boolean).join(' · ');
  parts.push(text(gap, 20, start.specName, { 'font-size': 15, 'font-weight': 'bold', fill: theme.foreground }));
  parts.push(text(gap, 37, subtitle, { 'font-size': FONT, fill: theme.muted }));

  // A view's theme carries its own opacities (ViewTheme: lower in high contrast and dark).
  const themed = theme as FigureTheme & Partial<Pick<HeatmapStyle, 'minAlpha' | 'maxAlpha'>>;
  const lut = heatmapLut({
    ...DEFAULT_HEATMAP_STYLE,
    ...(themed.minAlpha !== undefined && themed.maxAlpha !== undefined ? { minAlpha: themed.minAlpha, maxAlpha: themed.maxAlpha } : {}),
    ...opts.heatmap,
    colors,
    background: theme.background,
  });
  const cls = decodeBase64(frame.cls);
  const conf = decodeBase64(frame.conf);
  const predTrain = decodeBase64(frame.predTrain);
  const predTest = decodeBase64(frame.predTest);
  const maxPoints = opts.maxPoints ?? 2000;

  // The heatmap as one smooth raster (contourf-like: interpolated scores, continuous
  // tint), made once at about twice the panel's width (figure.png is drawn at 2x) and
  // shared by both panels; the renderer's smoothing covers the last stretch.
  const box0 = equalAspectBox(frame.bounds, inset({ x: 0, y: titleH, width: panelW, height: boundaryH }, { top: 22, right: 8, bottom: 26, left: 38 }));
  const scale = smoothScale(frame.resolution, gridImageRect(frame.resolution, box0).width * 2);
  const side = frame.resolution * scale;
  const margin = frame.margin === undefined ? undefined : decodeBase64(frame.margin);
  const heatPng = encodePng(smoothHeatmapRgba(cls, conf, frame.resolution, lut, scale, undefined, margin), side, side);
  parts.push(el('defs', {}, el('symbol', { id: 'bc-heatmap', viewBox: `0 0 ${side} ${side}`, preserveAspectRatio: 'none' }, el('image', {
    width: side, height: side, preserveAspectRatio: 'none', 'image-rendering': 'optimizeQuality',
    href: `data:image/png;base64,${encodeBase64(heatPng)}`,
  }))));

  const panel = (which: 'train' | 'test', x: number) => {
    const ps = start.points[which];
    const pred = which === 'train' ? predTrain : predTest;
    const avail = inset({ x, y: titleH, width: panelW, height: boundaryH }, { top: 22, right: 8, bottom: 26, left: 38 });
    const box = equalAspectBox(frame.bounds, avail);
    const s = boundaryScales(frame.bounds, box);
    const img = gridImageRect(frame.resolution, box);
    const clip = `bc-clip-${which}`;
    const g: string[] = [];
    g.push(el('clipPath', { id: clip }, el('rect', { x: box.x, y: box.y, width: box.width, height: box.height })));
    g.push(el('g', { class: 'heatmap', 'clip-path': `url(#${clip})` }, el('use', { href: '#bc-heatmap', x: img.x, y: img.y, width: img.width, height: img.height })));
    g.push(pointsSvg(ps, pred, s, colors, theme, maxPoints, lut));
    g.push(el('rect', { x: box.x, y: box.y, width: box.width, height: box.height, fill: 'none', stroke: theme.muted }));
    const axisStyle = { color: theme.muted, fontSize: 10 };
    g.push(axis('bottom', s.x, [box.x, box.x + box.width], box.y + box.height, s.x.ticks(6), String, axisStyle));
    g.push(axis('left', s.y, [box.y + box.height, box.y], box.x, s.y.ticks(6), String, axisStyle));
    const title = which === 'train' ? 'Train' : 'Test';
    const acc = which === 'train' ? last?.trainAcc : last?.testAcc;
    g.push(text(box.x + box.width / 2, box.y - 8, acc === undefined ? title : `${title} (acc ${pct(acc)})`, { 'text-anchor': 'middle', 'font-size': 13, fill: theme.foreground }));
    return el('g', { class: `boundary boundary-${which}` }, g);
  };
  parts.push(panel('train', gap));
  parts.push(panel('test', gap * 2 + panelW));

  // Legend: classes, misclassified mark, sampling note, slice note.
  const ly = titleH + boundaryH + 14;
  const leg: string[] = [];
  let lx = gap;
  for (let c = 0; c < nClasses && c < 12; c++) {
    const shape = classShape(c);
    const mark = { fill: colors[c], stroke: pointOutline(colors[c], theme, regionColor(lut, c)), 'stroke-width': 0.6 };
    leg.push(shape === 'circle' ? el('circle', { cx: lx + 5, cy: ly - 4, r: 5, ...mark }) : el('path', { d: markPath(shape, lx + 5, ly - 4, 5), ...mark }));
    const name = start.data.classNames[c] ?? String(c);
    leg.push(text(lx + 14, ly, name, { fill: theme.foreground }));
    lx += 22 + name.length * 7;
  }
  if (nClasses > 12) {
    leg.push(text(lx, ly, `+${nClasses - 12} more`, { fill: theme.muted }));
    lx += 70;
  }
  leg.push(el('circle', { cx: lx + 6, cy: ly - 4, r: 6, fill: 'none', stroke: theme.errorMark, 'stroke-width': 1.5 }));
  leg.push(text(lx + 16, ly, 'misclassified', { fill: theme.foreground }));
  lx += 110;
  const notes: string[] = [];
  for (const w of ['train', 'test'] as const) {
    const note = samplingNote(w, start.points[w], maxPoints);
    if (note) notes.push(note);
  }
  if (frame.slice) notes.push(frame.slice);
  if (notes.length) leg.push(text(lx, ly, notes.join('; '), { fill: theme.muted }));
  parts.push(el('g', { class: 'legend', 'font-size': FONT }, leg));

  // Curves.
  const cy = titleH + boundaryH + legendH;
  const chart = (metric: Metric, x: number) => {
    const box = inset({ x, y: cy, width: panelW, height: chartH }, { top: 20, right: 12, bottom: 28, left: 46 });
    const m = chartModel(epochs, { metric, box, epochs: start.epochs, log: metric === 'loss' && opts.logLoss, compare: opts.compare });
    const g: string[] = [];
    const axisStyle = { color: theme.muted, fontSize: 10 };
    for (const t of m.yTicks) {
      g.push(el('line', { x1: box.x, x2: box.x + box.width, y1: m.y(t), y2: m.y(t), stroke: theme.muted, 'stroke-opacity': 0.2 }));
    }
    g.push(axis('bottom', m.x, [box.x, box.x + box.width], box.y + box.height, m.xTicks, String, axisStyle));
    g.push(axis('left', m.y, [box.y + box.height, box.y], box.x, m.yTicks, m.yFormat, axisStyle));
    for (const c of m.compare) {
      g.push(el('path', { d: c.train, fill: 'none', stroke: theme.trainCurve, 'stroke-opacity': 0.3 }));
      g.push(el('path', { d: c.test, fill: 'none', stroke: theme.testCurve, 'stroke-opacity': 0.3, 'stroke-dasharray': '5 3' }));
    }
    g.push(el('path', { class: 'curve-train', d: m.train, fill: 'none', stroke: theme.trainCurve, 'stroke-width': 2 }));
    g.push(el('path', { class: 'curve-test', d: m.test, fill: 'none', stroke: theme.testCurve, 'stroke-width': 2, 'stroke-dasharray': '6 3' }));
    const label = metric === 'loss' ? `Loss${opts.logLoss ? ' (log)' : ''}` : 'Accuracy';
    g.push(text(box.x, box.y - 7, label, { 'font-size': 13, fill: theme.foreground }));
    // Key at the top right: solid = train, dashed = test (not by colour alone).
    const kx = box.x + box.width - 130;
    g.push(el('path', { d: `M${r2(kx)},${r2(box.y - 11)}h18`, stroke: theme.trainCurve, 'stroke-width': 2 }));
    g.push(text(kx + 22, box.y - 7, 'train', { fill: theme.foreground, 'font-size': 11 }));
    g.push(el('path', { d: `M${r2(kx + 62)},${r2(box.y - 11)}h18`, stroke: theme.testCurve, 'stroke-width': 2, 'stroke-dasharray': '6 3' }));
    g.push(text(kx + 84, box.y - 7, 'test', { fill: theme.foreground, 'font-size': 11 }));
    if (m.compare.length) {
      g.push(el('path', { d: `M${r2(kx - 100)},${r2(box.y - 11)}h18`, stroke: theme.muted, 'stroke-opacity': 0.6 }));
      g.push(text(kx - 78, box.y - 7, 'earlier runs', { fill: theme.muted, 'font-size': 11 }));
    }
    g.push(text(box.x + box.width / 2, box.y + box.height + 26, 'epoch', { 'text-anchor': 'middle', fill: theme.muted, 'font-size': 10 }));
    return el('g', { class: `chart chart-${metric}` }, g);
  };
  parts.push(chart('loss', gap));
  parts.push(chart('acc', gap * 2 + panelW));

  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${r2(width)} ${r2(height)}`,
      'font-family': theme.fontFamily,
      'font-size': FONT,
    },
    [el('title', {}, xmlEscape(`${start.specName}: decision boundary and training curves`)), ...parts],
  ) + '\n';
}

function pointsSvg(
  ps: PointSet,
  pred: Uint8Array,
  s: ReturnType<typeof boundaryScales>,
  colors: string[],
  theme: FigureTheme,
  maxPoints: number,
  lut: Uint8Array,
): string {
  const idx = drawIndices(ps, maxPoints);
  // Grouped by class: one <g> with the fill, circles carry only their centres.
  const byClass = new Map<number, string[]>();
  const rings: string[] = [];
  for (const i of idx) {
    const x = s.x(ps.xy[2 * i]);
    const y = s.y(ps.xy[2 * i + 1]);
    const c = ps.label[i];
    let l = byClass.get(c);
    if (!l) byClass.set(c, (l = []));
    const shape = classShape(c);
    l.push(shape === 'circle' ? el('circle', { cx: x, cy: y, r: 3 }) : el('path', { d: markPath(shape, x, y, 3) }));
    if (i < pred.length && pred[i] !== c) rings.push(el('circle', { cx: x, cy: y, r: 6 }));
  }
  const groups = [...byClass.entries()]
    .sort(([a], [b]) => a - b)
    .map(([c, circles]) => {
      const fill = colors[c] ?? theme.muted;
      const outline = pointOutline(fill, theme, regionColor(lut, c));
      // Only where the theme's outline would vanish (dark fills on a dark theme).
      return el('g', outline === theme.pointStroke ? { fill } : { fill, stroke: outline }, circles);
    });
  return el('g', { class: 'points', stroke: theme.pointStroke, 'stroke-width': 0.75 }, [
    ...groups,
    rings.length ? el('g', { class: 'misclassified', fill: 'none', stroke: theme.errorMark, 'stroke-width': 1.5 }, rings) : '',
  ]);
}
