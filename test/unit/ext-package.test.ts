import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { DEFAULT_SETTINGS } from '../../src/extension/config';
import { COMMANDS, VIEWS } from '../../src/extension/ids';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const c = pkg.contributes;

describe('package.json contributions', () => {
  test('every command id is contributed, in the Blob Classifier category', () => {
    const ids = c.commands.map((x: { command: string }) => x.command);
    for (const id of Object.values(COMMANDS)) assert.ok(ids.includes(id), id);
    assert.ok(c.commands.every((x: { category: string }) => x.category === 'Blob Classifier'));
    assert.equal(c.commands.find((x: { command: string }) => x.command === COMMANDS.train).title, 'Train Blob Classifier');
  });

  test('menus only reference contributed commands and every palette entry has a when clause', () => {
    const ids = new Set(c.commands.map((x: { command: string }) => x.command));
    for (const [menu, items] of Object.entries(c.menus) as [string, { command: string; when?: string }[]][]) {
      for (const i of items) assert.ok(ids.has(i.command), `${menu}: ${i.command}`);
    }
    for (const i of c.menus.commandPalette) assert.ok(i.when, i.command);
    assert.ok(c.menus['editor/title'].some((i: { when: string }) => i.when.includes('resourceFilename =~ /\\.blobs\\.json$/')));
    assert.ok(c.menus['explorer/context'].some((i: { command: string }) => i.command === COMMANDS.train));
  });

  test('every command has a deliberate palette when clause; Train stays reachable in an untrusted workspace to explain why it is disabled', () => {
    const palette = new Map<string, string>(c.menus.commandPalette.map((i: { command: string; when: string }) => [i.command, i.when]));
    for (const id of Object.values(COMMANDS)) assert.ok(palette.get(id), `${id} has no palette when clause`);
    // Hidden when untrusted, it would give no explanation; the command refuses with one.
    assert.ok(!palette.get(COMMANDS.train)!.includes('isWorkspaceTrusted'));
    assert.equal(palette.get(COMMANDS.stop), 'blobClassifier.training');
    assert.equal(palette.get(COMMANDS.exportFigure), 'blobClassifier.hasPanel');
    assert.equal(palette.get(COMMANDS.openArtifacts), 'blobClassifier.hasRun');
  });

  test('lean activation, workspace extension, limited trust', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/*.blobs.json'));
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.main, './dist/extension.js');
  });

  test('views, schema, settings, walkthrough and icons exist', () => {
    assert.equal(c.viewsContainers.activitybar[0].id, VIEWS.container);
    assert.equal(c.views[VIEWS.container][0].id, VIEWS.side);
    assert.equal(c.views[VIEWS.container][0].type, 'webview');
    assert.deepEqual(c.jsonValidation, [{ fileMatch: '*.blobs.json', url: './schemas/blobs.schema.json' }]);
    const keys = Object.keys(c.configuration.properties).map((k) => k.replace('blobClassifier.', '')).sort();
    assert.deepEqual(keys, Object.keys(DEFAULT_SETTINGS).sort());
    for (const [k, v] of Object.entries(DEFAULT_SETTINGS)) assert.deepEqual(c.configuration.properties[`blobClassifier.${k}`].default, v, k);
    const files = [pkg.icon, c.viewsContainers.activitybar[0].icon, 'media/blobs-file.svg'];
    for (const w of c.walkthroughs) for (const s of w.steps) files.push(s.media.markdown ?? s.media.image ?? s.media.svg);
    for (const f of files) assert.ok(existsSync(join(root, f)), f);
    assert.match(readFileSync(join(root, c.viewsContainers.activitybar[0].icon), 'utf8'), /currentColor/);
  });
});

describe('the extension bundle', () => {
  test('never pulls TensorFlow.js (or the training code) into the extension host', async () => {
    const r = await esbuild.build({
      entryPoints: [join(root, 'src/extension/vscode/extension.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile!.inputs);
    // The trainer's host side (fork + IPC, and the pool of warm processes) is the only piece of src/trainer allowed.
    assert.deepEqual(inputs.filter((i) => /@tensorflow|src\/core\/train|src\/trainer\/(?!(client|pool)\.ts$)|d3-|resvg/.test(i)), []);
    assert.ok(inputs.includes('src/trainer/client.ts') && inputs.includes('src/trainer/pool.ts'));
  });
});
