// Breaking the spec: a squiggle and a problem count appear, and training refuses with a
// clear message instead of starting.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, lens, toast, shot, tab } from './fixture.mjs';

describe('an invalid spec', () => {
  const session = useSession({ name: 'diagnostics', theme: 'dark' });

  uiTest(session, 'typing a negative n_samples shows a diagnostic', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    await lens(page, '▶ Train').waitFor({ timeout: 60_000 });
    // Find the value, then type over the selection like a person would.
    await page.keyboard.press('Control+F');
    const find = page.locator('.find-widget.visible textarea, .find-widget.visible input').first();
    await find.waitFor();
    await find.fill('"n_samples": 1000');
    await page.locator('.find-widget.visible .matchesCount', { hasText: /1 of 1/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    // The match is selected; put the cursor after 1000 and retype the number. (Typing a
    // quote over a selection would surround it with quotes instead.)
    await page.keyboard.press('ArrowRight');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('-1000');
    await page.locator('.view-lines', { hasText: '"n_samples": -1000,' }).waitFor();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    const problems = page.locator('#status\\.problems');
    await problems.filter({ hasText: /[1-9]\d*\D+\d+/ }).waitFor({ timeout: 30_000 });
    const label = (await problems.getAttribute('aria-label')) ?? (await problems.innerText());
    console.log(`# status bar problems: ${label.replace(/\s+/g, ' ')}`);
    await lens(page, /⚠ 1 problem$/).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 1, 'only the n_samples value should be flagged');
    await shot(session, 'invalid-spec');
  });

  uiTest(session, '▶ Train refuses with a message naming the problem', async (page) => {
    await lens(page, '▶ Train').click();
    const t = toast(page, 'Cannot train');
    await t.waitFor({ timeout: 30_000 });
    await shot(session, 'train-refused');
    const text = (await t.innerText()).replace(/\s+/g, ' ');
    console.log(`# notification: ${text}`);
    assert.match(text, /n_samples/);
    assert.equal(await tab(page, 'Blob Classifier:').count(), 0, 'a panel opened for an invalid spec');
    assert.equal(await lens(page, '■ Stop').count(), 0, 'a run started');
  });
});
