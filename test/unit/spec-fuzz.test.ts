/**
 * Seeded fuzz of the validator (issue 15): mutations of the example specs (byte flips,
 * truncations, junk, key deletion and duplication, type swaps, number extremes,
 * prototype-named keys, hostile data paths, lists at and past the limits), each case
 * asserting that validateSpecText
 *  - never throws and never reports an internal error,
 *  - keeps its contract (ranges inside the text, a spec iff no errors, Object.prototype
 *    untouched),
 *  - costs CPU time within a generous bound proportional to the text's size (a case
 *    over it is re-run and fails only if its fastest run is still over: a loaded machine
 *    slows the clock, not the CPU time, and a GC pause does not repeat),
 *  - and that a spec it calls valid can generate its data.
 *
 * Each case draws from its own generator seeded by (seed, case), so a failure replays
 * alone: BLOBS_FUZZ_SEED=<seed> BLOBS_FUZZ_CASE=<i>. BLOBS_FUZZ_CASES sets the count.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseTree, type Node } from 'jsonc-parser';
import { validateSpecText, type ValidationResult } from '../../src/core/spec/validate';
import { dataFacts } from '../../src/core/spec/semantic';
import { generateData } from '../../src/core/data/build';
import { LIMITS } from '../../src/core/spec/types';
import { NOTEBOOK_SPEC_TEXT } from '../../src/core/spec/defaults';

const SEED = Number(process.env.BLOBS_FUZZ_SEED ?? 0x15f022);
const CASES = Number(process.env.BLOBS_FUZZ_CASES ?? 3000);
const ONLY = process.env.BLOBS_FUZZ_CASE === undefined ? undefined : Number(process.env.BLOBS_FUZZ_CASE);

/** CPU-time bound per case: 250 ms, plus 10 µs per character (a 4 MB text: 42 s). */
const BOUND_BASE_US = 250_000;
const BOUND_PER_CHAR_US = 10;
/** Valid specs with more values than this are checked against the limits, not generated. */
const GENERATE_MAX_VALUES = 400_000;

const root = join(__dirname, '..', '..');

// A scratch copy of examples/ with hostile neighbours for `data.path` to point at.
const ws = mkdtempSync(join(tmpdir(), 'blobs-fuzz-'));
after(() => rmSync(ws, { recursive: true, force: true }));
cpSync(join(root, 'examples'), ws, { recursive: true });
const HOSTILE_PATHS = ['/dev/zero', '/dev/urandom', '/proc/self/environ', '../../../../etc/passwd', 'data', 'nope.csv', 'zero.csv', '', 'data/penguins-synthetic.csv'];
symlinkSync('/dev/zero', join(ws, 'zero.csv'));
if (process.platform === 'linux') {
  execFileSync('mkfifo', [join(ws, 'pipe.csv')]);
  HOSTILE_PATHS.push('pipe.csv');
}

/** The seeds: every example and the notebook's spec as `blobs init` writes it. */
const BASES: { name: string; text: string }[] = [
  { name: 'notebook (init)', text: NOTEBOOK_SPEC_TEXT },
  ...readdirSync(ws)
    .filter((f) => f.endsWith('.blobs.json'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(ws, f), 'utf8') })),
];

/** mulberry32: small, fast, and the same everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'];
const EXTREMES = ['0', '-0', '-1', '1', '2', '0.5', '1.5', '1e308', '-1e308', '1e400', '-1e400', '5e-324', '1e-300', '9007199254740993', '4294967295', '4294967296', '5000000', '5000001', '100000', '1000', '1001', '99999999999999999999', '0.9999999999999999', 'NaN', 'Infinity', '-', '1e', '01', '.5', '+1'];
const VALUES = ['"x"', '""', '"full"', '"auto"', '"relu"', 'true', 'false', 'null', '[]', '{}', '[1, 2]', '[[1, 2], [3, 4]]', '{"seed": 7}', '"42"', '"\\u0000\\u202e"', '"' + 'é'.repeat(50) + '"'];
const JUNK = ['{', '}', '[', ']', ',', ':', '"', '1e999', 'null', '-', '\\', '/*', '*/', '//', '\u0000', '\n', '\r', 'NaN', "'", '\ufeff', '\ud800', '\u202e', 'é'];

interface Case {
  base: string;
  ops: string[];
  text: string;
}

/** Every node of a (possibly broken) text's tree, with its parent chain. */
function nodes(text: string): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  const t = parseTree(text, [], { allowTrailingComma: true });
  if (t) walk(t);
  return out;
}

const splice = (t: string, at: number, del: number, ins: string) => t.slice(0, at) + ins + t.slice(at + del);

function makeCase(i: number): Case {
  const r = rng((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const base = BASES[i % BASES.length];
  let text = base.text;
  const ops: string[] = [];
  const edits = 1 + Math.floor(r() * 3);
  for (let k = 0; k < edits; k++) {
    const all = nodes(text);
    const values = all.filter((n) => n.type !== 'property');
    const props = all.filter((n) => n.type === 'property' && n.children?.length);
    const objects = all.filter((n) => n.type === 'object');
    const op = Math.floor(r() * 11);
    if (op === 0 && text.length) {
      const at = Math.floor(r() * text.length);
      const ch = r() < 0.5 ? String.fromCharCode(Math.floor(r() * 256)) : String.fromCharCode(Math.floor(r() * 0x10000));
      text = splice(text, at, 1, ch);
      ops.push(`flip@${at}`);
    } else if (op === 1) {
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at);
      ops.push(`truncate@${at}`);
    } else if (op === 2) {
      const at = Math.floor(r() * (text.length + 1));
      const j = pick(JUNK);
      text = splice(text, at, 0, j);
      ops.push(`junk ${JSON.stringify(j)}@${at}`);
    } else if (op === 3 && props.length) {
      const p = pick(props);
      // The property and the comma after it, when there is one.
      const after = text.slice(p.offset + p.length).match(/^\s*,/)?.[0].length ?? 0;
      text = splice(text, p.offset, p.length + after, '');
      ops.push(`delete key ${JSON.stringify(p.children![0].value)}`);
    } else if (op === 4 && props.length) {
      const p = pick(props);
      const copy = text.slice(p.offset, p.offset + p.length);
      text = splice(text, p.offset + p.length, 0, `, ${copy}`);
      ops.push(`duplicate key ${JSON.stringify(p.children![0].value)}`);
    } else if (op === 5 && values.length) {
      const v = pick(values);
      const with_ = pick(VALUES);
      text = splice(text, v.offset, v.length, with_);
      ops.push(`value@${v.offset} -> ${with_.slice(0, 20)}`);
    } else if (op === 6) {
      const nums = values.filter((n) => n.type === 'number');
      const v = nums.length ? pick(nums) : undefined;
      if (v) {
        const x = pick(EXTREMES);
        text = splice(text, v.offset, v.length, x);
        ops.push(`number@${v.offset} -> ${x}`);
      }
    } else if (op === 7 && objects.length) {
      const o = pick(objects);
      const key = pick(PROTO_KEYS);
      const val = pick(['{"seed": 7}', '{"epochs": 1, "lr": 1e9}', '1', '"x"', 'null', '[]', '{"__proto__": {"seed": 8}}']);
      text = splice(text, o.offset + 1, 0, `${JSON.stringify(key)}: ${val}${o.children?.length ? ', ' : ''}`);
      ops.push(`proto key ${key}`);
    } else if (op === 8) {
      const data = objects.find((o) => o.parent?.children?.[0]?.value === 'data');
      if (data) {
        const path = pick(HOSTILE_PATHS);
        text = splice(text, data.offset + 1, 0, `"generator": "csv", "path": ${JSON.stringify(path)}, `);
        ops.push(`csv path ${JSON.stringify(path)}`);
      }
    } else if (op === 9) {
      const arrays = values.filter((n) => n.type === 'array');
      const a = arrays.length ? pick(arrays) : undefined;
      if (a) {
        const n = pick([LIMITS.maxListItems - 1, LIMITS.maxListItems, LIMITS.maxListItems + 1, 5000, 101, 17]);
        const item = pick(['1', '-2.5', '"a"', '[1, 2]', 'null']);
        text = splice(text, a.offset, a.length, `[${Array.from({ length: n }, () => item).join(', ')}]`);
        ops.push(`list@${a.offset} of ${n} x ${item}`);
      }
    } else if (op === 10 && text.length) {
      const at = Math.floor(r() * text.length);
      const n = 1 + Math.floor(r() * 20);
      text = splice(text, at, n, '');
      ops.push(`cut ${n}@${at}`);
    }
  }
  return { base: base.name, ops, text };
}

/** CPU microseconds `fn` takes (user + system of this process). */
function cpuUs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return d.user + d.system;
}

function failure(i: number, c: Case, why: string): string {
  let input = JSON.stringify(c.text);
  if (input.length > 20_000) {
    // Too long for a message: kept in a file for the replay.
    const file = join(root, 'test-results', `fuzz-seed${SEED}-case${i}.blobs.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, c.text);
    input = `${input.slice(0, 2000)}... (${c.text.length} characters, all in ${file})`;
  }
  return `fuzz case ${i} (seed ${SEED}; replay: BLOBS_FUZZ_SEED=${SEED} BLOBS_FUZZ_CASE=${i}), from ${c.base} by [${c.ops.join('; ')}]: ${why}\ninput: ${input}`;
}

test(`validator fuzz: ${ONLY === undefined ? CASES : 1} seeded cases never throw, never an internal error, bounded CPU time, valid specs generate their data`, (t) => {
  const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join();
  const stats = { valid: 0, generated: 0, tooBig: 0, errors: 0, maxUs: 0, maxUsPerChar: 0, retried: 0 };
  const started = process.hrtime.bigint();
  const specPath = join(ws, 'fuzz.blobs.json');
  const indices = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY];
  for (const i of indices) {
    const c = makeCase(i);
    // Messages are built only on failure: the input is long, and a long one is saved to a file.
    const ensure = (ok: boolean, why: () => string) => {
      if (!ok) assert.fail(failure(i, c, why()));
    };
    let r: ValidationResult | undefined;
    const run = () => {
      try {
        r = validateSpecText(c.text, { specPath });
      } catch (e) {
        ensure(false, () => `threw ${(e as Error)?.stack ?? e}`);
      }
    };
    let us = cpuUs(run);
    const bound = BOUND_BASE_US + BOUND_PER_CHAR_US * c.text.length;
    if (us > bound) {
      stats.retried++;
      us = Math.min(us, ...[0, 1, 2].map(() => cpuUs(run)));
      ensure(us <= bound, () => `took ${(us / 1000).toFixed(1)} ms of CPU (fastest of 4 runs) for ${c.text.length} characters; the bound is ${(bound / 1000).toFixed(1)} ms`);
    }
    stats.maxUs = Math.max(stats.maxUs, us);
    if (c.text.length >= 1000) stats.maxUsPerChar = Math.max(stats.maxUsPerChar, us / c.text.length);
    const res = r!;
    const internal = res.problems.find((p) => p.code === 'internal');
    ensure(internal === undefined, () => `internal error: ${internal?.message}`);
    const hasError = res.problems.some((p) => p.severity === 'error');
    ensure((res.spec === undefined) === hasError, () => 'a spec iff no errors');
    for (const p of res.problems) {
      ensure(p.range.offset >= 0 && p.range.offset + p.range.length <= c.text.length, () => `range ${JSON.stringify(p.range)} outside the text`);
      ensure(p.message.length < 2000, () => `a ${p.message.length}-character message`);
      ensure(!/[\u0000\u202e]/.test(p.message), () => `a raw control character in a message: ${JSON.stringify(p.message)}`);
    }
    ensure(Object.getOwnPropertyNames(Object.prototype).sort().join() === protoNames, () => 'Object.prototype changed');
    ensure(({} as { seed?: unknown }).seed === undefined, () => '({}).seed is defined');
    if (hasError) stats.errors++;
    if (!res.spec) continue;
    stats.valid++;
    const spec = res.spec;
    if (spec.data.generator !== 'csv') {
      const facts = dataFacts(spec.data)!;
      const values = facts.nSamples * facts.nFeatures;
      if (values > GENERATE_MAX_VALUES) {
        // Too slow to generate thousands of times here; the validator's promise is the limits.
        stats.tooBig++;
        ensure(values <= LIMITS.maxDataValues && facts.nSamples <= LIMITS.maxSamples, () => `valid, but ${values} values`);
        continue;
      }
    }
    let d: ReturnType<typeof generateData> | undefined;
    try {
      d = generateData(spec.data, spec.seed, ws);
    } catch (e) {
      ensure(false, () => `valid, but its data could not be generated: ${(e as Error)?.stack ?? e}`);
    }
    ensure(d!.data.n > 0 && d!.data.X.length === d!.data.n * d!.data.d && d!.nClasses >= 2, () => 'generated data has the wrong shape');
    ensure(d!.data.X.every(Number.isFinite), () => 'generated data is not finite');
    stats.generated++;
  }
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  const line =
    `fuzz: ${indices.length} cases in ${s.toFixed(2)} s (seed ${SEED}): ${stats.errors} with errors, ${stats.valid} valid ` +
    `(${stats.generated} generated their data, ${stats.tooBig} too big to generate here); slowest ${(stats.maxUs / 1000).toFixed(1)} ms CPU, ` +
    `worst ${stats.maxUsPerChar.toFixed(2)} µs/character (texts of 1,000+); ${stats.retried} re-run over the bound`;
  t.diagnostic(line); // in `npm test`'s output: the count and the time
  // The mutations must reach both sides, or the fuzz tests little.
  if (ONLY === undefined && CASES >= 1000) {
    assert.ok(stats.valid > CASES / 20, `only ${stats.valid} valid cases`);
    assert.ok(stats.errors > CASES / 4, `only ${stats.errors} cases with errors`);
  }
});
