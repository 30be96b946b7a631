// Exploration only (not committed).
import { describe } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSession, uiTest, openFile, lens, shot, notebookSpec, runCommand, sideFrame, panelFrame, waitApp } from './fixture.mjs';

const THREE = notebookSpec((s) => { s.training.lr = -1; s.data.centers = 0; s.training.epocs = s.training.epochs; delete s.training.epochs; });

describe('explore', () => {
  const session = useSession({ name: 'explore', theme: 'dark', files: {
    'three.blobs.json': THREE,
    'long.blobs.json': notebookSpec((s) => { s.name = 'Long run'; s.training.epochs = 3000; }),
  } });

  uiTest(session, 'problems', async (page) => {
    await openFile(page, 'three.blobs.json');
    await page.waitForTimeout(8000);
    const problems = page.locator('#status\\.problems');
    console.log('# status', await problems.getAttribute('aria-label'));
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.waitForTimeout(1500);
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    console.log('# rows', JSON.stringify(rows));
    const lenses = await page.locator('.editor-group-container.active .codelens-decoration a').allInnerTexts();
    console.log('# lenses', JSON.stringify(lenses));
    await shot(session, 'problems');
  });

  uiTest(session, 'completion and hover', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    await page.keyboard.press('Control+F');
    const find = page.locator('.find-widget.visible textarea, .find-widget.visible input').first();
    await find.fill('"none"');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    await page.waitForTimeout(3000);
    console.log('# suggest', JSON.stringify(await page.locator('.suggest-widget .monaco-list-row').allInnerTexts()));
    await shot(session, 'suggest');
    await page.keyboard.press('Escape');
    // Hover the key "lr".
    const lr = page.locator('.view-lines .view-line span', { hasText: '"lr"' }).first();
    await lr.hover();
    await page.waitForTimeout(3000);
    console.log('# hover', JSON.stringify(await page.locator('.monaco-hover').allInnerTexts()));
    await shot(session, 'hover');
    // New key completion inside training.
    await page.keyboard.press('Control+F');
    await find.fill('"log_every": 10');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await page.keyboard.type(',');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Space');
    await page.waitForTimeout(3000);
    console.log('# keys', JSON.stringify(await page.locator('.suggest-widget .monaco-list-row').allInnerTexts()));
    await shot(session, 'suggest-keys');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
  });

  uiTest(session, 'lens vs status bar', async (page) => {
    await openFile(page, 'long.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    await page.waitForTimeout(1000);
    await openFile(page, 'long.blobs.json');
    const t0 = Date.now();
    const samples = [];
    let endedAt;
    while (Date.now() - t0 < 120_000) {
      const l = (await page.locator('.editor-group-container.active .codelens-decoration a').allInnerTexts()).join(' | ');
      const sb = (await page.locator('.statusbar-item', { hasText: /\d+\/3000/ }).allInnerTexts()).join(' ');
      samples.push([Date.now() - t0, l, sb]);
      if (!sb && endedAt === undefined) endedAt = Date.now() - t0;
      if (endedAt !== undefined && /▶ Train/.test(l)) break;
      await page.waitForTimeout(250);
    }
    console.log(`# ended(status bar gone) at ${endedAt}; lens Train at ${samples.at(-1)[0]}`);
    for (const s of samples) console.log('# s', JSON.stringify(s));
  }, { timeout: 300_000 });
});
