import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classPalette, hexToRgb, OKABE_ITO } from '../../src/core/figure/palette';
import { decodeBase64, encodeBase64 } from '../../src/core/figure/base64';
import { heatmapLut, heatmapRgba, smoothHeatmapRgba, smoothScale } from '../../src/core/figure/heatmap';
import { boundaryScales, equalAspectBox, gridImageRect } from '../../src/core/figure/layout';
import { drawIndices, samplingNote } from '../../src/core/figure/sample';
import { chartModel, decimate, epochAt, xDomainEnd } from '../../src/core/figure/curves';
import { confusionModel, scoreRows } from '../../src/core/figure/tables';
import { duration, num, pct, r2, xmlEscape } from '../../src/core/figure/format';
import { classShape, contrast, markPath, pointMark, pointOutline, regionColor, traceMark } from '../../src/core/figure/marks';
import { LIGHT_FIGURE_THEME, renderFigureSvg } from '../../src/core/figure/figureSvg';
import { synthRun } from '../fixtures/render/synthRun';
import type { FrameEvent, StartEvent } from '../../src/core/protocol';
import type { EpochEvent, Evaluation } from '../../src/core/protocol';

describe('palette', () => {
  test('Okabe-Ito first, then distinct colours for many classes', () => {
    const p = classPalette(30);
    assert.deepEqual(p.slice(0, 8), [...OKABE_ITO].map((c) => c.toLowerCase()));
    assert.equal(new Set(p).size, 30);
    for (const c of p) assert.match(c, /^#[0-9a-f]{6}$/);
  });
  test('notebook palette runs red to blue like RdYlBu', () => {
    const [first, , , last] = classPalette(4, 'notebook').map(hexToRgb);
    assert.ok(first[0] > 150 && first[2] < 80, 'first class is red');
    assert.ok(last[2] > 120 && last[0] < 80, 'last class is blue');
  });
});

describe('base64', () => {
  test('round-trips bytes including large arrays', () => {
    const a = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
    assert.deepEqual(decodeBase64(encodeBase64(a)), a);
    assert.equal(encodeBase64(Uint8Array.from(Buffer.from('hello'))), Buffer.from('hello').toString('base64'));
  });
});

describe('heatmap', () => {
  const style = { colors: ['#ff0000', '#0000ff'], background: '#ffffff', minAlpha: 0, maxAlpha: 1 };
  test('confidence at chance is the background, at 1 the full class colour', () => {
    const lut = heatmapLut(style);
    // Two classes: chance is 0.5 -> byte 128 (rounded up a bit), full at 255.
    assert.deepEqual([...lut.subarray(255 * 3, 255 * 3 + 3)], [255, 0, 0]);
    assert.deepEqual([...lut.subarray((256 + 255) * 3, (256 + 255) * 3 + 3)], [0, 0, 255]);
    assert.deepEqual([...lut.subarray(100 * 3, 100 * 3 + 3)], [255, 255, 255]);
  });
  test('rows are flipped: grid row 0 (yMin) is the image bottom; bad classes are transparent', () => {
    const lut = heatmapLut(style);
    // 2x2 grid: bottom row class 0, top row class 1 (and one invalid class 7).
    const cls = Uint8Array.from([0, 0, 1, 7]);
    const conf = Uint8Array.from([255, 255, 255, 255]);
    const px = heatmapRgba(cls, conf, 2, lut);
    assert.deepEqual([...px.subarray(0, 4)], [0, 0, 255, 255], 'top-left = grid row 1 = class 1');
    assert.deepEqual([...px.subarray(4, 8)], [0, 0, 0, 0], 'invalid class');
    assert.deepEqual([...px.subarray(8, 12)], [255, 0, 0, 255], 'bottom-left = grid row 0 = class 0');
    // Reuses the output buffer when the size fits.
    const out = new Uint8ClampedArray(16);
    assert.equal(heatmapRgba(cls, conf, 2, lut, out), out);
  });
  test('smooth: at scale 1 the grid itself; finer scales keep the corners and flip rows the same way', () => {
    const lut = heatmapLut({ ...style, minAlpha: 0.1, maxAlpha: 0.9 });
    const n = 9;
    const cls = Uint8Array.from({ length: n * n }, (_, i) => ((i % n) + Math.floor(i / n) < n ? 0 : 1));
    const conf = Uint8Array.from({ length: n * n }, (_, i) => 140 + ((i * 37) % 110));
    // Scale 1: the grid's own pixels, except where a boundary passes (anti-aliased there).
    const one = smoothHeatmapRgba(cls, conf, n, lut, 1);
    const grid = heatmapRgba(cls, conf, n, lut);
    let blended = 0;
    for (let Y = 0; Y < n; Y++) for (let X = 0; X < n; X++) {
      const i = (Y * n + X) * 4;
      const r = n - 1 - Y;
      const nearBoundary = Math.abs(X + r - (n - 1) + 0.5) < 2;
      if (!nearBoundary) assert.deepEqual([...one.subarray(i, i + 4)], [...grid.subarray(i, i + 4)], `pixel ${X},${Y}`);
      else if (one[i] !== grid[i] || one[i + 2] !== grid[i + 2]) blended++;
    }
    assert.ok(blended > 0, 'where the boundary passes near a grid point, its pixel is a blend');
    const uniform = new Uint8Array(n * n);
    assert.deepEqual(smoothHeatmapRgba(uniform, conf, n, lut, 1), heatmapRgba(uniform, conf, n, lut));
    const big = smoothHeatmapRgba(cls, conf, n, lut, 4);
    assert.equal(big.length, 36 * 36 * 4);
    const out = new Uint8ClampedArray(36 * 36 * 4);
    assert.equal(smoothHeatmapRgba(cls, conf, n, lut, 4, out), out, 'reuses the buffer');
    const bad = smoothHeatmapRgba(Uint8Array.from([9, 9, 9, 9]), Uint8Array.from([255, 255, 255, 255]), 2, lut, 3);
    assert.ok(bad.every((v) => v === 0), 'an invalid class is transparent');
  });

  test('smooth: a diagonal boundary is a line, not stair-steps; the tint varies continuously', () => {
    const n = 21;
    const s = 4;
    const N = n * s;
    const lut = heatmapLut({ ...style, minAlpha: 0.1, maxAlpha: 0.9 });
    // Class 0 below the anti-diagonal, 1 above; confidence grows with the distance to it.
    const cls = new Uint8Array(n * n);
    const conf = new Uint8Array(n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const d = c + r - (n - 1) + 0.5; // signed distance (in cells, x sqrt 2)
      cls[r * n + c] = d < 0 ? 0 : 1;
      conf[r * n + c] = Math.round(255 * Math.min(1, 0.5 + Math.abs(d) * 0.04));
    }
    const px = smoothHeatmapRgba(cls, conf, n, lut, s);
    const isBlue = (X: number, Y: number) => px[(Y * N + X) * 4 + 2] > px[(Y * N + X) * 4];
    // Where class 1 (blue) starts in each image row: one pixel further per row, not s pixels every s rows.
    const edges: number[] = [];
    for (let Y = s; Y < N - s; Y++) {
      let X = 0;
      while (X < N && !isBlue(X, Y)) X++;
      edges.push(X);
    }
    const steps = edges.slice(1).map((e, i) => e - edges[i]);
    assert.ok(steps.every((d) => Math.abs(d) <= 2), `edge moves smoothly: ${steps.join(',')}`);
    assert.ok(steps.filter((d) => d !== 0).length > steps.length * 0.6, `a slope, not stairs: ${steps.join(',')}`);
    // Continuous tint: many distinct shades along a row (the grid has n of them at most).
    const row = N / 2;
    const shades = new Set<number>();
    for (let X = 0; X < N; X++) shades.add(px[(row * N + X) * 4] * 65536 + px[(row * N + X) * 4 + 1] * 256 + px[(row * N + X) * 4 + 2]);
    assert.ok(shades.size > n * 2, `${shades.size} shades in a row of ${N}`);
  });

  test('smooth scale: about the target size, at most ~512 px', () => {
    assert.equal(smoothScale(101, 430), 4);
    assert.equal(smoothScale(101, 860), 5);
    assert.equal(smoothScale(201, 430), 2);
    assert.equal(smoothScale(501, 430), 1);
    assert.equal(smoothScale(501, 2000), 1);
    assert.equal(smoothScale(21, 880), 24);
    assert.equal(smoothScale(11, 10), 1);
  });
});

describe('layout', () => {
  const bounds = { xMin: 0, xMax: 20, yMin: 0, yMax: 10 };
  test('equal aspect: one data unit has the same length on both axes', () => {
    const box = equalAspectBox(bounds, { x: 10, y: 0, width: 400, height: 400 });
    assert.equal(box.width, 400);
    assert.equal(box.height, 200);
    assert.equal(box.y, 100);
    const s = boundaryScales(bounds, box);
    assert.equal(s.x(1) - s.x(0), s.y(0) - s.y(1));
    assert.equal(s.y(bounds.yMax), box.y, 'yMax at the top');
  });
  test('grid image reaches half a cell past the bounds', () => {
    const img = gridImageRect(11, { x: 0, y: 0, width: 100, height: 100 });
    assert.deepEqual(img, { x: -5, y: -5, width: 110, height: 110 });
  });
});

describe('samplingNote', () => {
  test('only when the host sampled or the cap cuts', () => {
    const ps = { xy: [], label: [0, 1, 1, 0], total: 4, sampled: false };
    assert.equal(samplingNote('test', ps, 10), undefined);
    assert.equal(samplingNote('test', ps, 3), 'test: showing 3 of 4 points (class-balanced sample)');
    assert.equal(samplingNote('train', { ...ps, sampled: true, total: 4000 }, 10), 'train: showing 4 of 4000 points (class-balanced sample)');
  });
});

describe('drawIndices', () => {
  test('returns all points under the cap', () => {
    assert.deepEqual(drawIndices({ label: [0, 1, 1] }, 10), [0, 1, 2]);
  });
  test('stratified, deterministic, capped; small classes keep a few points', () => {
    const label = [...new Array(900).fill(0), ...new Array(90).fill(1), ...new Array(10).fill(2)];
    const idx = drawIndices({ label }, 100);
    assert.equal(idx.length, 100);
    assert.deepEqual(idx, drawIndices({ label }, 100));
    const counts = [0, 0, 0];
    for (const i of idx) counts[label[i]]++;
    // 5 each first, the other 85 in proportion to what is left (largest remainder)
    assert.deepEqual(counts, [82, 12, 6]);
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
    assert.equal(new Set(idx).size, 100);
  });
});

const ep = (epoch: number, trainLoss: number, testLoss: number, trainAcc = 0.5, testAcc = 0.5): EpochEvent => ({
  type: 'epoch', epoch, trainLoss, testLoss, trainAcc, testAcc, elapsedMs: epoch * 10,
});

describe('curves', () => {
  const box = { x: 0, y: 0, width: 100, height: 50 };
  test('paths span the planned epochs; values map into the box', () => {
    const m = chartModel([ep(0, 2, 2), ep(1, 1, 1.5)], { metric: 'loss', box, epochs: 11 });
    assert.equal(m.train, 'M0,0L10,25');
    assert.equal(m.test, 'M0,0L10,12.5');
    assert.equal(m.x.domain()[1], 10);
  });
  test('accuracy is on 0..1; upTo cuts the replayed part but keeps the scale', () => {
    const es = [ep(0, 1, 1, 0, 0.5), ep(1, 1, 1, 1, 1)];
    const m = chartModel(es, { metric: 'acc', box, epochs: 2, upTo: 0 });
    assert.equal(m.train, 'M0,50Z', 'one point: d3 draws a closed dot');
    assert.equal(m.shown.length, 1);
    assert.equal(m.yFormat(0.5), '50%');
  });
  test('log scale: ticks are powers of ten and zero loss does not break the path', () => {
    const m = chartModel([ep(0, 1, 0.5), ep(1, 0.01, 0)], { metric: 'loss', box, epochs: 2, log: true });
    assert.deepEqual(m.yTicks, [0.01, 0.1, 1]);
    assert.doesNotMatch(m.train + m.test, /NaN|Infinity/);
  });
  test('non-finite losses leave a gap', () => {
    const m = chartModel([ep(0, 1, 1), ep(1, NaN, 1), ep(2, 0.5, 1)], { metric: 'loss', box, epochs: 3 });
    assert.equal((m.train.match(/M/g) ?? []).length, 2);
  });
  test('long runs are decimated but keep spikes and the last epoch', () => {
    const es = Array.from({ length: 100_000 }, (_, i) => ep(i, i === 54_321 ? 9 : 1 / (1 + i), 1));
    const d = decimate(es, (e) => e.trainLoss, 400);
    assert.ok(d.length <= 402, `${d.length} points`);
    assert.ok(d.some((e) => e.epoch === 54_321), 'the spike survives');
    assert.equal(d[0].epoch, 0);
    assert.equal(d.at(-1)!.epoch, 99_999);
    assert.deepEqual(d.map((e) => e.epoch), [...d.map((e) => e.epoch)].sort((a, b) => a - b));
    const m = chartModel(es, { metric: 'loss', box, epochs: 100_000 });
    assert.ok((m.train.match(/L/g) ?? []).length <= 201);
  });
  test('the epoch axis is fixed for short runs and grows in 1-2-5 steps for long ones', () => {
    assert.equal(xDomainEnd(100, 3), 99);
    assert.equal(xDomainEnd(1000, 0), 999);
    assert.equal(xDomainEnd(100_000, 30), 50);
    assert.equal(xDomainEnd(100_000, 0), 10);
    assert.equal(xDomainEnd(100_000, 95), 200);
    assert.equal(xDomainEnd(100_000, 99_998), 99_999);
    assert.equal(xDomainEnd(100_000, 120_000), 120_000);
  });
  test('epochAt picks the nearest epoch to a pixel', () => {
    const m = chartModel([ep(0, 1, 1), ep(1, 1, 1), ep(2, 1, 1)], { metric: 'loss', box, epochs: 3 });
    assert.equal(epochAt(m.shown, m.x, 70)?.epoch, 1);
    assert.equal(epochAt(m.shown, m.x, 80)?.epoch, 2);
  });
});

describe('tables', () => {
  const ev: Evaluation = {
    accuracy: 0.9, loss: 0.2,
    confusion: [[8, 2], [0, 10]],
    perClass: [
      { precision: 1, recall: 0.8, f1: 0.888, support: 10 },
      { precision: 0.833, recall: 1, f1: 0.909, support: 10 },
    ],
    macro: { precision: 0.9167, recall: 0.9, f1: 0.8985 },
    weighted: { precision: 0.9167, recall: 0.9, f1: 0.8985 },
  };
  test('confusion model: totals, row shares, diagonal', () => {
    const m = confusionModel(ev, ['a', 'b']);
    assert.equal(m.total, 20);
    assert.equal(m.correct, 18);
    assert.deepEqual(m.rowTotals, [10, 10]);
    assert.deepEqual(m.colTotals, [8, 12]);
    assert.equal(m.rows[0][1].share, 0.2);
    assert.equal(m.rows[1][1].correct, true);
  });
  test('score rows like classification_report', () => {
    const rows = scoreRows(ev, ['a', 'b']);
    assert.deepEqual(rows.map((r) => r.label), ['a', 'b', 'macro avg', 'weighted avg']);
    assert.deepEqual(rows[0], { label: 'a', precision: '1.00', recall: '0.80', f1: '0.89', support: '10' });
    assert.equal(rows[3].support, '20');
  });
});

describe('format', () => {
  test('numbers', () => {
    assert.equal(pct(0.995), '99.50%');
    assert.equal(pct(undefined), '–');
    // The notebook's 793/800 train accuracy: Python rounds the tie to even, so must the panel.
    assert.equal(pct(793 / 800), '99.12%');
    assert.equal(duration(850), '850 ms');
    assert.equal(duration(12_345), '12.3 s');
    assert.equal(duration(125_000), '2:05');
    assert.equal(r2(-0.001), '0');
    assert.equal(r2(1.23456), '1.23');
    assert.equal(xmlEscape('<a & "b">'), '&lt;a &amp; &quot;b&quot;&gt;');
  });
  test('losses too small for 5 decimals keep their digits (hover on a log-scale loss chart)', () => {
    assert.equal(num(0.123456), '0.12346');
    assert.equal(num(0.00123), '0.00123');
    assert.equal(num(3.2e-7), '3.200e-7');
    assert.equal(num(-2.5e-5), '-2.500e-5');
    assert.equal(num(0), '0.00000');
    assert.equal(num(0.004, 4), '4.00e-3');
    // JSON writes a diverged run's NaN as null (earlier runs from disk).
    assert.equal(num(null), '–');
    assert.equal(num(NaN), '–');
  });
});

describe('point marks', () => {
  test('dots shrink with their number, and their outline with them (a 1.5 px dot is not a dark speck)', () => {
    const few = pointMark(100, 400 * 400);
    assert.equal(few.r, 4);
    assert.equal(few.strokeWidth, 1);
    const many = pointMark(2500, 440 * 440);
    assert.ok(many.r < 2 && many.r >= 1.5, `r ${many.r}`);
    assert.ok(many.strokeWidth <= many.r * 0.25 + 1e-9, `outline ${many.strokeWidth} for r ${many.r}`);
    assert.equal(pointMark(1e6, 100 * 100).r, 1.5);
    assert.ok(pointMark(2500, 440 * 440).ringR > pointMark(2500, 440 * 440).r + 2);
  });
  test('every point gets the rim that stands out from its fill: yellow dark, navy light, on any theme', () => {
    const dark = { pointStroke: '#111111', background: '#1e1e1e', foreground: '#cccccc' };
    const light = { pointStroke: '#1f1f1f', background: '#ffffff', foreground: '#1f1f1f' };
    const hc = { pointStroke: '#ffffff', background: '#000000', foreground: '#ffffff' };
    const colors = [...classPalette(12), ...classPalette(4, 'notebook'), ...classPalette(11, 'notebook')];
    for (const theme of [dark, light, hc]) {
      for (const c of colors) {
        const rim = pointOutline(c, theme);
        // A correctly classified point sits on a tint of its own colour: the rim must differ from the fill.
        assert.ok(contrast(c, rim) >= 2.5, `${c} on ${theme.background}: rim ${rim}, contrast ${contrast(c, rim).toFixed(2)}`);
      }
    }
    const yellow = OKABE_ITO[3];
    const navy = classPalette(4, 'notebook')[3];
    assert.equal(pointOutline(yellow, light), '#1f1f1f');
    assert.equal(pointOutline(navy, light), '#ffffff');
    assert.equal(pointOutline(navy, dark), '#cccccc');
    // Classes 8 and 9 (Tol's wine and indigo) vanish into a dark background otherwise.
    assert.ok(contrast(classPalette(12)[9], dark.background) < 2.5);
    assert.equal(pointOutline(classPalette(12)[9], dark), '#cccccc');
    for (const c of classPalette(8)) assert.equal(pointOutline(c, dark), '#111111', c);
    assert.ok(Math.abs(contrast('#000000', '#ffffff') - 21) < 1e-9);
  });
  test('with the region behind it: a rim that stands out from the fill and the region (green on dark green: light)', () => {
    const dark = { pointStroke: '#111111', background: '#1e1e1e', foreground: '#cccccc' };
    const hc = { pointStroke: '#ffffff', background: '#000000', foreground: '#ffffff' };
    for (const [theme, maxAlpha] of [[dark, 0.35], [hc, 0.3]] as const) {
      const colors = classPalette(8);
      const lut = heatmapLut({ colors, background: theme.background, minAlpha: 0.06, maxAlpha });
      for (const [c, fill] of colors.entries()) {
        const region = regionColor(lut, c);
        const rim = pointOutline(fill, theme, region);
        assert.ok(Math.min(contrast(rim, fill), contrast(rim, region)) >= 2, `${fill} on ${region}: rim ${rim}`);
      }
      const green = OKABE_ITO[2];
      assert.notEqual(pointOutline(green, theme, regionColor(lut, 2)), theme.background, 'not a dark rim on the dark green region');
    }
    const lut = heatmapLut({ colors: ['#ff0000'], background: '#ffffff', minAlpha: 0, maxAlpha: 1 });
    assert.equal(regionColor(lut, 0), '#ff0000');
  });

  test('the static figure outlines those classes the same way', () => {
    const ev = synthRun({ nClasses: 12, nSamples: 240, epochs: 3, resolution: 11, frameEvery: 1 });
    const start = ev[0] as StartEvent;
    const frame = ev.filter((e): e is FrameEvent => e.type === 'frame').at(-1)!;
    const theme = { ...LIGHT_FIGURE_THEME, background: '#1e1e1e', foreground: '#cccccc', pointStroke: '#111111' };
    const svg = renderFigureSvg({ start, frame, epochs: ev.filter((e): e is EpochEvent => e.type === 'epoch') }, { theme, palette: 'categorical', logLoss: false, compare: [] });
    const colors = classPalette(12);
    assert.match(svg, new RegExp(`<g fill="${colors[9]}" stroke="#cccccc"`));
    assert.match(svg, new RegExp(`<g fill="${colors[0]}">`));
  });
  test('past eight classes the marker shape changes, so colour is not the only cue', () => {
    assert.deepEqual([0, 7, 8, 15, 16, 24, 32].map(classShape), ['circle', 'circle', 'square', 'square', 'triangle', 'diamond', 'circle']);
    // Tol's rose (class 11) and Okabe-Ito's green (class 2) are close under deuteranopia: different shapes.
    assert.notEqual(classShape(11), classShape(2));
    assert.equal(markPath('square', 10, 10, 2), 'M8.23,8.23L11.77,8.23L11.77,11.77L8.23,11.77Z');
    const ops: string[] = [];
    const sink = { moveTo: () => ops.push('M'), lineTo: () => ops.push('L'), arc: () => ops.push('A'), closePath: () => ops.push('Z') };
    traceMark(sink, 'circle', 0, 0, 3);
    traceMark(sink, 'triangle', 0, 0, 3);
    assert.deepEqual(ops, ['M', 'A', 'M', 'L', 'L', 'Z']);
    const ev = synthRun({ nClasses: 12, nSamples: 240, epochs: 2, resolution: 11, frameEvery: 1 });
    const start = ev[0] as StartEvent;
    const frame = ev.filter((e): e is FrameEvent => e.type === 'frame').at(-1)!;
    const svg = renderFigureSvg({ start, frame, epochs: ev.filter((e): e is EpochEvent => e.type === 'epoch') });
    const colors = classPalette(12);
    // Class 8's points are square paths; class 0's stay circles (4-class figures unchanged).
    assert.match(svg, new RegExp(`<g fill="${colors[8]}"(?: stroke="[^"]+")?>\\s*<path d="M[^"]+Z"`));
    assert.match(svg, new RegExp(`<g fill="${colors[0]}">\\s*<circle`));
  });
});
