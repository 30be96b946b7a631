/**
 * The pure side of the panel's controls: how a slider position maps to a value (a
 * log scale for the learning rate, as TensorFlow Playground's 1-3-10 list but in
 * 1-2-5 steps), how a control's text becomes a spec value, and which data control a
 * generator has. No DOM: unit-tested directly. What a value may be is the validator's
 * call (on the host); the only refusals here are for text that is not a value at all.
 */
import type { SpecControlValues, SpecField, SpecFieldValue } from '../src/core/protocol';

/** Learning rates the slider stops at: 1-2-5 per decade, 1e-4 to 10. */
export const LR_STEPS: readonly number[] = (() => {
  const out: number[] = [];
  for (let p = -4; p <= 1; p++) for (const m of [1, 2, 5]) if (m * 10 ** p <= 10) out.push(+(m * 10 ** p).toPrecision(3));
  return out;
})();

/** The slider stop nearest to `lr` (in log space); values outside the list clamp to its ends. */
export function lrIndex(lr: number): number {
  if (!(lr > 0)) return 0;
  let best = 0;
  for (let i = 1; i < LR_STEPS.length; i++) {
    if (Math.abs(Math.log(LR_STEPS[i] / lr)) < Math.abs(Math.log(LR_STEPS[best] / lr))) best = i;
  }
  return best;
}

/** A linear slider's range per data control. */
export const SPREAD_SLIDER: Record<'noise' | 'cluster_std', { max: number; step: number }> = {
  noise: { max: 0.5, step: 0.01 },
  cluster_std: { max: 5, step: 0.1 },
};

/** The data spread control the generator has (`noise` for moons/circles, `cluster_std` for blobs), if any. */
export function spreadField(v: SpecControlValues): 'noise' | 'cluster_std' | undefined {
  if (v.generator === 'make_moons' || v.generator === 'make_circles') return 'noise';
  if (v.generator === 'make_blobs') return 'cluster_std';
  return undefined;
}

/** A number as a control shows it: short, no float noise (0.30000000000000004 → 0.3). */
export function showNumber(v: number): string {
  return String(+v.toPrecision(6));
}

/** What the control of `field` shows for the spec's value. */
export function showValue(field: SpecField, v: SpecControlValues): string {
  const x = v[field as keyof SpecControlValues];
  if (x === undefined) return '';
  if (x === null) return field === 'noise' ? 'none' : '';
  if (Array.isArray(x)) return `[${x.join(', ')}]`;
  return typeof x === 'number' ? showNumber(x) : String(x);
}

export type Parsed = { value: SpecFieldValue } | { error: string };

const EXAMPLE: Partial<Record<SpecField, string>> = {
  lr: '0.01',
  epochs: '100',
  n_samples: '1000',
  cluster_std: '1.5',
  seed: '42',
};

function number(text: string, field: SpecField): Parsed {
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: only decimal literals are numbers here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    return { error: `Enter a number${EXAMPLE[field] ? `, e.g. ${EXAMPLE[field]}` : ''}.` };
  }
  return { value: Number(t) };
}

/** A control's text as the value to write into the spec. */
export function parseControl(field: SpecField, text: string): Parsed {
  const t = text.trim();
  switch (field) {
    case 'batch_size':
      if (/^full$/i.test(t)) return { value: 'full' };
      return /^\d/.test(t) ? number(t, field) : { error: 'Enter "full" (the whole training set per step) or a batch size, e.g. 32.' };
    case 'noise':
      if (t === '' || /^(none|null)$/i.test(t)) return { value: null };
      return number(t, field);
    case 'optimizer':
    case 'activation':
      return { value: t };
    case 'hidden_units': {
      const parts = t.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
      const out: number[] = [];
      for (const p of parts) {
        const n = number(p, field);
        if ('error' in n) return { error: 'Enter layer widths, e.g. 8, 8.' };
        out.push(n.value as number);
      }
      return { value: out };
    }
    default:
      return number(t, field);
  }
}

/** One hidden layer's width, as typed in its field. */
export function parseWidth(text: string): Parsed {
  const p = number(text, 'hidden_units');
  return 'error' in p ? { error: 'Enter a layer width, e.g. 8.' } : p;
}

/** Two spec values are the same (lists by items). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A fresh seed for the "new seed" button: numpy's RandomState takes 0..2^32-1; keep it short. */
export function newSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 100000);
}
