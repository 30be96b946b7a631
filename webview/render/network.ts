/**
 * The network view, drawn the way tensorflow/playground draws its network: inputs →
 * hidden units → outputs in columns, each unit a small heatmap over the boundary's grid
 * (an input: its feature; a hidden unit: its activation; an output: its class's
 * probability), links between them coloured by the weight's sign and as wide as its size.
 * It draws the model of the frame being shown (app.ts `shownFrame`), so it replays with
 * the replay slider and plays back with the run. The maps come from the frame's weights,
 * evaluated here (core/figure/network.ts) on a coarse grid.
 *
 * Wide layers are capped (MAX_UNITS per layer, the first ones: the same units at every
 * epoch) and the view says so. Hovering (or focusing) a unit shows it large, with its
 * incoming weights and bias.
 */
import { WEIGHTS_MAX_PARAMS, type Bounds, type StartEvent } from '../../src/core/protocol';
import { hexToRgb, type Rgb } from '../../src/core/figure/palette';
import { drawnUnits, incoming, maxAbsWeight, paramCount, unitMaps, type Activation, type NetWeights, type UnitMaps } from '../../src/core/figure/network';
import { num } from '../../src/core/figure/format';
import { h } from './dom';
import type { ViewTheme } from './theme';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Most units drawn per layer; wider layers show their first MAX_UNITS. */
export const MAX_UNITS = 16;
/** Grid points per axis of the unit maps (the boundary's grid, coarser). */
export const MAP_RES = 32;

export interface NetworkInput {
  start: StartEvent;
  /** The shown frame's weights, decoded; undefined when the frame has none. */
  weights?: NetWeights;
  epoch: number;
  bounds: Bounds;
  theme: ViewTheme;
  colors: string[];
}

export interface NodeBox {
  layer: number;
  unit: number;
  x: number;
  y: number;
  size: number;
}

export interface NetworkLayout {
  width: number;
  height: number;
  nodes: NodeBox[][];
  /** Column centres, for the headings. */
  columns: number[];
}

/**
 * Where each drawn unit goes: one column per layer, evenly spread over `width`; units
 * centred in their column; node size from the room there is (at most `maxSize`, and
 * `maxHeight` for the tallest column), at least `minSize`.
 */
export function networkLayout(drawn: number[][], width: number, opts: { maxSize: number; minSize: number; maxHeight: number; top: number }): NetworkLayout {
  const cols = drawn.length;
  const colW = width / Math.max(1, cols);
  const tallest = Math.max(1, ...drawn.map((d) => d.length));
  const gapOf = (s: number) => Math.max(4, Math.round(s * 0.22));
  let size = Math.min(opts.maxSize, Math.floor(colW * 0.42));
  while (size > opts.minSize && tallest * (size + gapOf(size)) - gapOf(size) > opts.maxHeight) size--;
  size = Math.max(opts.minSize, size);
  const gap = gapOf(size);
  const colH = (n: number) => n * (size + gap) - gap;
  const height = opts.top + colH(tallest) + 4;
  const columns = drawn.map((_, l) => colW * (l + 0.5));
  const nodes = drawn.map((units, l) => {
    const y0 = opts.top + (colH(tallest) - colH(units.length)) / 2;
    return units.map((unit, i) => ({ layer: l, unit, x: Math.round(columns[l] - size / 2), y: Math.round(y0 + i * (size + gap)), size }));
  });
  return { width, height, nodes, columns };
}

/** Negative and positive colours (weights' signs, activations' signs), per theme. */
function signColors(theme: ViewTheme): { neg: string; pos: string } {
  const dark = theme.kind === 'dark' || theme.kind === 'high-contrast';
  // ColorBrewer RdBu's ends: apart for the common colour-vision deficiencies, and unlike
  // the class colours (Okabe-Ito orange/sky blue are lighter and yellower).
  return dark ? { neg: '#f4a582', pos: '#92c5de' } : { neg: '#b2182b', pos: '#2166ac' };
}

export class NetworkView {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly note: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly card: HTMLElement;
  private readonly cardCanvas: HTMLCanvasElement;
  private readonly cardText: HTMLElement;
  private nodeEls: { el: HTMLElement; canvas: HTMLCanvasElement; box: NodeBox }[][] = [];
  private links: { l: number; i: number; j: number; path: SVGPathElement }[] = [];
  private structureKey = '';
  private last?: { input: NetworkInput; maps?: UnitMaps; drawn: number[][] };
  private hover?: { layer: number; unit: number };

  constructor(
    private readonly doc: Document,
    private readonly compact: boolean,
  ) {
    this.title = h(doc, 'div', { class: 'plot-title', text: 'Network' });
    this.note = h(doc, 'div', { class: 'net-note', testid: 'net-note' });
    this.svg = doc.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'net-links');
    this.svg.setAttribute('aria-hidden', 'true');
    this.cardCanvas = doc.createElement('canvas');
    this.cardText = h(doc, 'div', { class: 'net-card-text' });
    this.card = h(doc, 'div', { class: 'net-card', hidden: true, testid: 'net-card', attrs: { role: 'status' } }, [this.cardCanvas, this.cardText]);
    this.stage = h(doc, 'div', { class: 'net-stage' });
    this.stage.append(this.svg, this.card);
    this.el = h(doc, 'section', { class: `network${compact ? ' network-compact' : ''}`, testid: 'network', attrs: { 'aria-label': 'Network view' } }, [this.title, this.note, this.stage]);
  }

  draw(input: NetworkInput): void {
    const s = input.start;
    const sizes = s.model.layers;
    const act = s.model.activation as Activation;
    const drawn = drawnUnits(sizes, MAX_UNITS);
    const width = Math.max(200, this.stage.clientWidth || this.el.clientWidth || 560);
    const key = `${sizes.join('-')}|${width}|${input.theme.kind}|${input.colors.join(',')}`;
    if (key !== this.structureKey) this.build(drawn, width, s);
    this.structureKey = key;
    this.stage.dataset.epoch = String(input.epoch);
    this.title.textContent = `Network · ${input.epoch === 0 ? 'untrained (epoch 0)' : `after ${input.epoch} epoch${input.epoch === 1 ? '' : 's'}`}`;

    const notes: string[] = [];
    const capped = sizes.map((n, l) => [n, drawn[l].length, l] as const).filter(([n, d]) => n > d);
    for (const [n, d, l] of capped) {
      const what = l === 0 ? 'inputs' : l === sizes.length - 1 ? 'outputs' : `units of hidden layer ${l}`;
      notes.push(`showing ${d} of ${n} ${what}`);
    }
    if (sizes[0] > 2) notes.push(`slice: ${s.data.featureNames.slice(2).join(', ')} at their train means`);
    let maps: UnitMaps | undefined;
    if (input.weights) {
      // Redraws of the same frame (resize, theme, hover) reuse its maps.
      const cached = this.last?.input.weights === input.weights && this.last.input.bounds === input.bounds ? this.last.maps : undefined;
      maps = cached ?? unitMaps(input.weights, act, input.bounds, MAP_RES, drawn, s.featureMeans);
    } else {
      const p = paramCount(sizes);
      notes.push(`no unit maps: the trainer sends the weights of models up to ${WEIGHTS_MAX_PARAMS.toLocaleString('en-US')} parameters, and this one has ${p.toLocaleString('en-US')}`);
    }
    if (act === 'none' && sizes.length > 2) notes.push('activation none: every hidden unit is a linear function of the inputs (a tilted plane)');
    this.note.textContent = notes.join(' · ');
    this.note.hidden = notes.length === 0;
    this.last = { input, maps, drawn };
    this.paint(input, maps);
    this.paintLinks(input);
    if (this.hover) this.showCard(this.hover.layer, this.hover.unit);
  }

  /** Recolours without new data (theme switch). */
  redraw(): void {
    if (this.last) this.draw({ ...this.last.input });
  }

  private build(drawn: number[][], width: number, s: StartEvent): void {
    const doc = this.doc;
    for (const col of this.nodeEls) for (const n of col) n.el.remove();
    for (const lab of this.stage.querySelectorAll('.net-col-label')) lab.remove();
    const layout = networkLayout(drawn, width, this.compact ? { maxSize: 28, minSize: 14, maxHeight: 260, top: 18 } : { maxSize: 44, minSize: 16, maxHeight: 420, top: 20 });
    this.stage.style.height = `${layout.height}px`;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(layout.height));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${layout.height}`);
    const sizes = s.model.layers;
    const L = sizes.length;
    layout.columns.forEach((cx, l) => {
      const text = l === 0 ? 'input' : l === L - 1 ? 'output' : this.compact ? `${sizes[l]}` : `layer ${l} · ${sizes[l]}`;
      const lab = h(doc, 'div', { class: 'net-col-label', text });
      lab.style.left = `${Math.round(cx)}px`;
      this.stage.append(lab);
    });
    this.nodeEls = layout.nodes.map((col) =>
      col.map((box) => {
        const kind = box.layer === 0 ? 'input' : box.layer === L - 1 ? 'output' : 'hidden';
        const canvas = doc.createElement('canvas');
        canvas.width = MAP_RES;
        canvas.height = MAP_RES;
        const name = this.unitName(box.layer, box.unit, s);
        const el = h(doc, 'div', { class: `net-node net-${kind}`, testid: 'net-unit', attrs: { tabindex: '0', role: 'img', 'aria-label': name, 'data-kind': kind, 'data-layer': String(box.layer), 'data-unit': String(box.unit) } }, [canvas]);
        el.style.left = `${box.x}px`;
        el.style.top = `${box.y}px`;
        el.style.width = `${box.size}px`;
        el.style.height = `${box.size}px`;
        const enter = () => {
          this.hover = { layer: box.layer, unit: box.unit };
          this.showCard(box.layer, box.unit);
        };
        const leave = () => {
          this.hover = undefined;
          this.hideCard();
        };
        el.addEventListener('pointerenter', enter);
        el.addEventListener('focus', enter);
        el.addEventListener('pointerleave', leave);
        el.addEventListener('blur', leave);
        this.stage.append(el);
        return { el, canvas, box };
      }),
    );
    // Links: one path per drawn pair, built once; each frame sets width and sign.
    for (const l of this.links) l.path.remove();
    this.links = [];
    const half = (b: NodeBox) => b.size / 2;
    for (let l = 0; l + 1 < layout.nodes.length; l++) {
      for (const a of layout.nodes[l]) {
        for (const b of layout.nodes[l + 1]) {
          const x1 = a.x + a.size;
          const y1 = a.y + half(a);
          const x2 = b.x;
          const y2 = b.y + half(b);
          const xm = (x1 + x2) / 2;
          const path = doc.createElementNS(SVG_NS, 'path');
          path.setAttribute('d', `M${x1},${y1.toFixed(1)}C${xm},${y1.toFixed(1)} ${xm},${y2.toFixed(1)} ${x2},${y2.toFixed(1)}`);
          this.svg.append(path);
          this.links.push({ l, i: a.unit, j: b.unit, path });
        }
      }
    }
  }

  private unitName(layer: number, unit: number, s: StartEvent): string {
    const L = s.model.layers.length;
    if (layer === 0) return `input ${s.data.featureNames[unit] ?? `x${unit + 1}`}`;
    if (layer === L - 1) return `output: probability of ${s.data.classNames[unit] ?? unit}`;
    return `hidden layer ${layer}, unit ${unit + 1}`;
  }

  private paint(input: NetworkInput, maps: UnitMaps | undefined): void {
    const bg = hexToRgb(input.theme.background);
    const { neg, pos } = signColors(input.theme);
    const negRgb = hexToRgb(neg);
    const posRgb = hexToRgb(pos);
    const L = this.nodeEls.length;
    for (let l = 0; l < L; l++) {
      this.nodeEls[l].forEach((n, u) => {
        const ctx = n.canvas.getContext('2d');
        const map = maps?.maps[l][u];
        n.el.classList.toggle('net-empty', !map);
        if (!ctx || !map) return;
        const img = ctx.createImageData(MAP_RES, MAP_RES);
        if (l === L - 1) fillProbability(img.data, map, hexToRgb(input.colors[n.box.unit] ?? '#888888'), bg);
        else fillSigned(img.data, map, maps!.ranges[l][u], negRgb, posRgb, bg);
        ctx.putImageData(img, 0, 0);
      });
    }
  }

  private paintLinks(input: NetworkInput): void {
    const w = input.weights;
    if (!w || !this.last) {
      for (const k of this.links) k.path.setAttribute('class', 'net-link none');
      return;
    }
    const drawn = this.last.drawn;
    const maxes = drawn.slice(0, -1).map((from, l) => maxAbsWeight(w, l, from, drawn[l + 1]) || 1);
    const { neg, pos } = signColors(input.theme);
    for (const k of this.links) {
      const v = w.W[k.l][k.i * w.sizes[k.l + 1] + k.j];
      const rel = Math.abs(v) / maxes[k.l];
      k.path.setAttribute('class', `net-link ${v < 0 ? 'neg' : 'pos'}`);
      k.path.setAttribute('stroke', v < 0 ? neg : pos);
      k.path.setAttribute('stroke-width', (0.3 + 3.7 * rel).toFixed(2));
      k.path.setAttribute('stroke-opacity', (0.25 + 0.65 * rel).toFixed(2));
    }
  }

  private showCard(layer: number, unit: number): void {
    const last = this.last;
    const node = this.nodeEls[layer]?.find((n) => n.box.unit === unit);
    if (!last || !node) return;
    const s = last.input.start;
    const L = s.model.layers.length;
    const w = last.input.weights;
    const lines: string[] = [this.unitName(layer, unit, s)];
    const u = last.drawn[layer].indexOf(unit);
    const range = last.maps?.ranges[layer][u];
    if (range) lines.push(layer === L - 1 ? `probability ${num(range[0], 3)} to ${num(range[1], 3)} over the plot` : `value ${num(range[0], 3)} to ${num(range[1], 3)} over the plot`);
    if (w && layer > 0) {
      const inc = incoming(w, layer - 1, unit);
      lines.push(`bias ${num(inc.bias, 4)}`);
      const names = layer === 1 ? s.data.featureNames : undefined;
      const list = inc.weights.map((v, i) => ({ v, name: names?.[i] ?? `unit ${i + 1}` })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v));
      const shown = list.slice(0, 12).map((x) => `${x.name} ${x.v >= 0 ? '+' : ''}${num(x.v, 4)}`);
      lines.push(`incoming weights: ${shown.join(', ')}${list.length > 12 ? ` (+${list.length - 12} more)` : ''}`);
    } else if (layer === 0) {
      lines.push(unit < 2 ? 'the feature itself' : 'held at its train mean on this slice');
    }
    this.cardText.replaceChildren(...lines.map((t, i) => h(this.doc, 'div', { class: i === 0 ? 'net-card-title' : '', text: t })));
    // The map, large: the node's own pixels scaled up (smoothing on, like the boundary).
    const stageW = this.stage.clientWidth || 560;
    const narrow = this.compact || stageW < 520;
    const big = narrow ? 88 : 132;
    this.cardCanvas.width = big;
    this.cardCanvas.height = big;
    const ctx = this.cardCanvas.getContext('2d');
    if (ctx) {
      ctx.imageSmoothingEnabled = true;
      ctx.clearRect(0, 0, big, big);
      ctx.drawImage(node.canvas, 0, 0, big, big);
    }
    this.card.hidden = false;
    this.card.dataset.layer = String(layer);
    this.card.dataset.unit = String(unit);
    // Beside the node where there is room, else under it (or over it, at the bottom),
    // so it never covers the unit it describes.
    const cardW = Math.min(stageW, big + 240);
    this.card.style.maxWidth = `${cardW}px`;
    // Measured at the left edge (an absolute box's width depends on where it starts).
    this.card.style.left = '0px';
    const cw = Math.min(cardW, this.card.offsetWidth || cardW);
    const hgt = this.card.offsetHeight || big + 12;
    const b = node.box;
    const stageH = this.stage.clientHeight || 400;
    let left: number;
    let top: number;
    if (b.x + b.size + 8 + cw <= stageW) {
      left = b.x + b.size + 8;
      top = Math.max(0, Math.min(stageH - hgt, b.y - 4));
    } else if (b.x - 8 - cw >= 0) {
      left = b.x - 8 - cw;
      top = Math.max(0, Math.min(stageH - hgt, b.y - 4));
    } else {
      left = Math.max(0, Math.min(stageW - cw, b.x + b.size / 2 - cw / 2));
      top = b.y + b.size + 6 + hgt <= stageH + 40 ? b.y + b.size + 6 : Math.max(0, b.y - 6 - hgt);
    }
    this.card.style.left = `${Math.round(left)}px`;
    this.card.style.top = `${Math.round(top)}px`;
    this.stage.classList.add('net-hovering');
    for (const k of this.links) k.path.classList.toggle('hl', (k.l === layer - 1 && k.j === unit) || (k.l === layer && k.i === unit));
    for (const col of this.nodeEls) for (const n of col) n.el.classList.toggle('net-focus', n.box.layer === layer && n.box.unit === unit);
  }

  private hideCard(): void {
    this.card.hidden = true;
    this.stage.classList.remove('net-hovering');
    for (const k of this.links) k.path.classList.remove('hl');
    for (const col of this.nodeEls) for (const n of col) n.el.classList.remove('net-focus');
  }
}

/** A signed map: the sign's colour, as strong as |value| relative to the unit's largest |value|. */
function fillSigned(px: Uint8ClampedArray, map: Float32Array, range: [number, number], neg: Rgb, pos: Rgb, bg: Rgb): void {
  const scale = Math.max(Math.abs(range[0]), Math.abs(range[1])) || 1;
  const n = MAP_RES;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = map[r * n + c] / scale;
      const col = v < 0 ? neg : pos;
      const a = Math.min(1, Math.abs(v)) * 0.9;
      const d = ((n - 1 - r) * n + c) * 4; // row 0 is yMin: the image's bottom
      px[d] = bg[0] + (col[0] - bg[0]) * a;
      px[d + 1] = bg[1] + (col[1] - bg[1]) * a;
      px[d + 2] = bg[2] + (col[2] - bg[2]) * a;
      px[d + 3] = 255;
    }
  }
}

/** An output's map: its class colour, as strong as the probability. */
function fillProbability(px: Uint8ClampedArray, map: Float32Array, col: Rgb, bg: Rgb): void {
  const n = MAP_RES;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const a = Math.max(0, Math.min(1, map[r * n + c])) * 0.9;
      const d = ((n - 1 - r) * n + c) * 4;
      px[d] = bg[0] + (col[0] - bg[0]) * a;
      px[d + 1] = bg[1] + (col[1] - bg[1]) * a;
      px[d + 2] = bg[2] + (col[2] - bg[2]) * a;
      px[d + 3] = 255;
    }
  }
}
