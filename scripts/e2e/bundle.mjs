// Bundles test/integration (index.ts + the test files + mocha) into
// out/test/integration/index.js for the extension host; `vscode` stays external.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './tools.mjs';

export async function bundleIntegrationTests() {
  const esbuild = await import('esbuild');
  const outdir = join(root, 'out/test/integration');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['test/integration/index.ts'],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'error',
    // mocha's ESM-only helpers use import.meta, which the bundle never reaches.
    logOverride: { 'empty-import-meta': 'silent', 'unsupported-dynamic-import': 'silent', 'unsupported-require-call': 'silent' },
  });
  return join(outdir, 'index.js');
}
