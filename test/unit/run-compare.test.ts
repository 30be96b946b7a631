/** How the comparison legend names runs (core/run/compare.ts) and the fraction-of-training axis. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { currentLabel, formatValue, runDetails, runLabel, specDifferences } from '../../src/core/run/compare';
import { resolveSpec, NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { chartModel } from '../../src/core/figure/curves';
import type { BlobSpec } from '../../src/core/spec/types';
import type { EpochEvent } from '../../src/core/protocol';

const base = (): BlobSpec => resolveSpec(JSON.parse(JSON.stringify(NOTEBOOK_SPEC)));
function variant(edit: (s: BlobSpec) => void): BlobSpec {
  const s = base();
  edit(s);
  return s;
}

describe('spec differences', () => {
  test('each earlier run is named by its own values where it differs: "lr 0.01", "activation relu", "hidden [16, 16]"', () => {
    const now = base();
    assert.equal(runLabel(specDifferences(variant((s) => (s.training.lr = 0.01)), now)), 'lr 0.01');
    assert.equal(runLabel(specDifferences(variant((s) => (s.model.activation = 'relu')), now)), 'activation relu');
    assert.equal(runLabel(specDifferences(variant((s) => (s.model.hidden_units = [16, 16])), now)), 'hidden [16, 16]');
    assert.equal(runLabel(specDifferences(variant((s) => (s.training.batch_size = 32)), now)), 'batch 32');
    assert.equal(runLabel(specDifferences(base(), now)), 'same spec');
  });

  test('the order is the controls\' (lr first); more than two differences say "+N more"; hover lists all, then and now', () => {
    const now = base();
    const d = specDifferences(variant((s) => {
      s.seed = 7;
      s.model.hidden_units = [4];
      s.training.lr = 0.5;
    }), now);
    assert.deepEqual(d.map((x) => x.name), ['lr', 'hidden', 'seed']);
    assert.equal(runLabel(d), 'lr 0.5, hidden [4] +1 more');
    assert.equal(runDetails(d), 'lr: 0.5 (now 0.1)\nhidden: [4] (now [8, 8])\nseed: 7 (now 42)');
  });

  test('names, descriptions, logging, plotting and device do not count as differences', () => {
    const d = specDifferences(variant((s) => {
      s.name = 'other';
      s.description = 'x';
      s.training.log_every = 1;
      s.boundary.resolution = 51;
      s.device = 'js';
    }), base());
    assert.deepEqual(d, []);
  });

  test("the run shown is named by its values of every field an earlier run differs in", () => {
    const now = variant((s) => (s.training.lr = 0.05));
    const a = specDifferences(base(), now);
    const b = specDifferences(variant((s) => (s.model.activation = 'relu')), now);
    assert.equal(currentLabel([a, b]), 'lr 0.05, activation none');
    assert.equal(currentLabel([[]]), '');
  });

  test('values as a legend writes them', () => {
    assert.equal(formatValue(null), 'none');
    assert.equal(formatValue([1, 2]), '[1, 2]');
    assert.equal(formatValue(0.30000000000000004), '0.3');
    assert.equal(formatValue('full'), 'full');
  });
});

describe('fraction-of-training axis', () => {
  const run = (n: number, f: (e: number) => number): EpochEvent[] =>
    Array.from({ length: n }, (_, e) => ({ type: 'epoch', epoch: e, trainLoss: f(e), testLoss: f(e), trainAcc: 0.5, testAcc: 0.5, elapsedMs: e }));
  test('runs of 100 and 400 epochs both end at the right edge; ticks read as percentages', () => {
    const box = { x: 0, y: 0, width: 200, height: 100 };
    const m = chartModel(run(100, () => 1), { metric: 'loss', box, epochs: 100, compare: [run(400, () => 2)], compareTotals: [400], fraction: true });
    assert.deepEqual(m.x.domain(), [0, 1]);
    assert.equal(m.xOf({ epoch: 99 } as EpochEvent), 200);
    assert.equal(m.xOf({ epoch: 49 } as EpochEvent), 100);
    // The 400-epoch run's last point is at x = 200 too.
    assert.match(m.compare[0].train, /L200,/);
    assert.deepEqual(m.xTicks.map(m.xFormat), ['0%', '25%', '50%', '75%', '100%']);
    // By epoch (default), the longer run stretches the axis instead.
    const e = chartModel(run(100, () => 1), { metric: 'loss', box, epochs: 100, compare: [run(400, () => 2)] });
    assert.equal(e.x.domain()[1], 399);
  });
});
