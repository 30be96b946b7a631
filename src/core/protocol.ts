/**
 * The one message protocol of Blob Classifier.
 *
 * Three parties speak it: the trainer (engine, in a child process or in-process for the
 * CLI and tests), the extension host, and the webviews. The trainer emits
 * `TrainerEvent`s; the host forwards them to webviews inside `HostToWebview` messages
 * and keeps the full history per run so a view that was hidden or reloaded catches up.
 * Webviews answer with `WebviewToHost` requests, which the host validates
 * (`isWebviewToHost`) before acting on them.
 *
 * Everything here is plain JSON (no typed arrays): it crosses `process.send` and
 * `webview.postMessage`, and is written as JSON lines by `blobs train --json`.
 * Dense per-cell data (boundary frames) travels as base64 of a Uint8Array.
 */

import type { BlobSpec, DeviceRequest } from './spec/types';

/** A concrete backend that ran (or can run) the trainer. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** A concrete device: what `auto` resolved to, or what was asked for. */
export type ResolvedDevice = Exclude<DeviceRequest, 'auto'>;

export interface DataSummary {
  generator: string;
  nSamples: number;
  nFeatures: number;
  nClasses: number;
  nTrain: number;
  nTest: number;
  classNames: string[];
  featureNames: string[];
}

/** A (possibly sampled) set of 2-D points to draw; coordinates are features 1 and 2. */
export interface PointSet {
  /** Interleaved x, y pairs. */
  xy: number[];
  /** True class of each point. */
  label: number[];
  /** Total points in the set before sampling. */
  total: number;
  /** True when `xy` is a deterministic class-balanced sample of the set. */
  sampled: boolean;
}

export interface Bounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export interface ModelSummary {
  /** Layer widths from input to output, e.g. [2, 8, 8, 4]. */
  layers: number[];
  activation: string;
  params: number;
}

export interface StartEvent {
  type: 'start';
  runId: string;
  specName: string;
  /** The spec as run, defaults applied. */
  spec: BlobSpec;
  backend: BackendName;
  device: ResolvedDevice;
  /** Why this backend/device was chosen ("auto: wasm is fastest for 84 parameters"). */
  reason: string;
  /** Threads each step is split across (1: no workers), and why. */
  workers?: { count: number; reason: string };
  data: DataSummary;
  model: ModelSummary;
  epochs: number;
  /** Points to draw under the boundary, train and test. */
  points: { train: PointSet; test: PointSet };
  /** The boundary grid's extent (data min/max +- padding). */
  bounds: Bounds;
  /** Grid points per axis. */
  resolution: number;
  /** Versions of the engine pieces, for the record. */
  versions: Record<string, string>;
  /** ISO time. */
  startedAt: string;
}

export interface EpochEvent {
  type: 'epoch';
  /** 0-based, like the notebook's `for epoch in range(epochs)`. */
  epoch: number;
  trainLoss: number;
  /** Fractions in [0, 1]. */
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

export interface FrameEvent {
  type: 'frame';
  /** The model after this many completed epochs' updates: 0 is untrained. */
  epoch: number;
  /** Grid points per axis; cells are row-major, row 0 at yMin. */
  resolution: number;
  bounds: Bounds;
  /** base64 Uint8Array(resolution^2): predicted class per grid point. */
  cls: string;
  /** base64 Uint8Array(resolution^2): max probability per grid point, 0..255. */
  conf: string;
  /** base64 Uint8Array: predicted class of each drawn train/test point (same order as start.points). */
  predTrain: string;
  predTest: string;
  /** Set when features beyond the first two are held fixed, e.g. "x3..x5 held at their means". */
  slice?: string;
}

export interface LogEvent {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  accuracy: number;
  loss: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  perClass: ClassScores[];
  macro: Omit<ClassScores, 'support'>;
  weighted: Omit<ClassScores, 'support'>;
}

/** The `--json` summary and `summary.json`'s top level. Field names are a public interface. */
export interface RunSummary {
  runId: string;
  name: string;
  epochs: number;
  /** Epochs actually completed (less than `epochs` when cancelled). */
  epochs_completed: number;
  train_loss: number;
  /** Fraction in [0, 1]. */
  train_acc: number;
  test_loss: number;
  /** Fraction in [0, 1]. */
  test_acc: number;
  backend: BackendName;
  device: ResolvedDevice;
  train_wall_s: number;
  epochs_per_s: number;
  status: 'completed' | 'cancelled';
  /** Where the run's artifacts went, when they were written. */
  artifacts_dir?: string;
}

export interface DoneEvent {
  type: 'done';
  summary: RunSummary;
  evaluation: { train: Evaluation; test: Evaluation };
}

export type ErrorCode =
  | 'bad-spec'
  | 'diverged'
  | 'device-unavailable'
  | 'too-large'
  | 'crashed'
  | 'internal';

export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The epoch at which it happened, when it happened during training. */
  epoch?: number;
}

export interface CancelledEvent {
  type: 'cancelled';
  /** Epochs completed before the stop. */
  epoch: number;
  summary?: RunSummary;
}

export interface PausedEvent {
  type: 'paused' | 'resumed';
  epoch: number;
}

export type TrainerEvent =
  | StartEvent
  | EpochEvent
  | FrameEvent
  | LogEvent
  | DoneEvent
  | ErrorEvent
  | CancelledEvent
  | PausedEvent;

export type TrainerEventType = TrainerEvent['type'];

/** True for the events after which a run's stream ends. */
export function isTerminal(e: TrainerEvent): e is DoneEvent | ErrorEvent | CancelledEvent {
  return e.type === 'done' || e.type === 'error' || e.type === 'cancelled';
}

// ---------------------------------------------------------------------------
// Host <-> trainer process (IPC over process.send)

export interface TrainerOptions {
  /** Overrides the spec's device. */
  device?: DeviceRequest;
  /** Overrides the spec's epochs. */
  epochs?: number;
  /** Where to write artifacts; none are written when unset. */
  outDir?: string;
  /**
   * The folder `outDir` must lie inside (default: the spec's folder). The extension
   * passes the spec's workspace folder, so `blobClassifier.runsDirectory` may point
   * anywhere inside the workspace. Added for the extension host.
   */
  allowedRoot?: string;
  /** Overrides the spec's boundary resolution. */
  resolution?: number;
  /** Most points to draw per split (class-balanced sample). */
  maxPoints?: number;
  /**
   * Threads each step is split across (data-parallel: this one and N - 1 workers; js and
   * wasm backends), 1 to 64. Unset: auto, from the work per step, the whole run's work
   * and the cores available and idle (core/train/parallel/plan.ts). For benchmarks and
   * tests; numbers differ from one thread's only by float summation order.
   */
  workers?: number;
}

export type HostToTrainer =
  | { type: 'train'; specText: string; specPath: string; options: TrainerOptions }
  | { type: 'cancel' }
  | { type: 'pause' }
  | { type: 'resume' };

/**
 * `events` carries several events in order: the trainer batches them (a fast run makes
 * thousands of epochs a second, and one IPC message each would flood the host).
 */
export type TrainerToHost =
  | { type: 'event'; event: TrainerEvent }
  | { type: 'events'; events: TrainerEvent[] }
  | { type: 'exit' };

// ---------------------------------------------------------------------------
// Host <-> webview

/** Which view a message is for: the full editor panel or the compact side view. */
export type ViewKind = 'panel' | 'side';

export interface RunRef {
  runId: string;
  specPath: string;
  specName: string;
}

export type HostToWebview =
  /** Start drawing a run from scratch; `events` is its history so far (the replay). */
  | { type: 'run'; run: RunRef; events: TrainerEvent[]; active: boolean }
  /** New events of the run being shown. */
  | { type: 'events'; runId: string; events: TrainerEvent[] }
  /** Earlier finished runs of the same spec, for the compare overlay. */
  | { type: 'history'; runs: { run: RunRef; epochs: EpochEvent[]; summary?: RunSummary }[] }
  /** Nothing to show: no spec active, or it has no run yet. */
  | { type: 'idle'; specPath?: string; specName?: string; problems?: number }
  /** Result of an export request. */
  | { type: 'exported'; path?: string; error?: string }
  /**
   * The "Export Figure" command asks the panel for its figure; the webview answers with
   * `exportFigure` (same as its own export button). Added for the extension host.
   */
  | { type: 'export'; format: 'png' | 'svg' };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'train' }
  | { type: 'stop' }
  | { type: 'openPanel' }
  | { type: 'exportFigure'; format: 'png' | 'svg'; /** data: URL (png) or SVG text */ data: string };

const MAX_EXPORT_BYTES = 32 * 1024 * 1024;

/** Validates a message from a webview; anything else is dropped by the host. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Record<string, unknown>;
  switch (msg.type) {
    case 'ready':
    case 'train':
    case 'stop':
    case 'openPanel':
      return Object.keys(msg).length === 1;
    case 'exportFigure':
      return (
        Object.keys(msg).length === 3 &&
        (msg.format === 'png' || msg.format === 'svg') &&
        typeof msg.data === 'string' &&
        msg.data.length <= MAX_EXPORT_BYTES &&
        (msg.format === 'svg'
          ? msg.data.trimStart().startsWith('<svg')
          : msg.data.startsWith('data:image/png;base64,'))
      );
    default:
      return false;
  }
}
