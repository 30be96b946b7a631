// Entry point of the integration suite, run INSIDE a real VS Code extension host.
// Both hosts call `run()`: code-server through the `payload` URL parameter
// (scripts/e2e/integration.mjs) and @vscode/test-electron's runTests
// (scripts/e2e/electron.mjs). Bundled by esbuild to out/test/integration/index.js, next
// with the test files and mocha bundled in (only `vscode` stays external): the
// extension host's loader never has to resolve mocha (an ES module since v12) itself.
import * as fs from 'fs';
import Mocha from 'mocha';

/** Every test file of the suite, in order. Add new files here. */
function loadTests(): void {
  require('./activation.test');
  require('./training.test');
  require('./runs.test');
  require('./diagnostics.test');
  require('./hostile.test');
}

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
  /** What the test printed (console.log), shown by the runner under its title. */
  notes?: string[];
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.BLOB_TEST_TIMEOUT_MS ?? 180_000),
    grep: process.env.BLOB_TEST_GREP || undefined,
  });
  // What mocha does per file it loads itself: define describe/it/... on the global.
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'integration', mocha);
  if (process.env.BLOB_TEST_MODULE) require(process.env.BLOB_TEST_MODULE); // harness self-test
  else loadTests();

  const results: TestResult[] = [];
  const t0 = Date.now();
  // The extension host's console is not the runner's: tests call note() (helpers.ts).
  let notes: string[] = [];
  (globalThis as { __blobTestNote?: (s: string) => void }).__blobTestNote = (line) => notes.push(line);
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('test', () => (notes = []));
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration, notes }));
    runner.on('fail', (t, err: Error) =>
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: String(err?.stack ?? err), notes }),
    );
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
  });
  const out = process.env.BLOB_TEST_RESULTS;
  if (out) {
    const passed = results.filter((r) => r.state === 'passed').length;
    fs.writeFileSync(
      out,
      JSON.stringify({ passed, failed: failures, pending: results.filter((r) => r.state === 'pending').length, wallMs: Date.now() - t0, results }, null, 2),
    );
  }
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
