/**
 * Where a spec's runs go, from the `blobClassifier.runsDirectory` setting: relative to
 * the spec's folder, or to the workspace folder when it starts with `${workspaceFolder}`;
 * whatever it says, the result must stay inside the spec's workspace folder: an
 * extension that writes (and prunes!) folders elsewhere on disk because of a setting in
 * a cloned repository is a hazard. The run folders themselves (layout, ids, reading,
 * listing, pruning) belong to src/core/run/folder.ts. Pure path logic; no `vscode`.
 */

import * as path from 'node:path';
import { DEFAULT_RUNS_DIRECTORY, specStem } from '../core/run/folder';

const WORKSPACE_VAR = '${workspaceFolder}';
export interface RunsDirResult {
  /** Folder holding this spec's run folders; undefined when no artifacts may be written. */
  specRunsDir?: string;
  /** Why the setting was not used as given (shown in the output channel). */
  warning?: string;
}

/** True when `child` is `parent` or inside it (after normalisation). */
export function isInside(parent: string, child: string, p: typeof path = path): boolean {
  const rel = p.relative(p.resolve(parent), p.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

export function resolveSpecRunsDir(
  specPath: string,
  workspaceFolder: string | undefined,
  setting: string | undefined,
  p: typeof path = path,
): RunsDirResult {
  if (!workspaceFolder) {
    return { warning: 'the spec is not inside a workspace folder, so no artifacts are written' };
  }
  const raw = (setting ?? '').trim() || DEFAULT_RUNS_DIRECTORY;
  let base: string;
  if (raw.startsWith(WORKSPACE_VAR)) {
    base = p.join(workspaceFolder, raw.slice(WORKSPACE_VAR.length).replace(/^[\\/]+/, ''));
  } else if (p.isAbsolute(raw)) {
    base = raw;
  } else {
    base = p.resolve(p.dirname(specPath), raw);
  }
  let warning: string | undefined;
  if (!isInside(workspaceFolder, base, p)) {
    warning = `blobClassifier.runsDirectory (${raw}) is outside the workspace folder; using ${DEFAULT_RUNS_DIRECTORY} next to the spec`;
    base = p.resolve(p.dirname(specPath), DEFAULT_RUNS_DIRECTORY);
    if (!isInside(workspaceFolder, base, p)) return { warning };
  }
  return { specRunsDir: p.join(base, specStem(specPath)), warning };
}
