/**
 * The panel's controls as spec edits (src/extension/specEdit.ts), the retrain queue
 * (retrainer.ts) and the `editSpec` message guard: pure, no VS Code.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS } from '../../src/core/spec/types';
import { controlValues, fieldOf, fieldProblems, formatJsonValue, newError, specEdit } from '../../src/extension/specEdit';
import { formattingOf, minimalEdit, type TextEdit } from '../../src/core/spec/fixes';
import { Retrainer } from '../../src/extension/retrainer';
import { isWebviewToHost, SPEC_FIELDS } from '../../src/core/protocol';
import { validateSpecText } from '../../src/core/spec/validate';

const NOTEBOOK = readFileSync(join(__dirname, '../../examples/notebook.blobs.json'), 'utf8');

function apply(text: string, e: TextEdit | undefined): string {
  return e ? text.slice(0, e.offset) + e.content + text.slice(e.offset + e.length) : text;
}

/** Applies the edit and checks it is what `text` says, and minimal. */
function edited(text: string, field: Parameters<typeof specEdit>[1], value: Parameters<typeof specEdit>[2]): { text: string; edit?: TextEdit } {
  const out = specEdit(text, field, value);
  assert.ok(out.ok, out.ok ? '' : out.message);
  assert.equal(apply(text, out.edit), out.text);
  return { text: out.text, edit: out.edit };
}

const COMMENTED = `{
  // The notebook, with comments and an odd order.
  "training": { "lr": 0.1, /* keep */ "epochs": 100 },
  "model": {
    "activation": "none", // linear
    "hidden_units": [8, 8]
  },
  "data": { "generator": "make_moons", "noise": null }
}
`;

describe('spec edits', () => {
  test('a value that is there is replaced in place: one minimal edit, comments, order and formatting kept', () => {
    const { text, edit } = edited(COMMENTED, 'lr', 0.01);
    // "0.1" → "0.01": one character inserted, nothing else touched.
    assert.deepEqual(edit, { offset: COMMENTED.indexOf('0.1') + 2, length: 0, content: '0' });
    assert.equal(text, COMMENTED.replace('"lr": 0.1', '"lr": 0.01'));
    const h = edited(COMMENTED, 'hidden_units', [16, 16, 4]).text;
    assert.equal(h, COMMENTED.replace('[8, 8]', '[16, 16, 4]'));
    assert.equal(edited(COMMENTED, 'activation', 'relu').text, COMMENTED.replace('"none", // linear', '"relu", // linear'));
    assert.equal(edited(COMMENTED, 'noise', 0.2).text, COMMENTED.replace('"noise": null', '"noise": 0.2'));
    assert.equal(edited(COMMENTED, 'hidden_units', []).text, COMMENTED.replace('[8, 8]', '[]'));
  });

  test('the notebook spec: lr 0.1 → 0.05 changes only those characters; the result validates', () => {
    const { text, edit } = edited(NOTEBOOK, 'lr', 0.05);
    assert.equal(text, NOTEBOOK.replace('"lr": 0.1,', '"lr": 0.05,'));
    assert.ok(edit && edit.length <= 3);
    assert.equal(validateSpecText(text).spec?.training.lr, 0.05);
    const layers = edited(NOTEBOOK, 'hidden_units', [8, 8, 8]).text;
    assert.deepEqual(validateSpecText(layers).spec?.model.hidden_units, [8, 8, 8]);
  });

  test('a missing key is inserted with the file\'s indent; a missing section too; lists stay on one line', () => {
    const t = '{\n    "name": "x",\n    "model": {\n        "activation": "relu"\n    }\n}\n';
    const a = edited(t, 'hidden_units', [4, 4]).text;
    assert.match(a, /\n {8}"hidden_units": \[4, 4\]/);
    assert.ok(a.includes('"activation": "relu"'));
    const b = edited(t, 'lr', 0.3).text;
    assert.match(b, /\n {4}"training": \{\n {8}"lr": 0\.3\n {4}\}/);
    assert.equal(validateSpecText(b).spec?.training.lr, 0.3);
    const c = edited('{}', 'seed', 7).text;
    assert.equal(JSON.parse(c).seed, 7);
    // CRLF files get CRLF.
    const crlf = '{\r\n  "name": "x"\r\n}\r\n';
    assert.ok(!/[^\r]\n/.test(edited(crlf, 'epochs', 5).text));
  });

  test('refused: not an object at the top, or a section that is not an object', () => {
    assert.equal(specEdit('[1, 2]', 'lr', 1).ok, false);
    assert.equal(specEdit('', 'lr', 1).ok, false);
    const r = specEdit('{ "training": 3 }', 'lr', 1);
    assert.ok(!r.ok && /training/.test(r.message));
  });

  test('formatting helpers', () => {
    assert.equal(formatJsonValue([16, 16]), '[16, 16]');
    assert.equal(formatJsonValue(null), 'null');
    assert.equal(formatJsonValue('full'), '"full"');
    assert.deepEqual(formattingOf('{\n\t"a": 1\n}'), { insertSpaces: false, tabSize: 4, eol: '\n' });
    assert.deepEqual(formattingOf('{\r\n    "a": {\r\n        "b": 1\r\n    }\r\n}'), { insertSpaces: true, tabSize: 4, eol: '\r\n' });
    const same = specEdit('{ "training": { "lr": 0.1 } }', 'lr', 0.1);
    assert.ok(same.ok);
    assert.equal(same.edit, undefined, 'a value set to what it is: no edit');
    assert.deepEqual(minimalEdit('a 0.1 b', 'a 0.01 b'), { offset: 4, length: 0, content: '0' });
    assert.deepEqual(minimalEdit('[8, 8]', '[16, 16]'), { offset: 1, length: 4, content: '16, 16' });
  });
});

describe('the controls read the spec text', () => {
  test('values as written, defaults where missing, undefined for a wrong type', () => {
    const v = controlValues(COMMENTED);
    assert.deepEqual(v, {
      generator: 'make_moons', lr: 0.1, epochs: 100, optimizer: 'sgd', activation: 'none', hidden_units: [8, 8],
      batch_size: 'full', n_samples: 1000, noise: null, cluster_std: 1.5, seed: 42,
    });
    const bad = controlValues('{ "training": { "lr": "fast", "epochs": 5 }, "data": { "cluster_std": [1, 2] } }');
    assert.equal(bad.lr, undefined);
    assert.equal(bad.epochs, 5);
    assert.deepEqual(bad.cluster_std, [1, 2]);
    assert.equal(bad.generator, 'make_blobs');
    // Half-typed text still gives what can be read.
    assert.equal(controlValues('{ "training": { "lr": 0.2, ').lr, 0.2);
  });

  test('a text past the spec size limit is neither read nor edited (a 50 MB file open in the editor)', () => {
    const huge = `{ "training": { "lr": 0.2 }, "data": { "centers": [${'[1, 2], '.repeat(LIMITS.maxSpecBytes / 8)}[1, 2]] } }`;
    assert.ok(huge.length > LIMITS.maxSpecBytes);
    assert.deepEqual(controlValues(huge), { generator: 'make_blobs' });
    const e = specEdit(huge, 'lr', 0.05);
    assert.equal(e.ok, false);
  });

  test("problems go to the control of their field, in the validator's words", () => {
    const text = NOTEBOOK.replace('"lr": 0.1', '"lr": -1').replace('"hidden_units": [8, 8]', '"hidden_units": [8, 0]');
    const fp = fieldProblems(validateSpecText(text).problems);
    assert.deepEqual(fp.map((p) => p.field).sort(), ['hidden_units', 'lr']);
    assert.match(fp.find((p) => p.field === 'lr')!.message, /lr/);
    assert.equal(fieldOf(['model', 'hidden_units', 1]), 'hidden_units');
    assert.equal(fieldOf(['data', 'centers']), undefined);
  });

  test("an edit is refused with the validator's message when it adds an error; errors already elsewhere do not block it", () => {
    const before = validateSpecText(NOTEBOOK).problems;
    const neg = specEdit(NOTEBOOK, 'lr', -0.5);
    assert.ok(neg.ok);
    const msg = newError(before, validateSpecText(neg.text).problems, 'lr');
    assert.ok(msg && /lr/.test(msg), msg);
    const zero = specEdit(NOTEBOOK, 'hidden_units', [8, 0]);
    assert.ok(zero.ok);
    assert.match(newError(before, validateSpecText(zero.text).problems, 'hidden_units') ?? '', /hidden_units/);
    // A spec already broken elsewhere (a key typo) still takes a valid lr.
    const typo = NOTEBOOK.replace('"epochs"', '"epocs"');
    const ok = specEdit(typo, 'lr', 0.2);
    assert.ok(ok.ok);
    assert.equal(newError(validateSpecText(typo).problems, validateSpecText(ok.text).problems, 'lr'), undefined);
  });
});

describe('editSpec messages', () => {
  test('the guard takes each field with its JSON shape, and nothing else', () => {
    const good = [
      { field: 'lr', value: 0.01 }, { field: 'epochs', value: 50 }, { field: 'optimizer', value: 'adam' }, { field: 'activation', value: 'relu' },
      { field: 'hidden_units', value: [16, 16] }, { field: 'hidden_units', value: [] }, { field: 'batch_size', value: 'full' }, { field: 'batch_size', value: 32 },
      { field: 'n_samples', value: 500 }, { field: 'noise', value: null }, { field: 'noise', value: 0.1 }, { field: 'cluster_std', value: 2 }, { field: 'seed', value: 7 },
    ];
    for (const g of good) assert.ok(isWebviewToHost({ type: 'editSpec', id: 1, ...g }), JSON.stringify(g));
    assert.deepEqual([...new Set(good.map((g) => g.field))].sort(), [...SPEC_FIELDS].sort());
    const bad: unknown[] = [
      { type: 'editSpec', id: 1, field: 'lr', value: '0.1' },
      { type: 'editSpec', id: 1, field: 'lr', value: Infinity },
      { type: 'editSpec', id: 1, field: 'lr', value: NaN },
      { type: 'editSpec', id: 1, field: 'name', value: 'x' },
      { type: 'editSpec', id: 1, field: 'data', value: 1 },
      { type: 'editSpec', id: 1, field: '__proto__', value: 1 },
      { type: 'editSpec', id: 1, field: 'hidden_units', value: [8, '8'] },
      { type: 'editSpec', id: 1, field: 'hidden_units', value: new Array(65).fill(1) },
      { type: 'editSpec', id: 1, field: 'activation', value: 'x'.repeat(33) },
      { type: 'editSpec', id: 1, field: 'noise', value: {} },
      { type: 'editSpec', id: 1.5, field: 'lr', value: 1 },
      { type: 'editSpec', field: 'lr', value: 1 },
      { type: 'editSpec', id: 1, field: 'lr', value: 1, path: ['x'] },
    ];
    for (const b of bad) assert.equal(isWebviewToHost(b), false, JSON.stringify(b));
  });
});

describe('retrains after edits: newest wins, nothing stale queued', () => {
  test('edits during a restart collapse into one more restart, which reads the newest text', async () => {
    let text = 'v1';
    const started: string[] = [];
    const gates: (() => void)[] = [];
    const r = new Retrainer((key) => {
      started.push(`${key}:${text}`);
      return new Promise<void>((res) => gates.push(res));
    });
    const first = r.request('a');
    assert.deepEqual(started, ['a:v1']);
    assert.ok(r.isBusy('a'));
    // Three edits while the first restart is stopping the old run.
    text = 'v2';
    const p2 = r.request('a');
    text = 'v3';
    const p3 = r.request('a');
    text = 'v4';
    const p4 = r.request('a');
    assert.deepEqual(started, ['a:v1'], 'nothing starts while a restart is in flight');
    gates.shift()!();
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(started, ['a:v1', 'a:v4'], 'one more restart, with the newest text');
    // Another spec is independent.
    void r.request('b');
    assert.deepEqual(started, ['a:v1', 'a:v4', 'b:v4']);
    gates.shift()!();
    gates.shift()!();
    await Promise.all([first, p2, p3, p4]);
    assert.equal(r.isBusy('a'), false);
    assert.equal(r.started.get('a'), 2);
  });

  test('a failed restart is reported and does not jam the queue', async () => {
    const errors: string[] = [];
    let n = 0;
    const r = new Retrainer(async () => {
      if (n++ === 0) throw new Error('refused');
    }, (_k, e) => errors.push(String(e)));
    await r.request('a');
    await r.request('a');
    assert.equal(n, 2);
    assert.deepEqual(errors, ['Error: refused']);
  });
});
