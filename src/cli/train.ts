/**
 * `blobs train <spec>`: train the spec's model and save the run.
 *
 * Runs the trainer IN-PROCESS (not through TrainerClient): the CLI is already a
 * short-lived process of its own, so a crash ends only this command, while a child
 * process would add ~0.3-0.5 s of start-up and an IPC hop per event. The crash-prone
 * native backends are still only loaded after a probe in a child process
 * (core/train/backends.ts), which is where a SIGILL would happen.
 */

import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isTerminal, type CancelledEvent, type DoneEvent, type ErrorEvent, type Evaluation, type RunSummary, type StartEvent, type TrainerEvent, type TrainerOptions } from '../core/protocol';
import { defaultRunsDir } from '../core/train/artifacts';
import { RunControl } from '../core/train/control';
import { runSpec } from '../core/train/run';
import { MAX_WORKERS } from '../core/train/parallel/plan';
import { pyFixed } from '../core/train/trainer';
import { readTextFile } from './common';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

export const EXIT_CANCELLED = 130;
const DEVICES = ['auto', 'gpu', 'cpu', 'wasm', 'js'] as const;

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
                 30 kB each, at most ~50 per run; --no-frames drops them), then the run
                 summary (RunSummary: test_acc, test_loss, train_acc, train_loss, epochs,
                 backend, device, train_wall_s, epochs_per_s, status, artifacts_dir)
  --no-frames    with --json: leave out the frame events
  -q, --quiet    no log lines or progress; just the result
  -h, --help     show this help

Ctrl-C stops after the current epoch (a long epoch - many rows - is abandoned at once and
undone); the run is saved marked "cancelled". Ctrl-C again quits without saving.

Exit status: 0 trained, 1 training failed (diverged, device unavailable, crash),
2 bad spec or arguments, 130 cancelled.`,
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
      if (values.out !== undefined) options.allowedRoot = outRoot(options.outDir, specPath);
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

interface ReportOptions {
  text: string;
  specPath: string;
  file: string;
  options: TrainerOptions;
  json: boolean;
  frames: boolean;
  quiet: boolean;
}

/** Exit code for a terminal event. */
export function exitCodeFor(e: TrainerEvent | undefined): number {
  if (!e) return EXIT_FAILURE;
  if (e.type === 'done') return EXIT_OK;
  if (e.type === 'cancelled') return EXIT_CANCELLED;
  if (e.type === 'error') return e.code === 'bad-spec' || e.code === 'too-large' ? EXIT_BAD_INPUT : EXIT_FAILURE;
  return EXIT_FAILURE;
}

async function trainAndReport(o: ReportOptions): Promise<number> {
  const control = new RunControl();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      control.cancel();
      if (!o.json) process.stderr.write('\nStopping: finishing or undoing this epoch, then saving the run (Ctrl-C again to quit now, without saving)...\n');
    } else process.exit(EXIT_CANCELLED);
  };
  process.on('SIGINT', onSigint);
  const out = (s: string) => process.stdout.write(s + '\n');
  const progress = !o.json && !o.quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  let start: StartEvent | undefined;
  let end: DoneEvent | ErrorEvent | CancelledEvent | undefined;
  try {
    for await (const e of runSpec(o.text, o.specPath, o.options, control)) {
      if (isTerminal(e)) end = e;
      if (o.json) {
        if (e.type !== 'frame' || o.frames) out(JSON.stringify(e));
        continue;
      }
      switch (e.type) {
        case 'start':
          start = e;
          if (!o.quiet) {
            process.stderr.write(`Training "${e.specName}": ${e.model.layers.join('-')} ${e.model.activation === 'none' ? 'linear' : e.model.activation} network (${e.model.params} parameters), ${e.data.nTrain} train / ${e.data.nTest} test samples, ${e.epochs} epochs on ${e.device}${e.workers && e.workers.count > 1 ? ` × ${e.workers.count} threads` : ''} (${e.reason}${e.workers ? `; threads ${e.workers.reason}` : ''})\n`);
          }
          break;
        case 'epoch':
          progress?.update(e.epoch + 1, start?.epochs ?? 0, e.elapsedMs);
          break;
        case 'log':
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
    process.off('SIGINT', onSigint);
    progress?.clear();
  }
  if (o.json) {
    const summary = end?.type === 'done' || end?.type === 'cancelled' ? end.summary : undefined;
    if (summary) out(JSON.stringify(summary));
    return exitCodeFor(end);
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
    if (!o.quiet) out('\n' + evaluationReport(end.evaluation.test, start?.data.classNames ?? [], 'Test set'));
  } else {
    out(`\nCancelled after ${end.epoch} epoch${end.epoch === 1 ? '' : 's'}.`);
    if (summary) out(resultLine(summary));
  }
  if (summary?.artifacts_dir) out(`Run saved to ${summary.artifacts_dir}`);
  return exitCodeFor(end);
}

function resultLine(s: RunSummary): string {
  const pct = (a: number) => `${pyFixed(a * 100, 2)}%`;
  return (
    `${s.epochs_completed} epochs in ${s.train_wall_s.toFixed(2)} s (${Math.round(s.epochs_per_s)} epochs/s on ${s.device}): ` +
    `train loss ${pyFixed(s.train_loss, 5)}, acc ${pct(s.train_acc)} | test loss ${pyFixed(s.test_loss, 5)}, acc ${pct(s.test_acc)}`
  );
}

/** sklearn's classification_report layout, then the confusion matrix. */
export function evaluationReport(ev: Evaluation, classNames: string[], title: string): string {
  const k = ev.confusion.length;
  const names = Array.from({ length: k }, (_, i) => classNames[i] ?? String(i));
  const w = Math.max(12, ...names.map((n) => n.length));
  const f = (x: number) => x.toFixed(4).padStart(10);
  const total = ev.perClass.reduce((a, c) => a + c.support, 0);
  const lines = [`${title} (${total} samples): accuracy ${(ev.accuracy * 100).toFixed(2)}%, loss ${ev.loss.toFixed(5)}`, ''];
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
