import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainerEvent } from '../../src/core/protocol';
import {
  EVENTS_FILE, isTrainerEvent, parseRunHistory, readLatestRunHistory, serializeRunHistory, writeRunHistory,
} from '../../src/extension/runHistoryFile';
import { done, epoch, frame, run, start, summary } from './ext-fixtures';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'bc-hist-'));

describe('events.jsonl (a run read back after a window reload)', () => {
  test('round trip: header, every event, artifacts_dir replaced by where it was found', () => {
    const events = run(5);
    const text = serializeRunHistory({ runId: 'host-1', specName: 'four', events });
    const h = parseRunHistory(text, '/w/.blob-runs/four/20261128-181634-3f9a');
    assert.ok(h);
    assert.equal(h.header.runId, 'host-1');
    assert.equal(h.header.framesKept, 6);
    assert.equal(h.events.length, events.length);
    assert.deepEqual(h.events.slice(0, -1), events.slice(0, -1));
    const last = h.events.at(-1);
    assert.equal(last?.type === 'done' && last.summary.artifacts_dir, '/w/.blob-runs/four/20261128-181634-3f9a');
  });

  test('frames are thinned to the disk budget', () => {
    const events: TrainerEvent[] = [start(1000), frame(0)];
    for (let i = 0; i < 1000; i++) events.push(epoch(i), frame(i + 1));
    events.push(done(summary({ epochs: 1000, epochs_completed: 1000 })));
    const h = parseRunHistory(serializeRunHistory({ runId: 'r', specName: 'a', events }, { maxFrames: 30, maxBytes: Infinity }));
    assert.ok(h);
    const fr = h.events.filter((e) => e.type === 'frame').map((e) => e.epoch);
    assert.ok(fr.length <= 30);
    assert.equal(fr[0], 0);
    assert.equal(fr.at(-1), 1000);
    assert.equal(h.header.framesSeen, 1001);
    assert.equal(h.events.filter((e) => e.type === 'epoch').length, 1000);
  });

  test('NaN losses survive (JSON writes them as null)', () => {
    const events: TrainerEvent[] = [start(2), epoch(0, NaN), { type: 'error', code: 'diverged', message: 'loss is NaN', epoch: 0 }];
    const h = parseRunHistory(serializeRunHistory({ runId: 'r', specName: 'a', events }));
    assert.ok(h);
    const e = h.events[1];
    assert.ok(e.type === 'epoch' && Number.isNaN(e.trainLoss));
  });

  test('rejects unfinished, truncated, foreign or tampered files', () => {
    const good = serializeRunHistory({ runId: 'r', specName: 'a', events: run(2) });
    const lines = good.trim().split('\n');
    assert.equal(parseRunHistory(lines.slice(0, -1).join('\n')), undefined, 'no terminal event');
    assert.equal(parseRunHistory(good.slice(0, good.length - 20)), undefined, 'cut mid-line');
    assert.equal(parseRunHistory(lines.slice(1).join('\n')), undefined, 'no header');
    assert.equal(parseRunHistory([lines[0], ...lines.slice(2)].join('\n')), undefined, 'no start first');
    const bad = (i: number, patch: object) => {
      const l = [...lines];
      l[i] = JSON.stringify({ ...JSON.parse(l[i]), ...patch });
      return parseRunHistory(l.join('\n'));
    };
    assert.equal(bad(2, { cls: '<img src=x onerror=alert(1)>' }), undefined, 'frame data not base64');
    assert.equal(bad(3, { type: 'script' }), undefined, 'unknown event');
    assert.equal(bad(3, { trainLoss: '1' }), undefined, 'wrong field type');
    assert.equal(bad(0, { format: 'other' }), undefined, 'foreign header');
    assert.ok(parseRunHistory(good));
  });

  test('isTrainerEvent accepts every fixture event', () => {
    for (const e of run(3)) assert.ok(isTrainerEvent(e), e.type);
    assert.ok(isTrainerEvent({ type: 'cancelled', epoch: 3, summary: summary({ status: 'cancelled' }) }));
    assert.ok(!isTrainerEvent({ type: 'log', level: 'debug', message: 'x' }));
  });

  test('writes atomically inside the workspace and reads the newest run back', async () => {
    const root = tmp();
    try {
      const specRuns = path.join(root, '.blob-runs', 'four');
      const older = path.join(specRuns, '20261128-100000-aaaa');
      const newer = path.join(specRuns, '20261128-110000-bbbb');
      mkdirSync(older, { recursive: true });
      mkdirSync(newer, { recursive: true });
      mkdirSync(path.join(specRuns, '20261128-120000-cccc.partial'));
      await writeRunHistory(older, root, { runId: 'old', specName: 'four', events: run(1) });
      await writeRunHistory(newer, root, { runId: 'new', specName: 'four', events: run(2) });
      assert.deepEqual(readdirSync(newer), [EVENTS_FILE], 'no temporary file left');
      const h = await readLatestRunHistory(specRuns);
      assert.equal(h?.header.runId, 'new');
      assert.equal(h?.dir, newer);
      // A newest folder without events.jsonl (a CLI run) restores nothing, not an older run.
      mkdirSync(path.join(specRuns, '20261128-130000-dddd'));
      assert.equal(await readLatestRunHistory(specRuns), undefined);
      // A corrupt file restores nothing.
      writeFileSync(path.join(specRuns, '20261128-130000-dddd', EVENTS_FILE), '{"format":"blob-classifier-events"}\n{');
      assert.equal(await readLatestRunHistory(specRuns), undefined);
      assert.equal(await readLatestRunHistory(path.join(root, 'missing')), undefined);
      assert.ok(readFileSync(path.join(newer, EVENTS_FILE), 'utf8').startsWith('{"format":"blob-classifier-events"'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('refuses to write outside the workspace folder or into a missing folder', async () => {
    const root = tmp();
    const other = tmp();
    try {
      await assert.rejects(writeRunHistory(other, root, { runId: 'r', specName: 'a', events: run(1) }), /outside/);
      await assert.rejects(writeRunHistory(path.join(root, 'nope'), root, { runId: 'r', specName: 'a', events: run(1) }));
      assert.deepEqual(readdirSync(other), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(other, { recursive: true, force: true });
    }
  });
});
