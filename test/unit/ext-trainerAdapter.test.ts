import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainerEvent } from '../../src/core/protocol';
import { clientTrainer } from '../../src/extension/trainerAdapter';
import { tempDir } from './tempDir';

// Tiny stand-ins for dist/trainer.js speaking the IPC protocol: one that trains two
// epochs (and one malformed event, dropped by the client's guard), one that dies mid-run
// (like a native backend's SIGILL), one that ignores cancel.
const GOOD = `
process.on('message', (m) => {
  if (m.type !== 'train') return;
  const send = (event) => process.send({ type: 'events', events: [event] });
  send({ type: 'log', level: 'info', message: 'runId=' + m.runId + ' outDir=' + m.options.outDir });
  send({ type: 'epoch', epoch: 'zero' });
  send({ type: 'epoch', epoch: 0, trainLoss: 1, trainAcc: 0.5, testLoss: 1, testAcc: 0.5, elapsedMs: 1 });
  send({ type: 'epoch', epoch: 1, trainLoss: 0.5, trainAcc: 0.9, testLoss: 0.5, testAcc: 0.9, elapsedMs: 2 });
  send({ type: 'cancelled', epoch: 2 });
  process.send({ type: 'ready' }, () => process.exit(0));
});`;
const CRASH = `
process.on('message', (m) => {
  if (m.type !== 'train') return;
  process.send({ type: 'events', events: [{ type: 'log', level: 'info', message: 'about to crash' }] }, () => {
    process.stderr.write('Illegal instruction in libtensorflow\\n');
    process.kill(process.pid, 'SIGKILL');
  });
});`;
const STUBBORN = `process.on('message', () => {}); setInterval(() => {}, 1000);`;

let dir: string;
const started: { dispose(): void }[] = [];
before(() => {
  dir = tempDir('adapter-');
  writeFileSync(join(dir, 'good.js'), GOOD);
  writeFileSync(join(dir, 'crash.js'), CRASH);
  writeFileSync(join(dir, 'stubborn.js'), STUBBORN);
});
after(() => {
  for (const t of started) t.dispose(); // the pools' processes (a stubborn one would outlive the test)
});

function collect(script: string, opts = {}) {
  const start = clientTrainer(join(dir, script), opts);
  started.push(start);
  const run = start({ runId: '20260101-000000-0001', specText: '{}', specPath: '/w/a.blobs.json', options: { outDir: '/w/runs' } });
  const events: TrainerEvent[] = [];
  run.onEvent((e) => events.push(e));
  return { run, events };
}

describe('trainer adapter (a pool of trainer processes; stand-ins that speak the protocol)', () => {
  test('delivers every well-formed event in order, the request reaches the process, done settles after the exit', async () => {
    const { run, events } = collect('good.js');
    await run.done;
    assert.deepEqual(events.map((e) => e.type), ['log', 'epoch', 'epoch', 'cancelled']);
    assert.equal((events[0] as { message: string }).message, 'runId=20260101-000000-0001 outDir=/w/runs');
  });

  test('a crashed process ends the stream with error/crashed naming the signal', async () => {
    const { run, events } = collect('crash.js');
    await run.done;
    const last = events.at(-1)!;
    assert.equal(last.type, 'error');
    assert.equal((last as { code: string }).code, 'crashed');
    assert.match((last as { message: string }).message, /SIGKILL/);
  });

  test('kill ends a process that ignores cancel', async () => {
    const { run, events } = collect('stubborn.js', { cancelGraceMs: 100 });
    run.cancel();
    await run.done; // the client's grace timer killed it
    assert.equal(events.at(-1)?.type, 'cancelled');
  });
});
