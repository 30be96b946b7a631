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
  const xMax = Math.max(1, o.epochs - 1, ...epochs.map((e) => e.epoch), ...compare.map((c) => c.at(-1)?.epoch ?? 0));
  const x = scaleLinear().domain([0, xMax]).range([o.box.x, o.box.x + o.box.width]);
  const useLog = o.metric === 'loss' && !!o.log;
  let y: ScaleContinuousNumeric<number, number>;
  if (o.metric === 'acc') {
    y = scaleLinear().domain([0, 1]);
  } else {
    // The domain covers every epoch of this run (not only the replayed part) so the
    // axes don't jump while scrubbing; compare runs extend it.
    const vals: number[] = [];
    for (const e of epochs) vals.push(e.trainLoss, e.testLoss);
    for (const c of compare) for (const e of c) vals.push(e.trainLoss, e.testLoss);
    const finite = vals.filter((v) => Number.isFinite(v));
    const hi = finite.length ? Math.max(...finite) : 1;
    if (useLog) {
      const lo = Math.max(LOG_FLOOR, Math.min(...finite.filter((v) => v > 0), hi));
      y = scaleLog().domain([lo, Math.max(hi, lo * 10)]).nice();
    } else {
      y = scaleLinear().domain([0, hi > 0 ? hi : 1]).nice();
    }
  }
  y.range([o.box.y + o.box.height, o.box.y]);
  y.clamp(true);
  const path = (es: EpochEvent[], split: 'train' | 'test') =>
    line<EpochEvent>()
      .defined((e) => Number.isFinite(metricOf(e, o.metric, split)))
      .x((e) => round(x(e.epoch)))
      .y((e) => round(y(useLog ? Math.max(LOG_FLOOR, metricOf(e, o.metric, split)) : metricOf(e, o.metric, split))))(es) ?? '';
  const yFormat =
    o.metric === 'acc'
      ? (v: number) => `${Math.round(v * 100)}%`
      : useLog
        ? (v: number) => (v >= 1 ? String(v) : v.toExponential(0))
        : (v: number) => String(+v.toPrecision(3));
  const xTicks = x.ticks(Math.min(6, xMax)).filter((t) => Number.isInteger(t));
  const yTicks = useLog ? logTicks(y) : y.ticks(4);
  return {
    x, y,
    train: path(shown, 'train'),
    test: path(shown, 'test'),
    compare: compare.map((c) => ({ train: path(c, 'train'), test: path(c, 'test') })),
    xTicks, yTicks, yFormat, shown,
  };
}

/** Powers of ten only: log axes with 2..9 labels are unreadable at this size. */
function logTicks(y: ScaleContinuousNumeric<number, number>): number[] {
  const [a, b] = y.domain();
  const out: number[] = [];
  for (let p = Math.ceil(Math.log10(a) - 1e-9); p <= Math.floor(Math.log10(b) + 1e-9); p++) out.push(10 ** p);
  return out;
}

/** The epoch nearest to pixel `px` among `es` (for hover). */
export function epochAt(es: EpochEvent[], x: ScaleContinuousNumeric<number, number>, px: number): EpochEvent | undefined {
  if (!es.length) return undefined;
  const target = x.invert(px);
  let best = es[0];
  for (const e of es) if (Math.abs(e.epoch - target) < Math.abs(best.epoch - target)) best = e;
  return best;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
