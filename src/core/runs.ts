/**
 * Where runs go by default, shared by the CLI and the extension so a run started from
 * either lands in the same place: `<spec folder>/.blob-runs/<spec name>/<run id>/`.
 * A dot-folder, like `.pytest_cache` or `.ipynb_checkpoints`: generated output that sits
 * beside the spec without crowding the user's own files (and is easy to git-ignore).
 */
import { basename, dirname, join, resolve } from 'node:path';

export const DEFAULT_RUNS_DIRECTORY = '.blob-runs';

/** `iris.blobs.json` -> `iris`: the spec's runs' folder name, made portable. */
export function specStem(specPath: string): string {
  const stem = basename(specPath).replace(/\.blobs\.json$|\.jsonc?$/i, '');
  // Keep folder names portable: no separators or reserved characters.
  return stem.replace(/[<>:"/\\|?*\x00-\x1f]/g, '_') || 'spec';
}

/** `<spec dir>/.blob-runs/<spec stem>`. */
export function defaultRunsDir(specPath: string): string {
  return join(dirname(resolve(specPath)), DEFAULT_RUNS_DIRECTORY, specStem(specPath));
}
