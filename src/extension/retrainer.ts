/**
 * Retrains a spec after an edit from the panel's controls, newest edit wins.
 *
 * A restart is not instant: the running run is cancelled (up to a few seconds for a
 * trainer that must be killed), then a new one starts from the document's text at that
 * moment. Edits that arrive meanwhile must neither start runs of their own (stale specs,
 * each superseded at once) nor be lost: they collapse into ONE more restart after the
 * current one, which reads the newest text. So at most one restart per spec is in flight
 * and at most one waits behind it, whatever the rate of edits. Pure: `restart` is
 * injected (the `vscode` side trains the spec's document with `restart: true`).
 */

export class Retrainer {
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  /** Restarts started, per key (tests, the benchmark). */
  readonly started = new Map<string, number>();

  constructor(
    private readonly restart: (key: string) => Promise<unknown>,
    private readonly onError: (key: string, err: unknown) => void = () => undefined,
  ) {}

  /** Asks for a restart of `key`; resolves when the restart this request ends up in has started. */
  request(key: string): Promise<void> {
    if (this.busy.has(key)) {
      this.again.add(key);
      return this.idle(key);
    }
    return this.loop(key);
  }

  /** True while a restart of `key` is in flight. */
  isBusy(key: string): boolean {
    return this.busy.has(key);
  }

  private waiters = new Map<string, (() => void)[]>();

  private idle(key: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
    });
  }

  private async loop(key: string): Promise<void> {
    this.busy.add(key);
    try {
      do {
        this.again.delete(key);
        this.started.set(key, (this.started.get(key) ?? 0) + 1);
        try {
          await this.restart(key);
        } catch (err) {
          this.onError(key, err);
        }
      } while (this.again.has(key));
    } finally {
      this.busy.delete(key);
      const list = this.waiters.get(key) ?? [];
      this.waiters.delete(key);
      for (const w of list) w();
    }
  }
}
