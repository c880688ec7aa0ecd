import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  assertResults,
  createResults,
  parseResults,
  RESULTS_SCHEMA,
  type ResultsDocument,
  ResultsError,
  resultsSchemaJson,
  type SchemaNode,
  scalingCell,
  validateResults,
} from '../src/index.js';
import { checkSchemaKeywords, validateAgainstSchema } from '../src/schema/validator.js';
import { sampleResults, sampleResultsJson } from './fixtures/sample.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCHEMA_FILE = join(here, '..', 'schema', 'results.schema.json');
const FIXTURE_FILE = join(here, 'fixtures', 'sample-results.json');
// `VMAKIT_UPDATE_FIXTURES=1 npx vitest run --project @vmakit/report schema` rewrites both files.
const UPDATE = process.env.VMAKIT_UPDATE_FIXTURES === '1';

// biome-ignore lint/suspicious/noExplicitAny: the tests reach into arbitrary paths of a JSON copy
type Json = any;

/** A deep copy that tests may mutate. */
function mutable(doc: ResultsDocument): Json {
  return JSON.parse(JSON.stringify(doc));
}

const ENV = {
  node: 'v20.19.0',
  platform: 'linux',
  kernel: '6.8.0',
  cpu_model: 'test cpu',
  cpus: 4,
  git_revision: null,
  git_dirty: null,
};

describe('the published schema file', () => {
  it('equals the schema object the validator uses', () => {
    if (UPDATE) writeFileSync(SCHEMA_FILE, resultsSchemaJson());
    // Compared as data: the repository's formatter may lay the JSON out differently.
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(resultsSchemaJson()));
  });

  it('uses only keywords the validator implements, and every $ref resolves', () => {
    expect(() => checkSchemaKeywords(RESULTS_SCHEMA)).not.toThrow();
    expect(() => checkSchemaKeywords({ type: 'object', oneOf: [] } as unknown as SchemaNode)).toThrow(
      /oneOf/,
    );
    expect(() => checkSchemaKeywords({ $ref: '#/$defs/Nope' })).toThrow(/unresolvable/);
  });

  it('gives every number a unit (x-unit) and every property a description', () => {
    const missing: string[] = [];
    const walk = (s: SchemaNode, at: string) => {
      const types = s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type;
      if ((types.includes('number') || types.includes('integer')) && s['x-unit'] === undefined)
        missing.push(`${at}: no x-unit`);
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        if (sub.description === undefined && sub.$ref === undefined)
          missing.push(`${at}/${k}: no description`);
        walk(sub, `${at}/${k}`);
      }
      for (const [k, sub] of Object.entries(s.$defs ?? {})) walk(sub, `#/$defs/${k}`);
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}/*`);
      if (s.items !== undefined) walk(s.items, `${at}[]`);
    };
    walk(RESULTS_SCHEMA, '#');
    expect(missing).toEqual([]);
  });
});

describe('the sample fixture', () => {
  it('is the generator output (typed against ResultsDocument) and validates against the schema', () => {
    if (UPDATE) writeFileSync(FIXTURE_FILE, sampleResultsJson());
    expect(JSON.parse(readFileSync(FIXTURE_FILE, 'utf8'))).toEqual(JSON.parse(sampleResultsJson()));
    expect(validateResults(JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')))).toEqual([]);
  });

  it('fills every section and every optional property the schema defines', () => {
    const doc = sampleResults();
    const seen = new Set<string>();
    const walk = (v: unknown, at: string) => {
      if (Array.isArray(v)) for (const x of v) walk(x, `${at}[]`);
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          seen.add(`${at}.${k}`);
          walk(x, `${at}.${k}`);
        }
    };
    walk(doc, '$');
    const expected: string[] = [];
    const defs = RESULTS_SCHEMA.$defs!;
    const collect = (s: SchemaNode, at: string, depth: number) => {
      if (depth > 6) return;
      const target = s.$ref !== undefined ? defs[s.$ref.split('/').pop()!]! : s;
      for (const [k, sub] of Object.entries(target.properties ?? {})) {
        expected.push(`${at}.${k}`);
        collect(sub, `${at}.${k}`, depth + 1);
      }
      if (target.items !== undefined) collect(target.items, `${at}[]`, depth + 1);
    };
    collect(RESULTS_SCHEMA, '$', 0);
    // A shard and a merge record are mutually exclusive; the merge tests cover them.
    const exempt = /^\$\.metadata\.(shard|merged_from)/;
    expect(expected.filter((p) => !seen.has(p) && !exempt.test(p))).toEqual([]);
  });
});

describe('validateResults', { timeout: 60_000 }, () => {
  it('accepts a metadata-only document (partial runs and shards)', () => {
    const doc = createResults({ environment: ENV, generatedAt: '2026-01-02T03:04:05Z', planned: [] });
    expect(validateResults(doc)).toEqual([]);
    expect(validateResults({ ...doc, metadata: { ...doc.metadata, shard: { index: 1, count: 3 } } })).toEqual(
      [],
    );
  });

  it('names each problem with its path', () => {
    const cases: [string, (d: Json) => void, RegExp][] = [
      ['metadata missing', (d) => delete d.metadata, /^\$\.metadata: is required$/],
      [
        'wrong type',
        (d) => (d.scaling.points[3].cpus = '16'),
        /^\$\.scaling\.points\[3\]\.cpus: expected integer, got string "16"$/,
      ],
      ['fraction', (d) => (d.scaling.points[0].cpus = 1.5), /cpus: expected integer, got number 1\.5/],
      [
        'negative count',
        (d) => (d.replay.rows[0].faults = -1),
        /replay\.rows\[0\]\.faults: -1 is below the minimum 0/,
      ],
      ['above maximum', (d) => (d.scaling.points[0].mmap_lock_wait_fraction = 1.5), /above the maximum 1/],
      [
        'unknown property',
        (d) => (d.benchmarks.rows[0].nsp50 = 3),
        /benchmarks\.rows\[0\]\.nsp50: is not a known property/,
      ],
      ['unknown section', (d) => (d.extra = {}), /^\$\.extra: is not a known property$/],
      ['empty name', (d) => (d.replay.rows[0].capture = ''), /capture: must not be empty/],
      ['bad enum', (d) => (d.benchmarks.rows[0].kind = 'other'), /kind: expected one of "index", "baseline"/],
      [
        'bad date',
        (d) => (d.metadata.generated_at = 'yesterday'),
        /generated_at: expected an ISO 8601 date-time/,
      ],
      [
        'counter not integer',
        (d) => (d.replay.rows[0].counters.pgfault = 0.5),
        /counters\.pgfault: expected integer/,
      ],
      [
        'odd counter name',
        (d) => (d.replay.rows[0].counters['a b'] = 'x'),
        /counters\["a b"\]: expected integer/,
      ],
      [
        'null where not allowed',
        (d) => (d.scaling.points[0].faults = null),
        /faults: expected integer, got null/,
      ],
      [
        'duplicate planned cell',
        (d) => d.metadata.cells.planned.push(d.metadata.cells.planned[0]),
        /cells\.planned\[\d+\]: duplicate of item 0/,
      ],
    ];
    for (const [what, mutate, pattern] of cases) {
      const d = mutable(sampleResults());
      mutate(d);
      const errors = validateResults(d);
      expect(errors, what).toHaveLength(1);
      expect(errors[0], what).toMatch(pattern);
    }
  });

  it('refuses another schema version with a clear message', () => {
    const d = mutable(sampleResults());
    d.schema_version = 2;
    expect(validateResults(d)).toEqual([
      '$.schema_version: version 2 is not supported (this reader knows version 3)',
    ]);
  });

  it('checks cross-field rules', () => {
    const cases: [string, (d: Json) => void, RegExp][] = [
      [
        'shard index',
        (d) => (d.metadata.shard = { index: 3, count: 3 }),
        /shard\.index: 3 must be below count 3/,
      ],
      [
        'duplicate cell',
        (d) => d.scaling.points.push({ ...d.scaling.points[5] }),
        /duplicate cell "scaling\/.*" \(also at \$\.scaling\.points\[5\]\)/,
      ],
      [
        'percentiles',
        (d) => (d.benchmarks.rows[2].ns_p99 = d.benchmarks.rows[2].ns_p50 - 1),
        /ns_p99 .* is below ns_p50/,
      ],
      [
        'aborts',
        (d) => (d.scaling.points[9].spf_abort = d.scaling.points[9].spf_attempt + 1),
        /spf_abort \d+ exceeds spf_attempt/,
      ],
      [
        'handled',
        (d) => (d.replay.rows[0].signals = d.replay.rows[0].faults),
        /faults_handled \+ signals .* exceed faults/,
      ],
      [
        'unplanned finished cell',
        (d) => d.metadata.cells.finished.push('scaling/x'),
        /finished\[\d+\]: cell "scaling\/x" was not planned/,
      ],
    ];
    for (const [what, mutate, pattern] of cases) {
      const d = mutable(sampleResults());
      mutate(d);
      expect(validateResults(d), what).toEqual([expect.stringMatching(pattern)]);
    }
  });

  it('rejects non-JSON values and non-objects without crashing', () => {
    expect(validateResults(null)).toEqual(['$: expected object, got null']);
    expect(validateResults([])).toEqual(['$: expected object, got array']);
    const d = mutable(sampleResults());
    d.scaling.points[0].faults_per_sec = Number.POSITIVE_INFINITY;
    expect(validateResults(d)).toEqual([
      expect.stringMatching(/faults_per_sec: expected number, got non-finite number Infinity/),
    ]);
  });

  it('caps the error list for badly broken documents', () => {
    const d = mutable(sampleResults());
    for (const p of d.scaling.points) p.cpus = 'x';
    const errors = validateResults(d);
    expect(errors).toHaveLength(101);
    expect(errors.at(-1)).toMatch(/… and \d+ more error\(s\)/);
  });

  it('assertResults and parseResults throw ResultsError naming the source', () => {
    expect(() => parseResults('{', 'a.json')).toThrow(ResultsError);
    expect(() => parseResults('{', 'a.json')).toThrow(/^a\.json: invalid results document:\n {2}not JSON/);
    expect(() => assertResults({ schema_version: 3 }, 'b.json')).toThrow(
      /b\.json: .*\$\.metadata: is required/s,
    );
    expect(parseResults(sampleResultsJson()).metadata.seeds.sim).toBe(1);
  });
});

describe('the schema validator on small schemas', () => {
  it('applies type unions, const, enum, uniqueItems and $ref', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        a: { type: ['string', 'null'], minLength: 2 },
        b: { const: 3 },
        c: { type: 'array', items: { $ref: '#/$defs/P' }, uniqueItems: true, minItems: 1 },
      },
      $defs: { P: { type: 'integer', exclusiveMinimum: 0 } },
    };
    expect(validateAgainstSchema(schema, { a: null, b: 3, c: [1, 2] })).toEqual([]);
    expect(validateAgainstSchema(schema, { a: 'x', b: 4, c: [] })).toEqual([
      '$.a: shorter than 2 characters',
      '$.b: expected 3, got integer 4',
      '$.c: needs at least 1 item(s), has 0',
    ]);
    expect(validateAgainstSchema(schema, { c: [1, 1, 0] })).toEqual([
      '$.c[1]: duplicate of item 0',
      '$.c[2]: 0 must be greater than 0',
    ]);
  });
});

describe('cell keys', () => {
  it('are unambiguous for names holding separators', () => {
    const base = { profile: 'p', cpus: 2, strategy: 's', index: 'i' };
    expect(scalingCell({ ...base, workload: 'a/b' })).not.toBe(
      scalingCell({ ...base, workload: 'a', profile: 'b/p' }),
    );
    expect(scalingCell({ ...base, workload: 'a/b' })).toBe('scaling/a%2Fb/p/2/s/i');
  });
});
