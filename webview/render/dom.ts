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
  const el = doc.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.hidden) el.hidden = true;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/**
 * Controls in one place so the archived @vscode/webview-ui-toolkit (or its successor)
 * can be swapped in later without touching the view: native elements styled with the
 * theme's button/input variables, which are keyboard-reachable and labelled.
 */
export function button(doc: Document, label: string, testid: string, opts: { secondary?: boolean; aria?: string } = {}): HTMLButtonElement {
  const b = h(doc, 'button', { class: opts.secondary ? 'btn secondary' : 'btn', testid, text: label });
  b.type = 'button';
  if (opts.aria) b.setAttribute('aria-label', opts.aria);
  return b;
}

export function checkbox(doc: Document, label: string, id: string): { wrap: HTMLLabelElement; input: HTMLInputElement } {
  const input = h(doc, 'input', { attrs: { type: 'checkbox', id } });
  const wrap = h(doc, 'label', { class: 'check' }, [input, label]);
  return { wrap, input };
}

export function dropdown<T extends string>(doc: Document, label: string, id: string, options: [T, string][]): { wrap: HTMLLabelElement; select: HTMLSelectElement } {
  const select = h(doc, 'select', { attrs: { id } }, options.map(([v, t]) => h(doc, 'option', { text: t, attrs: { value: v } })));
  const wrap = h(doc, 'label', { class: 'dropdown' }, [`${label} `, select]);
  return { wrap, select };
}
