/**
 * The view's text: title, status, progress, numbers, error box, outcome and notice, and
 * the `data-*` attributes the end-to-end tests read. Written synchronously on every
 * message (cheap), unlike the drawing, which waits for an animation frame.
 */
import type { ErrorEvent, HostToWebview, StartEvent, ViewKind } from '../src/core/protocol';
import { duration, num, pct } from '../src/core/figure/format';
import { epochsDone, latestTestAcc, newRunState } from '../src/core/run/state';
import { lastBefore, logsUpTo, viewStatus, type RunModel } from './model';
import type { ViewElements } from './layout';
import { setButtonContent } from './render/dom';

export interface HeaderContext {
  kind: ViewKind;
  /** The last `idle` message, for the notice when no run is shown. */
  idle?: Extract<HostToWebview, { type: 'idle' }>;
  /** The shown epoch (playback or slider), or undefined = latest. */
  replay?: number;
  /** The playback's state (panel controls; `data-playing`). */
  playback?: { playing: boolean; finished: boolean };
}

export function renderHeader(root: HTMLElement, v: ViewElements, m: RunModel, ctx: HeaderContext): void {
  const run = m.state ?? newRunState();
  const status = viewStatus(m);
  const s = run.start;
  const done = epochsDone(run);
  const total = s?.epochs ?? 0;
  // `data-epoch` is the run's progress (the trainer's); the view shows `data-shown-epoch`.
  const shown = Math.min(done, ctx.replay ?? done);
  const behind = !!s && shown < done;
  root.dataset.status = status;
  root.dataset.epoch = String(done);
  root.dataset.shownEpoch = String(shown);
  const playing = !!ctx.playback?.playing;
  root.dataset.playing = String(playing);
  if (m.run) root.dataset.runId = m.run.runId;
  else delete root.dataset.runId;
  const acc = latestTestAcc(run);
  if (acc === undefined) delete root.dataset.testAcc;
  else root.dataset.testAcc = String(acc);
  // The numbers of the model shown: the epoch event that made it (none for epoch 0).
  const at = behind ? lastBefore(m.epochs, shown) : m.epochs.at(-1);
  const shownAcc = behind ? at?.testAcc : acc;

  const idle = ctx.idle;
  v.specName.textContent = s?.specName ?? m.run?.specName ?? idle?.specName ?? 'Blob Classifier';
  v.statusText.textContent = run.paused && status === 'running' ? 'training paused' : status === 'idle' ? '' : status;
  v.statusText.className = `status status-${status}`;
  v.meta.textContent = s ? describeStart(s, ctx.kind === 'side') : '';
  v.meta.title = s ? `${s.reason}` : '';
  v.epochText.textContent = `${shown}/${total}`;
  v.progress.set(done, total, shown);
  v.busy.hidden = status !== 'running' || run.paused;
  v.elapsed.textContent = at ? duration(at.elapsedMs) : '';
  v.testAcc.textContent = pct(shownAcc);
  // Training outruns the view (it is never slowed down for it): say so.
  v.ahead.textContent = behind ? `trained to ${done}, showing ${shown}${playing ? '' : ' (playback paused)'}` : '';
  v.ahead.hidden = !behind;
  if (ctx.kind === 'side') {
    v.numbers.textContent = at ? `loss ${num(at.trainLoss, 4)} / ${num(at.testLoss, 4)} · train acc ${pct(at.trainAcc)}` : '';
  } else {
    // The notebook prints a line every log_every epochs; show the latest up to the shown epoch, as it would.
    const logs = logsUpTo(m, behind ? shown : undefined);
    const warn = m.logs.filter((l) => l.level === 'warn').at(-1);
    const info = logs.filter((l) => l.level === 'info').at(-1);
    v.numbers.textContent = warn ? `⚠ ${warn.message}` : info?.message ?? '';
    v.numbers.classList.toggle('warn', !!warn);
  }
  v.btnStop.disabled = status !== 'running';
  v.btnTrain.disabled = status === 'running';
  const running = status === 'running' && !!s;
  show(v.btnPause, running && !run.paused);
  show(v.btnResume, running && run.paused);
  for (const b of v.btnSteps ?? []) show(b, running && run.paused);
  v.btnTrain.textContent = status !== 'idle' ? 'Train again' : 'Train';

  const err = run.error;
  v.errorBox.hidden = !err;
  v.errorTitle.textContent = err ? errorTitle(err) : '';
  v.errorMessage.textContent = err ? err.message : '';
  if (err) v.errorBox.dataset.code = err.code;
  else delete v.errorBox.dataset.code;

  // A stopped run says so (not only in the small status badge), and why there is no
  // evaluation below.
  const stopped = run.cancelled?.summary;
  v.outcome.hidden = status !== 'cancelled';
  v.outcome.textContent =
    status !== 'cancelled' ? ''
    : done === 0 ? `Stopped before the first epoch finished.`
    : `Stopped after ${done} of ${total} epochs${stopped ? `: train acc ${pct(stopped.train_acc)}, test acc ${pct(stopped.test_acc)}` : ''}. ` +
      `The plots show the model as it was then; there is no final evaluation. Train again to run all ${total}.`;

  const showContent = !!s;
  v.content.hidden = !showContent;
  v.notice.hidden = showContent;
  const problems = !showContent && status === 'idle' && !!idle?.problems;
  v.notice.classList.toggle('notice-problems', problems);
  if (!showContent) {
    const n = idle?.problems ?? 0;
    v.notice.textContent =
      status === 'error' ? 'The run failed before training started: nothing to draw.'
      : problems ? `${idle?.specName ?? 'The spec'} has ${n} problem${n === 1 ? '' : 's'} to fix before it can train. ` +
          `${n === 1 ? 'It is' : 'They are'} underlined in the spec and listed in the Problems panel; Train takes you to the first.`
      : status === 'running' ? 'Starting…'
      : idle?.specName ? `No run of ${idle.specName} yet. Press Train to start.`
      : 'Open a .blobs.json spec and press Train.';
  }

  if (v.slider && v.sliderLabel) {
    v.slider.max = String(done);
    v.slider.value = String(shown);
    v.slider.disabled = !m.frames.length;
    const text = `epoch ${shown}/${total}${s && !behind ? (status === 'running' ? ' (latest)' : '') : ''}`;
    v.sliderLabel.textContent = text;
    v.slider.setAttribute('aria-valuetext', text);
  }
  if (v.btnPlay) {
    const again = !playing && !!ctx.playback?.finished;
    const name = playing ? 'pause' : again ? 'replay' : 'play';
    if (v.btnPlay.querySelector('svg')?.dataset.icon !== name) setButtonContent(v.btnPlay, name);
    const label = playing ? 'Pause the playback' : again ? 'Play the run again from the untrained model' : 'Play';
    v.btnPlay.setAttribute('aria-label', label);
    v.btnPlay.title = label;
    v.btnPlay.disabled = !m.frames.length;
  }
  if (v.btnEnd) v.btnEnd.disabled = !behind;
}

/** Shows or hides a toolkit control (`hidden` does not: its :host display wins). */
function show(el: HTMLElement | undefined, on: boolean): void {
  if (el) el.style.display = on ? '' : 'none';
}

const ERROR_TITLES: Record<ErrorEvent['code'], string> = {
  'bad-spec': 'The spec is not valid',
  diverged: 'Training diverged',
  'device-unavailable': 'Device not available',
  'too-large': 'Too large to train',
  crashed: 'The trainer stopped unexpectedly',
  internal: 'Internal error',
};

/** The error box's heading: what failed, and when. */
export function errorTitle(e: ErrorEvent): string {
  const what = ERROR_TITLES[e.code] ?? 'Training failed';
  return e.epoch === undefined ? what : `${what} (epoch ${e.epoch})`;
}

/** The line under the title: data, model, backend. */
export function describeStart(s: StartEvent, compact: boolean): string {
  const d = s.data;
  const data = `${d.generator} · ${d.nSamples} samples (${d.nTrain} train / ${d.nTest} test) · ${d.nFeatures} features · ${d.nClasses} classes`;
  if (compact) return `${d.generator} · ${d.nSamples} · ${d.nClasses} classes · ${s.backend}/${s.device}`;
  const model = `model ${s.model.layers.join('→')}${s.model.activation !== 'none' ? ` (${s.model.activation})` : ''}, ${s.model.params} params`;
  return `${data} · ${model} · ${s.backend}/${s.device}`;
}
