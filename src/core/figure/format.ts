/**
 * Every number a person reads, formatted in one place: the CLI's report, the notebook's
 * log line, the extension's CodeLens, status bar, notification and output channel, the
 * webview and the static figure all call these, so the same value reads the same
 * everywhere. Rounding is Python's (`f"{x:.2f}"`: half to even on the binary value, as
 * the notebook and scikit-learn's classification_report print), never JS's `toFixed`,
 * which rounds exact ties up: 793/800 = 99.125 % is "99.12%" on every surface.
 */

/**
 * `x` with `digits` decimals like Python's `f"{x:.{digits}f}"`: exact ties round half to
 * even (JS's toFixed rounds them up). The notebook's 793/800 = 99.125% prints "99.12".
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const exact = Math.abs(x).toFixed(100); // a double's exact decimal expansion fits
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + digits);
  if (/^50*$/.test(rest)) {
    const lastDigit = Number(exact[dot + digits] === '.' ? exact[dot - 1] : exact[dot + digits]);
    if (lastDigit % 2 === 0) {
      const truncated = exact.slice(0, dot + (digits > 0 ? 1 + digits : 0));
      return (x < 0 ? '-' : '') + truncated;
    }
  }
  return x.toFixed(digits);
}

/** 0.995 -> "99.50%", rounded as the notebook's log line rounds it (0.99125 -> "99.12%"). */
export function pct(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${pyFixed(x * 100, digits)}%`;
}

/**
 * Loss values: 5 decimals like the notebook's log line (fewer where space is short).
 * Values too small for that (a loss of 3e-7 late in a run, read off the log-scale
 * chart) keep their significant digits in exponent form instead of reading 0.00000.
 */
export function num(x: number | undefined | null, digits = 5): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 10 ** -(digits - 2)) return x.toExponential(Math.max(1, digits - 2));
  return pyFixed(x, digits);
}

/** A rate such as epochs per second: whole numbers from 10 up, one decimal below. */
export function rate(x: number): string {
  if (!Number.isFinite(x) || x < 0) return '–';
  return pyFixed(x, x >= 10 ? 0 : 1);
}

/**
 * A duration, in milliseconds (the events' `elapsedMs`; summaries' seconds × 1000):
 * "850 ms", "12.3 s", "2:05", "1:02:05".
 */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${pyFixed(ms, 0)} ms`;
  if (ms < 60_000) return `${pyFixed(ms / 1000, 1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A memory size: "512 MiB", "3.1 GiB". */
export function memorySize(b: number): string {
  return b >= 1024 ** 3 ? `${pyFixed(b / 1024 ** 3, 1)} GiB` : `${pyFixed(b / 1024 ** 2, 0)} MiB`;
}

/** Escapes text for SVG/XML. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Fixed-precision number for SVG attributes: short output, stable snapshots. */
export function r2(x: number): string {
  const v = Math.round(x * 100) / 100;
  return Object.is(v, -0) ? '0' : String(v);
}
