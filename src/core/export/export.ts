/**
 * Spec → notebook text: builds the spec's data exactly as the trainer does (so the
 * notebook's shapes, class names and check rows are the run's), then the cells, then the
 * file. Shared by `blobs export` and the extension's exporter process.
 */

import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { version } from '../../../package.json';
import { buildDataset } from '../data/build';
import { specStem } from '../run/folder';
import type { BlobSpec } from '../spec/types';
import { renderCells, type ExportFormat } from './formats';
import { notebookCells, type Cell } from './notebook';

export interface ExportResult {
  text: string;
  cells: Cell[];
  notes: string[];
}

/** `<spec folder>/<spec stem>.<format>`: `notebook.blobs.json` → `notebook.ipynb`. */
export function defaultExportPath(specPath: string, format: ExportFormat): string {
  return join(dirname(resolve(specPath)), `${specStem(specPath)}.${format}`);
}

/**
 * The notebook (or script) of a validated spec. `outPath`: where the file will be written,
 * so a CSV path is written relative to it; without one, relative to the spec's folder.
 * Throws the data errors the trainer would (a CSV that cannot be read, ...).
 */
export function exportSpec(spec: BlobSpec, specPath: string, format: ExportFormat, outPath?: string): ExportResult {
  const specDir = dirname(resolve(specPath));
  const data = buildDataset(spec, specDir);
  let csvPath: string | undefined;
  if (spec.data.generator === 'csv') {
    const file = resolve(specDir, spec.data.path);
    const from = outPath ? dirname(resolve(outPath)) : specDir;
    const rel = relative(from, file);
    // Another drive (Windows) has no relative path: keep it absolute.
    csvPath = (isAbsolute(rel) ? file : rel).split(sep).join('/');
  }
  const nb = notebookCells({ spec, specFile: specPath.split(/[\\/]/).pop() ?? specPath, data, csvPath, version });
  return { text: renderCells(nb.cells, format), cells: nb.cells, notes: nb.notes };
}
