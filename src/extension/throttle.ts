/**
 * A steady-cadence throttle for UI refreshes driven by a fast event stream. Pure (the
 * clock and timers are injected), so the cadence is unit-tested.
 *
 * - `now()` fires at once (state changes: run started, stopped, done) and restarts the
 *   cadence;
 * - `soon()` (progress) fires at most once per `intervalMs`, on the trailing edge: at
 *   `last fire + intervalMs`, however many calls come in between. While events keep
 *   coming the fires are evenly spaced, so what is shown is never more than
 *   `intervalMs` (plus the consumer's own delay) behind.
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

  /** Fire at the next slot of the cadence (at once if a whole interval has passed). */
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
