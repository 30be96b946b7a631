/**
 * Python source text for values of a spec: numbers, strings, lists, and float32 arrays
 * embedded as base64. Pure.
 *
 * Numbers are written with JavaScript's shortest round-trip form (`String(x)`), which
 * Python reads back as the same double (both use correctly rounded decimal conversion),
 * so `cluster_std=1.5` in the notebook is bit for bit the spec's 1.5.
 */

import { encodeBase64 } from '../figure/base64';

/** A finite number as a Python literal: `1000`, `0.1`, `1e-7`, `-10`. */
export function pyNum(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  // JS writes 1e21 as "1e+21": Python accepts it; -0 prints as "0", which is fine here.
  return String(x);
}

/** A float-valued literal that stays a float in Python (`2` -> `2.0`). */
export function pyFloat(x: number): string {
  const s = pyNum(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A Python string literal (double quotes; JSON's escapes are valid Python escapes). */
export function pyStr(s: string): string {
  // JSON.stringify escapes ", \ and control characters the way Python reads them;
  // U+2028/2029 are left raw by JSON but are fine inside a Python string.
  return JSON.stringify(s);
}

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Nested arrays of numbers or strings as a Python list literal. */
export function pyList(v: readonly unknown[]): string {
  return `[${v.map(pyValue).join(', ')}]`;
}

export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'boolean') return pyBool(v);
  if (Array.isArray(v)) return pyList(v);
  throw new Error(`no Python literal for ${typeof v}`);
}

/** float32 values as little-endian bytes in base64 (numpy: `np.frombuffer(b, "<f4")`). */
export function float32Base64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return encodeBase64(bytes);
}

/**
 * A long string as a parenthesised run of Python string literals, `width` characters
 * each, one per line (Python joins adjacent literals): keeps notebook lines short.
 */
export function pyLongString(s: string, indent = '    ', width = 76): string {
  if (s.length <= width) return pyStr(s);
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += width) parts.push(`${indent}${pyStr(s.slice(i, i + width))}`);
  return `(\n${parts.join('\n')}\n)`;
}
