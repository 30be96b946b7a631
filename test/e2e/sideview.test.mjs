// The side view (activity bar "Blob Classifier" > Run) follows the spec being edited.
import { describe } from 'node:test';
import { useSession, uiTest, openFile, sideFrame, panelFrame, waitApp, shot, tab, runCommand } from './fixture.mjs';

describe('side view', () => {
  const session = useSession({ name: 'side', theme: 'dark' });

  uiTest(session, 'follows the spec in the active editor', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    // A person clicks the activity bar icon; the view is "Run".
    const icon = page.locator('.activitybar .action-item a[aria-label*="Blob Classifier"], .activitybar .action-item .action-label[aria-label*="Blob Classifier"]').first();
    if (await icon.isVisible()) await icon.click();
    else await runCommand(page, 'Blob Classifier: Focus on Run View');
    const side = sideFrame(page);
    // Before a spec has run, the view names it by its file; afterwards by its "name".
    const title = (re) => side.locator('h1.spec-name', { hasText: re });
    await title(/^(notebook|Four blobs)$/).waitFor({ timeout: 60_000 });
    await openFile(page, 'moons-relu.blobs.json');
    await title(/^(moons-relu|Two moons)$/).waitFor({ timeout: 30_000 });
    await openFile(page, 'circles-relu.blobs.json');
    await title(/^(circles-relu|Circles with ReLU)$/).waitFor({ timeout: 30_000 });
    await shot(session, 'side-follows');
    await openFile(page, 'notebook.blobs.json');
    await title(/^(notebook|Four blobs)$/).waitFor({ timeout: 30_000 });
  });

  uiTest(session, 'trains the followed spec from its Train button and opens the full panel', async (page) => {
    const side = sideFrame(page);
    await side.getByTestId('btn-train').click();
    const app = await waitApp(side, { status: 'completed', epoch: 100 });
    if (!(app.testAcc >= 0.99)) throw new Error(`side view test acc ${app.testAcc}`);
    await side.locator('h1.spec-name', { hasText: 'Four blobs' }).waitFor();
    await side.getByTestId('boundary-test').first().waitFor({ state: 'visible' });
    await shot(session, 'side-done-dark');
    await side.getByTestId('btn-open-panel').click();
    await tab(page, 'Blob Classifier: notebook').waitFor();
    await waitApp(panelFrame(page), { status: 'completed', epoch: 100 });
  });
});
