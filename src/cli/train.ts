/**
 * `blobs train <spec>`: train the spec's model and save the run.
 *
 * Runs the trainer IN-PROCESS (not through TrainerClient): the CLI is already a
 * short-lived process of its own, so a crash ends only this command, while a child
 * process would add ~0.3-0.5 s of start-up and an IPC hop per event. The crash-prone
 * native backends are still only loaded after a probe in a child process
 * (core/train/backends.ts), which is where a SIGILL would happen.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Evaluation, LogEvent, RunSummary, TrainerEvent, TrainerOptions } from '../core/protocol';
import { defaultRunsDir, RUN_FILES } from '../core/run/folder';
import { newRunId } from '../core/run/id';
import { foldRunEvent, newRunState, terminalEvent } from '../core/run/state';
import { DEVICES } from '../core/spec/fields';
import { RunControl } from '../core/train/control';
import { runSpec } from '../core/train/run';
import { validateSpecText } from '../core/spec/validate';
import { duration, num, pct, pyFixed, rate } from '../core/figure/format';
import { formatProblem, readTextFile } from './common';
import { MAX_WORKERS } from '../core/train/parallel/plan';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

/** Cancelled by Ctrl-C (SIGINT): 128 + 2, as shells report it. */
export const EXIT_CANCELLED = 130;
/** Cancelled by SIGTERM (timeout, docker stop, a cancelled CI job): 128 + 15. */
export const EXIT_TERMINATED = 143;

/** The signals that stop a run the way Ctrl-C does, and the exit code each one gives. */
const STOP_SIGNALS = { SIGINT: EXIT_CANCELLED, SIGTERM: EXIT_TERMINATED } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

export const trainVerb: Verb = {
  name: 'train',
  summary: "train a spec's model, print the notebook's log and an evaluation, save the run",
  usage: `Usage: blobs train <spec.blobs.json> [--device D] [--epochs N] [--workers N] [--out DIR] [--json] [--quiet]

Trains the spec's network on its data and prints the notebook's log line every
log_every epochs, then a classification report and confusion matrix of the test set.
The run is saved to <spec folder>/.blob-runs/<spec name>/<run id>/ (spec.json, metrics.csv,
summary.json, model/, data.csv, figure.svg/png).

Options:
  --device D     auto | gpu | cpu | wasm | js (overrides the spec's device). An explicit
                 device that is unavailable is an error, never a silent fallback.
  --epochs N     overrides training.epochs
  --workers N    threads each step is split across: auto (default: from the work per
                 step, the whole run and the idle cores) or 1 to 64 (1: no worker
                 threads); js and wasm backends. The run's first line says how many
                 and why. Numbers differ from one thread's only by float summation
                 order, and repeat exactly for the same N.
  --out DIR      save runs under DIR/<run id>/ instead (DIR must lie inside the spec's
                 folder or the current folder)
  --no-save      do not write the run folder
  --json         one JSON object per line: every trainer event of protocol.ts (start,
                 epoch, frame, log, done/error/cancelled; frames carry base64 grids, about
                 10 kB at 51x51 and 42 kB at 101x101, up to ~200 per run; --no-frames
                 drops them), then the run
                 summary (RunSummary: test_acc, test_loss, train_acc, train_loss, epochs,
                 backend, device, train_wall_s, epochs_per_s, status, artifacts_dir)
  --no-frames    with --json: leave out the frame events
  -q, --quiet    no log lines or progress; just the result
  -h, --help     show this help

The spec is checked first, as \`blobs validate\` checks it: its warnings are printed on
stderr (as "log" events with --json).

Ctrl-C (SIGINT) or SIGTERM (timeout, docker stop, a cancelled CI job) stops after the
current epoch (a long epoch - many rows - is abandoned at once and undone); the run is
saved marked "cancelled". The same signal again quits at once, without saving.

Exit status: 0 trained, 1 training failed (diverged, device unavailable, crash) or its
run could not be saved, 2 bad spec or arguments, 130 cancelled by Ctrl-C (SIGINT),
143 cancelled by SIGTERM.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs('train', args, {
      device: { type: 'string', short: 'd' },
      epochs: { type: 'string', short: 'e' },
      workers: { type: 'string' },
      out: { type: 'string', short: 'o' },
      'no-save': { type: 'boolean' },
      json: { type: 'boolean' },
      'no-frames': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length ? `expected one spec file, got ${positionals.length}.` : 'no spec file given.', 'train');
    }
    const file = positionals[0];
    const options: TrainerOptions = {};
    if (values.device !== undefined) {
      if (!(DEVICES as readonly string[]).includes(values.device)) throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, not "${values.device}".`, 'train');
      options.device = values.device as TrainerOptions['device'];
    }
    if (values.epochs !== undefined) {
      const n = Number(values.epochs);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--epochs must be a positive integer, not "${values.epochs}".`, 'train');
      options.epochs = n;
    }
    if (values.workers !== undefined && values.workers !== 'auto') {
      const n = Number(values.workers);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new UsageError(`--workers must be auto or an integer from 1 to ${MAX_WORKERS}, not "${values.workers}".`, 'train');
      options.workers = n;
    }
    const specPath = resolve(file);
    const text = readTextFile(file, 'spec file');
    if (!values['no-save']) {
      options.outDir = values.out !== undefined ? resolve(values.out) : defaultRunsDir(specPath);
      if (values.out !== undefined) {
        options.allowedRoot = outRoot(options.outDir, specPath);
        notAFile(values.out, options.outDir);
      }
    }
    return trainAndReport({ text, specPath, file, options, json: !!values.json, frames: !values['no-frames'], quiet: !!values.quiet });
  },
};

/**
 * The folder tree `--out` must stay inside: the spec's folder or the current folder (the
 * CLI's "workspace"). Anywhere else (`--out /`, `--out ~/..`) is refused before training.
 */
export function outRoot(outDir: string, specPath: string, cwd = process.cwd()): string {
  const roots = [dirname(resolve(specPath)), resolve(cwd)];
  for (const root of roots) {
    const rel = relative(root, outDir);
    if (!rel.startsWith('..') && !isAbsolute(rel)) return root;
  }
  throw new UsageError(
    `--out ${outDir} is outside the spec's folder (${roots[0]}) and the current folder (${roots[1]}); runs are only saved inside those (nothing was written).`,
    'train',
  );
}

/**
 * `--out` names the folder runs go in: an existing file there (`--out s.blobs.json`)
 * would only fail when the trained run is saved. Refused before training.
 */
function notAFile(arg: string, outDir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(outDir).isDirectory();
  } catch {
    return; // does not exist yet: it is created
  }
  if (!isDir) {
    throw new UsageError(`--out ${arg} is a file, not a folder: runs are saved in folders (<out>/<run id>/). Nothing was trained.`, 'train');
  }
}

interface ReportOptions {
  text: string;
  specPath: string;
  file: string;
  options: TrainerOptions;
  json: boolean;
  frames: boolean;
  quiet: boolean;
}

/**
 * Exit code for a terminal event. `signal`: what cancelled the run (SIGTERM gives 143);
 * `unsaved`: the run was to be saved and was not, which fails the command (exit 1)
 * however training ended: the record the caller asked for does not exist.
 */
export function exitCodeFor(e: TrainerEvent | undefined, o: { signal?: StopSignal; unsaved?: boolean } = {}): number {
  if (!e) return EXIT_FAILURE;
  if (e.type === 'error') return e.code === 'bad-spec' || e.code === 'too-large' ? EXIT_BAD_INPUT : EXIT_FAILURE;
  if (o.unsaved && (e.type === 'done' || e.type === 'cancelled')) return EXIT_FAILURE;
  if (e.type === 'done') return EXIT_OK;
  if (e.type === 'cancelled') return STOP_SIGNALS[o.signal ?? 'SIGINT'];
  return EXIT_FAILURE;
}

/**
 * The spec's warnings, as `blobs validate` prints them (one verdict everywhere): errors
 * are left to the trainer, which refuses the spec with them. Infos are notes, not shown.
 */
function specWarnings(o: ReportOptions): string[] {
  const v = validateSpecText(o.text, { specPath: o.specPath });
  if (!v.spec) return [];
  return v.problems.filter((p) => p.severity === 'warning').map((p) => formatProblem(o.file, p));
}

async function trainAndReport(o: ReportOptions): Promise<number> {
  const control = new RunControl();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (sig: StopSignal) => {
    if (stoppedBy === undefined) {
      stoppedBy = sig;
      control.cancel();
      const again = sig === 'SIGINT' ? 'Ctrl-C' : sig;
      if (!o.json) process.stderr.write(`\nStopping (${sig}): finishing or undoing this epoch, then saving the run (${again} again to quit now, without saving)...\n`);
    } else process.exit(STOP_SIGNALS[sig]);
  };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  const out = (s: string) => process.stdout.write(s + '\n');
  for (const w of specWarnings(o)) {
    if (o.json) out(JSON.stringify({ type: 'log', level: 'warn', message: w } satisfies LogEvent));
    else process.stderr.write(w + '\n');
  }
  const wantSaved = o.options.outDir !== undefined;
  let saveFailure: string | undefined;
  const progress = !o.json && !o.quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  // The run's state, folded as the extension host and the webview fold it (core/run/state.ts).
  const run = newRunState();
  try {
    // The run's id names its folder and is in its summary and events (run/id.ts).
    for await (const e of runSpec(o.text, o.specPath, o.options, control, { runId: newRunId() })) {
      foldRunEvent(run, e);
      if (o.json) {
        if (e.type !== 'frame' || o.frames) out(JSON.stringify(e));
        continue;
      }
      switch (e.type) {
        case 'start':
          if (!o.quiet) {
            process.stderr.write(`Training "${e.specName}": ${e.model.layers.join('-')} ${e.model.activation === 'none' ? 'linear' : e.model.activation} network (${e.model.params} parameters), ${e.data.nTrain} train / ${e.data.nTest} test samples, ${e.epochs} epochs on ${e.device}${e.workers && e.workers.count > 1 ? ` × ${e.workers.count} threads` : ''} (${e.reason}${e.workers ? `; threads ${e.workers.reason}` : ''})\n`);
          }
          break;
        case 'epoch':
          progress?.update(e.epoch + 1, run.start?.epochs ?? 0, e.elapsedMs);
          break;
        case 'log':
          if (e.level === 'warn' && SAVE_FAILED.test(e.message)) saveFailure = e.message;
          if (e.level === 'warn') {
            progress?.clear();
            process.stderr.write(`warning: ${e.message}\n`);
          } else if (!o.quiet) {
            progress?.clear();
            out(e.message);
          }
          break;
        default:
          break;
      }
    }
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    progress?.clear();
  }
  const end = terminalEvent(run);
  const finished = end?.type === 'done' || end?.type === 'cancelled' ? end.summary : undefined;
  const unsaved = wantSaved && (end?.type === 'done' || end?.type === 'cancelled') && !finished?.artifacts_dir;
  const code = exitCodeFor(end, { signal: stoppedBy, unsaved });
  if (o.json) {
    if (finished) out(JSON.stringify(finished));
    return code;
  }
  if (!end) throw new CliError('the trainer stopped without a result.', EXIT_FAILURE);
  if (end.type === 'error') {
    const where = end.code === 'bad-spec' ? `${o.file}: ` : '';
    process.stderr.write(`blobs train: ${where}${end.message}\n`);
    return exitCodeFor(end);
  }
  const summary = end.summary;
  if (end.type === 'done') {
    out('');
    out(resultLine(end.summary));
    if (!o.quiet) out('\n' + evaluationReport(end.evaluation.test, run.start?.data.classNames ?? [], 'Test set'));
  } else {
    out(`\nCancelled after ${end.epoch} epoch${end.epoch === 1 ? '' : 's'}.`);
    if (summary) out(resultLine(summary));
  }
  if (summary?.artifacts_dir) {
    out(`Run saved to ${summary.artifacts_dir}`);
    // The figures are drawn after the run is saved (run.ts): say so if they are missing.
    if (!existsSync(join(summary.artifacts_dir, RUN_FILES.figureSvg))) process.stderr.write('warning: the run was saved without its figure (figure.svg could not be written)\n');
  }
  if (unsaved) {
    const why = saveFailure?.replace(SAVE_FAILED, '').trim();
    process.stderr.write(`blobs train: the run ${end.type === 'done' ? 'trained' : 'stopped'} but could not be saved${why ? `: ${why}` : ''}\n`);
  }
  return code;
}

/** The trainer's warning when `onFinish` (the artifact writer) failed. */
const SAVE_FAILED = /^Could not write the run's artifacts:?/;

/** The one-line result: epochs, time, rate, losses and accuracies. */
export function resultLine(s: RunSummary): string {
  return (
    `${s.epochs_completed} epochs in ${duration(s.train_wall_s * 1000)} (${rate(s.epochs_per_s)} epochs/s on ${s.device}): ` +
    `train loss ${num(s.train_loss)}, acc ${pct(s.train_acc)} | test loss ${num(s.test_loss)}, acc ${pct(s.test_acc)}`
  );
}

/** sklearn's classification_report layout, then the confusion matrix. */
export function evaluationReport(ev: Evaluation, classNames: string[], title: string): string {
  const k = ev.confusion.length;
  const names = Array.from({ length: k }, (_, i) => classNames[i] ?? String(i));
  const w = Math.max(12, ...names.map((n) => n.length));
  // scikit-learn prints these with Python's rounding (pyFixed), as the notebook does.
  const f = (x: number) => pyFixed(x, 4).padStart(10);
  const total = ev.perClass.reduce((a, c) => a + c.support, 0);
  const lines = [`${title} (${total} samples): accuracy ${pct(ev.accuracy)}, loss ${num(ev.loss)}`, ''];
  lines.push(`${''.padStart(w)} precision    recall  f1-score   support`);
  ev.perClass.forEach((c, i) => lines.push(`${names[i].padStart(w)}${f(c.precision)}${f(c.recall)}${f(c.f1)}${String(c.support).padStart(10)}`));
  lines.push('');
  lines.push(`${'accuracy'.padStart(w)}${''.padStart(20)}${f(ev.accuracy)}${String(total).padStart(10)}`);
  lines.push(`${'macro avg'.padStart(w)}${f(ev.macro.precision)}${f(ev.macro.recall)}${f(ev.macro.f1)}${String(total).padStart(10)}`);
  lines.push(`${'weighted avg'.padStart(w)}${f(ev.weighted.precision)}${f(ev.weighted.recall)}${f(ev.weighted.f1)}${String(total).padStart(10)}`);
  lines.push('', 'Confusion matrix (rows: true class, columns: predicted):');
  const cw = Math.max(5, ...names.map((n) => n.length + 1), ...ev.confusion.flat().map((c) => String(c).length + 1));
  lines.push(`${''.padStart(w)}${names.map((n) => n.padStart(cw)).join('')}`);
  ev.confusion.forEach((row, i) => lines.push(`${names[i].padStart(w)}${row.map((c) => String(c).padStart(cw)).join('')}`));
  return lines.join('\n');
}

/** A one-line progress bar on stderr (TTY only), redrawn at most 10 times a second. */
class ProgressBar {
  private last = 0;
  private shown = false;
  update(done: number, total: number, elapsedMs: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : 0;
    const rate = elapsedMs > 0 ? Math.round((done / elapsedMs) * 1000) : 0;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} epochs, ${rate} epochs/s `);
    this.shown = true;
  }
  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
