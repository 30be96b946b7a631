/**
 * One formatter (src/core/figure/format.ts) for every number a person reads. The
 * notebook's 793/800 = 99.125 % test accuracy is an exact tie at two decimals: Python
 * (the notebook's log, scikit-learn's report) rounds it half to even, "99.12 %"; JS's
 * toFixed rounds it up, "99.13 %". Every surface must say 99.12 %.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochEvent, Evaluation } from '../../src/core/protocol';
import { duration, memorySize, num, pct, pyFixed, rate } from '../../src/core/figure/format';
import { renderFigureSvg } from '../../src/core/figure/figureSvg';
import { scoreRows } from '../../src/core/figure/tables';
import { formatLogLine } from '../../src/core/train/trainer';
import { evaluationReport, resultLine } from '../../src/cli/train';
import { computeLenses } from '../../src/extension/codeLensState';
import { summaryLines } from '../../src/extension/runText';
import { synthRun } from '../fixtures/render/synthRun';
import { summary } from './ext-fixtures';

const TIE = 793 / 800; // 0.99125: times 100 is exactly 99.125 in binary too

describe('rounding ties', () => {
  test("pyFixed rounds exact binary ties half to even, like Python's f-strings", () => {
    assert.equal(TIE * 100, 99.125);
    assert.equal(pyFixed(TIE * 100, 2), '99.12');
    assert.equal((TIE * 100).toFixed(2), '99.13', "JS's toFixed, for contrast");
    assert.equal(pyFixed(0.125, 2), '0.12');
    assert.equal(pyFixed(0.375, 2), '0.38');
    assert.equal(pyFixed(2.5, 0), '2');
    assert.equal(pyFixed(3.5, 0), '4');
    assert.equal(pyFixed(-0.125, 2), '-0.12');
    assert.equal(pyFixed(1.0005, 3), '1.000', '1.0005 is a little below the tie in binary');
    assert.equal(pyFixed(0.1 + 0.2, 5), '0.30000');
    assert.equal(pyFixed(NaN, 2), 'nan');
  });

  test('99.125 % reads 99.12 % on every surface that formats it outside the webview', () => {
    const s = summary({ test_acc: TIE, train_acc: TIE });
    const epoch: EpochEvent = { type: 'epoch', epoch: 99, trainLoss: 0.03, trainAcc: TIE, testLoss: 0.02, testAcc: TIE, elapsedMs: 420 };
    const ev: Evaluation = {
      accuracy: TIE, loss: 0.02, confusion: [[1]],
      perClass: [{ precision: 0.125, recall: 0.375, f1: TIE, support: 800 }],
      macro: { precision: 0.125, recall: 0.375, f1: TIE }, weighted: { precision: 0.125, recall: 0.375, f1: TIE },
    };
    const events = synthRun({ nSamples: 40, epochs: 2, resolution: 5, frameEvery: 1 });
    const start = events.find((e) => e.type === 'start')!;
    const frame = events.filter((e) => e.type === 'frame').at(-1)!;
    const surfaces: Record<string, string> = {
      'notebook log line (trainer)': formatLogLine(epoch),
      'CLI result line': resultLine(s),
      'CLI classification report': evaluationReport(ev, ['a'], 'Test set'),
      CodeLens: computeLenses({ trusted: true, errors: 0, last: s }).map((l) => l.title).join(' | '),
      'output channel': summaryLines(s).join('\n'),
      'figure (figure.svg, export)': start.type === 'start' && frame.type === 'frame' ? renderFigureSvg({ start, frame, epochs: [epoch] }) : '',
    };
    for (const [where, text] of Object.entries(surfaces)) {
      assert.ok(text.includes('99.12%'), `${where}: ${text.slice(0, 300)}`);
      assert.ok(!text.includes('99.13'), `${where} rounds the tie up`);
    }
    // The report's scores too, at four decimals (scikit-learn's): 0.99125 -> 0.9912.
    assert.match(surfaces['CLI classification report'], / 0\.1250 {4}0\.3750 {4}0\.9912 {7}800/);
    assert.deepEqual(scoreRows(ev, ['a'])[0], { label: 'a', precision: '0.12', recall: '0.38', f1: '0.99', support: '800' });
  });
});

describe('one format per kind of number', () => {
  test('percentages', () => {
    assert.equal(pct(0.995), '99.50%');
    assert.equal(pct(0.5, 1), '50.0%');
    assert.equal(pct(undefined), '–');
    assert.equal(pct(NaN), '–');
  });

  test('durations: one function, in milliseconds, for the CodeLens, the CLI, the panel and the figure', () => {
    assert.equal(duration(420), '420 ms');
    assert.equal(duration(0.5), '0 ms', 'half a millisecond rounds to even');
    assert.equal(duration(12_345), '12.3 s');
    assert.equal(duration(12_250), '12.2 s', 'a tie rounds to even');
    assert.equal(duration(125_000), '2:05');
    assert.equal(duration(3_725_000), '1:02:05');
    assert.equal(duration(-1), '–');
  });

  test('losses, rates, sizes', () => {
    assert.equal(num(0.0412, 4), '0.0412');
    assert.equal(num(0.000125, 5), '1.250e-4');
    assert.equal(num(0.03125, 4), '0.0312', '1/32 is an exact tie at four decimals: to even');
    assert.equal(rate(238.5), '238', 'ties to even');
    assert.equal(rate(7.25), '7.2', 'ties to even');
    assert.equal(rate(Infinity), '–');
    assert.equal(memorySize(3.5 * 1024 ** 3), '3.5 GiB');
    assert.equal(memorySize(512 * 1024 ** 2), '512 MiB');
  });
});
