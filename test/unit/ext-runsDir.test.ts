import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { asRunSummary, isInside, makeRunId, pruneRunFolders, readLatestSummary, resolveSpecRunsDir, selectRunsToPrune, specStem } from '../../src/extension/runsDir';

const P = path.posix;

describe('runs directory', () => {
  test('default: .blob-runs/<stem> next to the spec', () => {
    assert.deepEqual(resolveSpecRunsDir('/w/sub/four.blobs.json', '/w', undefined, P), { specRunsDir: '/w/sub/.blob-runs/four', warning: undefined });
  });

  test('relative to the spec folder, or to the workspace with ${workspaceFolder}', () => {
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', 'out/runs', P).specRunsDir, '/w/sub/out/runs/a');
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', '${workspaceFolder}/runs', P).specRunsDir, '/w/runs/a');
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', '/w/abs', P).specRunsDir, '/w/abs/a');
  });

  test('never outside the workspace', () => {
    for (const s of ['../../elsewhere', '/tmp/runs', '${workspaceFolder}/../x']) {
      const r = resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', s, P);
      assert.equal(r.specRunsDir, '/w/sub/.blob-runs/a', s);
      assert.match(r.warning!, /outside the workspace/);
    }
    assert.equal(resolveSpecRunsDir('/elsewhere/a.blobs.json', undefined, undefined, P).specRunsDir, undefined);
  });

  test('isInside', () => {
    assert.ok(isInside('/w', '/w', P));
    assert.ok(isInside('/w', '/w/a/b', P));
    assert.ok(!isInside('/w', '/wx', P));
    assert.ok(!isInside('/w', '/w/../x', P));
  });

  test('spec stems are safe folder names', () => {
    assert.equal(specStem('/w/Four Blobs.blobs.json'), 'Four Blobs');
    assert.equal(specStem('/w/a:b?.blobs.json'), 'a_b_');
    assert.equal(specStem('/w/.blobs.json'), 'spec');
  });

  test('run ids sort chronologically', () => {
    const a = makeRunId(new Date(2026, 0, 2, 3, 4, 5), () => 0.5);
    assert.equal(a, '20260102-030405-8000');
    const b = makeRunId(new Date(2026, 0, 2, 3, 4, 6), () => 0);
    assert.ok(a < b);
  });

  test('prune selection: oldest beyond keep, only run-id folders, never protected ones', () => {
    const names = ['20260101-000000-0001', 'notes', '20260103-000000-0003', '20260102-000000-0002'];
    assert.deepEqual(selectRunsToPrune(names, 1), ['20260101-000000-0001', '20260102-000000-0002']);
    assert.deepEqual(selectRunsToPrune(names, 5), []);
    assert.deepEqual(selectRunsToPrune(names, 1, new Set(['20260101-000000-0001'])), ['20260102-000000-0002']);
    assert.deepEqual(selectRunsToPrune(names, 0), ['20260101-000000-0001', '20260102-000000-0002']); // keep >= 1
  });

  test('pruneRunFolders deletes on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bc-runs-'));
    try {
      for (const n of ['20260101-000000-0001', '20260102-000000-0002', '20260103-000000-0003', 'keep-me']) mkdirSync(path.join(dir, n));
      const deleted = await pruneRunFolders(dir, 2);
      assert.deepEqual(deleted, [path.join(dir, '20260101-000000-0001')]);
      assert.deepEqual(readdirSync(dir).sort(), ['20260102-000000-0002', '20260103-000000-0003', 'keep-me']);
      assert.deepEqual(await pruneRunFolders(path.join(dir, 'missing'), 1), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('summary.json read back', () => {
  const good = { runId: '20260101-000000-0001', name: 'four', epochs: 100, epochs_completed: 100, train_loss: 0.03, train_acc: 0.99, test_loss: 0.02, test_acc: 0.995, backend: 'wasm', device: 'wasm', train_wall_s: 0.4, epochs_per_s: 250, status: 'completed', artifacts_dir: '/old/place', evaluation: {} };

  test('accepts a trainer summary, with artifacts_dir = where it was found', () => {
    const s = asRunSummary(good, '/w/.blob-runs/four/20260101-000000-0001');
    assert.equal(s?.test_acc, 0.995);
    assert.equal(s?.artifacts_dir, '/w/.blob-runs/four/20260101-000000-0001');
    assert.equal((s as unknown as Record<string, unknown>).evaluation, undefined);
  });

  test('rejects anything else', () => {
    assert.equal(asRunSummary(null, '/d'), undefined);
    assert.equal(asRunSummary({ ...good, test_acc: '99%' }, '/d'), undefined);
    assert.equal(asRunSummary({ ...good, status: 'running' }, '/d'), undefined);
  });

  test('readLatestSummary: the newest run folder with a valid summary', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bc-sum-'));
    try {
      for (const [n, body] of [['20260101-000000-0001', JSON.stringify(good)], ['20260102-000000-0002', '{broken'], ['20260103-000000-0003.partial', JSON.stringify(good)]] as const) {
        mkdirSync(path.join(dir, n));
        writeFileSync(path.join(dir, n, 'summary.json'), body);
      }
      const s = await readLatestSummary(dir);
      assert.equal(s?.artifacts_dir, path.join(dir, '20260101-000000-0001'));
      assert.equal(await readLatestSummary(path.join(dir, 'none')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
