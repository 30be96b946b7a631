/**
 * A bound on the boundary frames the host keeps per run.
 *
 * The host keeps each run's event history so a view that was hidden or reloaded can
 * replay it. Epoch, log and terminal events are small and always kept; boundary frames
 * are not (each is ~2 x resolution^2 bytes of base64, 27 kB at the default 101 x 101,
 * 670 kB at 501 x 501), and a long run with `boundary.every: 1` would otherwise grow
 * without limit. The trainer's default (`boundary.every: "auto"`, core/train/frames.ts)
 * already bounds a run to AUTO_FRAMES (201 frames, 10 MiB, spread over the whole run,
 * densest early), so such a run is kept whole in memory and on disk; this budget is for
 * explicit cadences. Rule, deterministic whatever the batching of the events:
 *
 * - frames are numbered in arrival order (0 = the untrained model, epoch 0);
 * - while the kept frames fit the budget (`maxFrames` and `maxBytes`), every frame is
 *   kept (full-resolution replay);
 * - when a frame would exceed it, the stride doubles and only frames whose number is a
 *   multiple of the stride stay, plus the latest frame, always. So the kept frames are
 *   evenly spaced over the run, frame 0 (epoch 0) is never dropped, and the latest
 *   frame is always there to draw. Memory is O(budget), the work amortised O(1) per frame.
 *
 * The webview thins its own copy again (webview/model.ts MAX_FRAMES); this bound is the
 * host's, and the same function thins the copy written to disk (`events.jsonl`). Pure.
 */

import type { FrameEvent, TrainerEvent } from '../protocol';

export interface FrameBudget {
  /** Most frames kept (at least 2: epoch 0 and the latest). */
  maxFrames: number;
  /** Most base64 characters of frame data kept. */
  maxBytes: number;
}

/** In memory, per run: as many frames as the webview keeps (400), at most 48 MiB. */
export const MEMORY_FRAME_BUDGET: FrameBudget = { maxFrames: 400, maxBytes: 48 * 1024 * 1024 };

/**
 * On disk (`events.jsonl` in the run folder): a whole `auto` run (201 frames, at most
 * 10 MiB: the replay after a window reload is the one seen live), at most 12 MiB.
 */
export const DISK_FRAME_BUDGET: FrameBudget = { maxFrames: 201, maxBytes: 12 * 1024 * 1024 };

export function frameBytes(f: FrameEvent): number {
  return f.cls.length + f.conf.length + (f.margin?.length ?? 0) + f.predTrain.length + f.predTest.length + (f.slice?.length ?? 0) + (f.weights?.length ?? 0) + 96;
}

export interface FrameStats {
  /** Frames the run produced. */
  seen: number;
  /** Frames kept now. */
  kept: number;
  /** Frame numbers kept are multiples of this (plus the latest). */
  stride: number;
  bytes: number;
}

/** Keeps one run's frames inside a budget; `push` appends to the run's event list. */
export class FrameThinner {
  private seen = 0;
  private kept = 0;
  private bytes = 0;
  private stride = 1;
  private latest?: FrameEvent;
  private readonly seq = new WeakMap<FrameEvent, number>();
  private readonly budget: FrameBudget;

  constructor(budget: FrameBudget = MEMORY_FRAME_BUDGET) {
    this.budget = { maxFrames: Math.max(2, Math.floor(budget.maxFrames)), maxBytes: Math.max(0, budget.maxBytes) };
  }

  stats(): FrameStats {
    return { seen: this.seen, kept: this.kept, stride: this.stride, bytes: this.bytes };
  }

  /** Appends `f` to `events` (the run's history), dropping older frames as the budget requires. */
  push(events: TrainerEvent[], f: FrameEvent): void {
    const n = this.seen++;
    this.seq.set(f, n);
    // The previous latest frame was kept only for being the latest: drop it unless on the grid.
    const prev = this.latest;
    if (prev && (this.seq.get(prev) ?? 0) % this.stride !== 0) this.remove(events, prev);
    events.push(f);
    this.latest = f;
    this.kept++;
    this.bytes += frameBytes(f);
    while ((this.kept > this.budget.maxFrames || this.bytes > this.budget.maxBytes) && this.kept > 2) {
      this.stride *= 2;
      this.rethin(events);
    }
  }

  private remove(events: TrainerEvent[], f: FrameEvent): void {
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i] === f) {
        events.splice(i, 1);
        this.kept--;
        this.bytes -= frameBytes(f);
        return;
      }
    }
  }

  private rethin(events: TrainerEvent[]): void {
    let w = 0;
    let kept = 0;
    let bytes = 0;
    for (let r = 0; r < events.length; r++) {
      const e = events[r];
      if (e.type === 'frame' && e !== this.latest && (this.seq.get(e) ?? 0) % this.stride !== 0) continue;
      if (e.type === 'frame') {
        kept++;
        bytes += frameBytes(e);
      }
      events[w++] = e;
    }
    events.length = w;
    this.kept = kept;
    this.bytes = bytes;
  }
}

/** A thinned copy of a history (the same rule, another budget): what goes to disk. */
export function thinFrames(events: readonly TrainerEvent[], budget: FrameBudget): TrainerEvent[] {
  const out: TrainerEvent[] = [];
  const t = new FrameThinner(budget);
  for (const e of events) {
    if (e.type === 'frame') t.push(out, e);
    else out.push(e);
  }
  return out;
}

/** Keeps only the first and the last frame (a run superseded by a newer one: only its curves are compared). */
export function keepEndFrames(events: TrainerEvent[]): void {
  let first = -1;
  let last = -1;
  for (let i = 0; i < events.length; i++) {
    if (events[i].type !== 'frame') continue;
    if (first < 0) first = i;
    last = i;
  }
  let w = 0;
  for (let r = 0; r < events.length; r++) {
    if (events[r].type === 'frame' && r !== first && r !== last) continue;
    events[w++] = events[r];
  }
  events.length = w;
}
