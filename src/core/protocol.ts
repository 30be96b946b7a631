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

import { isRunId } from './run/id';
import type { BlobSpec, DeviceRequest } from './spec/types';

/** A concrete backend that ran (or can run) the trainer. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
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
  /**
   * When sampled: each drawn point's row in its split (the order of data.csv's train or
   * test rows), so the probe can name the sample. Absent: point i is row i.
   */
  index?: number[];
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
  /**
   * Every feature's mean over the train split: the value features 3.. are held at on
   * the boundary's slice, which the network view and the probe need to evaluate the
   * model on the same grid.
   */
  featureMeans?: number[];
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
  /**
   * base64 Uint8Array(resolution^2): the max probability minus the runner-up's, 0..255.
   * Zero on the boundary, so views place it between grid points (smooth, not cell
   * stair-steps). Absent in recordings made before it existed.
   */
  margin?: string;
  /** base64 Uint8Array: predicted class of each drawn train/test point (same order as start.points). */
  predTrain: string;
  predTest: string;
  /** Set when features beyond the first two are held fixed, e.g. "x3..x5 held at their means". */
  slice?: string;
  /**
   * base64 of the model's parameters at this frame as little-endian float32, layer by
   * layer: W (in x out, row-major) then b (out), widths from `start.model.layers`. Sent
   * only for models of at most WEIGHTS_MAX_PARAMS parameters: the webview draws the
   * network view and the probe from them (core/figure/network.ts).
   */
  weights?: string;
}

/**
 * Largest model whose weights ride on every frame: 4,096 float32 = 16 KiB (21.8 kB of
 * base64), next to a 101 x 101 frame's ~29 kB. The notebook's 2-8-8-4 net is 132.
 */
export const WEIGHTS_MAX_PARAMS = 4096;

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
  /**
   * The folder tree a CSV `data.path` must stay inside, after following links (default:
   * the spec's folder). The extension passes the workspace folder, as its validator does.
   */
  dataRoot?: string;
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

/**
 * A run to train. `runId` is made by whoever starts the run (the host, the CLI:
 * `newRunId`, run/id.ts) and used by the trainer for the run's folder, its summary and
 * events, so every party names the run the same.
 */
export interface TrainRequest {
  runId: string;
  specText: string;
  specPath: string;
  options: TrainerOptions;
}

export type HostToTrainer =
  | ({ type: 'train' } & TrainRequest)
  | { type: 'cancel' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** While paused: run `epochs` more epochs (each draws its frame), then pause again. */
  | { type: 'step'; epochs: number }
  /** Load the backend and compile the training code now (a tiny throw-away run): a warm process. */
  | { type: 'warm' };

/**
 * `events` carries several events in order: the trainer batches them (a fast run makes
 * thousands of epochs a second, and one IPC message each would flood the host).
 * `ready`: the process is idle (after `warm`, and after each run's last event was sent);
 * it runs one `train` at a time and stays up for the next until the host disconnects.
 * `rss`: its resident memory then, bytes (a big run leaves a big wasm heap behind).
 */
export type TrainerToHost =
  | { type: 'events'; events: TrainerEvent[] }
  | { type: 'ready'; rss?: number };

// ---------------------------------------------------------------------------
// Host <-> exporter process (dist/exporter.js, one export per process: src/exporter/)

/** Export the spec (the editor's text, which may be unsaved) as a notebook for `outPath`. */
export interface ExportRequest {
  type: 'export';
  specText: string;
  specPath: string;
  format: 'ipynb' | 'py';
  /** Where the host will write it (CSV paths in the notebook are relative to it). */
  outPath: string;
}

export type ExportReply =
  | { type: 'exported'; text: string; cells: number; notes: string[] }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------------------
// Host <-> webview

/** Which view a message is for: the full editor panel or the compact side view. */
export type ViewKind = 'panel' | 'side';

export interface RunRef {
  runId: string;
  specPath: string;
  specName: string;
}

/**
 * The `blobClassifier.playback` setting: how fast a view tells a run's story. `1x` plays
 * a run in about 3 s whatever its length (and never ahead of the trainer); `live` shows
 * each epoch as soon as it is trained (as fast as it trains).
 */
export const PLAYBACK_SETTINGS = ['0.25x', '0.5x', '1x', '2x', '4x', '8x', 'live'] as const;
export type PlaybackSetting = (typeof PLAYBACK_SETTINGS)[number];

export type HostToWebview =
  /** Start drawing a run from scratch; `events` is its history so far (the replay). */
  | { type: 'run'; run: RunRef; events: TrainerEvent[]; active: boolean }
  /** New events of the run being shown. */
  | { type: 'events'; runId: string; events: TrainerEvent[] }
  /**
   * Earlier finished runs of the same spec, for the compare overlay; `spec` is the spec
   * each ran with (defaults applied), so the legend can say what differed.
   */
  | { type: 'history'; runs: { run: RunRef; epochs: EpochEvent[]; summary?: RunSummary; spec?: BlobSpec }[] }
  /**
   * The spec's current values for the panel's controls, read from the editor's text
   * (unsaved edits included) whenever it changes; `problems` are the validator's errors
   * that concern a control's field, in its words.
   */
  | { type: 'spec'; specPath: string; values: SpecControlValues; errors: number; problems: FieldProblem[] }
  /** The answer to an `editSpec`: applied, or refused with the validator's message. */
  | { type: 'editResult'; id: number; field: SpecField; ok: boolean; message?: string }
  /** Nothing to show: no spec active, or it has no run yet. */
  | { type: 'idle'; specPath?: string; specName?: string; problems?: number }
  /** Result of an export request. */
  | { type: 'exported'; path?: string; error?: string }
  /**
   * The "Export Figure" command asks the panel for its figure; the webview answers with
   * `exportFigure` (same as its own export button). Added for the extension host.
   */
  | { type: 'export'; format: 'png' | 'svg' }
  /** The view's settings (sent before a snapshot): the playback speed to start with. */
  | { type: 'options'; playback: PlaybackSetting };

/** Most epochs one `step` request may ask for. */
export const MAX_STEP_EPOCHS = 1000;

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'train' }
  | { type: 'stop' }
  /** Pause / resume TRAINING (the trainer), not the view's playback. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** While training is paused: train `epochs` more epochs, then pause again. */
  | { type: 'step'; epochs: number }
  | { type: 'openPanel' }
  /** Write the view's spec as a PyTorch notebook next to it and open it (the command "Open as PyTorch Notebook"). */
  | { type: 'openNotebook' }
  /** Ctrl/Cmd+S in the view: save the view's spec (VS Code's own save acts on the active editor, which may be the panel). */
  | { type: 'save' }
  | { type: 'exportFigure'; format: 'png' | 'svg'; /** data: URL (png) or SVG text */ data: string }
  /**
   * A control changed a spec field: the host edits the spec document (an undoable
   * WorkspaceEdit), revalidates and retrains when valid; it answers with `editResult`.
   */
  | EditSpecMessage;

/** The spec fields the panel's controls edit. */
export const SPEC_FIELDS = ['lr', 'epochs', 'optimizer', 'activation', 'hidden_units', 'batch_size', 'n_samples', 'noise', 'cluster_std', 'seed'] as const;
export type SpecField = (typeof SPEC_FIELDS)[number];

/** A control's value: JSON as it will be written into the spec. */
export type SpecFieldValue = number | string | null | number[];

export interface EditSpecMessage {
  type: 'editSpec';
  /** Chosen by the webview; echoed in `editResult`. */
  id: number;
  field: SpecField;
  value: SpecFieldValue;
}

/**
 * The control fields' values in the spec text: as written, the default where the key is
 * missing, undefined where the text holds something of the wrong type (the problem says
 * what). Lists the controls cannot edit (per-centre n_samples or cluster_std) come as
 * lists, and the control shows them read-only.
 */
export interface SpecControlValues {
  /** data.generator: decides whether the data control is `noise` or `cluster_std`. */
  generator?: string;
  lr?: number;
  epochs?: number;
  optimizer?: string;
  activation?: string;
  hidden_units?: number[];
  batch_size?: number | 'full';
  n_samples?: number | number[];
  noise?: number | null;
  cluster_std?: number | number[];
  seed?: number;
}

export interface FieldProblem {
  field: SpecField;
  message: string;
}

const MAX_EXPORT_BYTES = 32 * 1024 * 1024;
/** Longest hidden_units list a control may send (the validator allows 16 layers). */
const MAX_LIST = 64;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The JSON shape each field's control may send; the validator judges the value itself. */
function isFieldValue(field: SpecField, v: unknown): boolean {
  switch (field) {
    case 'lr':
    case 'epochs':
    case 'n_samples':
    case 'cluster_std':
    case 'seed':
      return isFiniteNumber(v);
    case 'optimizer':
    case 'activation':
      return typeof v === 'string' && v.length <= 32;
    case 'batch_size':
      return v === 'full' || isFiniteNumber(v);
    case 'noise':
      return v === null || isFiniteNumber(v);
    case 'hidden_units':
      return Array.isArray(v) && v.length <= MAX_LIST && v.every(isFiniteNumber);
  }
}

/** Validates a message from a webview; anything else is dropped by the host. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Record<string, unknown>;
  switch (msg.type) {
    case 'ready':
    case 'train':
    case 'stop':
    case 'pause':
    case 'resume':
    case 'openPanel':
    case 'openNotebook':
    case 'save':
      return Object.keys(msg).length === 1;
    case 'editSpec':
      return (
        Object.keys(msg).length === 4 &&
        Number.isSafeInteger(msg.id) &&
        (SPEC_FIELDS as readonly unknown[]).includes(msg.field) &&
        isFieldValue(msg.field as SpecField, msg.value)
      );
    case 'step':
      return Object.keys(msg).length === 2 && Number.isInteger(msg.epochs) && (msg.epochs as number) >= 1 && (msg.epochs as number) <= MAX_STEP_EPOCHS;
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

// ---------------------------------------------------------------------------
// Guards for what crosses a process boundary or comes back from disk: IPC from the
// trainer, `events.jsonl` and `summary.json` in a run folder (old, truncated or edited
// files), messages to the trainer. What passes may go on to a webview.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number';
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every(num);
const strs = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const b64 = (v: unknown): v is string => str(v) && BASE64.test(v);
const SUMMARY_NUMBERS = ['epochs', 'epochs_completed', 'train_loss', 'train_acc', 'test_loss', 'test_acc', 'train_wall_s', 'epochs_per_s'] as const;

function isBounds(v: unknown): boolean {
  return isObj(v) && finite(v.xMin) && finite(v.xMax) && finite(v.yMin) && finite(v.yMax);
}

function isPointSet(v: unknown): boolean {
  return isObj(v) && nums(v.xy) && nums(v.label) && num(v.total) && typeof v.sampled === 'boolean' && (v.index === undefined || nums(v.index));
}

function isEvaluation(v: unknown): boolean {
  return isObj(v) && num(v.accuracy) && num(v.loss) && Array.isArray(v.confusion) && v.confusion.every(nums) && Array.isArray(v.perClass) && isObj(v.macro) && isObj(v.weighted);
}

/** True when `v` has the fields of a `RunSummary` the readers use (summary.json has more). */
export function isRunSummary(v: unknown): v is RunSummary {
  if (!isObj(v)) return false;
  return (
    SUMMARY_NUMBERS.every((k) => num(v[k])) &&
    str(v.runId) && str(v.name) && (v.status === 'completed' || v.status === 'cancelled') &&
    str(v.backend) && str(v.device) && (v.artifacts_dir === undefined || str(v.artifacts_dir))
  );
}

/** True when `v` is a well-formed protocol event (the fields the views read). */
export function isTrainerEvent(v: unknown): v is TrainerEvent {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'start': {
      const d = v.data;
      const m = v.model;
      const p = v.points;
      return (
        str(v.runId) && str(v.specName) && isObj(v.spec) && str(v.backend) && str(v.device) && str(v.reason) &&
        isObj(d) && num(d.nClasses) && num(d.nTrain) && num(d.nTest) && num(d.nFeatures) && num(d.nSamples) && str(d.generator) && strs(d.classNames) && strs(d.featureNames) &&
        isObj(m) && nums(m.layers) && str(m.activation) && num(m.params) &&
        num(v.epochs) && isObj(p) && isPointSet(p.train) && isPointSet(p.test) &&
        isBounds(v.bounds) && num(v.resolution) && isObj(v.versions) && str(v.startedAt) &&
        (v.featureMeans === undefined || nums(v.featureMeans))
      );
    }
    case 'epoch':
      return num(v.epoch) && num(v.trainLoss) && num(v.trainAcc) && num(v.testLoss) && num(v.testAcc) && num(v.elapsedMs);
    case 'frame':
      return (
        num(v.epoch) && num(v.resolution) && isBounds(v.bounds) && b64(v.cls) && b64(v.conf) && (v.margin === undefined || b64(v.margin)) && b64(v.predTrain) && b64(v.predTest) &&
        (v.slice === undefined || str(v.slice)) && (v.weights === undefined || b64(v.weights))
      );
    case 'log':
      return (v.level === 'info' || v.level === 'warn') && str(v.message);
    case 'done':
      return isRunSummary(v.summary) && isObj(v.evaluation) && isEvaluation(v.evaluation.train) && isEvaluation(v.evaluation.test);
    case 'error':
      return str(v.code) && str(v.message) && (v.epoch === undefined || num(v.epoch));
    case 'cancelled':
      return num(v.epoch) && (v.summary === undefined || isRunSummary(v.summary));
    case 'paused':
    case 'resumed':
      return num(v.epoch);
    default:
      return false;
  }
}

const EPOCH_NUMBERS = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'];
const SUMMARY_METRICS = ['train_loss', 'train_acc', 'test_loss', 'test_acc', 'epochs_per_s'];

/**
 * JSON (IPC's serialisation, and `events.jsonl`) writes NaN as null: a diverged loss, a
 * run stopped before its first epoch. Puts NaN back in the numeric fields that may hold
 * it, in place, so the guards and the views see numbers.
 */
function restoreNaN(e: unknown): void {
  if (!isObj(e)) return;
  const fix = (o: Obj, keys: readonly string[]) => {
    for (const k of keys) if (o[k] === null) o[k] = NaN;
  };
  if (e.type === 'epoch') fix(e, EPOCH_NUMBERS);
  if ((e.type === 'done' || e.type === 'cancelled') && isObj(e.summary)) fix(e.summary, SUMMARY_METRICS);
  if (e.type === 'done' && isObj(e.evaluation)) {
    for (const k of ['train', 'test']) {
      const ev = e.evaluation[k];
      if (isObj(ev)) fix(ev, ['loss']);
    }
  }
}

/** An event that went through JSON (IPC, a file), NaNs restored and checked; undefined if malformed. */
export function trainerEventFromJson(v: unknown): TrainerEvent | undefined {
  restoreNaN(v);
  return isTrainerEvent(v) ? v : undefined;
}

/**
 * A message from the trainer process: `events` (each event checked; malformed ones are
 * dropped from the returned copy) or `ready`. Undefined for anything else.
 */
export function trainerToHostFromJson(m: unknown): TrainerToHost | undefined {
  if (!isObj(m)) return undefined;
  if (m.type === 'ready') return typeof m.rss === 'number' && Number.isFinite(m.rss) ? { type: 'ready', rss: m.rss } : { type: 'ready' };
  if (m.type !== 'events' || !Array.isArray(m.events)) return undefined;
  const events: TrainerEvent[] = [];
  for (const e of m.events) {
    const ok = trainerEventFromJson(e);
    if (ok) events.push(ok);
  }
  return { type: 'events', events };
}

/** Validates a message to the trainer process; a `train` must carry a run id made by `newRunId`. */
export function isHostToTrainer(m: unknown): m is HostToTrainer {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'train':
      return isRunId(m.runId) && str(m.specText) && str(m.specPath) && isObj(m.options);
    case 'cancel':
    case 'pause':
    case 'resume':
    case 'warm':
      return true;
    case 'step':
      return Number.isInteger(m.epochs) && (m.epochs as number) >= 1;
    default:
      return false;
  }
}
