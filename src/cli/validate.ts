/** `blobs validate <spec...>`: check spec files, print problems like a compiler. */

import { resolve } from 'node:path';
import { validateSpecText } from '../core/spec/validate';
import { formatProblem, readTextFile } from './common';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, UsageError, parseVerbArgs, type Verb } from './verb';

export const validateVerb: Verb = {
  name: 'validate',
  summary: 'check .blobs.json spec files and print their problems',
  usage: `Usage: blobs validate <spec.blobs.json>... [--json] [--quiet]

Checks each spec: JSON syntax, field types and ranges, unknown keys, list lengths,
the train/test split, size limits and (for csv data) the data file.
Prints one line per problem: file:line:column: severity: message

Options:
  --json       print one JSON object per file: {"file", "valid", "problems"}
  -q, --quiet  print errors only (no warnings or notes)
  -h, --help   show this help

Exit status: 0 when every spec is valid (warnings are fine), 2 when any has errors.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs('validate', args, {
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (!positionals.length) throw new UsageError('no spec file given.', 'validate');
    let allValid = true;
    for (const file of positionals) {
      let text: string;
      try {
        text = readTextFile(file, 'spec file');
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        // One unreadable file does not hide the others' results.
        allValid = false;
        if (values.json) process.stdout.write(JSON.stringify({ file, valid: false, error: e.message }) + '\n');
        else process.stdout.write(`${e.message}\n${e.hint ? `${e.hint}\n` : ''}`);
        continue;
      }
      const result = validateSpecText(text, { specPath: resolve(file) });
      const valid = result.spec !== undefined;
      allValid &&= valid;
      if (values.json) {
        process.stdout.write(JSON.stringify({ file, valid, problems: result.problems }) + '\n');
        continue;
      }
      const shown = result.problems.filter((p) => !values.quiet || p.severity === 'error');
      for (const p of shown) process.stdout.write(formatProblem(file, p) + '\n');
      if (!values.quiet) {
        const count = (s: string) => result.problems.filter((p) => p.severity === s).length;
        const [e, w] = [count('error'), count('warning')];
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
        process.stdout.write(
          valid
            ? `${file}: valid${w ? ` (${plural(w, 'warning')})` : ''}\n`
            : `${file}: ${plural(e, 'error')}${w ? `, ${plural(w, 'warning')}` : ''}\n`,
        );
      }
    }
    return allValid ? EXIT_OK : EXIT_BAD_INPUT;
  },
};
