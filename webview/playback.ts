/**
 * The playback clock: which epoch a view shows, told at a pace a person can follow and
 * independent of how fast the trainer runs. The notebook spec trains 100 epochs in well
 * under a second; drawn as they come, a person sees the untrained boundary and then the
 * final one. The clock plays the recorded story instead: at ×1 a run takes `STORY_MS`
 * whatever its length, never ahead of the trainer (a slow run is followed live), and the
 * trainer is never held back for the view.
 *
 * The story is eased, not linear in epochs: epoch = total · (t / STORY_MS)². A boundary
 * moves most in its first epochs (the notebook's is in place by epoch 10 of 100), so
 * those get the most time: at ×1 the first tenth of a run takes about a second, the
 * untrained model is on screen for a moment, and the last half takes under a second.
 *
 * Positions are the frames' numbering: epochs completed, 0 = untrained, up to `trained`.
 * The replay slider and the playback are one concept: dragging the slider is `seek`,
 * which pauses the playback where it is put.
 *
 * Pure: time comes from the injected `now()` (ms), so tests drive it by hand; the view
 * calls `tick()` once per animation frame while `animating`.
 */
import type { PlaybackSetting } from '../src/core/protocol';

/** A speed multiplier, or `live`: each epoch as soon as it is trained. */
export type Speed = 0.25 | 0.5 | 1 | 2 | 4 | 8 | 'live';

/** A whole run's story at ×1 takes about this long (a short run: every epoch shown). */
export const STORY_MS = 3000;

/**
 * The longest step of one tick. A renderer that stalls (a long task, a throttled
 * background frame) slows the story down rather than skipping a third of it.
 */
export const MAX_TICK_MS = 100;

const SPEED_OF: Record<PlaybackSetting, Speed> = { '0.25x': 0.25, '0.5x': 0.5, '1x': 1, '2x': 2, '4x': 4, '8x': 8, live: 'live' };

export function speedOf(setting: PlaybackSetting): Speed {
  return SPEED_OF[setting];
}

export function settingOf(speed: Speed): PlaybackSetting {
  return speed === 'live' ? 'live' : (`${speed}x` as PlaybackSetting);
}

/** How a speed reads in the view's control. */
export function speedLabel(speed: Speed): string {
  if (speed === 'live') return 'as fast as it trains';
  return `×${speed === 0.25 ? '¼' : speed === 0.5 ? '½' : speed}`;
}

export class PlaybackClock {
  /** The shown position in epochs (fractional while playing). */
  private pos = 0;
  private last: number | undefined;
  private playingFlag = true;
  private totalEpochs = 0;
  private trainedEpochs = 0;
  private over = false;
  private speedValue: Speed = 1;

  constructor(
    private readonly now: () => number,
    private readonly storyMs = STORY_MS,
  ) {}

  /** A run to tell: `total` epochs planned; from `from` (default 0), playing unless told otherwise. */
  reset(total: number, opts: { from?: number; playing?: boolean } = {}): void {
    this.totalEpochs = Math.max(0, total);
    this.trainedEpochs = 0;
    this.over = false;
    this.pos = Math.max(0, opts.from ?? 0);
    this.playingFlag = opts.playing ?? true;
    this.last = undefined;
  }

  /**
   * The trainer's progress: `trained` epochs done; `final` once the run has ended (no
   * more will come). Live speed shows them at once; otherwise `tick()` catches up.
   */
  setTrained(trained: number, final: boolean, total = this.totalEpochs): void {
    this.totalEpochs = Math.max(total, trained);
    this.trainedEpochs = Math.max(0, trained);
    this.over = final;
    if (this.pos > this.trainedEpochs) this.pos = this.trainedEpochs;
    if (this.playingFlag && this.speedValue === 'live') this.pos = this.trainedEpochs;
    this.settle();
  }

  get speed(): Speed {
    return this.speedValue;
  }

  setSpeed(speed: Speed): void {
    this.advance();
    this.speedValue = speed;
    if (this.playingFlag && speed === 'live') this.pos = this.trainedEpochs;
    this.settle();
  }

  /** Plays from where it is; a story that was over starts again from the untrained model. */
  play(): void {
    if (this.playingFlag) return;
    if (this.over && !this.behind) this.pos = 0;
    this.playingFlag = true;
    this.last = undefined;
    if (this.speedValue === 'live') this.pos = this.trainedEpochs;
  }

  pause(): void {
    this.advance();
    this.playingFlag = false;
    this.pos = this.shown; // a paused view shows a whole epoch
  }

  /** The slider: shows `epoch` and pauses there. */
  seek(epoch: number): void {
    this.playingFlag = false;
    this.pos = Math.min(this.trainedEpochs, Math.max(0, Math.round(epoch)));
    this.last = undefined;
  }

  /** Shows the latest trained epoch; a run still going is then followed as it trains. */
  jumpToEnd(): void {
    this.pos = this.trainedEpochs;
    this.last = undefined;
    this.playingFlag = !this.over;
  }

  /** Advances to `now()`; true when the shown epoch changed. */
  tick(): boolean {
    const before = this.shown;
    this.advance();
    this.settle();
    return this.shown !== before;
  }

  /** The epoch shown (a whole number, 0..trained). */
  get shown(): number {
    return Math.min(this.trainedEpochs, Math.floor(this.pos + 1e-9));
  }

  get trained(): number {
    return this.trainedEpochs;
  }

  get total(): number {
    return this.totalEpochs;
  }

  get playing(): boolean {
    return this.playingFlag;
  }

  /** The trainer is ahead of the view. */
  get behind(): boolean {
    return this.shown < this.trainedEpochs;
  }

  /** The run is over and its whole story has been shown. */
  get finished(): boolean {
    return this.over && !this.behind;
  }

  /** True while ticking can change what is shown: playing, and behind the trainer. */
  get animating(): boolean {
    return this.playingFlag && this.behind;
  }

  /** Story time (ms at ×1) at which epoch `pos` is shown: the inverse of `epochAt`. */
  private storyTime(pos: number): number {
    return this.storyMs * Math.sqrt(Math.max(0, pos) / Math.max(1, this.totalEpochs));
  }

  /** The epoch (fractional) the story shows at story time `t`. */
  private epochAt(t: number): number {
    const f = t / this.storyMs;
    return Math.max(1, this.totalEpochs) * f * f;
  }

  private advance(): void {
    const t = this.now();
    if (!this.playingFlag) {
      this.last = undefined;
      return;
    }
    const dt = this.last === undefined ? 0 : Math.min(MAX_TICK_MS, Math.max(0, t - this.last));
    this.last = t;
    if (this.speedValue === 'live') this.pos = this.trainedEpochs;
    else this.pos = Math.min(this.trainedEpochs, this.epochAt(this.storyTime(this.pos) + dt * this.speedValue));
  }

  /** A finished story stops playing (the play button then offers to play it again). */
  private settle(): void {
    if (this.playingFlag && this.over && this.shown >= this.trainedEpochs) {
      this.playingFlag = false;
      this.pos = this.trainedEpochs;
    }
  }
}
