import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, CsvError } from '../../src/core/data/csv';

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
