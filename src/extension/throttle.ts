/**
 * A steady-cadence throttle for UI refreshes driven by a fast event stream (the status
 * bar while epochs stream in). Pure (the clock and timers are injected), so the cadence
 * is unit-tested.
 *
 * - `now()` fires at once (state changes: run started, stopped, done) and restarts the
 *   cadence;
 * - `soon()` (progress) fires at most once per `intervalMs`, on the trailing edge: at
 *   `last fire + intervalMs`, however many calls come in between.
 *
 * (The CodeLens used to refresh through this too, with a `consumed()` handshake for VS
 * Code's restarting lens debounce. Measured in the real VS Code, the lens still showed
 * "epoch 40/3000" while the run reached 2,586, so the lens no longer shows progress:
 * see codeLensState.ts.)
 */

export interface TimerApi {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Throttle {
  private timer: unknown;
  private lastFire = -Infinity;

  constructor(
    private readonly fire: () => void,
    readonly intervalMs: number,
    private readonly timers: TimerApi = realTimers,
  ) {}

  /** Fire now; the next `soon()` waits a full interval from here. */
  now(): void {
    this.cancel();
    this.lastFire = this.timers.now();
    this.fire();
  }

  /** Fire at the next slot of the cadence (at once if it is due). */
  soon(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastFire + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.now();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.now();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
