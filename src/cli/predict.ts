/**
 * `blobs predict <run-dir> x1 x2 ...`: class probabilities of one point from a saved run.
 * Uses the pure-JS backend: loading wasm would cost more than one prediction.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { loadRunModel } from '../core/train/artifacts';
import { defaultLoaders } from '../core/train/backends';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

export const predictVerb: Verb = {
  name: 'predict',
  summary: 'class probabilities of a point from a saved run',
  usage: `Usage: blobs predict <run-dir> x1 x2 ... [--json]

Loads the model a \`blobs train\` run saved (<run-dir>/model/model.json) and prints the
probability of every class for the point (x1, x2, ...), most likely first.
Negative numbers are fine: blobs predict runs/four/<id> -8.4 6.9

Options:
  --json      print {"input": [...], "probabilities": [...], "classes": [...], "predicted": i}
  -h, --help  show this help

Feature values must be finite and fit in 32-bit floats (|x| <= 3.4e38).

Exit status: 0 ok, 1 the model could not be loaded or gave no finite probabilities,
2 bad arguments.`,
  async run(args) {
    // Numbers like -8.4 would read as options: take them out before parsing.
    const nums = args.filter((a) => NUMBER.test(a));
    const rest = args.filter((a) => !NUMBER.test(a) && a !== '--');
    const { values, positionals } = parseVerbArgs('predict', rest, { json: { type: 'boolean' } });
    if (!positionals.length) throw new UsageError('no run folder given.', 'predict');
    const runDir = positionals[0];
    const notNumbers = positionals.slice(1);
    if (notNumbers.length) throw new UsageError(`feature values must be numbers, got ${notNumbers.map((a) => JSON.stringify(a)).join(', ')}.`, 'predict');
    if (!existsSync(runDir)) throw new CliError(`${runDir}: no such folder (give a run folder that \`blobs train\` saved, e.g. .blob-runs/<spec>/<run id>).`, EXIT_BAD_INPUT);
    const modelJson = existsSync(join(runDir, 'model', 'model.json')) ? join(runDir, 'model', 'model.json') : join(runDir, 'model.json');
    if (!existsSync(modelJson)) throw new CliError(`${runDir}: no saved model here (expected model/model.json).`, EXIT_BAD_INPUT);
    if (!nums.length) throw new UsageError('no feature values given.', 'predict');
    const x = nums.map(Number);
    // 1e400 is Infinity in float64; 1e39 is Infinity in the model's float32. Either way
    // every probability would be NaN: refuse the input rather than print nonsense.
    const huge = nums.filter((a, i) => !(Math.abs(x[i]) <= FLOAT32_MAX));
    if (huge.length) {
      throw new UsageError(`feature values must be finite numbers the model's 32-bit floats can hold (|x| <= 3.4e38); ${huge.join(', ')} ${huge.length === 1 ? 'is' : 'are'} not.`, 'predict');
    }
    const { classNames, note } = readRunInfo(runDir);

    const tf = await defaultLoaders.loadJs();
    let model;
    try {
      model = await loadRunModel(tf, runDir);
    } catch (e) {
      throw new CliError(`${runDir}: could not load the model: ${(e as Error).message}`, EXIT_FAILURE);
    }
    const nIn = model.inputs[0].shape[1];
    if (nIn !== x.length) throw new UsageError(`the model takes ${nIn} feature${nIn === 1 ? '' : 's'}, got ${x.length}.`, 'predict');
    const probsT = model.predict(tf.tensor2d([x])) as Tensor;
    const probs = Array.from(probsT.dataSync());
    tf.dispose(probsT);
    model.dispose();
    if (!probs.every(Number.isFinite)) {
      // A diverged run's weights, or an input that overflows inside the network.
      throw new CliError(`${runDir}: the model gives no finite probabilities for (${x.join(', ')}): its weights or this input overflow 32-bit floats (was the run diverged?).`, EXIT_FAILURE);
    }
    const classes = probs.map((_, i) => classNames[i] ?? String(i));
    const predicted = probs.indexOf(Math.max(...probs));
    if (note) process.stderr.write(`note: ${note}\n`);
    if (values.json) {
      process.stdout.write(JSON.stringify({ input: x, probabilities: probs, classes, predicted }) + '\n');
      return EXIT_OK;
    }
    const w = Math.max(5, ...classes.map((c) => c.length));
    const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
    process.stdout.write(`${'class'.padStart(w)}  probability\n`);
    for (const [p, i] of order) process.stdout.write(`${classes[i].padStart(w)}  ${p.toFixed(6)}\n`);
    process.stdout.write(`predicted: ${classes[predicted]}\n`);
    return EXIT_OK;
  },
};

/** Class names from the run's summary.json, and a note when the run did not complete. */
export function readRunInfo(runDir: string): { classNames: string[]; note?: string } {
  try {
    const s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
      data?: { classNames?: string[] };
      status?: string;
      epochs?: number;
      epochs_completed?: number;
    };
    const note = s.status === 'cancelled' ? `this run was cancelled after ${s.epochs_completed} of ${s.epochs} epochs: the model is the one at that point` : undefined;
    return { classNames: s.data?.classNames ?? [], note };
  } catch {
    return { classNames: [] };
  }
}
