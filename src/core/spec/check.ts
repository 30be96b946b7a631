/**
 * Structural checks: walks the jsonc-parser tree against the field table (fields.ts),
 * reporting wrong types, out-of-range numbers, bad enum values, unknown and duplicate
 * keys. Returns the values that passed, as a plain object for `resolveSpec`, and the
 * fields that failed so the semantic checks can stay quiet about them.
 */

import { getNodeValue, type Node } from 'jsonc-parser';
import {
  DATA_COMMON,
  GENERATOR_FIELDS,
  GENERATORS,
  OBJECT_KEYS,
  SECTION_FIELDS,
  TOP_FIELDS,
  allDataKeys,
  generatorsUsing,
  type FieldTable,
  type Shape,
} from './fields';
import { LineMap, cleanText, describeValue, formatPath, show, type FixHint, type JsonPath, type Problem, type Severity } from './problems';
import { closest, didYouMean } from './suggest';
import type { GeneratorName } from './types';

/**
 * Most problems kept for one spec: a list of 1,000 wrong values is one mistake, and an
 * editor (or a terminal) with thousands of squiggles helps nobody. The rest are counted.
 */
export const MAX_PROBLEMS = 200;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Collects problems with their ranges; remembers which fields had errors. */
export class Reporter {
  readonly problems: Problem[] = [];
  /** `formatPath` of every field (and its ancestors' sections) that had an error. */
  readonly bad = new Set<string>();
  private errors = 0;
  /** Problems past MAX_PROBLEMS: how many, and the worst severity among them. */
  private dropped = 0;
  private droppedWorst: Severity = 'info';

  constructor(readonly lines: LineMap) {}

  add(code: string, severity: Severity, message: string, path: JsonPath, at: { offset: number; length: number }, fixes?: FixHint[]): void {
    if (severity === 'error') {
      this.errors++;
      this.bad.add(formatPath(path.filter((s) => typeof s === 'string')));
    }
    if (this.problems.length >= MAX_PROBLEMS) {
      this.dropped++;
      if (RANK[severity] > RANK[this.droppedWorst]) this.droppedWorst = severity;
      return;
    }
    const p: Problem = { code, severity, message, path, range: this.lines.range(at.offset, at.length) };
    if (fixes?.length) p.fixes = fixes;
    this.problems.push(p);
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  /** The kept problems sorted by position, then one that counts those not kept. */
  sorted(): Problem[] {
    const out = [...this.problems].sort((a, b) => a.range.offset - b.range.offset);
    if (this.dropped) {
      const n = this.dropped;
      out.push({
        code: 'more-problems',
        severity: this.droppedWorst,
        message: `Only the first ${MAX_PROBLEMS} problems are listed; ${n} more ${n === 1 ? 'is' : 'are'} not shown. Fix these and check again.`,
        path: [],
        range: this.lines.range(0, 0),
      });
    }
    return out;
  }

  /** True when none of the named fields (dotted, e.g. `data.centers`) had an error. */
  ok(...fields: string[]): boolean {
    return fields.every((f) => !this.bad.has(f));
  }
}

type Json = 'number' | 'string' | 'boolean' | 'null' | 'array' | 'object';

function jsonTypeOf(shape: Shape): Json {
  switch (shape.t) {
    case 'int':
    case 'num':
      return 'number';
    case 'str':
    case 'enum':
      return 'string';
    case 'bool':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
    case 'tuple':
      return 'array';
    case 'object':
      return 'object';
    case 'oneOf':
      throw new Error('oneOf has no single JSON type');
  }
}

function nodeJsonType(node: Node): Json {
  return node.type === 'property' ? 'object' : node.type;
}

/** "a whole number", "a list of numbers", ... */
export function describeShape(shape: Shape, plural = false): string {
  switch (shape.t) {
    case 'int':
      return plural ? 'whole numbers' : 'a whole number';
    case 'num':
      return plural ? 'numbers' : 'a number';
    case 'bool':
      return plural ? 'true/false values' : 'true or false';
    case 'str':
      return plural ? 'strings' : 'a string';
    case 'enum':
      return shape.values.length === 1 ? `"${shape.values[0]}"` : `one of ${shape.values.map((v) => `"${v}"`).join(', ')}`;
    case 'null':
      return 'null';
    case 'array':
      return `a list of ${describeShape(shape.items, true)}`;
    case 'tuple':
      return `a list of ${shape.items.length} ${describeShape(shape.items[0], true)}`;
    case 'object':
      return 'an object { ... }';
    case 'oneOf':
      return shape.options.map((o) => describeShape(o, plural)).join(' or ');
  }
}

/** 5000000 -> "5,000,000": limits are read by people. Small numbers stay as they are. */
export function fmtNumber(n: number): string {
  return Math.abs(n) >= 10_000 && Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

/** "between 2 and 100", "at least 1", "greater than 0 and less than 1". */
export function describeBounds(s: { min?: number; max?: number; xmin?: number; xmax?: number }): string {
  const lo = s.min !== undefined ? fmtNumber(s.min) : s.xmin !== undefined ? fmtNumber(s.xmin) : undefined;
  const hi = s.max !== undefined ? fmtNumber(s.max) : s.xmax !== undefined ? fmtNumber(s.xmax) : undefined;
  const loIncl = s.xmin === undefined;
  const hiIncl = s.xmax === undefined;
  if (lo !== undefined && hi !== undefined) {
    if (loIncl && hiIncl) return `between ${lo} and ${hi}`;
    return `${loIncl ? 'at least' : 'greater than'} ${lo} and ${hiIncl ? 'at most' : 'less than'} ${hi}`;
  }
  if (lo !== undefined) return `${loIncl ? 'at least' : 'greater than'} ${lo}`;
  if (hi !== undefined) return `${hiIncl ? 'at most' : 'less than'} ${hi}`;
  return 'any number';
}

function hasBounds(s: { min?: number; max?: number; xmin?: number; xmax?: number }): boolean {
  return s.min !== undefined || s.max !== undefined || s.xmin !== undefined || s.xmax !== undefined;
}

function outOfBounds(v: number, s: { min?: number; max?: number; xmin?: number; xmax?: number }): boolean {
  return (
    (s.min !== undefined && v < s.min) ||
    (s.max !== undefined && v > s.max) ||
    (s.xmin !== undefined && v <= s.xmin) ||
    (s.xmax !== undefined && v >= s.xmax)
  );
}

/**
 * Checks one value against a shape; reports and returns false when it does not fit.
 * `allowed` replaces the generic range wording ("between 1 and 5,000,000") in range
 * errors, for fields whose rule reads better in words (`test_size`).
 */
export function checkValue(node: Node, shape: Shape, path: JsonPath, r: Reporter, allowed?: string, def?: unknown): boolean {
  const name = `\`${formatPath(path)}\``;
  const v: unknown = getNodeValue(node);
  // The field's default as a last fix, for a field's own value (not an item of its list).
  const orDefault = (fixes: FixHint[]): FixHint[] =>
    isScalar(def) && !fixes.some((f) => f.kind === 'set-value' && f.value === def) ? [...fixes, { kind: 'set-value', value: def, why: 'default' }] : fixes;
  const typeError = (): false => {
    const unquoted = unquote(v, shape);
    const fixes: FixHint[] = unquoted === undefined ? [] : [{ kind: 'set-value', value: unquoted, why: 'unquoted' }];
    r.add('type', 'error', `${name} must be ${describeShape(shape)}, but it is ${describeValue(v)}.${quoteHint(v, shape)}`, path, node, orDefault(fixes));
    return false;
  };
  if (shape.t === 'oneOf') {
    const opt = shape.options.find((o) => jsonTypeOf(o) === nodeJsonType(node));
    if (opt?.t === 'enum' && !opt.values.includes(v as string)) {
      // `"batch_size": "32"`: name every choice ("full" or a whole number), not only the words.
      const near = closest(v as string, opt.values);
      const hint = didYouMean(v as string, opt.values) || quoteHint(v, shape);
      const unquoted = unquote(v, shape);
      const fixes: FixHint[] =
        near !== undefined ? [{ kind: 'set-value', value: near, why: 'spelling' }] : unquoted !== undefined ? [{ kind: 'set-value', value: unquoted, why: 'unquoted' }] : [];
      r.add('enum', 'error', `${name} must be ${describeShape(shape)}, but it is ${show(v)}.${hint}`, path, node, orDefault(fixes));
      return false;
    }
    return opt ? checkValue(node, opt, path, r, allowed, def) : typeError();
  }
  if (jsonTypeOf(shape) !== nodeJsonType(node)) return typeError();
  switch (shape.t) {
    case 'int':
    case 'num': {
      const n = v as number;
      if (!Number.isFinite(n)) {
        const must = allowed ?? (hasBounds(shape) ? describeBounds(shape) : 'an ordinary number such as 3.5');
        r.add('range', 'error', `${name} is too large: it does not fit in a 64-bit number. It must be ${must}.`, path, node, orDefault(clampFixes(n, shape)));
        return false;
      }
      if (shape.t === 'int' && !Number.isInteger(n)) {
        const near = Math.round(n);
        const fixes: FixHint[] = outOfBounds(near, shape) ? clampFixes(near, shape) : [{ kind: 'set-value', value: near, why: 'rounded' }];
        r.add('type', 'error', `${name} must be a whole number, but it is ${n}.`, path, node, orDefault(fixes));
        return false;
      }
      if (outOfBounds(n, shape)) {
        r.add('range', 'error', `${name} must be ${allowed ?? describeBounds(shape)}, but it is ${n}.`, path, node, orDefault(clampFixes(n, shape)));
        return false;
      }
      return true;
    }
    case 'str':
      if (shape.minLength && (v as string).length < shape.minLength) {
        r.add('range', 'error', `${name} must not be empty.`, path, node, orDefault([]));
        return false;
      }
      return true;
    case 'enum':
      if (!shape.values.includes(v as string)) {
        const near = closest(v as string, shape.values);
        r.add(
          'enum',
          'error',
          `${name} must be ${describeShape(shape)}, but it is ${show(v)}.${didYouMean(v as string, shape.values)}`,
          path,
          node,
          orDefault(near === undefined ? [] : [{ kind: 'set-value', value: near, why: 'spelling' }]),
        );
        return false;
      }
      return true;
    case 'bool':
    case 'null':
    case 'object':
      return true;
    case 'array':
    case 'tuple': {
      const items = node.children ?? [];
      if (shape.t === 'tuple' && items.length !== shape.items.length) {
        r.add('length', 'error', `${name} must be ${describeShape(shape)}, but it has ${items.length}.`, path, node);
        return false;
      }
      if (shape.t === 'array') {
        if (shape.minItems !== undefined && items.length < shape.minItems) {
          r.add('length', 'error', `${name} must have at least ${shape.minItems} values, but it has ${items.length}.`, path, node);
          return false;
        }
        if (shape.maxItems !== undefined && items.length > shape.maxItems) {
          r.add('length', 'error', `${name} can have at most ${shape.maxItems} values, but it has ${items.length}.`, path, node);
          return false;
        }
      }
      let ok = true;
      items.forEach((child, i) => {
        const s = shape.t === 'array' ? shape.items : shape.items[i];
        if (!checkValue(child, s, [...path, i], r)) ok = false;
      });
      return ok;
    }
  }
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * The nearest allowed value of a number out of bounds: an inclusive bound itself. An
 * exclusive bound has no nearest value (`lr` > 0: 0.1? 1e-9?); the field's default is
 * offered instead.
 */
function clampFixes(n: number, s: { t: 'int' | 'num'; min?: number; max?: number; xmin?: number; xmax?: number }): FixHint[] {
  if (Number.isNaN(n)) return [];
  if (s.min !== undefined && n < s.min) return [{ kind: 'set-value', value: s.min, why: 'min' }];
  if (s.max !== undefined && n > s.max) return [{ kind: 'set-value', value: s.max, why: 'max' }];
  return [];
}

/** The value a quoted `"42"` / `"true"` / `"null"` stands for, where the shape takes it. */
function unquote(v: unknown, shape: Shape): number | boolean | null | undefined {
  const hint = quoteHint(v, shape);
  if (!hint) return undefined;
  const s = (v as string).trim().replace(/^\+/, '');
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** `"42"` where a number goes, `"true"` where true/false goes: " Remove the quotes: 42." */
function quoteHint(v: unknown, shape: Shape): string {
  if (typeof v !== 'string') return '';
  const accepts = (t: Shape['t']): boolean => shape.t === t || (shape.t === 'oneOf' && shape.options.some((o) => o.t === t));
  const s = v.trim();
  if ((accepts('int') || accepts('num')) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    return ` Numbers are written without quotes: ${s.replace(/^\+/, '')}.`;
  }
  if (accepts('bool') && (s === 'true' || s === 'false')) return ` true and false are written without quotes: ${s}.`;
  if (accepts('null') && s === 'null') return ' null is written without quotes.';
  return '';
}

interface KeyPolicy {
  /** Why a key not in the table is not simply unknown (e.g. used by another generator). */
  explainUnused?: (key: string) => string | undefined;
  /** Keys accepted without checks (their table is not known, e.g. invalid generator). */
  tolerate?: readonly string[];
}

/**
 * Checks an object node's properties against `table`. Returns the values that passed
 * (the last one wins for duplicate keys, like JSON.parse); section objects are
 * returned as their nodes for the caller to walk.
 */
export function walkObject(
  node: Node,
  table: FieldTable,
  path: JsonPath,
  r: Reporter,
  policy: KeyPolicy = {},
): { values: Record<string, unknown>; nodes: Record<string, Node> } {
  // No prototype: a key is never confused with an inherited property (`__proto__`, `toString`).
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const nodes: Record<string, Node> = Object.create(null) as Record<string, Node>;
  const seen = new Set<string>();
  const where = path.length ? `in \`${formatPath(path)}\`` : 'at the top level';
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode) continue;
    const key = String(keyNode.value);
    const keyPath = [...path, key];
    if (seen.has(key)) {
      r.add('duplicate-key', 'warning', `\`${formatPath(keyPath)}\` appears more than once; the last one is used.`, keyPath, keyNode);
    }
    seen.add(key);
    // Keys are data, not property names: `toString` is an unknown key, not Object's method.
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!field) {
      if (policy.tolerate?.includes(key)) continue;
      const unused = policy.explainUnused?.(key);
      if (unused) {
        r.add('unused-key', 'warning', unused, keyPath, keyNode, [{ kind: 'remove-key' }]);
        continue;
      }
      // `"epochs": 100` at the top level: right key, wrong place.
      const home = sectionOf(key);
      const here = path.length ? formatPath(path) : '';
      const near = closest(key, Object.keys(table));
      const { hint, fix } =
        home && home !== here
          ? { hint: ` \`${key}\` belongs in \`${home}\`: { "${home}": { "${key}": ... } }.`, fix: { kind: 'move-key', into: [home] } as FixHint }
          : near !== undefined
            ? { hint: didYouMean(key, Object.keys(table)), fix: { kind: 'rename-key', to: near } as FixHint }
            : suggestElsewhere(key, here);
      r.add('unknown-key', 'warning', `Unknown key \`${cleanText(key)}\` ${where}; it is ignored.${hint}`, keyPath, keyNode, fix ? [fix] : undefined);
      continue;
    }
    if (!valueNode) continue; // a syntax error already reported the missing value
    if (!checkValue(valueNode, field.shape, keyPath, r, field.allowed, field.def)) continue;
    const v: unknown = getNodeValue(valueNode);
    const refined = field.refine?.(v);
    if (refined) {
      const fixes: FixHint[] = isScalar(field.def) ? [{ kind: 'set-value', value: field.def, why: 'default' }] : [];
      r.add('range', 'error', `\`${formatPath(keyPath)}\` ${refined}.`, keyPath, valueNode, fixes);
      continue;
    }
    if (field.shape.t === 'object') nodes[key] = valueNode;
    else values[key] = v;
  }
  return { values, nodes };
}

/**
 * A close key of another section (or of the top level), for a typo in the wrong place:
 * `"hiden_units"` at the top level -> " Did you mean `model.hidden_units`? ...".
 */
function suggestElsewhere(key: string, here: string): { hint: string; fix?: FixHint } {
  const places: [string, string[]][] = [
    ['', Object.keys(TOP_FIELDS).filter((k) => !(OBJECT_KEYS as readonly string[]).includes(k) && !k.startsWith('$'))],
    ['data', allDataKeys()],
    ...Object.entries(SECTION_FIELDS).map(([name, t]): [string, string[]] => [name, Object.keys(t)]),
  ];
  for (const [section, keys] of places) {
    if (section === here) continue;
    const c = closest(key, keys);
    if (c === undefined) continue;
    const fix: FixHint = { kind: 'move-key', into: section ? [section] : [], key: c };
    return section
      ? { hint: ` Did you mean \`${section}.${c}\`? It belongs in \`${section}\`: { "${section}": { "${c}": ... } }.`, fix }
      : { hint: ` Did you mean \`${c}\`? It belongs at the top level of the spec, not in \`${here}\`.`, fix };
  }
  return { hint: '' };
}

/** The section a key belongs to (`lr` -> `training`), if it is a section's key. */
function sectionOf(key: string): string | undefined {
  if (allDataKeys().includes(key)) return 'data';
  for (const [name, table] of Object.entries(SECTION_FIELDS)) if (Object.hasOwn(table, key)) return name;
  return undefined;
}

/** Walks the whole document; returns the raw spec made of the values that passed. */
export function walkSpec(root: Node, r: Reporter): Record<string, unknown> {
  if (root.type !== 'object') {
    r.add(
      'type',
      'error',
      `A spec must be a JSON object like { "data": { ... } }, but this file holds ${describeValue(getNodeValue(root))}. Use {} for the notebook's defaults.`,
      [],
      { offset: root.offset, length: root.length },
    );
    return {};
  }
  const top = walkObject(root, TOP_FIELDS, [], r);
  const raw: Record<string, unknown> = { ...top.values };
  for (const key of OBJECT_KEYS) {
    const node = top.nodes[key];
    if (!node) continue;
    raw[key] = key === 'data' ? walkData(node, r) : walkObject(node, SECTION_FIELDS[key], [key], r).values;
  }
  return raw;
}

function walkData(node: Node, r: Reporter): Record<string, unknown> {
  const genProp = node.children?.find((p) => p.children?.[0]?.value === 'generator');
  const genValue: unknown = genProp?.children?.[1] ? getNodeValue(genProp.children[1]) : undefined;
  const known = genValue === undefined || GENERATORS.includes(genValue as GeneratorName);
  if (!known) {
    // The generator itself is reported by walkObject; its own keys cannot be judged.
    return walkObject(node, DATA_COMMON, ['data'], r, { tolerate: allDataKeys() }).values;
  }
  const gen = (genValue ?? 'make_blobs') as GeneratorName;
  return walkObject(node, { ...DATA_COMMON, ...GENERATOR_FIELDS[gen] }, ['data'], r, {
    explainUnused: (key) => {
      const users = generatorsUsing(key);
      return users.length
        ? `\`data.${key}\` is only used by ${users.join(' and ')}; the ${gen} generator ignores it.`
        : undefined;
    },
  }).values;
}
