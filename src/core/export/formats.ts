/**
 * Notebook cells as files: a Jupyter notebook (nbformat 4.5 JSON) or a Python script
 * with `# %%` cell markers (the "percent" format VS Code, Spyder, PyCharm and jupytext
 * read as cells). Pure.
 */

import type { Cell } from './notebook';

export type ExportFormat = 'ipynb' | 'py';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ipynb', 'py'];

/** nbformat's multi-line string: a list of lines, each but the last ending in "\n". */
function sourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

/**
 * The cells as an .ipynb file (nbformat 4, minor 5: cells carry ids). Code cells are
 * unexecuted (no outputs, execution_count null). Keys sorted and one-space indent, as
 * Jupyter writes them, so a saved-again notebook diffs cleanly.
 */
export function toIpynb(cells: readonly Cell[]): string {
  const nb = {
    cells: cells.map((c, i) => {
      const id = `cell-${String(i + 1).padStart(2, '0')}`;
      return c.kind === 'code'
        ? { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source: sourceLines(c.source) }
        : { cell_type: 'markdown', id, metadata: {}, source: sourceLines(c.source) };
    }),
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python', pygments_lexer: 'ipython3' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

/**
 * The cells as a script: `# %%` before each code cell, `# %% [markdown]` before each
 * markdown cell, whose lines become comments. Runs top to bottom with plain `python3`.
 */
export function toPy(cells: readonly Cell[]): string {
  const parts = cells.map((c) =>
    c.kind === 'code'
      ? `# %%\n${c.source}`
      : `# %% [markdown]\n${c.source
          .split('\n')
          .map((l) => (l ? `# ${l}` : '#'))
          .join('\n')}`,
  );
  return parts.join('\n\n') + '\n';
}

/** The cells back from a `# %%` script (for tests and for anyone round-tripping). */
export function cellsFromPy(text: string): Cell[] {
  const cells: Cell[] = [];
  const blocks = text.split(/^# %%/m).slice(1);
  for (const block of blocks) {
    const nl = block.indexOf('\n');
    const header = block.slice(0, nl);
    const body = block.slice(nl + 1).replace(/\n+$/, '');
    if (/\[markdown\]/.test(header)) {
      cells.push({ kind: 'markdown', source: body.split('\n').map((l) => l.replace(/^# ?/, '')).join('\n') });
    } else {
      cells.push({ kind: 'code', source: body });
    }
  }
  return cells;
}

export function renderCells(cells: readonly Cell[], format: ExportFormat): string {
  return format === 'ipynb' ? toIpynb(cells) : toPy(cells);
}
