import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSpecText } from '../../src/core/spec/validate';
import { LIMITS } from '../../src/core/spec/types';
import { check, expectClean, expectProblem } from './spec-helpers';
import { tempDir } from './tempDir';

describe('syntax', () => {
  test('empty file', () => {
    expectProblem(check(''), { code: 'empty', severity: 'error', includes: ['empty', '{}'], line: 1, col: 1 });
    expectProblem(check('  \n\t'), { code: 'empty' });
  });

  test('trailing comma: one problem, at the brace, named', () => {
    const r = check('{\n  "seed": 42,\n}');
    assert.equal(r.problems.length, 1);
    expectProblem(r, { code: 'trailing-comma', includes: ['trailing comma'], line: 3, col: 1 });
  });

  test('single quotes are explained', () => {
    const r = check("{'seed': 1}");
    const p = r.problems[0];
    assert.equal(p.code, 'syntax');
    assert.match(p.message, /double quotes/);
    assert.deepEqual([p.range.start.line, p.range.start.character], [0, 1]);
  });

  test('missing comma between keys points at the second key', () => {
    const r = check('{\n  "seed": 42\n  "device": "cpu"\n}');
    expectProblem(r, { code: 'syntax', includes: ['comma', 'CommaExpected'], line: 3, col: 3 });
  });

  test('trailing garbage after the object', () => {
    const r = check('{"seed": 42}\nextra');
    const p = expectProblem(r, { code: 'syntax', line: 2, col: 1 });
    assert.match(p.message, /extra|end of the spec/);
  });

  test('unclosed object', () => {
    const r = check('{"data": {"n_samples": 10}');
    const p = r.problems.find((x) => x.code === 'syntax');
    assert.ok(p && /close/.test(p.message), JSON.stringify(r.problems));
    assert.equal(r.spec, undefined);
  });

  test('unterminated string', () => {
    const r = check('{"name": "abc}');
    assert.ok(r.problems.some((p) => p.code === 'syntax' && /never closed/.test(p.message)));
  });

  test('comments are allowed, a BOM is fine', () => {
    expectClean(check('// the notebook\n{ /* seed */ "seed": 42 }'));
    expectClean(check('\uFEFF{"seed": 42}'));
  });

  test('CRLF line endings give the right line numbers', () => {
    const r = check('{\r\n  "seed": -1\r\n}');
    expectProblem(r, { path: 'seed', line: 2, col: 11 });
  });

  test('a non-object document', () => {
    expectProblem(check('[1, 2]'), { code: 'type', includes: ['JSON object', 'a list'], line: 1, col: 1 });
    expectProblem(check('42'), { code: 'type', includes: ['the number 42'] });
  });

  test('ranges are consistent: end - start matches length on one line', () => {
    const r = check('{"seed": "forty-two"}');
    const p = expectProblem(r, { path: 'seed', code: 'type' });
    assert.equal(p.range.offset, 9);
    assert.equal(p.range.length, '"forty-two"'.length);
    assert.equal(p.range.end.character - p.range.start.character, p.range.length);
  });
});

describe('top level', () => {
  test('{} is the notebook', () => {
    const r = check({});
    expectClean(r);
    assert.equal(r.spec!.seed, 42);
    assert.equal(r.spec!.data.generator, 'make_blobs');
  });

  test('seed: type, range, whole number', () => {
    expectProblem(check({ seed: 'x' }), { path: 'seed', code: 'type', includes: ['`seed`', 'whole number', 'a string ("x")'] });
    expectProblem(check({ seed: -1 }), { path: 'seed', code: 'range', includes: ['between 0 and 4,294,967,295', '-1'] });
    expectProblem(check({ seed: 2 ** 32 }), { path: 'seed', code: 'range' });
    expectProblem(check({ seed: 1.5 }), { path: 'seed', code: 'type', includes: ['whole number', '1.5'] });
  });

  test('name must be a string', () => {
    expectProblem(check({ name: 3 }), { path: 'name', code: 'type', includes: ['a string'] });
  });

  test('device enum with a suggestion', () => {
    expectProblem(check({ device: 'GPU' }), { path: 'device', code: 'enum', includes: ['"auto"', 'Did you mean `gpu`?'] });
    expectProblem(check({ device: 'tpu' }), { path: 'device', code: 'enum' });
  });

  test('unknown keys are warnings with a suggestion; the spec still resolves', () => {
    const r = check({ trainig: { epochs: 5 } });
    expectProblem(r, { path: 'trainig', code: 'unknown-key', severity: 'warning', includes: ['`trainig`', 'Did you mean `training`?'] });
    assert.ok(r.spec);
    const r2 = check({ banana: 1 });
    const p = expectProblem(r2, { path: 'banana', code: 'unknown-key' });
    assert.doesNotMatch(p.message, /Did you mean/);
  });

  test('a key in the wrong section says where it belongs', () => {
    expectProblem(check({ epochs: 5 }), { path: 'epochs', code: 'unknown-key', includes: ['`epochs` belongs in `training`'] });
    expectProblem(check({ model: { lr: 0.1 } }), { path: 'model.lr', includes: ['belongs in `training`'] });
    expectProblem(check({ n_samples: 10 }), { path: 'n_samples', includes: ['belongs in `data`'] });
  });

  test('a typo of a key from another section points there', () => {
    expectProblem(check({ hiden_units: [8] }), { path: 'hiden_units', code: 'unknown-key', includes: ['Did you mean `model.hidden_units`?', '"model"'] });
    expectProblem(check({ data: { sed: 1 } }), { path: 'data.sed', code: 'unknown-key', includes: ['Did you mean `seed`?', 'top level'] });
  });

  test("a notebook's / scikit-learn's / PyTorch's name for a key suggests the spec's", () => {
    const cases: [object, string, string][] = [
      [{ random_state: 42 }, 'random_state', '`seed`'],
      [{ data: { random_state: 42 } }, 'data.random_state', '`seed`'],
      [{ training: { learning_rate: 0.1 } }, 'training.learning_rate', '`lr`'],
      [{ training: { num_epochs: 100 } }, 'training.num_epochs', '`epochs`'],
      [{ data: { n_classes: 4 } }, 'data.n_classes', '`centers`'],
      [{ model: { hidden_layers: [8] } }, 'model.hidden_layers', '`hidden_units`'],
      [{ learning_rate: 0.1 }, 'learning_rate', '`training.lr`'],
      [{ data: { generator: 'make_moons', nosie: 0.1 } }, 'data.nosie', '`noise`'], // a swap of two letters is one edit
    ];
    for (const [spec, path, want] of cases) expectProblem(check(spec), { path, code: 'unknown-key', includes: [`Did you mean ${want}?`] });
  });

  test('$schema and description are allowed', () => {
    const r = check({ $schema: '../schemas/blobs.schema.json', description: 'hello' });
    expectClean(r);
    assert.equal(r.spec!.description, 'hello');
  });

  test('duplicate keys warn; the last one wins', () => {
    const r = check('{"seed": 1,\n "seed": 2}');
    expectProblem(r, { code: 'duplicate-key', severity: 'warning', line: 2, col: 2 });
    assert.equal(r.spec!.seed, 2);
  });

  test('a quoted number or true/false says to remove the quotes', () => {
    expectProblem(check({ seed: '42' }), { path: 'seed', code: 'type', includes: ['Numbers are written without quotes: 42.'] });
    expectProblem(check({ data: { shuffle: 'false' } }), { path: 'data.shuffle', code: 'type', includes: ['true and false are written without quotes: false.'] });
    expectProblem(check({ data: { generator: 'make_moons', noise: 'null' } }), { path: 'data.noise', code: 'type', includes: ['null is written without quotes'] });
    const p = expectProblem(check({ data: { shuffle: 'yes' } }), { path: 'data.shuffle', code: 'type' });
    assert.doesNotMatch(p.message, /quotes/);
  });

  test('a word where a word or a number goes names both choices', () => {
    expectProblem(check({ training: { batch_size: '32' } }), { path: 'training.batch_size', code: 'enum', includes: ['must be "full" or a whole number', 'without quotes: 32'] });
    expectProblem(check({ training: { batch_size: 'all' } }), { path: 'training.batch_size', code: 'enum', includes: ['"full" or a whole number', '"all"'] });
    expectProblem(check({ boundary: { every: 'Auto' } }), { path: 'boundary.every', code: 'enum', includes: ['"auto" or a whole number', 'Did you mean `auto`?'] });
  });

  test('sections must be objects', () => {
    expectProblem(check({ model: [8, 8] }), { path: 'model', code: 'type', includes: ['`model`', 'an object'] });
    expectProblem(check({ data: 'blobs' }), { path: 'data', code: 'type' });
  });
});

describe('data: make_blobs', () => {
  test('generator enum with suggestion', () => {
    const r = check({ data: { generator: 'make_blob', n_samples: 10 } });
    expectProblem(r, { path: 'data.generator', code: 'enum', includes: ['Did you mean `make_blobs`?'] });
    // The generator is unknown, so its keys are neither checked nor called unknown.
    assert.equal(r.problems.length, 1);
  });

  test('n_samples: zero, negative, fraction, string, overflow, too many', () => {
    expectProblem(check({ data: { n_samples: 0 } }), { path: 'data.n_samples', code: 'range', includes: ['between 1 and 5,000,000', 'but it is 0'] });
    expectProblem(check({ data: { n_samples: -5 } }), { path: 'data.n_samples', code: 'range' });
    expectProblem(check({ data: { n_samples: 10.5 } }), { path: 'data.n_samples', code: 'type', includes: ['whole number'] });
    expectProblem(check({ data: { n_samples: '1000' } }), { path: 'data.n_samples', code: 'type', includes: ['a whole number or a list of whole numbers'] });
    // Too large for a float64: the message still states the limit.
    expectProblem(check('{"data": {"n_samples": 1e999}}'), { path: 'data.n_samples', code: 'range', includes: ['too large', 'between 1 and 5,000,000'] });
    expectProblem(check('{"seed": 1e999}'), { path: 'seed', code: 'range', includes: ['too large', 'between 0 and 4,294,967,295'] });
    expectProblem(check('{"training": {"lr": 1e999}}'), { path: 'training.lr', code: 'range', includes: ['too large', 'greater than 0'] });
    expectProblem(check({ data: { n_samples: LIMITS.maxSamples + 1 } }), { path: 'data.n_samples', code: 'range', includes: ['5,000,000'] });
    expectProblem(check({ data: { n_samples: [10, 0, 10, 10] } }), { path: 'data.n_samples[1]', code: 'range' });
  });

  test('n_samples list must agree with centers', () => {
    const r = check({ data: { n_samples: [10, 20, 30], centers: 4 } });
    expectProblem(r, { path: 'data.n_samples', code: 'length-mismatch', includes: ['3', '`centers` is 4'] });
  });

  test('n_samples list without centers: one centre per count', () => {
    const r = check({ data: { n_samples: [10, 20, 30] } });
    expectClean(r);
    assert.equal((r.spec!.data as { centers: number }).centers, 3);
  });

  test('cluster_std: negative, and list length vs centers', () => {
    expectProblem(check({ data: { cluster_std: -1 } }), { path: 'data.cluster_std', code: 'range', includes: ['between 0 and 1,000,000'] });
    const r = check({ data: { cluster_std: [1, 2, 3] } });
    expectProblem(r, { path: 'data.cluster_std', code: 'length-mismatch', includes: ['`data.cluster_std` has 3 values but `centers` is 4'] });
    expectClean(check({ data: { cluster_std: [1, 2, 3, 0.5] } }));
  });

  test('n_features bounds', () => {
    expectProblem(check({ data: { n_features: 1 } }), { path: 'data.n_features', code: 'range', includes: ['between 2 and 1000'] });
    expectProblem(check({ data: { n_features: 1001 } }), { path: 'data.n_features', code: 'range' });
  });

  test('centers: count bounds', () => {
    expectProblem(check({ data: { centers: 1 } }), { path: 'data.centers', code: 'range', includes: ['between 2 and 100'] });
    expectProblem(check({ data: { centers: 101 } }), { path: 'data.centers', code: 'range' });
  });

  test('explicit centres need n_features coordinates each', () => {
    const r = check({ data: { centers: [[0, 0], [1, 1, 1]], n_features: 2 } });
    expectProblem(r, { path: 'data.centers[1]', code: 'length-mismatch', includes: ['3 coordinates', '`n_features` is 2'] });
    const r2 = check({ data: { centers: [[0, 0, 0], [1, 1]] } });
    expectProblem(r2, { path: 'data.centers[1]', code: 'length-mismatch', includes: ['first centre has 3'] });
    const ok = check({ data: { centers: [[0, 0, 0], [1, 1, 1]] } });
    expectClean(ok);
    assert.equal((ok.spec!.data as { n_features: number }).n_features, 3, 'n_features follows the centres');
    expectProblem(check({ data: { centers: [[0, 'a'], [1, 1]] } }), { path: 'data.centers[0][1]', code: 'type' });
  });

  test('center_box: order, length, ignored with explicit centres', () => {
    expectProblem(check({ data: { center_box: [10, -10] } }), { path: 'data.center_box', code: 'range', includes: ['low < high'] });
    expectProblem(check({ data: { center_box: [1] } }), { path: 'data.center_box', code: 'length', includes: ['2'] });
    const r = check({ data: { centers: [[0, 0], [1, 1]], center_box: [-1, 1] } });
    expectProblem(r, { path: 'data.center_box', severity: 'info' });
    assert.ok(r.spec);
  });

  test('magnitudes that would overflow the data (Infinity in the output, NaN in training) are errors', () => {
    // Each of these validated before and then failed in `blobs data`, or printed Infinity.
    expectProblem(check('{"data": {"center_box": [-1e308, 1e308]}}'), { path: 'data.center_box[0]', code: 'range', includes: ['between -1,000,000 and 1,000,000'] });
    expectProblem(check('{"data": {"cluster_std": 1e308}}'), { path: 'data.cluster_std', code: 'range', includes: ['between 0 and 1,000,000'] });
    expectProblem(check('{"data": {"cluster_std": [1, 1, 1, 2e6]}}'), { path: 'data.cluster_std[3]', code: 'range' });
    expectProblem(check('{"data": {"centers": [[1e308, 0], [0, 0]]}}'), { path: 'data.centers[0][0]', code: 'range', includes: ['between -1,000,000 and 1,000,000'] });
    expectProblem(check('{"data": {"generator": "make_moons", "noise": 1e7}, "model": {"activation": "relu"}}'), { path: 'data.noise', code: 'range' });
    expectProblem(check('{"boundary": {"padding": 1e300}}'), { path: 'boundary.padding', code: 'range' });
    expectClean(check({ data: { center_box: [-1e6, 1e6], cluster_std: 1e6 } }));
  });

  test('fewer samples than centres', () => {
    expectProblem(check({ data: { n_samples: 3, centers: 4 } }), { path: 'data.n_samples', code: 'range', includes: ['4 centres'] });
  });

  test('shuffle and split_shuffle are booleans', () => {
    expectProblem(check({ data: { shuffle: 'yes' } }), { path: 'data.shuffle', code: 'type', includes: ['true or false'] });
    expectProblem(check({ data: { split_shuffle: 1 } }), { path: 'data.split_shuffle', code: 'type' });
  });

  test('keys of other generators are flagged as unused', () => {
    const r = check({ data: { factor: 0.5 } });
    expectProblem(r, { path: 'data.factor', code: 'unused-key', severity: 'warning', includes: ['make_circles', 'make_blobs'] });
  });

  test('unknown data key suggests the close one', () => {
    expectProblem(check({ data: { cluster_sd: 1 } }), { path: 'data.cluster_sd', code: 'unknown-key', includes: ['Did you mean `cluster_std`?'] });
    expectProblem(check({ data: { nsamples: 1 } }), { path: 'data.nsamples', includes: ['Did you mean `n_samples`?'] });
  });
});

describe('data: moons and circles', () => {
  test('n_samples: total of at least 2, or two counts', () => {
    expectProblem(check({ data: { generator: 'make_moons', n_samples: 1 } }), { path: 'data.n_samples', code: 'range', includes: ['between 2 and 5,000,000'] });
    expectProblem(check({ data: { generator: 'make_moons', n_samples: [0, 5] } }), { path: 'data.n_samples[0]', code: 'range' });
    expectProblem(check({ data: { generator: 'make_moons', n_samples: [1, 2, 3] } }), { path: 'data.n_samples', code: 'length' });
    expectClean(check({ data: { generator: 'make_moons', n_samples: [300, 200], noise: 0.1 }, model: { activation: 'relu' } }));
  });

  test('noise: >= 0 or null', () => {
    expectProblem(check({ data: { generator: 'make_circles', noise: -0.1 } }), { path: 'data.noise', code: 'range' });
    expectProblem(check({ data: { generator: 'make_circles', noise: 'low' } }), { path: 'data.noise', code: 'type', includes: ['a number or null'] });
    expectClean(check({ data: { generator: 'make_circles', noise: null }, model: { activation: 'relu' } }));
  });

  test('factor: 0 <= factor < 1', () => {
    expectProblem(check({ data: { generator: 'make_circles', factor: 1 } }), { path: 'data.factor', code: 'range', includes: ['less than 1'] });
    expectProblem(check({ data: { generator: 'make_circles', factor: -0.5 } }), { path: 'data.factor', code: 'range' });
  });

  test('blobs keys are unused here', () => {
    expectProblem(check({ data: { generator: 'make_moons', centers: 3 } }), { path: 'data.centers', code: 'unused-key', includes: ['make_blobs'] });
  });

  test('a linear model on circles gets a note', () => {
    const r = check({ data: { generator: 'make_circles' } });
    expectProblem(r, { code: 'linear-model', severity: 'info', includes: ['relu'] });
    assert.ok(r.spec);
  });
});

describe('data: test split', () => {
  test('test_size must be a fraction or a whole count', () => {
    // In words, not "greater than 0 and at most 5,000,000".
    expectProblem(check({ data: { test_size: 0 } }), { path: 'data.test_size', code: 'range', includes: ['a fraction between 0 and 1 (e.g. 0.2) or a whole number of test samples', 'but it is 0'] });
    expectProblem(check({ data: { test_size: -0.2 } }), { path: 'data.test_size', code: 'range' });
    expectProblem(check({ data: { test_size: 1.5 } }), { path: 'data.test_size', code: 'range', includes: ['fraction', 'whole number'] });
    expectProblem(check({ data: { test_size: '20%' } }), { path: 'data.test_size', code: 'type' });
  });

  test('a fraction that leaves no training samples (sklearn rounds the test side up)', () => {
    // ceil(0.95 * 10) = 10: nothing left to train on.
    const r = check({ data: { n_samples: 10, centers: 2, test_size: 0.95 } });
    expectProblem(r, { path: 'data.test_size', code: 'split-empty', includes: ['ceil(0.95 x 10) = 10', 'no training samples'] });
    // ceil(0.85 * 10) = 9: one left.
    assert.ok(check({ data: { n_samples: 10, centers: 2, test_size: 0.85 } }).spec);
  });

  test('a count must be smaller than the samples', () => {
    expectProblem(check({ data: { n_samples: 100, test_size: 100 } }), { path: 'data.test_size', code: 'split-empty', includes: ['at most 99'] });
    assert.ok(check({ data: { n_samples: 100, test_size: 99 } }).spec);
    assert.ok(check({ data: { n_samples: 100, test_size: 1 } }).spec, '1 is a count of one sample');
  });

  test('a count against per-centre sample lists', () => {
    expectProblem(check({ data: { n_samples: [2, 2], test_size: 4 } }), { path: 'data.test_size', code: 'split-empty', includes: ['4 samples', 'at most 3'] });
  });
});

describe('sizes and limits', () => {
  test('opts.maxSamples is enforced and stated', () => {
    const r = check({ data: { n_samples: 1000 } }, { maxSamples: 500 });
    expectProblem(r, { path: 'data.n_samples', code: 'too-large', includes: ['1,000', 'the limit is 500'] });
    expectProblem(check({ data: { n_samples: [400, 400] } }, { maxSamples: 500 }), { code: 'too-large', includes: ['800'] });
  });

  test('n_samples x n_features is bounded', () => {
    const r = check({ data: { n_samples: 5_000_000, n_features: 10 } });
    expectProblem(r, { code: 'too-large', includes: ['50,000,000', '20,000,000'] });
  });

  test('the parameter count is bounded', () => {
    const r = check({ model: { hidden_units: [4096, 4096, 4096] } });
    expectProblem(r, { path: 'model.hidden_units', code: 'too-large', includes: ['2-4096-4096-4096-4', 'parameters', '5,000,000'] });
  });

  test('hidden_units: widths and depth', () => {
    expectProblem(check({ model: { hidden_units: [8, 0] } }), { path: 'model.hidden_units[1]', code: 'range', includes: ['between 1 and 4096'] });
    expectProblem(check({ model: { hidden_units: [5000] } }), { path: 'model.hidden_units[0]', code: 'range' });
    expectProblem(check({ model: { hidden_units: Array(17).fill(2) } }), { path: 'model.hidden_units', code: 'length', includes: ['at most 16'] });
    expectProblem(check({ model: { hidden_units: 8 } }), { path: 'model.hidden_units', code: 'type', includes: ['a list of whole numbers'] });
    expectClean(check({ model: { hidden_units: [] } }));
  });

  test('activation enum', () => {
    expectProblem(check({ model: { activation: 'ReLU' } }), { path: 'model.activation', code: 'enum', includes: ['Did you mean `relu`?'] });
  });
});

describe('training and boundary', () => {
  test('epochs', () => {
    expectProblem(check({ training: { epochs: 0 } }), { path: 'training.epochs', code: 'range', includes: ['between 1 and 1,000,000'] });
    expectProblem(check({ training: { epochs: 2.5 } }), { path: 'training.epochs', code: 'type' });
  });

  test('optimizer', () => {
    expectProblem(check({ training: { optimizer: 'SGD' } }), { path: 'training.optimizer', code: 'enum', includes: ['Did you mean `sgd`?'] });
    expectProblem(check({ training: { optimizer: 'rmsprop' } }), { path: 'training.optimizer', code: 'enum' });
  });

  test('lr must be > 0 and finite; very large is a warning', () => {
    expectProblem(check({ training: { lr: 0 } }), { path: 'training.lr', code: 'range', includes: ['greater than 0'] });
    expectProblem(check({ training: { lr: -0.1 } }), { path: 'training.lr', code: 'range' });
    expectProblem(check({ training: { lr: '0.1' } }), { path: 'training.lr', code: 'type' });
    expectProblem(check('{"training": {"lr": 1e400}}'), { path: 'training.lr', code: 'range', includes: ['too large'] });
    const r = check({ training: { lr: 50 } });
    expectProblem(r, { path: 'training.lr', code: 'large-lr', severity: 'warning' });
    assert.ok(r.spec);
  });

  test('momentum and weight_decay', () => {
    expectProblem(check({ training: { momentum: 1 } }), { path: 'training.momentum', code: 'range', includes: ['less than 1'] });
    expectProblem(check({ training: { momentum: -0.1 } }), { path: 'training.momentum', code: 'range' });
    expectProblem(check({ training: { optimizer: 'adam', momentum: 0.9 } }), { path: 'training.momentum', code: 'unused-key', severity: 'warning', includes: ['adam'] });
    expectProblem(check({ training: { weight_decay: -1 } }), { path: 'training.weight_decay', code: 'range' });
  });

  test('batch_size: "full" or a count; more than the training set is a warning', () => {
    expectProblem(check({ training: { batch_size: 0 } }), { path: 'training.batch_size', code: 'range' });
    expectProblem(check({ training: { batch_size: 'all' } }), { path: 'training.batch_size', code: 'enum', includes: ['"full"'] });
    const r = check({ training: { batch_size: 801 } });
    expectProblem(r, { path: 'training.batch_size', code: 'batch-too-large', severity: 'warning', includes: ['800 training samples'] });
    assert.ok(r.spec);
    expectClean(check({ training: { batch_size: 800 } }));
  });

  test('log_every larger than epochs is a note', () => {
    expectProblem(check({ training: { epochs: 100, log_every: 1000 } }), { path: 'training.log_every', code: 'log-every', severity: 'info', includes: ['1000', '`epochs` 100', 'only epoch 0'] });
    assert.ok(check({ training: { epochs: 100, log_every: 1000 } }).spec, 'only a note');
    assert.ok(!check({ training: { epochs: 100, log_every: 100 } }).problems.length);
  });

  test('log_every', () => {
    expectProblem(check({ training: { log_every: 0 } }), { path: 'training.log_every', code: 'range', includes: ['between 1 and 1,000,000'] });
    expectProblem(check({ training: { epochs: 5, log_every: 10 } }), { path: 'training.log_every', severity: 'info' });
  });

  test('boundary resolution, padding, every', () => {
    expectProblem(check({ boundary: { resolution: 1 } }), { path: 'boundary.resolution', code: 'range', includes: ['between 2 and 501'] });
    expectProblem(check({ boundary: { resolution: 1001 } }), { path: 'boundary.resolution', code: 'range' });
    expectProblem(check({ boundary: { resolution: 101.5 } }), { path: 'boundary.resolution', code: 'type' });
    expectProblem(check({ boundary: { padding: -1 } }), { path: 'boundary.padding', code: 'range' });
    expectProblem(check({ boundary: { every: 0 } }), { path: 'boundary.every', code: 'range' });
    expectProblem(check({ boundary: { every: 'sometimes' } }), { path: 'boundary.every', code: 'enum' });
  });
});

describe('csv data', () => {
  const dir = tempDir('spec-csv-');
  const specPath = join(dir, 'my.blobs.json');
  mkdirSync(join(dir, 'data'));
  const put = (name: string, text: string) => writeFileSync(join(dir, 'data', name), text);
  put('good.csv', 'a,b,kind\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n');
  put('ragged.csv', 'a,b,kind\n1,2,x\n3,4\n5,6,x\n');
  put('one-class.csv', '1,2,x\n3,4,x\n5,6,x\n');
  put('one-feature.csv', '1,x\n3,y\n');
  put('tiny.csv', '1,2,x\n3,4,y\n');
  const csvSpec = (path: string, extra: object = {}) => ({ data: { generator: 'csv', path, ...extra } });

  test('a good file is valid; its rows count towards the limits', () => {
    expectClean(check(csvSpec('data/good.csv'), { specPath }));
    expectProblem(check(csvSpec('data/good.csv'), { specPath, maxSamples: 3 }), { code: 'too-large', includes: ['5 rows', 'the limit is 3'] });
  });

  test('path is required and non-empty', () => {
    expectProblem(check({ data: { generator: 'csv' } }, { specPath }), { code: 'missing', includes: ['`data.path` is required'] });
    expectProblem(check(csvSpec(''), { specPath }), { path: 'data.path', code: 'range', includes: ['must not be empty'] });
  });

  test('a missing file, resolved next to the spec', () => {
    const text = '{\n  "data": {\n    "generator": "csv",\n    "path": "data/nope.csv"\n  }\n}';
    const r = validateSpecText(text, { specPath });
    expectProblem(r, { path: 'data.path', code: 'csv-missing', includes: ['"data/nope.csv" does not exist', join(dir, 'data', 'nope.csv')], line: 4, col: 13 });
  });

  test('a folder is not a file', () => {
    expectProblem(check(csvSpec('data'), { specPath }), { code: 'csv-missing', includes: ['folder'] });
  });

  test('inconsistent columns: the parser line is reported', () => {
    expectProblem(check(csvSpec('data/ragged.csv'), { specPath }), { path: 'data.path', code: 'csv-invalid', includes: ['line 3'] });
  });

  test('one class, one feature', () => {
    const p = expectProblem(check(csvSpec('data/one-class.csv'), { specPath }), { path: 'data.path', severity: 'error', includes: ['at least 2'] });
    assert.doesNotMatch(p.message, /line 0/);
    expectProblem(check(csvSpec('data/one-feature.csv'), { specPath }), { code: 'csv-invalid', includes: ['feature column'] });
  });

  test('more classes than the limit; a file larger than the limit (sparse, nothing read)', () => {
    put('many-classes.csv', Array.from({ length: LIMITS.maxClasses + 1 }, (_, i) => `${i},${-i},c${i}`).join('\n'));
    expectProblem(check(csvSpec('data/many-classes.csv'), { specPath }), { path: 'data.path', code: 'too-large', includes: [`${LIMITS.maxClasses + 1} classes`, `the limit is ${LIMITS.maxClasses}`] });
    const big = join(dir, 'data', 'big.csv');
    writeFileSync(big, '');
    truncateSync(big, LIMITS.maxCsvBytes + 1);
    expectProblem(check(csvSpec('data/big.csv'), { specPath }), { path: 'data.path', code: 'too-large', includes: ['536,870,913 bytes', `the limit is ${LIMITS.maxCsvBytes / 1024 / 1024} MiB`] });
  });

  test('fewer than 2 classes (csv-one-class)', () => {
    expectProblem(check(csvSpec('data/one-class.csv'), { specPath }), { path: 'data.path', code: 'csv-one-class', includes: ['the same label "x"', 'at least 2 classes'] });
  });

  test('the split is checked against the file rows', () => {
    // 2 rows: ceil(0.6 * 2) = 2 go to test.
    expectProblem(check(csvSpec('data/tiny.csv', { test_size: 0.6 }), { specPath }), { path: 'data.test_size', code: 'split-empty', includes: ['2 samples'] });
    assert.ok(check(csvSpec('data/tiny.csv', { test_size: 0.5 }), { specPath }).spec);
  });

  test('without a spec path a relative file is not checked (note only)', () => {
    const r = check(csvSpec('data/good.csv'));
    expectProblem(r, { code: 'csv-unchecked', severity: 'info' });
    assert.ok(r.spec);
  });

  test('an edited CSV file is read again (the parse is cached per size and mtime)', () => {
    put('changing.csv', '1,2,x\n3,4,y\n5,6,x\n');
    assert.ok(check(csvSpec('data/changing.csv'), { specPath }).spec);
    put('changing.csv', '1,2,x\n3,4,x\n5,6,x\n7,8,x\n');
    assert.equal(check(csvSpec('data/changing.csv'), { specPath }).spec, undefined);
  });

  test('blobs keys are unused with csv', () => {
    expectProblem(check(csvSpec('data/good.csv', { n_samples: 5 }), { specPath }), { path: 'data.n_samples', code: 'unused-key' });
  });
});

describe('robustness', () => {
  test('never throws, whatever the text', () => {
    const base = JSON.stringify({ name: 'x', data: { n_samples: [1, 2], centers: [[1, 2], [3, 4]] }, training: { lr: 0.1 } });
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const junk = ['{', '}', '[', ']', ',', ':', '"', '1e999', 'null', '-', '\\', '/*', '\u0000', '\n', 'NaN'];
    for (let i = 0; i < 400; i++) {
      let t = base;
      const edits = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * t.length);
        t = rand() < 0.5 ? t.slice(0, at) + junk[Math.floor(rand() * junk.length)] + t.slice(at) : t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 5));
      }
      const r = validateSpecText(t);
      assert.ok(Array.isArray(r.problems));
      assert.ok(!r.problems.some((p) => p.code === 'internal'), `internal error on ${JSON.stringify(t)}: ${r.problems.map((p) => p.message)}`);
      assert.equal(r.spec === undefined, r.problems.some((p) => p.severity === 'error'), 'spec iff no errors');
      for (const p of r.problems) assert.ok(p.range.offset >= 0 && p.range.offset + p.range.length <= t.length);
    }
  });

  test('absurdly deep nesting is a clear error, not an internal one', () => {
    const text = '{"name": ' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const p = expectProblem(check(text), { code: 'too-deep', severity: 'error', includes: ['more than 64 levels deep', 'stray'] });
    assert.equal(p.range.offset, 9 + 63);
    // Brackets inside strings and comments do not count; 64 levels are fine for the parser.
    const ok = check('{"name": "' + '['.repeat(100) + '" /* ' + '{'.repeat(100) + ' */}');
    assert.ok(ok.spec, JSON.stringify(ok.problems));
    assert.ok(!check('{"x": ' + '['.repeat(63) + ']'.repeat(63) + '}').problems.some((q) => q.code === 'too-deep' || q.code === 'internal'));
  });

  test('every message names its field in backticks', () => {
    const r = check({ seed: -1, data: { n_samples: 0, cluster_std: 'x' }, training: { lr: 0, optimizer: 'x' }, boundary: { every: 0 } });
    assert.equal(r.problems.length, 6);
    for (const p of r.problems) assert.match(p.message, /`[a-z_.[\]0-9]+`/);
  });
});

describe('every rule has a bad spec', () => {
  // Each problem code the validator's sources can emit, with a spec that triggers it.
  // A new rule without an entry here fails the first test.
  const srcDir = join(__dirname, '..', '..', 'src', 'core', 'spec');
  const emitted = new Set<string>();
  for (const f of readdirSync(srcDir)) {
    const text = readFileSync(join(srcDir, f), 'utf8');
    // r.add('code', ...), report(ctx, 'code', ...), reportFixable(ctx, [fixes], 'code', ...), err('code', ...), { code: 'code' }, and csvcheck's FILE_CODES table.
    for (const m of text.matchAll(/\b(?:add|report|err)\(\s*(?:ctx,\s*)?'([a-z][a-z-]*)'|\breportFixable\(\s*ctx,\s*\[[^\]]*\],\s*'([a-z][a-z-]*)'|\bcode: '([a-z][a-z-]*)'|: '(csv-[a-z-]+)',$/gm)) emitted.add(m[1] ?? m[2] ?? m[3] ?? m[4]);
  }
  emitted.delete('internal'); // validateSpecText's catch-all: the one code no spec may produce
  const dir = tempDir('rules-');
  const specPath = join(dir, 'rules.blobs.json');
  writeFileSync(join(dir, 'ragged.csv'), '1,2,x\n3,4\n');
  writeFileSync(join(dir, 'one-class.csv'), '1,2,x\n3,4,x\n');
  const outside = tempDir('rules-outside-');
  writeFileSync(join(outside, 'elsewhere.csv'), '1,2,x\n3,4,y\n');
  const BAD: Record<string, [spec: unknown, opts?: Parameters<typeof check>[1]]> = {
    'batch-too-large': [{ data: { n_samples: 10 }, training: { batch_size: 100 } }],
    'csv-invalid': [{ data: { generator: 'csv', path: 'ragged.csv' } }, { specPath }],
    'csv-missing': [{ data: { generator: 'csv', path: 'nope.csv' } }, { specPath }],
    'csv-one-class': [{ data: { generator: 'csv', path: 'one-class.csv' } }, { specPath }],
    'csv-path': [{ data: { generator: 'csv', path: join(outside, 'elsewhere.csv') } }, { specPath }],
    'more-problems': [{ data: { cluster_std: Array.from({ length: 100 }, () => -1), n_samples: Array.from({ length: 100 }, () => -1) }, model: { hidden_units: Array.from({ length: 16 }, () => -1) } }],
    'csv-unchecked': [{ data: { generator: 'csv', path: 'ragged.csv' } }],
    'duplicate-key': ['{"seed": 1, "seed": 2}'],
    empty: [''],
    enum: [{ device: 'tpu' }],
    'large-lr': [{ training: { lr: 50 } }],
    length: [{ data: { center_box: [1] } }],
    'length-mismatch': [{ data: { cluster_std: [1, 2] } }],
    'linear-model': [{ data: { generator: 'make_circles' } }],
    'log-every': [{ training: { epochs: 5, log_every: 10 } }],
    missing: [{ data: { generator: 'csv' } }, { specPath }],
    range: [{ seed: -1 }],
    'split-empty': [{ data: { n_samples: 10, test_size: 10 } }],
    syntax: ['{"seed": 1 "x": 2}'],
    'trailing-comma': ['{"seed": 1,}'],
    'too-deep': ['{"a":' + '['.repeat(100) + ']'.repeat(100) + '}'],
    'too-large': [{ model: { hidden_units: [4096, 4096] } }],
    type: [{ seed: 'x' }],
    'unknown-key': [{ sead: 1 }],
    'unused-key': [{ data: { factor: 0.5 } }],
  };

  test('the table covers every code in src/core/spec', () => {
    assert.ok(emitted.size >= 20, `found ${emitted.size} codes`);
    assert.deepEqual([...emitted].filter((c) => !(c in BAD)).sort(), [], 'codes without a bad spec');
  });

  for (const [code, [spec, opts]] of Object.entries(BAD)) {
    test(`${code}`, () => {
      const r = check(spec, opts);
      const p = r.problems.find((x) => x.code === code);
      assert.ok(p, `${code}: ${JSON.stringify(r.problems.map((x) => [x.code, x.message]))}`);
      assert.match(p.message, /^[A-Z`"]/, 'starts like a sentence');
      assert.match(p.message, /[.?!)]$/, 'ends like a sentence');
    });
  }
});
