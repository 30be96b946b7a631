/**
 * Quick fixes (spec/fixes.ts): a spec text and a problem of it -> edits that fix that
 * problem, keep everything else of the text (comments, order, layout), and never add
 * a problem of their own.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, fixesFor, formattingOf, minimalEdit, type Fix } from '../../src/core/spec/fixes';
import { validateSpecText, type Problem } from '../../src/core/spec/validate';
import { NOTEBOOK_SPEC_TEXT } from '../../src/core/spec/defaults';
import { pathText } from './spec-helpers';

/** The notebook's spec text with `from` replaced by `to` (exactly once). */
function edited(from: string, to: string, base = NOTEBOOK_SPEC_TEXT): string {
  assert.equal(base.split(from).length, 2, `${from} occurs once`);
  return base.replace(from, to);
}

/** The problem at `path` (dotted) with `code`, and its fixes. */
function problemOf(text: string, code: string, path: string): { problem: Problem; fixes: Fix[] } {
  const problems = validateSpecText(text, { checkFiles: false }).problems.filter((p) => p.code === code && pathText(p) === path);
  assert.equal(problems.length, 1, `one ${code} at ${path}: ${JSON.stringify(validateSpecText(text, { checkFiles: false }).problems.map((p) => [p.code, pathText(p)]))}`);
  return { problem: problems[0], fixes: fixesFor(text, problems[0]) };
}

/** Applies the fix titled like `title`; asserts the problem is gone and nothing new came. */
function apply(text: string, code: string, path: string, title: RegExp): string {
  const { problem, fixes } = problemOf(text, code, path);
  const fix = fixes.find((f) => title.test(f.title));
  assert.ok(fix, `a fix like ${title} for ${problem.message}; got ${JSON.stringify(fixes.map((f) => f.title))}`);
  const after = applyFix(text, fix);
  const before = validateSpecText(text, { checkFiles: false }).problems;
  const now = validateSpecText(after, { checkFiles: false }).problems;
  assert.ok(!now.some((p) => p.code === code && pathText(p) === path && p.message === problem.message), `${fix.title} left: ${problem.message}`);
  const key = (p: Problem) => `${p.code} ${pathText(p)}`;
  const old = new Set(before.map(key));
  // Notes may come (`epochs` 1 < `log_every` 10), never an error or a warning.
  assert.deepEqual(now.filter((p) => p.severity !== 'info' && !old.has(key(p))).map((p) => p.message), [], `${fix.title} added problems`);
  return after;
}

/** The three mistakes: a negative lr, zero centres, a misspelt key. */
const THREE_MISTAKES = edited('"lr": 0.1', '"lr": -1').replace('"centers": 4', '"centers": 0').replace('"epochs": 100', '"epocs": 100');

describe('the three-mistake spec', () => {
  test('three problems, one per mistake, each with its fix', () => {
    const problems = validateSpecText(THREE_MISTAKES, { checkFiles: false }).problems;
    assert.deepEqual(
      problems.map((p) => [p.code, p.severity, pathText(p)]),
      [
        ['range', 'error', 'data.centers'],
        ['unknown-key', 'warning', 'training.epocs'],
        ['range', 'error', 'training.lr'],
      ],
    );
    assert.match(problems[1].message, /Did you mean `epochs`\?/);
    assert.deepEqual(problems.map((p) => fixesFor(THREE_MISTAKES, p).map((f) => f.title)), [
      ['Set `data.centers` to 2 (the smallest allowed)', 'Set `data.centers` to 4 (the default)'],
      ['Rename `epocs` to `epochs`'],
      ['Set `training.lr` to 0.1 (the default)'],
    ]);
  });

  test('the rename changes the key only, and is the preferred fix', () => {
    const { fixes } = problemOf(THREE_MISTAKES, 'unknown-key', 'training.epocs');
    assert.equal(fixes[0].preferred, true);
    assert.equal(applyFix(THREE_MISTAKES, fixes[0]), THREE_MISTAKES.replace('"epocs"', '"epochs"'));
  });

  test('applying every first fix gives a valid spec', () => {
    let text = THREE_MISTAKES;
    for (let i = 0; i < 3; i++) {
      const p = validateSpecText(text, { checkFiles: false }).problems[0];
      text = applyFix(text, fixesFor(text, p)[0]);
    }
    const r = validateSpecText(text, { checkFiles: false });
    assert.deepEqual(r.problems, []);
    assert.equal(r.spec?.training.epochs, 100);
    assert.equal(r.spec?.training.lr, 0.1);
    assert.equal(r.spec?.data.generator === 'make_blobs' && r.spec.data.centers, 2);
  });
});

describe('fixes of values', () => {
  test('a bound, for an inclusive bound; the default, for an exclusive one', () => {
    apply(edited('"epochs": 100', '"epochs": 0'), 'range', 'training.epochs', /to 1 \(the smallest allowed\)/);
    apply(edited('"resolution": 101', '"resolution": 9000'), 'range', 'boundary.resolution', /to 501 \(the largest allowed\)/);
    const t = edited('"momentum": 0', '"momentum": 1');
    assert.deepEqual(problemOf(t, 'range', 'training.momentum').fixes.map((f) => f.title), ['Set `training.momentum` to 0 (the default)']);
  });

  test('items of a list are clamped, never set to the whole field\'s default', () => {
    const t = edited('"hidden_units": [8, 8]', '"hidden_units": [8, 0]');
    const after = apply(t, 'range', 'model.hidden_units[1]', /to 1 \(the smallest allowed\)/);
    assert.match(after, /"hidden_units": \[8, 1\]/);
    assert.equal(problemOf(t, 'range', 'model.hidden_units[1]').fixes.length, 1);
  });

  test('a misspelt choice, a quoted number, a fraction where a whole number goes', () => {
    assert.match(apply(edited('"optimizer": "sgd"', '"optimizer": "SDG"'), 'enum', 'training.optimizer', /to "sgd"$/), /"optimizer": "sgd"/);
    assert.match(apply(edited('"activation": "none"', '"activation": "Relu"'), 'enum', 'model.activation', /to "relu"/), /"activation": "relu"/);
    assert.match(apply(edited('"epochs": 100', '"epochs": "250"'), 'type', 'training.epochs', /to 250 \(without quotes\)/), /"epochs": 250,/);
    assert.match(apply(edited('"shuffle": true', '"shuffle": "false"'), 'type', 'data.shuffle', /to false/), /"shuffle": false,/);
    assert.match(apply(edited('"epochs": 100', '"epochs": 99.6'), 'type', 'training.epochs', /to 100$/), /"epochs": 100,/);
    assert.match(apply(edited('"batch_size": "full"', '"batch_size": "32"'), 'enum', 'training.batch_size', /to 32 \(without quotes\)/), /"batch_size": 32,/);
  });

  test('a refused test_size gets the default', () => {
    apply(edited('"test_size": 0.2', '"test_size": 1.5'), 'range', 'data.test_size', /to 0\.2 \(the default\)/);
  });

  test('a value of the wrong kind gets the default', () => {
    apply(edited('"seed": 42', '"seed": [42]'), 'type', 'seed', /to 42 \(the default\)/);
  });
});

describe('fixes of keys', () => {
  test('a typo is renamed, also in another section and with a changed case', () => {
    assert.match(apply(edited('"cluster_std": 1.5', '"cluster_sdt": 1.5'), 'unknown-key', 'data.cluster_sdt', /Rename/), /"cluster_std": 1\.5/);
    assert.match(apply(edited('"n_features": 2', '"N_Features": 2'), 'unknown-key', 'data.N_Features', /Rename/), /"n_features": 2/);
  });

  test('no rename onto a key that is there already', () => {
    const t = edited('"epochs": 100', '"epochs": 100,\n    "epocs": 5');
    assert.deepEqual(problemOf(t, 'unknown-key', 'training.epocs').fixes, []);
  });

  test('a key in the wrong section moves, keeping the rest of the text', () => {
    const t = '{\n  // my comment\n  "epochs": 30,\n  "training": {\n    "lr": 0.05\n  }\n}\n';
    const after = apply(t, 'unknown-key', 'epochs', /Move `epochs` into `training`/);
    assert.equal(after, '{\n  // my comment\n  "training": {\n    "lr": 0.05,\n    "epochs": 30\n  }\n}\n');
    // The section is made when it is not there.
    assert.equal(apply('{\n  "lr": 0.05\n}\n', 'unknown-key', 'lr', /into `training`/), '{\n  "training": {\n    "lr": 0.05\n  }\n}\n');
  });

  test('a misspelt key of another section moves and is renamed', () => {
    const after = apply('{\n  "seed": 1,\n  "hiden_units": [4]\n}\n', 'unknown-key', 'hiden_units', /Move `hiden_units` into `model` as `hidden_units`/);
    assert.deepEqual(JSON.parse(after), { seed: 1, model: { hidden_units: [4] } });
  });

  test('a key the generator ignores is removed', () => {
    const t = edited('"shuffle": true,', '"shuffle": true,\n    "factor": 0.5,');
    const after = apply(t, 'unused-key', 'data.factor', /Remove `data.factor`/);
    assert.equal(after, NOTEBOOK_SPEC_TEXT);
  });

  test('removing keeps comments and commas right: first, last, one line', () => {
    const t = '{\n  "data": {\n    // the moons\n    "factor": 0.5,\n    "generator": "make_moons"\n  }\n}\n';
    assert.equal(apply(t, 'unused-key', 'data.factor', /Remove/), '{\n  "data": {\n    // the moons\n    "generator": "make_moons"\n  }\n}\n');
    const last = '{\n  "data": {\n    "generator": "make_moons", // two moons\n    "centers": 3\n  }\n}\n';
    assert.equal(apply(last, 'unused-key', 'data.centers', /Remove/), '{\n  "data": {\n    "generator": "make_moons" // two moons\n  }\n}\n');
    assert.equal(apply('{"data": {"generator": "make_moons", "centers": 3}}', 'unused-key', 'data.centers', /Remove/), '{"data": {"generator": "make_moons"}}');
    assert.equal(apply('{"data": {"centers": 3, "generator": "make_moons"}}', 'unused-key', 'data.centers', /Remove/), '{"data": {"generator": "make_moons"}}');
  });

  test('momentum with adam is removed', () => {
    const t = edited('"optimizer": "sgd"', '"optimizer": "adam"').replace('"momentum": 0', '"momentum": 0.9');
    assert.doesNotMatch(apply(t, 'unused-key', 'training.momentum', /Remove/), /momentum/);
  });
});

describe('fixes of list lengths', () => {
  const blobs = (data: string) => `{\n  "data": {\n${data}\n  }\n}\n`;

  test('cluster_std: padded with its last value to one per centre', () => {
    const t = blobs('    "centers": 4,\n    "cluster_std": [1, 2, 0.5]');
    const after = apply(t, 'length-mismatch', 'data.cluster_std', /Add 1 value to `data.cluster_std`, repeating the last \(one std per centre\)/);
    assert.match(after, /"cluster_std": \[1, 2, 0\.5, 0\.5\]/);
  });

  test('n_samples: cut to one count per centre, also written one per line', () => {
    const t = blobs('    "centers": 2,\n    "n_samples": [\n      100,\n      200,\n      300\n    ]');
    const after = apply(t, 'length-mismatch', 'data.n_samples', /Keep the first 2 values of `data.n_samples`/);
    assert.match(after, /"n_samples": \[\n {6}100,\n {6}200\n {4}\]/);
  });

  test('explicit centres count too', () => {
    const t = blobs('    "centers": [[0, 0], [5, 5], [9, 0]],\n    "cluster_std": [1, 2]');
    assert.match(apply(t, 'length-mismatch', 'data.cluster_std', /Add 1 value/), /"cluster_std": \[1, 2, 2\]/);
  });
});

describe('a trailing comma', () => {
  test('is removed, past comments and line breaks', () => {
    const fix = (t: string) => {
      const p = validateSpecText(t).problems.find((x) => x.code === 'trailing-comma')!;
      const f = fixesFor(t, p);
      assert.deepEqual(f.map((x) => x.title), ['Remove the trailing comma']);
      return applyFix(t, f[0]);
    };
    assert.equal(fix('{"seed": 1,}'), '{"seed": 1}');
    assert.equal(fix('{\n  "seed": 1, // the seed, "quoted"\n  /* more */\n}'), '{\n  "seed": 1 // the seed, "quoted"\n  /* more */\n}');
    assert.equal(fix('{"a": [1, 2,\n]}'), '{"a": [1, 2\n]}');
    assert.deepEqual(validateSpecText(fix('{"model": {"hidden_units": [4, 4,],},}')).problems.filter((p) => p.code === 'trailing-comma').length, 2);
  });
});

describe('layout is kept', () => {
  test('tabs and CRLF', () => {
    const t = '{\r\n\t"epochs": 5\r\n}\r\n';
    assert.deepEqual(formattingOf(t), { eol: '\r\n', insertSpaces: false, tabSize: 4 });
    assert.equal(apply(t, 'unknown-key', 'epochs', /Move/), '{\r\n\t"training": {\r\n\t\t"epochs": 5\r\n\t}\r\n}\r\n');
  });

  test('minimalEdit', () => {
    assert.deepEqual(minimalEdit('abcdef', 'abXef'), { offset: 2, length: 2, content: 'X' });
    assert.deepEqual(minimalEdit('aaa', 'aaaa'), { offset: 3, length: 0, content: 'a' });
    assert.deepEqual(minimalEdit('same', 'same'), { offset: 4, length: 0, content: '' });
  });

  test('a stale problem (the text changed under it) gets no fix', () => {
    const { problem } = problemOf(THREE_MISTAKES, 'unknown-key', 'training.epocs');
    assert.deepEqual(fixesFor(THREE_MISTAKES.replace('"epocs"', '"x" '), problem), []);
    const lr = problemOf(THREE_MISTAKES, 'range', 'training.lr').problem;
    assert.deepEqual(fixesFor(THREE_MISTAKES.replace('"lr": -1', '"lr": -10'), lr), []);
  });
});

describe('every fix of a corpus of broken specs', () => {
  // One mistake each, in the notebook's spec.
  const BROKEN: [string, string][] = [
    ['"seed": 42', '"seed": -3'], ['"seed": 42', '"sed": 42'], ['"seed": 42', '"seed": "42"'],
    ['"n_samples": 1000', '"n_samples": 0'], ['"n_samples": 1000', '"n_sample": 1000'], ['"n_samples": 1000', '"n_samples": [10, 10]'],
    ['"centers": 4', '"centers": 200'], ['"centers": 4', '"centres": 4'], ['"cluster_std": 1.5', '"cluster_std": [1, 1]'],
    ['"center_box": [-10, 10]', '"center_box": [-10, 2e7]'], ['"test_size": 0.2', '"test_size": 0'], ['"generator": "make_blobs"', '"generator": "make_blob"'],
    ['"hidden_units": [8, 8]', '"hidden_units": [8, 9999]'], ['"activation": "none"', '"activation": "RELU"'],
    ['"optimizer": "sgd"', '"optimizer": "Adam"'], ['"lr": 0.1', '"learning_rate": 0.1'], ['"weight_decay": 0', '"weight_decay": -1'],
    ['"batch_size": "full"', '"batch_size": 0'], ['"log_every": 10', '"log_every": 0.5'], ['"resolution": 101', '"resolution": 1'],
    ['"every": "auto"', '"every": "Auto"'], ['"device": "auto"', '"device": "GPU"'], ['"shuffle": true', '"shuffle": 1'],
  ];
  for (const [from, to] of BROKEN) {
    test(`${to}`, () => {
      const text = edited(from, to);
      const problems = validateSpecText(text, { checkFiles: false }).problems.filter((p) => p.severity !== 'info');
      assert.ok(problems.length >= 1, 'broken');
      let fixed = 0;
      for (const p of problems) {
        for (const f of fixesFor(text, p)) {
          apply(text, p.code, pathText(p), new RegExp(f.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
          fixed++;
        }
      }
      assert.ok(fixed >= 1, `no fix for ${problems.map((p) => p.message)}`);
    });
  }
});
