// `npm run test:electron`: the same integration suite (test/integration) in a desktop
// VS Code through @vscode/test-electron, for a developer laptop or a CI with internet.
// runTests downloads VS Code from update.code.visualstudio.com first; machines that
// reach only the npm registry cannot, and get a clear message instead (use
// `npm run test:integration`: the same suite in code-server, which installs from npm).
//   node scripts/e2e/electron.mjs [--no-build]   (VSCODE_VERSION=1.100.3 by default; Linux needs a display or xvfb-run)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, scratch, workspaceCopy } from './server.mjs';
import { bundleIntegrationTests } from './bundle.mjs';

const version = process.env.VSCODE_VERSION ?? '1.100.3';

async function main() {
  if (!process.argv.includes('--no-build')) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  const testsIndex = await bundleIntegrationTests();
  const s = scratch('blob-electron-');
  const workspace = workspaceCopy(s);
  const resultsFile = join(s.dir, 'results.json');
  const { runTests } = await import('@vscode/test-electron');
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('test:electron: no DISPLAY; on a headless Linux run it as `xvfb-run -a npm run test:electron`.');
  }
  let code;
  try {
    code = await runTests({
      version,
      extensionDevelopmentPath: root,
      extensionTestsPath: testsIndex,
      extensionTestsEnv: { BLOB_TEST_RESULTS: resultsFile },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', s.userData, '--extensions-dir', s.extensions],
    });
  } catch (err) {
    const msg = String(err?.message ?? err);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|getaddrinfo|socket hang up|download|certificate/i.test(msg)) {
      console.error(
        `test:electron: could not download VS Code ${version} (${msg.split('\n')[0]}).\n` +
          '  @vscode/test-electron needs update.code.visualstudio.com, which this machine cannot reach.\n' +
          '  Run the same suite in a real VS Code installed from npm instead: npm run test:integration',
      );
      return 2;
    }
    console.error(`test:electron: ${msg}`);
    code = 1;
  } finally {
    if (existsSync(resultsFile)) {
      const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
      for (const t of r.results) console.log(`  ${t.state === 'passed' ? '✔' : '✖'} ${t.title}`);
      console.log(`electron: ${r.passed} passed, ${r.failed} failed`);
    }
    s.remove();
  }
  return code;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(`test:electron: ${e.message ?? e}`);
    process.exit(1);
  },
);
