/**
 * The JSON Schema gives the editor completion and hover; the validator's field table
 * (fields.ts) judges specs everywhere (editor diagnostics, CLI, trainer). They must say
 * the same things: the same keys, defaults and enum values, and every bound the
 * validator enforces written in the hover ("Allowed: ..."). The schema itself judges
 * nothing (no `type`, `minimum`, `enum`, `additionalProperties`...): VS Code's JSON
 * language service reports every schema violation beside the engine's own diagnostic,
 * so a schema that validates turns one mistake into two problems.
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
import { allowedText } from './spec-helpers';

const root = join(__dirname, '..', '..');
type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const schema: Schema = JSON.parse(readFileSync(join(root, 'schemas/blobs.schema.json'), 'utf8'));
const GEN_DEFS = { make_blobs: 'blobsData', make_moons: 'moonsData', make_circles: 'circlesData', csv: 'csvData' } as const;

/**
 * JSON Schema keywords that make the JSON language service report a problem (draft-07
 * and later, and VS Code's `errorMessage`). `if` is allowed: its result only selects
 * `then` (the generator's fields, for completion) and is never reported.
 */
const VALIDATION_KEYWORDS = [
  'type', 'enum', 'const', 'multipleOf', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'format', 'items', 'additionalItems', 'prefixItems', 'contains', 'minItems', 'maxItems', 'uniqueItems',
  'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'dependencies', 'dependentRequired', 'dependentSchemas',
  'minProperties', 'maxProperties', 'unevaluatedProperties', 'unevaluatedItems', 'oneOf', 'anyOf', 'not', 'errorMessage', 'deprecationMessage',
] as const;

/** The enum values of a shape (a plain enum, or the enum branch of a oneOf). */
function enumValues(shape: Shape): readonly string[] {
  if (shape.t === 'enum') return shape.values;
  if (shape.t === 'oneOf') return shape.options.flatMap(enumValues);
  return [];
}

function assertTable(table: FieldTable, props: Schema, where: string): void {
  for (const [key, field] of Object.entries(table)) {
    const p = props[key];
    assert.ok(p, `${where}.${key} is missing from the schema`);
    if (field.def !== undefined) assert.deepEqual(p.default, field.def, `${where}.${key}: default`);
    if (field.shape.t === 'object') continue;
    // The validator's rule, in the hover.
    const allowed = allowedText(field);
    if (allowed) {
      assert.ok(p.description.endsWith(`Allowed: ${allowed}.`), `${where}.${key}: description should end "Allowed: ${allowed}."`);
      assert.ok(p.markdownDescription.endsWith(`\n\nAllowed: ${allowed}.`), `${where}.${key}: markdownDescription should end with "Allowed: ${allowed}."`);
    }
    const values = enumValues(field.shape);
    if (field.shape.t === 'enum') {
      // Completion offers every value, each with its documentation.
      assert.deepEqual(p.defaultSnippets?.map((s: Schema) => s.body), [...values], `${where}.${key}: one snippet per value`);
      for (const s of p.defaultSnippets) assert.ok(typeof s.markdownDescription === 'string' && s.markdownDescription.length > 2, `${where}.${key}: ${s.body} documented`);
      for (const v of values) assert.ok(p.markdownDescription.includes(`- \`${v}\`: `), `${where}.${key}: hover lists ${v}`);
    } else {
      for (const v of values) assert.ok(p.examples.includes(v), `${where}.${key}: completion offers ${v}`);
    }
  }
}

describe('schema and validator agree', () => {
  test('top level keys and defaults', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(TOP_FIELDS).sort());
    assertTable(TOP_FIELDS, schema.properties, 'spec');
  });

  test('sections', () => {
    for (const [name, table] of [['model', MODEL_FIELDS], ['training', TRAINING_FIELDS], ['boundary', BOUNDARY_FIELDS]] as const) {
      const sec = schema.properties[name];
      assert.deepEqual(Object.keys(sec.properties).sort(), Object.keys(table).sort(), name);
      assertTable(table, sec.properties, name);
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
      // The if/then that selects this definition (for completion: its keys are offered).
      const branch = data.allOf.find((b: Schema) => b.then.$ref === `#/definitions/${defName}`);
      assert.equal(branch.if.properties.generator.const, gen);
    }
  });

  test('the schema judges nothing: no validation keyword outside `if`; comments and trailing commas are left to the engine', () => {
    const found: string[] = [];
    const walk = (s: unknown, where: string, underIf: boolean): void => {
      if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${where}[${i}]`, underIf));
      if (typeof s !== 'object' || s === null) return;
      for (const [k, v] of Object.entries(s)) {
        // Values, not schemas: documentation and completion data.
        if (['default', 'examples', 'defaultSnippets', 'description', 'markdownDescription', 'title', '$schema'].includes(k)) continue;
        if (k === 'properties' || k === 'definitions') {
          for (const [name, sub] of Object.entries(v as Schema)) walk(sub, `${where}.${name}`, underIf);
          continue;
        }
        if (!underIf && (VALIDATION_KEYWORDS as readonly string[]).includes(k)) found.push(`${where}: ${k}`);
        walk(v, `${where}/${k}`, underIf || k === 'if');
      }
    };
    walk(schema, 'spec', false);
    assert.deepEqual(found, []);
    // The engine accepts // and /* */ comments; without this VS Code calls each one an error
    // (in plain JSON mode). A trailing comma is the engine's error (`trailing-comma`); without
    // this the JSON service would report it again (a warning, in the JSONC mode of *.blobs.json).
    assert.equal(schema.allowComments, true);
    assert.equal(schema.allowTrailingCommas, true);
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

describe('a real JSON Schema validator finds nothing to report (when ajv is installed)', () => {
  let Ajv: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    Ajv = createRequire(__filename)('ajv');
  } catch {
    Ajv = undefined;
  }
  test('examples and bad specs alike pass the schema; the validator refuses the bad ones', { skip: Ajv ? false : 'ajv not installed' }, () => {
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
      { data: { centers: 0 } },
      { training: { optimizer: 'SGD' } },
      { training: { lr: -1, epocs: 10 } },
      { data: { generator: 'csv' } },
      { data: { test_size: 1.5 } },
      { boundary: { resolution: 1 } },
      { trainig: {} },
      [],
      'text',
    ];
    for (const b of bad) {
      assert.equal(validate(b), true, `the schema reports ${JSON.stringify(b)}: ${JSON.stringify(validate.errors)}`);
      assert.equal(validateSpecText(JSON.stringify(b)).problems.length > 0, true, `validator accepts ${JSON.stringify(b)}`);
    }
  });
});
