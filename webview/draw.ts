/**
 * The drawing: boundary canvases, legend, curves and evaluation tables, done at most
 * once per animation frame (the scheduler) with only the parts that changed since.
 */
import type { FrameEvent, StartEvent, ViewKind } from '../src/core/protocol';
import { classShape } from '../src/core/figure/marks';
import { unpackWeights, type NetWeights } from '../src/core/figure/network';
import { samplingNote } from '../src/core/figure/sample';
import type { ViewElements } from './layout';
import { lastBefore, shownFrame, type Part, type RunModel } from './model';
import type { CompareRun } from './render/chart';
import { h } from './render/dom';
import { frameDecoder } from './render/frame';
import { fillConfusion, fillScores } from './render/tables';
import type { ViewTheme } from './render/theme';
import type { ViewState } from './vscode';

/** Most points drawn per plot, whatever the host sends. */
export const MAX_POINTS = { panel: 2500, side: 800 } as const;

export interface DrawInput {
  model: RunModel;
  kind: ViewKind;
  state: ViewState;
  theme: ViewTheme;
  colors: string[];
  lut: Uint8Array;
  /** Earlier runs for the compare overlay (panel). */
  compare: CompareRun[];
  /** The shown epoch (playback or slider), or undefined = latest. */
  replay?: number;
  /** The network view is shown (panel: its toggle; side view: room for it). */
  network: boolean;
}

/** A frame's weights decoded once (the network view and the probe share them). */
export function weightsDecoder(): (f: FrameEvent | undefined, start: StartEvent | undefined) => NetWeights | undefined {
  let last: { f: FrameEvent; w?: NetWeights } | undefined;
  return (f, start) => {
    if (!f?.weights || !start) return undefined;
    if (last?.f !== f) last = { f, w: unpackWeights(f.weights, start.model.layers) };
    return last.w;
  };
}

export class Drawer {
  /** Decodes a frame once for every part that reads its grids (the boundaries, the probe). */
  readonly decode = frameDecoder();
  readonly weights = weightsDecoder();
  /** Milliseconds of the last boundary redraw (both plots), for the harness. */
  lastBoundaryMs = 0;

  constructor(private readonly v: ViewElements) {}

  draw(parts: ReadonlySet<Part>, d: DrawInput): void {
    const v = this.v;
    const m = d.model;
    const s = m.state?.start;
    if (!s) return;
    if (parts.has('layout')) this.renderLegend(s, d);
    const r = d.replay;
    if (parts.has('boundary') || parts.has('layout')) {
      const f = shownFrame(m, r);
      if (f) {
        const t0 = performance.now();
        const frame = this.decode(f);
        // Metrics of the model the frame shows: the last epoch event before it.
        const at = lastBefore(m.epochs, f.epoch);
        for (const b of v.boundaries) {
          b.draw({
            start: s, frame, theme: d.theme, colors: d.colors, lut: d.lut,
            maxPoints: MAX_POINTS[d.kind],
            acc: at ? (b.which === 'train' ? at.trainAcc : at.testAcc) : undefined,
          });
        }
        // Decode + both plots: what one boundary update costs the main thread.
        const ms = performance.now() - t0;
        this.lastBoundaryMs = ms;
        recordMeasure(ms, f.resolution);
        v.slice.hidden = !f.slice;
        v.slice.textContent = f.slice ? `Slice: ${f.slice}` : '';
      }
    }
    if ((parts.has('boundary') || parts.has('layout') || parts.has('network')) && d.network) {
      // The network of the same frame the boundaries show.
      const f = shownFrame(m, r);
      if (f) v.network.draw({ start: s, weights: this.weights(f, s), epoch: f.epoch, bounds: f.bounds, theme: d.theme, colors: d.colors });
    }
    if (parts.has('curves') || parts.has('layout')) {
      const compare = d.state.compare && d.kind === 'panel' ? d.compare : [];
      const fraction = compare.length > 0 && d.state.compareFraction;
      for (const c of v.charts) {
        c.update({ epochs: m.epochs, total: s.epochs, log: d.state.logLoss && c.metric === 'loss', upTo: r === undefined ? undefined : r - 1, compare, fraction });
      }
    }
    if ((parts.has('eval') || parts.has('layout')) && v.evalSection && v.confusion && v.scores) {
      // The final model's evaluation, once the view shows the final model.
      const done = m.state?.done && (r === undefined || r >= m.state.done.summary.epochs_completed) ? m.state.done : undefined;
      v.evalSection.hidden = !done;
      if (done) {
        const split = d.state.confusionSplit;
        fillConfusion(v.confusion, done.evaluation[split], s.data.classNames, split);
        fillScores(v.scores, done.evaluation[split], s.data.classNames, split);
      }
    }
  }

  private renderLegend(s: StartEvent, d: DrawInput): void {
    const doc = this.v.legend.ownerDocument;
    const items: Node[] = [];
    const names = s.data.classNames;
    for (let c = 0; c < s.data.nClasses; c++) {
      // The marker's shape too (past eight classes), as on the plot.
      const sw = h(doc, 'span', { class: `swatch shape-${classShape(c)}` });
      sw.style.backgroundColor = d.colors[c];
      items.push(h(doc, 'span', { class: 'legend-item' }, [sw, names[c] ?? String(c)]));
    }
    items.push(h(doc, 'span', { class: 'legend-item' }, [h(doc, 'span', { class: 'swatch ring' }), 'misclassified']));
    const notes: string[] = [];
    const cap = MAX_POINTS[d.kind];
    for (const w of d.kind === 'side' ? (['test'] as const) : (['train', 'test'] as const)) {
      const note = samplingNote(w, s.points[w], cap);
      if (note) notes.push(note);
    }
    if (notes.length) items.push(h(doc, 'span', { class: 'legend-note', text: notes.join(' · ') }));
    this.v.legend.replaceChildren(...items);
  }
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
