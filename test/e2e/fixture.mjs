// One real VS Code (code-server) with the packaged extension installed, a fresh copy of
// examples/ as the workspace, and a headless Chromium on it: what each UI test file
// drives, like a person would. Screenshots go to test-results/e2e/ (git-ignored).
//
// Webview content is two iframes deep. The side view's outer iframe carries
// `purpose=webviewView` in its URL; the editor panel's does not.
import { after, before, it } from 'node:test';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, scratch, workspaceCopy, startServer, launchBrowser, installExtension } from '../../scripts/e2e/server.mjs';

export const resultsDir = join(root, 'test-results', 'e2e');
const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' };

/** Generous: 2 shared cores run code-server, Chromium, the extension host and the trainer. */
export const LONG = 120_000;

/** examples/notebook.blobs.json, edited: a spec text for a test's extra workspace file. */
export function notebookSpec(edit) {
  const spec = JSON.parse(readFileSync(join(root, 'examples/notebook.blobs.json'), 'utf8'));
  edit?.(spec);
  return JSON.stringify(spec, null, 2) + '\n';
}

/**
 * Registers before/after hooks for a session and returns it (fields filled in `before`).
 * `files`: extra workspace files { name: text }. `theme`: 'dark' | 'light'.
 */
export function useSession({ name, theme = 'dark', files = {} }) {
  const session = { name, theme };
  let s, server, browser;
  before(async () => {
    const t0 = Date.now();
    mkdirSync(resultsDir, { recursive: true });
    s = scratch(`blob-ui-${name}-`);
    const preinstalled = process.env.BLOB_E2E_EXTENSIONS;
    if (preinstalled && existsSync(preinstalled)) cpSync(preinstalled, s.extensions, { recursive: true });
    else installExtension(s, process.env.BLOB_VSIX ?? join(root, 'dist/blob-classifier.vsix'));
    const workspace = workspaceCopy(s);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(workspace, f), text);
    server = await startServer(s, {
      workspace,
      settings: {
        'workbench.colorTheme': THEMES[theme],
        // Keep the layout stable for screenshots and clicks.
        'workbench.editor.enablePreview': false,
        // Quick Open focuses a file where it is already open instead of opening it again
        // in the panel's group.
        'workbench.editor.revealIfOpen': true,
        'editor.codeLens': true,
      },
    });
    browser = await launchBrowser(s);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    Object.assign(session, { workspace, server, browser, page, scratch: s });
    await page.goto(server.url(workspace));
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notebook.blobs.json' }).waitFor({ timeout: 60_000 });
    console.log(`# [${name}] workbench ready in ${Date.now() - t0} ms (${server.base}, ${theme})`);
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (process.env.BLOB_E2E_KEEP) console.log(`# kept ${s?.dir}`);
    else s?.remove();
  });
  return session;
}

/** A test that saves a screenshot when it fails. */
export function uiTest(session, title, fn, { timeout = 4 * 60_000 } = {}) {
  it(title, { timeout }, async () => {
    try {
      await fn(session.page);
    } catch (e) {
      const file = await shot(session, `FAILED-${title}`).catch(() => undefined);
      if (file) e.message += `\n    screenshot: ${file}`;
      throw e;
    }
  });
}

export async function shot(session, label) {
  const slug = `${session.name}-${label}`.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  const file = join(resultsDir, `${slug}.png`);
  await session.page.screenshot({ path: file, animations: 'disabled' });
  console.log(`# screenshot ${file.slice(root.length + 1)}`);
  return file;
}

// ---------------------------------------------------------------------------
// What a person does

/** Quick Open (Ctrl+P) a workspace file; resolves when its editor is active. */
export async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  // The recently-opened list shows first: wait until the filtered list's pick is the file.
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
}

/** F1, type a command's title, pick it. */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor();
  await page.keyboard.press('Enter');
}

/** The CodeLens link, in the active editor group, whose text matches. */
export function lens(page, text) {
  return page.locator('.editor-group-container.active .editor-instance .codelens-decoration a', { hasText: text }).first();
}

/** The extension's status bar item while training: "1044/100000 · loss 0.023". */
export async function statusBarEpoch(page, total) {
  const item = page.locator('.statusbar-item', { hasText: new RegExp(`\\d+/${total}`) }).first();
  await item.waitFor({ timeout: 30_000 });
  return Number((await item.innerText()).match(new RegExp(`(\\d+)/${total}`))[1]);
}

/**
 * The visible editor panel's content (background panels' iframes are hidden). Ours only:
 * a notebook editor's output renderer is a webview too.
 */
export function panelFrame(page) {
  return webviewContent(page, `${OURS}:not([src*="purpose=webviewView"])`);
}

export function sideFrame(page) {
  return webviewContent(page, `${OURS}[src*="purpose=webviewView"]`);
}

/** The webviews of this extension (VS Code names the owner in the iframe's URL). */
const OURS = 'iframe.webview.ready[src*="extensionId=blob-classifier.blob-classifier"]';

function webviewContent(page, outer) {
  return page.locator(outer).filter({ visible: true }).first().contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * Waits until the view's #app matches: { status, minEpoch, epoch, spec }. `epoch` and
 * `minEpoch` are the trainer's progress (`data-epoch`); for an ended run it also waits
 * until the view's playback has shown the last epoch (`data-shown-epoch`, ~3 s), unless
 * `settled: false`.
 */
export async function waitApp(frame, { status, minEpoch, epoch, timeout = LONG, settled = ['completed', 'cancelled', 'error'].includes(status) } = {}) {
  const app = frame.locator('#app');
  let sel = '#app';
  if (status) sel += `[data-status="${status}"]`;
  if (epoch !== undefined) sel += `[data-epoch="${epoch}"]`;
  await frame.locator(sel).waitFor({ timeout });
  if (minEpoch !== undefined) {
    const deadline = Date.now() + timeout;
    while (Number(await app.getAttribute('data-epoch')) < minEpoch) {
      if (Date.now() > deadline) throw new Error(`epoch < ${minEpoch} after ${timeout} ms`);
      if (status && (await app.getAttribute('data-status')) !== status) throw new Error(`status left ${status} before epoch ${minEpoch}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (settled) {
    const deadline = Date.now() + timeout;
    while ((await app.getAttribute('data-shown-epoch')) !== (await app.getAttribute('data-epoch'))) {
      if (Date.now() > deadline) throw new Error(`the playback did not reach the last epoch in ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    status: await app.getAttribute('data-status'),
    epoch: Number(await app.getAttribute('data-epoch')),
    /** The epoch the view shows (its playback), at most `epoch`. */
    shown: Number(await app.getAttribute('data-shown-epoch')),
    testAcc: Number(await app.getAttribute('data-test-acc')),
    /** The run the view shows, as the host named it (its folder's name, summary.runId). */
    runId: await app.getAttribute('data-run-id'),
  };
}

/** A notification toast with this text. */
export function toast(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** Editor tab with this title (the panel's is "Blob Classifier: <spec>"). */
export function tab(page, text) {
  return page.locator('.tabs-container .tab', { hasText: text }).first();
}
