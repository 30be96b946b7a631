/** Snapshot tests of the static run figure (see test/fixtures/render/snapshot.ts). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochEvent, FrameEvent, StartEvent } from '../../src/core/protocol';
import { renderRunFigureSvg, svgToPng } from '../../src/core/figure/runFigure';
import { synthRun } from '../fixtures/render/synthRun';
import { assertSnapshot } from '../fixtures/render/snapshot';

function smallRun() {
  const events = synthRun({ nSamples: 80, epochs: 12, resolution: 21, frameEvery: 4 });
  const start = events.find((e): e is StartEvent => e.type === 'start')!;
  const frames = events.filter((e): e is FrameEvent => e.type === 'frame');
  const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
  return { start, frames, epochs };
}

describe('run figure', () => {
  test('SVG snapshot: boundaries, points, misclassified marks, curves', () => {
    const { start, frames, epochs } = smallRun();
    const svg = renderRunFigureSvg({ start, frame: frames.at(-1)!, epochs });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /class="curve-train"/);
    assert.match(svg, /Train \(acc/);
    assertSnapshot('run-figure.svg', svg);
  });

  test('untrained frame with a slice note and sampled points; log loss', () => {
    const { start, frames, epochs } = smallRun();
    const sampled = { ...start, points: { ...start.points, train: { ...start.points.train, sampled: true, total: 6400 } } };
    const svg = renderRunFigureSvg(
      { start: sampled, frame: { ...frames[0], slice: 'x3..x5 held at their means' }, epochs: epochs.slice(0, 3) },
      { logLoss: true, palette: 'notebook' },
    );
    assert.match(svg, /train: showing 64 of 6400 points \(class-balanced sample\)/);
    assert.match(svg, /x3..x5 held at their means/);
    assertSnapshot('run-figure-untrained.svg', svg);
  });

  test('notebook-sized figure stays small', () => {
    const events = synthRun();
    const start = events[0] as StartEvent;
    const frame = events.filter((e): e is FrameEvent => e.type === 'frame').at(-1)!;
    const svg = renderRunFigureSvg({ start, frame, epochs: events.filter((e): e is EpochEvent => e.type === 'epoch') });
    assert.ok(svg.length < 300_000, `${svg.length} bytes`);
  });

  test('svgToPng renders a PNG when resvg loads', (t) => {
    const { start, frames, epochs } = smallRun();
    const png = svgToPng(renderRunFigureSvg({ start, frame: frames.at(-1)!, epochs }), 1);
    if (!png) return t.skip('@resvg/resvg-js not available');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Width in the IHDR chunk = the SVG's width at scale 1.
    assert.equal(png.readUInt32BE(16), 960);
  });
});
