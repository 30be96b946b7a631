// Train from the CodeLens and from the command palette; watch the panel finish.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSession, uiTest, openFile, runCommand, lens, panelFrame, waitApp, shot, tab, notebookSpec, resultsDir, LONG } from './fixture.mjs';

describe('training from the editor (dark theme)', () => {
  const session = useSession({
    name: 'train',
    theme: 'dark',
    files: { 'long.blobs.json': notebookSpec((s) => { s.name = 'Long run'; s.training.epochs = 1000000; }) },
  });

  uiTest(session, 'clicking ▶ Train on notebook.blobs.json trains it to ≥ 99% test accuracy', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    await tab(page, 'Blob Classifier: ').waitFor();
    const view = panelFrame(page);
    const app = await waitApp(view, { status: 'completed', epoch: 100 });
    assert.ok(app.testAcc >= 0.99, `data-test-acc = ${app.testAcc}`);
    // One run id: the panel's is the run folder's name and its summary's.
    const summary = JSON.parse(readFileSync(join(session.workspace, '.blob-runs', 'notebook', app.runId ?? '-', 'summary.json'), 'utf8'));
    assert.equal(summary.runId, app.runId);
    assert.match(await view.getByTestId('epoch').innerText(), /^100\/100$/);
    const acc = await view.getByTestId('test-acc').innerText();
    assert.match(acc, /^\d{2,3}\.\d\d%$/);
    assert.ok(parseFloat(acc) >= 99, acc);
    for (const id of ['boundary-train', 'boundary-test', 'loss-chart', 'acc-chart', 'confusion', 'scores']) {
      await view.getByTestId(id).first().waitFor({ state: 'visible' });
    }
    await view.locator('[data-testid="acc-chart"] path.curve-test').first().waitFor();
    await shot(session, 'panel-done-dark');
  });

  uiTest(session, 'README screenshot: the finished notebook run, wide (dark theme, 1600x1000, no side bar)', async (page) => {
    const view = panelFrame(page);
    await waitApp(view, { status: 'completed', epoch: 100 });
    await page.setViewportSize({ width: 1600, height: 1000 });
    await runCommand(page, 'View: Close Primary Side Bar');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    // The panel takes ~2/3 of the editor area (drag the sash between the spec's group and
    // the panel's), then gives back what it must for the curves to fit under the boundaries.
    const part = await page.locator('.part.editor').boundingBox();
    assert.ok(part, 'the editor area');
    const dragSash = async (toX) => {
      const box = await page.locator('.part.editor .monaco-sash.vertical').filter({ visible: true }).first().boundingBox();
      assert.ok(box, 'the sash between the editor groups');
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width / 2, y);
      await page.mouse.down();
      await page.mouse.move(toX, y, { steps: 12 });
      await page.mouse.up();
      await page.mouse.move(part.x + 40, part.y + part.height - 40); // no hover effects in the shot
    };
    const train = view.getByTestId('boundary-train').first();
    const test = view.getByTestId('boundary-test').first();
    const accChart = view.getByTestId('acc-chart').first();
    const frame = page.locator('iframe.webview.ready:not([src*="purpose=webviewView"])').filter({ visible: true }).first();
    /** Waits for the webview to re-lay out: boundaries side by side, the chart's size settled. */
    const settled = async () => {
      const deadline = Date.now() + 15_000;
      let last = '';
      for (;;) {
        await page.waitForTimeout(300);
        const [a, b, c] = [await train.boundingBox(), await test.boundingBox(), await accChart.boundingBox()];
        const key = JSON.stringify([a, b, c]);
        if (a && b && c && Math.abs(a.y - b.y) < 2 && b.x > a.x && key === last) return c;
        if (Date.now() > deadline) throw new Error(`boundaries not side by side: ${key}`);
        last = key;
      }
    };
    const sashAt = async () => {
      const box = await page.locator('.part.editor .monaco-sash.vertical').filter({ visible: true }).first().boundingBox();
      return box.x + box.width / 2;
    };
    await dragSash(part.x + Math.round(part.width / 3));
    for (let i = 0; i < 6; i++) {
      const chart = await settled();
      const f = await frame.boundingBox();
      const gap = f.y + f.height - (chart.y + chart.height); // room left under the curves
      if (gap >= 8 && gap <= 28) break;
      // Each boundary is half the panel wide and square: 2 px of width buy 1 px of height.
      await dragSash((await sashAt()) + 2 * (16 - gap));
    }
    await settled();
    await view.locator('[data-testid="acc-chart"] path.curve-test').first().waitFor();
    await page.waitForTimeout(500); // the redraw after the resize (one animation frame)
    console.log(`# readme: the panel is ${Math.round(((part.x + part.width - (await sashAt())) / part.width) * 100)}% of the editor area`);
    await page.screenshot({ path: join(resultsDir, 'readme-panel.png'), animations: 'disabled' });
    console.log('# screenshot test-results/e2e/readme-panel.png');
    // Back to the layout the other tests expect.
    await page.setViewportSize({ width: 1400, height: 900 });
    await runCommand(page, 'View: Reset Editor Group Sizes');
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await page.locator('.part.sidebar').waitFor({ state: 'visible' });
  });

  uiTest(session, 'the CodeLens shows the result afterwards', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    const result = lens(page, /test acc \d+\.\d\d%/);
    await result.waitFor({ timeout: 30_000 });
    console.log(`# lens: ${await result.innerText()}`);
    await shot(session, 'codelens-result');
  });

  uiTest(session, '"Train Blob Classifier" from the command palette (F1) trains the active spec', async (page) => {
    await openFile(page, 'moons-relu.blobs.json');
    await runCommand(page, 'Train Blob Classifier');
    await tab(page, 'Blob Classifier: moons-relu').waitFor({ timeout: 30_000 }).catch(() => {});
    const view = panelFrame(page);
    await view.locator('h1.spec-name', { hasText: 'Two moons' }).waitFor({ timeout: LONG });
    const app = await waitApp(view, { status: 'completed' });
    console.log(`# moons: ${app.epoch} epochs, test acc ${app.testAcc}`);
    await lens(page, /test acc/).waitFor({ timeout: 30_000 });
    await shot(session, 'palette-trained-moons');
  });

  uiTest(session, 'mid-run, the panel draws the boundary and curves as they come (screenshot)', async (page) => {
    await openFile(page, 'long.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    const view = panelFrame(page);
    await view.locator('h1.spec-name', { hasText: 'Long run' }).waitFor({ timeout: LONG });
    await waitApp(view, { status: 'running', minEpoch: 30 });
    await view.locator('[data-testid="loss-chart"] path.curve-train').first().waitFor();
    await shot(session, 'panel-running-dark');
    // Stop it from the CodeLens this time.
    await openFile(page, 'long.blobs.json');
    await lens(page, '■ Stop').click({ timeout: 30_000 });
    const app = await waitApp(view, { status: 'cancelled', timeout: 60_000 });
    assert.ok(app.epoch < 1000000);
  });
});
