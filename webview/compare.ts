/**
 * The comparison overlay's legend: each earlier run of the spec named by what differs in
 * its spec from the run shown ("lr 0.01", "activation none", "hidden [16, 16]";
 * core/run/compare.ts), in the colour of its curves, with every difference and its result
 * on hover; the run shown is named by its own values of those fields. Runs of different
 * lengths can share a "fraction of training" axis. Panel only: the side view neither
 * draws earlier runs nor mentions them.
 */
import type { HostToWebview, RunSummary, StartEvent } from '../src/core/protocol';
import { currentLabel, runDetails, runLabel, specDifferences, type SpecDifference } from '../src/core/run/compare';
import { pct } from '../src/core/figure/format';
import type { CompareRun } from './render/chart';
import { checkbox, h, type CheckboxControl } from './render/dom';

type HistoryRuns = Extract<HostToWebview, { type: 'history' }>['runs'];

/** Distinct colours for earlier runs (styles.css `.run-<slot>`), reused past this many. */
export const COMPARE_SLOTS = 6;

export interface CompareEntry extends CompareRun {
  runId: string;
  label: string;
  details: string;
  diffs: SpecDifference[];
  summary?: RunSummary;
}

/** The earlier runs to overlay (every run but the one shown, with epochs), oldest first. */
export function compareEntries(shown: { runId?: string; start?: StartEvent }, runs: HistoryRuns): CompareEntry[] {
  const earlier = runs.filter((r) => r.run.runId !== shown.runId && r.epochs.length);
  return earlier.map((r, i) => {
    const diffs = r.spec && shown.start ? specDifferences(r.spec, shown.start.spec) : [];
    const known = !!(r.spec && shown.start);
    const s = r.summary;
    const result = s ? `\n${s.status === 'cancelled' ? `stopped after ${s.epochs_completed} of ${s.epochs} epochs` : `${s.epochs} epochs`}, test acc ${pct(s.test_acc)}` : '';
    return {
      runId: r.run.runId,
      epochs: r.epochs,
      total: r.spec?.training.epochs ?? s?.epochs ?? r.epochs.length,
      slot: i % COMPARE_SLOTS,
      diffs,
      label: known ? runLabel(diffs) : `run ${r.run.runId.slice(0, 15)}`,
      details: (known ? runDetails(diffs) : 'Spec not recorded') + result,
      summary: s,
    };
  });
}

export class CompareLegend {
  readonly el: HTMLElement;
  readonly fractionBox: CheckboxControl;
  private readonly items: HTMLElement;

  constructor(
    private readonly doc: Document,
    fraction: boolean,
    onFraction: (on: boolean) => void,
    private readonly onHighlight: (slot: number | undefined) => void,
  ) {
    this.items = h(doc, 'div', { class: 'compare-items' });
    this.fractionBox = checkbox(doc, 'x: fraction of training', 'opt-fraction', fraction);
    this.fractionBox.addEventListener('change', () => onFraction(this.fractionBox.checked));
    this.el = h(doc, 'div', { class: 'compare-legend', testid: 'compare-legend', hidden: true, attrs: { role: 'group', 'aria-label': 'Runs compared' } }, [this.items, this.fractionBox]);
  }

  render(entries: CompareEntry[], on: boolean): void {
    const doc = this.doc;
    this.el.hidden = !on || entries.length === 0;
    if (this.el.hidden) {
      this.items.replaceChildren();
      return;
    }
    const now = currentLabel(entries.map((e) => e.diffs));
    const current = h(doc, 'span', { class: 'compare-item compare-current', testid: 'compare-current', attrs: { title: 'The run shown: thick lines (solid train, dashed test)' } }, [
      h(doc, 'span', { class: 'run-swatch current' }),
      now ? `this run: ${now}` : 'this run',
    ]);
    const items: HTMLElement[] = [h(doc, 'span', { class: 'compare-head', text: 'Runs:' }), current];
    for (const e of entries) {
      const item = h(doc, 'span', { class: `compare-item run-${e.slot}`, testid: 'compare-item', attrs: { title: e.details, tabindex: '0', 'data-run-id': e.runId } }, [
        h(doc, 'span', { class: `run-swatch run-${e.slot}` }),
        e.label,
      ]);
      const hl = () => this.onHighlight(e.slot);
      const off = () => this.onHighlight(undefined);
      item.addEventListener('pointerenter', hl);
      item.addEventListener('focus', hl);
      item.addEventListener('pointerleave', off);
      item.addEventListener('blur', off);
      items.push(item);
    }
    this.items.replaceChildren(...items);
    // The shared axis matters when the lengths differ; it stays available either way.
    const lengths = new Set(entries.map((e) => e.total));
    this.fractionBox.title = lengths.size > 1 ? 'The runs have different lengths: line them up start to end' : 'Line the runs up by the fraction of their training';
  }
}
