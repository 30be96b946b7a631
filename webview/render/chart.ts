/**
 * Loss or accuracy curves in SVG (d3-shape paths from curves.ts, d3 axes), train and
 * test, with earlier runs faintly behind. Hover (or arrow keys when focused) shows the
 * exact values of an epoch. The left margin grows with the longest y label (a
 * diverging loss reads 1e12), the tooltip stays inside the chart, and the height follows
 * the width in a narrow panel.
 */
import { axisBottom, axisLeft, select } from 'd3';
import type { EpochEvent } from '../../src/core/protocol';
import { chartModel, epochAt, metricOf, type ChartModel, type Metric } from '../../src/core/figure/curves';
import { num, pct } from '../../src/core/figure/format';
import { inset } from '../../src/core/figure/layout';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Left margin that fits the y labels: d3's axis writes them in 10px sans-serif (digits
 * about 6 px wide) right of a 6 px tick and 3 px of padding. Never less than `base`.
 */
export function axisMargin(labels: readonly string[], base: number): number {
  const longest = labels.reduce((n, l) => Math.max(n, l.length), 0);
  return Math.max(base, Math.ceil(12 + 6 * longest));
}

/**
 * Where the tooltip goes (its left edge, px from the chart's left): right of the cursor,
 * or left of it where it would run out, and never past either edge of the chart.
 */
export function tipLeft(x: number, tipWidth: number, chartWidth: number): number {
  const right = x + 8;
  const left = right + tipWidth <= chartWidth ? right : x - 8 - tipWidth;
  return Math.max(0, Math.min(left, chartWidth - tipWidth));
}

/** Chart height for a panel chart `width` wide: 220 px, less in a narrow panel (not below 150). */
export function chartHeight(width: number, compact: boolean): number {
  return compact ? 110 : Math.round(Math.min(220, Math.max(150, width * 0.45)));
}

/** An earlier run on the overlay: its curves, its length, its colour (CSS class `run-<slot>`). */
export interface CompareRun {
  epochs: EpochEvent[];
  /** Its planned epochs, for the fraction-of-training axis. */
  total: number;
  slot: number;
}

export interface ChartInput {
  epochs: EpochEvent[];
  /** Planned epochs: the x axis spans them from the start. */
  total: number;
  log: boolean;
  upTo?: number;
  compare: CompareRun[];
  /** x = fraction of each run's training (runs of different lengths line up). */
  fraction?: boolean;
}

export class LineChart {
  readonly el: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly tip: HTMLDivElement;
  private model?: ChartModel;
  private hover?: number;
  private lastInput?: ChartInput;

  constructor(
    doc: Document,
    readonly metric: Metric,
    /** The side view's small charts (a fixed 110 px). */
    private readonly compact: boolean,
  ) {
    this.el = doc.createElement('div');
    this.el.className = `chart chart-${metric}`;
    this.el.dataset.testid = metric === 'loss' ? 'loss-chart' : 'acc-chart';
    const title = doc.createElement('div');
    title.className = 'plot-title';
    title.textContent = metric === 'loss' ? 'Loss' : 'Accuracy';
    this.svg = doc.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('tabindex', '0');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', `${title.textContent} per epoch`);
    this.svg.innerHTML =
      '<g class="grid"></g><g class="x-axis"></g><g class="y-axis"></g><g class="compare"></g>' +
      '<path class="curve-train"></path><path class="curve-test"></path>' +
      '<g class="focus" visibility="hidden"><line class="focus-line"></line>' +
      '<circle class="focus-train" r="3.5"></circle><circle class="focus-test" r="3.5"></circle></g>' +
      '<rect class="overlay" fill="transparent"></rect>';
    this.tip = doc.createElement('div');
    this.tip.className = 'chart-tip';
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'status');
    const key = doc.createElement('div');
    key.className = 'chart-key';
    key.innerHTML = '<span class="key-train">train</span><span class="key-test">test</span><span class="key-compare" hidden>earlier runs</span>';
    title.append(key);
    this.el.append(title, this.svg, this.tip);

    const overlay = this.svg.querySelector('rect.overlay')!;
    overlay.addEventListener('pointermove', (ev) => {
      const e = ev as PointerEvent;
      const rect = this.svg.getBoundingClientRect();
      this.setHover(this.model && epochAt(this.model.shown, this.model.xOf, e.clientX - rect.left)?.epoch);
    });
    overlay.addEventListener('pointerleave', () => this.setHover(undefined));
    this.svg.addEventListener('keydown', (ev) => {
      const shown = this.model?.shown ?? [];
      if (!shown.length) return;
      const i = shown.findIndex((e) => e.epoch === this.hover);
      let next: number | undefined;
      if (ev.key === 'ArrowLeft') next = shown[Math.max(0, (i < 0 ? shown.length : i) - 1)].epoch;
      else if (ev.key === 'ArrowRight') next = shown[Math.min(shown.length - 1, i + 1)].epoch;
      else if (ev.key === 'Home') next = shown[0].epoch;
      else if (ev.key === 'End') next = shown[shown.length - 1].epoch;
      else if (ev.key === 'Escape') next = undefined;
      else return;
      ev.preventDefault();
      this.setHover(next);
    });
    this.svg.addEventListener('blur', () => this.setHover(undefined));
  }

  update(input: ChartInput): void {
    this.lastInput = input;
    const width = Math.max(160, this.el.clientWidth || 360);
    const compact = this.compact;
    const h = chartHeight(width, compact);
    const margins = compact ? { top: 6, right: 8, bottom: 18, left: 36 } : { top: 8, right: 12, bottom: 22, left: 44 };
    const model = (left: number) => {
      const box = inset({ x: 0, y: 0, width, height: h }, { ...margins, left });
      return {
        box,
        m: chartModel(input.epochs, {
          metric: this.metric, box, epochs: input.total, log: input.log, upTo: input.upTo,
          compare: input.compare.map((c) => c.epochs), compareTotals: input.compare.map((c) => c.total), fraction: input.fraction,
        }),
      };
    };
    // The y labels depend on the data, not on the width: lay out once, widen the margin if they need it.
    let { box, m } = model(margins.left);
    const left = axisMargin(m.yTicks.map((t) => m.yFormat(t)), margins.left);
    if (left !== margins.left) ({ box, m } = model(left));
    this.model = m;
    const svg = select(this.svg).attr('width', width).attr('height', h).attr('viewBox', `0 0 ${width} ${h}`);
    svg.select<SVGGElement>('g.x-axis')
      .attr('transform', `translate(0,${box.y + box.height})`)
      .call(axisBottom(m.x).tickValues(m.xTicks).tickFormat((d) => m.xFormat(+d)).tickSizeOuter(0));
    svg.select<SVGGElement>('g.y-axis')
      .attr('transform', `translate(${box.x},0)`)
      .call(axisLeft(m.y).tickValues(m.yTicks).tickFormat((d) => m.yFormat(+d)).tickSizeOuter(0));
    svg.select('g.grid').selectAll('line').data(m.yTicks).join('line')
      .attr('x1', box.x).attr('x2', box.x + box.width)
      .attr('y1', (t) => m.y(t)).attr('y2', (t) => m.y(t));
    // Colour = which earlier run (its legend swatch); dash = split, as for the run shown.
    const slots = input.compare.map((c) => c.slot);
    svg.select('g.compare').selectAll('path').data(m.compare.flatMap((c) => [c.train, c.test])).join('path')
      .attr('class', (_, i) => `${i % 2 ? 'compare-test' : 'compare-train'} run-${slots[i >> 1]}`)
      .attr('data-slot', (_, i) => String(slots[i >> 1]))
      .attr('d', (d) => d);
    svg.select('path.curve-train').attr('d', m.train);
    svg.select('path.curve-test').attr('d', m.test);
    svg.select('rect.overlay').attr('x', box.x).attr('y', box.y).attr('width', box.width).attr('height', box.height);
    const last = m.shown.at(-1);
    this.svg.setAttribute('aria-label', last ? `${this.metric === 'loss' ? 'Loss' : 'Accuracy'}: ${this.describe(last)}. Arrow keys show each epoch.` : 'No epochs yet');
    if (this.hover !== undefined && !m.shown.some((e) => e.epoch === this.hover)) this.hover = undefined;
    this.renderHover();
  }

  /** Shows "earlier runs" in the key while compare curves are drawn. */
  setCompareKey(on: boolean): void {
    const k = this.el.querySelector<HTMLElement>('.key-compare');
    if (k) k.hidden = !on;
  }

  /** Re-renders with the last input (resize). */
  refresh(): void {
    if (this.lastInput) this.update(this.lastInput);
  }

  private describe(e: EpochEvent): string {
    // A diverging loss (1e12 and up) in exponent form: 5 decimals of it fill the chart.
    const f = (v: number) => (this.metric === 'loss' ? (Math.abs(v) >= 1e6 ? v.toPrecision(4).replace('e+', 'e') : num(v)) : pct(v));
    // 0-based like the x axis and the notebook's log line ("Epoch: 0 | Loss: ...").
    return `epoch ${e.epoch}: train ${f(metricOf(e, this.metric, 'train'))}, test ${f(metricOf(e, this.metric, 'test'))}`;
  }

  private setHover(epoch: number | undefined): void {
    this.hover = epoch;
    this.renderHover();
  }

  private renderHover(): void {
    const m = this.model;
    const e = m && this.hover !== undefined ? m.shown.find((x) => x.epoch === this.hover) : undefined;
    const focus = select(this.svg).select('g.focus');
    if (!m || !e) {
      focus.attr('visibility', 'hidden');
      this.tip.hidden = true;
      return;
    }
    const x = m.xOf(e);
    const yv = (split: 'train' | 'test') => m.y(Math.max(1e-4, metricOf(e, this.metric, split)));
    focus.attr('visibility', 'visible');
    const [y0, y1] = m.y.range();
    focus.select('line').attr('x1', x).attr('x2', x).attr('y1', y0).attr('y2', y1);
    focus.select('.focus-train').attr('cx', x).attr('cy', yv('train'));
    focus.select('.focus-test').attr('cx', x).attr('cy', yv('test'));
    this.tip.hidden = false;
    this.tip.textContent = this.describe(e);
    // Inside the chart: its CSS caps its width to the chart's (it wraps), this its place.
    const w = this.el.clientWidth || 360;
    this.tip.style.left = `${tipLeft(x, this.tip.offsetWidth, w)}px`;
  }
}
