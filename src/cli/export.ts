/** `blobs export <spec> --to ipynb|py`: the spec's run as a PyTorch notebook or script. */

import { existsSync, writeFileSync } from 'node:fs';
import { extname, relative, resolve } from 'node:path';
import { defaultExportPath, exportSpec } from '../core/export/export';
import { EXPORT_FORMATS, type ExportFormat } from '../core/export/formats';
import { loadSpec, writeFileAtomic, writeStdout } from './common';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

export const exportVerb: Verb = {
  name: 'export',
  summary: 'write the spec as a PyTorch notebook (.ipynb) or script (.py) that reproduces its run',
  usage: `Usage: blobs export <spec.blobs.json> [--to ipynb|py] [--out FILE] [--force]

Writes the spec's run in the PyTorch course's own stack: scikit-learn's generator with
the spec's arguments and random_state (or the CSV file), train_test_split, tensors on a
device, an nn.Module, CrossEntropyLoss and torch.optim.SGD/Adam, the training loop and a
decision-boundary figure. It starts from the initial weights \`blobs train\` uses (embedded)
and takes the same mini-batches, so it prints the same log lines epoch by epoch.

Options:
  --to FORMAT   ipynb: a Jupyter notebook (default, or from --out's extension)
                py:    a Python script with "# %%" cell markers
  --out FILE    where to write it (default: beside the spec, <spec name>.ipynb or .py;
                "-" prints it)
  -f, --force   replace FILE if it exists (without it an existing file is never touched)
  -q, --quiet   print nothing but errors
  -h, --help    show this help

Round trip:
  blobs train four.blobs.json                 # prints "Epoch: 10 | Loss: ..."
  blobs export four.blobs.json --to py
  python3 four.py                             # prints the same lines

Exit status: 0 written, 1 could not write, 2 bad spec or arguments, or FILE exists.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs('export', args, {
      to: { type: 'string', short: 't' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean', short: 'f' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length ? `expected one spec file, got ${positionals.length}.` : 'no spec file given.', 'export');
    }
    const format = chooseFormat(values.to, values.out);
    const file = positionals[0];
    const loaded = loadSpec(file, { quiet: values.quiet });
    const toStdout = values.out === '-';
    const out = toStdout ? undefined : values.out !== undefined ? resolve(values.out) : defaultExportPath(loaded.path, format);
    if (out && out === loaded.path) throw new UsageError(`--out ${values.out} is the spec itself; choose another file (nothing was written).`, 'export');
    if (out && !values.force && existsSync(out)) {
      throw new CliError(`${shown(out)} already exists; not replacing it (nothing was written).`, EXIT_BAD_INPUT, 'Use --force to replace it, or --out to choose another file.');
    }

    let result;
    try {
      result = exportSpec(loaded.spec, loaded.path, format, out);
    } catch (e) {
      throw new CliError(`${file}: could not build the data: ${e instanceof Error ? e.message : String(e)}`, EXIT_BAD_INPUT);
    }
    if (!out) {
      await writeStdout(result.text);
      return EXIT_OK;
    }
    if (values.force) writeFileAtomic(out, result.text);
    else writeNew(out, result.text);
    if (!values.quiet) {
      const n = result.cells.length;
      const run = format === 'py' ? `python3 ${shown(out)}` : `open it in VS Code or Jupyter (jupyter notebook ${shown(out)})`;
      process.stdout.write(`Wrote ${shown(out)} (${n} cells): "${loaded.spec.name}" in PyTorch, from blobs train's initial weights.\nRun it: ${run}\n`);
    }
    return EXIT_OK;
  },
};

/** --to wins; else --out's extension; else ipynb. A contradiction is a usage error. */
export function chooseFormat(to: string | undefined, out: string | undefined): ExportFormat {
  const fromOut = out && out !== '-' ? extname(out).slice(1).toLowerCase() : '';
  if (to !== undefined) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(to)) throw new UsageError(`--to must be ipynb or py, not "${to}".`, 'export');
    if ((EXPORT_FORMATS as readonly string[]).includes(fromOut) && fromOut !== to) {
      throw new UsageError(`--out ${out} ends in .${fromOut} but --to is ${to}; make them agree.`, 'export');
    }
    return to as ExportFormat;
  }
  return (EXPORT_FORMATS as readonly string[]).includes(fromOut) ? (fromOut as ExportFormat) : 'ipynb';
}

/** Creates `file` only if it does not exist ('wx': no check-then-write race). */
function writeNew(file: string, text: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${shown(file)} already exists; not replacing it (nothing was written).`, EXIT_BAD_INPUT, 'Use --force to replace it.');
    if (code === 'ENOENT') throw new CliError(`cannot write ${shown(file)}: its folder does not exist.`, EXIT_BAD_INPUT);
    throw new CliError(`cannot write ${shown(file)}: ${(e as Error).message}`, EXIT_FAILURE);
  }
}

/** A path as the user would type it: relative to the current folder when inside it. */
function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
