/**
 * Screenshots and timings of the webview in plain Chromium (no VS Code needed):
 * builds, serves the harness, replays a recorded run, and writes PNGs to
 * test-results/webview-harness/. Prints the boundary-update time at 101x101 and 201x201
 * and any CSP violation (there must be none: the host's CSP forbids inline code).
 *
 *   node --import tsx scripts/webview-harness/shoot.ts [--events run.jsonl] [--no-build] [--only timing]
 *     [--shots REGEX]  (only the shots whose name matches; no checks, no timings)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { readRecording, startHarnessServer } from './serve';

const root = join(__dirname, '..', '..');
const outDir = join(root, 'test-results', 'webview-harness');
const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

interface Shot {
  name: string;
  query: string;
  width: number;
  height: number;
  /** Wait until #app matches this. */
  ready: string;
  /** Optional page action before the shot. */
  act?: (page: Page) => Promise<void>;
  /** No boundary to wait for (no run, or it failed before its first frame). */
  noFrame?: boolean;
}

async function showNetwork(p: Page) {
  await p.click('#opt-network');
  await p.waitForSelector('[data-testid="network"]:not([hidden]) [data-testid="net-unit"]');
  // Hover a hidden unit (its card) and probe the Test plot.
  await p.hover('[data-testid="net-unit"][data-kind="hidden"]');
  const box = await p.locator('[data-testid="boundary-test"] canvas').boundingBox();
  if (box) await p.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.45);
  await p.hover('[data-testid="net-unit"][data-kind="hidden"] >> nth=2');
}

async function openDropdown(p: Page) {
  await p.click('#opt-palette');
  await p.hover('#opt-palette vscode-option[value="notebook"]');
}

const SHOTS: Shot[] = [
  { name: 'panel-light-mid', query: 'view=panel&theme=light&pace=0&until=12', width: 1200, height: 1000, ready: '[data-status="running"][data-epoch="12"]' },
  { name: 'panel-light-done', query: 'view=panel&theme=light&pace=0', width: 1200, height: 1500, ready: '[data-status="completed"]' },
  { name: 'panel-dark-mid', query: 'view=panel&theme=dark&pace=0&until=3', width: 1200, height: 1000, ready: '[data-status="running"][data-epoch="3"]' },
  { name: 'panel-dark-done', query: 'view=panel&theme=dark&pace=0', width: 1200, height: 1500, ready: '[data-status="completed"]',
    act: async (p) => {
      // Hover the loss chart to show the tooltip.
      const box = await p.locator('[data-testid="loss-chart"] svg').boundingBox();
      if (box) await p.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    } },
  { name: 'panel-light-replay', query: 'view=panel&theme=light&pace=0', width: 1200, height: 1000, ready: '[data-status="completed"]',
    act: async (p) => {
      await p.locator('[data-testid="replay-slider"]').fill('4');
    } },
  // Streamed in small batches: the incremental path (events + rAF coalescing).
  { name: 'panel-light-streamed', query: 'view=panel&theme=light&pace=15&batch=1', width: 1200, height: 1000, ready: '[data-status="completed"]' },
  { name: 'panel-hc-done', query: 'view=panel&theme=hc&pace=0', width: 1000, height: 1400, ready: '[data-status="completed"]' },
  // The toolkit's dropdown open, an option hovered, as a user chooses the colours.
  { name: 'panel-dark-dropdown-open', query: 'view=panel&theme=dark&pace=0', width: 900, height: 420, ready: '[data-status="completed"]', act: openDropdown },
  { name: 'panel-hc-dropdown-open', query: 'view=panel&theme=hc&pace=0', width: 900, height: 420, ready: '[data-status="completed"]', act: openDropdown },
  { name: 'panel-narrow-light-done', query: 'view=panel&theme=light&pace=0', width: 520, height: 900, ready: '[data-status="completed"]' },
  { name: 'side-light-mid', query: 'view=side&theme=light&pace=0&until=20', width: 320, height: 800, ready: '[data-status="running"]' },
  { name: 'side-dark-done', query: 'view=side&theme=dark&pace=0', width: 320, height: 800, ready: '[data-status="completed"]' },
  // How runs end otherwise, and a spec without a run.
  { name: 'panel-light-error', query: 'view=panel&theme=light&pace=0&outcome=error&at=37', width: 1200, height: 1000, ready: '[data-status="error"]' },
  { name: 'panel-dark-cancelled', query: 'view=panel&theme=dark&pace=0&outcome=cancelled&at=40', width: 1200, height: 1000, ready: '[data-status="cancelled"]' },
  { name: 'side-dark-error', query: 'view=side&theme=dark&pace=0&outcome=error&at=12', width: 320, height: 800, ready: '[data-status="error"]' },
  { name: 'panel-light-idle-problems', query: 'view=panel&theme=light&idle=3', width: 900, height: 400, ready: '[data-status="idle"]', noFrame: true },
  { name: 'side-light-idle', query: 'view=side&theme=light&idle=0', width: 320, height: 400, ready: '[data-status="idle"]', noFrame: true },
  // 12 classes (the palette past Okabe-Ito), and 200,000 unsampled points (the view's own cap).
  { name: 'panel-light-12-classes', query: 'view=panel&theme=light&pace=0&classes=12', width: 1200, height: 1000, ready: '[data-status="completed"]' },
  { name: 'panel-dark-12-classes', query: 'view=panel&theme=dark&pace=0&classes=12', width: 1200, height: 1000, ready: '[data-status="completed"]' },
  // The spec controls, the network view (toggled on) and the probe (hovering the Test plot).
  { name: 'panel-dark-network', query: 'view=panel&theme=dark&pace=0', width: 1000, height: 1500, ready: '[data-status="completed"]', act: showNetwork },
  { name: 'panel-light-network', query: 'view=panel&theme=light&pace=0', width: 1000, height: 1500, ready: '[data-status="completed"]', act: showNetwork },
  { name: 'panel-narrow-dark-controls', query: 'view=panel&theme=dark&pace=0', width: 380, height: 900, ready: '[data-status="completed"]' },
  { name: 'side-dark-wide-network', query: 'view=side&theme=dark&pace=0', width: 420, height: 1100, ready: '[data-status="completed"]' },
  // Paced playback mid-way (the default 1x: a run told in ~3 s), in the three themes.
  ...(['dark', 'light', 'hc'] as const).map((theme): Shot => ({
    name: `panel-${theme}-playback-mid`, query: `view=panel&theme=${theme}&pace=0&playback=1x`, width: 1200, height: 1000,
    ready: '[data-status="completed"]', act: (p) => p.waitForFunction(() => Number(document.getElementById('app')?.dataset.shownEpoch) >= 40, undefined, { timeout: 15000 }).then(() => undefined),
  })),
  { name: 'panel-light-200k-points', query: 'view=panel&theme=light&pace=0&points=200000', width: 1200, height: 1000, ready: '[data-status="completed"]' },
];

async function main() {
  if (!argv.includes('--no-build')) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const events = arg('--events');
  const server = await startHarnessServer({ recording: events ? readRecording(events) : undefined });
  const home = mkdtempSync(join(tmpdir(), 'bc-harness-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home },
  });
  const problems: string[] = [];
  mkdirSync(outDir, { recursive: true });
  try {
    const only = arg('--only');
    if (only !== 'timing') {
      const pick = arg('--shots');
      for (const s of SHOTS.filter((x) => !pick || new RegExp(pick).test(x.name))) {
        const page = await browser.newPage({ viewport: { width: s.width, height: s.height } });
        page.on('console', (m) => {
          if (m.type() === 'error' || /Content Security Policy|Refused/.test(m.text())) problems.push(`${s.name}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`${s.name}: ${e.message}`));
        await page.goto(`${server.url}?${s.query}`);
        await page.waitForSelector(`#app${s.ready}`, { timeout: 15000 });
        if (!s.noFrame) await page.waitForSelector('[data-testid="boundary-test"][data-frame-epoch]', { timeout: 5000 });
        if (s.act) await s.act(page);
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const file = join(outDir, `${s.name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`shot ${file}`);
        await page.close();
      }
    }
    if (arg('--shots')) return;
    if (only !== 'timing') await checks(browser, server.url, problems);
    const timings: Record<string, unknown> = {};
    for (const res of [101, 201]) timings[`${res}x${res}`] = await timeBoundary(browser, server.url, res, problems);
    // The host samples to a few thousand points; a run sent with 200,000 (unsampled)
    // must stay as fast: the view caps on its own.
    timings['101x101, 200000 points'] = await timeBoundary(browser, server.url, 101, problems, 200000);
    console.log('boundary update timings (ms, Train+Test plots, decode+heatmap+points):');
    console.log(JSON.stringify(timings, null, 2));
    writeFileSync(join(outDir, 'timings.json'), JSON.stringify(timings, null, 2));
  } finally {
    await browser.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
  if (problems.length) {
    console.log('PROBLEMS:\n' + problems.join('\n'));
    process.exit(1);
  }
}

/**
 * Export and live theme switch in a real browser under the real CSP: the PNG export
 * rasterises the composed SVG through a data: image on a canvas, which only works if
 * the CSP allows it and the canvas stays untainted.
 */
async function checks(browser: import('playwright-core').Browser, url: string, problems: string[]) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`checks: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`checks: ${e.message}`));
  await page.goto(`${url}?view=panel&theme=light&pace=0`);
  await page.waitForSelector('#app[data-status="completed"]');
  type Posted = { type: string; format?: string; data?: string };
  const exported = async (format: 'png' | 'svg') => {
    await page.click(`[data-testid="btn-export-${format}"]`);
    await page.waitForFunction(`window.__posted.some((m) => m.type === 'exportFigure' && m.format === '${format}')`);
    const all = (await page.evaluate('window.__posted')) as Posted[];
    return all.find((m) => m.type === 'exportFigure' && m.format === format)!.data!;
  };
  const png = await exported('png');
  if (!png.startsWith('data:image/png;base64,')) problems.push('export png: not a PNG data URL');
  writeFileSync(join(outDir, 'export.png'), Buffer.from(png.slice('data:image/png;base64,'.length), 'base64'));
  const svg = await exported('svg');
  if (!svg.startsWith('<svg')) problems.push('export svg: not SVG text');
  writeFileSync(join(outDir, 'export.svg'), svg);
  console.log(`export: png ${png.length} chars, svg ${svg.length} chars -> ${outDir}/export.{png,svg}`);
  // Live theme switch, as VS Code does it: only the body class changes.
  await page.evaluate(`document.body.setAttribute('data-vscode-theme-kind', 'vscode-dark'); document.body.className = 'vscode-dark'`);
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await page.screenshot({ path: join(outDir, 'theme-switched-to-dark.png') });
  // Keyboard: Tab reaches the buttons and the charts.
  const order: string[] = [];
  await page.focus('body');
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    order.push(String(await page.evaluate(`(document.activeElement.dataset && document.activeElement.dataset.testid) || document.activeElement.id || document.activeElement.tagName`)));
  }
  console.log(`tab order: ${order.join(' > ')}`);
  await page.close();
}

/**
 * Scrubs the replay slider across every recorded frame (each step redraws both
 * boundary plots from a different frame: base64 decode, putImageData, drawImage,
 * points), and reads the webview's `boundary-draw` performance measures.
 */
async function timeBoundary(browser: import('playwright-core').Browser, url: string, res: number, problems: string[], points = 0) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => problems.push(`timing ${res}: ${e.message}`));
  // Synthetic runs: a frame every 5 epochs at exactly this resolution.
  await page.goto(`${url}?view=panel&theme=light&pace=0&src=synth&res=${res}${points ? `&points=${points}` : ''}`);
  await page.waitForSelector('#app[data-status="completed"]', { timeout: 30000 });
  await page.waitForSelector('[data-testid="boundary-test"][data-frame-epoch]', { timeout: 10000 });
  // A string, not a function: tsx's transform adds helpers (__name) the page lacks.
  const result = await page.evaluate(`(async () => {
    const slider = document.querySelector('[data-testid="replay-slider"]');
    const max = Number(slider.max);
    const raf = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
    // The first draw of the run also picks the points to draw (cached after).
    const first = performance.getEntriesByName('boundary-draw')[0];
    performance.clearMeasures('boundary-draw');
    const frameGaps = [];
    for (let round = 0; round < 3; round++) {
      for (let e = 0; e <= max; e += 1) {
        slider.value = String(e);
        slider.dispatchEvent(new Event('input'));
        const t0 = performance.now();
        await raf();
        await raf();
        frameGaps.push(performance.now() - t0);
      }
    }
    const ds = performance.getEntriesByName('boundary-draw').map((m) => m.duration).sort((a, b) => a - b);
    const q = (p) => +ds[Math.min(ds.length - 1, Math.floor(p * ds.length))].toFixed(2);
    const canvas = document.querySelector('[data-testid="boundary-test"] canvas');
    frameGaps.sort((a, b) => a - b);
    return { draws: ds.length, firstDraw: first ? +first.duration.toFixed(2) : null, median: q(0.5), p95: q(0.95), max: q(1), canvasPx: canvas.width + 'x' + canvas.height, medianTwoRafMs: +frameGaps[frameGaps.length >> 1].toFixed(1) };
  })()`);
  await page.close();
  return result;
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
