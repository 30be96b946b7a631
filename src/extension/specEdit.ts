/**
 * The panel's controls as edits of the spec text, and the spec text as the controls'
 * values. The spec file stays the single source of truth: a control never holds a value
 * of its own, it asks for an edit of the document, and the document's text tells every
 * control what to show (so typing in the editor moves them too).
 *
 * Edits keep the user's file: a value that is there is replaced in place, written the way
 * a person writes it ("[16, 16]" on one line, not jsonc-parser's one item per line); a
 * key that is missing is inserted by jsonc-parser's `modify` with the file's own indent
 * and line ends; the result is one minimal replacement (common prefix and suffix cut),
 * so comments, key order and formatting elsewhere stay as they were, and the editor's
 * undo takes it back in one step. Pure: the `vscode` side applies the edit as a
 * `WorkspaceEdit` (vscode/steering.ts).
 */

import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';
import type { FieldProblem, SpecControlValues, SpecField, SpecFieldValue } from '../core/protocol';
import { BLOBS_FIELDS, DATA_COMMON, MODEL_FIELDS, MOONS_FIELDS, TOP_FIELDS, TRAINING_FIELDS } from '../core/spec/fields';
import { formattingOf, minimalEdit, type TextEdit } from '../core/spec/fixes';
import { LIMITS } from '../core/spec/types';
import type { JsonPath, Problem } from '../core/spec/problems';

/** Where each control's field lives in the spec. */
export const FIELD_PATHS: Record<SpecField, JsonPath> = {
  lr: ['training', 'lr'],
  epochs: ['training', 'epochs'],
  optimizer: ['training', 'optimizer'],
  batch_size: ['training', 'batch_size'],
  activation: ['model', 'activation'],
  hidden_units: ['model', 'hidden_units'],
  n_samples: ['data', 'n_samples'],
  noise: ['data', 'noise'],
  cluster_std: ['data', 'cluster_std'],
  seed: ['seed'],
};

/** Defaults where the key is missing (fields.ts, the one table of spec rules). */
const DEFAULTS: Record<SpecField, unknown> = {
  lr: TRAINING_FIELDS.lr.def,
  epochs: TRAINING_FIELDS.epochs.def,
  optimizer: TRAINING_FIELDS.optimizer.def,
  batch_size: TRAINING_FIELDS.batch_size.def,
  activation: MODEL_FIELDS.activation.def,
  hidden_units: MODEL_FIELDS.hidden_units.def,
  n_samples: BLOBS_FIELDS.n_samples.def,
  noise: MOONS_FIELDS.noise.def,
  cluster_std: BLOBS_FIELDS.cluster_std.def,
  seed: TOP_FIELDS.seed.def,
};

/** A value written as a person writes it in a spec: lists on one line, "[8, 8]". */
export function formatJsonValue(v: SpecFieldValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return JSON.stringify(v);
}

export type EditOutcome =
  | { ok: true; edit?: TextEdit; text: string }
  | { ok: false; message: string };

/**
 * The edit that sets `field` to `value` in `text`. Refused (with a reason) when the text
 * is not a JSON object at the top, or a section on the way is not an object.
 */
export function specEdit(text: string, field: SpecField, value: SpecFieldValue): EditOutcome {
  // Past the spec size limit the validator reads nothing; neither do the controls.
  if (text.length > LIMITS.maxSpecBytes) return { ok: false, message: 'The spec is larger than a spec may be: fix it in the editor first.' };
  const path = FIELD_PATHS[field];
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return { ok: false, message: 'The spec is not a JSON object: fix it in the editor first.' };
  // Every section on the way must be an object (a "training": 3 cannot take a key).
  for (let i = 1; i < path.length; i++) {
    const sec = findNodeAtLocation(root, path.slice(0, i));
    if (sec && sec.type !== 'object') {
      return { ok: false, message: `\`${path.slice(0, i).join('.')}\` is not an object in the spec: fix it in the editor first.` };
    }
  }
  const node = findNodeAtLocation(root, path);
  let after: string;
  if (node) {
    // In place: only the value's own characters change.
    after = text.slice(0, node.offset) + formatJsonValue(value) + text.slice(node.offset + node.length);
  } else {
    after = applyEdits(text, modify(text, path, value, { formattingOptions: formattingOf(text) }));
    // `modify` writes a new list one item per line; keep it on one line like the rest.
    if (Array.isArray(value)) {
      const added = findNodeAtLocation(parseTree(after) ?? root, path);
      if (added) after = after.slice(0, added.offset) + formatJsonValue(value) + after.slice(added.offset + added.length);
    }
  }
  return { ok: true, edit: after === text ? undefined : minimalEdit(text, after), text: after };
}

function valueOf(node: Node | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'array':
      return (node.children ?? []).map(valueOf);
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children?.[0]?.value, valueOf(p.children?.[1])]));
    default:
      return node.value;
  }
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNums = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNum);

/**
 * The controls' values in `text`: as written, the default where the key is missing,
 * undefined where the value has a type no control can show.
 */
export function controlValues(text: string): SpecControlValues {
  // A text past the spec size limit is not parsed (a 50 MB file open in the editor: the
  // validator refuses it unread, and this runs on every change of its problems).
  if (text.length > LIMITS.maxSpecBytes) return { generator: DATA_COMMON.generator.def as string };
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const at = (path: JsonPath) => (root ? findNodeAtLocation(root, path) : undefined);
  const read = (field: SpecField): unknown => {
    const n = at(FIELD_PATHS[field]);
    return n ? valueOf(n) : DEFAULTS[field];
  };
  const gen = root ? valueOf(at(['data', 'generator'])) : undefined;
  const out: SpecControlValues = { generator: typeof gen === 'string' ? gen : (DATA_COMMON.generator.def as string) };
  const lr = read('lr');
  if (isNum(lr)) out.lr = lr;
  const epochs = read('epochs');
  if (isNum(epochs)) out.epochs = epochs;
  for (const f of ['optimizer', 'activation'] as const) {
    const v = read(f);
    if (typeof v === 'string') out[f] = v;
  }
  const hidden = read('hidden_units');
  if (isNums(hidden)) out.hidden_units = hidden;
  const batch = read('batch_size');
  if (batch === 'full' || isNum(batch)) out.batch_size = batch;
  const n = read('n_samples');
  if (isNum(n) || isNums(n)) out.n_samples = n;
  const noise = read('noise');
  if (noise === null || isNum(noise)) out.noise = noise;
  const std = read('cluster_std');
  if (isNum(std) || isNums(std)) out.cluster_std = std;
  const seed = read('seed');
  if (isNum(seed)) out.seed = seed;
  return out;
}

/** The control a problem concerns (its path starts with the control's field), if any. */
export function fieldOf(path: JsonPath): SpecField | undefined {
  for (const [field, p] of Object.entries(FIELD_PATHS) as [SpecField, JsonPath][]) {
    if (p.every((seg, i) => path[i] === seg)) return field;
  }
  return undefined;
}

/** The validator's errors that concern a control, in its words (one per field, the first). */
export function fieldProblems(problems: readonly Problem[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const p of problems) {
    if (p.severity !== 'error') continue;
    const field = fieldOf(p.path);
    if (field && !out.some((o) => o.field === field)) out.push({ field, message: p.message });
  }
  return out;
}

const key = (p: Problem) => `${p.code}\u0000${p.path.join('.')}\u0000${p.message}`;

/**
 * Why an edit must be refused: the first error the new text has that the old one did not
 * (the edited field's own first, else one elsewhere that the edit caused, e.g. a list
 * length that no longer matches `centers`). Errors the spec already had elsewhere do not
 * block an edit; they only stop the retrain.
 */
export function newError(before: readonly Problem[], after: readonly Problem[], field: SpecField): string | undefined {
  const old = new Set(before.filter((p) => p.severity === 'error').map(key));
  const added = after.filter((p) => p.severity === 'error' && !old.has(key(p)));
  return (added.find((p) => fieldOf(p.path) === field) ?? added[0])?.message;
}
