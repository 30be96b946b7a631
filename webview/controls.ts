/**
 * The panel's controls: the spec fields a learner changes most, each an edit of the spec
 * document (the host applies it, revalidates and retrains; see src/extension/vscode/
 * steering.ts). The controls hold no values of their own: they show what the host says
 * the spec's text holds (`spec` messages, sent as the document changes, so typing in the
 * editor moves them), and a refused edit shows the validator's message under the control.
 *
 * Sliders (learning rate, noise / cluster_std) edit the spec when they SETTLE (the
 * pointer is released, or a key press), not while they move: measured in the real VS Code
 * (test/e2e/steer.test.mjs logs it), restarting as the slider moves started a run per
 * step, each cancelled before it drew anything while the drag lasted, and left one undo
 * step per position in the editor; the text and the label follow the drag at once.
 */
import type { HostToWebview, SpecControlValues, SpecField, SpecFieldValue } from '../src/core/protocol';
import { ACTIVATIONS, OPTIMIZERS } from '../src/core/spec/fields';
import { LR_STEPS, lrIndex, newSeed, parseControl, parseWidth, sameValue, showNumber, showValue, SPREAD_SLIDER, spreadField } from './controlsModel';
import { button, dropdown, h, slider, textField, type ButtonControl } from './render/dom';

type SpecMessage = Extract<HostToWebview, { type: 'spec' }>;
type EditResult = Extract<HostToWebview, { type: 'editResult' }>;

/** How a dragged slider edits the spec: when it settles (default), or every MOVE_MS while it moves. */
export type DragPolicy = 'settle' | 'move';
const MOVE_MS = 150;

/** One labelled control: its inputs, the message under it, and the value the spec holds. */
interface Cell {
  field: SpecField;
  el: HTMLElement;
  msg: HTMLElement;
  show(v: SpecControlValues): void;
  disable(on: boolean): void;
  /** A refused edit: its message stays until the spec's value of the field changes. */
  refused?: { message: string; specValue: unknown };
}

export class SpecControls {
  readonly el: HTMLDetailsElement;
  dragPolicy: DragPolicy = 'settle';
  private readonly cells = new Map<SpecField, Cell>();
  private readonly note: HTMLElement;
  private readonly hiddenBox: HTMLElement;
  private values?: SpecControlValues;
  private nextId = 1;
  private readonly pending = new Map<number, SpecField>();
  private readonly doc: Document;

  constructor(
    doc: Document,
    private readonly post: (id: number, field: SpecField, value: SpecFieldValue) => void,
    open: boolean,
    onToggle: (open: boolean) => void,
  ) {
    this.doc = doc;
    this.note = h(doc, 'span', { class: 'controls-note', attrs: { 'aria-live': 'polite' } });
    const summary = h(doc, 'summary', {}, [h(doc, 'span', { class: 'controls-title', text: 'Spec' }), this.note]);
    const grid = h(doc, 'div', { class: 'controls-grid' });
    this.el = h(doc, 'details', { class: 'controls', testid: 'controls' }, [summary, grid]) as HTMLDetailsElement;
    this.el.open = open;
    this.el.addEventListener('toggle', () => {
      onToggle(this.el.open);
      this.renderNote();
    });

    // Model.
    this.hiddenBox = h(doc, 'div', { class: 'hidden-layers', attrs: { role: 'group', 'aria-label': 'Hidden layers' } });
    this.add(this.cell('hidden_units', 'hidden layers', [this.hiddenBox], (v) => this.showHidden(v), 'wide'));
    this.add(this.choice('activation', 'activation', ACTIVATIONS));
    // Training.
    this.add(this.choice('optimizer', 'optimizer', OPTIMIZERS));
    this.add(this.lrCell());
    this.add(this.textCell('epochs', 'epochs'));
    this.add(this.textCell('batch_size', 'batch size'));
    // Data.
    this.add(this.textCell('n_samples', 'n_samples'));
    this.add(this.spreadCell());
    this.add(this.seedCell());
    for (const c of this.cells.values()) grid.append(c.el);
    this.disable(true);
    this.note.textContent = 'loading the spec…';
  }

  /** The spec's values (the host reads them from the editor's text). */
  setSpec(m: SpecMessage): void {
    this.values = m.values;
    this.disable(false);
    const spread = spreadField(m.values);
    for (const c of this.cells.values()) {
      const specValue = m.values[c.field as keyof SpecControlValues];
      if (c.refused && !sameValue(c.refused.specValue, specValue)) c.refused = undefined;
      // The field being typed in keeps its text; everything else follows the spec.
      if (!c.refused && !this.typingIn(c)) c.show(m.values);
      const problem = m.problems.find((p) => p.field === c.field)?.message;
      this.setMessage(c, c.refused?.message ?? problem);
    }
    // Data controls that do not apply to this generator.
    this.cells.get('n_samples')!.el.hidden = m.values.generator === 'csv';
    this.cells.get('noise')!.el.hidden = spread !== 'noise';
    this.cells.get('cluster_std')!.el.hidden = spread !== 'cluster_std';
    this.last = m;
    this.renderNote();
    this.el.dataset.errors = String(m.errors);
  }

  private last?: SpecMessage;

  /**
   * The line beside "Spec": closed, the spec's values at a glance (the section stays one
   * line high and the plots stay on the first screen of a small window); open, what the
   * controls do. Problems are said either way.
   */
  private renderNote(): void {
    const m = this.last;
    if (!m) return;
    const others = m.errors - m.problems.length;
    const v = m.values;
    const spread = spreadField(v);
    const values = [
      v.hidden_units && `hidden [${v.hidden_units.join(', ')}]`,
      v.activation,
      v.optimizer && v.lr !== undefined && `${v.optimizer} lr ${showNumber(v.lr)}`,
      v.epochs !== undefined && `${v.epochs} epochs`,
      v.batch_size !== undefined && `batch ${v.batch_size}`,
      v.generator !== 'csv' && v.n_samples !== undefined && `${showValue('n_samples', v)} samples`,
      spread && `${spread} ${showValue(spread, v)}`,
      v.seed !== undefined && `seed ${v.seed}`,
    ].filter(Boolean).join(' · ');
    this.note.textContent =
      m.errors > 0 && others > 0 ? `the spec has ${m.errors} problem${m.errors === 1 ? '' : 's'}: fix ${others === m.errors ? 'them' : 'the others'} in the editor to train`
      : m.errors > 0 ? `fix the value${m.errors === 1 ? '' : 's'} marked ${this.el.open ? 'below' : 'here'} to train`
      : this.el.open ? 'edits the spec, then retrains'
      : values;
  }

  /** The host's answer to an edit. */
  onResult(r: EditResult): void {
    const field = this.pending.get(r.id);
    this.pending.delete(r.id);
    const c = field && this.cells.get(field);
    if (!c) return;
    if (r.ok) {
      c.refused = undefined;
      this.setMessage(c, undefined);
      return;
    }
    c.refused = { message: r.message ?? 'Refused.', specValue: this.values?.[field as keyof SpecControlValues] };
    this.setMessage(c, c.refused.message);
    // A slider or a list cannot hold a refused value: back to the spec's.
    if (this.values && (field === 'lr' || field === 'noise' || field === 'cluster_std' || field === 'hidden_units' || field === 'optimizer' || field === 'activation')) {
      const keep = c.refused;
      c.show(this.values);
      c.refused = keep;
    }
  }

  /** Sends an edit; returns its id. */
  edit(field: SpecField, value: SpecFieldValue): number {
    const id = this.nextId++;
    this.pending.set(id, field);
    this.post(id, field, value);
    return id;
  }

  // ---------------------------------------------------------------------------

  /** A text field of this control has the focus (a button that was just clicked does not count). */
  private typingIn(c: Cell): boolean {
    const a = this.doc.activeElement;
    return !!a && a.localName === 'vscode-text-field' && c.el.contains(a);
  }

  private add(c: Cell): void {
    this.cells.set(c.field, c);
  }

  private disable(on: boolean): void {
    for (const c of this.cells.values()) c.disable(on);
  }

  private setMessage(c: Cell, message: string | undefined): void {
    c.msg.textContent = message ?? '';
    c.msg.hidden = !message;
    c.el.classList.toggle('invalid', !!message);
    for (const input of c.el.querySelectorAll('vscode-text-field, input, vscode-dropdown')) {
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  private cell(field: SpecField, label: string, inputs: HTMLElement[], show: (v: SpecControlValues) => void, cls = '', disable?: (on: boolean) => void): Cell {
    const doc = this.doc;
    const msgId = `msg-${field}`;
    const msg = h(doc, 'div', { class: 'control-msg', hidden: true, attrs: { id: msgId, role: 'alert' } });
    const target = inputs[0]?.id || `ctl-${field}`;
    const el = h(doc, 'div', { class: `control ${cls}`.trim(), attrs: { 'data-field': field } }, [
      h(doc, 'label', { class: 'control-label', text: label, attrs: { for: target } }),
      h(doc, 'div', { class: 'control-inputs' }, inputs),
      msg,
    ]);
    for (const i of inputs) i.setAttribute('aria-describedby', msgId);
    const c: Cell = {
      field, el, msg, show,
      disable: disable ?? ((on) => {
        for (const i of el.querySelectorAll<HTMLElement & { disabled: boolean }>('vscode-text-field, input, vscode-dropdown, vscode-button')) i.disabled = on;
      }),
    };
    return c;
  }

  /** A text field that edits on commit (Enter, leaving the field). */
  private textCell(field: SpecField, label: string): Cell {
    const t = textField(this.doc, label, `ctl-${field}`, { size: 8 });
    t.addEventListener('change', () => this.commitText(field, t.value));
    return this.cell(field, label, [t], (v) => (t.value = showValue(field, v)));
  }

  private commitText(field: SpecField, text: string): void {
    const c = this.cells.get(field)!;
    const p = parseControl(field, text);
    if ('error' in p) {
      c.refused = { message: p.error, specValue: this.values?.[field as keyof SpecControlValues] };
      this.setMessage(c, p.error);
      return;
    }
    if (this.values && sameValue(p.value, this.values[field as keyof SpecControlValues]) && !c.refused) return;
    this.edit(field, p.value);
  }

  private choice(field: 'activation' | 'optimizer', label: string, options: readonly string[]): Cell {
    const d = dropdown<string>(this.doc, label, `ctl-${field}`, options.map((o) => [o, o]), options[0]);
    d.select.addEventListener('change', () => {
      if (this.values && d.select.value === this.values[field]) return;
      this.edit(field, d.select.value);
    });
    // The dropdown's own <label> is replaced by the cell's.
    d.wrap.querySelector('label')?.remove();
    return this.cell(field, label, [d.select], (v) => {
      if (v[field] !== undefined) d.select.value = v[field]!;
    });
  }

  /**
   * A slider plus a text field for the exact value. The text follows the slider as it
   * moves; the spec is edited per `dragPolicy`.
   */
  private sliderCell(
    field: SpecField,
    label: string,
    range: HTMLInputElement,
    toValue: (pos: number) => number,
    toPos: (v: SpecControlValues) => number | undefined,
  ): Cell {
    const t = textField(this.doc, `${label} value`, `ctl-${field}-text`, { size: 6 });
    let lastSent: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = () => {
      timer = undefined;
      const v = toValue(Number(range.value));
      if (sameValue(v, lastSent)) return;
      lastSent = v;
      this.edit(field, v);
    };
    range.addEventListener('input', () => {
      t.value = showNumber(toValue(Number(range.value)));
      if (this.dragPolicy === 'move' && timer === undefined) timer = setTimeout(send, MOVE_MS);
    });
    range.addEventListener('change', () => {
      if (timer !== undefined) clearTimeout(timer);
      send();
    });
    t.addEventListener('change', () => {
      lastSent = undefined;
      this.commitText(field, t.value);
    });
    return this.cell(field, label, [range, t], (v) => {
      const pos = toPos(v);
      if (pos !== undefined) range.value = String(pos);
      t.value = showValue(field, v);
      lastSent = v[field as keyof SpecControlValues];
    }, 'with-slider');
  }

  private lrCell(): Cell {
    const range = slider(this.doc, 'learning rate', 'ctl-lr', 0, LR_STEPS.length - 1, 1);
    range.dataset.testid = 'ctl-lr-slider';
    return this.sliderCell('lr', 'lr', range, (i) => LR_STEPS[Math.max(0, Math.min(LR_STEPS.length - 1, Math.round(i)))], (v) => (v.lr === undefined ? undefined : lrIndex(v.lr)));
  }

  private spreadCell(): Cell {
    // Two cells, one shown: the generator decides (moons/circles: noise; blobs: cluster_std).
    const make = (field: 'noise' | 'cluster_std') => {
      const cfg = SPREAD_SLIDER[field];
      const range = slider(this.doc, field, `ctl-${field}`, 0, cfg.max, cfg.step);
      const c = this.sliderCell(field, field, range, (x) => +x.toFixed(2), (v) => {
        const x = v[field];
        return typeof x === 'number' ? x : x === null ? 0 : undefined;
      });
      const base = c.show;
      // A list (one std per centre) is edited in the editor, not here.
      c.show = (v) => {
        base(v);
        const list = Array.isArray(v[field]);
        range.disabled = list;
        range.title = list ? `${field} is a list in the spec (one per centre): edit it there` : '';
      };
      return c;
    };
    this.add(make('noise'));
    return make('cluster_std');
  }

  private seedCell(): Cell {
    const t = textField(this.doc, 'seed', 'ctl-seed', { size: 7 });
    t.addEventListener('change', () => this.commitText('seed', t.value));
    const dice = button(this.doc, 'New', 'btn-new-seed', { secondary: true, aria: 'A new random seed (new data, new initial weights)' });
    dice.addEventListener('click', () => this.edit('seed', newSeed()));
    return this.cell('seed', 'seed', [t, dice], (v) => (t.value = showValue('seed', v)));
  }

  /** The hidden layers as a row of widths: change one, remove one (×), add one (+). */
  private showHidden(v: SpecControlValues): void {
    const doc = this.doc;
    const layers = v.hidden_units ?? [];
    const items: HTMLElement[] = [];
    layers.forEach((w, i) => {
      const t = textField(doc, `width of hidden layer ${i + 1}`, `ctl-hidden-${i}`, { size: 3 });
      t.value = String(w);
      t.dataset.testid = 'ctl-hidden-width';
      t.addEventListener('change', () => {
        const p = parseWidth(t.value);
        const c = this.cells.get('hidden_units')!;
        if ('error' in p) {
          this.setMessage(c, p.error);
          return;
        }
        const next = [...layers];
        next[i] = p.value as number;
        this.edit('hidden_units', next);
      });
      const rm = button(doc, '×', 'btn-remove-layer', { secondary: true, aria: `Remove hidden layer ${i + 1}` });
      rm.classList.add('icon-btn');
      rm.addEventListener('click', () => this.edit('hidden_units', layers.filter((_, j) => j !== i)));
      items.push(h(doc, 'span', { class: 'layer' }, [t, rm]));
    });
    const add: ButtonControl = button(doc, '+ layer', 'btn-add-layer', { secondary: true, aria: 'Add a hidden layer' });
    add.addEventListener('click', () => this.edit('hidden_units', [...layers, layers.at(-1) ?? 8]));
    if (!layers.length) items.push(h(doc, 'span', { class: 'muted', text: 'none (softmax regression)' }));
    items.push(add);
    this.hiddenBox.replaceChildren(...items);
  }
}

