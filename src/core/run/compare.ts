/**
 * What tells runs of one spec apart, for the comparison overlay's legend: the fields in
 * which an earlier run's spec (as it ran, defaults applied) differs from the run shown,
 * named the way a learner says them ("lr 0.01", "activation none", "hidden [16, 16]").
 * Pure.
 */
import type { BlobSpec } from '../spec/types';

export interface SpecDifference {
  /** Dotted path in the spec, e.g. "training.lr". */
  path: string;
  /** Short name for the legend, e.g. "lr", "hidden". */
  name: string;
  /** The earlier run's value and the shown run's, as the legend writes them. */
  was: string;
  now: string;
}

/**
 * Fields first in this order (what a learner changes most, the panel's controls), then
 * any other difference in the order of the spec. Names are the spec's keys except where
 * a shorter word reads better in a legend.
 */
const ORDER: [path: string, name: string][] = [
  ['training.lr', 'lr'],
  ['model.activation', 'activation'],
  ['model.hidden_units', 'hidden'],
  ['training.optimizer', 'optimizer'],
  ['training.epochs', 'epochs'],
  ['training.batch_size', 'batch'],
  ['data.n_samples', 'n_samples'],
  ['data.noise', 'noise'],
  ['data.cluster_std', 'cluster_std'],
  ['seed', 'seed'],
  ['training.momentum', 'momentum'],
  ['training.weight_decay', 'weight_decay'],
];

/** Keys that never change what a run learns (names, text, plotting, logging, device). */
const IGNORED = new Set(['name', 'description', '$schema', 'training.log_every', 'boundary', 'device']);

/** A value as the legend writes it: numbers as given, lists as [a, b], null as "none". */
export function formatValue(v: unknown): string {
  if (v === undefined) return '–';
  if (v === null) return 'none';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'number') return String(+v.toPrecision(6));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function leaves(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (IGNORED.has(prefix)) return;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, v);
  }
}

/** Every field in which `earlier` differs from `now`, in the legend's order. */
export function specDifferences(earlier: BlobSpec, now: BlobSpec): SpecDifference[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(earlier, '', a);
  leaves(now, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const rank = (p: string) => {
    const i = ORDER.findIndex(([q]) => q === p);
    return i < 0 ? ORDER.length : i;
  };
  // Stable: unknown paths keep the spec's order after the listed ones.
  paths.sort((p, q) => rank(p) - rank(q));
  const out: SpecDifference[] = [];
  for (const p of paths) {
    const was = formatValue(a.get(p));
    const now_ = formatValue(b.get(p));
    if (was === now_) continue;
    const name = ORDER.find(([q]) => q === p)?.[1] ?? p.split('.').pop()!;
    out.push({ path: p, name, was, now: now_ });
  }
  return out;
}

/** How many differences a legend label names before "+N more". */
const LABEL_FIELDS = 2;

/** The legend's name for an earlier run: its values where it differs ("lr 0.01, hidden [4]"). */
export function runLabel(diffs: readonly SpecDifference[]): string {
  if (!diffs.length) return 'same spec';
  const shown = diffs.slice(0, LABEL_FIELDS).map((d) => `${d.name} ${d.was}`);
  const more = diffs.length - LABEL_FIELDS;
  return more > 0 ? `${shown.join(', ')} +${more} more` : shown.join(', ');
}

/** The hover text: every difference, then and now. */
export function runDetails(diffs: readonly SpecDifference[]): string {
  if (!diffs.length) return 'Same spec as the run shown';
  return diffs.map((d) => `${d.name}: ${d.was} (now ${d.now})`).join('\n');
}

/**
 * The shown run's own label: its values of every field some earlier run differs in
 * ("lr 0.05"), so the legend names what changed on both sides.
 */
export function currentLabel(all: readonly (readonly SpecDifference[])[]): string {
  const seen = new Map<string, SpecDifference>();
  for (const diffs of all) for (const d of diffs) if (!seen.has(d.path)) seen.set(d.path, d);
  const list = [...seen.values()];
  if (!list.length) return '';
  const shown = list.slice(0, LABEL_FIELDS + 1).map((d) => `${d.name} ${d.now}`);
  const more = list.length - shown.length;
  return more > 0 ? `${shown.join(', ')} +${more} more` : shown.join(', ');
}
