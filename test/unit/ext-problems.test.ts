import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { editorProblems, errorCount, firstError, refusalMessage, Sev, toDiagnosticData } from '../../src/extension/problemMapping';
import { MAX_FIX_TEXT, quickFixes } from '../../src/extension/quickFixes';
import { validateSpecText } from '../../src/core/spec/validate';
import { problem } from './ext-fixtures';

describe('Problem -> diagnostic', () => {
  test('exact range, message, code, source', () => {
    const d = toDiagnosticData(problem());
    assert.deepEqual(d.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 7 } });
    assert.equal(d.message, 'must be > 0');
    assert.equal(d.code, 'range');
    assert.equal(d.source, 'blob-classifier');
    assert.equal(d.severity, Sev.Error);
  });

  test('severities map to vscode.DiagnosticSeverity values', () => {
    assert.equal(toDiagnosticData(problem({ severity: 'error' })).severity, 0);
    assert.equal(toDiagnosticData(problem({ severity: 'warning' })).severity, 1);
    assert.equal(toDiagnosticData(problem({ severity: 'info' })).severity, 2);
  });

  test('first error is the earliest error, warnings are skipped', () => {
    const ps = [problem({ offset: 50, message: 'later' }), problem({ severity: 'warning', offset: 1 }), problem({ offset: 20, message: 'first' })];
    assert.equal(firstError(ps)?.message, 'first');
    assert.equal(errorCount(ps), 2);
    assert.equal(firstError([problem({ severity: 'info' })]), undefined);
  });

  test('refusal message names the spec, the field and the count of others', () => {
    const msg = refusalMessage('four', [problem({ offset: 1 }), problem({ offset: 2 }), problem({ offset: 3 })]);
    assert.equal(msg, 'Cannot train four: data.cluster_std: must be > 0 (line 3, and 2 more errors).');
    assert.equal(refusalMessage('four', [problem()]), 'Cannot train four: data.cluster_std: must be > 0 (line 3).');
    assert.equal(refusalMessage('four', []), '');
  });

  test('refusal message names the field once when the validator\'s message already does', () => {
    const text = '{\n  "name": "notebook",\n  "data": {\n    "kind": "blobs",\n    "n_samples": -1000\n  }\n}\n';
    const { problems, spec } = validateSpecText(text, { specPath: '/w/notebook.blobs.json', checkFiles: false });
    assert.equal(spec, undefined);
    const msg = refusalMessage('notebook.blobs.json', problems);
    assert.equal(msg, 'Cannot train notebook.blobs.json: `data.n_samples` must be between 1 and 5,000,000, but it is -1000 (line 5).');
    assert.equal(msg.split('n_samples').length, 2, msg);
  });

  test('the real validator\'s problems map to in-document ranges', () => {
    const text = '{\n  "seed": -1,\n  "training": { "epochs": "ten" }\n}\n';
    const { problems, spec } = validateSpecText(text, { specPath: '/w/x.blobs.json', checkFiles: false });
    assert.equal(spec, undefined);
    assert.ok(problems.length >= 2);
    const lines = text.split('\n');
    for (const p of problems) {
      const d = toDiagnosticData(p);
      assert.ok(d.range.start.line < lines.length);
      // The range covers the offending text.
      assert.equal(text.slice(p.range.offset, p.range.offset + p.range.length).length, p.range.length);
    }
    assert.match(refusalMessage('x', problems), /^Cannot train x: /);
  });
});

describe('what the editor shows', () => {
  test('syntax errors and duplicate keys are left to VS Code\'s JSON service where it validates; a trailing comma is not', () => {
    const text = '{\n  "seed": 1,\n  "seed": 2,\n  "training": {"lr": -1 "epochs": 1},\n}';
    const all = validateSpecText(text, { checkFiles: false }).problems;
    assert.deepEqual(all.map((p) => p.code).sort(), ['duplicate-key', 'range', 'syntax', 'trailing-comma']);
    // JSONC (the language of *.blobs.json) allows trailing commas, so the JSON service
    // says nothing about them (the schema says so too, for plain JSON): the engine's error stays.
    assert.deepEqual(editorProblems(all, true).map((p) => p.code), ['range', 'trailing-comma']);
    // Plain text, or json.validate.enable off: nobody else reports them.
    assert.deepEqual(editorProblems(all, false), all);
  });
});

describe('quick fixes for the diagnostics under the cursor', () => {
  const text = '{\n  "training": {\n    "epocs": 10,\n    "lr": -1\n  }\n}\n';
  const problems = validateSpecText(text, { checkFiles: false }).problems;

  test('matched by code and start', () => {
    const typo = problems.find((p) => p.code === 'unknown-key')!;
    const fixes = quickFixes(text, problems, [{ code: 'unknown-key', line: typo.range.start.line, character: typo.range.start.character }]);
    assert.deepEqual(fixes.map((f) => [f.title, f.index, f.preferred]), [['Rename `epocs` to `epochs`', 0, true]]);
    assert.deepEqual(fixes[0].edits, [{ offset: text.indexOf('"epocs"'), length: 7, content: '"epochs"' }]);
  });

  test('no fixes are computed for a text past MAX_FIX_TEXT (asked on every cursor rest)', () => {
    const typo = problems.find((p) => p.code === 'unknown-key')!;
    const key = [{ code: 'unknown-key', line: typo.range.start.line, character: typo.range.start.character }];
    assert.equal(quickFixes(text + ' '.repeat(MAX_FIX_TEXT), problems, key).length, 0);
  });

  test('two diagnostics, each its own fixes; a diagnostic not of this text gets none', () => {
    const keys = problems.map((p) => ({ code: p.code, line: p.range.start.line, character: p.range.start.character }));
    const fixes = quickFixes(text, problems, [...keys, { code: 'range', line: 9, character: 0 }]);
    assert.deepEqual(fixes.map((f) => f.index), [0, 1]);
    assert.match(fixes[1].title, /Set `training.lr` to 0.1/);
  });
});
