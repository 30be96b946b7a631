/**
 * Cancel, pause/resume and step for a running training. Cancelling is an AbortSignal (so
 * any host can link its own), pausing a small gate the loop awaits between epochs.
 *
 * Step: while paused, `step(n)` lets exactly n more epochs through the gate, then the run
 * is paused again (the loop takes one with `takeStep()` per epoch). Steps asked for while
 * running are ignored: there is nothing to step through. `resume()` drops unused steps.
 */

export class RunControl {
  private readonly ac = new AbortController();
  private pausedFlag = false;
  private steps = 0;
  private wake: (() => void) | undefined;

  /** `linked`: an outer signal that cancels this run too (e.g. the CLI's SIGINT). */
  constructor(linked?: AbortSignal) {
    if (linked) {
      if (linked.aborted) this.ac.abort();
      else linked.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.ac.signal;
  }
  get cancelled(): boolean {
    return this.ac.signal.aborted;
  }
  get paused(): boolean {
    return this.pausedFlag;
  }
  /** Stepped epochs not run yet. */
  get pendingSteps(): number {
    return this.steps;
  }

  cancel(): void {
    this.ac.abort();
    this.release();
  }
  pause(): void {
    this.pausedFlag = true;
  }
  resume(): void {
    this.pausedFlag = false;
    this.steps = 0;
    this.release();
  }

  /** While paused: run `epochs` more epochs (a whole number, at least 1), then pause again. */
  step(epochs = 1): void {
    if (!this.pausedFlag || this.cancelled) return;
    const n = Number.isFinite(epochs) ? Math.max(1, Math.floor(epochs)) : 1;
    this.steps += n;
    this.release();
  }

  /** The loop, paused before an epoch: may this epoch run as a step? (Consumes one.) */
  takeStep(): boolean {
    if (this.steps <= 0) return false;
    this.steps--;
    return true;
  }

  /** Resolves when resumed, cancelled or stepped (immediately if not paused). */
  waitWhilePaused(): Promise<void> {
    if (!this.pausedFlag || this.cancelled || this.steps > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private release(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
