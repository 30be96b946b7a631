// Layer 2: the mocha suite in test/integration, run INSIDE a real VS Code extension host
// (code-server 4.100.3 = VS Code 1.100.3) with this repository as the extension under
// development. code-server's command line refuses --extensionDevelopmentPath and
// --extensionTestsPath, but its web workbench reads them from the `payload` URL
// parameter, so a headless Chromium opens that URL and the server's extension host
// runs the suite's `run()`. The workbench reports the outcome through
// `window.codeAutomationExit`.
//
//   node scripts/e2e/integration.mjs [--no-build] [--grep <re>] [--verbose]
//   (--extension <dir> --tests <index.js>: run another extension/suite, for the harness itself)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root, scratch, workspaceCopy, startServer, launchBrowser } from './server.mjs';
import { ensureTools } from './tools.mjs';
import { bundleIntegrationTests } from './bundle.mjs';

const { values: opts } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    grep: { type: 'string' },
    verbose: { type: 'boolean', default: !!process.env.BLOB_E2E_VERBOSE },
    extension: { type: 'string' },
    tests: { type: 'string' },
    'test-module': { type: 'string' },
    timeout: { type: 'string', default: '600' },
  },
});

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (m) => console.log(`[integration ${since()}] ${m}`);

async function main() {
  ensureTools();
  const extensionDir = resolve(opts.extension ?? root);
  if (!opts.extension && !opts['no-build']) {
    say('building the extension (scripts/build.mjs)');
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  if (!opts.extension && !existsSync(join(root, 'dist/extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first');
  }
  const testsIndex = resolve(opts.tests ?? (await bundleIntegrationTests()));
  say(`suite bundled: ${testsIndex}`);

  const s = scratch('blob-integration-');
  const workspace = workspaceCopy(s);
  const resultsFile = join(s.dir, 'results.json');
  let server, browser;
  let exitCode = 1;
  try {
    server = await startServer(s, {
      workspace,
      // Reaches the extension host: where run() writes its results, and test knobs.
      env: {
        BLOB_TEST_RESULTS: resultsFile,
        BLOB_TEST_WORKSPACE: workspace,
        ...(opts.grep ? { BLOB_TEST_GREP: opts.grep } : {}),
        ...(opts['test-module'] ? { BLOB_TEST_MODULE: resolve(opts['test-module']) } : {}),
      },
    });
    say(`code-server up on ${server.base} (empty extensions dir, workspace ${workspace})`);
    browser = await launchBrowser(s);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish;
    const exited = new Promise((r) => (finish = r));
    const logLines = [];
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      logLines.push(`[${type}] ${line}`);
      // Offline, the gallery (open-vsx.org) lookups fail: expected noise.
      const noise = /ENOTFOUND|open-vsx\.org|marketplace/i.test(line);
      if (opts.verbose || (type === 'error' && !noise)) console.log(`  [workbench ${type}] ${line.slice(0, 2000)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    page.on('pageerror', (e) => opts.verbose && console.log(`  [page error] ${e.message}`));
    const auth = `${server.host}:${server.port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${auth}${extensionDir}`],
      ['extensionTestsPath', `vscode-remote://${auth}${testsIndex}`],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(server.url(workspace, { payload }));
    say('workbench loading; the extension host runs the suite');
    const limitS = Number(opts.timeout);
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('timeout'), limitS * 1000)),
    ]);
    if (code === 'timeout') {
      mkdirSync(join(root, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-results/integration-timeout.png') }).catch(() => {});
      console.log(logLines.slice(-60).join('\n'));
      console.log(server.output().slice(-4000));
      throw new Error(`the suite did not finish within ${limitS} s (screenshot: test-results/integration-timeout.png)`);
    }
    exitCode = code;
    say(`extension host reported exit code ${code}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
  }

  let passed = 0;
  let failed = exitCode === 0 ? 0 : 1;
  if (existsSync(resultsFile)) {
    const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
    console.log('');
    for (const t of r.results) {
      const mark = t.state === 'passed' ? '✔' : t.state === 'failed' ? '✖' : '-';
      console.log(`  ${mark} ${t.title}${t.durationMs != null ? ` (${t.durationMs} ms)` : ''}`);
      for (const n of t.notes ?? []) if (n && !/^\s*(✔|✓|\d+ passing)/.test(n)) console.log(`      ${n}`);
      if (t.error) console.log(t.error.split('\n').map((l) => `      ${l}`).join('\n'));
    }
    passed = r.passed;
    failed = r.failed;
    // Keep the figures the benchmark report quotes (activation time, event-loop lag).
    const notes = r.results.flatMap((t) => t.notes ?? []).join('\n');
    const figure = (re) => {
      const m = re.exec(notes);
      return m ? Number(m[1]) : undefined;
    };
    mkdirSync(join(root, 'test-results'), { recursive: true });
    writeFileSync(
      join(root, 'test-results/integration.json'),
      JSON.stringify({ ...r, activationMs: figure(/activationMs = ([\d.]+)/), maxEventLoopLagMs: figure(/event-loop lag during runs: ([\d.]+)/) }, null, 2),
    );
    if (exitCode !== 0 && failed === 0) failed = 1; // run() threw outside a test
  } else {
    console.log('  (no results file: the suite did not run; see the workbench errors above, or rerun with --verbose)');
  }
  s.remove();
  console.log(`\nintegration: ${passed} passed, ${failed} failed (${since()})`);
  return failed === 0 && exitCode === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`integration: ${err.message ?? err}`);
    console.log('integration: 0 passed, 1 failed');
    process.exit(1);
  },
);
