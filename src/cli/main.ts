/**
 * `blobs`: the command-line front end (bundled to dist/cli.js, run by bin/blobs.js,
 * or `node --import tsx src/cli/main.ts` from a checkout).
 *
 * Each command is a module exporting a `Verb` (verb.ts); register it in VERBS below.
 */

import { version } from '../../package.json';
import { dataVerb } from './data';
import { dispatch } from './dispatch';
import { exportVerb } from './export';
import { doctorVerb } from './doctor';
import { initVerb } from './init';
import { predictVerb } from './predict';
import { trainVerb } from './train';
import { validateVerb } from './validate';
import type { Verb } from './verb';

/**
 * Every command, in the order `blobs --help` lists them.
 * `train` and `predict` (src/cli/train.ts, src/cli/predict.ts) are added here.
 */
export const VERBS: readonly Verb[] = [
  initVerb,
  validateVerb,
  dataVerb,
  trainVerb,
  predictVerb,
  exportVerb,
  doctorVerb,
];

// `blobs data ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

void dispatch(VERBS, process.argv.slice(2), version).then((code) => {
  // exitCode, not exit(): pending stdout writes still flush.
  process.exitCode = code;
});
