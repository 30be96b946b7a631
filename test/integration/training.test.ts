import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, lenses, lensTitles, specUri, waitFor, writeSpec, note } from './helpers';

describe('training', () => {
  it("trains notebook.blobs.json through the API to the notebook's accuracy", async () => {
    const bc = await api();
    const uri = specUri('notebook.blobs.json');
    const t0 = Date.now();
    const s = await bc.train(uri);
    note(`${s.epochs_completed}/${s.epochs} epochs, test acc ${(s.test_acc * 100).toFixed(2)}%, ${s.backend}/${s.device}, ${Date.now() - t0} ms`);
    assert.strictEqual(s.status, 'completed');
    assert.strictEqual(s.epochs, 100);
    assert.strictEqual(s.epochs_completed, 100);
    assert.ok(s.test_acc >= 0.99, `test_acc ${s.test_acc} < 0.99`);
    const events = bc.getRunEvents(uri);
    assert.strictEqual(events[0]?.type, 'start');
    assert.strictEqual(events.at(-1)?.type, 'done');
    assert.strictEqual(events.filter((e) => e.type === 'epoch').length, 100);
    assert.strictEqual(bc.isTraining(uri), false);
  });

  it('shows the result in the CodeLens afterwards', async () => {
    const uri = specUri('notebook.blobs.json');
    const ls = await waitFor('a result CodeLens', async () => {
      const l = await lenses(uri);
      return lensTitles(l).some((t) => /test acc \d+(\.\d+)?%/.test(t)) ? l : undefined;
    }, 10_000);
    note(`lenses: ${lensTitles(ls).join(' | ')}`);
  });

  it('trains through the blobClassifier.train command', async () => {
    const bc = await api();
    const uri = writeSpec('command.blobs.json', (s) => {
      s.name = 'Via command';
      s.training.epochs = 10;
    });
    const before = bc.getRuns(uri).length;
    await vscode.commands.executeCommand('blobClassifier.train', uri);
    const run = await waitFor('a run of command.blobs.json', () => bc.getRuns(uri).at(before), 30_000);
    const ended = await bc.waitForRun(run.runId);
    assert.strictEqual(ended?.status, 'completed');
    assert.strictEqual(ended?.epochsDone, 10);
  });

  it('stops a long run, and the next run starts cleanly', async () => {
    const bc = await api();
    const uri = writeSpec('long.blobs.json', (s) => {
      s.name = 'Long run';
      s.training.epochs = 1000000;
    });
    const runId = await bc.startTraining(uri);
    assert.ok(bc.isTraining(uri));
    await waitFor('a few epochs', () => (bc.getRuns(uri).find((r) => r.runId === runId)?.epochsDone ?? 0) >= 3, 60_000);
    // While it runs the lens offers Stop (no epoch count: the status bar has it; VS Code's own CodeLens command).
    const running = lensTitles(await lenses(uri));
    assert.ok(running.includes('■ Stop training'), `lenses while training: ${running.join(' | ')}`);
    assert.ok(!running.some((t) => t.startsWith('▶ Train')), `no Train lens while training: ${running.join(' | ')}`);
    const t0 = Date.now();
    await bc.stop(uri);
    const stopMs = Date.now() - t0;
    assert.strictEqual(bc.isTraining(uri), false);
    const stopped = bc.getRuns(uri).find((r) => r.runId === runId);
    assert.strictEqual(stopped?.status, 'cancelled');
    assert.ok(stopped!.epochsDone < 1000000);
    assert.strictEqual(bc.getRunEvents(uri).at(-1)?.type, 'cancelled');
    note(`stopped at epoch ${stopped!.epochsDone} in ${stopMs} ms`);

    const s = await bc.train(uri, { epochs: 5 });
    assert.strictEqual(s.status, 'completed');
    assert.strictEqual(s.epochs_completed, 5);
    assert.notStrictEqual(s.runId, runId);
  });

  // Issue 10's "Train again": the warm trainer, from the command (what the panel's Train
  // button and the CodeLens call) to the run's `done` in the extension host. Reported, not
  // bounded: a loaded CI machine must not fail it (the benchmark measures it from a click).
  it('"Train again" on the notebook spec runs in the warm trainer: command → done in the host', async () => {
    const bc = await api();
    const uri = specUri('notebook.blobs.json');
    await bc.train(uri); // the pool's process has run this spec once
    const ms: number[] = [];
    const loops: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const rec = await vscode.commands.executeCommand<{ ref: { runId: string } } | undefined>('blobClassifier.train', uri);
      assert.ok(rec?.ref.runId, 'the command resolves with the run it started');
      const ended = await bc.waitForRun(rec.ref.runId);
      ms.push(performance.now() - t0);
      loops.push((ended?.summary?.train_wall_s ?? NaN) * 1000);
      assert.strictEqual(ended?.status, 'completed');
      assert.strictEqual(ended?.epochsDone, 100);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    note(`Train again (command → done in the host), n=${ms.length}: median ${sorted[3].toFixed(0)} ms, ${sorted[0].toFixed(0)}–${sorted.at(-1)!.toFixed(0)} ms; all ${ms.map((x) => x.toFixed(0)).join(', ')}; the trainer's loop with its frames: ${loops.map((x) => x.toFixed(0)).join(', ')} ms`);
  });

  it('kept the extension host responsive while training', async () => {
    const bc = await api();
    const lag = bc.maxEventLoopLagMs();
    note(`worst event-loop lag during runs: ${lag.toFixed(1)} ms`);
    assert.ok(lag < 1000, `event loop lagged ${lag} ms`);
  });
});
