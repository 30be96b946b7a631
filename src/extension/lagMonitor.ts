/**
 * Measures the extension host's event-loop lag while runs are going: the proof that
 * training is really off the host's thread (a host that stalls makes every extension
 * and the editor's IntelliSense stall). Uses `perf_hooks.monitorEventLoopDelay`, which
 * samples from libuv without a JS timer of its own being the victim. No `vscode`.
 */

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LagHistogram {
  enable(): void;
  disable(): void;
  reset(): void;
  /** Nanoseconds. */
  readonly max: number;
}

export class LagMonitor {
  private hist?: LagHistogram;
  private users = 0;
  private worstMs = 0;
  /** Worst lag seen per tracked key (run id) while it was tracked. */
  private readonly perKey = new Map<string, number>();

  constructor(private readonly makeHistogram: () => LagHistogram = () => monitorEventLoopDelay({ resolution: 10 }) as IntervalHistogram) {}

  /** Starts measuring for `key` (a run); the histogram runs while any key is tracked. */
  track(key: string): void {
    this.sample();
    this.perKey.set(key, 0);
    if (this.users++ === 0) {
      this.hist ??= this.makeHistogram();
      this.hist.reset();
      this.hist.enable();
    }
  }

  /** Stops measuring for `key`; returns its worst lag in ms. */
  untrack(key: string): number {
    this.sample();
    const ms = this.perKey.get(key) ?? 0;
    if (this.perKey.delete(key) && --this.users === 0) this.hist?.disable();
    return ms;
  }

  /** Folds what the histogram saw since the last sample into every tracked key. */
  sample(): void {
    if (!this.hist || this.users === 0) return;
    const ms = this.hist.max > 0 ? this.hist.max / 1e6 : 0;
    this.hist.reset();
    if (ms > this.worstMs) this.worstMs = ms;
    for (const [k, v] of this.perKey) if (ms > v) this.perKey.set(k, ms);
  }

  /** Worst lag during any run since activation, ms. */
  maxLagMs(): number {
    this.sample();
    return this.worstMs;
  }

  dispose(): void {
    this.hist?.disable();
    this.perKey.clear();
    this.users = 0;
  }
}
