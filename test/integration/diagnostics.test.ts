import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, specUri, waitFor, writeSpec, note } from './helpers';

describe('diagnostics', () => {
  it('reports a problem in an invalid spec and refuses to train it', async () => {
    const bc = await api();
    const uri = writeSpec('broken.blobs.json', (s) => {
      s.name = 'Broken';
      s.data.n_samples = -5;
    });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitFor('diagnostics on broken.blobs.json', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
      return d.length ? d : undefined;
    }, 30_000);
    note(`${diags.map((d) => `${d.source}: ${d.message} @${d.range.start.line + 1}`).join('; ')}`);
    const line = (await vscode.workspace.openTextDocument(uri)).lineAt(diags[0].range.start.line).text;
    assert.match(line, /n_samples/);
    await assert.rejects(bc.train(uri), (err: Error) => {
      assert.match(err.message, /n_samples/);
      return true;
    });
    assert.strictEqual(bc.isTraining(uri), false);
    assert.strictEqual(bc.getRuns(uri).length, 0);
  });

  it('clears the problem when the spec is fixed', async () => {
    const uri = specUri('broken.blobs.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), text.replace('-5', '200'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('no more errors', () => vscode.languages.getDiagnostics(uri).every((d) => d.severity !== vscode.DiagnosticSeverity.Error), 30_000);
  });
});
