/**
 * The JSON Schema (editor: completion, hover, squiggles) and the validator's field
 * table (CLI, trainer, diagnostics) must say the same things: same keys, defaults,
 * enums and bounds. This test walks both.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BOUNDARY_FIELDS,
  DATA_COMMON,
  GENERATOR_FIELDS,
  MODEL_FIELDS,
  TOP_FIELDS,
  TRAINING_FIELDS,
  type FieldTable,
  type Shape,
} from '../../src/core/spec/fields';
import { NOTEBOOK_SPEC } from '../../src/core/spec/defaults';
import { validateSpecText } from '../../src/core/spec/validate';
import { createRequire } from 'node:module';

const root = join(__dirname, '..', '..');
type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const schema: Schema = JSON.parse(readFileSync(join(root, 'schemas/blobs.schema.json'), 'utf8'));
const GEN_DEFS = { make_blobs: 'blobsData', make_moons: 'moonsData', make_circles: 'circlesData', csv: 'csvData' } as const;

/** Asserts a schema node describes exactly `shape` (types, bounds, enums). */
function assertShape(shape: Shape, s: Schema, where: string): void {
  const eq = (a: unknown, b: unknown, what: string) => assert.deepEqual(a, b, `${where}: ${what}`);
  switch (shape.t) {
    case 'int':
      eq(s.type, 'integer', 'type');
      eq(s.minimum, shape.min, 'minimum');
      eq(s.maximum, shape.max, 'maximum');
      return;
    case 'num':
      eq(s.type, 'number', 'type');
      eq(s.minimum, shape.min, 'minimum');
      eq(s.maximum, shape.max, 'maximum');
      eq(s.exclusiveMinimum, shape.xmin, 'exclusiveMinimum');
      eq(s.exclusiveMaximum, shape.xmax, 'exclusiveMaximum');
      return;
    case 'bool':
      eq(s.type, 'boolean', 'type');
      return;
    case 'str':
      eq(s.type, 'string', 'type');
      eq(s.minLength, shape.minLength, 'minLength');
      return;
    case 'enum':
      eq(s.type, 'string', 'type');
      eq(s.enum, [...shape.values], 'enum');
      return;
    case 'null':
      eq(s.type, 'null', 'type');
      return;
    case 'array':
      eq(s.type, 'array', 'type');
      eq(s.minItems, shape.minItems, 'minItems');
      eq(s.maxItems, shape.maxItems, 'maxItems');
      assertShape(shape.items, s.items, `${where}[]`);
      return;
    case 'tuple':
      eq(s.type, 'array', 'type');
      eq(s.minItems, shape.items.length, 'minItems');
      eq(s.maxItems, shape.items.length, 'maxItems');
      shape.items.forEach((it, i) => assertShape(it, s.items[i], `${where}[${i}]`));
      return;
    case 'oneOf':
      eq(s.oneOf?.length, shape.options.length, 'oneOf branches');
      shape.options.forEach((o, i) => assertShape(o, s.oneOf[i], `${where}|${i}`));
      return;
    case 'object':
      return;
  }
}

function assertTable(table: FieldTable, props: Schema, where: string): void {
  for (const [key, field] of Object.entries(table)) {
    const p = props[key];
    assert.ok(p, `${where}.${key} is missing from the schema`);
    if (field.def !== undefined) assert.deepEqual(p.default, field.def, `${where}.${key}: default`);
    if (key === 'test_size') {
      // The table expresses "fraction or count" with a refine; the schema with two branches.
      assert.deepEqual(p.oneOf.map((b: Schema) => b.type), ['number', 'integer']);
      assert.equal(p.oneOf[0].exclusiveMinimum, 0);
      assert.equal(p.oneOf[0].exclusiveMaximum, 1);
      assert.equal(p.oneOf[1].minimum, 1);
      continue;
    }
    if (field.shape.t !== 'object') assertShape(field.shape, p, `${where}.${key}`);
  }
}

describe('schema and validator agree', () => {
  test('top level keys, defaults and shapes', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(TOP_FIELDS).sort());
    assertTable(TOP_FIELDS, schema.properties, 'spec');
    assert.equal(schema.additionalProperties, false);
  });

  test('sections', () => {
    for (const [name, table] of [['model', MODEL_FIELDS], ['training', TRAINING_FIELDS], ['boundary', BOUNDARY_FIELDS]] as const) {
      const sec = schema.properties[name];
      assert.deepEqual(Object.keys(sec.properties).sort(), Object.keys(table).sort(), name);
      assertTable(table, sec.properties, name);
      assert.equal(sec.additionalProperties, false, `${name}: unknown keys flagged`);
    }
  });

  test('data: common fields and one definition per generator', () => {
    const data = schema.definitions.data;
    assertTable(DATA_COMMON, data.properties, 'data');
    for (const [gen, defName] of Object.entries(GEN_DEFS)) {
      const def = schema.definitions[defName];
      const table = GENERATOR_FIELDS[gen as keyof typeof GEN_DEFS];
      assert.deepEqual(Object.keys(def.properties).sort(), [...Object.keys(DATA_COMMON), ...Object.keys(table)].sort(), gen);
      assertTable(table, def.properties, `data(${gen})`);
      assert.equal(def.additionalProperties, false);
      // The if/then that selects this definition.
      const branch = data.allOf.find((b: Schema) => b.then.$ref === `#/definitions/${defName}`);
      assert.equal(branch.if.properties.generator.const, gen);
    }
    assert.deepEqual(schema.definitions.csvData.required, ['path']);
  });

  test('every field is documented, with examples', () => {
    const visit = (props: Schema, where: string) => {
      for (const [k, p] of Object.entries<Schema>(props)) {
        if (p.$ref || Object.keys(p).length === 0) continue;
        assert.ok(p.description && p.markdownDescription, `${where}.${k}: description`);
        assert.ok(Array.isArray(p.examples) && p.examples.length, `${where}.${k}: examples`);
        if (p.properties) visit(p.properties, `${where}.${k}`);
      }
    };
    visit(schema.properties, 'spec');
    visit(schema.definitions.data.properties, 'data');
    for (const d of Object.values(GEN_DEFS)) visit(schema.definitions[d].properties, d);
  });
});

describe('every property of the schema, walked', () => {
  /** Keys without a default: free text, the schema link, and the CSV file (required). */
  const NO_DEFAULT = new Set(['$schema', 'name', 'description', 'path']);
  type Place = { where: string; p: Schema; wrap: (v: unknown) => unknown };
  const places: Place[] = [];
  const collect = (props: Schema, where: string, wrap: (k: string, v: unknown) => unknown) => {
    for (const [k, p] of Object.entries<Schema>(props)) {
      if (Object.keys(p).length === 0) continue; // `{}`: "allowed here", defined in definitions.data
      if (p.$ref) {
        assert.equal(p.$ref, '#/definitions/data', `${where}.${k}: the only reference is the data section`);
        continue;
      }
      places.push({ where: `${where}.${k}`, p, wrap: (v) => wrap(k, v) });
      if (p.properties) collect(p.properties, `${where}.${k}`, (kk, v) => wrap(k, { [kk]: v }));
    }
  };
  collect(schema.properties, 'spec', (k, v) => ({ [k]: v }));
  collect(schema.definitions.data.properties, 'spec.data', (k, v) => ({ data: { [k]: v } }));
  for (const [gen, def] of Object.entries(GEN_DEFS)) {
    collect(schema.definitions[def].properties, `spec.data(${gen})`, (k, v) => ({ data: k === 'generator' ? { generator: v } : { generator: gen, [k]: v } }));
  }

  test('the walk reaches every field of the validator', () => {
    const n = Object.keys(TOP_FIELDS).length - 1 /* data: $ref */ + Object.keys(MODEL_FIELDS).length + Object.keys(TRAINING_FIELDS).length + Object.keys(BOUNDARY_FIELDS).length;
    assert.ok(places.length >= n + Object.keys(DATA_COMMON).length, `${places.length} properties`);
  });

  test('each has a description, a markdown description and examples; a default unless it has none by nature', () => {
    for (const { where, p } of places) {
      assert.ok(typeof p.description === 'string' && p.description.length > 10, `${where}: description`);
      assert.ok(typeof p.markdownDescription === 'string' && p.markdownDescription.length > 10, `${where}: markdownDescription`);
      assert.ok(Array.isArray(p.examples) && p.examples.length > 0, `${where}: examples`);
      const key = where.split('.').pop()!;
      if (!NO_DEFAULT.has(key)) assert.ok('default' in p, `${where}: default`);
      // Numbers: the bounds the validator enforces are in the schema (min/max or an enum).
      const leaves = p.oneOf ?? [p];
      for (const b of leaves) {
        if (b.type === 'integer' || b.type === 'number') {
          const bounded = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((m) => m in b);
          assert.ok(bounded || /centers|center_box/.test(where), `${where}: bounds`);
        }
        if (b.type === 'string' && !NO_DEFAULT.has(key)) assert.ok(Array.isArray(b.enum), `${where}: enum`);
      }
    }
  });

  test('sections default to the notebook', () => {
    for (const sec of ['model', 'training', 'boundary'] as const) assert.deepEqual(schema.properties[sec].default, NOTEBOOK_SPEC[sec], sec);
    assert.deepEqual(schema.definitions.data.default, NOTEBOOK_SPEC.data);
  });

  test('every example and every default is accepted by the validator where it is shown', () => {
    for (const { where, p, wrap } of places) {
      const values = [...(p.examples ?? []), ...('default' in p ? [p.default] : [])];
      for (const v of values) {
        const r = validateSpecText(JSON.stringify(wrap(v)), { checkFiles: false });
        const errors = r.problems.filter((x) => x.severity === 'error');
        assert.deepEqual(errors.map((x) => x.message), [], `${where}: example ${JSON.stringify(v)}`);
      }
    }
  });
});

describe('examples and snippets', () => {
  const exampleDir = join(root, 'examples');
  const files = readdirSync(exampleDir).filter((f) => f.endsWith('.blobs.json'));

  test('there are examples for blobs, circles/moons, many classes and csv', () => {
    for (const f of ['notebook.blobs.json', 'many-classes.blobs.json', 'csv.blobs.json']) assert.ok(files.includes(f), f);
    assert.ok(files.some((f) => /circles|moons/.test(f)));
  });

  for (const f of files) {
    test(`examples/${f} validates clean`, () => {
      const path = join(exampleDir, f);
      const r = validateSpecText(readFileSync(path, 'utf8'), { specPath: path });
      assert.deepEqual(r.problems.map((p) => p.message), []);
      assert.ok(r.spec);
    });
  }

  test("examples/notebook.blobs.json is the notebook's spec exactly", () => {
    assert.deepEqual(JSON.parse(readFileSync(join(exampleDir, 'notebook.blobs.json'), 'utf8')), NOTEBOOK_SPEC);
  });

  test('examples carry no "$schema" link (it only resolved inside the repository); package.json associates the schema', () => {
    for (const f of files) assert.doesNotMatch(readFileSync(join(exampleDir, f), 'utf8'), /"\$schema"/, f);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '*.blobs.json', url: './schemas/blobs.schema.json' }]);
  });

  test('schema snippets and examples validate, the first is the notebook', () => {
    assert.deepEqual(schema.defaultSnippets[0].body, NOTEBOOK_SPEC);
    assert.deepEqual(schema.examples[0], NOTEBOOK_SPEC);
    for (const s of schema.defaultSnippets) assert.ok(validateSpecText(JSON.stringify(s.body)).spec, s.label);
    for (const s of schema.definitions.data.defaultSnippets) {
      const r = validateSpecText(JSON.stringify({ data: s.body, model: { activation: 'relu' } }), { checkFiles: false });
      assert.ok(r.spec, `${s.label}: ${r.problems.map((p) => p.message)}`);
    }
  });
});

describe('a real JSON Schema validator agrees (when ajv is installed)', () => {
  let Ajv: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    Ajv = createRequire(__filename)('ajv');
  } catch {
    Ajv = undefined;
  }
  test('examples pass, bad specs fail', { skip: Ajv ? false : 'ajv not installed' }, () => {
    const ajv = new (Ajv.default ?? Ajv)({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const dir = join(root, 'examples');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.blobs.json'))) {
      assert.ok(validate(JSON.parse(readFileSync(join(dir, f), 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`);
    }
    const bad = [
      { seed: -1 },
      { data: { generator: 'make_circles', factor: 1 } },
      { data: { generator: 'make_circles', centers: 3 } },
      { data: { cluster_sd: 1 } },
      { training: { optimizer: 'SGD' } },
      { training: { lr: 0 } },
      { data: { generator: 'csv' } },
      { data: { test_size: 1.5 } },
      { boundary: { resolution: 1 } },
      { trainig: {} },
    ];
    for (const b of bad) {
      assert.equal(validate(b), false, `schema accepts ${JSON.stringify(b)}`);
      assert.equal(validateSpecText(JSON.stringify(b)).problems.length > 0, true, `validator accepts ${JSON.stringify(b)}`);
    }
  });
});
