/**
 * Which points to draw when there are too many: the trainer's sample for `start.points`
 * (frames.ts `samplePoints`) and the webview's own cap (render/boundary.ts) both use
 * `drawIndices`, so the host and the view agree on what "a sample" is.
 *
 * A stratified random sample, not every n-th point: generated and CSV data are often
 * ordered or periodic (make_circles without shuffle alternates rings, a CSV may be sorted
 * by class or by x), and a fixed stride can then pick only points that look alike.
 * Deterministic: seeded, so the same set gives the same subset and frames don't flicker.
 */
import type { PointSet } from '../protocol';
import { Rng } from '../train/rng';

/** Seed of the draw when the caller gives none (any fixed value: the point is repeatability). */
export const DRAW_SEED = 0x5eed;
/** Every class keeps at least this many points (or all it has) when the cap allows. */
export const MIN_PER_CLASS = 5;

/**
 * How many points each class gets out of `max`: proportional to its size (largest
 * remainder, ties to the lower class), after every class has been given
 * min(size, MIN_PER_CLASS) — or an equal part of `max` when that is less — so small
 * classes stay visible. `sizes` in class order; the result sums to min(max, Σ sizes).
 */
export function classQuotas(sizes: readonly number[], max: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= max) return [...sizes];
  const present = sizes.filter((s) => s > 0).length;
  const floor = Math.min(MIN_PER_CLASS, Math.floor(max / Math.max(1, present)));
  const quota = sizes.map((s) => Math.min(s, floor));
  let left = max - quota.reduce((a, b) => a + b, 0);
  const rest = sizes.map((s, c) => s - quota[c]);
  const restTotal = rest.reduce((a, b) => a + b, 0);
  if (left <= 0 || restTotal === 0) return quota;
  // left < restTotal (total > max), so no class is given more than it has.
  const share = rest.map((r) => (left * r) / restTotal);
  const whole = share.map(Math.floor);
  whole.forEach((w, c) => (quota[c] += w));
  left -= whole.reduce((a, b) => a + b, 0);
  const byFraction = share.map((v, c) => [v - whole[c], c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; i < left; i++) quota[byFraction[i][1]]++;
  return quota;
}

/**
 * Indices (ascending) of at most `max` points: per class a seeded random subset (partial
 * Fisher–Yates) of the size `classQuotas` gives it. All indices when n <= max.
 */
export function drawIndices(points: { label: ArrayLike<number> }, max: number, seed: number = DRAW_SEED): number[] {
  const n = points.label.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 0) return [];
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = points.label[i];
    let l = byClass.get(c);
    if (!l) byClass.set(c, (l = []));
    l.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = classQuotas(classes.map((c) => byClass.get(c)!.length), max);
  const rng = new Rng(seed, 3);
  const out: number[] = [];
  classes.forEach((c, ci) => {
    const l = byClass.get(c)!;
    const q = quotas[ci];
    // Partial Fisher–Yates: the first q slots end up a uniform random q-subset.
    for (let j = 0; j < q; j++) {
      const r = j + Math.floor(rng.next() * (l.length - j));
      const t = l[j];
      l[j] = l[r];
      l[r] = t;
      out.push(l[j]);
    }
  });
  return out.sort((a, b) => a - b);
}

/**
 * The legend's note when not every point is drawn (the host sent a sample, or the
 * view's own cap cut more), else undefined.
 */
export function samplingNote(split: string, points: PointSet, max: number): string | undefined {
  const drawn = Math.min(points.label.length, max);
  return points.sampled || drawn < points.total
    ? `${split}: showing ${drawn} of ${points.total} points (class-balanced sample)`
    : undefined;
}
