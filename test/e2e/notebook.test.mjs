// "Blob Classifier: Open as PyTorch Notebook" from the palette: writes notebook.ipynb next
// to the spec and opens it in VS Code's notebook editor (the built-in ipynb support);
// a second export asks before replacing the file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, runCommand, shot, tab } from './fixture.mjs';

describe('Open as PyTorch Notebook', () => {
  const session = useSession({ name: 'notebook', theme: 'light' });

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
});
