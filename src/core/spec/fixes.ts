/**
 * Quick fixes: a spec's text and one of its problems -> named text edits. The validator
 * says what would fix a problem (`Problem.fixes`, made where the message is made); this
 * finds the place in the text (the problem's range and path) and writes the edit with
 * jsonc-parser, which keeps the user's comments, order and layout. Pure: the editor's
 * code action provider only turns the edits into a `WorkspaceEdit`.
 *
 * A fix is left out when the text no longer matches the problem (the key moved, the
 * target key exists already...): a quick fix must never make things worse.
 */

import { applyEdits, findNodeAtLocation, findNodeAtOffset, getNodeValue, modify, parseTree, type FormattingOptions, type Node } from 'jsonc-parser';
import { formatPath, show, type FixHint, type JsonPath, type Problem } from './problems';

/** Replace `length` characters at `offset` (UTF-16 units, as JS strings) with `content`. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export interface Fix {
  /** What the fix does, as the quick fix menu shows it. */
  title: string;
  /** Non-overlapping edits of the original text. */
  edits: TextEdit[];
  /** The fix to apply without asking (VS Code's "preferred" quick fix): the first one. */
  preferred: boolean;
}

/** The fixes of `problem` that still apply to `text`, best first. */
export function fixesFor(text: string, problem: Problem, format: Partial<FormattingOptions> = {}): Fix[] {
  if (!problem.fixes?.length) return [];
  if (problem.fixes[0].kind === 'remove-trailing-comma') {
    const fix = removeTrailingComma(text, problem.range.offset);
    return fix ? [{ ...fix, preferred: true }] : [];
  }
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root) return [];
  const ctx: Ctx = { text, root, problem, format: { ...formattingOf(text), ...format } };
  const out: Fix[] = [];
  for (const hint of problem.fixes) {
    const fix = make(ctx, hint);
    if (fix && fix.edits.length) out.push({ ...fix, preferred: out.length === 0 });
  }
  return out;
}

/** `text` with `edits` applied (for tests and for callers without an editor). */
export function applyFix(text: string, fix: Pick<Fix, 'edits'>): string {
  return applyEdits(text, fix.edits);
}

interface Ctx {
  text: string;
  root: Node;
  problem: Problem;
  format: FormattingOptions;
}

function make(ctx: Ctx, hint: FixHint): Omit<Fix, 'preferred'> | undefined {
  switch (hint.kind) {
    case 'rename-key':
      return renameKey(ctx, hint.to);
    case 'move-key':
      return moveKey(ctx, hint.into, hint.key);
    case 'remove-key':
      return removeKey(ctx);
    case 'set-value':
      return setValue(ctx, hint);
    case 'resize-list':
      return resizeList(ctx, hint.length, hint.per);
    case 'remove-trailing-comma':
      return removeTrailingComma(ctx.text, ctx.problem.range.offset);
  }
}

/** The comma before the closer at `at`, past spaces, line breaks and comments. */
function removeTrailingComma(text: string, at: number): Omit<Fix, 'preferred'> | undefined {
  if (text[at] !== '}' && text[at] !== ']') return undefined;
  let i = at - 1;
  for (;;) {
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (text[i] === '/' && text[i - 1] === '*') {
      i = text.lastIndexOf('/*', i - 2) - 1;
      continue;
    }
    // A line comment: the comma, if any, is before the `//` on this line.
    const lineStart = text.lastIndexOf('\n', i) + 1;
    const comment = lineComment(text.slice(lineStart, i + 1));
    if (comment >= 0) {
      i = lineStart + comment - 1;
      continue;
    }
    break;
  }
  if (text[i] !== ',') return undefined;
  return { title: 'Remove the trailing comma', edits: [{ offset: i, length: 1, content: '' }] };
}

/** Where a `//` comment starts in a line (outside strings), or -1. */
function lineComment(line: string): number {
  let inString = false;
  for (let j = 0; j < line.length; j++) {
    const c = line[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && line[j + 1] === '/') return j;
  }
  return -1;
}

/** `code` in backticks, as the messages write names. */
const tick = (s: string): string => `\`${s}\``;

function renameKey(ctx: Ctx, to: string): Omit<Fix, 'preferred'> | undefined {
  const prop = propertyAt(ctx);
  const key = prop?.children?.[0];
  if (!prop || !key) return undefined;
  // Renaming onto a key that is there already would make a duplicate.
  if (prop.parent?.children?.some((p) => p.children?.[0]?.value === to)) return undefined;
  return {
    title: `Rename ${tick(String(key.value))} to ${tick(to)}`,
    edits: [{ offset: key.offset, length: key.length, content: JSON.stringify(to) }],
  };
}

function moveKey(ctx: Ctx, into: JsonPath, newKey?: string): Omit<Fix, 'preferred'> | undefined {
  const prop = propertyAt(ctx);
  const keyNode = prop?.children?.[0];
  const valueNode = prop?.children?.[1];
  if (!prop || !keyNode || !valueNode) return undefined;
  const key = newKey ?? String(keyNode.value);
  const target = into.length ? findNodeAtLocation(ctx.root, into) : ctx.root;
  if (target && target.type !== 'object') return undefined;
  if (target?.children?.some((p) => p.children?.[0]?.value === key)) return undefined;
  const removed = applyEdits(ctx.text, removeProperty(ctx.text, prop));
  const moved = applyEdits(removed, modify(removed, [...into, key], getNodeValue(valueNode), { formattingOptions: ctx.format }));
  const where = into.length ? `into ${tick(formatPath(into))}` : 'to the top level';
  const as = newKey !== undefined && newKey !== keyNode.value ? ` as ${tick(newKey)}` : '';
  return { title: `Move ${tick(String(keyNode.value))} ${where}${as}`, edits: [minimalEdit(ctx.text, moved)] };
}

function removeKey(ctx: Ctx): Omit<Fix, 'preferred'> | undefined {
  const prop = propertyAt(ctx);
  if (!prop) return undefined;
  return { title: `Remove ${tick(formatPath(ctx.problem.path))}`, edits: removeProperty(ctx.text, prop) };
}

/**
 * Edits removing a property with its comma, and its line when it had one to itself;
 * comments on other lines stay (jsonc-parser's `modify` removes those before a first
 * property too).
 */
export function removeProperty(text: string, prop: Node): TextEdit[] {
  const siblings = prop.parent?.children ?? [];
  const i = siblings.indexOf(prop);
  let start = prop.offset;
  let end = prop.offset + prop.length;
  const edits: TextEdit[] = [];
  let j = end;
  while (text[j] === ' ' || text[j] === '\t') j++;
  if (text[j] === ',') {
    end = j + 1;
    // On one line: the space before the next property goes too.
    let k = end;
    while (text[k] === ' ' || text[k] === '\t') k++;
    if (text[k] !== '\n' && text[k] !== '\r' && k < text.length) end = k;
  } else if (i > 0) {
    // The last property: the comma before it goes (the one right after the previous value).
    const prevEnd = siblings[i - 1].offset + siblings[i - 1].length;
    let k = prevEnd;
    while (text[k] === ' ' || text[k] === '\t') k++;
    if (text[k] === ',') {
      // On one line (`"a": 1, "b": 2`): the comma and the space after it go with it.
      if (/^[ \t]*$/.test(text.slice(k + 1, start))) start = k;
      else edits.push({ offset: k, length: 1, content: '' });
    }
  }
  // Alone on its line(s): the whole line goes, with its line break.
  let lineStart = start;
  while (lineStart > 0 && (text[lineStart - 1] === ' ' || text[lineStart - 1] === '\t')) lineStart--;
  let lineEnd = end;
  while (text[lineEnd] === ' ' || text[lineEnd] === '\t') lineEnd++;
  const atLineStart = lineStart === 0 || text[lineStart - 1] === '\n';
  const eol = text.startsWith('\r\n', lineEnd) ? 2 : text[lineEnd] === '\n' ? 1 : -1;
  if (atLineStart && eol > 0) {
    start = lineStart;
    end = lineEnd + eol;
  }
  edits.push({ offset: start, length: end - start, content: '' });
  return edits;
}

const WHY: Record<Extract<FixHint, { kind: 'set-value' }>['why'], string> = {
  min: ' (the smallest allowed)',
  max: ' (the largest allowed)',
  default: ' (the default)',
  spelling: '',
  unquoted: ' (without quotes)',
  rounded: '',
};

function setValue(ctx: Ctx, hint: Extract<FixHint, { kind: 'set-value' }>): Omit<Fix, 'preferred'> | undefined {
  const { range } = ctx.problem;
  const node = findNodeAtOffset(ctx.root, range.offset);
  // The value the problem is about, exactly (never a key).
  if (!node || node.offset !== range.offset || node.length !== range.length || node.type === 'property') return undefined;
  if (node.parent?.type === 'property' && node.parent.children?.[0] === node) return undefined;
  const content = JSON.stringify(hint.value);
  return {
    title: `Set ${tick(formatPath(ctx.problem.path))} to ${show(hint.value)}${WHY[hint.why]}`,
    edits: [{ offset: node.offset, length: node.length, content }],
  };
}

function resizeList(ctx: Ctx, length: number, per: string): Omit<Fix, 'preferred'> | undefined {
  const list = findNodeAtLocation(ctx.root, ctx.problem.path);
  const items = list?.children ?? [];
  if (!list || list.type !== 'array' || !items.length || length < 1 || items.length === length) return undefined;
  const name = tick(formatPath(ctx.problem.path));
  const n = items.length;
  if (length < n) {
    // Cut the items past `length`: from the first cut item's comma to the last item's end.
    const from = items[length - 1].offset + items[length - 1].length;
    const to = items[n - 1].offset + items[n - 1].length;
    return {
      title: `Keep the first ${length} values of ${name} (${per})`,
      edits: [{ offset: from, length: to - from, content: '' }],
    };
  }
  // Pad by repeating the last item's text, with the separator the list already uses.
  const last = items[n - 1];
  const lastText = ctx.text.slice(last.offset, last.offset + last.length);
  const sep = n >= 2 ? ctx.text.slice(items[n - 2].offset + items[n - 2].length, last.offset) : ', ';
  const extra = length - n;
  return {
    title: `Add ${extra} value${extra === 1 ? '' : 's'} to ${name}, repeating the last (${per})`,
    edits: [{ offset: last.offset + last.length, length: 0, content: (sep + lastText).repeat(extra) }],
  };
}

/** The property the problem is about: at its range (a key or a value), named by its path. */
function propertyAt(ctx: Ctx): Node | undefined {
  const { range, path } = ctx.problem;
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  let node = findNodeAtOffset(ctx.root, range.offset);
  if (node?.type !== 'property') node = node?.parent;
  if (node?.type !== 'property' || node.children?.[0]?.value !== last) return undefined;
  return node;
}

/** One edit turning `before` into `after`: the span between their common prefix and suffix. */
export function minimalEdit(before: string, after: string): TextEdit {
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { offset: p, length: before.length - p - s, content: after.slice(p, after.length - s) };
}

/**
 * The text's own layout, for text that `modify` inserts: its line ends, and tabs if any
 * line is indented with one, else the narrowest indentation (1 to 8 spaces; 2 if none).
 */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = [...text.matchAll(/^([ \t]+)\S/gm)].map((m) => m[1]);
  if (indents.some((s) => s.startsWith('\t'))) return { eol, insertSpaces: false, tabSize: 4 };
  const widths = indents.map((s) => s.length);
  return { eol, insertSpaces: true, tabSize: widths.length ? Math.max(1, Math.min(8, ...widths)) : 2 };
}
