/**
 * The Blob Classifier view: the editor panel (`data-view="panel"`) or the compact side
 * view (`data-view="side"`). Messages from the host update the run model at once (text,
 * status attributes: cheap), and drawing (boundary canvases, charts, tables) happens at
 * most once per animation frame with only the latest state (see scheduler.ts).
 *
 * This class routes: host messages into the model, controls into the view state, and
 * changes to the parts that show them: layout.ts builds the DOM, header.ts writes the
 * text, draw.ts draws, figureExport.ts exports.
 */
import type { HostToWebview, ViewKind } from '../src/core/protocol';
import { heatmapLut } from '../src/core/figure/heatmap';
import { classPalette } from '../src/core/figure/palette';
import { nearestSample, probe } from '../src/core/figure/probe';
import type { Activation } from '../src/core/figure/network';
import { compareEntries, type CompareEntry } from './compare';
import { Drawer } from './draw';
import { exportFigure, figureSvg } from './figureExport';
import { renderHeader } from './header';
import { buildView, type ViewElements } from './layout';
import { epochsDone, newRunState, settleReplay } from '../src/core/run/state';
import { PlaybackClock, speedOf } from './playback';
import { applyEvents, emptyModel, shownFrame, type Part, type RunModel } from './model';
import type { ProbeTarget } from './render/probe';
import { createScheduler, type Scheduler } from './render/scheduler';
import { readTheme, type ViewTheme } from './render/theme';
import { post, readViewState, type ViewState, type VsCodeApi } from './vscode';

export class App {
  readonly doc: Document;
  readonly kind: ViewKind;
  private model: RunModel = emptyModel();
  private state: ViewState;
  private theme: ViewTheme;
  private colors: string[] = [];
  private lut: Uint8Array = new Uint8Array(0);
  /** Earlier runs from the host, and those the overlay draws (every one but the run shown). */
  private allHistory: Extract<HostToWebview, { type: 'history' }>['runs'] = [];
  private compare: CompareEntry[] = [];
  /** The probe: where, on which plot, pinned or following the pointer. */
  private probeAt?: { which: 'train' | 'test'; x: number; y: number; pinned: boolean };
  /** The side view draws the network when it is wide enough. */
  private sideRoom = false;
  /** The last `idle` message, for the notice when no run is shown. */
  private idle?: Extract<HostToWebview, { type: 'idle' }>;
  private readonly dirty = new Set<Part>();
  private readonly scheduler: Scheduler;
  private readonly disposers: (() => void)[] = [];
  private readonly v: ViewElements;
  private readonly drawer: Drawer;
  /** Which epoch is shown: the run told at a person's pace (playback.ts). */
  private readonly clock: PlaybackClock;
  private readonly now: () => number;
  /** Clock time the playback position was last saved (saved now and then while playing). */
  private savedAt = -Infinity;
  /** The run whose first boundary this view drew (for `data-first-frame-at`). */
  private firstFrameRun?: string;

  constructor(
    readonly root: HTMLElement,
    private readonly api: VsCodeApi,
    /** `now`: the playback's time source, ms (tests drive it by hand). */
    opts: { now?: () => number } = {},
  ) {
    this.doc = root.ownerDocument;
    this.kind = root.dataset.view === 'side' ? 'side' : 'panel';
    this.state = readViewState(api);
    this.now = opts.now ?? (() => performance.now());
    this.clock = new PlaybackClock(this.now);
    this.clock.setSpeed(speedOf(this.state.speed ?? '1x'));
    // The host names the spec on #app; keep it in the state for the panel serializer.
    if (root.dataset.specPath) {
      this.state.specPath = root.dataset.specPath;
      this.saveState();
    }
    this.theme = readTheme(this.doc);
    this.scheduler = createScheduler(() => this.draw(), this.doc.defaultView ?? undefined);
    this.v = buildView(root, this.kind, this.state, {
      train: () => post(api, { type: 'train' }),
      stop: () => post(api, { type: 'stop' }),
      pauseTraining: () => post(api, { type: 'pause' }),
      resumeTraining: () => post(api, { type: 'resume' }),
      step: (epochs) => post(api, { type: 'step', epochs }),
      togglePlay: () => this.playback((c) => (c.playing ? c.pause() : c.play())),
      jumpToEnd: () => this.playback((c) => c.jumpToEnd()),
      speed: (p) => {
        this.state.speed = p;
        this.playback((c) => c.setSpeed(speedOf(p)));
      },
      openPanel: () => post(api, { type: 'openPanel' }),
      openNotebook: () => post(api, { type: 'openNotebook' }),
      palette: (p) => {
        this.state.palette = p;
        this.saveState();
        this.updateColors();
        this.markDirty('boundary', 'layout');
      },
      logLoss: (on) => {
        this.state.logLoss = on;
        this.saveState();
        this.markDirty('curves');
      },
      compare: (on) => {
        this.state.compare = on;
        this.saveState();
        this.filterHistory();
        this.markDirty('curves');
      },
      export: (format) => void this.export(format),
      replay: () => this.onReplay(),
      split: (s) => {
        this.state.confusionSplit = s;
        this.saveState();
        this.markDirty('eval');
      },
      editSpec: (id, field, value) => post(api, { type: 'editSpec', id, field, value }),
      controlsOpen: (open) => {
        this.state.controls = open;
        this.saveState();
      },
      network: (on) => {
        this.state.network = on;
        this.saveState();
        this.v.network.el.hidden = !on;
        this.markDirty('network');
      },
      fraction: (on) => {
        this.state.compareFraction = on;
        this.saveState();
        this.markDirty('curves');
      },
      highlightRun: (slot) => {
        for (const c of this.v.charts) {
          c.el.classList.toggle('compare-hl', slot !== undefined);
          c.el.dataset.hlSlot = slot === undefined ? '' : String(slot);
        }
      },
    });
    this.wireProbes();
    this.drawer = new Drawer(this.v);
    this.updateColors();
    this.renderHeader();
    this.listen();
  }

  /** Milliseconds of the last boundary redraw (both plots), for the harness. */
  get lastBoundaryMs(): number {
    return this.drawer.lastBoundaryMs;
  }

  private listen(): void {
    const win = this.doc.defaultView;
    if (!win) return;
    const onMessage = (e: MessageEvent) => this.handle(e.data as HostToWebview);
    win.addEventListener('message', onMessage);
    this.disposers.push(() => win.removeEventListener('message', onMessage));
    // Ctrl/Cmd+S here saves the spec this view shows: VS Code's own Save acts on the
    // active editor, which is the panel itself once it was clicked (nothing to save).
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') post(this.api, { type: 'save' });
    };
    win.addEventListener('keydown', onKey);
    this.disposers.push(() => win.removeEventListener('keydown', onKey));
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
        this.updateSideRoom();
        this.markDirty('boundary', 'curves', 'network');
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
        // The same run again (the host resends it when the view is shown): the playback
        // goes on. A run saved in the state (a reloaded view): from where it stood. A run
        // new to this view: its story from the untrained model, even if it has ended
        // (the first run's panel loads while the trainer finishes).
        const same = this.model.run?.runId === msg.run.runId;
        this.model = { ...emptyModel(), run: msg.run, state: newRunState() };
        const changed = applyEvents(this.model, msg.events);
        settleReplay(this.model.state!, msg.active);
        const saved = this.state.replay?.runId === msg.run.runId ? this.state.replay : undefined;
        if (!saved) this.state.replay = undefined;
        if (!same) this.clock.reset(this.model.state?.start?.epochs ?? 0, saved ? { from: saved.epoch, playing: saved.playing } : {});
        this.syncClock();
        this.state.specPath = msg.run.specPath;
        this.saveState();
        this.updateColors();
        this.filterHistory();
        this.markDirty('layout', 'header', 'boundary', 'curves', 'eval', 'network', ...changed);
        break;
      }
      case 'events': {
        if (!this.model.run || msg.runId !== this.model.run.runId) return;
        const st = this.model.state;
        const wasPaused = !!st?.paused;
        const before = st ? epochsDone(st) : 0;
        const changed = applyEvents(this.model, msg.events);
        if (changed.has('layout')) {
          this.updateColors();
          // The run's start (its spec) came after the history: name the earlier runs now.
          this.filterHistory();
        }
        // A step (new epochs while training stays paused, from any of its controls): the
        // view shows the stepped epochs, wherever the playback stood.
        const after = this.model.state;
        if (wasPaused && after?.paused && epochsDone(after) > before) this.clock.jumpToEnd();
        if (changed.has('layout')) this.clock.reset(after?.start?.epochs ?? 0); // a restarted stream
        this.syncClock();
        // Status may come back to running with a restarted stream.
        this.markDirty(...changed);
        break;
      }
      case 'history':
        this.allHistory = msg.runs;
        this.filterHistory();
        this.markDirty('curves');
        break;
      case 'options':
        // The setting changed (or is first known): it wins over the view's own choice.
        if (msg.playback !== this.state.playbackSetting) {
          this.state.playbackSetting = msg.playback;
          this.state.speed = msg.playback;
          if (this.v.speed) this.v.speed.value = msg.playback;
          this.playback((c) => c.setSpeed(speedOf(msg.playback)));
        }
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
      case 'spec':
        this.v.controls?.setSpec(msg);
        break;
      case 'editResult':
        this.v.controls?.onResult(msg);
        break;
      case 'exported':
        if (this.v.exportStatus) {
          this.v.exportStatus.textContent = msg.error ? `Export failed: ${msg.error}` : msg.path ? `Saved ${msg.path}` : '';
        }
        break;
    }
    this.renderHeader();
  }

  private filterHistory(): void {
    // The side view draws no earlier runs, so it does not mention them either.
    this.compare = this.kind === 'panel' ? compareEntries({ runId: this.model.run?.runId, start: this.model.state?.start }, this.allHistory) : [];
    const on = this.state.compare && this.compare.length > 0;
    for (const c of this.v.charts) c.setCompareKey(on);
    this.v.compareLegend?.render(this.compare, on);
    const cmp = this.v.compareBox;
    if (cmp) {
      const n = this.compare.length;
      if (n === 0) cmp.remove();
      else {
        cmp.textContent = `Compare ${n} earlier run${n === 1 ? '' : 's'}`;
        if (!cmp.isConnected) this.v.compareAfter?.after(cmp);
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
    const k = this.model.state?.start?.data.nClasses ?? 0;
    this.colors = classPalette(k, this.state.palette);
    this.lut = heatmapLut({ colors: this.colors, background: this.theme.background, minAlpha: this.theme.minAlpha, maxAlpha: this.theme.maxAlpha });
  }

  /** The shown epoch (frames' numbering: epochs completed), or undefined when no run is shown. */
  private replayEpoch(): number | undefined {
    return this.model.run && this.model.state ? this.clock.shown : undefined;
  }

  /** The trainer's progress into the clock; animation frames while it has epochs to show. */
  private syncClock(): void {
    const st = this.model.state;
    if (!st) return;
    this.clock.setTrained(epochsDone(st), st.status !== 'running', st.start?.epochs ?? 0);
    if (this.clock.animating) this.scheduler.request();
  }

  /** A playback control: act on the clock, keep the position, redraw what it shows. */
  private playback(act: (c: PlaybackClock) => void): void {
    act(this.clock);
    this.savePosition();
    this.markDirty('boundary', 'curves', 'eval', 'header');
    this.renderHeader();
  }

  private savePosition(): void {
    const run = this.model.run;
    this.savedAt = this.now();
    if (run) this.state.replay = { runId: run.runId, epoch: this.clock.shown, playing: this.clock.playing };
    this.saveState();
  }

  /** The slider: the playback's position; dragging it pauses the playback there. */
  private onReplay(): void {
    const slider = this.v.slider;
    if (!slider || !this.model.run) return;
    this.playback((c) => c.seek(Number(slider.value)));
  }

  private renderHeader(): void {
    renderHeader(this.root, this.v, this.model, {
      kind: this.kind, idle: this.idle, replay: this.replayEpoch(),
      playback: { playing: this.clock.playing, finished: this.clock.finished },
    });
  }

  private draw(): void {
    // One step of the playback per animation frame: the shown epoch decides the rest.
    const wasPlaying = this.clock.playing;
    if (this.clock.tick()) {
      for (const p of ['boundary', 'curves', 'eval', 'header'] as const) this.dirty.add(p);
      // Kept now and then while playing (a reloaded view goes on from about there), and when the story ends.
      if (this.now() - this.savedAt >= 500 || wasPlaying !== this.clock.playing) this.savePosition();
    }
    const parts = new Set(this.dirty);
    this.dirty.clear();
    if (parts.has('header')) this.renderHeader();
    const network = this.kind === 'side' ? this.sideRoom : this.state.network;
    this.v.network.el.hidden = !network || !this.model.state?.start;
    this.drawer.draw(parts, {
      model: this.model, kind: this.kind, state: this.state, theme: this.theme, colors: this.colors, lut: this.lut,
      compare: this.compare, replay: this.replayEpoch(), network,
    });
    if (parts.has('boundary') || parts.has('layout') || parts.has('probe')) this.renderProbe();
    const run = this.model.run;
    const drewBoundary = (parts.has('boundary') || parts.has('layout')) && !!this.model.state?.start && !!shownFrame(this.model, this.replayEpoch());
    if (run && this.firstFrameRun !== run.runId && drewBoundary) {
      // Wall-clock time this view first drew the run's boundary: the end of "click → first frame" (e2e).
      this.firstFrameRun = run.runId;
      this.root.dataset.firstFrameAt = String(Date.now());
      this.root.dataset.firstFrameEpoch = String(shownFrame(this.model, this.replayEpoch())?.epoch);
    }
    if (this.clock.animating) this.scheduler.request();
  }

  /** The whole figure as SVG text, as shown now (replayed epoch, theme, options). */
  figureSvg(): string | undefined {
    return figureSvg({ model: this.model, theme: this.theme, state: this.state, history: this.compare.map((c) => c.epochs), replay: this.replayEpoch() });
  }

  // -------------------------------------------------------------------------
  // The probe

  private updateSideRoom(): void {
    if (this.kind !== 'side') return;
    // Room for the network: a side bar widened past the default (~300 px with padding).
    this.sideRoom = this.root.clientWidth >= 340;
  }

  /** Pointer and keyboard on each boundary plot: hover probes, click pins, Escape lets go. */
  private wireProbes(): void {
    this.v.boundaries.forEach((b) => {
      const at = (e: MouseEvent): { x: number; y: number } | undefined => {
        const g = b.geometry;
        if (!g) return undefined;
        const r = b.wrap.getBoundingClientRect();
        const px = e.clientX - r.left;
        const py = e.clientY - r.top;
        const { box } = g;
        if (px < box.x || px > box.x + box.width || py < box.y || py > box.y + box.height) return undefined;
        return { x: g.scales.x.invert(px), y: g.scales.y.invert(py) };
      };
      b.wrap.addEventListener('pointermove', (e) => {
        if (this.probeAt?.pinned) return;
        const p = at(e);
        this.probeAt = p ? { which: b.which, ...p, pinned: false } : undefined;
        this.renderProbe();
      });
      b.wrap.addEventListener('pointerleave', () => {
        if (this.probeAt?.pinned) return;
        this.probeAt = undefined;
        this.renderProbe();
      });
      b.wrap.addEventListener('click', (e) => {
        const p = at(e);
        const pinned = this.probeAt?.pinned && this.probeAt.which === b.which;
        // A click on the pinned plot lets go; elsewhere on a plot, pins there.
        this.probeAt = pinned || !p ? undefined : { which: b.which, ...p, pinned: true };
        if (!this.probeAt && p) this.probeAt = { which: b.which, ...p, pinned: false };
        this.renderProbe();
      });
    });
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && this.probeAt?.pinned) {
        this.probeAt = undefined;
        this.renderProbe();
      }
    };
    this.doc.addEventListener('keydown', onKey);
    this.disposers.push(() => this.doc.removeEventListener('keydown', onKey));
  }

  /** Draws the probe for the model of the shown frame (it follows replay and playback). */
  private renderProbe(): void {
    const at = this.probeAt;
    const s = this.model.state?.start;
    const f = shownFrame(this.model, this.replayEpoch());
    this.v.boundaries.forEach((b, i) => {
      const overlay = this.v.probes[i];
      const g = b.geometry;
      if (!at || at.which !== b.which || !s || !f || !g) {
        overlay.hide();
        return;
      }
      const frame = this.drawer.decode(f);
      const weights = this.drawer.weights(f, s);
      const px = g.scales.x(at.x);
      const py = g.scales.y(at.y);
      const points = s.points[b.which];
      const near = nearestSample(points, g.drawn, (x, y) => [g.scales.x(x), g.scales.y(y)], px, py, 8);
      const result = probe({
        x: at.x, y: at.y, weights, activation: s.model.activation as Activation, means: s.featureMeans,
        grid: { cls: frame.cls, conf: frame.conf, bounds: f.bounds, res: f.resolution },
        sample: near && { split: b.which, points, drawn: near.drawn, distPx: near.distPx, pred: b.which === 'train' ? frame.predTrain : frame.predTest },
      });
      const target: ProbeTarget = { which: b.which, x: at.x, y: at.y, px, py };
      overlay.show(target, result, {
        pinned: at.pinned, classNames: s.data.classNames, colors: this.colors, featureNames: s.data.featureNames, epoch: f.epoch,
        note: weights ? undefined : 'the grid\'s answer: class probabilities need the weights, sent for models up to 4,096 parameters',
      });
    });
  }

  private export(format: 'png' | 'svg'): Promise<void> {
    return exportFigure(this.doc, this.api, format, this.figureSvg(), this.v.exportStatus);
  }
}
