/** `blobs data <spec>`: print (or save) the spec's dataset and its train/test split. */

import { buildDataset } from '../core/data/build';
import type { Dataset, SplitDataset } from '../core/data/dataset';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveCsvPath } from '../core/spec/csvcheck';
import { loadSpec, writeFileAtomic, writeStdout } from './common';
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

export const dataVerb: Verb = {
  name: 'data',
  summary: "generate a spec's dataset and print it as JSON or CSV",
  usage: `Usage: blobs data <spec.blobs.json> [--format json|csv] [--out FILE]

Generates the spec's data exactly as scikit-learn would (same random_state, same
numbers) and splits it as train_test_split does.

  json (default): {"X": [[x1, x2], ...], "y": [...], "X_train": ..., "y_train": ...,
                   "X_test": ..., "y_test": ...}, numbers at full float64 precision
  csv:            columns x1..xn,label,split (split is "train" or "test"; train rows first)

Options:
  -f, --format json|csv  output format (default json)
  -o, --out FILE         write to FILE (atomically: nothing is written on error;
                         never the spec or its CSV file)
  -h, --help             show this help

Exit status: 0 ok, 1 the data could not be built, 2 bad spec or arguments.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs('data', args, {
      format: { type: 'string', short: 'f' },
      out: { type: 'string', short: 'o' },
    });
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length ? `expected one spec file, got ${positionals.length}.` : 'no spec file given.', 'data');
    }
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, not "${format}".`, 'data');
    const { spec, dir, path: specFile } = loadSpec(positionals[0]);
    if (values.out !== undefined) {
      // `--out` naming one of the inputs would replace the user's spec or data with
      // generated numbers: refuse before anything is built.
      const out = resolve(values.out);
      const inputs = [specFile, spec.data.generator === 'csv' ? resolveCsvPath(spec.data.path, specFile) : undefined];
      if (inputs.some((f) => f !== undefined && samePath(f, out))) {
        throw new UsageError(`--out ${values.out} is one of this command's input files; choose another output file (nothing was written).`, 'data');
      }
    }
    let ds: SplitDataset;
    try {
      ds = buildDataset(spec, dir);
    } catch (e) {
      throw new CliError(`${positionals[0]}: could not build the data: ${e instanceof Error ? e.message : String(e)}`, EXIT_FAILURE);
    }
    const text = format === 'json' ? datasetJson(ds) : datasetCsv(ds); // lazy chunks
    if (values.out !== undefined) {
      writeFileAtomic(values.out, text);
      process.stderr.write(`Wrote ${ds.all.n} samples (${ds.train.n} train, ${ds.test.n} test) to ${values.out}\n`);
    } else {
      await writeStdout(text);
    }
    return EXIT_OK;
  },
};

// String(x) is JavaScript's shortest round-trip representation: parsing it gives back
// the same float64, so no precision is lost (as Python's repr).
function row(ds: Dataset, i: number): string[] {
  const r: string[] = [];
  for (let j = 0; j < ds.d; j++) r.push(String(ds.X[i * ds.d + j]));
  return r;
}

/** Output is produced in chunks of this many rows, so millions of rows never form one string. */
const CHUNK_ROWS = 10_000;

function* rowsJson(ds: Dataset): Generator<string> {
  if (!ds.n) return yield '[]';
  let buf: string[] = [];
  for (let i = 0; i < ds.n; i++) {
    buf.push(`${i ? ',\n    ' : '[\n    '}[${row(ds, i).join(', ')}]`);
    if (buf.length === CHUNK_ROWS) {
      yield buf.join('');
      buf = [];
    }
  }
  yield buf.join('') + '\n  ]';
}

/** The six arrays train_test_split's caller holds: X, y, X_train, y_train, X_test, y_test. */
export function* datasetJson(ds: SplitDataset): Generator<string> {
  const parts: [string, Dataset][] = [
    ['', ds.all],
    ['_train', ds.train],
    ['_test', ds.test],
  ];
  for (const [k, [suffix, d]] of parts.entries()) {
    yield `${k ? ',\n' : '{\n'}  "X${suffix}": `;
    yield* rowsJson(d);
    yield `,\n  "y${suffix}": [${Array.from(d.y).join(', ')}]`;
  }
  yield '\n}\n';
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** x1..xn,label,split: train rows, then test rows. Labels are the class names. */
export function* datasetCsv(ds: SplitDataset): Generator<string> {
  const names = Array.from({ length: ds.all.d }, (_, j) => ds.featureNames[j] ?? `x${j + 1}`);
  yield [...names, 'label', 'split'].map(csvCell).join(',') + '\n';
  const labels = ds.classNames.map(csvCell);
  for (const [part, split] of [
    [ds.train, 'train'],
    [ds.test, 'test'],
  ] as const) {
    let buf: string[] = [];
    for (let i = 0; i < part.n; i++) {
      buf.push(`${row(part, i).join(',')},${labels[part.y[i]] ?? part.y[i]},${split}\n`);
      if (buf.length === CHUNK_ROWS) {
        yield buf.join('');
        buf = [];
      }
    }
    yield buf.join('');
  }
}

/** Whether two paths name the same file (through symlinks, when the file exists). */
function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}
