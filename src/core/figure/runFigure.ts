/**
 * The run artifact figure (`figure.svg`/`figure.png`), for the trainer's artifacts
 * writer and the CLI. SVG is pure (figureSvg.ts); PNG goes through @resvg/resvg-js, a
 * prebuilt native binary that is optional: when it cannot load, there is no PNG.
 * Node only (uses `require`); the webview imports figureSvg.ts instead.
 */
import { existsSync } from 'node:fs';
import type { EpochEvent, FrameEvent, StartEvent } from '../protocol';
import { renderFigureSvg, type FigureOptions } from './figureSvg';

export function renderRunFigureSvg(
  input: { start: StartEvent; frame: FrameEvent; epochs: EpochEvent[] },
  opts?: FigureOptions,
): string {
  return renderFigureSvg(input, opts);
}

interface ResvgModule {
  Resvg: new (svg: string, opts?: unknown) => { render(): { asPng(): Buffer } };
}

let resvg: ResvgModule | null | undefined;

function loadResvg(): ResvgModule | null {
  if (resvg !== undefined) return resvg;
  try {
    // Lazy and by name so bundlers keep it external (build.mjs lists it) and a missing
    // or broken binary only costs the PNG.
    resvg = require('@resvg/resvg-js') as ResvgModule;
  } catch {
    resvg = null;
  }
  return resvg;
}

/** Font files resvg can use for the figure's text; system fonts are not always found. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
];

/** PNG bytes of `svg` at `scale` x its size, or undefined when resvg is unavailable. */
export function svgToPng(svg: string, scale = 2): Buffer | undefined {
  const mod = loadResvg();
  if (!mod) return undefined;
  try {
    const fontFiles = FONT_FILES.filter((f) => existsSync(f));
    const r = new mod.Resvg(svg, {
      fitTo: { mode: 'zoom', value: scale },
      font: { loadSystemFonts: true, fontFiles, defaultFontFamily: fontFiles.length ? 'DejaVu Sans' : undefined },
    });
    return r.render().asPng();
  } catch {
    return undefined;
  }
}
