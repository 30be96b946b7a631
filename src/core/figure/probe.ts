/**
 * The probe: what the model at the shown epoch says at one point of a boundary plot
 * (every class's probability, from the frame's weights), and which drawn sample, if any,
 * is under the pointer (its row in the split, true class, the frame's prediction). Pure.
 *
 * Without weights (a model over WEIGHTS_MAX_PARAMS parameters) only the grid's answer is
 * known: the predicted class and its probability at the nearest grid point.
 */
import type { Bounds, PointSet } from '../protocol';
import { forwardPoint, inputAt, type Activation, type NetWeights } from './network';

export interface ProbeSample {
  split: 'train' | 'test';
  /** Index into the drawn point set (the frame's predictions are in this order). */
  drawn: number;
  /** Row in the split (data.csv's order within train or test). */
  row: number;
  label: number;
  /** The frame's prediction for it, when the frame has one. */
  predicted?: number;
  /** Distance from the pointer, px. */
  distPx: number;
}

export interface ProbeResult {
  x: number;
  y: number;
  /** Every class's probability (sums to 1), when the frame carries weights. */
  probs?: number[];
  predicted: number;
  confidence: number;
  source: 'weights' | 'grid';
  sample?: ProbeSample;
}

/** Class probabilities of the model at (x, y), features 3.. at `means`. */
export function probabilitiesAt(w: NetWeights, act: Activation, x: number, y: number, means?: readonly number[]): number[] {
  return Array.from(forwardPoint(w, act, inputAt(x, y, w.sizes[0], means)).probs);
}

/** The grid's answer at (x, y): the nearest grid point's class and confidence (0..255 → 0..1). */
export function gridAnswer(cls: Uint8Array, conf: Uint8Array, bounds: Bounds, res: number, x: number, y: number): { predicted: number; confidence: number } {
  const fx = (x - bounds.xMin) / Math.max(1e-300, bounds.xMax - bounds.xMin);
  const fy = (y - bounds.yMin) / Math.max(1e-300, bounds.yMax - bounds.yMin);
  const col = Math.max(0, Math.min(res - 1, Math.round(fx * (res - 1))));
  const row = Math.max(0, Math.min(res - 1, Math.round(fy * (res - 1))));
  const i = row * res + col;
  return { predicted: cls[i] ?? 0, confidence: (conf[i] ?? 0) / 255 };
}

/**
 * The drawn sample nearest to pixel (px, py) within `maxPx`, among `drawn` (indices into
 * `points`); `toPx` maps data coordinates to the plot's pixels.
 */
export function nearestSample(
  points: PointSet,
  drawn: readonly number[],
  toPx: (x: number, y: number) => [number, number],
  px: number,
  py: number,
  maxPx: number,
): { drawn: number; distPx: number } | undefined {
  let best: { drawn: number; distPx: number } | undefined;
  for (const i of drawn) {
    const [sx, sy] = toPx(points.xy[2 * i], points.xy[2 * i + 1]);
    const d = Math.hypot(sx - px, sy - py);
    if (d <= maxPx && (!best || d < best.distPx)) best = { drawn: i, distPx: d };
  }
  return best;
}

export interface ProbeInput {
  x: number;
  y: number;
  weights?: NetWeights;
  activation: Activation;
  means?: readonly number[];
  /** The frame's grid, for models without weights. */
  grid: { cls: Uint8Array; conf: Uint8Array; bounds: Bounds; res: number };
  sample?: { split: 'train' | 'test'; points: PointSet; drawn: number; distPx: number; pred: Uint8Array };
}

export function probe(p: ProbeInput): ProbeResult {
  let out: ProbeResult;
  if (p.weights) {
    const probs = probabilitiesAt(p.weights, p.activation, p.x, p.y, p.means);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
    out = { x: p.x, y: p.y, probs, predicted: best, confidence: probs[best], source: 'weights' };
  } else {
    const g = gridAnswer(p.grid.cls, p.grid.conf, p.grid.bounds, p.grid.res, p.x, p.y);
    out = { x: p.x, y: p.y, ...g, source: 'grid' };
  }
  const s = p.sample;
  if (s) {
    out.sample = {
      split: s.split,
      drawn: s.drawn,
      row: s.points.index?.[s.drawn] ?? s.drawn,
      label: s.points.label[s.drawn],
      predicted: s.drawn < s.pred.length ? s.pred[s.drawn] : undefined,
      distPx: s.distPx,
    };
  }
  return out;
}
