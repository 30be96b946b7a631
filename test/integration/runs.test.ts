// One run, one id, one folder: a run started from the extension and one started from
// the CLI (`blobs train`, the same engine in another process) each name their folder,
// summary.json, events.jsonl and the panel's run with the same id; the panel restores
// the CLI's run from its folder.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, note, waitFor, workspaceDir, writeSpec } from './helpers';

/** The ids a run folder carries: its name, summary.json's, and events.jsonl's (header and every start). */
function idsOnDisk(runDir: string): { folder: string; summary: string; events: string[] } {
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  const lines = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const events = [lines[0].runId, ...lines.filter((e) => e.type === 'start').map((e) => e.runId), lines.at(-1)?.summary?.runId];
  return { folder: path.basename(runDir), summary: summary.runId, events };
}

function assertOneId(id: string, runDir: string): void {
  const ids = idsOnDisk(runDir);
  assert.strictEqual(ids.folder, id, 'folder name');
  assert.strictEqual(ids.summary, id, 'summary.json runId');
  assert.deepStrictEqual(ids.events, [id, id, id], 'events.jsonl: header, start, terminal summary');
}

describe('one run id', () => {
  it('a run from the extension: folder, summary, events and panel say the same id', async () => {
    const bc = await api();
    const uri = writeSpec('one-id.blobs.json', (s) => {
      s.name = 'One id';
      s.training.epochs = 20;
    });
    const summary = await bc.train(uri);
    const runDir = summary.artifacts_dir;
    assert.ok(runDir, 'the run was saved');
    assertOneId(summary.runId, runDir);
    assert.strictEqual(path.dirname(runDir), path.join(workspaceDir(), '.blob-runs', 'one-id'));
    assert.strictEqual(bc.getRuns(uri).at(-1)?.runId, summary.runId, "the host's run");
    bc.showPanel(uri);
    const shown = await waitFor("the panel's run", () => bc.panelRunId(uri), 30_000);
    assert.strictEqual(shown, summary.runId, "the panel's run");
    note(`extension run ${summary.runId}: folder, summary.json, events.jsonl and panel agree`);
  });

  it('a run from the CLI: the same, and the panel restores it from its folder', async () => {
    const bc = await api();
    const uri = writeSpec('cli-run.blobs.json', (s) => {
      s.name = 'CLI run';
      s.training.epochs = 15;
    });
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const cli = path.join(ext.extensionPath, 'dist', 'cli.js');
    const r = spawnSync(process.execPath, [cli, 'train', uri.fsPath, '--json', '--no-frames'], {
      cwd: workspaceDir(),
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: 120_000,
    });
    assert.strictEqual(r.status, 0, `blobs train exited ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const runDir = path.join(workspaceDir(), '.blob-runs', 'cli-run', summary.runId);
    assert.strictEqual(summary.artifacts_dir, runDir);
    assertOneId(summary.runId, runDir);
    // The host never saw this run: the panel reads it back from the folder.
    assert.strictEqual(bc.getRuns(uri).length, 0);
    bc.showPanel(uri);
    const shown = await waitFor('the restored run in the panel', () => bc.panelRunId(uri), 30_000);
    assert.strictEqual(shown, summary.runId, "the panel's run");
    const runs = bc.getRuns(uri);
    assert.strictEqual(runs.length, 1);
    assert.strictEqual(runs[0].status, 'completed');
    assert.strictEqual(runs[0].epochsDone, 15);
    assert.strictEqual(bc.getRunEvents(uri).filter((e) => e.type === 'epoch').length, 15);
    note(`CLI run ${summary.runId} restored in the panel`);
  });
});
