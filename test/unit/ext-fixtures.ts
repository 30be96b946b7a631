/** Small builders of protocol events for the extension's unit tests. */
import type { DoneEvent, EpochEvent, FrameEvent, RunSummary, StartEvent, TrainerEvent } from '../../src/core/protocol';
import { foldRunEvents, newRunState, type RunState } from '../../src/core/run/state';
import type { Problem } from '../../src/core/spec/problems';

/** The run id of the fixtures' run (as `newRunId` makes them). */
export const RUN_ID = '20260101-000000-0001';

export function start(epochs = 3): StartEvent {
  return {
    type: 'start',
    runId: RUN_ID,
    specName: 'four',
    spec: {} as StartEvent['spec'],
    backend: 'wasm',
    device: 'wasm',
    reason: 'test',
    data: { generator: 'make_blobs', nSamples: 10, nFeatures: 2, nClasses: 2, nTrain: 8, nTest: 2, classNames: ['0', '1'], featureNames: ['x1', 'x2'] },
    model: { layers: [2, 2], activation: 'none', params: 6 },
    epochs,
    points: { train: { xy: [], label: [], total: 0, sampled: false }, test: { xy: [], label: [], total: 0, sampled: false } },
    bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 },
    resolution: 2,
    versions: {},
    startedAt: '2026-01-01T00:00:00Z',
  };
}

export function epoch(i: number, loss = 1 / (i + 1)): EpochEvent {
  return { type: 'epoch', epoch: i, trainLoss: loss, trainAcc: 0.9, testLoss: loss, testAcc: 0.995, elapsedMs: (i + 1) * 10 };
}

export function frame(i: number): FrameEvent {
  return { type: 'frame', epoch: i, resolution: 2, bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 }, cls: 'AAAA', conf: 'AAAA', predTrain: '', predTest: '' };
}

export function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN_ID, name: 'four', epochs: 100, epochs_completed: 100, train_loss: 0.03, train_acc: 0.99, test_loss: 0.024, test_acc: 0.995,
    backend: 'wasm', device: 'wasm', train_wall_s: 0.42, epochs_per_s: 238, status: 'completed', ...over,
  };
}

export function done(s: RunSummary = summary()): DoneEvent {
  const ev = { accuracy: 1, loss: 0, confusion: [], perClass: [], macro: { precision: 1, recall: 1, f1: 1 }, weighted: { precision: 1, recall: 1, f1: 1 } };
  return { type: 'done', summary: s, evaluation: { train: ev, test: ev } };
}

export function run(epochs: number): TrainerEvent[] {
  const out: TrainerEvent[] = [start(epochs), frame(0)];
  for (let i = 0; i < epochs; i++) out.push(epoch(i), frame(i + 1));
  out.push(done(summary({ epochs, epochs_completed: epochs })));
  return out;
}

export function problem(over: Partial<Problem> & { offset?: number } = {}): Problem {
  const offset = over.offset ?? 10;
  return {
    code: 'range',
    severity: 'error',
    message: 'must be > 0',
    path: ['data', 'cluster_std'],
    range: { offset, length: 3, start: { line: 2, character: 4 }, end: { line: 2, character: 7 } },
    ...over,
  };
}

/** A run's state after `events` (the core reducer). */
export function stateOf(...events: TrainerEvent[]): RunState {
  const s = newRunState();
  foldRunEvents(s, events);
  return s;
}
