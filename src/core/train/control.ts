/**
 * Cancel and pause/resume for a running training. Cancelling is an AbortSignal (so any
 * host can link its own), pausing a small gate the loop awaits between epochs.
 */

export class RunControl {
  private readonly ac = new AbortController();
  private pausedFlag = false;
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

  cancel(): void {
    this.ac.abort();
    this.release();
  }
  pause(): void {
    this.pausedFlag = true;
  }
  resume(): void {
    this.pausedFlag = false;
    this.release();
  }

  /** Resolves when resumed or cancelled (immediately if not paused). */
  waitWhilePaused(): Promise<void> {
    if (!this.pausedFlag || this.cancelled) return Promise.resolve();
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
