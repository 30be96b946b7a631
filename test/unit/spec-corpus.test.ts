/**
 * The corpus of broken specs under test/fixtures/specs/bad: each gives clear errors at
 * the right place, and none makes the validator throw.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateSpecText } from '../../src/core/spec/validate';
import { expectProblem, type Expect } from './spec-helpers';

const dir = join(__dirname, '..', 'fixtures', 'specs', 'bad');

/** For each file, problems that must be there (1-based line/col of the range start). */
const EXPECTED: Record<string, Expect[]> = {
  'empty.blobs.json': [{ code: 'empty', line: 1, col: 1, includes: ['empty'] }],
  'missing-comma.blobs.json': [{ code: 'syntax', line: 4, col: 3, includes: ['comma'] }],
  'trailing-comma.blobs.json': [
    { code: 'trailing-comma', line: 4, col: 3, includes: ['trailing comma'] },
    { code: 'trailing-comma', line: 5, col: 1, includes: ['trailing comma'] },
  ],
  'trailing-garbage.blobs.json': [{ code: 'syntax', line: 4, col: 1, includes: ['after the end'] }],
  'unclosed.blobs.json': [{ code: 'syntax', line: 4, col: 1, includes: ['"}"'] }],
  'single-quotes.blobs.json': [{ code: 'syntax', line: 2, col: 3, includes: ['double quotes'] }],
  'not-an-object.blobs.json': [{ code: 'type', line: 1, col: 1, includes: ['JSON object'] }],
  'wrong-types.blobs.json': [
    { path: 'seed', code: 'type', line: 2, col: 11, includes: ['whole number', '"42"'] },
    { path: 'data.n_samples', code: 'type', line: 4, col: 18 },
    { path: 'data.shuffle', code: 'type', line: 5, col: 16, includes: ['true or false'] },
    { path: 'model.hidden_units', code: 'type', line: 8, col: 21, includes: ['list'] },
  ],
  'negative-zero.blobs.json': [
    { path: 'data.n_samples', code: 'range', line: 3, col: 18, includes: ['-5'] },
    { path: 'data.centers', code: 'range', line: 4, col: 16 },
    { path: 'training.epochs', code: 'range', line: 7, col: 15 },
    { path: 'training.lr', code: 'range', line: 8, col: 11, includes: ['greater than 0'] },
  ],
  'huge.blobs.json': [
    { path: 'data.n_samples', code: 'range', line: 3, col: 18, includes: ['5,000,000'] },
    { path: 'model.hidden_units', code: 'too-large', line: 7, col: 21, includes: ['parameters', '5,000,000'] },
    { path: 'boundary.resolution', code: 'range', line: 10, col: 19, includes: ['501'] },
  ],
  'mismatched-lists.blobs.json': [
    { path: 'data.n_samples', code: 'length-mismatch', line: 3, col: 18, includes: ['`centers` is 4'] },
    { path: 'data.cluster_std', code: 'length-mismatch', line: 5, col: 20, includes: ['has 2 values but `centers` is 4'] },
  ],
  'centre-dims.blobs.json': [{ path: 'data.centers[1]', code: 'length-mismatch', line: 3, col: 25, includes: ['`n_features` is 2'] }],
  'empty-train.blobs.json': [{ path: 'data.test_size', code: 'split-empty', line: 5, col: 18 }],
  'missing-csv.blobs.json': [{ path: 'data.path', code: 'csv-missing', line: 4, col: 13, includes: ['does not exist'] }],
  'bad-csv.blobs.json': [{ path: 'data.path', code: 'csv-invalid', line: 4, col: 13, includes: ['line 4', 'columns'] }],
  'unknown-keys.blobs.json': [
    { path: 'data.cluster_sd', code: 'unknown-key', severity: 'warning', line: 4, col: 5, includes: ['Did you mean `cluster_std`?'] },
    { path: 'trainig', code: 'unknown-key', severity: 'warning', line: 6, col: 3, includes: ['Did you mean `training`?'] },
    { path: 'model.activation', code: 'enum', line: 10, col: 19, includes: ['Did you mean `relu`?'] },
  ],
  'overflow.blobs.json': [
    { path: 'seed', code: 'range', line: 2, col: 11, includes: ['between 0 and 4,294,967,295', '99999999999'] },
    { path: 'data.n_samples', code: 'range', line: 4, col: 18, includes: ['too large', 'between 1 and 5,000,000'] },
    { path: 'data.cluster_std[1]', code: 'range', line: 5, col: 24, includes: ['between 0 and 1,000,000', '-2'] },
    { path: 'data.centers[1][1]', code: 'type', line: 6, col: 29, includes: ['a number', 'without quotes: 2'] },
    { path: 'training.batch_size', code: 'enum', line: 8, col: 31, includes: ['"full" or a whole number', 'without quotes: 32'] },
    { path: 'training.lr', code: 'range', line: 8, col: 43, includes: ['too large', 'greater than 0'] },
  ],
  'csv-one-class.blobs.json': [{ path: 'data.path', code: 'csv-one-class', line: 4, col: 13, includes: ['same label "cat"', 'at least 2 classes'] }],
  'csv-folder.blobs.json': [{ path: 'data.path', code: 'csv-missing', line: 2, col: 41, includes: ['is a folder, not a file'] }],
  'circles-bad.blobs.json': [
    { path: 'data.factor', code: 'range', line: 4, col: 15 },
    { path: 'data.noise', code: 'range', line: 5, col: 14 },
    { path: 'training.optimizer', code: 'enum', line: 8, col: 18 },
    { path: 'training.momentum', code: 'range', line: 9, col: 17 },
  ],
};

describe('bad spec corpus', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.blobs.json')).sort();

  test('every fixture has expectations', () => {
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
  });

  for (const f of files) {
    test(f, () => {
      const path = join(dir, f);
      const r = validateSpecText(readFileSync(path, 'utf8'), { specPath: path });
      assert.equal(r.spec, undefined, 'invalid');
      assert.ok(r.problems.some((p) => p.severity === 'error'));
      for (const e of EXPECTED[f] ?? []) expectProblem(r, e);
      for (const p of r.problems) {
        assert.notEqual(p.code, 'internal');
        assert.ok(p.message.length > 20 && /[.?!")]$/.test(p.message), `a sentence: ${p.message}`);
      }
    });
  }
});
