// Watch it learn: the first click on the notebook spec (default settings) opens the panel
// at once and plays the run at a person's pace (≥ 20 different boundaries on the canvas);
// the replay slider shows a different boundary at each of 10 positions; training pauses
// and steps exactly one epoch from the panel, and from the CodeLens and the palette.
// Click → first frame is measured (no bound asserted) into test-results/e2e/.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSession, uiTest, openFile, runCommand, lens, panelFrame, waitApp, shot, notebookSpec, resultsDir, LONG } from './fixture.mjs';

/** FNV-1a over every 7th byte of the Train boundary canvas (runs in the webview's page). */
const canvasHash = (el) => {
  const c = el.querySelector('[data-testid="boundary-train"] canvas');
  if (!c || !c.width) return undefined;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619);
  return (h >>> 0).toString(16);
};

const figures = {};
function record(key, value) {
  figures[key] = value;
  writeFileSync(join(resultsDir, 'click-to-first-frame.json'), JSON.stringify(figures, null, 2) + '\n');
}

/** Records (in the page that gets the click) the wall-clock time of the next mousedown. */
async function armClickClock(frameOrPage) {
  await frameOrPage.evaluate(() => {
    window.__clickAt = undefined;
    document.addEventListener('mousedown', () => (window.__clickAt ??= Date.now()), { capture: true, once: true });
  });
}

async function waitFor(fn, what, timeout = LONG) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watching a run: paced playback, the replay slider, pause and step (dark theme)', () => {
  const session = useSession({
    name: 'playback',
    theme: 'dark',
    files: { 'long.blobs.json': notebookSpec((s) => { s.name = 'Long run'; s.training.epochs = 1000000; }) },
  });

  uiTest(session, 'first click on the notebook spec: the panel at once, then ≥ 20 different boundaries as the run plays', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    const train = lens(page, '▶ Train');
    await train.waitFor({ timeout: 60_000 });
    await armClickClock(page);
    await train.click();
    const view = panelFrame(page);
    const app = view.locator('#app');
    // Hash the Train canvas on every animation frame, from as early as the document exists.
    await app.evaluate((el) => {
      const w = el.ownerDocument.defaultView;
      const log = (w.__hashes = []);
      const loop = () => {
        const c = el.querySelector('[data-testid="boundary-train"] canvas');
        if (c && c.width) {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let h = 2166136261;
          for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619);
          const hs = (h >>> 0).toString(16);
          if (log.at(-1)?.h !== hs) log.push({ h: hs, shown: Number(el.dataset.shownEpoch), epoch: Number(el.dataset.epoch), t: Date.now() });
        }
        if (!w.__stopHashing) w.requestAnimationFrame(loop);
      };
      loop();
    });
    const clickAt = await page.evaluate(() => window.__clickAt);
    const firstFrameAt = Number(await waitFor(() => app.getAttribute('data-first-frame-at'), 'the first frame'));
    const untrained = await app.getAttribute('data-first-frame-epoch');
    // Where the time went: VS Code creating the webview (its document starts), the view's
    // script up to \`ready\`, then the replay and the first draw.
    const doc = await app.evaluate((el) => {
      const w = el.ownerDocument.defaultView;
      const ready = w.performance.getEntriesByName('blobs-ready')[0];
      return { start: w.performance.timeOrigin, ready: ready ? w.performance.timeOrigin + ready.startTime : undefined };
    });
    const split = { toDocumentMs: Math.round(doc.start - clickAt), toReadyMs: doc.ready ? Math.round(doc.ready - clickAt) : null };
    console.log(`# first run: the webview's document started ${split.toDocumentMs} ms after the click, said ready at ${split.toReadyMs} ms`);
    const done = await waitApp(view, { status: 'completed', epoch: 100 });
    const hashes = await app.evaluate((el) => {
      const w = el.ownerDocument.defaultView;
      w.__stopHashing = true;
      return w.__hashes;
    });
    const distinct = new Set(hashes.map((x) => x.h)).size;
    const shownEpochs = [...new Set(hashes.map((x) => x.shown))];
    const trainedBy = hashes.find((x) => x.epoch === 100);
    const playedFor = hashes.length ? hashes.at(-1).t - hashes[0].t : 0;
    console.log(`# first run: click → first frame ${firstFrameAt - clickAt} ms (epoch ${untrained} on the canvas); ${distinct} different boundaries over ${playedFor} ms, shown epochs ${shownEpochs.slice(0, 12).join(',')}…${shownEpochs.at(-1)}`);
    if (trainedBy) console.log(`# the trainer had finished when the view showed epoch ${trainedBy.shown}`);
    record('firstRun', { clickToFirstFrameMs: firstFrameAt - clickAt, ...split, firstFrameEpoch: Number(untrained), distinctBoundaries: distinct, playbackMs: playedFor, shownWhenTrainerDone: trainedBy?.shown ?? null });
    assert.equal(untrained, '0', 'the first frame drawn is the untrained model');
    assert.ok(distinct >= 20, `${distinct} different boundaries during playback`);
    assert.equal(done.shown, 100);
    assert.match(await view.getByTestId('epoch').innerText(), /^100\/100$/);
    await view.getByTestId('confusion').waitFor({ state: 'visible' });
  });

  uiTest(session, 'mid-way through the playback (screenshot), and warm: click → first frame of "Train again"', async (page) => {
    const view = panelFrame(page);
    const app = view.locator('#app');
    // Warm, from the panel's button: the webview is loaded, the trainer process warm.
    const before = await app.getAttribute('data-first-frame-at');
    await armClickClock(app);
    await view.getByTestId('btn-train').click();
    await waitFor(async () => (await app.getAttribute('data-first-frame-at')) !== before, 'the new run’s first frame');
    const panelWarm = Number(await app.getAttribute('data-first-frame-at')) - (await app.evaluate((el) => el.ownerDocument.defaultView.__clickAt));
    // Mid-way: the view tells the run at its pace, the trainer long done.
    await waitFor(async () => Number(await app.getAttribute('data-shown-epoch')) >= 35, 'epoch 35 shown', 30_000);
    const mid = await app.evaluate((el) => ({ shown: Number(el.dataset.shownEpoch), epoch: Number(el.dataset.epoch), ahead: el.querySelector('[data-testid="ahead"]').textContent }));
    await shot(session, 'playback-mid-dark');
    console.log(`# screenshot mid-way: shown ${mid.shown}, trained ${mid.epoch}: "${mid.ahead}"`);
    await waitApp(view, { status: 'completed', epoch: 100 });
    // Again at ×¼ (the speed control), to look at the playback row mid-way too.
    await view.locator('#opt-speed').click();
    await view.locator('#opt-speed vscode-option[value="0.25x"]').click();
    await view.getByTestId('btn-play').click(); // ↺: the story again, from the untrained model
    await waitFor(async () => Number(await app.getAttribute('data-shown-epoch')) >= 8, 'epoch 8 shown at ×¼', 30_000);
    await view.locator('.replay').scrollIntoViewIfNeeded();
    await shot(session, 'playback-mid-controls-dark');
    assert.equal(await app.getAttribute('data-playing'), 'true');
    assert.ok(Number(await app.getAttribute('data-shown-epoch')) < 60, 'a quarter of the speed');
    await view.locator('#opt-speed').click();
    await view.locator('#opt-speed vscode-option[value="1x"]').click();
    await view.getByTestId('btn-end').click();
    await view.locator('.hdr').scrollIntoViewIfNeeded();
    await waitApp(view, { status: 'completed', epoch: 100 });
    // Warm, from the CodeLens (the panel is revealed, not recreated).
    await openFile(page, 'notebook.blobs.json');
    const before2 = await app.getAttribute('data-first-frame-at');
    const train = lens(page, '▶ Train');
    await train.waitFor({ timeout: 60_000 });
    await armClickClock(page);
    await train.click();
    await waitFor(async () => (await app.getAttribute('data-first-frame-at')) !== before2, 'the new run’s first frame');
    const lensWarm = Number(await app.getAttribute('data-first-frame-at')) - (await page.evaluate(() => window.__clickAt));
    console.log(`# warm: click → first frame ${panelWarm} ms (panel's Train again), ${lensWarm} ms (CodeLens)`);
    record('warm', { panelButtonMs: panelWarm, codeLensMs: lensWarm, midwayScreenshot: mid });
    await waitApp(view, { status: 'completed', epoch: 100 });
  });

  uiTest(session, 'the replay slider at 10 positions shows 10 different boundaries, and holds the playback', async (page) => {
    const view = panelFrame(page);
    const app = view.locator('#app');
    const slider = view.getByTestId('replay-slider');
    const hashes = [];
    for (const epoch of [0, 1, 2, 3, 5, 8, 13, 21, 40, 100]) {
      await slider.fill(String(epoch));
      await view.locator(`[data-testid="boundary-train"][data-frame-epoch="${epoch}"]`).waitFor();
      await app.evaluate((el) => new Promise((r) => el.ownerDocument.defaultView.requestAnimationFrame(() => r())));
      hashes.push(await app.evaluate(canvasHash));
      assert.equal(await app.getAttribute('data-shown-epoch'), String(epoch));
      assert.equal(await app.getAttribute('data-playing'), 'false', 'the slider pauses the playback');
    }
    assert.equal(new Set(hashes).size, 10, `hashes: ${hashes.join(' ')}`);
    await slider.fill('8');
    await view.locator('[data-testid="boundary-train"][data-frame-epoch="8"]').waitFor();
    await shot(session, 'replay-epoch-8-dark');
  });

  uiTest(session, 'pause training, then step: the shown epoch moves by exactly 1; Step and Resume from the CodeLens and the palette', async (page) => {
    await openFile(page, 'long.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    const view = panelFrame(page);
    const app = view.locator('#app');
    await view.locator('h1.spec-name', { hasText: 'Long run' }).waitFor({ timeout: LONG });
    await waitApp(view, { status: 'running', minEpoch: 30 });
    await view.getByTestId('btn-pause').click();
    await view.getByTestId('btn-resume').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await view.locator('.status').innerText(), 'training paused');
    // The playback catches up and stops at the trained epoch.
    const paused = await waitFor(async () => {
      const [e, s] = [await app.getAttribute('data-epoch'), await app.getAttribute('data-shown-epoch')];
      return e === s ? Number(e) : undefined;
    }, 'the playback to catch up with the paused trainer', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(Number(await app.getAttribute('data-epoch')), paused, 'paused: no more epochs');
    await shot(session, 'paused-training-dark');
    await view.getByTestId('btn-step-1').click();
    await waitApp(view, { epoch: paused + 1, timeout: 30_000 });
    await waitFor(async () => Number(await app.getAttribute('data-shown-epoch')) === paused + 1, 'the stepped epoch shown', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(Number(await app.getAttribute('data-epoch')), paused + 1, 'one step is one epoch');
    assert.equal(Number(await app.getAttribute('data-shown-epoch')), paused + 1, 'the view shows the stepped epoch');
    assert.equal(await view.getByTestId('boundary-train').getAttribute('data-frame-epoch'), String(paused + 1), 'its frame is drawn');
    console.log(`# paused at ${paused}; Step 1 → ${paused + 1}`);

    // The palette: Step Training by 10 Epochs.
    await openFile(page, 'long.blobs.json');
    await runCommand(page, 'Step Training by 10 Epochs');
    await waitApp(view, { epoch: paused + 11, timeout: 30_000 });
    // The CodeLens: Step (one epoch), then Resume. VS Code's lens debounce can be slow on a loaded machine.
    await lens(page, 'Step').click({ timeout: 90_000 });
    await waitApp(view, { epoch: paused + 12, timeout: 30_000 });
    await shot(session, 'codelens-paused-dark');
    await lens(page, '▶ Resume').click({ timeout: 90_000 });
    await waitApp(view, { status: 'running', minEpoch: paused + 100, timeout: 60_000 });
    await lens(page, 'Pause').click({ timeout: 90_000 });
    await view.getByTestId('btn-resume').waitFor({ state: 'visible', timeout: 30_000 });
    await view.getByTestId('btn-stop').click();
    await waitApp(view, { status: 'cancelled', timeout: 60_000 });
  });
});
