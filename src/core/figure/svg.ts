/**
 * Tiny SVG string builder: the static figure is made without a DOM (it runs in the
 * trainer/CLI), and strings with rounded numbers make deterministic snapshots.
 */
import { r2, xmlEscape } from './format';

export type Attrs = Record<string, string | number | undefined>;

export function el(tag: string, attrs: Attrs, children: string | string[] = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? r2(v) : xmlEscape(v!)}"`)
    .join('');
  const body = Array.isArray(children) ? children.join('') : children;
  return body ? `<${tag}${a}>${body}</${tag}>` : `<${tag}${a}/>`;
}

export function text(x: number, y: number, s: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, xmlEscape(s));
}

export interface AxisStyle {
  color: string;
  fontSize: number;
}

/**
 * A d3-axis look-alike as a string: domain line, ticks of 5 px, labels. `at` is the
 * pixel position of the axis line (y for bottom axes, x for left axes).
 */
export function axis(
  orient: 'bottom' | 'left',
  scale: (v: number) => number,
  range: [number, number],
  at: number,
  ticks: number[],
  format: (v: number) => string,
  style: AxisStyle,
): string {
  const parts: string[] = [];
  const c = style.color;
  if (orient === 'bottom') {
    parts.push(el('path', { d: `M${r2(range[0])},${r2(at)}H${r2(range[1])}`, stroke: c, fill: 'none' }));
    for (const t of ticks) {
      const x = scale(t);
      parts.push(el('line', { x1: x, x2: x, y1: at, y2: at + 5, stroke: c }));
      parts.push(text(x, at + 7 + style.fontSize, format(t), { 'text-anchor': 'middle' }));
    }
  } else {
    parts.push(el('path', { d: `M${r2(at)},${r2(range[0])}V${r2(range[1])}`, stroke: c, fill: 'none' }));
    for (const t of ticks) {
      const y = scale(t);
      parts.push(el('line', { x1: at - 5, x2: at, y1: y, y2: y, stroke: c }));
      parts.push(text(at - 7, y + style.fontSize * 0.35, format(t), { 'text-anchor': 'end' }));
    }
  }
  return el('g', { class: `axis axis-${orient}`, fill: c, 'font-size': style.fontSize }, parts);
}
