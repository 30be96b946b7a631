import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, lenses, lensTitles, specUri, waitFor, note } from './helpers';

describe('activation', () => {
  it('activates and reports its activation time', async () => {
    const bc = await api();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    assert.strictEqual(typeof bc.activationMs, 'number');
    assert.ok(bc.activationMs >= 0 && bc.activationMs < 5000, `activationMs = ${bc.activationMs}`);
    note(`activationMs = ${bc.activationMs.toFixed(1)} (VS Code ${vscode.version}, node ${process.version})`);
  });

  it('contributes its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['blobClassifier.train', 'blobClassifier.stop', 'blobClassifier.showPanel', 'blobClassifier.newSpec']) {
      assert.ok(all.includes(id), `command ${id} missing`);
    }
  });

  it('shows a ▶ Train CodeLens on an example spec', async () => {
    const uri = specUri('notebook.blobs.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const ls = await waitFor('a Train CodeLens', async () => {
      const l = await lenses(uri);
      return l.some((x) => x.command?.command === 'blobClassifier.train') ? l : undefined;
    }, 30_000);
    const train = ls.find((l) => l.command?.command === 'blobClassifier.train')!;
    assert.match(train.command!.title, /Train/);
    assert.strictEqual(train.range.start.line, 0);
    note(`lenses: ${lensTitles(ls).join(' | ')}`);
  });
});
