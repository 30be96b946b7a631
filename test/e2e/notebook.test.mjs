// "Blob Classifier: Open as PyTorch Notebook" from the palette: writes notebook.ipynb next
// to the spec and opens it in VS Code's notebook editor (the built-in ipynb support);
// a second export asks before replacing the file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, runCommand, shot, tab, lens, notebookSpec, panelFrame, toast, waitApp } from './fixture.mjs';

describe('Open as PyTorch Notebook', () => {
  const session = useSession({
    name: 'notebook',
    theme: 'light',
    files: { 'lens.blobs.json': notebookSpec(), 'button.blobs.json': notebookSpec((s) => (s.training.epochs = 20)) },
  });

  uiTest(session, 'the command opens the exported notebook in the notebook editor', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    await runCommand(page, 'Open as PyTorch Notebook');
    await tab(page, 'notebook.ipynb').waitFor({ timeout: 60_000 });
    const editor = page.locator('.notebookOverlay').filter({ visible: true }).first();
    const firstCode = editor.locator('.code-cell-row').first();
    await firstCode.waitFor({ timeout: 60_000 });
    await firstCode.locator('.view-lines', { hasText: 'make_blobs' }).waitFor({ timeout: 30_000 });
    // A markdown cell renders in the notebook's output webview; its row only carries the label.
    assert.equal(await editor.locator('.monaco-list-row').first().getAttribute('aria-label'), 'markdown cell');
    const firstCodeText = (await firstCode.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
    console.log(`# first code cell: ${firstCodeText.split('\n').filter(Boolean).join(' | ')}`);
    assert.match(firstCodeText, /from sklearn\.datasets import make_blobs/);
    await shot(session, 'notebook-editor');

    const file = join(session.workspace, 'notebook.ipynb');
    assert.ok(existsSync(file), 'notebook.ipynb next to the spec');
    const nb = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(nb.nbformat, 4);
    assert.match(nb.cells.find((c) => c.cell_type === 'code').source.join(''), /make_blobs/);
  });

  uiTest(session, 'exporting again asks before replacing the notebook', async (page) => {
    const file = join(session.workspace, 'notebook.ipynb');
    const before = statSync(file).mtimeMs;
    await openFile(page, 'notebook.blobs.json');
    await runCommand(page, 'Open as PyTorch Notebook');
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'notebook.ipynb already exists' });
    await dialog.waitFor({ timeout: 30_000 });
    await shot(session, 'replace-dialog');
    await dialog.getByRole('button', { name: 'Open Existing' }).click();
    await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'notebook.ipynb' }).waitFor({ timeout: 30_000 });
    assert.equal(statSync(file).mtimeMs, before, 'Open Existing must not rewrite the file');
  });

  uiTest(session, 'Replace writes a fresh export over it, and the notebook editor shows it', async (page) => {
    const file = join(session.workspace, 'notebook.ipynb');
    const before = statSync(file).mtimeMs;
    await openFile(page, 'notebook.blobs.json');
    await runCommand(page, 'Open as PyTorch Notebook');
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'notebook.ipynb already exists' });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'notebook.ipynb' }).waitFor({ timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    while (statSync(file).mtimeMs === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.notEqual(statSync(file).mtimeMs, before, 'Replace rewrites the file');
    const editor = page.locator('.notebookOverlay').filter({ visible: true }).first();
    await editor.locator('.code-cell-row').first().locator('.view-lines', { hasText: 'make_blobs' }).waitFor({ timeout: 30_000 });
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).nbformat, 4);
  });

  /** The notebook editor of `name` is active and its first code cell imports make_blobs. */
  async function notebookOpened(page, name) {
    await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 60_000 });
    // A notebook editor (its first cells are markdown; the code rows render as they scroll in).
    await page.locator('.notebookOverlay').filter({ visible: true }).first().waitFor({ timeout: 60_000 });
    // Not the fallback (the JSON as text, with a warning), which a tab alone cannot tell.
    const fallback = toast(page, 'as text');
    await new Promise((r) => setTimeout(r, 500));
    if (await fallback.isVisible()) assert.fail(`opened as text: ${await fallback.innerText()}`);
    const file = join(session.workspace, name);
    assert.ok(existsSync(file), `${name} next to its spec`);
    const nb = JSON.parse(readFileSync(file, 'utf8'));
    assert.match(nb.cells.find((c) => c.cell_type === 'code').source.join(''), /make_blobs/);
  }

  uiTest(session, "the spec's CodeLens opens it too", async (page) => {
    await openFile(page, 'lens.blobs.json');
    await lens(page, 'PyTorch notebook').click({ timeout: 60_000 });
    await notebookOpened(page, 'lens.ipynb');
  });

  uiTest(session, "so does the panel's PyTorch notebook button, for the spec the panel shows", async (page) => {
    await openFile(page, 'button.blobs.json');
    await lens(page, 'Train').click({ timeout: 60_000 });
    const view = panelFrame(page);
    await waitApp(view, { status: 'completed' });
    await view.getByTestId('btn-notebook').click();
    await notebookOpened(page, 'button.ipynb');
    await shot(session, 'from-the-panel');
  });
});
