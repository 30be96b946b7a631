/**
 * One decision-boundary plot (Train or Test), drawn the way tensorflow/playground
 * draws its heatmap: an offscreen canvas filled with putImageData, scaled onto the
 * visible canvas with drawImage (no DOM node per cell), points drawn on the same canvas
 * (capped, batched per class), d3 axes in an SVG overlay. The offscreen heatmap is drawn
 * up to 4x finer than the grid with interpolated class scores (`smoothHeatmapRgba`:
 * smooth boundaries and tint like the notebook's contourf, no cell stair-steps), once
 * per frame for both plots.
 */
import { axisBottom, axisLeft, select } from 'd3';
import type { StartEvent } from '../../src/core/protocol';
import { smoothHeatmapRgba, smoothScale } from '../../src/core/figure/heatmap';
import { boundaryScales, equalAspectBox, gridImageRect, type Box } from '../../src/core/figure/layout';
import { drawIndices } from '../../src/core/figure/sample';
import { pct } from '../../src/core/figure/format';
import { classShape, pointMark, pointOutline, regionColor, traceMark } from '../../src/core/figure/marks';
import type { DecodedFrame } from './frame';
import type { ViewTheme } from './theme';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface BoundaryInput {
  start: StartEvent;
  frame: DecodedFrame;
  theme: ViewTheme;
  colors: string[];
  lut: Uint8Array;
  /** Most points drawn (the host samples already; this is the view's own cap). */
  maxPoints: number;
  /** Accuracy to show in the title, when known. */
  acc?: number;
}

export class BoundaryView {
  readonly el: HTMLDivElement;
  private readonly title: HTMLDivElement;
  /** The plot's box (canvas + axes); the probe (probe.ts) listens and draws on it. */
  readonly wrap: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly grid: HTMLCanvasElement;
  private readonly svg: SVGSVGElement;
  private image?: ImageData;
  private indices?: { start: StartEvent; idx: number[] };
  private axesKey = '';
  /** The last draw's scales and drawn points, for the probe. */
  geometry?: { scales: ReturnType<typeof boundaryScales>; box: Box; drawn: number[] };

  constructor(
    private readonly doc: Document,
    readonly which: 'train' | 'test',
    private readonly compact: boolean,
  ) {
    this.el = doc.createElement('div');
    this.el.className = `boundary boundary-${which}`;
    this.el.dataset.testid = `boundary-${which}`;
    this.title = doc.createElement('div');
    this.title.className = 'plot-title';
    this.title.textContent = which === 'train' ? 'Train' : 'Test';
    this.wrap = doc.createElement('div');
    this.wrap.className = 'boundary-wrap';
    this.canvas = doc.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${this.title.textContent} decision boundary`);
    this.grid = doc.createElement('canvas');
    this.svg = doc.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'boundary-axes');
    this.svg.setAttribute('aria-hidden', 'true');
    this.svg.innerHTML = '<g class="x-axis"></g><g class="y-axis"></g>';
    this.wrap.append(this.canvas, this.svg);
    this.el.append(this.title, this.wrap);
  }

  /** Margins inside the plot for the axes. */
  private margins() {
    return this.compact ? { top: 4, right: 4, bottom: 18, left: 26 } : { top: 6, right: 8, bottom: 22, left: 34 };
  }

  draw(input: BoundaryInput): void {
    const { frame, theme } = input;
    const f = frame.frame;
    const m = this.margins();
    // jsdom has no layout; fall back to a plausible width so the math still runs.
    const width = Math.max(120, this.wrap.clientWidth || this.el.clientWidth || 360);
    const dx = f.bounds.xMax - f.bounds.xMin;
    const dy = f.bounds.yMax - f.bounds.yMin;
    const aspect = Math.min(1.25, Math.max(0.4, dy / Math.max(1e-12, dx)));
    const plotW = width - m.left - m.right;
    const height = Math.round(plotW * aspect + m.top + m.bottom);
    const box = equalAspectBox(f.bounds, { x: m.left, y: m.top, width: plotW, height: height - m.top - m.bottom });
    const s = boundaryScales(f.bounds, box);

    this.wrap.style.height = `${height}px`;
    const dpr = this.doc.defaultView?.devicePixelRatio || 1;
    const cw = Math.round(width * dpr);
    const ch = Math.round(height * dpr);
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
    }
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;

    const ctx = this.canvas.getContext('2d');
    if (ctx) {
      const img = gridImageRect(f.resolution, box);
      this.paintHeatmap(input, img.width * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.save();
      ctx.beginPath();
      ctx.rect(box.x, box.y, box.width, box.height);
      ctx.clip();
      // The image is already smooth at up to 4x the grid; smoothing covers the rest.
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.grid, img.x, img.y, img.width, img.height);
      this.paintPoints(ctx, input, s, box);
      ctx.restore();
      ctx.strokeStyle = theme.muted;
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.round(box.x) + 0.5, Math.round(box.y) + 0.5, Math.round(box.width) - 1, Math.round(box.height) - 1);
    }
    this.drawAxes(width, height, box, s, theme);
    this.geometry = { scales: s, box, drawn: this.drawn(input) };

    const name = this.which === 'train' ? 'Train' : 'Test';
    // Always the epoch of the model drawn (the frame's, which can lag the header's while
    // training runs ahead of the view); "untrained" only for epoch 0.
    const when = f.epoch === 0 ? 'epoch 0 · untrained' : `epoch ${f.epoch}`;
    this.title.textContent = input.acc === undefined ? `${name} · ${when}` : `${name} · ${when} · acc ${pct(input.acc)}`;
    this.canvas.setAttribute(
      'aria-label',
      `${name} decision boundary after ${f.epoch} epoch${f.epoch === 1 ? '' : 's'}${f.epoch === 0 ? ' (untrained)' : ''}${input.acc === undefined ? '' : `, accuracy ${pct(input.acc)}`}`,
    );
    this.el.dataset.frameEpoch = String(f.epoch);
  }

  /** The heatmap at about `targetPx` device pixels across (up to 4x the grid). */
  private paintHeatmap(input: BoundaryInput, targetPx: number): void {
    const n = input.frame.frame.resolution;
    const side = n * smoothScale(n, targetPx);
    if (this.grid.width !== side || this.grid.height !== side) {
      this.grid.width = side;
      this.grid.height = side;
      this.image = undefined;
    }
    const g = this.grid.getContext('2d');
    if (!g) return;
    if (!this.image) this.image = g.createImageData(side, side);
    this.image.data.set(smoothPixels(input, side / n));
    g.putImageData(this.image, 0, 0);
  }

  /** The points drawn (a deterministic sample past `maxPoints`), computed once per run. */
  private drawn(input: BoundaryInput): number[] {
    if (!this.indices || this.indices.start !== input.start) {
      this.indices = { start: input.start, idx: drawIndices(input.start.points[this.which], input.maxPoints) };
    }
    return this.indices.idx;
  }

  private paintPoints(ctx: CanvasRenderingContext2D, input: BoundaryInput, s: ReturnType<typeof boundaryScales>, box: Box): void {
    const ps = input.start.points[this.which];
    const idx = this.drawn(input);
    const pred = this.which === 'train' ? input.frame.predTrain : input.frame.predTest;
    // Smaller dots (and thinner outlines) when there are many, so clusters stay readable.
    const mark = pointMark(idx.length, box.width * box.height, this.compact ? 3 : 4);
    const r = mark.r;
    const k = input.colors.length;
    ctx.lineWidth = mark.strokeWidth;
    // One path per class: thousands of arcs cost one fill and one stroke each class.
    for (let c = 0; c < k; c++) {
      ctx.beginPath();
      let any = false;
      // Past eight classes the shape tells classes apart where colours get close.
      const shape = classShape(c);
      for (const i of idx) {
        if (ps.label[i] !== c) continue;
        traceMark(ctx, shape, s.x(ps.xy[2 * i]), s.y(ps.xy[2 * i + 1]), r);
        any = true;
      }
      if (!any) continue;
      ctx.fillStyle = input.colors[c];
      ctx.strokeStyle = pointOutline(input.colors[c], input.theme, regionColor(input.lut, c));
      ctx.fill();
      ctx.stroke();
    }
    ctx.beginPath();
    for (const i of idx) {
      if (i >= pred.length || pred[i] === ps.label[i]) continue;
      const x = s.x(ps.xy[2 * i]);
      const y = s.y(ps.xy[2 * i + 1]);
      ctx.moveTo(x + mark.ringR, y);
      ctx.arc(x, y, mark.ringR, 0, Math.PI * 2);
    }
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = input.theme.errorMark;
    ctx.stroke();
  }

  private drawAxes(width: number, height: number, box: Box, s: ReturnType<typeof boundaryScales>, theme: ViewTheme): void {
    // Axes only change with size, bounds or theme, not with every frame.
    const key = [width, height, ...s.x.domain(), ...s.y.domain(), theme.muted].join(',');
    if (key === this.axesKey) return;
    this.axesKey = key;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const ticks = this.compact ? 4 : Math.max(3, Math.round(box.width / 70));
    select(this.svg).select<SVGGElement>('g.x-axis')
      .attr('transform', `translate(0,${box.y + box.height})`)
      .call(axisBottom(s.x).ticks(ticks).tickSizeOuter(0));
    select(this.svg).select<SVGGElement>('g.y-axis')
      .attr('transform', `translate(${box.x},0)`)
      .call(axisLeft(s.y).ticks(Math.max(3, Math.round(ticks * (box.height / box.width)))).tickSizeOuter(0));
  }
}

/**
 * The smooth heatmap of the latest frame, shared by the Train and Test plots (same frame,
 * colours and size): computed once per frame, not once per plot.
 */
let lastPixels: { cls: Uint8Array; conf: Uint8Array; lut: Uint8Array; scale: number; px: Uint8ClampedArray } | undefined;
function smoothPixels(input: BoundaryInput, scale: number): Uint8ClampedArray {
  const { cls, conf } = input.frame;
  const c = lastPixels;
  if (c && c.cls === cls && c.conf === conf && c.lut === input.lut && c.scale === scale) return c.px;
  const px = smoothHeatmapRgba(cls, conf, input.frame.frame.resolution, input.lut, scale, c?.px, input.frame.margin);
  lastPixels = { cls, conf, lut: input.lut, scale, px };
  return px;
}
