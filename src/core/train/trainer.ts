/**
 * The streaming trainer: `train(...)` is an async generator of `TrainerEvent`s:
 *
 *   start → frame(0, untrained) → { epoch, log?, frame?, paused/resumed? }* →
 *   done | error | cancelled
 *
 * Frames (the decision boundary after N completed epochs) follow `FrameClock`: by default
 * every epoch of a short run and ~200 over a long one, densest early, within a time and
 * byte budget; the first and the final one at full resolution. A pause first sends the
 * paused model's frame, so every step (`RunControl.step`) draws its frame.
 *
 * It owns every tensor it creates and disposes them all before finishing (the net too,
 * after `onFinish` had the chance to save it). It never throws for training failures:
 * divergence becomes `ErrorEvent{code:'diverged'}`, anything unexpected
 * `ErrorEvent{code:'internal'}`.
 *
 * Between epochs it checks the cancel signal and the pause gate, and yields to the event
 * loop at least every YIELD_MS so IPC/abort messages are processed: a cancel is honoured
 * at the next epoch boundary, or — for long epochs (`TrainLoop.interruptible`: 1M rows,
 * wide layers) — between row chunks and mini-batches, the abandoned epoch undone. A pause
 * takes effect at the next epoch boundary. Time spent paused is left out of `elapsedMs` and
 * `train_wall_s`.
 */

import { version } from '../../../package.json';
import type { SplitDataset } from '../data/dataset';
import type {
  DataSummary,
  DoneEvent,
  EpochEvent,
  Evaluation,
  FrameEvent,
  RunSummary,
  StartEvent,
  TrainerEvent,
} from '../protocol';
import type { BlobSpec } from '../spec/types';
import type { LoadedBackend } from './backends';
import type { RunControl } from './control';
import { evaluate } from './evaluate';
import { pct, pyFixed } from '../figure/format';
import { dataBounds, FrameClock, FrameMaker, samplePoints, type AutoFramePolicy } from './frames';
import { kernels } from './kernels';
import { hostHead, TrainLoop } from './loop';
import { buildNet, disposeNet, forward, layerSizes, modelSummary, paramCount, type Net } from './model';
import { startWorkers } from './parallel/plan';

const YIELD_MS = 4;

export interface TrainInput {
  spec: BlobSpec;
  runId: string;
  data: SplitDataset;
  backend: LoadedBackend;
  /** Most points per split in `start.points` (default 3000). */
  maxPoints?: number;
  control?: RunControl;
  /** The `auto` frame budget (default AUTO_FRAMES); tests and benchmarks pass their own. */
  framePolicy?: AutoFramePolicy;
  /** Threads to split each step across (TrainerOptions.workers); default auto. */
  workers?: number;
  /**
   * Called once training ends (completed or cancelled), before the terminal event and
   * before the net is disposed: the place to write artifacts. What it returns is merged
   * into the summary (e.g. artifacts_dir). Errors here are reported as a warning log.
   */
  onFinish?: (run: FinishedRun) => Promise<Partial<RunSummary> | void>;
}

/** Everything an artifact writer needs about a finished (or cancelled) run. */
export interface FinishedRun {
  start: StartEvent;
  epochs: EpochEvent[];
  lastFrame: FrameEvent;
  summary: RunSummary;
  evaluation: DoneEvent['evaluation'];
  net: Net;
  backend: LoadedBackend;
}

/** The notebook's log line (`f"{loss:.5f}"`: always fixed-point, as Python prints it). */
export function formatLogLine(e: Pick<EpochEvent, 'epoch' | 'trainLoss' | 'trainAcc' | 'testLoss' | 'testAcc'>): string {
  return (
    `Epoch: ${e.epoch} | Loss: ${pyFixed(e.trainLoss, 5)}, Acc: ${pct(e.trainAcc)} | ` +
    `Test Loss: ${pyFixed(e.testLoss, 5)}, Test Acc: ${pct(e.testAcc)}`
  );
}

export function dataSummary(spec: BlobSpec, data: SplitDataset): DataSummary {
  return {
    generator: spec.data.generator,
    nSamples: data.all.n,
    nFeatures: data.all.d,
    nClasses: data.nClasses,
    nTrain: data.train.n,
    nTest: data.test.n,
    classNames: data.classNames,
    featureNames: data.featureNames,
  };
}

function suggestLr(lr: number): string {
  const smaller = Number((lr / 10).toPrecision(2));
  return `try a smaller learning rate (lr is ${lr}; e.g. ${smaller})`;
}

export async function* train(input: TrainInput): AsyncGenerator<TrainerEvent, void, undefined> {
  const { spec, data, backend, control } = input;
  const { tf } = backend;
  const k = kernels(tf);
  const epochs = spec.training.epochs;
  const sizes = layerSizes(data.all.d, spec.model.hidden_units, data.nClasses);
  const resolution = spec.boundary.resolution;
  const maxPoints = input.maxPoints ?? 3000;

  let net: Net | undefined;
  let loop: TrainLoop | undefined;
  let frames: FrameMaker | undefined;
  try {
    net = buildNet(tf, sizes, spec.model.activation, spec.seed);
    loop = new TrainLoop(tf, net, data, {
      optimizer: spec.training.optimizer,
      lr: spec.training.lr,
      momentum: spec.training.momentum,
      weightDecay: spec.training.weight_decay,
      batchSize: spec.training.batch_size,
      seed: spec.seed,
    });
    const batch = spec.training.batch_size;
    const workers = await startWorkers(loop, {
      requested: input.workers,
      backend: tf.getBackend(),
      params: paramCount(sizes),
      stepRows: batch === 'full' ? data.train.n : Math.min(batch, data.train.n),
      nTrain: data.train.n,
      nTest: data.test.n,
      epochs,
    });
    const ptsTrain = samplePoints(data.train, maxPoints, spec.seed);
    const ptsTest = samplePoints(data.test, maxPoints, spec.seed);
    const bounds = dataBounds(data.all, spec.boundary.padding);
    const clock = new FrameClock(spec.boundary.every, epochs, {
      resolution,
      points: ptsTrain.idx.length + ptsTest.idx.length,
      params: paramCount(sizes),
      policy: input.framePolicy,
    });
    frames = new FrameMaker(
      tf,
      k,
      bounds,
      resolution,
      { train: data.train, test: data.test, trainIdx: ptsTrain.idx, testIdx: ptsTest.idx, featureNames: data.featureNames },
      clock.coarseResolution,
    );

    const start: StartEvent = {
      type: 'start',
      runId: input.runId,
      specName: spec.name,
      spec,
      backend: backend.backend,
      device: backend.device,
      reason: backend.reason,
      workers,
      data: dataSummary(spec, data),
      model: modelSummary(sizes, spec.model.activation),
      epochs,
      points: { train: ptsTrain.set, test: ptsTest.set },
      bounds,
      resolution,
      versions: { 'blob-classifier': version, ...tf.version, node: process.versions.node, backend: tf.getBackend() },
      startedAt: new Date().toISOString(),
      featureMeans: Array.from(frames.means),
    };
    yield start;
    const fm = frames;
    const n = net;
    /** A frame of the model after `completed` epochs, its cost charged to the clock. */
    const frameAt = async (completed: number, grid = clock.gridFor(completed)): Promise<FrameEvent> => {
      const f0 = performance.now();
      const f = await fm.frame(n, completed, grid);
      clock.sent(completed, performance.now() - f0);
      return f;
    };
    let lastFrame = await frameAt(0);
    yield lastFrame;

    const history: EpochEvent[] = [];
    const t0 = performance.now();
    let lastYield = t0;
    let pausedMs = 0; // time spent paused does not count as training time
    let cancelled = false;

    for (let epoch = 0; epoch < epochs; epoch++) {
      // Paused: wait for resume, cancel or a step (`takeStep` lets one epoch through).
      let announced = false;
      while (control?.paused && !control.cancelled && !control.takeStep()) {
        if (!announced) {
          // The paused model's boundary first, at full resolution (a paused or stepped
          // view shows where it is, for as long as one looks).
          if (lastFrame.epoch !== epoch || lastFrame.resolution !== resolution) yield (lastFrame = await frameAt(epoch, 'full'));
          yield { type: 'paused', epoch };
          announced = true;
        }
        const p0 = performance.now();
        await control.waitWhilePaused();
        pausedMs += performance.now() - p0;
      }
      if (announced && !control?.cancelled && !control?.paused) yield { type: 'resumed', epoch };
      if (control?.cancelled) {
        cancelled = true;
        break;
      }
      // Long epochs (1M rows, wide layers: seconds each) yield between row chunks and
      // batches, so a cancel is seen mid-epoch; the abandoned epoch is undone.
      const m = loop.interruptible ? await loop.epochAsync(() => !!control?.cancelled) : loop.epoch();
      if (!m) {
        cancelled = true;
        yield { type: 'log', level: 'info', message: `Cancelled during epoch ${epoch}: its partial updates were undone; the model is the one after ${epoch} epoch${epoch === 1 ? '' : 's'}.` };
        break;
      }
      const ev: EpochEvent = { type: 'epoch', epoch, ...m, elapsedMs: performance.now() - t0 - pausedMs };
      if (!Number.isFinite(m.trainLoss) || !Number.isFinite(m.testLoss)) {
        const what = Number.isNaN(m.trainLoss) || Number.isNaN(m.testLoss) ? 'NaN' : 'infinite';
        yield {
          type: 'error',
          code: 'diverged',
          epoch,
          message: `Training diverged at epoch ${epoch}: the loss became ${what}; ${suggestLr(spec.training.lr)}.`,
        };
        return;
      }
      history.push(ev);
      yield ev;
      if (spec.training.log_every > 0 && epoch % spec.training.log_every === 0) {
        yield { type: 'log', level: 'info', message: formatLogLine(ev) };
      }
      if (clock.due(epoch + 1, performance.now() - t0 - pausedMs)) yield (lastFrame = await frameAt(epoch + 1));
      const now = performance.now();
      if (now - lastYield >= YIELD_MS) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }

    const wall = (performance.now() - t0 - pausedMs) / 1000;
    const completed = history.length;
    // The final model at full resolution (intermediate frames may be coarser). A
    // cancelled run's frame is yielded too, so a replay ends where the run stopped.
    if (completed > 0 && (lastFrame.epoch !== completed || lastFrame.resolution !== resolution)) {
      lastFrame = await frameAt(completed, 'full');
      if (cancelled) yield lastFrame;
    }
    const last = history[completed - 1];
    const evaluation = await finalEvaluation(tf, k, net, data);
    const summary: RunSummary = {
      runId: input.runId,
      name: spec.name,
      epochs,
      epochs_completed: completed,
      train_loss: last ? last.trainLoss : evaluation.train.loss,
      train_acc: last ? last.trainAcc : evaluation.train.accuracy,
      test_loss: last ? last.testLoss : evaluation.test.loss,
      test_acc: last ? last.testAcc : evaluation.test.accuracy,
      backend: backend.backend,
      device: backend.device,
      train_wall_s: wall,
      epochs_per_s: wall > 0 ? completed / wall : 0,
      status: cancelled ? 'cancelled' : 'completed',
    };
    if (input.onFinish) {
      try {
        const extra = await input.onFinish({ start, epochs: history, lastFrame, summary, evaluation, net, backend });
        if (extra) Object.assign(summary, extra);
      } catch (e) {
        yield { type: 'log', level: 'warn', message: `Could not write the run's artifacts: ${(e as Error).message}` };
      }
    }
    if (cancelled) yield { type: 'cancelled', epoch: completed, summary };
    else yield { type: 'done', summary, evaluation };
  } catch (e) {
    yield { type: 'error', code: 'internal', message: `Training failed: ${(e as Error)?.message ?? String(e)}` };
  } finally {
    frames?.dispose();
    loop?.dispose();
    if (net) disposeNet(net);
  }
}

/** Rows per forward pass of the final evaluation (bounds memory at 1M rows). */
export const EVAL_CHUNK_ROWS = 65536;

/**
 * Loss, predictions and metrics of the final weights on both splits: one forward and
 * read-back per chunk of EVAL_CHUNK_ROWS rows, with an event-loop turn between chunks
 * (a second Ctrl-C still quits during a long evaluation).
 */
async function finalEvaluation(
  tf: LoadedBackend['tf'],
  k: ReturnType<typeof kernels>,
  net: Net,
  data: SplitDataset,
): Promise<{ train: Evaluation; test: Evaluation }> {
  const K = data.nClasses;
  const one = async (ds: SplitDataset['train']): Promise<Evaluation> => {
    if (ds.n === 0) return evaluate([], [], K, 0);
    const pred = new Int32Array(ds.n);
    let lossSum = 0;
    for (let s = 0; s < ds.n; s += EVAL_CHUNK_ROWS) {
      if (s > 0) await new Promise<void>((r) => setImmediate(r));
      const m = Math.min(EVAL_CHUNK_ROWS, ds.n - s);
      const logitsT = tf.tidy(() => forward(k, net, tf.tensor3d(Float32Array.from(ds.X.subarray(s * ds.d, (s + m) * ds.d)), [1, m, ds.d])).logits);
      const z = await logitsT.data(); // awaited: webgpu cannot read synchronously
      logitsT.dispose();
      lossSum += hostHead(z, ds.y.subarray(s, s + m), K, 0)[0];
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let j = 1; j < K; j++) if (z[i * K + j] > z[i * K + best]) best = j;
        pred[s + i] = best;
      }
    }
    return evaluate(ds.y, pred, K, lossSum / ds.n);
  };
  return { train: await one(data.train), test: await one(data.test) };
}
