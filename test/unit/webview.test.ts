/**
 * The webview on jsdom with a fake `acquireVsCodeApi`: host messages in, DOM and
 * posted messages out. Canvas drawing is a no-op on jsdom (no 2d context); what the
 * end-to-end tests read (data-* attributes, data-testid elements) is checked here.
 *
 * The controls are @vscode/webview-ui-toolkit's web components, defined for real: FAST
 * binds to the window it is loaded in (its base classes, `document`, `customElements`),
 * so this file runs one jsdom window, installed as the global one before the toolkit
 * loads, and each view is mounted in a fresh root in it.
 */
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM, VirtualConsole } from 'jsdom';
import type { EpochEvent, FrameEvent, HostToWebview, TrainerEvent, WebviewToHost } from '../../src/core/protocol';
import { isWebviewToHost } from '../../src/core/protocol';
import { App } from '../../webview/app';
import { applyEvents, emptyModel, frameAtOrBefore, MAX_FRAMES } from '../../webview/model';
import { createScheduler } from '../../webview/render/scheduler';
import { axisMargin, chartHeight, tipLeft } from '../../webview/render/chart';
import { axisNumber } from '../../src/core/figure/curves';
import { inflatePoints, synthRun, withOutcome } from '../fixtures/render/synthRun';
import { assertSnapshot } from '../fixtures/render/snapshot';

const EVENTS: TrainerEvent[] = synthRun({ nSamples: 120, epochs: 20, resolution: 21, frameEvery: 5 });
const RUN = { runId: EVENTS[0].type === 'start' ? EVENTS[0].runId : 'x', specPath: '/w/notebook.blobs.json', specName: 'notebook' };

// jsdom reports "not implemented" for canvas getContext; the view copes with null.
const jsdomErrors: Error[] = [];
const vc = new VirtualConsole();
vc.on('jsdomError', (e) => {
  if (!/Not implemented/.test(e.message)) jsdomErrors.push(e);
});
const DOM = new JSDOM(`<!DOCTYPE html><html><head></head><body></body></html>`, { pretendToBeVisual: true, virtualConsole: vc });

/** The window's globals that Node lacks, and its own event classes (FAST dispatches them on jsdom nodes). */
function installGlobals(win: JSDOM['window']): void {
  const g = globalThis as Record<string, unknown>;
  // jsdom has no matchMedia; FAST's forced-colors styles ask for one when they load.
  Object.assign(win, {
    matchMedia: (media: string) => ({ matches: false, media, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }),
  });
  // Nor scrollIntoView, which the dropdown calls on the option it focuses when it opens.
  win.HTMLElement.prototype.scrollIntoView ??= function () {};
  const own = new Set(['Event', 'EventTarget', 'CustomEvent', 'MessageEvent']);
  for (const k of Object.getOwnPropertyNames(win)) {
    if (k === 'localStorage' || k === 'sessionStorage') continue;
    if (k in g && !own.has(k)) continue;
    g[k] = (win as unknown as Record<string, unknown>)[k];
  }
  g.window = win;
  g.document = win.document;
}
installGlobals(DOM.window);

before(async () => {
  const { registerToolkit } = await import('../../webview/render/toolkit');
  assert.equal(registerToolkit(), true);
});
after(() => DOM.window.close());

interface Harness {
  dom: JSDOM;
  app: App;
  root: HTMLElement;
  posted: WebviewToHost[];
  state: { value: unknown };
  send(m: HostToWebview): void;
  q(testid: string): HTMLElement;
  /** Disposes the view and removes its root; no script errors may have been reported. */
  unmount(): void;
}

/**
 * Views here show each epoch as it comes (`live` playback), as before playback existed:
 * what is drawn for what arrives. The playback's pace has its own tests below.
 */
const LIVE = { speed: 'live' };

function mount(view: 'panel' | 'side' = 'panel', initialState: unknown = LIVE, theme = 'vscode-light', now?: () => number): Harness {
  const dom = DOM;
  const doc = dom.window.document;
  doc.body.className = theme;
  doc.body.setAttribute('data-vscode-theme-kind', theme);
  // A fresh root per view, as the host's page has (<div id="app" data-view>).
  const host = doc.createElement('div');
  host.dataset.view = view;
  doc.body.append(host);
  const posted: WebviewToHost[] = [];
  const state = { value: initialState };
  const api = {
    postMessage: (m: unknown) => {
      assert.ok(isWebviewToHost(m), `valid message ${JSON.stringify(m).slice(0, 80)}`);
      posted.push(m as WebviewToHost);
    },
    getState: () => state.value,
    setState: (s: unknown) => (state.value = JSON.parse(JSON.stringify(s))),
  };
  const root = host;
  const app = new App(root, api, { now });
  const q = (id: string) => {
    const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    assert.ok(el, `[data-testid=${id}] exists`);
    return el;
  };
  const unmount = () => {
    app.dispose();
    root.remove();
    assert.deepEqual(jsdomErrors.splice(0).map((e) => e.message), []);
  };
  return { dom, app, root, posted, state, send: (m) => { app.handle(m); app.flush(); }, q, unmount };
}

/**
 * A recording 2d context on every canvas (jsdom has none): counts calls, keeps the size
 * of each image given to putImageData. `restore()` puts jsdom's back.
 */
function fakeCanvas() {
  const proto = DOM.window.HTMLCanvasElement.prototype;
  const original = proto.getContext;
  const calls: Record<string, number> = { arc: 0 };
  const images: [number, number][] = [];
  const ctx = new Proxy({} as Record<string | symbol, unknown>, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'createImageData') return (w: number, hgt: number) => ({ width: w, height: hgt, data: new Uint8ClampedArray(w * hgt * 4) });
      if (key === 'putImageData') return (img: ImageData) => images.push([img.width, img.height]);
      return (..._args: unknown[]) => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
      };
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  (proto as unknown as { getContext: () => unknown }).getContext = () => ctx;
  return { calls, images, restore: () => void (proto.getContext = original) };
}

const upTo = (epochs: number) => {
  const i = EVENTS.findIndex((e) => e.type === 'epoch' && e.epoch + 1 > epochs);
  return EVENTS.slice(0, i < 0 ? EVENTS.length : i);
};
const lastEpoch = () => EVENTS.filter((e): e is EpochEvent => e.type === 'epoch').at(-1)!;

describe('webview panel', () => {
  let h: Harness;
  beforeEach(() => (h = mount()));
  afterEach(() => {
    h.unmount();
  });

  test('idle until a run arrives', () => {
    assert.equal(h.root.dataset.status, 'idle');
    assert.equal(h.root.dataset.epoch, '0');
    h.send({ type: 'idle', specName: 'notebook', specPath: '/w/notebook.blobs.json' });
    assert.match(h.root.textContent ?? '', /No run of notebook yet/);
    assert.equal((h.q('btn-train') as HTMLButtonElement).disabled, false);
    assert.equal((h.q('btn-stop') as HTMLButtonElement).disabled, true);
  });

  test('a run mid-way: status, epoch, accuracy, boundary frame, growing curves', () => {
    h.send({ type: 'run', run: RUN, events: upTo(7), active: true });
    assert.equal(h.root.dataset.status, 'running');
    assert.equal(h.root.dataset.runId, RUN.runId, 'the run id the host named');
    assert.equal(h.root.dataset.epoch, '7');
    const e6 = EVENTS.find((e): e is EpochEvent => e.type === 'epoch' && e.epoch === 6)!;
    assert.equal(h.root.dataset.testAcc, String(e6.testAcc));
    assert.equal(h.q('epoch').textContent, '7/20');
    assert.equal(h.q('test-acc').textContent, `${(e6.testAcc * 100).toFixed(2)}%`);
    // Frames at 0..5 then every 5: the latest at or before 7 is 5.
    assert.equal(h.q('boundary-train').dataset.frameEpoch, '5');
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '5');
    assert.ok(h.q('boundary-test').querySelector('canvas'));
    const d7 = h.q('loss-chart').querySelector('path.curve-train')!.getAttribute('d')!;
    assert.equal((d7.match(/L/g) ?? []).length, 6);
    assert.ok(h.q('acc-chart').querySelector('path.curve-test')!.getAttribute('d'));
    assert.equal((h.q('btn-stop') as HTMLButtonElement).disabled, false);
    // The slider is the playback's position: usable while the run goes, up to what was trained.
    assert.equal((h.q('replay-slider') as HTMLInputElement).disabled, false);
    assert.equal((h.q('replay-slider') as HTMLInputElement).max, '7');

    // New events for another run are ignored; ours extend the curves.
    h.send({ type: 'events', runId: 'other', events: EVENTS.slice(upTo(7).length) });
    assert.equal(h.root.dataset.epoch, '7');
    h.send({ type: 'events', runId: RUN.runId, events: EVENTS.slice(upTo(7).length, upTo(12).length) });
    assert.equal(h.root.dataset.epoch, '12');
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '10');
  });

  test("99.125 % (the notebook's 793/800, an exact tie) reads 99.12 % in the header, boundary titles and report, as in the log", () => {
    const TIE = 793 / 800;
    const events = EVENTS.map((e) => {
      if (e.type === 'epoch') return { ...e, testAcc: TIE, trainAcc: TIE };
      if (e.type === 'done') return { ...e, evaluation: { ...e.evaluation, test: { ...e.evaluation.test, accuracy: TIE } } };
      return e;
    });
    h.send({ type: 'run', run: RUN, events, active: false });
    assert.equal(h.q('test-acc').textContent, '99.12%');
    assert.match(h.q('boundary-test').textContent ?? '', /acc 99\.12%/);
    assert.match(h.q('scores').querySelector('caption')?.textContent ?? '', /accuracy 99\.12%$/);
    assert.ok(!h.root.textContent?.includes('99.13'));
  });

  test('done: evaluation tables, replay slider, state survives', () => {
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(h.root.dataset.status, 'completed');
    assert.equal(h.root.dataset.epoch, '20');
    assert.equal(h.root.dataset.testAcc, String(lastEpoch().testAcc));
    assert.equal(h.q('epoch').textContent, '20/20');
    const done = EVENTS.at(-1)!;
    assert.equal(done.type, 'done');
    const cm = h.q('confusion') as HTMLTableElement;
    const k = 4;
    assert.equal(cm.tBodies[0].rows.length, k);
    const total = [...cm.tBodies[0].querySelectorAll('td')].reduce((a, td) => a + Number(td.textContent), 0);
    assert.equal(total, 24, 'test set of 120 * 0.2');
    const scores = h.q('scores') as HTMLTableElement;
    assert.deepEqual([...scores.tBodies[0].rows].map((r) => r.cells[0].textContent), ['0', '1', '2', '3', 'macro avg', 'weighted avg']);

    const slider = h.q('replay-slider') as HTMLInputElement;
    assert.equal(slider.disabled, false);
    assert.equal(slider.max, '20');
    slider.value = '3';
    slider.dispatchEvent(new h.dom.window.Event('input'));
    h.app.flush();
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '3');
    const d = h.q('loss-chart').querySelector('path.curve-train')!.getAttribute('d')!;
    assert.equal((d.match(/L/g) ?? []).length, 2, 'curves up to epoch 3 (3 points)');
    // The contract values do not change with replay.
    assert.equal(h.root.dataset.epoch, '20');
    assert.deepEqual((h.state.value as { replay: unknown }).replay, { runId: RUN.runId, epoch: 3, playing: false });

    // Reload: a new view with the stored state replays the same epoch.
    const h2 = mount('panel', h.state.value);
    h2.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(h2.q('boundary-test').dataset.frameEpoch, '3');
    assert.equal((h2.q('replay-slider') as HTMLInputElement).value, '3');
    h2.unmount();
  });

  test('buttons post protocol messages', () => {
    h.send({ type: 'run', run: RUN, events: upTo(4), active: true });
    h.q('btn-stop').click();
    h.send({ type: 'events', runId: RUN.runId, events: [{ type: 'cancelled', epoch: 4 }] });
    assert.equal(h.root.dataset.status, 'cancelled');
    h.q('btn-train').click();
    assert.deepEqual(h.posted, [{ type: 'stop' }, { type: 'train' }]);
  });

  test("Ctrl+S (Cmd+S) in the view asks the host to save the view's spec; other keys do not", () => {
    const key = (init: KeyboardEventInit) => h.dom.window.dispatchEvent(new h.dom.window.KeyboardEvent('keydown', { bubbles: true, ...init }));
    key({ key: 's', ctrlKey: true });
    key({ key: 'S', metaKey: true });
    key({ key: 's' });
    key({ key: 's', ctrlKey: true, shiftKey: true }); // Save As: VS Code's own
    key({ key: 'a', ctrlKey: true });
    assert.deepEqual(h.posted, [{ type: 'save' }, { type: 'save' }]);
  });

  test('export SVG posts the whole figure', async () => {
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    h.q('btn-export-svg').click();
    await new Promise((r) => setTimeout(r, 0));
    const m = h.posted.find((p) => p.type === 'exportFigure');
    assert.ok(m && m.type === 'exportFigure' && m.format === 'svg');
    assert.match(m.data, /^<svg/);
    assert.match(m.data, /class="curve-test"/);
    h.send({ type: 'exported', path: '/tmp/fig.svg' });
    assert.match(h.root.textContent ?? '', /Saved \/tmp\/fig.svg/);
  });

  test("the host's export request is answered with exportFigure; the spec path is kept in the state", async () => {
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal((h.state.value as { specPath: string }).specPath, RUN.specPath);
    h.send({ type: 'export', format: 'svg' });
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(h.posted.map((p) => p.type), ['exportFigure']);
  });

  test('legend says when points are a sample; a slice note is shown', () => {
    const [start, frame0, ...rest] = EVENTS;
    assert.ok(start.type === 'start' && frame0.type === 'frame');
    const sampledStart = { ...start, points: { ...start.points, test: { ...start.points.test, sampled: true, total: 5000 } } };
    const sliced = [frame0, ...rest.slice(0, 3)].map((e) => (e.type === 'frame' ? { ...e, slice: 'x3 held at its mean' } : e));
    h.send({ type: 'run', run: RUN, events: [sampledStart, ...sliced], active: true });
    assert.match(h.root.querySelector('.legend')!.textContent!, /test: showing 24 of 5000 points \(class-balanced sample\)/);
    assert.doesNotMatch(h.root.querySelector('.legend')!.textContent!, /train: showing/);
    const slice = h.root.querySelector<HTMLElement>('.slice')!;
    assert.equal(slice.hidden, false);
    assert.match(slice.textContent!, /x3 held at its mean/);
  });

  test('a diverging loss (1.4 to 9e12 in five epochs): short y labels, a margin that fits them, the readout inside the chart', () => {
    let loss = 1.4;
    const diverging = upTo(5).map((e) => (e.type === 'epoch' ? { ...e, trainLoss: (loss *= 1e3), testLoss: loss * 2 } : e));
    h.send({ type: 'run', run: RUN, events: diverging, active: true });
    const chart = h.q('loss-chart');
    const labels = [...chart.querySelectorAll('.y-axis .tick text')].map((t) => t.textContent ?? '');
    assert.ok(labels.length >= 2, `labels ${labels}`);
    assert.ok(labels.every((l) => l.length <= 6), `short labels: ${labels}`);
    assert.ok(labels.some((l) => /e1[0-9]$/.test(l)), `exponent form: ${labels}`);
    const left = Number(/translate\(([\d.]+),0\)/.exec(chart.querySelector('.y-axis')!.getAttribute('transform')!)![1]);
    assert.ok(left >= axisMargin(labels, 0), `the axis at ${left} px fits ${labels}`);
    // Keyboard readout of the last epoch: short numbers, placed inside the chart.
    const svg = chart.querySelector('svg')!;
    svg.dispatchEvent(new h.dom.window.KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    const tip = chart.querySelector<HTMLElement>('.chart-tip')!;
    assert.equal(tip.hidden, false);
    assert.match(tip.textContent!, /^epoch 4: train \d\.\d{3}e15, test \d\.\d{3}e15$/);
    const x = Number(tip.style.left.replace('px', ''));
    assert.ok(x >= 0 && x <= Number(svg.getAttribute('width')), tip.style.left);
  });

  test('errors show their message', () => {
    h.send({ type: 'run', run: RUN, events: [...upTo(2), { type: 'error', code: 'diverged', message: 'Loss became NaN at epoch 2', epoch: 2 }], active: false });
    assert.equal(h.root.dataset.status, 'error');
    const err = h.q('error');
    assert.equal(err.hidden, false);
    assert.equal(err.dataset.code, 'diverged');
    // A heading says what failed and when; the trainer's message follows in full.
    assert.equal(err.querySelector('.error-title')!.textContent, 'Training diverged (epoch 2)');
    assert.equal(err.querySelector('.error-message')!.textContent, 'Loss became NaN at epoch 2');
    assert.equal(err.getAttribute('role'), 'alert');
    assert.equal((h.q('btn-train') as HTMLButtonElement).disabled, false);
    assert.equal((h.q('btn-train') as HTMLElement).textContent, 'Train again');
    // The plots of the epochs before stay, to see what went wrong.
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '2');
  });

  test("a run that diverged, as the trainer words it, and a run that failed before it started", () => {
    h.send({ type: 'run', run: RUN, events: withOutcome(EVENTS, 'error', 12), active: false });
    assert.equal(h.root.dataset.status, 'error');
    assert.equal(h.q('error').querySelector('.error-title')!.textContent, 'Training diverged (epoch 12)');
    assert.match(h.q('error').textContent!, /try a smaller learning rate/);
    assert.equal(h.q('epoch').textContent, '12/20');
    h.send({ type: 'run', run: { ...RUN, runId: 'r2' }, events: [{ type: 'error', code: 'crashed', message: 'The trainer process exited (code 134).' }], active: false });
    assert.equal(h.root.dataset.status, 'error');
    assert.equal(h.q('error').querySelector('.error-title')!.textContent, 'The trainer stopped unexpectedly');
    assert.match(h.root.querySelector('.notice')!.textContent!, /failed before training started/);
    assert.equal(h.q('error').dataset.code, 'crashed');
    // A later good run clears the error.
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(h.q('error').hidden, true);
    assert.equal(h.q('error').dataset.code, undefined);
  });

  test('a stopped run says so in words: after how many epochs, and why there is no evaluation', () => {
    h.send({ type: 'run', run: RUN, events: withOutcome(EVENTS, 'cancelled', 8), active: false });
    assert.equal(h.root.dataset.status, 'cancelled');
    const out = h.root.querySelector<HTMLElement>('.outcome')!;
    assert.equal(out.hidden, false);
    assert.equal(out.getAttribute('role'), 'status');
    assert.match(out.textContent!, /^Stopped after 8 of 20 epochs: train acc \d+\.\d\d%, test acc \d+\.\d\d%\. .*no final evaluation/);
    assert.equal(h.q('error').hidden, true);
    assert.equal(h.root.querySelector<HTMLElement>('.evaluation')!.hidden, true);
    assert.equal((h.q('replay-slider') as HTMLInputElement).disabled, false);
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(out.hidden, true);
  });

  test('an idle spec with problems says where they are, as a warning', () => {
    h.send({ type: 'idle', specName: 'notebook', specPath: '/w/notebook.blobs.json', problems: 3 });
    const notice = h.root.querySelector<HTMLElement>('.notice')!;
    assert.equal(notice.hidden, false);
    assert.ok(notice.classList.contains('notice-problems'));
    assert.equal(notice.textContent, 'notebook has 3 problems to fix before it can train. They are underlined in the spec and listed in the Problems panel; Train takes you to the first.');
    h.send({ type: 'idle', specName: 'notebook', specPath: '/w/notebook.blobs.json', problems: 1 });
    assert.match(notice.textContent!, /has 1 problem to fix.*It is underlined/);
    h.send({ type: 'idle', specName: 'notebook', specPath: '/w/notebook.blobs.json', problems: 0 });
    assert.ok(!notice.classList.contains('notice-problems'));
    assert.match(notice.textContent!, /No run of notebook yet/);
  });

  test('the untrained (epoch 0) boundary shows as soon as the run starts', () => {
    h.send({ type: 'run', run: RUN, events: EVENTS.slice(0, 2), active: true });
    assert.equal(h.root.dataset.status, 'running');
    assert.equal(h.q('boundary-train').dataset.frameEpoch, '0');
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '0');
    assert.match(h.q('boundary-test').querySelector('.plot-title')!.textContent!, /^Test · epoch 0 · untrained$/);
  });

  test('a plot always names the epoch it shows; "untrained" only at epoch 0', () => {
    const upTo = EVENTS.findIndex((e) => e.type === 'frame' && e.epoch === 10);
    h.send({ type: 'run', run: RUN, events: EVENTS.slice(0, upTo + 3), active: true });
    const title = h.q('boundary-train').querySelector('.plot-title')!.textContent!;
    assert.match(title, /^Train · epoch 10 · acc \d+\.\d\d%$/);
    assert.doesNotMatch(title, /untrained/);
    assert.match(h.q('boundary-train').querySelector('canvas')!.getAttribute('aria-label')!, /after 10 epochs, accuracy/);
  });

  test('no "Compare 0 earlier runs": the compare control appears only once there is an earlier run', () => {
    const cmp = () => h.root.querySelector<HTMLElement>('#opt-compare');
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(cmp(), null, 'no history yet');
    h.send({ type: 'history', runs: [{ run: RUN, epochs: [lastEpoch()] }] });
    assert.equal(cmp(), null, 'only the run shown: nothing to compare');
    assert.doesNotMatch(h.root.textContent ?? '', /Compare 0/);
    const earlier = synthRun({ seed: 3, nSamples: 120, epochs: 20, resolution: 5, lr: 0.01 }).filter((e): e is EpochEvent => e.type === 'epoch');
    h.send({ type: 'history', runs: [{ run: { ...RUN, runId: 'old' }, epochs: earlier }, { run: RUN, epochs: [lastEpoch()] }] });
    assert.equal(cmp()?.textContent, 'Compare 1 earlier run');
    assert.equal(cmp()?.previousElementSibling?.id, 'opt-log', 'in the toolbar, after Log-scale loss');
    h.send({ type: 'history', runs: [{ run: RUN, epochs: [lastEpoch()] }] });
    assert.equal(cmp(), null, 'gone again when the earlier runs are');
  });

  test('compare overlay draws earlier runs; log scale from the checkbox', () => {
    const earlier = synthRun({ seed: 3, nSamples: 120, epochs: 20, resolution: 5, lr: 0.01 }).filter((e): e is EpochEvent => e.type === 'epoch');
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    h.send({ type: 'history', runs: [{ run: { ...RUN, runId: 'old' }, epochs: earlier }, { run: RUN, epochs: [lastEpoch()] }] });
    assert.equal(h.q('loss-chart').querySelectorAll('g.compare path').length, 2, 'train + test of the one earlier run (not the current)');
    const log = h.root.querySelector<HTMLInputElement>('#opt-log')!;
    log.click();
    h.app.flush();
    assert.equal((h.state.value as { logLoss: boolean }).logLoss, true);
    const ticks = [...h.q('loss-chart').querySelectorAll('g.y-axis .tick text')].map((t) => t.textContent);
    assert.ok(ticks.includes('1'), `log ticks ${ticks}`);
  });

  test("the controls are the toolkit's components: named, focusable, disabled when idle, and they drive the options", async () => {
    type Control = HTMLElement & { disabled?: boolean; checked?: boolean; value?: string };
    const tick = () => new Promise((r) => setTimeout(r, 20)); // FAST renders attribute changes in a batch
    for (const id of ['btn-train', 'btn-stop', 'btn-export-png', 'btn-export-svg']) {
      const b = h.q(id);
      assert.equal(b.localName, 'vscode-button', id);
      assert.ok(b.shadowRoot?.querySelector('button'), `${id} is a defined component`);
      assert.ok(b.getAttribute('aria-label'), `${id} has an accessible name`);
    }
    // Idle: Stop is disabled (its inner, focusable <button> too) and a click does nothing.
    const stop = h.q('btn-stop') as Control;
    assert.equal(stop.disabled, true);
    await tick();
    assert.equal(stop.shadowRoot!.querySelector('button')!.disabled, true);
    stop.click();
    assert.deepEqual(h.posted, []);
    h.send({ type: 'run', run: RUN, events: upTo(3), active: true });
    await tick();
    assert.equal(stop.shadowRoot!.querySelector('button')!.disabled, false);
    assert.equal((h.q('btn-train') as Control).disabled, true);
    h.send({ type: 'events', runId: RUN.runId, events: EVENTS.slice(upTo(3).length) });
    assert.equal(h.root.dataset.status, 'completed');

    const palette = h.root.querySelector<Control>('#opt-palette')!;
    const split = h.root.querySelector<Control>('#opt-split')!;
    const log = h.root.querySelector<Control>('#opt-log')!;
    assert.deepEqual([palette.localName, split.localName, log.localName], ['vscode-dropdown', 'vscode-dropdown', 'vscode-checkbox']);
    assert.equal(palette.getAttribute('aria-label'), 'Colours');
    assert.equal(split.getAttribute('aria-label'), 'Evaluate on');
    assert.equal(log.textContent, 'Log-scale loss');
    for (const c of [palette, split, log]) assert.equal(c.getAttribute('tabindex'), '0', `${c.id} is in the tab order`);
    assert.equal(palette.value, 'categorical');
    assert.equal(split.value, 'test');
    // Choosing an option as a user does: open the dropdown, click the option.
    const choose = (dd: Control, value: string) => {
      dd.click();
      dd.querySelector<HTMLElement>(`vscode-option[value="${value}"]`)!.click();
      h.app.flush();
    };
    choose(palette, 'notebook');
    choose(split, 'train');
    log.click();
    h.app.flush();
    assert.equal(palette.value, 'notebook');
    assert.equal(split.value, 'train');
    assert.deepEqual((({ palette: p, confusionSplit, logLoss }) => ({ p, confusionSplit, logLoss }))(h.state.value as { palette: string; confusionSplit: string; logLoss: boolean }), {
      p: 'notebook',
      confusionSplit: 'train',
      logLoss: true,
    });
    assert.match(h.q('confusion').textContent ?? '', /train/);
    // A reloaded view shows the stored choices.
    const h2 = mount('panel', h.state.value);
    await tick(); // options are slotted (slotchange) after the dropdown connects
    assert.equal(h2.root.querySelector<Control>('#opt-palette')!.value, 'notebook');
    assert.equal(h2.root.querySelector<Control>('#opt-split')!.value, 'train');
    assert.equal(h2.root.querySelector<Control>('#opt-log')!.checked, true);
    h2.unmount();
  });

  test('a theme switch (body class only, as VS Code does) recolours the figure', async () => {
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    const exportSvg = async () => {
      h.posted.length = 0;
      h.q('btn-export-svg').click();
      await new Promise((r) => setTimeout(r, 0));
      return (h.posted[0] as { data: string }).data;
    };
    assert.match(await exportSvg(), /<rect x="0" y="0" width="960" height="\d+" fill="#ffffff"/);
    h.dom.window.document.body.className = 'vscode-dark';
    await new Promise((r) => setTimeout(r, 0)); // MutationObserver callbacks are microtasks
    h.app.flush();
    assert.match(await exportSvg(), /<rect x="0" y="0" width="960" height="\d+" fill="#1e1e1e"/);
  });

  test('200,000 points sent unsampled: the view caps what it draws on its own, per frame, and says so', () => {
    const ctx = fakeCanvas();
    try {
      const big = inflatePoints(EVENTS, 200_000);
      h.send({ type: 'run', run: RUN, events: big, active: false });
      const arcs = ctx.calls.arc;
      // Train and Test plots: at most the cap each, plus the rings of misclassified ones.
      assert.ok(arcs > 0 && arcs <= 2 * 2 * 2500, `arcs ${arcs}`);
      assert.match(h.root.querySelector('.legend')!.textContent!, /train: showing 2500 of 160000 points \(class-balanced sample\)/);
      assert.match(h.root.querySelector('.legend')!.textContent!, /test: showing 2500 of 40000 points/);
      // The heatmap goes through putImageData, one image per plot, drawn finer than the
      // 21 x 21 grid, a whole number of times (smooth boundaries, heatmap.ts smoothHeatmapRgba).
      assert.equal(ctx.images.length, 2);
      assert.deepEqual(ctx.images[0], ctx.images[1]);
      const [w, hgt] = ctx.images[0];
      assert.ok(w === hgt && w % 21 === 0 && w > 21, `${w} x ${hgt}`);
      // Scrubbing: each redraw decodes its frame and draws the capped points, never all
      // 200,000 (how long that takes is the harness's timing run's, not a unit test's).
      const slider = h.q('replay-slider') as HTMLInputElement;
      for (let e = 0; e <= 20; e++) {
        ctx.calls.arc = 0;
        slider.value = String(e);
        slider.dispatchEvent(new h.dom.window.Event('input'));
        h.app.flush();
        assert.ok(Number(h.q('boundary-test').dataset.frameEpoch) <= e, 'the frame at or before the epoch');
        assert.ok(ctx.calls.arc > 0 && ctx.calls.arc <= 2 * 2 * 2500, `arcs ${ctx.calls.arc}`);
      }
    } finally {
      ctx.restore();
    }
  });

  test('12 classes: squares past the eighth class, on the canvas and in the legend', () => {
    const ctx = fakeCanvas();
    try {
      h.send({ type: 'run', run: RUN, events: synthRun({ nClasses: 12, nSamples: 240, epochs: 4, resolution: 11, frameEvery: 1 }), active: false });
      // Circles are arcs; squares are four lines and a close each.
      assert.ok(ctx.calls.closePath > 0, 'square markers drawn');
      assert.equal(ctx.calls.lineTo, 3 * ctx.calls.closePath);
      const swatches = [...h.root.querySelectorAll('.legend .swatch:not(.ring)')].map((e) => e.className);
      assert.equal(swatches.length, 12);
      // A named group (aria-label on a plain div is not announced).
      assert.equal(h.root.querySelector('.legend')!.getAttribute('role'), 'group');
      assert.deepEqual(swatches.slice(6, 10), ['swatch shape-circle', 'swatch shape-circle', 'swatch shape-square', 'swatch shape-square']);
    } finally {
      ctx.restore();
    }
  });

  test('no DOM node per grid cell: the element count does not depend on the resolution', () => {
    const count = (res: number) => {
      const hh = mount();
      hh.send({ type: 'run', run: RUN, events: synthRun({ nSamples: 120, epochs: 6, resolution: res, frameEvery: 2 }), active: false });
      const n = hh.root.querySelectorAll('*').length;
      hh.unmount();
      return n;
    };
    assert.equal(count(11), count(101));
  });

  test('loss chart SVG snapshot', () => {
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assertSnapshot('webview-loss-chart.svg', h.q('loss-chart').querySelector('svg')!.outerHTML);
  });
});

describe('webview playback (a hand-driven clock)', () => {
  // Every epoch has its frame, as the trainer records a short run.
  const RUN20 = synthRun({ nSamples: 120, epochs: 20, resolution: 11, frameEvery: 1 });
  const REF = { runId: RUN20[0].type === 'start' ? RUN20[0].runId : 'x', specPath: '/w/notebook.blobs.json', specName: 'notebook' };
  const upTo20 = (epochs: number) => {
    const i = RUN20.findIndex((e) => e.type === 'epoch' && e.epoch + 1 > epochs);
    return RUN20.slice(0, i < 0 ? RUN20.length : i);
  };
  let h: Harness;
  let t: { now: number };
  /** `ms` of animation frames, 50 ms apart (what the scheduler's frames do, by hand). */
  const play = (ms: number) => {
    for (let s = 0; s < ms; s += 50) {
      t.now += 50;
      h.app.flush();
    }
  };
  const shown = () => Number(h.root.dataset.shownEpoch);
  const curvePoints = () => ((h.q('loss-chart').querySelector('path.curve-train')?.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length;
  beforeEach(() => {
    t = { now: 1000 };
    h = mount('panel', null, 'vscode-light', () => t.now);
  });
  afterEach(() => h.unmount());

  test('a run that ended before the view loaded is told from the untrained model, in about 3 s, every part following the shown epoch', () => {
    h.send({ type: 'run', run: REF, events: RUN20, active: false });
    assert.equal(h.root.dataset.status, 'completed');
    assert.equal(h.root.dataset.epoch, '20', "data-epoch is the trainer's progress");
    assert.equal(shown(), 0);
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '0');
    assert.equal(h.q('epoch').textContent, '0/20');
    assert.equal(h.q('ahead').textContent, 'trained to 20, showing 0');
    assert.equal(h.root.dataset.playing, 'true');
    assert.equal(h.root.querySelector<HTMLElement>('.evaluation')!.hidden, true, 'no evaluation of the final model before it is shown');
    assert.ok(h.root.dataset.firstFrameAt, 'the first frame is timed');
    assert.equal(h.root.dataset.firstFrameEpoch, '0', 'and it is the untrained model');

    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      play(50);
      seen.add(shown());
      assert.equal(h.q('boundary-test').dataset.frameEpoch, String(shown()), 'the boundary of the shown epoch');
      assert.equal(h.q('epoch').textContent, `${shown()}/20`);
      assert.equal(curvePoints(), shown(), 'curves up to the shown epoch');
    }
    const at1500 = shown();
    assert.ok(at1500 >= 4 && at1500 <= 6, `half the time, a quarter of the epochs (eased: the early ones get the time): ${at1500}`);
    for (let i = 0; i < 32; i++) {
      play(50);
      seen.add(shown());
    }
    assert.equal(shown(), 20);
    assert.ok(seen.size >= 19, `nearly every epoch shown: ${[...seen]}`);
    assert.equal(h.q('ahead').hidden, true);
    assert.equal(h.root.querySelector<HTMLElement>('.evaluation')!.hidden, false, 'the evaluation once the final model is shown');
    assert.equal(h.root.dataset.playing, 'false', 'the story is over');
    assert.equal(h.q('btn-play').querySelector('svg')?.dataset.icon, 'replay');
    assert.equal(h.q('btn-play').getAttribute('aria-label'), 'Play the run again from the untrained model');
    // Play again: from the untrained model.
    h.q('btn-play').click();
    h.app.flush();
    assert.equal(shown(), 0);
    assert.equal(h.root.dataset.playing, 'true');
  });

  test('the slider is the playback: dragging it pauses there; play goes on from there; jump to the latest', () => {
    h.send({ type: 'run', run: REF, events: RUN20, active: false });
    play(600);
    const slider = h.q('replay-slider') as HTMLInputElement;
    slider.value = '13';
    slider.dispatchEvent(new h.dom.window.Event('input'));
    h.app.flush();
    assert.equal(shown(), 13);
    assert.equal(h.root.dataset.playing, 'false');
    assert.equal(h.q('ahead').textContent, 'trained to 20, showing 13 (playback paused)');
    play(2000);
    assert.equal(shown(), 13, 'a paused playback holds');
    assert.equal(h.q('btn-play').querySelector('svg')?.dataset.icon, 'play');
    h.q('btn-play').click();
    play(300);
    assert.ok(shown() > 13 && shown() < 20, `${shown()}`);
    h.q('btn-end').click();
    h.app.flush();
    assert.equal(shown(), 20);
    assert.equal((h.q('btn-end') as HTMLButtonElement).disabled, true);
  });

  test('the speed control, and the setting: a changed setting wins, a resent one does not undo the choice', () => {
    h.send({ type: 'options', playback: '8x' });
    h.send({ type: 'run', run: REF, events: RUN20, active: false });
    play(400);
    assert.equal(shown(), 20, '×8: the story in 375 ms');
    const speed = h.root.querySelector<HTMLElement & { value: string }>('#opt-speed')!;
    assert.equal(speed.value, '8x');
    speed.click();
    speed.querySelector<HTMLElement>('vscode-option[value="0.25x"]')!.click();
    h.q('btn-play').click(); // again, at ×¼
    play(6000);
    assert.ok(shown() >= 4 && shown() <= 6, `×¼: after 6 s, where ×1 is after 1.5 s: ${shown()}`);
    assert.equal((h.state.value as { speed: string }).speed, '0.25x');
    h.send({ type: 'options', playback: '8x' }); // the snapshot resent: same setting
    assert.equal(speed.value, '0.25x');
    h.send({ type: 'options', playback: 'live' }); // the setting changed
    assert.equal(speed.value, 'live');
    h.app.flush();
    assert.equal(shown(), 20, 'live: every trained epoch at once');
  });

  test('training runs ahead of the view, and is never waited for; a live-followed run shows what comes', () => {
    h.send({ type: 'run', run: REF, events: upTo20(2), active: true });
    play(1200);
    assert.equal(shown(), 2, 'caught up with the trainer');
    h.send({ type: 'events', runId: REF.runId, events: RUN20.slice(upTo20(2).length, upTo20(16).length) });
    assert.equal(h.root.dataset.epoch, '16');
    assert.match(h.q('ahead').textContent ?? '', /^trained to 16, showing [2-4]$/);
    play(3000);
    assert.equal(shown(), 16);
    assert.equal(h.q('ahead').hidden, true);
    assert.equal(h.root.querySelector('.replay-label')?.textContent, 'epoch 16/20 (latest)');
  });

  test('training controls: pause, resume, step; a step shows its epoch wherever the playback stood', () => {
    h.send({ type: 'run', run: REF, events: upTo20(6), active: true });
    const visible = (id: string) => h.q(id).style.display !== 'none';
    assert.deepEqual(['btn-pause', 'btn-resume', 'btn-step-1', 'btn-step-10'].map(visible), [true, false, false, false]);
    h.q('btn-pause').click();
    // The trainer answers: the paused model's frame, then `paused`.
    h.send({ type: 'events', runId: REF.runId, events: [{ type: 'paused', epoch: 6 }] });
    assert.equal(h.root.querySelector('.status')?.textContent, 'training paused');
    assert.deepEqual(['btn-pause', 'btn-resume', 'btn-step-1', 'btn-step-10'].map(visible), [false, true, true, true]);
    play(3000);
    assert.equal(shown(), 6, 'the playback catches up and stops at the trained epoch');
    // The user looks back at epoch 2, then steps once: the view shows epoch 7.
    const slider = h.q('replay-slider') as HTMLInputElement;
    slider.value = '2';
    slider.dispatchEvent(new h.dom.window.Event('input'));
    h.q('btn-step-1').click();
    const step = RUN20.slice(upTo20(6).length, upTo20(7).length).filter((e) => e.type !== 'log');
    h.send({ type: 'events', runId: REF.runId, events: [...step, { type: 'paused', epoch: 7 }] });
    play(200);
    assert.equal(shown(), 7);
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '7');
    h.q('btn-step-10').click();
    h.q('btn-resume').click();
    assert.deepEqual(h.posted, [{ type: 'pause' }, { type: 'step', epochs: 1 }, { type: 'step', epochs: 10 }, { type: 'resume' }]);
  });

  test('a view reloaded mid-story goes on from where it stood; the same run resent does not restart it', () => {
    h.send({ type: 'run', run: REF, events: RUN20, active: false });
    play(1800);
    const at = shown();
    assert.ok(at > 4);
    // The host resends the run when the view is shown again (document intact): no restart.
    h.send({ type: 'run', run: REF, events: RUN20, active: false });
    assert.equal(shown(), at);
    // A reloaded document: from the saved position.
    const saved = (h.state.value as { replay: { epoch: number } }).replay.epoch;
    assert.ok(saved > 0 && saved <= at, `${saved}`);
    const h2 = mount('panel', h.state.value, 'vscode-light', () => t.now);
    h2.send({ type: 'run', run: REF, events: RUN20, active: false });
    assert.equal(Number(h2.root.dataset.shownEpoch), saved);
    assert.equal(h2.root.dataset.playing, 'true');
    h2.unmount();
  });
});

describe('webview → host messages', () => {
  test('pause, resume and step are validated like the others: a step asks for 1 to 1000 whole epochs', () => {
    for (const m of [{ type: 'pause' }, { type: 'resume' }, { type: 'step', epochs: 1 }, { type: 'step', epochs: 10 }, { type: 'step', epochs: 1000 }]) {
      assert.equal(isWebviewToHost(m), true, JSON.stringify(m));
    }
    for (const m of [{ type: 'pause', epochs: 1 }, { type: 'step' }, { type: 'step', epochs: 0 }, { type: 'step', epochs: 1.5 }, { type: 'step', epochs: 1001 }, { type: 'step', epochs: '1' }, { type: 'step', epochs: 1, x: 1 }]) {
      assert.equal(isWebviewToHost(m), false, JSON.stringify(m));
    }
  });
});

describe('the PyTorch notebook button', () => {
  test("the panel's toolbar asks the host to open the spec as a PyTorch notebook; the message is guarded", () => {
    const h = mount('panel', undefined, 'vscode-dark');
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    h.q('btn-notebook').click();
    assert.deepEqual(h.posted.filter((m) => m.type === 'openNotebook'), [{ type: 'openNotebook' }]);
    assert.equal(isWebviewToHost({ type: 'openNotebook' }), true);
    assert.equal(isWebviewToHost({ type: 'openNotebook', path: '/etc/passwd' }), false);
    h.unmount();
  });
});

describe('webview side view', () => {
  test('compact: test boundary only, open-panel button, no evaluation', () => {
    const h = mount('side', undefined, 'vscode-dark');
    h.send({ type: 'run', run: RUN, events: EVENTS, active: false });
    assert.equal(h.root.querySelector('[data-testid="boundary-train"]'), null);
    assert.equal(h.q('boundary-test').dataset.frameEpoch, '20');
    assert.equal(h.q('epoch').textContent, '20/20');
    h.q('btn-open-panel').click();
    assert.deepEqual(h.posted, [{ type: 'openPanel' }]);
    assert.equal(h.root.querySelector('[data-testid="confusion"]'), null);
    h.unmount();
  });
});

describe('scheduler', () => {
  test('many requests between two frames draw once, with the latest state', () => {
    const queue: FrameRequestCallback[] = [];
    const win = { requestAnimationFrame: (cb: FrameRequestCallback) => queue.push(cb), cancelAnimationFrame: () => undefined };
    let draws = 0;
    const s = createScheduler(() => draws++, win);
    for (let i = 0; i < 50; i++) s.request();
    assert.equal(queue.length, 1);
    queue.shift()!(0);
    assert.equal(draws, 1);
    s.request();
    assert.equal(queue.length, 1);
  });
});

describe('webview model', () => {
  test('frameAtOrBefore', () => {
    const frames = [0, 1, 5, 10].map((epoch) => ({ epoch }) as FrameEvent);
    assert.equal(frameAtOrBefore(frames, 7)?.epoch, 5);
    assert.equal(frameAtOrBefore(frames, 10)?.epoch, 10);
    assert.equal(frameAtOrBefore(frames, 100)?.epoch, 10);
    assert.equal(frameAtOrBefore(frames, -1)?.epoch, 0);
    assert.equal(frameAtOrBefore([], 3), undefined);
  });
  test('replayed duplicates are not doubled; frames are thinned past the cap', () => {
    const m = emptyModel();
    applyEvents(m, upTo(5));
    applyEvents(m, upTo(5).slice(1));
    assert.equal(m.epochs.length, 5);
    assert.deepEqual(m.epochs.map((e) => e.epoch), [0, 1, 2, 3, 4]);
    const f = EVENTS.find((e): e is FrameEvent => e.type === 'frame')!;
    const many = Array.from({ length: MAX_FRAMES + 50 }, (_, i) => ({ ...f, epoch: i }));
    const m2 = emptyModel();
    applyEvents(m2, [EVENTS[0], ...many]);
    assert.ok(m2.frames.length <= MAX_FRAMES);
    assert.equal(m2.frames[0].epoch, 0);
    assert.equal(m2.frames.at(-1)!.epoch, MAX_FRAMES + 49);
  });
  test("the run's state is the core reducer's: the host's status words, nothing folded after the end", () => {
    const m = emptyModel();
    applyEvents(m, EVENTS);
    assert.equal(m.state?.status, 'completed');
    const epochs = m.epochs.length;
    applyEvents(m, [{ type: 'error', code: 'crashed', message: 'exited after done' }, EVENTS[3]]);
    assert.equal(m.state?.status, 'completed');
    assert.equal(m.state?.error, undefined);
    assert.equal(m.epochs.length, epochs);
  });
});

describe('chart layout (pure)', () => {
  test('axis labels stay short at every scale', () => {
    assert.deepEqual([0, 0.25, 1.5, 3, 12000, 1e5, 3e12, 1.5e27, 1e-4, 0.002].map(axisNumber), ['0', '0.25', '1.5', '3', '12000', '1e5', '3e12', '1.5e27', '1e-4', '0.002']);
  });

  test('the margin grows with the longest label, never below the base', () => {
    assert.equal(axisMargin(['0', '1', '2'], 44), 44);
    assert.equal(axisMargin(['0', '5e26', '1.5e27'], 44), 48);
    assert.ok(axisMargin(['3000000000000'], 44) >= 12 + 6 * 13);
  });

  test('the readout stays inside the chart: right of the cursor, else left, else clamped', () => {
    assert.equal(tipLeft(50, 100, 400), 58);
    assert.equal(tipLeft(350, 100, 400), 242);
    assert.equal(tipLeft(60, 100, 120), 0, 'no room either side: at the left edge');
    assert.equal(tipLeft(10, 300, 200), 0, 'wider than the chart (the CSS caps it): at the left edge');
  });

  test('panel charts are shorter in a narrow panel, 150 to 220 px; the side view keeps 110', () => {
    assert.deepEqual([200, 400, 600, 1000].map((w) => chartHeight(w, false)), [150, 180, 220, 220]);
    assert.equal(chartHeight(300, true), 110);
  });
});

// ---------------------------------------------------------------------------
// Steering and looking inside: the spec controls, the network view, the probe, the
// comparison legend. Runs of the real trainer (wasm) with the notebook's 2-8-8-4 net, so
// frames carry the weights exactly as the product sends them.

async function trainerRun(edit: (s: Record<string, any>) => void = () => undefined): Promise<TrainerEvent[]> {
  const { runSpec } = await import('../../src/core/train/run');
  const { NOTEBOOK_SPEC } = await import('../../src/core/spec/defaults');
  const spec = JSON.parse(JSON.stringify(NOTEBOOK_SPEC));
  spec.device = 'wasm';
  spec.boundary.every = 10;
  spec.training.epochs = 30;
  edit(spec);
  const out: TrainerEvent[] = [];
  for await (const e of runSpec(JSON.stringify(spec), '/tmp/blobs-webview-test/nb.blobs.json', {})) out.push(e);
  return out;
}

const SPEC_VALUES = {
  type: 'spec' as const, specPath: '/w/notebook.blobs.json', errors: 0, problems: [],
  values: { generator: 'make_blobs', lr: 0.1, epochs: 100, optimizer: 'sgd', activation: 'none', hidden_units: [8, 8], batch_size: 'full' as const, n_samples: 1000, cluster_std: 1.5, seed: 42 },
};

describe('webview: steering and looking inside', () => {
  let h: Harness;
  let nb: TrainerEvent[];
  let nbRun: typeof RUN;
  before(async () => {
    nb = await trainerRun();
    nbRun = { runId: (nb[0] as Extract<TrainerEvent, { type: 'start' }>).runId, specPath: '/w/notebook.blobs.json', specName: 'notebook' };
  });
  beforeEach(() => (h = mount()));
  afterEach(() => h.unmount());
  const tick = () => new Promise((r) => setTimeout(r, 20));
  const ctl = (field: string) => h.root.querySelector<HTMLElement>(`.control[data-field="${field}"]`)!;

  test('the controls show the spec the host read, disabled until then; a change posts editSpec (valid protocol)', async () => {
    const lrText = () => h.root.querySelector<HTMLElement & { value: string }>('#ctl-lr-text')!;
    assert.equal((lrText() as unknown as { disabled: boolean }).disabled, true, 'no spec yet');
    h.send(SPEC_VALUES);
    await tick();
    assert.equal(lrText().value, '0.1');
    // Closed (the default), the section is one line: the spec's values.
    const details = h.q('controls') as HTMLDetailsElement;
    assert.equal(details.open, false);
    assert.equal(details.querySelector('.controls-note')!.textContent, 'hidden [8, 8] · none · sgd lr 0.1 · 100 epochs · batch full · 1000 samples · cluster_std 1.5 · seed 42');
    const slider = h.root.querySelector<HTMLInputElement>('[data-testid="ctl-lr-slider"]')!;
    assert.equal(Number(slider.value), 9, 'lr 0.1 is stop 9 of the 1-2-5 scale');
    // Dragging: the text follows at once; the spec is edited when the slider settles.
    slider.value = '7';
    slider.dispatchEvent(new window.Event('input'));
    slider.value = '6';
    slider.dispatchEvent(new window.Event('input'));
    assert.equal(lrText().value, '0.01');
    assert.deepEqual(h.posted.filter((m) => m.type === 'editSpec'), [], 'nothing while it moves');
    slider.dispatchEvent(new window.Event('change'));
    assert.deepEqual(h.posted.filter((m) => m.type === 'editSpec'), [{ type: 'editSpec', id: 1, field: 'lr', value: 0.01 }]);
    // Hidden layers: add one, remove one.
    h.q('btn-add-layer').click();
    assert.deepEqual(h.posted.at(-1), { type: 'editSpec', id: 2, field: 'hidden_units', value: [8, 8, 8] });
    h.root.querySelectorAll<HTMLElement>('[data-testid="btn-remove-layer"]')[0].click();
    assert.deepEqual(h.posted.at(-1), { type: 'editSpec', id: 3, field: 'hidden_units', value: [8] });
    // Typed values: a word is refused here, a number goes to the host.
    const epochs = h.root.querySelector<HTMLElement & { value: string }>('#ctl-epochs')!;
    epochs.value = 'lots';
    epochs.dispatchEvent(new window.Event('change'));
    assert.match(ctl('epochs').querySelector('.control-msg')!.textContent!, /Enter a number/);
    epochs.value = '250';
    epochs.dispatchEvent(new window.Event('change'));
    assert.deepEqual(h.posted.at(-1), { type: 'editSpec', id: 4, field: 'epochs', value: 250 });
    // The blobs generator shows cluster_std, not noise.
    assert.equal(ctl('noise').hidden, true);
    assert.equal(ctl('cluster_std').hidden, false);
  });

  test("a refused edit shows the validator's message in the control, until the spec's value changes; typing in the editor moves the controls", async () => {
    h.send(SPEC_VALUES);
    await tick();
    const slider = h.root.querySelector<HTMLInputElement>('[data-testid="ctl-lr-slider"]')!;
    slider.value = '15';
    slider.dispatchEvent(new window.Event('change'));
    const id = (h.posted.at(-1) as { id: number }).id;
    h.send({ type: 'editResult', id, field: 'lr', ok: false, message: '`training.lr` must be at most 5, but it is 10.' });
    assert.match(ctl('lr').querySelector('.control-msg')!.textContent!, /must be at most 5/);
    assert.equal(ctl('lr').classList.contains('invalid'), true);
    assert.equal(slider.value, '9', 'the slider goes back to the spec');
    // The same spec again: the message stays. The spec's lr changed (typed in the editor): it goes.
    h.send(SPEC_VALUES);
    assert.match(ctl('lr').querySelector('.control-msg')!.textContent!, /at most 5/);
    h.send({ ...SPEC_VALUES, values: { ...SPEC_VALUES.values, lr: 0.5, activation: 'relu' } });
    assert.equal(ctl('lr').querySelector<HTMLElement>('.control-msg')!.hidden, true);
    assert.equal(slider.value, '11');
    await tick();
    assert.equal(h.root.querySelector<HTMLElement & { value: string }>('#ctl-activation')!.value, 'relu');
    // Problems typed in the editor show on their control; others are counted in the note.
    h.send({ ...SPEC_VALUES, errors: 2, problems: [{ field: 'epochs', message: '`training.epochs` must be at least 1, but it is 0.' }] });
    assert.match(ctl('epochs').textContent!, /at least 1/);
    assert.match(h.q('controls').querySelector('.controls-note')!.textContent!, /2 problems/);
  });

  test('the network view of the notebook net: 2 inputs, 16 hidden maps, 4 outputs; it follows the shown epoch', async () => {
    const fake = fakeCanvas();
    try {
      h.send({ type: 'run', run: nbRun, events: nb, active: false });
      assert.equal(h.q('network').hidden, true, 'off until toggled');
      h.root.querySelector<HTMLElement>('#opt-network')!.click();
      h.app.flush();
      assert.equal(h.q('network').hidden, false);
      const units = (kind: string) => h.root.querySelectorAll(`[data-testid="net-unit"][data-kind="${kind}"]`).length;
      assert.deepEqual([units('input'), units('hidden'), units('output')], [2, 16, 4]);
      assert.equal(h.q('network').querySelector('.net-stage')!.getAttribute('data-epoch'), '30');
      assert.equal(h.root.querySelectorAll('.net-links path').length, 2 * 8 + 8 * 8 + 8 * 4);
      const widths = () => [...h.root.querySelectorAll('.net-links path')].map((p) => p.getAttribute('stroke-width')).join();
      const before = widths();
      // Replay epoch 10: the network redraws from that frame's weights.
      const slider = h.q('replay-slider') as HTMLInputElement;
      slider.value = '10';
      slider.dispatchEvent(new window.Event('input'));
      h.app.flush();
      assert.equal(h.q('network').querySelector('.net-stage')!.getAttribute('data-epoch'), '10');
      assert.notEqual(widths(), before);
      assert.match(h.q('net-note').textContent!, /activation none/);
      // Hover a hidden unit: its incoming weights and bias.
      const unit = h.root.querySelector<HTMLElement>('[data-testid="net-unit"][data-layer="1"][data-unit="2"]')!;
      unit.dispatchEvent(new window.Event('pointerenter'));
      const card = h.q('net-card');
      assert.equal(card.hidden, false);
      assert.match(card.textContent!, /hidden layer 1, unit 3/);
      assert.match(card.textContent!, /bias -?\d/);
      assert.match(card.textContent!, /incoming weights: x[12] [+-]\d/);
      unit.dispatchEvent(new window.Event('pointerleave'));
      assert.equal(card.hidden, true);
      assert.equal((h.state.value as { network: boolean }).network, true, 'the toggle is remembered');
    } finally {
      fake.restore();
    }
  });

  test('wide layers are capped and said so; a model without weights says why there are no maps', async () => {
    const wide = await trainerRun((s) => {
      s.model.hidden_units = [40];
      s.training.epochs = 3;
    });
    const h2 = mount('panel', { network: true });
    try {
      h2.send({ type: 'run', run: { ...nbRun, runId: (wide[0] as { runId: string }).runId }, events: wide, active: false });
      assert.equal(h2.root.querySelectorAll('[data-testid="net-unit"][data-kind="hidden"]').length, 16);
      assert.match(h2.q('net-note').textContent!, /showing 16 of 40 units of hidden layer 1/);
      const stripped = wide.map((e) => (e.type === 'frame' ? { ...e, weights: undefined } : e));
      h2.send({ type: 'run', run: { ...nbRun, runId: 'no-weights' }, events: stripped, active: false });
      assert.match(h2.q('net-note').textContent!, /no unit maps: the trainer sends the weights of models up to 4,096 parameters/);
    } finally {
      h2.unmount();
    }
  });

  test('the probe: hovering a plot shows every class probability (sum 1 ± 1e-6) for the shown epoch; a click pins it; Escape lets go', () => {
    h.send({ type: 'run', run: nbRun, events: nb, active: false });
    const b = h.q('boundary-test');
    const wrap = b.querySelector<HTMLElement>('.boundary-wrap')!;
    const move = (type: string, x: number, y: number) => wrap.dispatchEvent(new window.MouseEvent(type, { clientX: x, clientY: y, bubbles: true }));
    move('pointermove', 150, 120);
    const card = b.querySelector<HTMLElement>('[data-testid="probe"]')!;
    assert.equal(h.q('boundary-train').querySelector<HTMLElement>('[data-testid="probe"]')!.hidden, true, 'only on the plot pointed at');
    assert.equal(card.hidden, false);
    const probs = card.dataset.probs!.split(',').map(Number);
    assert.equal(probs.length, 4);
    assert.ok(Math.abs(probs.reduce((a, c) => a + c, 0) - 1) <= 1e-6);
    assert.match(card.textContent!, /epoch 30/);
    // Pinned, it stays when the pointer leaves and follows the replayed epoch.
    move('click', 150, 120);
    assert.equal(card.dataset.pinned, 'true');
    wrap.dispatchEvent(new window.Event('pointerleave'));
    assert.equal(card.hidden, false);
    const slider = h.q('replay-slider') as HTMLInputElement;
    slider.value = '0';
    slider.dispatchEvent(new window.Event('input'));
    h.app.flush();
    assert.match(card.textContent!, /epoch 0/);
    assert.notEqual(card.dataset.probs, probs.join(','));
    h.root.ownerDocument.dispatchEvent(new window.KeyboardEvent('keydown', { key: 'Escape' }));
    assert.equal(card.hidden, true);
  });

  test('near a sample the probe names it: its row in the split, true class, prediction', () => {
    h.send({ type: 'run', run: nbRun, events: nb, active: false });
    const b = h.q('boundary-test');
    const view = (h.app as unknown as { v: { boundaries: { geometry?: { scales: { x: (v: number) => number; y: (v: number) => number } } }[] } }).v.boundaries[1];
    const g = view.geometry!;
    const start = nb[0] as Extract<TrainerEvent, { type: 'start' }>;
    const [x, y] = start.points.test.xy;
    const wrap = b.querySelector<HTMLElement>('.boundary-wrap')!;
    wrap.dispatchEvent(new window.MouseEvent('pointermove', { clientX: g.scales.x(x) + 1, clientY: g.scales.y(y), bubbles: true }));
    const card = b.querySelector<HTMLElement>('[data-testid="probe"]')!;
    assert.match(card.textContent!, new RegExp(`test sample #0: true ${start.data.classNames[start.points.test.label[0]]}, predicted`));
    assert.equal(card.dataset.sample, 'test:0');
  });

  test("the comparison legend names each earlier run by what differs in its spec, the run shown by its own values; hover gives them all", () => {
    const start = nb[0] as Extract<TrainerEvent, { type: 'start' }>;
    h.send({ type: 'run', run: nbRun, events: nb, active: false });
    const epochs = nb.filter((e): e is EpochEvent => e.type === 'epoch');
    const spec = (edit: (s: any) => void) => {
      const s = JSON.parse(JSON.stringify(start.spec));
      edit(s);
      return s;
    };
    h.send({
      type: 'history',
      runs: [
        { run: { ...nbRun, runId: 'a' }, epochs: epochs.slice(0, 10), spec: spec((s) => (s.training.lr = 0.01)) },
        { run: { ...nbRun, runId: 'b' }, epochs, spec: spec((s) => (s.model.activation = 'relu')) },
        { run: nbRun, epochs, spec: start.spec },
      ],
    });
    const legend = h.q('compare-legend');
    assert.equal(legend.hidden, false);
    const items = [...legend.querySelectorAll<HTMLElement>('[data-testid="compare-item"]')];
    assert.deepEqual(items.map((i) => i.textContent), ['lr 0.01', 'activation relu']);
    assert.match(items[0].title, /lr: 0\.01 \(now 0\.1\)/);
    assert.equal(h.q('compare-current').textContent, 'this run: lr 0.1, activation none');
    // Each earlier run's curves in its own colour class.
    const slots = [...h.q('loss-chart').querySelectorAll('g.compare path')].map((p) => p.getAttribute('class'));
    assert.deepEqual(slots, ['compare-train run-0', 'compare-test run-0', 'compare-train run-1', 'compare-test run-1']);
    // Runs of different lengths: the fraction-of-training axis.
    h.root.querySelector<HTMLElement>('#opt-fraction')!.click();
    h.app.flush();
    const ticks = [...h.q('loss-chart').querySelectorAll('g.x-axis .tick text')].map((t) => t.textContent);
    assert.deepEqual(ticks, ['0%', '25%', '50%', '75%', '100%']);
    // Compare off: no legend.
    h.root.querySelector<HTMLElement>('#opt-compare')!.click();
    h.app.flush();
    assert.equal(legend.hidden, true);
  });

  test("as the host sends a restart: the new run (no events yet), the history, then the run's start: the legend names the earlier run", () => {
    const start = nb[0] as Extract<TrainerEvent, { type: 'start' }>;
    const epochs = nb.filter((e): e is EpochEvent => e.type === 'epoch');
    const earlierSpec = JSON.parse(JSON.stringify(start.spec));
    earlierSpec.training.lr = 0.5;
    h.send({ type: 'run', run: nbRun, events: [], active: true });
    h.send({ type: 'history', runs: [{ run: { ...nbRun, runId: 'a' }, epochs, spec: earlierSpec }] });
    h.send({ type: 'events', runId: nbRun.runId, events: nb.slice(0, 3) });
    assert.deepEqual([...h.root.querySelectorAll('[data-testid="compare-item"]')].map((i) => i.textContent), ['lr 0.5']);
    assert.equal(h.q('compare-current').textContent, 'this run: lr 0.1');
  });

  test('after "+ layer" (the button keeps the focus) the hidden layers follow the spec', async () => {
    h.send(SPEC_VALUES);
    await tick();
    const add = h.q('btn-add-layer');
    add.focus();
    add.click();
    h.send({ ...SPEC_VALUES, values: { ...SPEC_VALUES.values, hidden_units: [8, 8, 8] } });
    assert.equal(h.root.querySelectorAll('[data-testid="ctl-hidden-width"]').length, 3);
  });

  test('network layout: one column per layer left to right, units centred and apart, within the height allowed', async () => {
    const { networkLayout } = await import('../../webview/render/network');
    const drawn = [[0, 1], [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3]];
    const L = networkLayout(drawn, 360, { maxSize: 44, minSize: 16, maxHeight: 420, top: 20 });
    assert.deepEqual(L.nodes.map((c) => c.length), [2, 8, 8, 4]);
    assert.ok(L.columns.every((x, i) => i === 0 || x > L.columns[i - 1]));
    for (const col of L.nodes) {
      for (let i = 1; i < col.length; i++) assert.ok(col[i].y >= col[i - 1].y + col[i - 1].size, 'no overlap');
      // Centred on the tallest column's middle.
      const mid = (col[0].y + col.at(-1)!.y + col[0].size) / 2;
      assert.ok(Math.abs(mid - (L.nodes[1][0].y + L.nodes[1][7].y + L.nodes[1][0].size) / 2) <= 1);
    }
    assert.ok(L.height <= 420 + 20 + 4);
    assert.ok(L.nodes[1][0].size <= 44 && L.nodes[1][0].size >= 16);
    // 16 units in a short stage: nodes shrink to fit (never below the minimum).
    const tall = networkLayout([[0, 1], Array.from({ length: 16 }, (_, i) => i), [0, 1]], 600, { maxSize: 44, minSize: 16, maxHeight: 300, top: 20 });
    assert.ok(tall.height <= 300 + 24 || tall.nodes[1][0].size === 16);
  });

  test('the side view neither draws earlier runs nor mentions them', () => {
    const hs = mount('side', undefined, 'vscode-dark');
    try {
      const epochs = nb.filter((e): e is EpochEvent => e.type === 'epoch');
      hs.send({ type: 'run', run: nbRun, events: nb, active: false });
      hs.send({ type: 'history', runs: [{ run: { ...nbRun, runId: 'a' }, epochs }, { run: nbRun, epochs }] });
      assert.equal(hs.q('loss-chart').querySelectorAll('g.compare path').length, 0);
      assert.equal(hs.q('loss-chart').querySelector<HTMLElement>('.key-compare')!.hidden, true);
      assert.equal(hs.root.querySelector('[data-testid="compare-legend"]'), null);
      assert.equal(hs.root.querySelector('#opt-compare'), null);
    } finally {
      hs.unmount();
    }
  });
});
