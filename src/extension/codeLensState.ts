/**
 * What the CodeLens row at the top of a `*.blobs.json` says, as plain data. The
 * `vscode` provider (codeLens.ts) only turns these into `CodeLens` objects, so the
 * rules are unit-tested here. Pure.
 */

import type { RunSummary } from '../core/protocol';
import { epochsDone, totalEpochs, type RunState } from '../core/run/state';
import { resultText } from './runText';
import { COMMANDS } from './ids';

export interface LensState {
  /** False in an untrusted workspace: training is disabled there. */
  trusted: boolean;
  /** Errors the validator found (training refuses while > 0). */
  errors: number;
  /** The state of the spec's run while one is going. */
  running?: RunState;
  /** The latest finished run's summary. */
  last?: RunSummary;
  /** The latest run failed (crash, divergence...). Shown when newer than `last`. */
  lastError?: { code: string; message: string };
}

export interface LensSpec {
  title: string;
  /** A command id; the provider passes the spec's URI as the only argument. */
  command: string;
  tooltip?: string;
}

const MAX_ERROR_CHARS = 60;

/**
 * Progress refresh interval. VS Code debounces `onDidChangeCodeLenses` (a RunOnceScheduler
 * of at least 250 ms, longer when providing is slow, that every new event restarts), so
 * events every 250 ms kept postponing the re-render and the lens fell seconds behind the
 * run. The provider fires at most every 500 ms AND only once VS Code has pulled the
 * lenses since the last fire (`Throttle.consumed`), so the debounce always gets to run:
 * the lens is about one interval plus VS Code's debounce behind, ≤ 2 renders/s.
 */
export const LENS_PROGRESS_MS = 500;

/**
 * How long a progress refresh waits for VS Code to pull the previous one: forever. VS
 * Code's debounce grows when the extension host is slow to answer (a loaded machine, a
 * fast run's event stream), and any fallback shorter than it (2 s was tried) restarts it
 * on every fire, so the lens never re-rendered during a long run (e2e). A lens nobody
 * shows is pulled again when its editor is shown; state changes (`now()`) always fire.
 */
export const LENS_STALE_MS = Number.POSITIVE_INFINITY;

export function computeLenses(s: LensState): LensSpec[] {
  const lenses: LensSpec[] = [];
  if (s.running) {
    const total = totalEpochs(s.running);
    const progress = total ? `epoch ${epochsDone(s.running)}/${total}` : 'starting…';
    lenses.push({ title: `■ Stop (${progress})`, command: COMMANDS.stop, tooltip: 'Stop this training run' });
    // Training's pause/resume/step; "Step" is one epoch (10 at a time: the panel, the palette).
    if (s.running.paused) {
      lenses.push({ title: '▶ Resume', command: COMMANDS.resume, tooltip: 'Resume training' });
      lenses.push({ title: 'Step', command: COMMANDS.step, tooltip: 'Train one more epoch (its boundary is drawn), then pause again' });
    } else if (total) {
      // A codicon: the ⏸ character is missing from many editor fonts.
      lenses.push({ title: '$(debug-pause) Pause', command: COMMANDS.pause, tooltip: 'Pause training at the next epoch' });
    }
  } else if (!s.trusted) {
    lenses.push({
      title: '▶ Train (disabled: untrusted workspace)',
      command: 'workbench.trust.manage',
      tooltip: 'Training runs code on your machine; trust this workspace to enable it. Validation still works.',
    });
  } else {
    lenses.push({
      title: '▶ Train',
      command: COMMANDS.train,
      tooltip: s.errors > 0 ? 'The spec has errors: training will show the first one' : 'Train the classifier from this spec',
    });
  }
  if (s.errors > 0) {
    lenses.push({
      title: `⚠ ${s.errors} problem${s.errors === 1 ? '' : 's'}`,
      command: 'workbench.actions.view.problems',
      tooltip: 'Show the Problems panel',
    });
  }
  lenses.push({ title: 'Show visualisation', command: COMMANDS.showPanel, tooltip: 'Open the live visualisation beside the spec' });
  if (!s.running && s.lastError) {
    const msg = s.lastError.message.length > MAX_ERROR_CHARS ? `${s.lastError.message.slice(0, MAX_ERROR_CHARS - 1)}…` : s.lastError.message;
    lenses.push({ title: `✗ ${s.lastError.code}: ${msg}`, command: COMMANDS.showOutput, tooltip: s.lastError.message });
  } else if (s.last) {
    lenses.push({
      title: resultText(s.last),
      command: COMMANDS.openArtifacts,
      tooltip: s.last.artifacts_dir ? `Open ${s.last.artifacts_dir}` : 'Last run (no artifacts written)',
    });
  }
  return lenses;
}
