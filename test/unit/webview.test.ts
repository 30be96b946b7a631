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
