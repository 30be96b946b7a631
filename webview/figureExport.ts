/**
 * Export: the figure as shown (replayed epoch, theme, options) as SVG text, or as a PNG
 * rasterised from that SVG, posted to the host, which asks where to save it.
 */
import type { EpochEvent } from '../src/core/protocol';
import { renderFigureSvg } from '../src/core/figure/figureSvg';
import type { ViewTheme } from './render/theme';
import { shownFrame, type RunModel } from './model';
import { svgToPngDataUrl } from './render/export';
import { post, type ViewState, type VsCodeApi } from './vscode';

export interface FigureInput {
  model: RunModel;
  theme: ViewTheme;
  state: ViewState;
  history: EpochEvent[][];
  /** The shown epoch (playback or slider), or undefined = latest. */
  replay?: number;
}

/** The whole figure as SVG text, as shown now; undefined when nothing is drawn yet. */
export function figureSvg(f: FigureInput): string | undefined {
  const m = f.model;
  const start = m.state?.start;
  if (!start) return undefined;
  const r = f.replay;
  const frame = shownFrame(m, r);
  if (!frame) return undefined;
  // Curves up to the replayed epoch, like the charts on screen.
  const epochs = r === undefined ? m.epochs : m.epochs.filter((e) => e.epoch < r);
  return renderFigureSvg(
    { start, frame, epochs },
    { theme: f.theme, palette: f.state.palette, logLoss: f.state.logLoss, compare: f.state.compare ? f.history : [] },
  );
}

/** Sends the figure to the host as `exportFigure`; `status` (panel only) says how it went. */
export async function exportFigure(doc: Document, api: VsCodeApi, format: 'png' | 'svg', svg: string | undefined, status?: HTMLElement): Promise<void> {
  if (!svg) {
    if (status) status.textContent = 'Nothing to export yet';
    return;
  }
  try {
    const data = format === 'svg' ? svg : await svgToPngDataUrl(doc, svg);
    post(api, { type: 'exportFigure', format, data });
    if (status) status.textContent = 'Exporting…';
  } catch (e) {
    if (status) status.textContent = `Export failed: ${(e as Error).message}`;
  }
}
