/**
 * The host's short texts about runs (CodeLens, status bar, output channel), from a
 * run's state (core/run/state.ts) or summary. The numbers in them come from the one
 * formatter (core/figure/format.ts), as in the CLI and the webview. Pure.
 */

import type { RunSummary } from '../core/protocol';
import { duration, num, pct, rate } from '../core/figure/format';
import { epochsDone, totalEpochs, type RunState } from '../core/run/state';

/** Digits of the loss where space is short (the status bar), as in the side view. */
const SHORT_LOSS_DIGITS = 4;

/** The CodeLens result: "test acc 99.50% · 420 ms · wasm" (+ "· stopped at 37/100"). */
export function resultText(s: RunSummary): string {
  const parts = [`test acc ${pct(s.test_acc)}`, duration(s.train_wall_s * 1000), s.device];
  if (s.status === 'cancelled') parts.push(`stopped at ${s.epochs_completed}/${s.epochs}`);
  return parts.join(' · ');
}

/** "37/100 · loss 0.0412", or "starting…" before the trainer said how many epochs. */
function progressText(s: RunState): string {
  const total = totalEpochs(s);
  if (!total) return 'starting…';
  const loss = s.lastEpoch ? ` · loss ${num(s.lastEpoch.trainLoss, SHORT_LOSS_DIGITS)}` : '';
  return `${epochsDone(s)}/${total}${loss}`;
}

/** The status bar: "$(beaker) 37/100 · loss 0.0412"; `more` other runs add "(+1)". */
export function statusText(s: RunState, more = 0): string {
  return `$(beaker) ${progressText(s)}${more > 0 ? ` (+${more})` : ''}`;
}

/** One line per run for the output channel. */
export function summaryLines(s: RunSummary, extra: { lagMs?: number } = {}): string[] {
  const lines = [
    `${s.name}: ${s.status}, ${s.epochs_completed}/${s.epochs} epochs in ${duration(s.train_wall_s * 1000)} ` +
      `(${rate(s.epochs_per_s)} epochs/s) on ${s.backend}/${s.device}`,
    `  train loss ${num(s.train_loss)}, acc ${pct(s.train_acc)} | test loss ${num(s.test_loss)}, acc ${pct(s.test_acc)}`,
  ];
  if (s.artifacts_dir) lines.push(`  artifacts: ${s.artifacts_dir}`);
  if (extra.lagMs !== undefined) lines.push(`  worst extension-host event-loop lag during the run: ${duration(extra.lagMs)}`);
  return lines;
}
