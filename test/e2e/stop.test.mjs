// A long run: close and reopen its panel mid-run (it catches up), stop it from the
// panel, and the extension keeps working. Light theme, for the screenshots.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, lens, panelFrame, waitApp, shot, tab, notebookSpec, statusBarEpoch } from './fixture.mjs';

describe('a long run (light theme)', () => {
  const session = useSession({
    name: 'stop',
    theme: 'light',
    files: { 'long.blobs.json': notebookSpec((s) => { s.name = 'Long run'; s.training.epochs = 1000000; }) },
  });
  let before = 0;
  let stoppedAt = 0;

  uiTest(session, 'runs and draws live (screenshot)', async (page) => {
    await openFile(page, 'long.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    const view = panelFrame(page);
    await view.locator('h1.spec-name', { hasText: 'Long run' }).waitFor({ timeout: 60_000 });
    await waitApp(view, { status: 'running', minEpoch: 30 });
    await view.locator('[data-testid="loss-chart"] path.curve-train').first().waitFor();
    await shot(session, 'panel-running-light');
  });

  uiTest(session, 'closing and reopening the panel mid-run catches up', async (page) => {
    const panelTab = tab(page, 'Blob Classifier: long');
    await panelTab.hover();
    await panelTab.locator('.tab-actions .action-label').click();
    await panelTab.waitFor({ state: 'detached' });
    before = await statusBarEpoch(page, 1000000);
    await openFile(page, 'long.blobs.json');
    // 'Show visualisation' is in the lens row in every state. Whether the row already says
    // '■ Stop' depends on VS Code's adaptive CodeLens debounce, which grows to tens of
    // seconds on a loaded 2-core machine; the integration suite checks the Stop lens.
    await lens(page, 'Show visualisation').click();
    const view = panelFrame(page);
    const app = await waitApp(view, { status: 'running', minEpoch: before + 1 });
    await view.locator('[data-testid="acc-chart"] path.curve-test').first().waitFor();
    await shot(session, 'panel-reopened-light');
    console.log(`# reopened at epoch ${app.epoch} (the status bar said ${before} after it was closed)`);
  });

  uiTest(session, 'Stop in the panel stops it', async (page) => {
    const view = panelFrame(page);
    await waitApp(view, { status: 'running', minEpoch: 5000 }); // far enough to tell a restart apart
    await view.getByTestId('btn-stop').click();
    const app = await waitApp(view, { status: 'cancelled', timeout: 60_000 });
    assert.ok(app.epoch >= before && app.epoch < 1000000, `stopped at ${app.epoch}`);
    stoppedAt = app.epoch;
    await openFile(page, 'long.blobs.json');
    await lens(page, /stopped at \d+\/1000000/).waitFor({ timeout: 90_000 }); // VS Code's lens debounce: see above
    assert.equal(await lens(page, '■ Stop').count(), 0);
    await shot(session, 'panel-stopped-light');
  });

  uiTest(session, 'a new run starts cleanly afterwards, and another spec still trains', async (page) => {
    await tab(page, 'Blob Classifier: long').click();
    const view = panelFrame(page);
    // Record the lowest epoch the panel shows from now on (timing-free: a fast run may be
    // far along by the time a poll looks).
    await view.locator('#app').evaluate((el) => {
      window.__minEpoch = Infinity;
      new MutationObserver(() => (window.__minEpoch = Math.min(window.__minEpoch, Number(el.dataset.epoch)))).observe(el, {
        attributes: true,
        attributeFilter: ['data-epoch', 'data-status'],
      });
    });
    await view.getByTestId('btn-train').click();
    await waitApp(view, { status: 'running', minEpoch: 1 });
    const restarted = await view.locator('#app').evaluate(() => window.__minEpoch);
    // The stopped run had gone far (it ran through the close/reopen); a fresh one starts at 0.
    console.log(`# new run seen at epoch ${restarted}; the stopped one ended at ${stoppedAt}`);
    assert.ok(restarted < stoppedAt, `the new run did not start from scratch (epoch ${restarted}, stopped at ${stoppedAt})`);
    await view.getByTestId('btn-stop').click();
    await waitApp(view, { status: 'cancelled', timeout: 60_000 });

    await openFile(page, 'notebook.blobs.json');
    await lens(page, '▶ Train').click();
    const nb = panelFrame(page);
    await nb.locator('h1.spec-name', { hasText: 'Four blobs' }).waitFor({ timeout: 60_000 });
    const app = await waitApp(nb, { status: 'completed', epoch: 100 });
    assert.ok(app.testAcc >= 0.99, `test acc ${app.testAcc}`);
    await shot(session, 'panel-done-light');
  });
});
