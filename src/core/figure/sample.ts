/**
 * Caps how many points are drawn. The host already sends a class-balanced sample, but
 * the view caps again so a huge set (or a future host change) cannot stall a frame.
 * Deterministic: the same set gives the same subset, so frames don't flicker.
 */
import type { PointSet } from '../protocol';

/**
 * Indices of at most `max` points, class-balanced: each class gets an equal share
 * (classes smaller than their share give the rest away), taken at an even stride
 * through the class's points so the subset spans the set.
 */
export function drawIndices(points: Pick<PointSet, 'label'>, max: number): number[] {
  const n = points.label.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = points.label[i];
    let l = byClass.get(c);
    if (!l) byClass.set(c, (l = []));
    l.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  // Water-filling: small classes take all they have, the rest split what is left.
  const quota = new Map<number, number>();
  let left = max;
  let pending = [...classes].sort((a, b) => byClass.get(a)!.length - byClass.get(b)!.length);
  while (pending.length) {
    const share = Math.floor(left / pending.length);
    const c = pending[0];
    const size = byClass.get(c)!.length;
    if (size <= share) {
      quota.set(c, size);
      left -= size;
      pending = pending.slice(1);
    } else {
      // Every remaining class is at least this big: split evenly, remainder to the first.
      let extra = left - share * pending.length;
      for (const d of pending) {
        quota.set(d, share + (extra > 0 ? 1 : 0));
        extra--;
      }
      pending = [];
    }
  }
  const out: number[] = [];
  for (const c of classes) {
    const l = byClass.get(c)!;
    const q = quota.get(c) ?? 0;
    for (let j = 0; j < q; j++) out.push(l[Math.floor((j * l.length) / q)]);
  }
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
