/**
 * Run ids: `20261128-181634-3f9a`, local time to the second plus 16 random bits. They
 * sort chronologically as strings, name the run's folder, and are made ONCE per run by
 * whoever starts it (the extension host, or the CLI) and handed to the trainer, so the
 * folder, `summary.runId`, the events and the views all say the same id. No Node APIs:
 * the protocol's guards (also in the webview bundle) check ids with `isRunId`.
 */

const RUN_ID_RE = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A new run id; `random` (tests) returns 16 bits. */
export function newRunId(now: Date = new Date(), random: () => number = random16): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const suffix = (Math.floor(random()) & 0xffff).toString(16).padStart(4, '0');
  return `${stamp}-${suffix}`;
}

function random16(): number {
  // Web Crypto (Node and browsers alike): this module is also in the webview's bundle.
  return globalThis.crypto.getRandomValues(new Uint16Array(1))[0];
}

/** True for a string made by `newRunId`: safe as a folder name, never a path. */
export function isRunId(v: unknown): v is string {
  return typeof v === 'string' && RUN_ID_RE.test(v);
}
