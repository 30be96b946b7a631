/**
 * A run on disk (src/core/run/): ids, the event history file, the folder's atomic
 * write, reading and listing it back, pruning. A process killed while it saves a run
 * leaves either the whole folder or only a `.partial` that readers skip and the next
 * write removes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainerEvent } from '../../src/core/protocol';
import { isTrainerEvent } from '../../src/core/protocol';
import {
  latestRunDir, listRuns, pruneRuns, readLatestRunHistory, readLatestSummary, readRunHistory, readRunSummary, removeStalePartials, RUN_FILES,
  RunFolderWriter,
} from '../../src/core/run/folder';
import { HistoryRecorder, parseRunHistory } from '../../src/core/run/history';
import { isRunId, newRunId } from '../../src/core/run/id';
import { done, epoch, frame, RUN_ID, run, start, summary } from './ext-fixtures';
import { tempDir } from './tempDir';

function historyText(events: readonly TrainerEvent[], runId = RUN_ID, budget?: { maxFrames: number; maxBytes: number }): string {
  const h = new HistoryRecorder(runId, 'four', budget);
  for (const e of events) h.push(e);
  return h.serialize();
}

/** A complete run folder as the trainer leaves it (the files that matter to readers). */
function writeRun(parent: string, runId: string, events: TrainerEvent[] = run(2)): string {
  const w = new RunFolderWriter(parent, runId);
  w.open();
  w.write(RUN_FILES.summary, JSON.stringify(summary({ runId })));
  w.write(RUN_FILES.model, '{}');
  w.write(RUN_FILES.weights, new Uint8Array(4));
  return w.commit(historyText(events, runId));
}

describe('run ids', () => {
  test('time to the second plus 16 random bits; they sort chronologically', () => {
    const a = newRunId(new Date(2026, 0, 2, 3, 4, 5), () => 0x8000);
    assert.equal(a, '20260102-030405-8000');
    assert.ok(newRunId(new Date(2026, 0, 2, 3, 4, 6), () => 0) > a);
    assert.ok(isRunId(newRunId()));
    for (const bad of ['', 'run1', '../20260102-030405-8000', '20260102-030405-8000.partial', '20260102-030405-800g', 42]) assert.ok(!isRunId(bad), String(bad));
  });
});

describe('events.jsonl', () => {
  test('round trip: header with the run id, every event, artifacts_dir = where it was found', () => {
    const events = run(5);
    const h = parseRunHistory(historyText(events), `/w/.blob-runs/four/${RUN_ID}`);
    assert.ok(h);
    assert.equal(h.header.runId, RUN_ID);
    assert.equal(h.header.framesKept, 6);
    assert.equal(h.events.length, events.length);
    assert.deepEqual(h.events.slice(0, -1), events.slice(0, -1));
    const last = h.events.at(-1);
    assert.equal(last?.type === 'done' && last.summary.artifacts_dir, `/w/.blob-runs/four/${RUN_ID}`);
  });

  test('frames are thinned to the disk budget as they stream', () => {
    const events: TrainerEvent[] = [start(1000), frame(0)];
    for (let i = 0; i < 1000; i++) events.push(epoch(i), frame(i + 1));
    events.push(done(summary({ epochs: 1000, epochs_completed: 1000 })));
    const h = parseRunHistory(historyText(events, RUN_ID, { maxFrames: 30, maxBytes: Infinity }));
    assert.ok(h);
    const fr = h.events.filter((e) => e.type === 'frame').map((e) => e.epoch);
    assert.ok(fr.length <= 30);
    assert.equal(fr[0], 0);
    assert.equal(fr.at(-1), 1000);
    assert.equal(h.header.framesSeen, 1001);
    assert.equal(h.header.framesKept, fr.length);
    assert.equal(h.events.filter((e) => e.type === 'epoch').length, 1000);
  });

  test('NaN losses survive (JSON writes them as null)', () => {
    const events: TrainerEvent[] = [start(2), epoch(0, NaN), { type: 'error', code: 'diverged', message: 'loss is NaN', epoch: 0 }];
    const h = parseRunHistory(historyText(events));
    assert.ok(h);
    const e = h.events[1];
    assert.ok(e.type === 'epoch' && Number.isNaN(e.trainLoss));
  });

  test('rejects unfinished, truncated, foreign or tampered files', () => {
    const good = historyText(run(2));
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
});

describe('run folders: write, list, read', () => {
  test('a run is written into a .partial folder that readers skip, then renamed whole', async () => {
    const parent = join(tempDir('runs-'), '.blob-runs', 'four');
    const w = new RunFolderWriter(parent, RUN_ID);
    const partial = w.open();
    assert.ok(partial.endsWith(`${RUN_ID}.${process.pid}.partial`));
    w.write(RUN_FILES.summary, JSON.stringify(summary()));
    assert.deepEqual(await listRuns(parent), [], 'a run being written is not listed');
    assert.equal(await readLatestSummary(parent), undefined);
    const dir = w.commit(historyText(run(1)));
    assert.equal(dir, join(parent, RUN_ID));
    assert.deepEqual(readdirSync(parent), [RUN_ID]);
    assert.deepEqual(readdirSync(dir).sort(), [RUN_FILES.events, RUN_FILES.summary]);
    assert.deepEqual(await listRuns(parent), [RUN_ID]);
    assert.equal((await readLatestSummary(parent))?.artifacts_dir, dir);
  });

  test('files added after the commit (the figures) arrive whole under their name; a half-written one is pruned', async () => {
    const parent = join(tempDir('runs-'), '.blob-runs', 'four');
    const w = new RunFolderWriter(parent, RUN_ID);
    w.open();
    assert.throws(() => w.addFile(RUN_FILES.figureSvg, '<svg/>'), /not committed/);
    w.write(RUN_FILES.summary, JSON.stringify(summary()));
    const dir = w.commit(historyText(run(1)));
    w.addFile(RUN_FILES.figureSvg, '<svg/>');
    assert.equal(readFileSync(join(dir, RUN_FILES.figureSvg), 'utf8'), '<svg/>');
    assert.deepEqual(readdirSync(dir).sort(), [RUN_FILES.events, RUN_FILES.figureSvg, RUN_FILES.summary]);
    // A writer killed while adding one leaves it under its temporary name: ours to prune.
    writeFileSync(join(dir, `.tmp-figure.png.${process.pid}`), 'half');
    writeRun(parent, '20270101-000000-0001');
    assert.deepEqual(await pruneRuns(parent, 1), [dir]);
    assert.ok(!existsSync(dir), 'nothing of the user in it: removed');
  });

  test('refuses a name that is not a run id, and a run that exists', () => {
    const parent = tempDir('runs-');
    assert.throws(() => new RunFolderWriter(parent, '../escape'), /not a run id/);
    writeRun(parent, RUN_ID);
    assert.throws(() => new RunFolderWriter(parent, RUN_ID).open(), /already exists/);
  });

  test('abandon removes the unfinished run', () => {
    const parent = tempDir('runs-');
    const w = new RunFolderWriter(parent, RUN_ID);
    w.open();
    w.write(RUN_FILES.metrics, 'x');
    w.abandon();
    assert.deepEqual(readdirSync(parent), []);
  });

  test('listRuns: run folders only, newest first; latestRunDir', async () => {
    const parent = tempDir('runs-');
    for (const n of ['20260101-000000-0001', '20260103-000000-0003', '20260102-000000-0002', 'notes', '20260104-000000-0004.123.partial']) mkdirSync(join(parent, n));
    writeFileSync(join(parent, '20260105-000000-0005'), 'a file, not a run');
    assert.deepEqual(await listRuns(parent), ['20260103-000000-0003', '20260102-000000-0002', '20260101-000000-0001']);
    assert.equal(await latestRunDir(parent), join(parent, '20260103-000000-0003'));
    assert.deepEqual(await listRuns(join(parent, 'missing')), []);
  });

  test('summary.json read back: the RunSummary fields, artifacts_dir = where it was found; anything else rejected', async () => {
    const parent = tempDir('runs-');
    const good = { ...summary({ runId: '20260101-000000-0001' }), artifacts_dir: '/old/place', evaluation: {} };
    const put = (name: string, body: string) => {
      mkdirSync(join(parent, name));
      writeFileSync(join(parent, name, RUN_FILES.summary), body);
    };
    put('20260101-000000-0001', JSON.stringify(good));
    put('20260102-000000-0002', '{broken');
    put('20260103-000000-0003', JSON.stringify({ ...good, test_acc: '99%' }));
    put('20260104-000000-0004', JSON.stringify({ ...good, status: 'running' }));
    put('20260105-000000-0005.77.partial', JSON.stringify(good));
    const s = await readRunSummary(join(parent, '20260101-000000-0001'));
    assert.equal(s?.test_acc, 0.995);
    assert.equal(s?.artifacts_dir, join(parent, '20260101-000000-0001'));
    assert.equal((s as unknown as Record<string, unknown>).evaluation, undefined);
    assert.equal((await readLatestSummary(parent))?.runId, '20260101-000000-0001', 'the newest valid one');
    assert.equal(await readLatestSummary(join(parent, 'none')), undefined);
  });

  test('readLatestRunHistory: the newest run only, when its events.jsonl is valid', async () => {
    const parent = tempDir('runs-');
    writeRun(parent, '20261128-100000-aaaa', run(1));
    const newer = writeRun(parent, '20261128-110000-bbbb', run(2));
    mkdirSync(join(parent, '20261128-120000-cccc.1.partial'));
    const h = await readLatestRunHistory(parent);
    assert.equal(h?.header.runId, '20261128-110000-bbbb');
    assert.equal(h?.dir, newer);
    assert.deepEqual(await readRunHistory(newer), { header: h?.header, events: h?.events });
    // A newest folder without a valid events.jsonl restores nothing, not an older run.
    mkdirSync(join(parent, '20261128-130000-dddd'));
    assert.equal(await readLatestRunHistory(parent), undefined);
    writeFileSync(join(parent, '20261128-130000-dddd', RUN_FILES.events), '{"format":"blob-classifier-events"}\n{');
    assert.equal(await readLatestRunHistory(parent), undefined);
    assert.equal(await readLatestRunHistory(join(parent, 'missing')), undefined);
  });

  test('a crashed writer\'s .partial is removed by the next write; a live one is kept', () => {
    const parent = tempDir('partial-');
    const dead = 999999999;
    mkdirSync(join(parent, `20260101-000000-0001.${dead}.partial`));
    mkdirSync(join(parent, `20260101-000000-0002.${process.ppid}.partial`));
    // Folders of earlier versions: the pid in an owner.pid file, or none.
    mkdirSync(join(parent, 'old-dead.partial'));
    writeFileSync(join(parent, 'old-dead.partial', 'owner.pid'), String(dead));
    mkdirSync(join(parent, 'old-nopid.partial'));
    mkdirSync(join(parent, 'old-live.partial'));
    writeFileSync(join(parent, 'old-live.partial', 'owner.pid'), String(process.ppid));
    mkdirSync(join(parent, 'done-run'));
    removeStalePartials(parent);
    assert.deepEqual(readdirSync(parent).sort(), [`20260101-000000-0002.${process.ppid}.partial`, 'done-run', 'old-live.partial']);
  });
});

describe('a kill while a run is saved', () => {
  /**
   * A child process saves a run and kills itself (SIGKILL: no handler, no cleanup) at
   * one step of the save. Whatever the step, the parent folder then holds the whole run
   * or only a `.partial`; readers see a run only in the first case, and the next save
   * into the same folder removes the `.partial`.
   */
  const SAVE = `
    const { RunFolderWriter, RUN_FILES } = require(${JSON.stringify(join(__dirname, '../../src/core/run/folder.ts'))});
    const [parent, runId, killAt, events] = process.argv.slice(1);
    const w = new RunFolderWriter(parent, runId);
    const step = (s) => { if (s === killAt) process.kill(process.pid, 'SIGKILL'); };
    step('before-open');
    w.open();
    step('opened');
    w.write(RUN_FILES.summary, JSON.stringify({ runId }));
    w.write(RUN_FILES.weights, new Uint8Array(1 << 20));
    step('files-written');
    w.commit(events);
    step('committed');
  `;

  function saveAndKill(parent: string, runId: string, killAt: string): Promise<string | null> {
    const events = historyText(run(2), runId);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', SAVE, parent, runId, killAt, events], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('exit', (code, signal) => (code ? reject(new Error(`save exited ${code}: ${err}`)) : resolve(signal)));
    });
  }

  for (const killAt of ['before-open', 'opened', 'files-written', 'committed', 'never']) {
    test(`killed ${killAt === 'never' ? 'never' : `when ${killAt}`}`, async () => {
      const parent = join(tempDir('kill-'), '.blob-runs', 'four');
      const runId = '20260101-000000-0001';
      const signal = await saveAndKill(parent, runId, killAt);
      assert.equal(signal, killAt === 'never' ? null : 'SIGKILL');
      const names = existsSync(parent) ? readdirSync(parent) : [];
      const whole = killAt === 'committed' || killAt === 'never';
      if (whole) {
        assert.deepEqual(names, [runId]);
        assert.equal((await readLatestRunHistory(parent))?.header.runId, runId);
        assert.ok(readFileSync(join(parent, runId, RUN_FILES.weights)).length === 1 << 20);
      } else {
        assert.ok(names.every((n) => n.endsWith('.partial')), names.join());
        assert.ok(killAt === 'before-open' || names.length === 1, names.join());
        assert.deepEqual(await listRuns(parent), []);
        assert.equal(await readLatestRunHistory(parent), undefined);
        assert.equal(await readLatestSummary(parent), undefined);
      }
      // The next run's save cleans up after the dead one.
      writeRun(parent, '20260101-000001-0002');
      assert.deepEqual(readdirSync(parent).sort(), whole ? [runId, '20260101-000001-0002'] : ['20260101-000001-0002']);
    });
  }
});

describe('pruning', () => {
  test('keeps the newest runs; deletes only what the engine wrote, never a file the user saved', async () => {
    const parent = tempDir('prune-');
    const ids = ['20260101-000000-0001', '20260102-000000-0002', '20260103-000000-0003', '20260104-000000-0004'];
    for (const id of ids) writeRun(parent, id);
    // The user exported a figure into the oldest run's folder, and keeps notes beside the runs.
    writeFileSync(join(parent, ids[0], 'my-figure.png'), 'mine');
    writeFileSync(join(parent, ids[1], 'figure.png.bak'), 'mine too');
    mkdirSync(join(parent, 'notes'));
    const pruned = await pruneRuns(parent, 2);
    assert.deepEqual(pruned, [join(parent, ids[1]), join(parent, ids[0])]);
    assert.deepEqual(readdirSync(parent).sort(), [...ids, 'notes'].sort());
    assert.deepEqual(readdirSync(join(parent, ids[0])), ['my-figure.png']);
    assert.deepEqual(readdirSync(join(parent, ids[1])), ['figure.png.bak']);
    assert.equal(readFileSync(join(parent, ids[0], 'my-figure.png'), 'utf8'), 'mine');
    // What is left of a pruned run is no run: not counted, not read back.
    assert.deepEqual(await pruneRuns(parent, 2), []);
    assert.equal((await readLatestSummary(parent))?.runId, ids[3]);
    writeRun(parent, '20260105-000000-0005');
    assert.deepEqual(await pruneRuns(parent, 2), [join(parent, ids[2])]);
    assert.ok(!existsSync(join(parent, ids[2])), 'a run folder with nothing of the user is removed');
  });

  test('keep is at least 1; a missing folder prunes nothing', async () => {
    const parent = tempDir('prune-');
    writeRun(parent, '20260101-000000-0001');
    writeRun(parent, '20260102-000000-0002');
    assert.deepEqual(await pruneRuns(parent, 0), [join(parent, '20260101-000000-0001')]);
    assert.deepEqual(await listRuns(parent), ['20260102-000000-0002']);
    assert.deepEqual(await pruneRuns(join(parent, 'missing'), 1), []);
  });
});
