/** The one fold of a run's events into its state (src/core/run/state.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainerEvent } from '../../src/core/protocol';
import {
  epochsDone, foldRunEvent, foldRunEvents, latestTestAcc, newRunState, settleReplay, summaryOf, terminalEvent, totalEpochs,
} from '../../src/core/run/state';
import { done, epoch, frame, RUN_ID, run, start, stateOf, summary } from './ext-fixtures';

const REF = { runId: RUN_ID, specName: 'four' };

describe('run state', () => {
  test('running until the terminal event; the status words are RunSummary.status\'s', () => {
    const s = newRunState();
    assert.equal(s.status, 'running');
    foldRunEvents(s, [start(3), frame(0), epoch(0), epoch(1)]);
    assert.equal(s.status, 'running');
    assert.equal(epochsDone(s), 2);
    assert.equal(totalEpochs(s), 3);
    assert.equal(latestTestAcc(s), 0.995);
    foldRunEvent(s, done(summary({ epochs: 3, epochs_completed: 3 })));
    assert.equal(s.status, 'completed');
    assert.equal(terminalEvent(s)?.type, 'done');
    assert.equal(epochsDone(s), 3, 'the summary counts');
    assert.equal(stateOf({ type: 'cancelled', epoch: 4 }).status, 'cancelled');
    assert.equal(stateOf({ type: 'error', code: 'diverged', message: 'x' }).status, 'error');
  });

  test('nothing is folded after the terminal event (a crash after done stays done)', () => {
    const s = stateOf(...run(2));
    const crash: TrainerEvent = { type: 'error', code: 'crashed', message: 'exited' };
    assert.equal(foldRunEvent(s, crash), false);
    assert.equal(s.status, 'completed');
    assert.equal(s.error, undefined);
    const t = newRunState();
    assert.deepEqual(foldRunEvents(t, [start(2), epoch(0), { type: 'cancelled', epoch: 1 }, epoch(1), crash]).map((e) => e.type), ['start', 'epoch', 'cancelled']);
    assert.equal(epochsDone(t), 1);
  });

  test('start begins afresh; pause and resume', () => {
    const s = stateOf(start(5), epoch(0), epoch(1), { type: 'paused', epoch: 2 });
    assert.equal(s.paused, true);
    foldRunEvent(s, { type: 'resumed', epoch: 2 });
    assert.equal(s.paused, false);
    foldRunEvent(s, start(7));
    assert.equal(s.lastEpoch, undefined);
    assert.equal(totalEpochs(s), 7);
  });

  test('a replay of a run that is no longer going, without its end, is stopped', () => {
    const s = stateOf(start(5), epoch(0));
    settleReplay(s, true);
    assert.equal(s.status, 'running');
    settleReplay(s, false);
    assert.equal(s.status, 'cancelled');
    const finished = stateOf(...run(1));
    settleReplay(finished, false);
    assert.equal(finished.status, 'completed');
  });

  test("summaryOf: the trainer's summary, or one from the last epoch of a killed run; never made-up backend or device", () => {
    assert.equal(summaryOf(stateOf(...run(2)), REF)?.epochs_completed, 2);
    assert.equal(summaryOf(stateOf(start(2), epoch(0)), REF), undefined, 'still running');
    const killed = summaryOf(stateOf(start(10), epoch(0), epoch(1), { type: 'cancelled', epoch: 2 }), REF);
    assert.equal(killed?.status, 'cancelled');
    assert.equal(killed?.epochs_completed, 2);
    assert.equal(killed?.epochs, 10);
    assert.equal(killed?.backend, 'wasm');
    assert.equal(killed?.device, 'wasm');
    assert.equal(killed?.runId, RUN_ID);
    // Stopped before the trainer said which backend it chose: no summary, rather than 'cpu'.
    assert.equal(summaryOf(stateOf({ type: 'cancelled', epoch: 0 }), REF), undefined);
    assert.equal(summaryOf(stateOf({ type: 'error', code: 'crashed', message: 'x' }), REF), undefined);
  });
});
