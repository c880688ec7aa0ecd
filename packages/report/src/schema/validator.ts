/**
 * A small JSON Schema validator for the subset of draft 2020-12 the results schema uses, so the
 * package needs no third-party validator. Keywords outside the subset are refused up front by
 * `checkSchemaKeywords` rather than silently ignored.
 */
import type { SchemaNode, SchemaType } from './schema.js';

/** Keywords this validator understands (assertions, applicators and pure annotations). */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'title',
  'description',
  'x-unit',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'uniqueItems',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
  'pattern',
  'format',
]);

/**
 * Throws when `schema` (or any nested schema) uses a keyword outside `SUPPORTED_KEYWORDS` or a
 * `$ref` that does not resolve, naming the JSON pointer. O(size of the schema).
 */
export function checkSchemaKeywords(schema: SchemaNode, root: SchemaNode = schema, at = '#'): void {
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED_KEYWORDS.has(key)) throw new Error(`schema ${at}: unsupported keyword '${key}'`);
  }
  if (schema.$ref !== undefined) resolveRef(root, schema.$ref);
  for (const [k, sub] of Object.entries(schema.properties ?? {}))
    checkSchemaKeywords(sub, root, `${at}/properties/${k}`);
  for (const [k, sub] of Object.entries(schema.$defs ?? {}))
    checkSchemaKeywords(sub, root, `${at}/$defs/${k}`);
  if (typeof schema.additionalProperties === 'object')
    checkSchemaKeywords(schema.additionalProperties, root, `${at}/additionalProperties`);
  if (schema.items !== undefined) checkSchemaKeywords(schema.items, root, `${at}/items`);
}

function resolveRef(root: SchemaNode, ref: string): SchemaNode {
  const m = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
  const target = m === null ? undefined : root.$defs?.[m[1]!];
  if (target === undefined) throw new Error(`schema: unresolvable $ref '${ref}'`);
  return target;
}

/** The JSON type of a value as the schema's `type` keyword names it ('integer' only when asked). */
function jsonType(v: unknown): SchemaType | 'undefined' | 'non-json' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(v) ? 'number' : 'non-json';
    case 'object':
      return 'object';
    case 'undefined':
      return 'undefined';
    default:
      return 'non-json';
  }
}

function typeMatches(v: unknown, t: SchemaType): boolean {
  const actual = jsonType(v);
  if (t === 'integer') return actual === 'number' && Number.isInteger(v);
  return actual === t;
}

function describe(v: unknown): string {
  const t = jsonType(v);
  if (t === 'number') return Number.isInteger(v) ? `integer ${String(v)}` : `number ${String(v)}`;
  if (t === 'non-json') return typeof v === 'number' ? `non-finite number ${String(v)}` : `a ${typeof v}`;
  if (t === 'string') {
    const s = v as string;
    return `string ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)}`;
  }
  return t;
}

/** Canonical JSON (sorted keys) for equality of JSON values. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** The path of a property: `.name` for identifiers, `["…"]` (JSON-quoted) for anything else. */
function propPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Validation state: the root for $ref and the errors found so far (capped). */
interface Ctx {
  readonly root: SchemaNode;
  readonly errors: string[];
  readonly max: number;
  dropped: number;
}

function report(ctx: Ctx, path: string, message: string): void {
  if (ctx.errors.length < ctx.max) ctx.errors.push(`${path}: ${message}`);
  else ctx.dropped++;
}

function walk(ctx: Ctx, schema: SchemaNode, v: unknown, path: string): void {
  if (schema.$ref !== undefined) {
    walk(ctx, resolveRef(ctx.root, schema.$ref), v, path);
    return;
  }
  if (schema.type !== undefined) {
    const types: readonly SchemaType[] = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => typeMatches(v, t))) {
      report(ctx, path, `expected ${types.join(' or ')}, got ${describe(v)}`);
      return;
    }
  } else if (jsonType(v) === 'non-json' || v === undefined) {
    report(ctx, path, `expected a JSON value, got ${describe(v)}`);
    return;
  }
  if (schema.const !== undefined && canonicalJson(v) !== canonicalJson(schema.const))
    report(ctx, path, `expected ${JSON.stringify(schema.const)}, got ${describe(v)}`);
  if (schema.enum !== undefined && !schema.enum.some((e) => canonicalJson(e) === canonicalJson(v)))
    report(
      ctx,
      path,
      `expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${describe(v)}`,
    );
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum)
      report(ctx, path, `${v} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum)
      report(ctx, path, `${v} is above the maximum ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && v <= schema.exclusiveMinimum)
      report(ctx, path, `${v} must be greater than ${schema.exclusiveMinimum}`);
  }
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && [...v].length < schema.minLength)
      report(
        ctx,
        path,
        schema.minLength === 1 ? 'must not be empty' : `shorter than ${schema.minLength} characters`,
      );
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(v))
      report(ctx, path, `does not match /${schema.pattern}/`);
    if (schema.format === 'date-time' && !(DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))))
      report(ctx, path, `expected an ISO 8601 date-time (2026-01-31T12:00:00Z), got ${describe(v)}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems)
      report(ctx, path, `needs at least ${schema.minItems} item(s), has ${v.length}`);
    if (schema.uniqueItems === true) {
      const seen = new Map<string, number>();
      v.forEach((item, i) => {
        const key = canonicalJson(item);
        const first = seen.get(key);
        if (first !== undefined) report(ctx, `${path}[${i}]`, `duplicate of item ${first}`);
        else seen.set(key, i);
      });
    }
    if (schema.items !== undefined) {
      const items = schema.items;
      v.forEach((item, i) => {
        walk(ctx, items, item, `${path}[${i}]`);
      });
    }
  }
  if (jsonType(v) === 'object') {
    const o = v as Record<string, unknown>;
    for (const req of schema.required ?? [])
      if (!Object.hasOwn(o, req) || o[req] === undefined) report(ctx, propPath(path, req), 'is required');
    for (const [k, val] of Object.entries(o)) {
      if (val === undefined) continue; // absent after JSON serialisation
      const sub = schema.properties?.[k];
      if (sub !== undefined) walk(ctx, sub, val, propPath(path, k));
      else if (schema.additionalProperties === false)
        report(ctx, propPath(path, k), 'is not a known property');
      else if (typeof schema.additionalProperties === 'object')
        walk(ctx, schema.additionalProperties, val, propPath(path, k));
      else if (jsonType(val) === 'non-json')
        report(ctx, propPath(path, k), `expected a JSON value, got ${describe(val)}`);
    }
  }
}

/**
 * Validates `value` against `schema`; returns the errors as `$.path: message` (empty when valid),
 * at most `maxErrors` of them plus a final "… and N more" line. O(size of the value).
 */
export function validateAgainstSchema(schema: SchemaNode, value: unknown, maxErrors = 100): string[] {
  const ctx: Ctx = { root: schema, errors: [], max: maxErrors, dropped: 0 };
  walk(ctx, schema, value, '$');
  if (ctx.dropped > 0) ctx.errors.push(`… and ${ctx.dropped} more error(s)`);
  return ctx.errors;
}
