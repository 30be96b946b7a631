import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NOTEBOOK_SPEC, NOTEBOOK_SPEC_TEXT, nameFromPath, newSpecText, prettyJson, resolveSpec } from '../../src/core/spec/defaults';
import { validateSpecText } from '../../src/core/spec/validate';

describe('resolveSpec', () => {
  test("{} resolves to the notebook's choices", () => {
    const s = resolveSpec({});
    assert.equal(s.seed, 42);
    assert.deepEqual(s.data, {
      generator: 'make_blobs',
      test_size: 0.2,
      split_shuffle: true,
      n_samples: 1000,
      n_features: 2,
      centers: 4,
      cluster_std: 1.5,
      center_box: [-10, 10],
      shuffle: true,
    });
    assert.deepEqual(s.model, { hidden_units: [8, 8], activation: 'none' });
    assert.deepEqual(s.training, { epochs: 100, optimizer: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, batch_size: 'full', log_every: 10 });
    assert.deepEqual(s.boundary, { resolution: 101, padding: 0.1, every: 'auto' });
    assert.equal(s.device, 'auto');
  });

  test('the notebook spec file and {} describe the same run', () => {
    const a = resolveSpec(NOTEBOOK_SPEC);
    const b = resolveSpec({ name: 'Four blobs', description: NOTEBOOK_SPEC.description });
    assert.deepEqual(a, b);
  });

  test('name: given, else from the file name, else Untitled', () => {
    assert.equal(resolveSpec({ name: 'Mine' }, { specPath: '/x/a.blobs.json' }).name, 'Mine');
    assert.equal(resolveSpec({}, { specPath: '/x/four-blobs.blobs.json' }).name, 'four-blobs');
    assert.equal(nameFromPath('C:\\specs\\b.json'), 'b');
    assert.equal(resolveSpec({}).name, 'Untitled');
  });

  test('generator defaults: moons, circles (scikit-learn), csv', () => {
    assert.deepEqual(resolveSpec({ data: { generator: 'make_moons' } }).data, {
      generator: 'make_moons', test_size: 0.2, split_shuffle: true, n_samples: 1000, noise: null, shuffle: true,
    });
    const c = resolveSpec({ data: { generator: 'make_circles', noise: 0.03 } }).data;
    assert.equal(c.generator === 'make_circles' && c.factor, 0.8);
    assert.equal(c.generator === 'make_circles' && c.noise, 0.03);
    assert.deepEqual(resolveSpec({ data: { generator: 'csv', path: 'a.csv', n_samples: 3 } }).data, {
      generator: 'csv', test_size: 0.2, split_shuffle: true, path: 'a.csv',
    });
  });

  test('inferences: centres from per-centre counts, n_features from explicit centres', () => {
    const d1 = resolveSpec({ data: { n_samples: [5, 6, 7] } }).data;
    assert.equal(d1.generator === 'make_blobs' && d1.centers, 3);
    const d2 = resolveSpec({ data: { centers: [[0, 0, 0], [1, 1, 1]] } }).data;
    assert.equal(d2.generator === 'make_blobs' && d2.n_features, 3);
  });

  test('resolved specs do not share arrays with the defaults', () => {
    const a = resolveSpec({});
    a.model.hidden_units.push(99);
    assert.deepEqual(resolveSpec({}).model.hidden_units, [8, 8]);
  });
});

describe('NOTEBOOK_SPEC_TEXT', () => {
  test('is the notebook spec, valid, readable', () => {
    assert.deepEqual(JSON.parse(NOTEBOOK_SPEC_TEXT), NOTEBOOK_SPEC);
    const r = validateSpecText(NOTEBOOK_SPEC_TEXT);
    assert.deepEqual(r.problems, []);
    assert.ok(NOTEBOOK_SPEC_TEXT.endsWith('}\n'));
    assert.match(NOTEBOOK_SPEC_TEXT, /"hidden_units": \[8, 8\]/);
    assert.match(NOTEBOOK_SPEC_TEXT, /\n  "data": \{\n    "generator": "make_blobs",/);
    assert.doesNotMatch(NOTEBOOK_SPEC_TEXT, /\$schema|https?:/, 'nothing network-y');
  });

  test('a new spec is named after its file (New Blob Spec, blobs init), the rest is the notebook', () => {
    const text = newSpecText('/work/specs/my moons.blobs.json');
    assert.deepEqual(JSON.parse(text), { ...NOTEBOOK_SPEC, name: 'my moons' });
    assert.equal(text, NOTEBOOK_SPEC_TEXT.replace('"name": "Four blobs"', '"name": "my moons"'));
    assert.equal(JSON.parse(newSpecText('C:\\w\\Iris.Blobs.JSON')).name, 'Iris');
    assert.equal(validateSpecText(text).spec?.name, 'my moons');
  });

  test('prettyJson keeps nested lists readable', () => {
    assert.equal(prettyJson({ a: [[1, 2], [3, 4]], b: [] }), '{\n  "a": [\n    [1, 2],\n    [3, 4]\n  ],\n  "b": []\n}');
  });
});
