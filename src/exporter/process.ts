/**
 * The exporter child process (bundled to dist/exporter.js). One process = one export:
 *
 *   host → ExportRequest { specText, specPath, format, outPath }
 *   exporter → ExportReply { type: 'exported', text, ... } | { type: 'error', message }, then it exits
 *
 * Why a process: the export builds the spec's data (up to millions of rows, or a CSV file
 * of hundreds of MB) the way the trainer does, which must not block the extension host;
 * and it needs the trainer's weight initialisation (src/core/train/model.ts), which stays
 * out of dist/extension.js. The host writes the file: this process only reads.
 */

import type { ExportReply, ExportRequest } from '../core/protocol';
import { exportSpec } from '../core/export/export';
import { validateSpecText } from '../core/spec/validate';

export function handle(req: ExportRequest): ExportReply {
  const name = req.specPath.split(/[\\/]/).pop() ?? req.specPath;
  const { spec, problems } = validateSpecText(req.specText, { specPath: req.specPath });
  if (!spec) {
    const errors = problems.filter((p) => p.severity === 'error');
    const first = errors[0];
    const more = errors.length > 1 ? `, and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''}` : '';
    const where = first ? ` (line ${first.range.start.line + 1}${more})` : '';
    return { type: 'error', message: `Cannot export ${name}: ${first ? first.message.trim().replace(/[.\s]+$/, '') : 'the spec is not valid'}${where}.` };
  }
  try {
    const r = exportSpec(spec, req.specPath, req.format, req.outPath);
    return { type: 'exported', text: r.text, cells: r.cells.length, notes: r.notes };
  } catch (e) {
    return { type: 'error', message: `Cannot export ${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function isRequest(m: unknown): m is ExportRequest {
  const r = m as Partial<ExportRequest> | null;
  return (
    !!r && r.type === 'export' && typeof r.specText === 'string' && typeof r.specPath === 'string' &&
    (r.format === 'ipynb' || r.format === 'py') && typeof r.outPath === 'string'
  );
}

if (process.send) {
  process.once('message', (m: unknown) => {
    const reply: ExportReply = isRequest(m) ? handle(m) : { type: 'error', message: 'exporter: not an export request' };
    process.send!(reply, undefined, {}, () => process.disconnect());
  });
  // The host went away before asking: nothing to do.
  process.once('disconnect', () => process.exit(0));
}
