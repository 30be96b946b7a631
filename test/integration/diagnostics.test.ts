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

  it('one mistake, one problem: three mistakes give three markers in all, and the typo\'s quick fix renames it', async () => {
    const uri = writeSpec('three.blobs.json', (s) => {
      s.training.lr = -1;
      s.data.centers = 0;
      s.training.epocs = s.training.epochs;
      delete s.training.epochs;
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // Every source (the engine, VS Code's JSON service with the schema): exactly ours.
    const markers = await waitFor('three markers', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 3 ? d : undefined;
    }, 30_000);
    // Give the JSON language service time to report anything it would (it runs in its own process).
    await new Promise((r) => setTimeout(r, 3000));
    const all = vscode.languages.getDiagnostics(uri);
    note(all.map((d) => `${d.source}/${d.code}: ${d.message}`).join('; '));
    assert.strictEqual(all.length, 3, all.map((d) => `${d.source}: ${d.message}`).join('\n'));
    assert.deepStrictEqual(all.map((d) => d.severity).sort(), [0, 0, 1]);
    assert.ok(markers.every((d) => d.source === 'blob-classifier'));
    const typo = all.find((d) => d.code === 'unknown-key');
    assert.ok(typo);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, typo.range, vscode.CodeActionKind.QuickFix.value);
    const rename = actions.find((a) => a.title === 'Rename `epocs` to `epochs`');
    assert.ok(rename?.edit, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(rename.edit));
    assert.match(doc.getText(), /"epochs": 100/);
    assert.doesNotMatch(doc.getText(), /epocs/);
    await waitFor('two markers left', () => vscode.languages.getDiagnostics(uri).length === 2, 30_000);
    // The range errors offer a bound and the default.
    const lr = vscode.languages.getDiagnostics(uri).find((d) => /training.lr/.test(d.message));
    assert.ok(lr);
    const lrActions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, lr.range, vscode.CodeActionKind.QuickFix.value);
    assert.deepStrictEqual(lrActions.map((a) => a.title), ['Set `training.lr` to 0.1 (the default)']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a syntax mistake is one problem too: VS Code\'s JSON service says a missing comma, the engine a trailing comma', async () => {
    const fs = await import('fs');
    // The JSON service names itself by the document's language: *.blobs.json is JSONC.
    const cases: [string, string, { source: RegExp; severity: vscode.DiagnosticSeverity }][] = [
      ['missing-comma.blobs.json', '{\n  "seed": 1\n  "name": "x"\n}\n', { source: /^jsonc?$/, severity: vscode.DiagnosticSeverity.Error }],
      ['trailing-comma.blobs.json', '{\n  "seed": 1,\n}\n', { source: /^blob-classifier$/, severity: vscode.DiagnosticSeverity.Error }],
    ];
    for (const [name, text, want] of cases) {
      const uri = specUri(name);
      fs.writeFileSync(uri.fsPath, text);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await waitFor(`a marker on ${name}`, () => vscode.languages.getDiagnostics(uri).length > 0, 30_000);
      await new Promise((r) => setTimeout(r, 3000)); // both reporters have spoken
      const all = vscode.languages.getDiagnostics(uri);
      note(`${name}: ${all.map((d) => `${d.source}: ${d.message}`).join('; ')}`);
      assert.strictEqual(all.length, 1, all.map((d) => `${d.source}: ${d.message}`).join('\n'));
      assert.match(all[0].source ?? '', want.source);
      assert.strictEqual(all[0].severity, want.severity);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});

