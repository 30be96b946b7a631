/** A tiny element factory: the webview builds all of its DOM from script (strict CSP). */
export type Props = {
  class?: string;
  testid?: string;
  text?: string;
  attrs?: Record<string, string>;
  hidden?: boolean;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: Props = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  return build(doc.createElement(tag), props, children);
}

function build<E extends HTMLElement>(el: E, props: Props, children: (Node | string)[]): E {
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.hidden) el.hidden = true;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/*
 * Controls, all in one place so that the archived @vscode/webview-ui-toolkit can be
 * swapped for its successor without touching the view: the toolkit's web components
 * (defined by render/toolkit.ts, which the entry loads before the view is built), seen
 * by the view only through the small interfaces below. They are focusable, carry an
 * accessible name (their text, or aria-label), and take the VS Code theme by themselves.
 * The replay slider stays a native range input (the toolkit has no slider), and so does
 * the determinate progress bar (its only progress component, the ring, is indeterminate).
 */

/** A push button: `click` events; no clicks while `disabled`. */
export interface ButtonControl extends HTMLElement {
  disabled: boolean;
}

/** A checkbox with its label inside: `change` events; `checked`. */
export interface CheckboxControl extends HTMLElement {
  checked: boolean;
  disabled: boolean;
}

/** A single-choice dropdown: `change` events; `value` is the chosen option's value. */
export interface DropdownControl extends HTMLElement {
  value: string;
  disabled: boolean;
}

export function button(doc: Document, label: string, testid: string, opts: { secondary?: boolean; aria?: string } = {}): ButtonControl {
  const b = build(doc.createElement('vscode-button') as ButtonControl, { testid, text: label }, []);
  if (opts.secondary) b.setAttribute('appearance', 'secondary');
  if (opts.aria) b.setAttribute('aria-label', opts.aria);
  // A disabled button must not act, whoever dispatches the click (the browser already
  // drops a user's; a script's `click()` or one on the slotted text would still come).
  b.addEventListener(
    'click',
    (e) => {
      if (b.disabled) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true,
  );
  return b;
}

export function checkbox(doc: Document, label: string, id: string, checked: boolean): CheckboxControl {
  const c = build(doc.createElement('vscode-checkbox') as CheckboxControl, { text: label, attrs: { id } }, []);
  c.checked = checked;
  return c;
}

export function dropdown<T extends string>(
  doc: Document,
  label: string,
  id: string,
  options: [T, string][],
  value: T,
): { wrap: HTMLElement; select: DropdownControl & { value: T } } {
  const opts = options.map(([v, t]) => {
    const o = build(doc.createElement('vscode-option'), { text: t, attrs: { value: v } }, []);
    // The initial choice as markup: it holds whether or not the dropdown is upgraded yet.
    if (v === value) o.setAttribute('selected', '');
    return o;
  });
  const select = build(doc.createElement('vscode-dropdown') as DropdownControl & { value: T }, { attrs: { id, 'aria-label': label } }, opts);
  const wrap = h(doc, 'span', { class: 'dropdown' }, [h(doc, 'label', { text: label, attrs: { for: id } }), select]);
  return { wrap, select };
}

/** A one-line text input: `change` when committed (Enter, blur), `input` per keystroke; `value`. */
export interface TextFieldControl extends HTMLElement {
  value: string;
  disabled: boolean;
  readOnly: boolean;
}

/**
 * A text field; `label` is its accessible name (the visible label is the caller's, a
 * <label> beside it, so a grid of controls lines up).
 */
export function textField(doc: Document, label: string, id: string, opts: { size?: number; inputmode?: string } = {}): TextFieldControl {
  const t = build(doc.createElement('vscode-text-field') as TextFieldControl, { attrs: { id, 'aria-label': label } }, []);
  if (opts.size) t.setAttribute('size', String(opts.size));
  if (opts.inputmode) t.setAttribute('inputmode', opts.inputmode);
  return t;
}

/** A native range input (the toolkit has no slider), themed by styles.css. */
export function slider(doc: Document, label: string, id: string, min: number, max: number, step: number): HTMLInputElement {
  return h(doc, 'input', { class: 'slider', attrs: { type: 'range', id, min: String(min), max: String(max), step: String(step), value: String(min), 'aria-label': label } });
}

/** An indeterminate busy indicator, hidden from assistive technology (the status text speaks). */
export function busyIndicator(doc: Document): HTMLElement {
  const ring = build(doc.createElement('vscode-progress-ring'), { class: 'busy' }, []);
  // The toolkit makes the ring an assertive "Loading" alert; the status is announced already.
  return h(doc, 'span', { class: 'busy-wrap', hidden: true, attrs: { 'aria-hidden': 'true' } }, [ring]);
}

/**
 * The determinate training progress bar (epochs done of total), with the shown epoch as
 * a solid fill over the trained one, like a video's played part over its buffered part.
 */
export function progressBar(doc: Document, label: string): { el: HTMLElement; set(done: number, total: number, shown?: number): void } {
  const trained = h(doc, 'div', { class: 'bar-trained' });
  const bar = h(doc, 'div', { class: 'bar' });
  const el = h(doc, 'div', { class: 'progress', attrs: { role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '0', 'aria-valuenow': '0' } }, [trained, bar]);
  const width = (n: number, total: number) => `${total ? Math.min(100, (100 * n) / total) : 0}%`;
  return {
    el,
    set(done, total, shown = done) {
      el.setAttribute('aria-valuemax', String(total));
      el.setAttribute('aria-valuenow', String(done));
      trained.style.width = width(done, total);
      bar.style.width = width(shown, total);
    },
  };
}

/**
 * Small media icons as inline SVG in the text colour: the symbol characters (⏸ ⏭) are
 * missing from many fonts and would show as empty boxes.
 */
const ICONS = {
  play: 'M4 2.5v11l9-5.5z',
  pause: 'M4 2.5h3v11H4zM9 2.5h3v11H9z',
  end: 'M2.5 2.5v11l7.5-5.5zM11 2.5h2.5v11H11z',
  replay: 'M8 3V1L4.5 3.75 8 6.5V4.5a4 4 0 1 1-4 4H2.5A5.5 5.5 0 1 0 8 3z',
} as const;
export type IconName = keyof typeof ICONS;

export function icon(doc: Document, name: IconName): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.dataset.icon = name;
  const path = doc.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/** A button's content: an icon and, unless icon-only, its words. */
export function setButtonContent(b: HTMLElement, name: IconName, words?: string): void {
  const doc = b.ownerDocument;
  const i = icon(doc, name);
  if (words) i.classList.add('icon-lead');
  b.replaceChildren(...(words ? [i, doc.createTextNode(words)] : [i]));
}
