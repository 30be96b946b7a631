/**
 * The view's text: title, status, progress, numbers, error box, outcome and notice, and
 * the `data-*` attributes the end-to-end tests read. Written synchronously on every
 * message (cheap), unlike the drawing, which waits for an animation frame.
 */
import type { ErrorEvent, HostToWebview, StartEvent, ViewKind } from '../src/core/protocol';
import { duration, num, pct } from '../src/core/figure/format';
import { epochsDone, latestTestAcc, newRunState } from '../src/core/run/state';
import { viewStatus, type RunModel } from './model';
import type { ViewElements } from './layout';

export interface HeaderContext {
  kind: ViewKind;
  /** The last `idle` message, for the notice when no run is shown. */
  idle?: Extract<HostToWebview, { type: 'idle' }>;
  /** The replayed epoch, or undefined = latest. */
  replay?: number;
}

export function renderHeader(root: HTMLElement, v: ViewElements, m: RunModel, ctx: HeaderContext): void {
  const run = m.state ?? newRunState();
  const status = viewStatus(m);
  const s = run.start;
  const done = epochsDone(run);
  const total = s?.epochs ?? 0;
  root.dataset.status = status;
  root.dataset.epoch = String(done);
  if (m.run) root.dataset.runId = m.run.runId;
  else delete root.dataset.runId;
  const acc = latestTestAcc(run);
  if (acc === undefined) delete root.dataset.testAcc;
  else root.dataset.testAcc = String(acc);

  const idle = ctx.idle;
  v.specName.textContent = s?.specName ?? m.run?.specName ?? idle?.specName ?? 'Blob Classifier';
  v.statusText.textContent = run.paused && status === 'running' ? 'paused' : status === 'idle' ? '' : status;
  v.statusText.className = `status status-${status}`;
  v.meta.textContent = s ? describeStart(s, ctx.kind === 'side') : '';
  v.meta.title = s ? `${s.reason}` : '';
  v.epochText.textContent = `${done}/${total}`;
  v.progress.set(done, total);
  v.busy.hidden = status !== 'running' || run.paused;
  const last = m.epochs.at(-1);
  v.elapsed.textContent = last ? duration(last.elapsedMs) : '';
  v.testAcc.textContent = pct(acc);
  if (ctx.kind === 'side') {
    v.numbers.textContent = last ? `loss ${num(last.trainLoss, 4)} / ${num(last.testLoss, 4)} · train acc ${pct(last.trainAcc)}` : '';
  } else {
    // The notebook prints a line every log_every epochs; show the latest, as it would.
    const warn = m.logs.filter((l) => l.level === 'warn').at(-1);
    const info = m.logs.filter((l) => l.level === 'info').at(-1);
    v.numbers.textContent = warn ? `⚠ ${warn.message}` : info?.message ?? '';
    v.numbers.classList.toggle('warn', !!warn);
  }
  v.btnStop.disabled = status !== 'running';
  v.btnTrain.disabled = status === 'running';
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
    const max = done;
    const r = ctx.replay;
    v.slider.max = String(max);
    v.slider.value = String(r ?? max);
    v.slider.disabled = status === 'running' || !m.frames.length;
    const shown = r ?? max;
    const text = r === undefined ? `epoch ${shown}/${total} (latest)` : `epoch ${shown}/${total}`;
    v.sliderLabel.textContent = text;
    v.slider.setAttribute('aria-valuetext', text);
  }
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
