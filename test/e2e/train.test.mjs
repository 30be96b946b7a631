// Train from the CodeLens and from the command palette; watch the panel finish.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, runCommand, lens, panelFrame, waitApp, shot, tab, notebookSpec, LONG } from './fixture.mjs';

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
    const app = await waitApp(view, { status: 'done', epoch: 100 });
    assert.ok(app.testAcc >= 0.99, `data-test-acc = ${app.testAcc}`);
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
    const app = await waitApp(view, { status: 'done' });
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
