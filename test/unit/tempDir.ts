/**
 * Temporary folders for tests, removed when the test file ends (node:test's `after` on
 * the file's root; a process `exit` hook too, for a file that fails before it runs its
 * hooks). Every unit test makes its folders here: a suite run leaves nothing in the
 * system's temporary directory.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

function removeAll(): void {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  made.clear();
}

after(removeAll);
process.on('exit', removeAll);

/** A new empty folder `<tmp>/blobs-<prefix>XXXXXX`, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `blobs-${prefix}`));
  made.add(dir);
  return dir;
}
