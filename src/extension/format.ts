/**
 * Short texts the host shows (CodeLens, status bar, output channel). Pure.
 */

import type { EpochEvent, RunSummary } from '../core/protocol';

/** 0.995 -> "99.50%". */
export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)}%` : '–';
}

/** Seconds, readable at every scale: "0.4 s", "12 s", "2 min 05 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** Losses span 1e-5..10: three decimals below 10, scientific when tiny. */
export function loss(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 0.001) return x.toExponential(1);
  return Math.abs(x) < 10 ? x.toFixed(3) : x.toFixed(1);
}

/** Completed epochs: the protocol's epochs are 0-based, so "epoch 36" done is 37 done. */
export function epochsDone(last: EpochEvent | undefined): number {
  return last ? last.epoch + 1 : 0;
}

/** The CodeLens result: "test acc 99.50% · 0.4 s · wasm" (+ "· stopped at 37/100"). */
export function resultText(s: RunSummary): string {
  const parts = [`test acc ${percent(s.test_acc)}`, duration(s.train_wall_s), s.device];
  if (s.status === 'cancelled') parts.push(`stopped at ${s.epochs_completed}/${s.epochs}`);
  return parts.join(' · ');
}

/** The status bar: "$(beaker) 37/100 · loss 0.041"; `more` other runs add "(+1)". */
export function statusText(last: EpochEvent | undefined, epochs: number | undefined, more = 0): string {
  const progress = epochs ? `${epochsDone(last)}/${epochs}` : 'starting…';
  const l = last ? ` · loss ${loss(last.trainLoss)}` : '';
  return `$(beaker) ${progress}${l}${more > 0 ? ` (+${more})` : ''}`;
}

/** One line per run for the output channel. */
export function summaryLines(s: RunSummary, extra: { lagMs?: number } = {}): string[] {
  const lines = [
    `${s.name}: ${s.status}, ${s.epochs_completed}/${s.epochs} epochs in ${duration(s.train_wall_s)} ` +
      `(${s.epochs_per_s.toFixed(1)} epochs/s) on ${s.backend}/${s.device}`,
    `  train loss ${loss(s.train_loss)}, acc ${percent(s.train_acc)} | test loss ${loss(s.test_loss)}, acc ${percent(s.test_acc)}`,
  ];
  if (s.artifacts_dir) lines.push(`  artifacts: ${s.artifacts_dir}`);
  if (extra.lagMs !== undefined) lines.push(`  worst extension-host event-loop lag during the run: ${extra.lagMs.toFixed(1)} ms`);
  return lines;
}

/**
 * The progress notification's update: its message ("37/100 · loss 0.041") and the
 * increment (percent) since `reportedPct`, which VS Code adds up. Never goes back.
 */
export function progressUpdate(last: EpochEvent | undefined, epochs: number | undefined, reportedPct: number): { message: string; increment: number; pct: number } {
  const done = epochsDone(last);
  const pct = epochs ? Math.min(100, (100 * done) / epochs) : 0;
  const message = epochs ? `${done}/${epochs}${last ? ` · loss ${loss(last.trainLoss)}` : ''}` : 'starting…';
  const increment = Math.max(0, pct - reportedPct);
  return { message, increment, pct: Math.max(pct, reportedPct) };
}
