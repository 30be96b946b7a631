/**
 * Imported FIRST by extension.ts: the bundle evaluates modules in import order, so this
 * timestamp is taken before the rest of the extension's code (validator, jsonc-parser,
 * this layer) is evaluated, and `activationMs` covers loading as well as `activate`.
 */
import { performance } from 'node:perf_hooks';

export const loadStart = performance.now();
