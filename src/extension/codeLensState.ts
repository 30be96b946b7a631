/**
 * What the CodeLens row at the top of a `*.blobs.json` says, as plain data. The
 * `vscode` provider (codeLens.ts) only turns these into `CodeLens` objects, so the
 * rules are unit-tested here. Pure.
 */

import type { RunSummary } from '../core/protocol';
import { totalEpochs, type RunState } from '../core/run/state';
import { resultText } from './runText';
import { COMMANDS } from './ids';

export interface LensState {
  /** False in an untrusted workspace: training is disabled there. */
  trusted: boolean;
  /** Errors the validator found (training refuses while > 0). */
  errors: number;
  /**
   * Every marker of the file by severity, whoever reported it (the engine, VS Code's JSON
   * service for syntax): what the Problems view lists and the status bar counts. The
   * count lens says the same number. Defaults to `errors` errors.
   */
  markers?: MarkerCounts;
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

export interface MarkerCounts {
  errors: number;
  warnings: number;
  infos: number;
}

/** Counts `vscode.DiagnosticSeverity` values (0 error, 1 warning, 2 information; hints are not listed). */
export function markerCounts(severities: Iterable<number>): MarkerCounts {
  const c = { errors: 0, warnings: 0, infos: 0 };
  for (const s of severities) {
    if (s === 0) c.errors++;
    else if (s === 1) c.warnings++;
    else if (s === 2) c.infos++;
  }
  return c;
}

/** "2 errors, 1 warning", as the status bar's tooltip says it. */
export function countsText(c: MarkerCounts): string {
  const part = (n: number, one: string) => (n ? [`${n} ${one}${n === 1 ? '' : 's'}`] : []);
  return [...part(c.errors, 'error'), ...part(c.warnings, 'warning'), ...part(c.infos, 'info')].join(', ');
}

const MAX_ERROR_CHARS = 60;

export function computeLenses(s: LensState): LensSpec[] {
  const lenses: LensSpec[] = [];
  if (s.running) {
    // No epoch count: VS Code pulls lenses after a debounce that grows with the extension
    // host's load (a sliding average of how long providing took, 250 ms up to a minute),
    // and every change event restarts it. Measured in the real VS Code on a 3,000-epoch
    // run, the lens said "epoch 40/3000" while the status bar said 2,586, and kept "■ Stop"
    // after the run had ended. The status bar (set directly, ten times a second) counts;
    // the lens changes only when the run starts, pauses, resumes and ends, so it cannot
    // fall behind.
    const total = totalEpochs(s.running);
    lenses.push({
      title: '■ Stop training',
      command: COMMANDS.stop,
      tooltip: total ? `Stop this training run of ${total.toLocaleString('en-US')} epochs (progress: the status bar)` : 'Stop this training run',
    });
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
  const m = s.markers ?? { errors: s.errors, warnings: 0, infos: 0 };
  const n = m.errors + m.warnings + m.infos;
  if (n > 0) {
    lenses.push({
      // Notes alone (a linear model on moons...) are not trouble: an "i", not a warning sign.
      title: `${m.errors + m.warnings ? '⚠' : 'ⓘ'} ${n} problem${n === 1 ? '' : 's'}`,
      command: 'workbench.actions.view.problems',
      tooltip: `${countsText(m)}: show the Problems panel`,
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
  // Back to the notebook, last: not while a run trains (the lens stays short then).
  if (!s.running) {
    lenses.push({
      title: 'PyTorch notebook',
      command: COMMANDS.exportNotebook,
      tooltip: 'Write this spec as a PyTorch notebook (.ipynb, next to the spec) that reproduces the run epoch by epoch, and open it',
    });
  }
  return lenses;
}
