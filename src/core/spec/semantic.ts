/**
 * Cross-field checks on the resolved spec: list lengths that must agree, a train/test
 * split with samples on both sides, and sizes within the engine's limits. Each check
 * runs only when the fields it reads passed the structural checks, so one mistake is
 * reported once.
 */

import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { Reporter } from './check';
import type { FixHint, JsonPath, Severity } from './problems';
import { LIMITS, type BlobSpec, type DataSpec } from './types';

/** Facts about the data that are known only after reading a CSV file. */
export interface DataFacts {
  nSamples: number;
  nFeatures: number;
  nClasses: number;
}

export interface SemanticContext {
  spec: BlobSpec;
  root: Node;
  r: Reporter;
  maxSamples: number;
  /** For `csv` data: what the file holds, when it could be read. */
  csv?: DataFacts;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Reports at the first of `paths` present in the document (else the nearest ancestor). */
function report(ctx: SemanticContext, code: string, severity: Severity, message: string, ...paths: JsonPath[]): void {
  reportFixable(ctx, [], code, severity, message, ...paths);
}

/** `report`, with fixes of the field at the first path (they apply only when it is in the text). */
function reportFixable(ctx: SemanticContext, fixes: FixHint[], code: string, severity: Severity, message: string, ...paths: JsonPath[]): void {
  for (const [i, p] of paths.entries()) {
    const node = findNodeAtLocation(ctx.root, p);
    if (node) return ctx.r.add(code, severity, message, p, node, i === 0 ? fixes : undefined);
  }
  // Nothing named is in the file (all defaults): point at the closest section's key.
  let p = paths[0] ?? [];
  while (p.length) {
    p = p.slice(0, -1);
    const node = p.length ? findNodeAtLocation(ctx.root, p) : undefined;
    if (node?.parent?.type === 'property') return ctx.r.add(code, severity, message, p, node.parent.children![0]);
  }
  ctx.r.add(code, severity, message, paths[0] ?? [], { offset: ctx.root.offset, length: 1 });
}

/** Sample count, feature count and class count the data section describes. */
export function dataFacts(data: DataSpec, csv?: DataFacts): DataFacts | undefined {
  switch (data.generator) {
    case 'make_blobs': {
      const n = Array.isArray(data.n_samples) ? data.n_samples.reduce((a, b) => a + b, 0) : data.n_samples;
      const k = Array.isArray(data.centers) ? data.centers.length : data.centers;
      return { nSamples: n, nFeatures: data.n_features, nClasses: k };
    }
    case 'make_moons':
    case 'make_circles': {
      const n = Array.isArray(data.n_samples) ? data.n_samples[0] + data.n_samples[1] : data.n_samples;
      return { nSamples: n, nFeatures: 2, nClasses: 2 };
    }
    case 'csv':
      return csv;
  }
}

/** As scikit-learn's train_test_split: a fraction rounds the test side up. */
export function splitSizes(n: number, testSize: number): { nTrain: number; nTest: number } {
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  return { nTrain: n - nTest, nTest };
}

/** Trainable parameters of a dense network with these layer widths. */
export function paramCount(layers: number[]): number {
  let p = 0;
  for (let i = 1; i < layers.length; i++) p += (layers[i - 1] + 1) * layers[i];
  return p;
}

export function semanticChecks(ctx: SemanticContext): void {
  const { spec, r } = ctx;
  if (spec.data.generator === 'make_blobs') checkBlobs(ctx);
  // Shapes (features, classes) and counts (samples) are judged separately, so a bad
  // n_samples does not hide an oversized network.
  const facts = r.ok('data.centers', 'data.n_features', 'data.path', 'data.generator') ? dataFacts(spec.data, ctx.csv) : undefined;
  if (facts) {
    checkModelSize(ctx, facts);
    if (r.ok('data.n_samples')) {
      checkSampleCount(ctx, facts);
      if (r.ok('data.test_size')) checkSplit(ctx, facts);
    }
  }
  checkTraining(ctx);
}

function checkBlobs(ctx: SemanticContext): void {
  const { r } = ctx;
  const d = ctx.spec.data;
  if (d.generator !== 'make_blobs') return;
  const nCenters = Array.isArray(d.centers) ? d.centers.length : d.centers;
  const centersText = Array.isArray(d.centers) ? `lists ${nCenters} centres` : `is ${nCenters}`;
  if (Array.isArray(d.n_samples) && r.ok('data.n_samples', 'data.centers') && d.n_samples.length !== nCenters) {
    reportFixable(
      ctx,
      [{ kind: 'resize-list', length: nCenters, per: 'one count per centre' }],
      'length-mismatch',
      'error',
      `\`data.n_samples\` has ${d.n_samples.length} per-centre counts but \`centers\` ${centersText}: give one count per centre.`,
      ['data', 'n_samples'],
    );
  }
  const centersGiven = findNodeAtLocation(ctx.root, ['data', 'centers']) !== undefined;
  // Without `centers`, a per-centre n_samples list sets the number of centres.
  const centresKnown = r.ok('data.centers') && (centersGiven || r.ok('data.n_samples'));
  if (Array.isArray(d.cluster_std) && r.ok('data.cluster_std') && centresKnown && d.cluster_std.length !== nCenters) {
    const why = Array.isArray(d.n_samples) && !centersGiven ? ` (one per \`n_samples\` count)` : '';
    reportFixable(
      ctx,
      [{ kind: 'resize-list', length: nCenters, per: 'one std per centre' }],
      'length-mismatch',
      'error',
      `\`data.cluster_std\` has ${d.cluster_std.length} values but \`centers\` ${centersText}${why}: give one std per centre, or a single number for all.`,
      ['data', 'cluster_std'],
    );
  }
  if (Array.isArray(d.centers) && r.ok('data.centers', 'data.n_features')) {
    const explicitD = findNodeAtLocation(ctx.root, ['data', 'n_features']) !== undefined;
    d.centers.forEach((c, i) => {
      if (c.length !== d.n_features) {
        report(
          ctx,
          'length-mismatch',
          'error',
          explicitD
            ? `\`data.centers[${i}]\` has ${c.length} coordinates but \`n_features\` is ${d.n_features}: each centre needs one coordinate per feature.`
            : `\`data.centers[${i}]\` has ${c.length} coordinates but the first centre has ${d.n_features}: all centres need the same number of coordinates.`,
          ['data', 'centers', i],
        );
      }
    });
  }
  if (!Array.isArray(d.centers) && r.ok('data.center_box') && !(d.center_box[0] < d.center_box[1])) {
    report(
      ctx,
      'range',
      'error',
      `\`data.center_box\` must be [low, high] with low < high, but it is [${d.center_box[0]}, ${d.center_box[1]}].`,
      ['data', 'center_box'],
    );
  }
  if (Array.isArray(d.centers) && findNodeAtLocation(ctx.root, ['data', 'center_box'])) {
    reportFixable(ctx, [{ kind: 'remove-key' }], 'unused-key', 'info', '`data.center_box` is ignored because `centers` lists the centres explicitly.', ['data', 'center_box']);
  }
  if (typeof d.n_samples === 'number' && r.ok('data.n_samples', 'data.centers') && d.n_samples < nCenters) {
    report(
      ctx,
      'range',
      'error',
      `\`data.n_samples\` is ${d.n_samples} but there are ${nCenters} centres: some classes would get no samples. Use at least one sample per centre.`,
      ['data', 'n_samples'],
      ['data', 'centers'],
    );
  }
}

function checkSampleCount(ctx: SemanticContext, f: DataFacts): void {
  const { spec } = ctx;
  const csv = spec.data.generator === 'csv';
  const samplesAt: JsonPath = csv ? ['data', 'path'] : ['data', 'n_samples'];
  if (f.nSamples > ctx.maxSamples) {
    report(
      ctx,
      'too-large',
      'error',
      `${csv ? `The CSV file has ${fmt(f.nSamples)} rows` : `\`data.n_samples\` asks for ${fmt(f.nSamples)} samples in total`}; the limit is ${fmt(ctx.maxSamples)}.`,
      samplesAt,
    );
  } else if (f.nSamples * f.nFeatures > LIMITS.maxDataValues) {
    report(
      ctx,
      'too-large',
      'error',
      `The data would hold ${fmt(f.nSamples)} samples x ${fmt(f.nFeatures)} features = ${fmt(f.nSamples * f.nFeatures)} numbers; the limit is ${fmt(LIMITS.maxDataValues)} (about ${Math.round((LIMITS.maxDataValues * 8) / 1e6)} MB). Use fewer samples or features.`,
      samplesAt,
      ['data', 'n_features'],
    );
  }
}

function checkModelSize(ctx: SemanticContext, f: DataFacts): void {
  const { spec, r } = ctx;
  if (f.nClasses > LIMITS.maxClasses) {
    report(ctx, 'too-large', 'error', `The data has ${f.nClasses} classes; the limit is ${LIMITS.maxClasses}.`, ['data', 'path'], ['data', 'centers']);
  }
  if (r.ok('model.hidden_units')) {
    const layers = [f.nFeatures, ...spec.model.hidden_units, f.nClasses];
    const params = paramCount(layers);
    if (params > LIMITS.maxParams) {
      report(
        ctx,
        'too-large',
        'error',
        `The network ${layers.join('-')} has ${fmt(params)} parameters; the limit is ${fmt(LIMITS.maxParams)}. Use fewer or narrower hidden layers.`,
        ['model', 'hidden_units'],
      );
    }
  }
  // The notebook's lesson: without a non-linearity the network is a linear classifier.
  const linear = spec.model.activation === 'none' || spec.model.hidden_units.length === 0;
  if (linear && (spec.data.generator === 'make_moons' || spec.data.generator === 'make_circles') && r.ok('model.activation')) {
    report(
      ctx,
      'linear-model',
      'info',
      `${spec.model.hidden_units.length ? 'With `model.activation` "none"' : 'Without hidden layers'} the model is linear, so the boundary is made of straight lines: ${spec.data.generator} needs a non-linear activation such as "relu" to be learned.`,
      ['model', 'activation'],
      ['model', 'hidden_units'],
      ['data', 'generator'],
    );
  }
}

function checkSplit(ctx: SemanticContext, f: DataFacts): void {
  const { spec } = ctx;
  const ts = spec.data.test_size;
  const { nTrain, nTest } = splitSizes(f.nSamples, ts);
  const how = ts < 1 ? `ceil(${ts} x ${f.nSamples}) = ${nTest}` : `${nTest}`;
  if (nTrain < 1) {
    report(
      ctx,
      'split-empty',
      'error',
      `\`data.test_size\` ${ts} leaves no training samples: ${how} of the ${f.nSamples} samples go to the test set. Use a smaller test_size${ts < 1 ? '' : ` (at most ${f.nSamples - 1})`} or more samples.`,
      ['data', 'test_size'],
      ['data', 'n_samples'],
    );
    return;
  }
  const bs = spec.training.batch_size;
  if (typeof bs === 'number' && bs > nTrain && ctx.r.ok('training.batch_size')) {
    report(
      ctx,
      'batch-too-large',
      'warning',
      `\`training.batch_size\` ${bs} is larger than the ${nTrain} training samples, so every epoch is one full batch (the same as "full").`,
      ['training', 'batch_size'],
    );
  }
}

function checkTraining(ctx: SemanticContext): void {
  const { spec, r } = ctx;
  const t = spec.training;
  if (r.ok('training.log_every', 'training.epochs') && t.log_every > t.epochs) {
    report(
      ctx,
      'log-every',
      'info',
      `\`training.log_every\` ${t.log_every} is more than \`epochs\` ${t.epochs}: only epoch 0 will be logged.`,
      ['training', 'log_every'],
    );
  }
  if (t.optimizer === 'adam' && t.momentum !== 0 && r.ok('training.optimizer', 'training.momentum')) {
    reportFixable(ctx, [{ kind: 'remove-key' }], 'unused-key', 'warning', '`training.momentum` is ignored by the adam optimizer (it only applies to sgd).', ['training', 'momentum']);
  }
  if (r.ok('training.lr') && t.lr >= 10) {
    report(
      ctx,
      'large-lr',
      'warning',
      `\`training.lr\` ${t.lr} is very large; training will probably diverge (the notebook uses 0.1).`,
      ['training', 'lr'],
    );
  }
}

