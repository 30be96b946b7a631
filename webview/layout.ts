/**
 * The view's DOM, built once from script (the CSP allows no inline markup handlers):
 * header, error box, notices and, for the panel, the options toolbar, replay slider and
 * evaluation tables. Returns the elements the other parts fill in; what the controls do
 * is passed in as callbacks, so building stays separate from behaviour.
 */
import { PLAYBACK_SETTINGS, type PlaybackSetting, type SpecField, type SpecFieldValue, type ViewKind } from '../src/core/protocol';
import type { PaletteName } from '../src/core/figure/palette';
import { CompareLegend } from './compare';
import { SpecControls } from './controls';
import { BoundaryView } from './render/boundary';
import { LineChart } from './render/chart';
import { NetworkView } from './render/network';
import { ProbeOverlay } from './render/probe';
import { busyIndicator, button, checkbox, dropdown, h, progressBar, setButtonContent, type ButtonControl, type CheckboxControl, type DropdownControl } from './render/dom';
import { speedLabel, speedOf } from './playback';
import type { ViewState } from './vscode';

/** The elements the header, the drawing and the export fill in. */
export interface ViewElements {
  specName: HTMLElement;
  meta: HTMLElement;
  statusText: HTMLElement;
  epochText: HTMLElement;
  progress: ReturnType<typeof progressBar>;
  busy: HTMLElement;
  elapsed: HTMLElement;
  testAcc: HTMLElement;
  btnStop: ButtonControl;
  btnTrain: ButtonControl;
  /** Training's own controls (the trainer, not the view's playback); panel only. */
  btnPause?: ButtonControl;
  btnResume?: ButtonControl;
  btnSteps?: ButtonControl[];
  /** "trained to 100, showing 37": said when the trainer is ahead of the view. */
  ahead: HTMLElement;
  errorBox: HTMLElement;
  errorTitle: HTMLElement;
  errorMessage: HTMLElement;
  /** How a run ended when it did not finish by itself (stopped). */
  outcome: HTMLElement;
  /** Latest numbers (side view) or the notebook's latest log line (panel). */
  numbers: HTMLElement;
  notice: HTMLElement;
  content: HTMLElement;
  legend: HTMLElement;
  slice: HTMLElement;
  boundaries: BoundaryView[];
  /** One probe per boundary plot, same order. */
  probes: ProbeOverlay[];
  charts: LineChart[];
  /** The network view (panel: behind its toggle; side view: when there is room). */
  network: NetworkView;
  /** Panel only: the playback (the slider is its position). */
  slider?: HTMLInputElement;
  sliderLabel?: HTMLElement;
  btnPlay?: ButtonControl;
  btnEnd?: ButtonControl;
  speed?: DropdownControl;
  confusion?: HTMLTableElement;
  scores?: HTMLTableElement;
  evalSection?: HTMLElement;
  compareBox?: CheckboxControl;
  /** The toolbar control the compare checkbox follows once there are earlier runs. */
  compareAfter?: HTMLElement;
  exportStatus?: HTMLElement;
  /** Panel only: the spec's controls, the network toggle, the compare legend. */
  controls?: SpecControls;
  networkBox?: CheckboxControl;
  compareLegend?: CompareLegend;
}

/** What the controls do; the view wires these to the host and its own state. */
export interface ViewActions {
  train(): void;
  stop(): void;
  /** Training: pause, resume, step `epochs` while paused. */
  pauseTraining(): void;
  resumeTraining(): void;
  step(epochs: number): void;
  /** Playback: play/pause, jump to the latest epoch, speed. */
  togglePlay(): void;
  jumpToEnd(): void;
  speed(s: PlaybackSetting): void;
  openPanel(): void;
  /** The spec as a PyTorch notebook that reproduces the run (the host writes and opens it). */
  openNotebook(): void;
  palette(p: PaletteName): void;
  logLoss(on: boolean): void;
  compare(on: boolean): void;
  export(format: 'png' | 'svg'): void;
  replay(): void;
  split(s: 'test' | 'train'): void;
  /** A control changed a spec field (the host edits the spec). */
  editSpec(id: number, field: SpecField, value: SpecFieldValue): void;
  controlsOpen(open: boolean): void;
  network(on: boolean): void;
  fraction(on: boolean): void;
  /** Hovering an earlier run in the compare legend (undefined: none). */
  highlightRun(slot: number | undefined): void;
}

/** Builds the view into `root` (emptied first). */
export function buildView(root: HTMLElement, kind: ViewKind, state: ViewState, act: ViewActions): ViewElements {
  const doc = root.ownerDocument;
  const compact = kind === 'side';
  root.classList.add(`view-${kind}`);
  root.replaceChildren();

  const specName = h(doc, 'h1', { class: 'spec-name', text: 'Blob Classifier' });
  const statusText = h(doc, 'span', { class: 'status', attrs: { 'aria-live': 'polite' } });
  const meta = h(doc, 'div', { class: 'meta' });
  const epochText = h(doc, 'span', { class: 'epoch', testid: 'epoch', text: '0/0' });
  const busy = busyIndicator(doc);
  const progress = progressBar(doc, 'Training progress');
  const elapsed = h(doc, 'span', { class: 'elapsed' });
  const testAcc = h(doc, 'span', { class: 'test-acc', testid: 'test-acc', text: '–', attrs: { title: 'Test accuracy' } });
  const ahead = h(doc, 'span', { class: 'ahead', testid: 'ahead', attrs: { 'aria-live': 'off' } });
  const btnStop = button(doc, 'Stop', 'btn-stop', { secondary: true, aria: 'Stop training' });
  const btnTrain = button(doc, 'Train', 'btn-train', { aria: 'Train the model' });
  btnStop.addEventListener('click', () => act.stop());
  btnTrain.addEventListener('click', () => act.train());
  const buttons = h(doc, 'div', { class: 'buttons' }, [btnTrain, btnStop]);
  // Training's controls, worded apart from the playback's: pausing training stops the
  // trainer (the view still plays up to where it got); a step trains n more epochs.
  let training: Pick<ViewElements, 'btnPause' | 'btnResume' | 'btnSteps'> = {};
  if (!compact) {
    const btnPause = button(doc, '', 'btn-pause', { secondary: true, aria: 'Pause training (the trainer waits at the next epoch)' });
    const btnResume = button(doc, '', 'btn-resume', { secondary: true, aria: 'Resume training' });
    setButtonContent(btnPause, 'pause', 'Pause training');
    setButtonContent(btnResume, 'play', 'Resume training');
    const btnSteps = [1, 10].map((n) => {
      const b = button(doc, `Step ${n}`, `btn-step-${n}`, { secondary: true, aria: `Train ${n} more epoch${n === 1 ? '' : 's'}, then pause again` });
      b.addEventListener('click', () => act.step(n));
      return b;
    });
    btnPause.addEventListener('click', () => act.pauseTraining());
    btnResume.addEventListener('click', () => act.resumeTraining());
    buttons.insertBefore(btnPause, btnStop);
    for (const b of [btnResume, ...btnSteps]) buttons.insertBefore(b, btnStop);
    training = { btnPause, btnResume, btnSteps };
  }
  if (compact) {
    const open = button(doc, 'Open panel', 'btn-open-panel', { secondary: true, aria: 'Open the full view in an editor panel' });
    open.addEventListener('click', () => act.openPanel());
    buttons.append(open);
  }
  const accLabel = h(doc, 'span', { class: 'acc-label', text: 'test acc ' }, [testAcc]);
  const progressRow = h(doc, 'div', { class: 'progress-row' }, [
    h(doc, 'span', { class: 'epoch-label', text: 'epoch ' }, [epochText]), progress.el, elapsed, accLabel, ahead,
  ]);
  const numbers = h(doc, 'div', { class: compact ? 'numbers' : 'log-line', attrs: { 'aria-live': 'off' } });
  const header = h(doc, 'header', { class: 'hdr' }, [
    h(doc, 'div', { class: 'title-row' }, [specName, statusText, busy]),
    meta, progressRow, numbers, buttons,
  ]);
  const errorTitle = h(doc, 'strong', { class: 'error-title' });
  const errorMessage = h(doc, 'span', { class: 'error-message' });
  const errorBox = h(doc, 'div', { class: 'error', testid: 'error', hidden: true, attrs: { role: 'alert' } }, [errorTitle, errorMessage]);
  const outcome = h(doc, 'div', { class: 'outcome', hidden: true, attrs: { role: 'status' } });
  const notice = h(doc, 'div', { class: 'notice', hidden: true, attrs: { role: 'status' } });
  const legend = h(doc, 'div', { class: 'legend', attrs: { role: 'group', 'aria-label': 'Legend' } });
  const slice = h(doc, 'div', { class: 'slice', hidden: true });

  const boundaries = compact
    ? [new BoundaryView(doc, 'test', true)]
    : [new BoundaryView(doc, 'train', false), new BoundaryView(doc, 'test', false)];
  const charts = [new LineChart(doc, 'loss', compact), new LineChart(doc, 'acc', compact)];
  const probes = boundaries.map((b) => new ProbeOverlay(doc, b.wrap));
  const network = new NetworkView(doc, compact);
  const boundaryRow = h(doc, 'section', { class: 'boundaries', attrs: { 'aria-label': 'Decision boundary' } }, boundaries.map((b) => b.el));
  const chartRow = h(doc, 'section', { class: 'charts', attrs: { 'aria-label': 'Training curves' } }, charts.map((c) => c.el));
  const content = h(doc, 'div', { class: 'content', hidden: true });
  const els: ViewElements = {
    specName, meta, statusText, epochText, progress, busy, elapsed, testAcc, btnStop, btnTrain, ...training, ahead,
    errorBox, errorTitle, errorMessage, outcome, numbers, notice, content, legend, slice, boundaries, probes, charts, network,
  };

  if (compact) {
    network.el.hidden = true;
    content.append(boundaryRow, legend, slice, chartRow, network.el);
    root.append(header, errorBox, outcome, notice, content);
    return els;
  }

  // The spec's controls: outside `content`, so they work before the first run.
  const controls = new SpecControls(doc, (id, field, value) => act.editSpec(id, field, value), state.controls, (open) => act.controlsOpen(open));

  // Options toolbar.
  const palette = dropdown<PaletteName>(doc, 'Colours', 'opt-palette', [['categorical', 'Colour-blind safe'], ['notebook', 'Notebook (RdYlBu)']], state.palette);
  palette.select.addEventListener('change', () => act.palette(palette.select.value));
  const log = checkbox(doc, 'Log-scale loss', 'opt-log', state.logLoss);
  log.addEventListener('change', () => act.logLoss(log.checked));
  // Not in the toolbar until there is an earlier run to compare with (App.filterHistory):
  // `hidden` does not hide a toolkit component (its :host display wins over [hidden]).
  const cmp = checkbox(doc, 'Compare earlier runs', 'opt-compare', state.compare);
  cmp.addEventListener('change', () => act.compare(cmp.checked));
  const png = button(doc, 'Export PNG', 'btn-export-png', { secondary: true, aria: 'Export the figure as PNG' });
  const svg = button(doc, 'Export SVG', 'btn-export-svg', { secondary: true, aria: 'Export the figure as SVG' });
  png.addEventListener('click', () => act.export('png'));
  svg.addEventListener('click', () => act.export('svg'));
  const notebook = button(doc, 'PyTorch notebook', 'btn-notebook', {
    secondary: true,
    aria: 'Open this spec as a PyTorch notebook that reproduces the run (written next to the spec)',
  });
  notebook.title = 'Write this spec as a PyTorch notebook (.ipynb, next to the spec) that reproduces the run epoch by epoch, and open it';
  notebook.addEventListener('click', () => act.openNotebook());
  const exportStatus = h(doc, 'span', { class: 'export-status', attrs: { 'aria-live': 'polite' } });
  const net = checkbox(doc, 'Network', 'opt-network', state.network);
  net.addEventListener('change', () => act.network(net.checked));
  network.el.hidden = !state.network;
  const toolbar = h(doc, 'div', { class: 'toolbar' }, [palette.wrap, log, net, png, svg, notebook, exportStatus]);

  // Playback: the run told at a person's pace; the slider is its position (dragging it
  // pauses the playback there).
  const btnPlay = button(doc, '', 'btn-play', { secondary: true, aria: 'Pause the playback' });
  setButtonContent(btnPlay, 'pause');
  btnPlay.classList.add('btn-icon');
  btnPlay.addEventListener('click', () => act.togglePlay());
  const slider = h(doc, 'input', { class: 'replay-slider', testid: 'replay-slider', attrs: { type: 'range', min: '0', max: '0', step: '1', value: '0', id: 'replay', 'aria-label': 'Shown epoch' } });
  slider.disabled = true;
  const sliderLabel = h(doc, 'output', { class: 'replay-label', attrs: { for: 'replay' } });
  slider.addEventListener('input', () => act.replay());
  const speed = dropdown<PlaybackSetting>(doc, 'Speed', 'opt-speed', PLAYBACK_SETTINGS.map((p) => [p, speedLabel(speedOf(p))]), state.speed ?? '1x');
  speed.select.addEventListener('change', () => act.speed(speed.select.value));
  const btnEnd = button(doc, '', 'btn-end', { secondary: true, aria: 'Jump to the latest trained epoch' });
  setButtonContent(btnEnd, 'end', 'Latest');
  btnEnd.addEventListener('click', () => act.jumpToEnd());
  const replay = h(doc, 'section', { class: 'replay', attrs: { 'aria-label': 'Playback' } }, [
    h(doc, 'label', { text: 'Playback', attrs: { for: 'replay' } }), btnPlay, slider, sliderLabel, speed.wrap, btnEnd,
  ]);

  // Evaluation.
  const confusion = h(doc, 'table', { class: 'confusion', testid: 'confusion' });
  const scores = h(doc, 'table', { class: 'scores', testid: 'scores' });
  const split = dropdown<'test' | 'train'>(doc, 'Evaluate on', 'opt-split', [['test', 'test set'], ['train', 'train set']], state.confusionSplit);
  split.select.addEventListener('change', () => act.split(split.select.value));
  const evalSection = h(doc, 'section', { class: 'evaluation', hidden: true, attrs: { 'aria-label': 'Evaluation' } }, [
    h(doc, 'div', { class: 'eval-head' }, [h(doc, 'h2', { text: 'Evaluation of the final model' }), split.wrap]),
    h(doc, 'div', { class: 'eval-tables' }, [confusion, scores]),
  ]);
  const compareLegend = new CompareLegend(doc, state.compareFraction, (on) => act.fraction(on), (slot) => act.highlightRun(slot));
  content.append(toolbar, boundaryRow, legend, slice, network.el, replay, chartRow, compareLegend.el, evalSection);
  // Beside Train/Stop: closed, it is the rest of that row (the spec's values), so the
  // plots stay where they were; open, it takes the full width under them.
  buttons.append(controls.el);
  root.append(header, errorBox, outcome, notice, content);
  return { ...els, slider, sliderLabel, btnPlay, btnEnd, speed: speed.select, confusion, scores, evalSection, compareBox: cmp, compareAfter: log, exportStatus, controls, networkBox: net, compareLegend };
}
