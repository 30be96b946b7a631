// What a person feels in the real VS Code, for bench/bench.ts: the packaged extension in
// code-server (VS Code 1.100.3), driven by Debian's Chromium through playwright-core as
// test/e2e does, on examples/notebook.blobs.json with default settings.
//
//   node bench/vscode.mjs --vsix dist/blob-classifier.vsix [--windows 3] [--reps 5] [--out FILE]
//
// Per window (a freshly started code-server with a fresh profile and a fresh copy of
// examples/):
//   - first run: as soon as the ▶ Train CodeLens shows, click it (the extension has just
//     activated; its trainer process was forked at activation and may still be warming
//     up: the run queues behind that);
//   - then `--reps` times "Train again": the panel's Train button, each after the previous
//     run's playback ended and the trainer had a moment to finish its figures (as a
//     person who watched the run clicks again).
// Each run: click → first frame (the panel's `data-first-frame-at`, set when it drew its
// first boundary), click → run started and click → done IN THE EXTENSION HOST (the
// timestamps of the host's own log lines: "run <id> started" when the session started,
// the summary when the `done` event reached the host), click → done in the view (its
// `data-status` turning `completed` for the new run; warm runs only: on a first run the
// panel is still loading when the trainer ends), the host's event-loop lag during the run
// and the trainer's own loop time (its summary, as the host logs it). The click is the mousedown,
// read in the page that gets it. All clocks are this machine's wall clock.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scratch, workspaceCopy, startServer, launchBrowser, installExtension } from '../scripts/e2e/server.mjs';
import { openFile, lens, panelFrame, waitApp } from '../test/e2e/fixture.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    windows: { type: 'string', default: '3' },
    reps: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
if (!opts.vsix || !existsSync(opts.vsix)) {
  console.error(`no vsix: ${opts.vsix ?? '(give --vsix)'}`);
  process.exit(2);
}
const SETTINGS = { 'workbench.editor.enablePreview': false, 'workbench.editor.revealIfOpen': true, 'editor.codeLens': true };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (line) => console.error(`[vscode] ${line}`);

async function waitFor(fn, what, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The extension's output channel as VS Code's log file writes it (one per window). */
function hostLog(userData) {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Blob Classifier\.log$/.test(e.name)) found.push(p);
    }
  };
  if (existsSync(join(userData, 'logs'))) walk(join(userData, 'logs'));
  return found.length ? readFileSync(found.sort().at(-1), 'utf8') : '';
}

/**
 * The host's view of each run, from its log lines ("2026-11-30 07:30:01.123 [info] ..."):
 * started (and the host's start call), ended (and the trainer's loop time), worst event-loop lag.
 */
function hostRuns(text) {
  const at = (line) => {
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[\w+\] (.*)$/.exec(line);
    return m ? { t: new Date(`${m[1]}T${m[2]}`).getTime(), msg: m[3] } : undefined;
  };
  const runs = [];
  let activatedAt;
  let activationMs;
  for (const line of text.split('\n')) {
    const l = at(line);
    if (!l) continue;
    let m;
    if ((m = /^activated in ([\d.]+) ms/.exec(l.msg))) {
      activatedAt = l.t;
      activationMs = Number(m[1]);
    } else if ((m = /^▶ .*: run (\S+) started.*?(?:\(trainer process started in ([\d.]+) (ms|s)\))?$/.exec(l.msg))) {
      runs.push({ runId: m[1], startedAt: l.t, startCallMs: m[2] ? Number(m[2]) * (m[3] === 's' ? 1000 : 1) : undefined });
    } else if ((m = /: (?:completed|cancelled|error), \d+\/\d+ epochs in ([\d.]+) (ms|s) /.exec(l.msg)) || /: (completed|cancelled|error); worst extension-host/.test(l.msg)) {
      const r = runs.find((x) => x.endedAt === undefined);
      if (r) {
        r.endedAt = l.t;
        if (m) r.loopMs = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
      }
    } else if ((m = /worst extension-host event-loop lag during the run: ([\d.]+) (ms|s)/.exec(l.msg))) {
      const r = runs.findLast((x) => x.endedAt !== undefined);
      if (r) r.lagMs = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    }
  }
  return { activatedAt, activationMs, runs };
}

/** Arms (in the document that gets the click) a mousedown clock and a `completed` watch on #app. */
async function arm(app) {
  await app.evaluate((el) => {
    const w = el.ownerDocument.defaultView;
    const prevRun = el.dataset.runId;
    w.__bench = { clickAt: undefined, doneAt: undefined };
    el.ownerDocument.addEventListener('mousedown', () => (w.__bench.clickAt ??= Date.now()), { capture: true, once: true });
    const mo = new w.MutationObserver(() => {
      if (el.dataset.runId && el.dataset.runId !== prevRun && el.dataset.status === 'completed') {
        w.__bench.doneAt = Date.now();
        mo.disconnect();
      }
    });
    mo.observe(el, { attributes: true });
  });
}

async function oneWindow(index, extensionsFrom) {
  const s = scratch(`blob-bench-vscode-${index}-`);
  let server;
  let browser;
  try {
    cpSync(extensionsFrom, s.extensions, { recursive: true });
    const workspace = workspaceCopy(s);
    const t0 = Date.now();
    server = await startServer(s, { workspace, settings: SETTINGS });
    browser = await launchBrowser(s);
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(server.url(workspace));
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notebook.blobs.json' }).waitFor({ timeout: 90_000 });
    await openFile(page, 'notebook.blobs.json');
    const train = lens(page, '▶ Train');
    await train.waitFor({ timeout: 90_000 });
    const readyMs = Date.now() - t0;

    // First run: the CodeLens, as soon as it shows.
    await page.evaluate(() => {
      window.__bench = { clickAt: undefined };
      document.addEventListener('mousedown', () => (window.__bench.clickAt ??= Date.now()), { capture: true, once: true });
    });
    await train.click();
    const clickAt = await page.evaluate(() => window.__bench.clickAt);
    const view = panelFrame(page);
    const app = view.locator('#app');
    const firstFrameAt = Number(await waitFor(() => app.getAttribute('data-first-frame-at'), 'the first frame'));
    const first = await waitApp(view, { status: 'completed', epoch: 100 });
    const runs = [{ kind: 'first', runId: first.runId, clickAt, firstFrameAt }];
    say(`window ${index}: workbench and lens ready in ${readyMs} ms; first run ${first.runId}: first frame ${firstFrameAt - clickAt} ms after the click`);

    // Train again, from the panel's button.
    for (let r = 0; r < Number(opts.reps); r++) {
      await sleep(500);
      const before = await app.getAttribute('data-first-frame-at');
      await arm(app);
      await view.getByTestId('btn-train').click();
      const bench = await waitFor(async () => {
        const b = await app.evaluate((el) => el.ownerDocument.defaultView.__bench);
        return b.doneAt ? b : undefined;
      }, 'the run to complete in the view');
      const ff = Number(await waitFor(async () => {
        const v = await app.getAttribute('data-first-frame-at');
        return v !== before ? v : undefined;
      }, 'the first frame of the new run'));
      const done = await waitApp(view, { status: 'completed', epoch: 100 }); // the playback too
      runs.push({ kind: 'warm', runId: done.runId, clickAt: bench.clickAt, firstFrameAt: ff, viewDoneAt: bench.doneAt });
    }
    await sleep(1000); // the log file is written in batches
    const host = hostRuns(hostLog(s.userData));
    const rows = runs.map((r) => {
      const h = host.runs.find((x) => x.runId === r.runId);
      const rel = (t) => (t === undefined ? null : t - r.clickAt);
      return {
        kind: r.kind,
        runId: r.runId,
        clickToFirstFrameMs: rel(r.firstFrameAt),
        clickToHostStartMs: rel(h?.startedAt),
        clickToHostDoneMs: rel(h?.endedAt),
        clickToViewDoneMs: rel(r.viewDoneAt),
        /** The trainer's own loop time (its summary's train_wall_s, as the host logs it). */
        trainerLoopMs: h?.loopMs ?? null,
        hostLagMs: h?.lagMs ?? null,
        /** The host's synchronous call that hands the run to the pool (or forks a process). */
        startCallMs: h?.startCallMs ?? null,
      };
    });
    for (const r of rows) say(`  ${r.kind.padEnd(5)} ${r.runId}: first frame ${r.clickToFirstFrameMs} ms, host start ${r.clickToHostStartMs} ms, host done ${r.clickToHostDoneMs} ms, view done ${r.clickToViewDoneMs ?? '-'} ms; trainer loop ${r.trainerLoopMs} ms, host lag ${r.hostLagMs} ms`);
    return {
      readyMs,
      activationMs: host.activationMs ?? null,
      activatedToClickMs: host.activatedAt !== undefined ? clickAt - host.activatedAt : null,
      runs: rows,
    };
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    s.remove();
  }
}

async function main() {
  const template = scratch('blob-bench-vscode-ext-');
  try {
    installExtension(template, opts.vsix);
    const windows = [];
    for (let i = 0; i < Number(opts.windows); i++) windows.push(await oneWindow(i + 1, template.extensions));
    const out = { vsix: opts.vsix, windows };
    if (opts.out) {
      mkdirSync(join(opts.out, '..'), { recursive: true });
      writeFileSync(opts.out, JSON.stringify(out, null, 2) + '\n');
    } else console.log(JSON.stringify(out, null, 2));
  } finally {
    template.remove();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[vscode] failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
