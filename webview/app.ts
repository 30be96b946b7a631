/**
 * The Blob Classifier view: the editor panel (`data-view="panel"`) or the compact side
 * view (`data-view="side"`). Messages from the host update the run model at once (text,
 * status attributes: cheap), and drawing (boundary canvases, charts, tables) happens at
 * most once per animation frame with only the latest state (see scheduler.ts).
 */
import type { EpochEvent, ErrorEvent, HostToWebview, RunRef, StartEvent } from '../src/core/protocol';
import { renderFigureSvg } from '../src/core/figure/figureSvg';
import { duration, num, pct } from '../src/core/figure/format';
import { heatmapLut } from '../src/core/figure/heatmap';
import { classPalette, type PaletteName } from '../src/core/figure/palette';
import { samplingNote } from '../src/core/figure/sample';
import { classShape } from '../src/core/figure/marks';
import { applyEvents, completedEpochs, emptyModel, frameAtOrBefore, lastBefore, latestTestAcc, type Part, type RunModel } from './model';
import { BoundaryView } from './render/boundary';
import { LineChart } from './render/chart';
import { busyIndicator, button, checkbox, dropdown, h, progressBar, type ButtonControl, type CheckboxControl } from './render/dom';
import { svgToPngDataUrl } from './render/export';
import { frameDecoder } from './render/frame';
import { createScheduler, type Scheduler } from './render/scheduler';
import { fillConfusion, fillScores } from './render/tables';
import { readTheme, type ViewTheme } from './render/theme';
import { post, readViewState, type ViewState, type VsCodeApi } from './vscode';

export type ViewKind = 'panel' | 'side';

/** Most points drawn per plot, whatever the host sends. */
const MAX_POINTS = { panel: 2500, side: 800 } as const;

export class App {
  readonly doc: Document;
  readonly kind: ViewKind;
  private model: RunModel = emptyModel();
  private state: ViewState;
  private theme: ViewTheme;
  private colors: string[] = [];
  private lut: Uint8Array = new Uint8Array(0);
  /** Earlier runs from the host, and their epochs minus the run shown (compare overlay). */
  private allHistory: Extract<HostToWebview, { type: 'history' }>['runs'] = [];
  private history: EpochEvent[][] = [];
  /** The last `idle` message, for the notice when no run is shown. */
  private idle?: Extract<HostToWebview, { type: 'idle' }>;
  private readonly dirty = new Set<Part>();
  private readonly scheduler: Scheduler;
  private readonly decode = frameDecoder();
  private readonly disposers: (() => void)[] = [];
  /** Milliseconds of the last boundary redraw (both plots), for the harness. */
  lastBoundaryMs = 0;

  // Elements
  private readonly specName: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly epochText: HTMLElement;
  private readonly progress: ReturnType<typeof progressBar>;
  private readonly busy: HTMLElement;
  private readonly elapsed: HTMLElement;
  private readonly testAcc: HTMLElement;
  private readonly btnStop: ButtonControl;
  private readonly btnTrain: ButtonControl;
  private readonly errorBox: HTMLElement;
  private readonly errorTitle: HTMLElement;
  private readonly errorMessage: HTMLElement;
  /** How a run ended when it did not finish by itself (stopped). */
  private readonly outcome: HTMLElement;
  /** Latest numbers (side view) or the notebook's latest log line (panel). */
  private readonly numbers: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly content: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly slice: HTMLElement;
  private readonly boundaries: BoundaryView[];
  private readonly charts: LineChart[];
  private readonly slider?: HTMLInputElement;
  private readonly sliderLabel?: HTMLElement;
  private readonly confusion?: HTMLTableElement;
  private readonly scores?: HTMLTableElement;
  private readonly evalSection?: HTMLElement;
  private readonly compareBox?: CheckboxControl;
  /** The toolbar control the compare checkbox follows once there are earlier runs. */
  private compareAfter?: HTMLElement;
  private readonly exportStatus?: HTMLElement;

  constructor(
    readonly root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.doc = root.ownerDocument;
    const doc = this.doc;
    this.kind = root.dataset.view === 'side' ? 'side' : 'panel';
    this.state = readViewState(api);
    // The host names the spec on #app; keep it in the state for the panel serializer.
    if (root.dataset.specPath) {
      this.state.specPath = root.dataset.specPath;
      this.saveState();
    }
    this.theme = readTheme(doc);
    this.scheduler = createScheduler(() => this.draw(), doc.defaultView ?? undefined);
    root.classList.add(`view-${this.kind}`);
    root.replaceChildren();

    const compact = this.kind === 'side';
    this.specName = h(doc, 'h1', { class: 'spec-name', text: 'Blob Classifier' });
    this.statusText = h(doc, 'span', { class: 'status', attrs: { 'aria-live': 'polite' } });
    this.meta = h(doc, 'div', { class: 'meta' });
    this.epochText = h(doc, 'span', { class: 'epoch', testid: 'epoch', text: '0/0' });
    this.busy = busyIndicator(doc);
    this.progress = progressBar(doc, 'Training progress');
    this.elapsed = h(doc, 'span', { class: 'elapsed' });
    this.testAcc = h(doc, 'span', { class: 'test-acc', testid: 'test-acc', text: '–', attrs: { title: 'Test accuracy' } });
    this.btnStop = button(doc, 'Stop', 'btn-stop', { secondary: true, aria: 'Stop training' });
    this.btnTrain = button(doc, 'Train', 'btn-train', { aria: 'Train the model' });
    this.btnStop.addEventListener('click', () => post(api, { type: 'stop' }));
    this.btnTrain.addEventListener('click', () => post(api, { type: 'train' }));
    const buttons = h(doc, 'div', { class: 'buttons' }, [this.btnTrain, this.btnStop]);
    if (compact) {
      const open = button(doc, 'Open panel', 'btn-open-panel', { secondary: true, aria: 'Open the full view in an editor panel' });
      open.addEventListener('click', () => post(api, { type: 'openPanel' }));
      buttons.append(open);
    }
    const accLabel = h(doc, 'span', { class: 'acc-label', text: 'test acc ' }, [this.testAcc]);
    const progressRow = h(doc, 'div', { class: 'progress-row' }, [
      h(doc, 'span', { class: 'epoch-label', text: 'epoch ' }, [this.epochText]), this.progress.el, this.elapsed, accLabel,
    ]);
    this.numbers = h(doc, 'div', { class: compact ? 'numbers' : 'log-line', attrs: { 'aria-live': 'off' } });
    const header = h(doc, 'header', { class: 'hdr' }, [
      h(doc, 'div', { class: 'title-row' }, [this.specName, this.statusText, this.busy]),
      this.meta, progressRow, this.numbers, buttons,
    ]);
    this.errorTitle = h(doc, 'strong', { class: 'error-title' });
    this.errorMessage = h(doc, 'span', { class: 'error-message' });
    this.errorBox = h(doc, 'div', { class: 'error', testid: 'error', hidden: true, attrs: { role: 'alert' } }, [this.errorTitle, this.errorMessage]);
    this.outcome = h(doc, 'div', { class: 'outcome', hidden: true, attrs: { role: 'status' } });
    this.notice = h(doc, 'div', { class: 'notice', hidden: true, attrs: { role: 'status' } });
    this.legend = h(doc, 'div', { class: 'legend', attrs: { role: 'group', 'aria-label': 'Legend' } });
    this.slice = h(doc, 'div', { class: 'slice', hidden: true });

    this.boundaries = compact
      ? [new BoundaryView(doc, 'test', true)]
      : [new BoundaryView(doc, 'train', false), new BoundaryView(doc, 'test', false)];
    this.charts = [new LineChart(doc, 'loss', compact ? 110 : 220), new LineChart(doc, 'acc', compact ? 110 : 220)];
    const boundaryRow = h(doc, 'section', { class: 'boundaries', attrs: { 'aria-label': 'Decision boundary' } }, this.boundaries.map((b) => b.el));
    const chartRow = h(doc, 'section', { class: 'charts', attrs: { 'aria-label': 'Training curves' } }, this.charts.map((c) => c.el));
    this.content = h(doc, 'div', { class: 'content', hidden: true });

    if (compact) {
      this.content.append(boundaryRow, this.legend, this.slice, chartRow);
      root.append(header, this.errorBox, this.outcome, this.notice, this.content);
    } else {
      // Options toolbar.
      const palette = dropdown<PaletteName>(doc, 'Colours', 'opt-palette', [['categorical', 'Colour-blind safe'], ['notebook', 'Notebook (RdYlBu)']], this.state.palette);
      palette.select.addEventListener('change', () => {
        this.state.palette = palette.select.value;
        this.saveState();
        this.updateColors();
        this.markDirty('boundary', 'layout');
      });
      const log = checkbox(doc, 'Log-scale loss', 'opt-log', this.state.logLoss);
      log.addEventListener('change', () => {
        this.state.logLoss = log.checked;
        this.saveState();
        this.markDirty('curves');
      });
      // Not in the toolbar until there is an earlier run to compare with (filterHistory):
      // `hidden` does not hide a toolkit component (its :host display wins over [hidden]).
      const cmp = checkbox(doc, 'Compare earlier runs', 'opt-compare', this.state.compare);
      cmp.addEventListener('change', () => {
        this.state.compare = cmp.checked;
        this.saveState();
        for (const c of this.charts) c.setCompareKey(this.state.compare && this.history.length > 0);
        this.markDirty('curves');
      });
      this.compareBox = cmp;
      const png = button(doc, 'Export PNG', 'btn-export-png', { secondary: true, aria: 'Export the figure as PNG' });
      const svg = button(doc, 'Export SVG', 'btn-export-svg', { secondary: true, aria: 'Export the figure as SVG' });
      png.addEventListener('click', () => void this.export('png'));
      svg.addEventListener('click', () => void this.export('svg'));
      this.exportStatus = h(doc, 'span', { class: 'export-status', attrs: { 'aria-live': 'polite' } });
      const toolbar = h(doc, 'div', { class: 'toolbar' }, [palette.wrap, log, png, svg, this.exportStatus]);
      this.compareAfter = log;

      // Replay.
      this.slider = h(doc, 'input', { class: 'replay-slider', testid: 'replay-slider', attrs: { type: 'range', min: '0', max: '0', step: '1', value: '0', id: 'replay', 'aria-label': 'Replay epoch' } });
      this.slider.disabled = true;
      this.sliderLabel = h(doc, 'output', { class: 'replay-label', attrs: { for: 'replay' } });
      this.slider.addEventListener('input', () => this.onReplay());
      const replay = h(doc, 'section', { class: 'replay' }, [h(doc, 'label', { text: 'Replay', attrs: { for: 'replay' } }), this.slider, this.sliderLabel]);

      // Evaluation.
      this.confusion = h(doc, 'table', { class: 'confusion', testid: 'confusion' });
      this.scores = h(doc, 'table', { class: 'scores', testid: 'scores' });
      const split = dropdown<'test' | 'train'>(doc, 'Evaluate on', 'opt-split', [['test', 'test set'], ['train', 'train set']], this.state.confusionSplit);
      split.select.addEventListener('change', () => {
        this.state.confusionSplit = split.select.value;
        this.saveState();
        this.markDirty('eval');
      });
      this.evalSection = h(doc, 'section', { class: 'evaluation', hidden: true, attrs: { 'aria-label': 'Evaluation' } }, [
        h(doc, 'div', { class: 'eval-head' }, [h(doc, 'h2', { text: 'Evaluation of the final model' }), split.wrap]),
        h(doc, 'div', { class: 'eval-tables' }, [this.confusion, this.scores]),
      ]);
      this.content.append(toolbar, boundaryRow, this.legend, this.slice, replay, chartRow, this.evalSection);
      root.append(header, this.errorBox, this.outcome, this.notice, this.content);
    }

    this.updateColors();
    this.renderHeader();
    this.listen();
  }

  private listen(): void {
    const win = this.doc.defaultView;
    if (!win) return;
    const onMessage = (e: MessageEvent) => this.handle(e.data as HostToWebview);
    win.addEventListener('message', onMessage);
    this.disposers.push(() => win.removeEventListener('message', onMessage));
    // Theme switches change the body class; canvases need the new colours.
    if (typeof win.MutationObserver === 'function') {
      const mo = new win.MutationObserver(() => {
        this.theme = readTheme(this.doc);
        this.updateColors();
        this.markDirty('boundary', 'curves', 'layout');
      });
      mo.observe(this.doc.body, { attributes: true, attributeFilter: ['class'] });
      this.disposers.push(() => mo.disconnect());
    }
    if (typeof win.ResizeObserver === 'function') {
      let lastWidth = -1;
      const ro = new win.ResizeObserver(() => {
        const w = this.root.clientWidth;
        if (w === lastWidth) return;
        lastWidth = w;
        this.markDirty('boundary', 'curves');
      });
      ro.observe(this.root);
      this.disposers.push(() => ro.disconnect());
    }
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposers.splice(0)) d();
  }

  /** Draws pending changes now (tests; export). */
  flush(): void {
    this.scheduler.flush();
  }

  handle(msg: HostToWebview): void {
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'run': {
        this.model = emptyModel();
        this.model.run = msg.run;
        const changed = applyEvents(this.model, msg.events);
        // A replayed history without a terminal event is a run still going, or one
        // whose trainer went away (then the host says it is not active).
        if (this.model.status === 'running' && !msg.active) this.model.status = 'cancelled';
        if (!this.model.start && msg.active) this.model.status = 'running';
        if (this.state.replay && this.state.replay.runId !== msg.run.runId) this.state.replay = undefined;
        this.state.specPath = msg.run.specPath;
        this.saveState();
        this.updateColors();
        this.filterHistory();
        this.markDirty('layout', 'header', 'boundary', 'curves', 'eval', ...changed);
        break;
      }
      case 'events': {
        if (!this.model.run || msg.runId !== this.model.run.runId) return;
        const changed = applyEvents(this.model, msg.events);
        if (changed.has('layout')) this.updateColors();
        // Status may come back to running with a restarted stream.
        this.markDirty(...changed);
        break;
      }
      case 'history':
        this.allHistory = msg.runs;
        this.filterHistory();
        this.markDirty('curves');
        break;
      case 'idle':
        this.model = emptyModel();
        this.idle = msg;
        this.markDirty('layout', 'header', 'boundary', 'curves', 'eval');
        break;
      case 'export':
        // The host's "Export Figure" command: answer like the export buttons do.
        void this.export(msg.format);
        break;
      case 'exported':
        if (this.exportStatus) {
          this.exportStatus.textContent = msg.error ? `Export failed: ${msg.error}` : msg.path ? `Saved ${msg.path}` : '';
        }
        break;
    }
    this.renderHeader();
  }

  private filterHistory(): void {
    const current: RunRef | undefined = this.model.run;
    this.history = this.allHistory.filter((r) => r.run.runId !== current?.runId && r.epochs.length).map((r) => r.epochs);
    for (const c of this.charts) c.setCompareKey(this.state.compare && this.history.length > 0);
    const cmp = this.compareBox;
    if (cmp) {
      const n = this.history.length;
      if (n === 0) cmp.remove();
      else {
        cmp.textContent = `Compare ${n} earlier run${n === 1 ? '' : 's'}`;
        if (!cmp.isConnected) this.compareAfter?.after(cmp);
      }
    }
  }

  private markDirty(...parts: Part[]): void {
    for (const p of parts) this.dirty.add(p);
    this.scheduler.request();
  }

  private saveState(): void {
    this.api.setState(this.state);
  }

  private updateColors(): void {
    const k = this.model.start?.data.nClasses ?? 0;
    this.colors = classPalette(k, this.state.palette);
    this.lut = heatmapLut({ colors: this.colors, background: this.theme.background, minAlpha: this.theme.minAlpha, maxAlpha: this.theme.maxAlpha });
  }

  /** The replayed epoch (frames' numbering: epochs completed), or undefined = latest. */
  private replayEpoch(): number | undefined {
    const m = this.model;
    if (m.status === 'running' || !m.run) return undefined;
    const r = this.state.replay;
    return r && r.runId === m.run.runId && r.epoch < completedEpochs(m) ? r.epoch : undefined;
  }

  private onReplay(): void {
    if (!this.slider || !this.model.run) return;
    const v = Number(this.slider.value);
    const max = Number(this.slider.max);
    this.state.replay = v >= max ? undefined : { runId: this.model.run.runId, epoch: v };
    this.saveState();
    this.markDirty('boundary', 'curves', 'header');
    this.renderHeader();
  }

  // ---------------------------------------------------------------------------
  // Synchronous part: text and the attributes the end-to-end tests read.

  private renderHeader(): void {
    const m = this.model;
    const s = m.start;
    const root = this.root;
    const done = completedEpochs(m);
    const total = s?.epochs ?? 0;
    root.dataset.status = m.status;
    root.dataset.epoch = String(done);
    const acc = latestTestAcc(m);
    if (acc === undefined) delete root.dataset.testAcc;
    else root.dataset.testAcc = String(acc);

    this.specName.textContent = s?.specName ?? m.run?.specName ?? this.idle?.specName ?? 'Blob Classifier';
    this.statusText.textContent = m.paused && m.status === 'running' ? 'paused' : m.status === 'idle' ? '' : m.status;
    this.statusText.className = `status status-${m.status}`;
    this.meta.textContent = s ? describeStart(s, this.kind === 'side') : '';
    this.meta.title = s ? `${s.reason}` : '';
    this.epochText.textContent = `${done}/${total}`;
    this.progress.set(done, total);
    this.busy.hidden = m.status !== 'running' || m.paused;
    const last = m.epochs.at(-1);
    this.elapsed.textContent = last ? duration(last.elapsedMs) : '';
    this.testAcc.textContent = pct(acc);
    if (this.kind === 'side') {
      this.numbers.textContent = last ? `loss ${num(last.trainLoss, 4)} / ${num(last.testLoss, 4)} · train acc ${pct(last.trainAcc)}` : '';
    } else {
      // The notebook prints a line every log_every epochs; show the latest, as it would.
      const warn = m.logs.filter((l) => l.level === 'warn').at(-1);
      const info = m.logs.filter((l) => l.level === 'info').at(-1);
      this.numbers.textContent = warn ? `⚠ ${warn.message}` : info?.message ?? '';
      this.numbers.classList.toggle('warn', !!warn);
    }
    this.btnStop.disabled = m.status !== 'running';
    this.btnTrain.disabled = m.status === 'running';
    this.btnTrain.textContent = m.start || m.status !== 'idle' ? 'Train again' : 'Train';

    const err = m.error;
    this.errorBox.hidden = !err;
    this.errorTitle.textContent = err ? errorTitle(err) : '';
    this.errorMessage.textContent = err ? err.message : '';
    if (err) this.errorBox.dataset.code = err.code;
    else delete this.errorBox.dataset.code;

    // A stopped run says so (not only in the small status badge), and why there is no
    // evaluation below.
    this.outcome.hidden = m.status !== 'cancelled';
    this.outcome.textContent =
      m.status !== 'cancelled' ? ''
      : done === 0 ? `Stopped before the first epoch finished.`
      : `Stopped after ${done} of ${total} epochs${m.cancelled?.summary ? `: train acc ${pct(m.cancelled.summary.train_acc)}, test acc ${pct(m.cancelled.summary.test_acc)}` : ''}. ` +
        `The plots show the model as it was then; there is no final evaluation. Train again to run all ${total}.`;

    const showContent = !!s;
    this.content.hidden = !showContent;
    this.notice.hidden = showContent;
    const idle = this.idle;
    const problems = !showContent && m.status === 'idle' && !!idle?.problems;
    this.notice.classList.toggle('notice-problems', problems);
    if (!showContent) {
      const n = idle?.problems ?? 0;
      this.notice.textContent =
        m.status === 'error' ? 'The run failed before training started: nothing to draw.'
        : problems ? `${idle?.specName ?? 'The spec'} has ${n} problem${n === 1 ? '' : 's'} to fix before it can train. ` +
            `${n === 1 ? 'It is' : 'They are'} underlined in the spec and listed in the Problems panel; Train takes you to the first.`
        : m.status === 'running' ? 'Starting…'
        : idle?.specName ? `No run of ${idle.specName} yet. Press Train to start.`
        : 'Open a .blobs.json spec and press Train.';
    }

    if (this.slider && this.sliderLabel) {
      const max = done;
      const r = this.replayEpoch();
      this.slider.max = String(max);
      this.slider.value = String(r ?? max);
      this.slider.disabled = m.status === 'running' || !m.frames.length;
      const shown = r ?? max;
      const text = r === undefined ? `epoch ${shown}/${total} (latest)` : `epoch ${shown}/${total}`;
      this.sliderLabel.textContent = text;
      this.slider.setAttribute('aria-valuetext', text);
    }
  }

  // ---------------------------------------------------------------------------
  // Drawing, once per animation frame.

  private draw(): void {
    const parts = new Set(this.dirty);
    this.dirty.clear();
    const m = this.model;
    const s = m.start;
    if (!s) return;
    if (parts.has('layout')) this.renderLegend(s);
    const r = this.replayEpoch();
    if (parts.has('boundary') || parts.has('layout')) {
      const f = r === undefined ? m.frames.at(-1) : frameAtOrBefore(m.frames, r);
      if (f) {
        const t0 = performance.now();
        const frame = this.decode(f);
        // Metrics of the model the frame shows: the last epoch event before it.
        const at = lastBefore(m.epochs, f.epoch);
        for (const b of this.boundaries) {
          b.draw({
            start: s, frame, theme: this.theme, colors: this.colors, lut: this.lut,
            maxPoints: MAX_POINTS[this.kind],
            acc: at ? (b.which === 'train' ? at.trainAcc : at.testAcc) : undefined,
          });
        }
        // Decode + both plots: what one boundary update costs the main thread.
        const ms = performance.now() - t0;
        this.lastBoundaryMs = ms;
        recordMeasure(ms, f.resolution);
        this.slice.hidden = !f.slice;
        this.slice.textContent = f.slice ? `Slice: ${f.slice}` : '';
      }
    }
    if (parts.has('curves') || parts.has('layout')) {
      const compare = this.state.compare && this.kind === 'panel' ? this.history : [];
      for (const c of this.charts) {
        c.update({ epochs: m.epochs, total: s.epochs, log: this.state.logLoss && c.metric === 'loss', upTo: r === undefined ? undefined : r - 1, compare });
      }
    }
    if ((parts.has('eval') || parts.has('layout')) && this.evalSection && this.confusion && this.scores) {
      const done = m.done;
      this.evalSection.hidden = !done;
      if (done) {
        const split = this.state.confusionSplit;
        fillConfusion(this.confusion, done.evaluation[split], s.data.classNames, split);
        fillScores(this.scores, done.evaluation[split], s.data.classNames, split);
      }
    }
  }

  private renderLegend(s: StartEvent): void {
    const doc = this.doc;
    const items: Node[] = [];
    const names = s.data.classNames;
    for (let c = 0; c < s.data.nClasses; c++) {
      // The marker's shape too (past eight classes), as on the plot.
      const sw = h(doc, 'span', { class: `swatch shape-${classShape(c)}` });
      sw.style.backgroundColor = this.colors[c];
      items.push(h(doc, 'span', { class: 'legend-item' }, [sw, names[c] ?? String(c)]));
    }
    items.push(h(doc, 'span', { class: 'legend-item' }, [h(doc, 'span', { class: 'swatch ring' }), 'misclassified']));
    const notes: string[] = [];
    const cap = MAX_POINTS[this.kind];
    for (const w of this.kind === 'side' ? (['test'] as const) : (['train', 'test'] as const)) {
      const note = samplingNote(w, s.points[w], cap);
      if (note) notes.push(note);
    }
    if (notes.length) items.push(h(doc, 'span', { class: 'legend-note', text: notes.join(' · ') }));
    this.legend.replaceChildren(...items);
  }

  // ---------------------------------------------------------------------------

  /** The whole figure as SVG text, as shown now (replayed epoch, theme, options). */
  figureSvg(): string | undefined {
    const m = this.model;
    if (!m.start) return undefined;
    const r = this.replayEpoch();
    const frame = r === undefined ? m.frames.at(-1) : frameAtOrBefore(m.frames, r);
    if (!frame) return undefined;
    // Curves up to the replayed epoch, like the charts on screen.
    const epochs = r === undefined ? m.epochs : m.epochs.filter((e) => e.epoch < r);
    return renderFigureSvg(
      { start: m.start, frame, epochs },
      { theme: this.theme, palette: this.state.palette, logLoss: this.state.logLoss, compare: this.state.compare ? this.history : [] },
    );
  }

  private async export(format: 'png' | 'svg'): Promise<void> {
    const svg = this.figureSvg();
    if (!svg) {
      if (this.exportStatus) this.exportStatus.textContent = 'Nothing to export yet';
      return;
    }
    try {
      const data = format === 'svg' ? svg : await svgToPngDataUrl(this.doc, svg);
      post(this.api, { type: 'exportFigure', format, data });
      if (this.exportStatus) this.exportStatus.textContent = 'Exporting…';
    } catch (e) {
      if (this.exportStatus) this.exportStatus.textContent = `Export failed: ${(e as Error).message}`;
    }
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

function describeStart(s: StartEvent, compact: boolean): string {
  const d = s.data;
  const data = `${d.generator} · ${d.nSamples} samples (${d.nTrain} train / ${d.nTest} test) · ${d.nFeatures} features · ${d.nClasses} classes`;
  if (compact) return `${d.generator} · ${d.nSamples} · ${d.nClasses} classes · ${s.backend}/${s.device}`;
  const model = `model ${s.model.layers.join('→')}${s.model.activation !== 'none' ? ` (${s.model.activation})` : ''}, ${s.model.params} params`;
  return `${data} · ${model} · ${s.backend}/${s.device}`;
}

/** A performance entry per boundary redraw, read by the harness's timing run. */
function recordMeasure(ms: number, resolution: number): void {
  const perf = globalThis.performance;
  if (!perf || typeof perf.measure !== 'function') return;
  try {
    const end = perf.now();
    perf.measure('boundary-draw', { start: end - ms, end, detail: { resolution } });
    if (perf.getEntriesByName('boundary-draw').length > 500) perf.clearMeasures('boundary-draw');
  } catch {
    // Older engines without measure options: timing is a dev aid only.
  }
}
