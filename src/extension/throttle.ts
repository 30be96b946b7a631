/**
 * A steady-cadence throttle for UI refreshes driven by a fast event stream, that waits
 * for its consumer. Pure (the clock and timers are injected), so the cadence is
 * unit-tested.
 *
 * - `now()` fires at once (state changes: run started, stopped, done) and restarts the
 *   cadence;
 * - `soon()` (progress) fires at most once per `intervalMs`, on the trailing edge: at
 *   `last fire + intervalMs`, however many calls come in between;
 * - `consumed()`: the consumer has pulled the state since the last fire. Until it does,
 *   `soon()` waits (up to `staleMs`). This is for consumers that debounce the fire
 *   themselves and restart their debounce on every new one (VS Code's CodeLens
 *   controller: a RunOnceScheduler of ≥ 250 ms, longer when providing is slow): firing
 *   again before they pulled would postpone the pull for as long as the fires keep
 *   coming. So the consumer is never more than one interval (plus its own debounce)
 *   behind.
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
  /** Fired, and the consumer has not pulled since. */
  private awaiting = false;
  /** A `soon()` came since the last fire. */
  private wanted = false;

  constructor(
    private readonly fire: () => void,
    readonly intervalMs: number,
    /** How long `soon()` waits for a consumer that has not pulled (it may not be shown). */
    readonly staleMs = 4 * intervalMs,
    private readonly timers: TimerApi = realTimers,
  ) {}

  /** Fire now; the next `soon()` waits a full interval from here (and for the pull). */
  now(): void {
    this.cancel();
    this.wanted = false;
    this.awaiting = true;
    this.lastFire = this.timers.now();
    this.fire();
  }

  /** Fire at the next slot of the cadence (at once if it is due). */
  soon(): void {
    this.wanted = true;
    if (this.timer === undefined) this.arm();
  }

  /** The consumer pulled the state: a wanted fire may go at its cadence slot now. */
  consumed(): void {
    this.awaiting = false;
    if (this.wanted) {
      this.cancel();
      this.arm();
    }
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const at = this.lastFire + (this.awaiting ? Math.max(this.intervalMs, this.staleMs) : this.intervalMs);
    // Waiting for the pull with no fallback: `consumed()` re-arms. (No timer at all:
    // setTimeout would turn an infinite delay into 1 ms.)
    if (at === Number.POSITIVE_INFINITY) return;
    const wait = at - this.timers.now();
    if (wait <= 0) {
      this.now();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.now();
    }, wait);
  }
}
