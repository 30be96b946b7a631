/**
 * Loss and accuracy curves as data: scales, ticks and SVG path strings. d3-shape's
 * `line()` returns a string when no canvas context is given, so this runs in Node and
 * in the webview alike, and tests compare strings.
 */
import { line, scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';
import type { EpochEvent } from '../protocol';
import type { Box } from './layout';

export type Metric = 'loss' | 'acc';

export interface ChartOptions {
  metric: Metric;
  /** Plot area (inside the axes). */
  box: Box;
  /** The x axis spans 0..epochs-1 even before they are done, so curves grow rightwards. */
  epochs: number;
  /** Log scale for loss (ignored for accuracy). */
  log?: boolean;
  /** Only epochs <= upTo are drawn (replay). */
  upTo?: number;
  /** Earlier runs to overlay; they share the scales. */
  compare?: EpochEvent[][];
  /** Each earlier run's planned epochs (its own `epochs`), for `fraction`. */
  compareTotals?: number[];
  /**
   * The x axis as the fraction of each run's training done (0..1; epoch e of a run of
   * n epochs is at (e + 1) / n), so runs of different lengths line up start to end.
   */
  fraction?: boolean;
}

export interface ChartModel {
  x: ScaleContinuousNumeric<number, number>;
  y: ScaleContinuousNumeric<number, number>;
  train: string;
  test: string;
  compare: { train: string; test: string }[];
  xTicks: number[];
  yTicks: number[];
  /** Formats a y value for the axis and hover. */
  yFormat: (v: number) => string;
  /** Formats an x tick: an epoch, or a percentage of training in `fraction` mode. */
  xFormat: (v: number) => string;
  /** The x pixel of an epoch of the shown run. */
  xOf: (e: EpochEvent) => number;
  /** Epochs drawn (after `upTo`). */
  shown: EpochEvent[];
}

const LOG_FLOOR = 1e-4;

export function metricOf(e: EpochEvent, metric: Metric, split: 'train' | 'test'): number {
  if (metric === 'loss') return split === 'train' ? e.trainLoss : e.testLoss;
  return split === 'train' ? e.trainAcc : e.testAcc;
}

export function chartModel(epochs: EpochEvent[], o: ChartOptions): ChartModel {
  const shown = o.upTo === undefined ? epochs : epochs.filter((e) => e.epoch <= o.upTo!);
  const compare = o.compare ?? [];
  const fraction = !!o.fraction;
  // Loops, not Math.max(...spread): long runs overflow the argument limit.
  let xMax = fraction ? 1 : xDomainEnd(o.epochs, epochs.at(-1)?.epoch ?? 0);
  if (!fraction) for (const c of compare) xMax = Math.max(xMax, c.at(-1)?.epoch ?? 0);
  const x = scaleLinear().domain([0, xMax]).range([o.box.x, o.box.x + o.box.width]);
  /** x of epoch e in a run of `total` planned epochs. */
  const xAt = (e: EpochEvent, total: number) => (fraction ? x((e.epoch + 1) / Math.max(1, total)) : x(e.epoch));
  const useLog = o.metric === 'loss' && !!o.log;
  let y: ScaleContinuousNumeric<number, number>;
  if (o.metric === 'acc') {
    y = scaleLinear().domain([0, 1]);
  } else {
    // The domain covers every epoch of this run (not only the replayed part) so the
    // axes don't jump while scrubbing; compare runs extend it.
    let hi = -Infinity;
    let minPos = Infinity;
    for (const es of [epochs, ...compare]) {
      for (const e of es) {
        for (const v of [e.trainLoss, e.testLoss]) {
          if (!Number.isFinite(v)) continue;
          if (v > hi) hi = v;
          if (v > 0 && v < minPos) minPos = v;
        }
      }
    }
    if (hi === -Infinity) hi = 1;
    if (useLog) {
      const lo = Math.max(LOG_FLOOR, Math.min(minPos, hi));
      y = scaleLog().domain([lo, Math.max(hi, lo * 10)]).nice();
    } else {
      y = scaleLinear().domain([0, hi > 0 ? hi : 1]).nice();
    }
  }
  y.range([o.box.y + o.box.height, o.box.y]);
  y.clamp(true);
  // Long runs: at most ~2 points per pixel column, keeping each column's extremes so
  // spikes (divergence, a bad batch) still show.
  const maxPoints = Math.max(2, Math.round(o.box.width * 2));
  const path = (all: EpochEvent[], split: 'train' | 'test', total = o.epochs) => {
    const es = decimate(all, (e) => metricOf(e, o.metric, split), maxPoints);
    return line<EpochEvent>()
      .defined((e) => Number.isFinite(metricOf(e, o.metric, split)))
      .x((e) => round(xAt(e, total)))
      .y((e) => round(y(useLog ? Math.max(LOG_FLOOR, metricOf(e, o.metric, split)) : metricOf(e, o.metric, split))))(es) ?? '';
  };
  const yFormat = o.metric === 'acc' ? (v: number) => `${Math.round(v * 100)}%` : axisNumber;
  const xTicks = fraction ? [0, 0.25, 0.5, 0.75, 1] : x.ticks(Math.min(6, xMax)).filter((t) => Number.isInteger(t));
  const xFormat = fraction ? (v: number) => `${Math.round(v * 100)}%` : (v: number) => String(v);
  const yTicks = useLog ? logTicks(y) : y.ticks(4);
  const totals = o.compareTotals ?? [];
  return {
    x, y,
    train: path(shown, 'train'),
    test: path(shown, 'test'),
    compare: compare.map((c, i) => ({ train: path(c, 'train', totals[i] ?? c.length), test: path(c, 'test', totals[i] ?? c.length) })),
    xTicks, yTicks, yFormat, xFormat, shown,
    xOf: (e) => xAt(e, o.epochs),
  };
}

/**
 * Right end of the epoch axis. Up to 1000 planned epochs it is fixed (the curve grows
 * rightwards across a stable axis, as in the notebook's 100); for longer runs a fixed
 * axis would squeeze the first minutes into a sliver, so it grows with the run in
 * 1-2-5 steps (not every epoch, so the axis does not jitter).
 */
export function xDomainEnd(planned: number, lastEpoch: number): number {
  if (planned <= 1000) return Math.max(1, planned - 1, lastEpoch);
  const target = Math.max(10, lastEpoch * 1.1);
  const p = 10 ** Math.floor(Math.log10(target));
  const nice = [1, 2, 5, 10].map((m) => m * p).find((v) => v >= target) ?? 10 * p;
  return Math.max(lastEpoch, Math.min(planned - 1, nice));
}

/**
 * At most `max` points: the series cut into max/2 buckets of consecutive epochs, each
 * keeping its lowest and highest value (in epoch order), plus the first and last point.
 * Non-finite values are kept so the line still breaks where they are.
 */
export function decimate(es: EpochEvent[], value: (e: EpochEvent) => number, max: number): EpochEvent[] {
  if (es.length <= max) return es;
  const buckets = Math.max(1, Math.floor(max / 2));
  const out: EpochEvent[] = [es[0]];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * es.length) / buckets);
    const to = Math.floor(((b + 1) * es.length) / buckets);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = from; i < to; i++) {
      const v = value(es[i]);
      if (!Number.isFinite(v)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || v < value(es[lo])) lo = i;
      if (hi < 0 || v > value(es[hi])) hi = i;
    }
    const keep = [lo, hi, gap].filter((i) => i > 0).sort((a, b) => a - b);
    for (const i of keep) if (out[out.length - 1] !== es[i]) out.push(es[i]);
  }
  if (out[out.length - 1] !== es[es.length - 1]) out.push(es[es.length - 1]);
  return out;
}

/**
 * A loss axis label, short whatever the scale: 0.25, 1.5, 12000, and from 100,000 up
 * (or below 0.001) 3e12, 1.5e-5. A diverging run's loss reaches 1e12 and more in a few
 * epochs; written out, "3000000000000" did not fit the axis margin and read "000000000".
 */
export function axisNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(+v.toPrecision(3));
}

/** Powers of ten only: log axes with 2..9 labels are unreadable at this size. */
function logTicks(y: ScaleContinuousNumeric<number, number>): number[] {
  const [a, b] = y.domain();
  const out: number[] = [];
  for (let p = Math.ceil(Math.log10(a) - 1e-9); p <= Math.floor(Math.log10(b) + 1e-9); p++) out.push(10 ** p);
  return out;
}

/** The epoch nearest to pixel `px` among `es` (for hover); `x` is the axis, or the model's `xOf`. */
export function epochAt(es: EpochEvent[], x: ScaleContinuousNumeric<number, number> | ((e: EpochEvent) => number), px: number): EpochEvent | undefined {
  if (!es.length) return undefined;
  const at = typeof x === 'function' && !('invert' in x) ? x : (e: EpochEvent) => (x as ScaleContinuousNumeric<number, number>)(e.epoch);
  let best = es[0];
  for (const e of es) if (Math.abs(at(e) - px) < Math.abs(at(best) - px)) best = e;
  return best;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
