import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_LIMITS, CsvError, CsvReader, excerpt, parseCsv } from '../../src/core/data/csv';
import { LIMITS } from '../../src/core/spec/types';

/** Asserts a CsvError at `line` whose message matches `re`. */
function fails(text: string, line: number, re: RegExp): void {
  assert.throws(
    () => parseCsv(text),
    (e: unknown) => {
      assert.ok(e instanceof CsvError, `expected CsvError, got ${e}`);
      assert.equal(e.line, line, `line of: ${e.message}`);
      assert.match(e.message, re);
      if (line > 0) assert.match(e.message, new RegExp(`^line ${line}: `));
      return true;
    },
  );
}

describe('parseCsv: reading', () => {
  test('no header, numeric labels, comments and blank lines ignored', () => {
    const r = parseCsv('# made by hand\n\n1.5,-2,1\n3,4e2,0\r\n  \n-.5, 6 ,2\n');
    assert.equal(r.n, 3);
    assert.equal(r.d, 2);
    assert.deepEqual(Array.from(r.X), [1.5, -2, 3, 400, -0.5, 6]);
    assert.deepEqual(Array.from(r.y), [1, 0, 2]);
    assert.deepEqual(r.classNames, ['0', '1', '2']);
    assert.deepEqual(r.featureNames, ['x1', 'x2']);
    assert.equal(r.labelName, 'label');
    assert.equal(r.nClasses, 3);
  });
  test('header detected; string labels sorted; quoted cells; BOM', () => {
    const r = parseCsv('\uFEFF"petal length",petal width,species\n1,2,"virginica"\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n');
    assert.deepEqual(r.featureNames, ['petal length', 'petal width']);
    assert.equal(r.labelName, 'species');
    assert.deepEqual(r.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(Array.from(r.y), [2, 0, 1, 0]);
  });
  test('numeric labels sort by value, and 1 / 1.0 are the same class', () => {
    const r = parseCsv('0,0,10\n0,0,9\n0,0,1.0\n0,0,1\n0,0,-2\n');
    assert.deepEqual(r.classNames, ['-2', '1', '9', '10']);
    assert.deepEqual(Array.from(r.y), [3, 2, 1, 1, 0]);
  });
  test('three features', () => {
    const r = parseCsv('a,b,c,y\n1,2,3,x\n4,5,6,z\n');
    assert.equal(r.d, 3);
    assert.deepEqual(Array.from(r.X), [1, 2, 3, 4, 5, 6]);
  });
  test('quoted cell with an escaped quote and a comma', () => {
    const r = parseCsv('1,2,"say ""hi"", ok"\n3,4,b\n');
    assert.deepEqual(r.classNames, ['b', 'say "hi", ok']);
  });
});

describe('parseCsv: errors name the line and say what to do', () => {
  test('empty file / only comments', () => {
    fails('', 0, /no data rows/);
    fails('# nothing\n\n', 0, /no data rows/);
  });
  test('header without rows', () => fails('\n\nx,y,label\n', 3, /header but no data rows/));
  test('fewer than 2 feature columns', () => {
    fails('1,0\n2,1\n', 1, /found 2 columns; need at least 2 feature columns and a label column/);
    fails('5\n', 1, /found 1 column;/);
  });
  test('inconsistent column counts', () => fails('1,2,a\n3,4,b\n\n5,6,7,c\n', 4, /has 4 columns but line 1 has 3/));
  test('non-numeric feature (mixed first row is data, not a header)', () => {
    fails('1,2,a\n3,abc,b\n', 2, /feature column 2 \(x2\) "abc" is not a number/);
    fails('1,abc,a\n3,4,b\n', 1, /feature column 2 \(x2\) "abc" is not a number/);
    fails('x,y,l\n1,,a\n', 2, /feature column 2 \(y\) is empty/);
    fails('1,0x10,a\n', 1, /"0x10" is not a number/);
    fails('1,Infinity,a\n', 1, /"Infinity" is not a number/);
  });
  test('a number too large for float64 (1e999 would become Infinity)', () => fails('1,2,a\n3,1e999,b\n', 2, /feature column 2 \(x2\) "1e999" is too large/));
  test('empty label', () => fails('1,2,\n3,4,b\n', 1, /label \(last column\) is empty/));
  test('fewer than 2 classes', () => fails('1,2,a\n3,4,a\n', 0, /all 2 rows have the same label "a"; a classifier needs at least 2 classes/));
  test('unterminated quote', () => fails('1,2,"abc\n', 1, /missing its closing "/));
});

describe('CsvReader: streaming, with limits checked row by row', () => {
  const text = '\uFEFF# comment\r\nx,y,"the label"\r\n1,2,b\n\n3,4,"a, quoted"\n5,6,b\r\n7,8,c';
  test('any chunking gives the same dataset as one piece', () => {
    const whole = parseCsv(text);
    for (const size of [1, 2, 3, 7, 16, 1000]) {
      const r = new CsvReader();
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      const ds = r.end();
      assert.deepEqual({ ...ds, X: Array.from(ds.X), y: Array.from(ds.y) }, { ...whole, X: Array.from(whole.X), y: Array.from(whole.y) }, `chunks of ${size}`);
    }
    assert.deepEqual(whole.classNames, ['a, quoted', 'b', 'c']);
    assert.deepEqual(whole.featureNames, ['x', 'y']);
  });

  test('facts only: counts and classes, no values kept', () => {
    const r = new CsvReader({ keepValues: false });
    r.push(text);
    const ds = r.end();
    assert.equal(ds.n, 4);
    assert.equal(ds.X.length, 0);
    assert.deepEqual(ds.classNames, ['a, quoted', 'b', 'c']);
  });

  /** The reader stops at the limit: rows after it are never parsed (they would fail otherwise). */
  const tooLarge = (t: string, limits: Parameters<typeof parseCsv>[1], line: number, re: RegExp) =>
    assert.throws(
      () => parseCsv(t, limits),
      (e: unknown) => e instanceof CsvError && e.kind === 'too-large' && e.line === line && re.test(e.message),
    );
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i},${-i},${i % 2 ? 'a' : 'b'}`).join('\n');
  test('rows: the first row past the limit stops the read', () => {
    tooLarge(`${rows(5)}\nnot,a,row,at all\n`, { maxRows: 4 }, 5, /more than 4 data rows; the limit is 4 samples/);
    assert.equal(parseCsv(rows(4), { maxRows: 4 }).n, 4);
  });
  test('columns: judged on the first row', () => tooLarge('1,2,3,4,5,a\n', { maxColumns: 5 }, 1, /has 6 columns; the limit is 5 \(4 features and the label\)/));
  test('values: rows x features', () => tooLarge(`${rows(3)}\n`, { maxValues: 5 }, 3, /more than 5 feature values \(3 rows x 2 features\)/));
  test('different labels', () => tooLarge('1,2,a\n1,2,b\n1,2,c\n', { maxLabels: 2 }, 3, /more than 2 different labels/));
  test('a line longer than the limit, in one piece or across pieces (no newline ever comes)', () => {
    tooLarge('1,2,a\n' + 'x'.repeat(100) + '\n', { maxLineChars: 50 }, 2, /line 2: is longer than 50 characters/);
    const r = new CsvReader({ limits: { maxLineChars: 50 } });
    r.push('1,2,a\n');
    assert.throws(() => {
      for (let i = 0; i < 10; i++) r.push('0'.repeat(20));
    }, (e: unknown) => e instanceof CsvError && e.kind === 'too-large' && e.line === 2);
  });
  test('the engine limits are the spec limits', () => {
    assert.equal(CSV_LIMITS.maxRows, LIMITS.maxSamples);
    assert.equal(CSV_LIMITS.maxColumns, LIMITS.maxFeatures + 1);
    assert.equal(CSV_LIMITS.maxValues, LIMITS.maxDataValues);
  });
  test('one class is its own kind of error', () => {
    assert.throws(() => parseCsv('1,2,a\n3,4,a\n'), (e: unknown) => e instanceof CsvError && e.kind === 'one-class');
  });
});

describe('excerpt: what a message may show of a cell', () => {
  test('short, quoted, escaped', () => {
    assert.equal(excerpt('abc'), '"abc"');
    assert.equal(excerpt('x'.repeat(30)), `"${'x'.repeat(24)}..."`);
    assert.equal(excerpt('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(excerpt('\u0000\u001b[31m\u202e\u2066\ud800'), '"\\u0000\\u001b[31m\\u202e\\u2066\\ud800"');
    assert.equal(excerpt('name', 24, false), 'name');
  });
});
