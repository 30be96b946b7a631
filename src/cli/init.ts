/** `blobs init [path]`: write the notebook's spec as a starting point. */

import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSpecText } from '../core/spec/defaults';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

export const DEFAULT_INIT_FILE = 'notebook.blobs.json';

export const initVerb: Verb = {
  name: 'init',
  summary: "create a new spec file with the notebook's settings",
  usage: `Usage: blobs init [path]

Writes the notebook's spec (four blobs, 2-8-8-4 network, SGD, 100 epochs), named
after its file, to <path>, or to ./${DEFAULT_INIT_FILE}. When <path> is a folder
the file is created inside it. An existing file is never overwritten.

Options:
  -h, --help show this help

Exit status: 0 written, 2 the file already exists or the path is unusable.`,
  async run(args) {
    const { positionals } = parseVerbArgs('init', args, {});
    if (positionals.length > 1) throw new UsageError(`expected at most one path, got ${positionals.length}.`, 'init');
    let file = positionals[0] ?? DEFAULT_INIT_FILE;
    if (isDirectory(file)) file = join(file, DEFAULT_INIT_FILE);
    try {
      // 'wx': create only; fails if the file exists, without a check-then-write race.
      writeFileSync(file, newSpecText(file), { flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CliError(`${file} already exists; not overwriting it. Choose another name: blobs init <path>`, EXIT_BAD_INPUT);
      if (code === 'ENOENT') throw new CliError(`cannot create ${file}: its folder does not exist.`, EXIT_BAD_INPUT);
      throw new CliError(`cannot create ${file}: ${(e as Error).message}`, EXIT_FAILURE);
    }
    process.stdout.write(`Created ${file}\nNext: blobs validate ${file}   then   blobs train ${file}\n`);
    if (!/\.blobs\.json$/i.test(file)) {
      // The extension (schema, diagnostics, CodeLens) finds specs by this ending.
      process.stdout.write(`Note: VS Code recognises specs by the ending .blobs.json; rename it (e.g. to ${suggestName(file)}) for completion and checks in the editor.\n`);
    }
    return EXIT_OK;
  },
};

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `run.json` -> `run.blobs.json`, `spec` -> `spec.blobs.json`. */
function suggestName(file: string): string {
  return file.replace(/(\.json)?$/i, '.blobs.json');
}
