/**
 * The shape of a `blobs` verb, and the two kinds of failure a verb reports.
 *
 * Exit codes (all verbs): 0 ok, 1 runtime failure, 2 bad input or usage.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Verb {
  /** The word after `blobs`. */
  name: string;
  /** One line for `blobs --help`. */
  summary: string;
  /** The full `blobs <verb> --help` text. */
  usage: string;
  /** Runs with the arguments after the verb; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** A user error: printed as one line (plus a hint), never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_BAD_INPUT,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad command line: the message and a pointer to the verb's help. */
export class UsageError extends CliError {
  constructor(message: string, verb?: string) {
    super(message, EXIT_BAD_INPUT, `Run \`blobs ${verb ? `${verb} ` : ''}--help\` for usage.`);
    this.name = 'UsageError';
  }
}

/** `node:util` parseArgs, with its errors turned into UsageErrors. */
export function parseVerbArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  verb: string,
  args: string[],
  options: T,
): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (e) {
    // parseArgs messages are clear ("Unknown option '--x'") but mention "To specify a
    // positional argument starting with a '-'..." on some; keep the first sentence.
    const msg = e instanceof Error ? e.message.split('. To specify')[0] : String(e);
    throw new UsageError(msg, verb);
  }
}
