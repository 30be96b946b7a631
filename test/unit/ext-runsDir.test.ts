import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { specStem } from '../../src/core/run/folder';
import { isInside, resolveSpecRunsDir } from '../../src/extension/runsDir';

const P = path.posix;

describe('runs directory', () => {
  test('default: .blob-runs/<stem> next to the spec', () => {
    assert.deepEqual(resolveSpecRunsDir('/w/sub/four.blobs.json', '/w', undefined, P), { specRunsDir: '/w/sub/.blob-runs/four', warning: undefined });
  });

  test('relative to the spec folder, or to the workspace with ${workspaceFolder}', () => {
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', 'out/runs', P).specRunsDir, '/w/sub/out/runs/a');
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', '${workspaceFolder}/runs', P).specRunsDir, '/w/runs/a');
    assert.equal(resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', '/w/abs', P).specRunsDir, '/w/abs/a');
  });

  test('never outside the workspace', () => {
    for (const s of ['../../elsewhere', '/tmp/runs', '${workspaceFolder}/../x']) {
      const r = resolveSpecRunsDir('/w/sub/a.blobs.json', '/w', s, P);
      assert.equal(r.specRunsDir, '/w/sub/.blob-runs/a', s);
      assert.match(r.warning!, /outside the workspace/);
    }
    assert.equal(resolveSpecRunsDir('/elsewhere/a.blobs.json', undefined, undefined, P).specRunsDir, undefined);
  });

  test('isInside', () => {
    assert.ok(isInside('/w', '/w', P));
    assert.ok(isInside('/w', '/w/a/b', P));
    assert.ok(!isInside('/w', '/wx', P));
    assert.ok(!isInside('/w', '/w/../x', P));
  });

  test('spec stems are safe folder names', () => {
    assert.equal(specStem('/w/Four Blobs.blobs.json'), 'Four Blobs');
    assert.equal(specStem('/w/a:b?.blobs.json'), 'a_b_');
    assert.equal(specStem('/w/.blobs.json'), 'spec');
  });
});
