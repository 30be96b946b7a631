// The panel in a narrow window (1100x800) and in a third editor column, dark then light:
// it reflows so the boundaries and curves stay whole and readable, nothing is clipped
// sideways, and the axis labels stay inside their plots.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useSession, uiTest, openFile, lens, shot, panelFrame, waitApp } from './fixture.mjs';

/** Geometry of the panel's content, measured inside its iframe. */
async function measure(view) {
  return view.locator('#app').evaluate((app) => {
    const doc = app.ownerDocument;
    const vw = doc.documentElement.clientWidth;
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: Math.round(r.left), right: Math.round(r.right), top: Math.round(r.top), width: Math.round(r.width) };
    };
    const visible = (el) => el.getClientRects().length > 0;
    // Anything wider than the view, except inside a table that scrolls by itself.
    const overflowing = [...app.querySelectorAll('*')]
      .filter((el) => visible(el) && !el.closest('.eval-tables') && !el.closest('.chart-tip'))
      .filter((el) => el.getBoundingClientRect().right > vw + 1 || el.getBoundingClientRect().left < -1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
    const labels = [...app.querySelectorAll('.y-axis text, .x-axis text')].filter(visible);
    return {
      vw,
      scrollWidth: doc.scrollingElement.scrollWidth,
      plots: [...app.querySelectorAll('[data-testid^="boundary-"] canvas')].filter(visible).map(box),
      charts: [...app.querySelectorAll('.chart svg')].filter(visible).map(box),
      overflowing,
      // A label past its plot's SVG is cut (the "000000000" of a long loss label).
      labelsOutside: labels.filter((t) => {
        const r = t.getBoundingClientRect();
        const svg = t.ownerSVGElement.getBoundingClientRect();
        return r.left < svg.left - 2 || r.right > svg.right + 2 || r.left < 0 || r.right > vw;
      }).length,
      labels: labels.length,
    };
  });
}

/** What "reflows, readable, not clipped" means, for one measurement. */
function assertReadable(m, where) {
  console.log(`# ${where}: view ${m.vw} px; plots ${m.plots.map((p) => `${p.width}@${p.left},${p.top}`).join(' ')}; charts ${m.charts.map((c) => `${c.width}@${c.left},${c.top}`).join(' ')}`);
  assert.ok(m.scrollWidth <= m.vw, `${where}: the view scrolls sideways (${m.scrollWidth} > ${m.vw})`);
  assert.deepEqual(m.overflowing, [], `${where}: wider than the view`);
  assert.equal(m.plots.length, 2, `${where}: both boundary plots`);
  for (const p of [...m.plots, ...m.charts]) {
    assert.ok(p.left >= 0 && p.right <= m.vw, `${where}: a plot is cut (${JSON.stringify(p)})`);
    assert.ok(p.width >= 140, `${where}: a plot is too small to read (${p.width} px)`);
  }
  assert.equal(m.charts.length, 2, `${where}: both curves`);
  assert.ok(m.labels > 10 && m.labelsOutside === 0, `${where}: ${m.labelsOutside} of ${m.labels} axis labels cut`);
  // Side by side while each plot keeps 140 px; one per row below.
  if (m.vw >= 360) assert.equal(m.plots[0].top, m.plots[1].top, `${where}: Train and Test side by side`);
}

/** The panel scrolled to its top (the header and boundaries), for the first screenshot. */
async function scrollToTop(view) {
  await view.locator('#app').evaluate((app) => app.ownerDocument.scrollingElement.scrollTo(0, 0));
}

/** Shows the panel's curves (scrolled to them), for the second screenshot. */
async function scrollToCurves(view) {
  await view.getByTestId('acc-chart').first().scrollIntoViewIfNeeded();
}

describe('a narrow window and a third editor column', () => {
  const session = useSession({ name: 'layout', theme: 'dark' });

  uiTest(session, '1100x800, the panel beside the spec: boundaries side by side, curves whole (dark)', async (page) => {
    await page.setViewportSize({ width: 1100, height: 800 });
    await openFile(page, 'notebook.blobs.json');
    await lens(page, '▶ Train').click({ timeout: 60_000 });
    const view = panelFrame(page);
    await waitApp(view, { status: 'completed', epoch: 100 });
    await page.waitForTimeout(800); // the redraw after the panel settled (one animation frame, then the resize)
    assertReadable(await measure(view), '1100x800, two columns');
    await shot(session, 'narrow-two-columns-dark');
    await scrollToCurves(view);
    await shot(session, 'narrow-two-columns-curves-dark');
  });

  uiTest(session, 'a third editor column: the panel reflows, nothing cut (dark)', async (page) => {
    await openFile(page, 'notebook.blobs.json');
    await page.keyboard.press('Control+Backslash'); // View: Split Editor (to the right)
    await page.locator('.editor-group-container').nth(2).waitFor();
    assert.equal(await page.locator('.part.editor .editor-group-container').count(), 3);
    const view = panelFrame(page);
    await page.waitForTimeout(1000);
    await scrollToTop(view);
    assertReadable(await measure(view), 'third column');
    await shot(session, 'third-column-dark');
    await scrollToCurves(view);
    await shot(session, 'third-column-curves-dark');
  });

  uiTest(session, 'the same in the light theme', async (page) => {
    // Preferences: Color Theme.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    const input = page.locator('.quick-input-widget input');
    await input.fill('Light Modern');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Light Modern' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-workbench.vs').waitFor();
    const view = panelFrame(page);
    await page.waitForTimeout(1000);
    await scrollToTop(view);
    assertReadable(await measure(view), 'third column, light');
    await shot(session, 'third-column-light');
    // Back to two columns: close the split copy.
    await page.keyboard.press('Control+2'); // the split copy's group
    await page.keyboard.press('Control+W'); // its only editor: the group closes with it
    await page.waitForFunction(() => document.querySelectorAll('.part.editor .editor-group-container').length === 2);
    await page.waitForTimeout(1000);
    await scrollToTop(view);
    assertReadable(await measure(view), 'two columns, light');
    await shot(session, 'narrow-two-columns-light');
    await scrollToCurves(view);
    await shot(session, 'narrow-two-columns-curves-light');
  });
});
