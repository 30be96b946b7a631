/**
 * The probe on a boundary plot: hovering shows what the model at the shown epoch says
 * at that point (every class's probability) and, near a sample, which one it is; a click
 * pins it (it then follows the shown epoch: replay, playback), a second click on the pin
 * or Escape lets it go. The numbers come from core/figure/probe.ts; this draws them: a
 * marker at the point and a small card beside it, inside the plot.
 */
import type { ProbeResult } from '../../src/core/figure/probe';
import { num } from '../../src/core/figure/format';
import { h } from './dom';

export interface ProbeTarget {
  which: 'train' | 'test';
  /** Data coordinates. */
  x: number;
  y: number;
  /** Pixel position inside the plot (the marker's place). */
  px: number;
  py: number;
}

/** Formats a probability as the card shows it: 4 decimals, so a sum to 1 can be checked by eye. */
export function probText(p: number): string {
  return `${(p * 100).toFixed(2)}%`;
}

export class ProbeOverlay {
  readonly card: HTMLElement;
  private readonly marker: HTMLElement;

  constructor(
    private readonly doc: Document,
    private readonly wrap: HTMLElement,
  ) {
    this.marker = h(doc, 'div', { class: 'probe-marker', hidden: true, attrs: { 'aria-hidden': 'true' } });
    this.card = h(doc, 'div', { class: 'probe-card', hidden: true, testid: 'probe', attrs: { role: 'status', 'aria-live': 'polite' } });
    wrap.append(this.marker, this.card);
  }

  hide(): void {
    this.card.hidden = true;
    this.marker.hidden = true;
    delete this.card.dataset.probs;
  }

  show(t: ProbeTarget, r: ProbeResult, o: { pinned: boolean; classNames: string[]; colors: string[]; featureNames: string[]; epoch: number; note?: string }): void {
    const doc = this.doc;
    const rows: HTMLElement[] = [];
    const fx = o.featureNames[0] ?? 'x1';
    const fy = o.featureNames[1] ?? 'x2';
    rows.push(h(doc, 'div', { class: 'probe-where', text: `${fx} ${num(r.x, 3)}, ${fy} ${num(r.y, 3)} · epoch ${o.epoch}${o.pinned ? ' · pinned' : ''}` }));
    if (r.probs) {
      // Most likely first; a long class list shows the top 6.
      const order = r.probs.map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0]);
      for (const [p, c] of order.slice(0, 6)) {
        const sw = h(doc, 'span', { class: 'swatch' });
        sw.style.backgroundColor = o.colors[c] ?? '#888';
        const bar = h(doc, 'span', { class: 'probe-bar' });
        bar.style.width = `${Math.round(p * 60)}px`;
        bar.style.backgroundColor = o.colors[c] ?? '#888';
        rows.push(h(doc, 'div', { class: `probe-row${c === r.predicted ? ' probe-best' : ''}` }, [sw, h(doc, 'span', { class: 'probe-name', text: o.classNames[c] ?? String(c) }), h(doc, 'span', { class: 'probe-p', text: probText(p) }), bar]));
      }
      if (order.length > 6) rows.push(h(doc, 'div', { class: 'muted', text: `+${order.length - 6} classes below ${probText(order[5][0])}` }));
      this.card.dataset.probs = r.probs.join(',');
    } else {
      rows.push(h(doc, 'div', { text: `predicted ${o.classNames[r.predicted] ?? r.predicted} (${probText(r.confidence)})` }));
      delete this.card.dataset.probs;
    }
    if (o.note) rows.push(h(doc, 'div', { class: 'muted', text: o.note }));
    const s = r.sample;
    if (s) {
      const name = (c: number | undefined) => (c === undefined ? '?' : o.classNames[c] ?? String(c));
      const right = s.predicted === undefined ? '' : s.predicted === s.label ? ' ✓' : ' ✗';
      rows.push(h(doc, 'div', { class: 'probe-sample', text: `${s.split} sample #${s.row}: true ${name(s.label)}, predicted ${name(s.predicted)}${right}` }));
      this.card.dataset.sample = `${s.split}:${s.row}`;
    } else {
      delete this.card.dataset.sample;
    }
    this.card.replaceChildren(...rows);
    this.card.hidden = false;
    this.card.classList.toggle('pinned', o.pinned);
    this.card.dataset.pinned = String(o.pinned);
    this.marker.hidden = false;
    this.marker.classList.toggle('pinned', o.pinned);
    this.marker.style.left = `${Math.round(t.px)}px`;
    this.marker.style.top = `${Math.round(t.py)}px`;
    // Beside the point on the side with room, else above or below it: never over it.
    const w = this.wrap.clientWidth || 360;
    const hgt = this.wrap.clientHeight || 360;
    this.card.style.left = '0px'; // measured at the left edge (an absolute box shrinks near the right)
    const cw = this.card.offsetWidth || 200;
    const ch = this.card.offsetHeight || 120;
    const gap = 14;
    let left: number;
    let top: number;
    if (t.px + gap + cw <= w || t.px - gap - cw >= 0) {
      left = t.px + gap + cw <= w ? t.px + gap : t.px - gap - cw;
      top = Math.max(0, Math.min(hgt - ch, t.py - ch / 2));
    } else {
      left = Math.max(0, Math.min(w - cw, t.px - cw / 2));
      top = t.py - gap - ch >= 0 ? t.py - gap - ch : Math.min(hgt - ch, t.py + gap);
    }
    this.card.style.left = `${Math.round(left)}px`;
    this.card.style.top = `${Math.round(top)}px`;
  }
}
