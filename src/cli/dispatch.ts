/**
 * The verb dispatcher behind `blobs`: program help and version, `<verb> --help`, and
 * the translation of failures into one clear line and an exit code. The verb list
 * itself lives in main.ts.
 */

import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, type Verb } from './verb';

export function programHelp(verbs: readonly Verb[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return `Usage: blobs <command> [options]

Train a small classifier from a .blobs.json spec (the PyTorch notebook's make_blobs
example by default) and look at its data.

Commands:
${verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join('\n')}

Options:
  -h, --help     show this help (or a command's: blobs <command> --help)
  -v, --version  print the version

Exit status: 0 ok, 1 runtime failure, 2 bad input or usage.`;
}

const isHelp = (a: string) => a === '--help' || a === '-h';

/** Runs `argv` (without node and the script); resolves to the exit code. Never throws. */
export async function dispatch(verbs: readonly Verb[], argv: string[], version: string): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      process.stderr.write(programHelp(verbs) + '\n');
      return EXIT_BAD_INPUT;
    }
    if (isHelp(first) || first === 'help') {
      const verb = first === 'help' && rest[0] ? verbs.find((v) => v.name === rest[0]) : undefined;
      process.stdout.write((verb ? verb.usage : programHelp(verbs)) + '\n');
      return EXIT_OK;
    }
    if (first === '--version' || first === '-v' || first === 'version') {
      process.stdout.write(`${version}\n`);
      return EXIT_OK;
    }
    const verb = verbs.find((v) => v.name === first);
    if (!verb) {
      const known = verbs.map((v) => v.name).join(', ');
      const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`;
      process.stderr.write(`blobs: ${what}. Commands: ${known}.\nRun \`blobs --help\` for usage.\n`);
      return EXIT_BAD_INPUT;
    }
    // `--` ends options: a file named --help after it is a file.
    const dashDash = rest.indexOf('--');
    if (rest.slice(0, dashDash < 0 ? undefined : dashDash).some(isHelp)) {
      process.stdout.write(verb.usage + '\n');
      return EXIT_OK;
    }
    return await verb.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`blobs${first ? ` ${first}` : ''}: ${e.message}\n${e.hint ? `${e.hint}\n` : ''}`);
      return e.exitCode;
    }
    // A bug, not a user error: one line, and where to send it.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(
      `blobs: internal error: ${msg}\nThis is a bug in Blob Classifier; please report it with the command you ran (set BLOBS_DEBUG=1 for the stack trace).\n`,
    );
    if (process.env.BLOBS_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return EXIT_FAILURE;
  }
}
