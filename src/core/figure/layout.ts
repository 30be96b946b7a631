/**
 * Geometry shared by the live view and the static figure: an equal-aspect plot box for
 * the boundary (one data unit is as long on x as on y, as in the notebook's figure
 * when the data is square-ish), d3 scales over it, and where the grid image goes.
 */
import { scaleLinear, type ScaleLinear } from 'd3';
import type { Bounds } from '../protocol';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export function inset(box: Box, m: Margins): Box {
  return {
    x: box.x + m.left,
    y: box.y + m.top,
    width: Math.max(1, box.width - m.left - m.right),
    height: Math.max(1, box.height - m.top - m.bottom),
  };
}

/** The largest box with the data's aspect ratio inside `avail`, centred. */
export function equalAspectBox(bounds: Bounds, avail: Box): Box {
  const dx = Math.max(1e-12, bounds.xMax - bounds.xMin);
  const dy = Math.max(1e-12, bounds.yMax - bounds.yMin);
  const s = Math.min(avail.width / dx, avail.height / dy);
  const width = dx * s;
  const height = dy * s;
  return {
    x: avail.x + (avail.width - width) / 2,
    y: avail.y + (avail.height - height) / 2,
    width,
    height,
  };
}

export interface BoundaryScales {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
}

export function boundaryScales(bounds: Bounds, box: Box): BoundaryScales {
  return {
    x: scaleLinear().domain([bounds.xMin, bounds.xMax]).range([box.x, box.x + box.width]),
    // SVG/canvas y grows downwards.
    y: scaleLinear().domain([bounds.yMin, bounds.yMax]).range([box.y + box.height, box.y]),
  };
}

/**
 * Where the resolution x resolution image must be drawn so that each pixel's centre
 * sits on its grid point: grid points run from min to max inclusive (linspace), so the
 * image reaches half a cell beyond the bounds on every side. Callers clip to `box`.
 */
export function gridImageRect(resolution: number, box: Box): Box {
  const n = Math.max(2, resolution);
  const cw = box.width / (n - 1);
  const ch = box.height / (n - 1);
  return { x: box.x - cw / 2, y: box.y - ch / 2, width: cw * n, height: ch * n };
}
