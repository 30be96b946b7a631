/**
 * Coalesces redraw requests into one per animation frame: trainer events can arrive
 * far faster than the screen refreshes (hundreds of epochs/s), and only the latest
 * state is worth drawing. Falls back to a timer where rAF is missing (jsdom).
 */
export interface Scheduler {
  request(): void;
  /** Runs a pending draw now (tests, export). */
  flush(): void;
  dispose(): void;
}

export function createScheduler(draw: () => void, win: Pick<Window, 'requestAnimationFrame' | 'cancelAnimationFrame'> | undefined = globalThis.window): Scheduler {
  const raf = win && typeof win.requestAnimationFrame === 'function' ? win.requestAnimationFrame.bind(win) : (cb: FrameRequestCallback) => setTimeout(() => cb(Date.now()), 16) as unknown as number;
  const caf = win && typeof win.cancelAnimationFrame === 'function' ? win.cancelAnimationFrame.bind(win) : (id: number) => clearTimeout(id);
  let handle: number | undefined;
  const run = () => {
    handle = undefined;
    draw();
  };
  return {
    request() {
      if (handle === undefined) handle = raf(run);
    },
    flush() {
      if (handle !== undefined) {
        caf(handle);
        run();
      }
    },
    dispose() {
      if (handle !== undefined) caf(handle);
      handle = undefined;
    },
  };
}
