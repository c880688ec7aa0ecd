import { IndexContractError, type UnmappedAreaRequest } from '@vmakit/core';
import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RbtreeIndex } from '../src/index.js';

interface T {
  readonly id: number;
  readonly guardBelow?: number;
}

const P = 4096;
const MAX = Number.MAX_SAFE_INTEGER;

/** A pool of entries, some with a stack guard gap, reused so one entry can map several ranges. */
function makePool(size: number, guard: number): T[] {
  return Array.from({ length: size }, (_, k) => ({ id: 1_000_000 + k, guardBelow: k % 4 === 3 ? guard : 0 }));
}

type Cmd =
  | { op: 'insert'; s: number; len: number; e: number }
  | { op: 'store'; s: number; len: number; e: number | null }
  | { op: 'remove'; pick: number; exact: boolean }
  | { op: 'eraseAt'; a: number }
  | { op: 'find' | 'lookup'; a: number; tid: number | undefined }
  | { op: 'prevOf' | 'nextOf'; a: number }
  | { op: 'forEach' | 'forEachReverse'; a: number; b: number; stopAfter: number }
  | { op: 'emptyArea' | 'emptyAreaRev'; min: number; max: number; size: number }
  | { op: 'unmapped'; req: UnmappedAreaRequest };

/** Commands over a domain of `span` units of `unit` bytes. */
function cmdArb(span: number, unit: number, pool: number, maxLen = span >> 2): fc.Arbitrary<Cmd> {
  const at = fc.integer({ min: 0, max: span }).map((x) => x * unit);
  const len = fc.integer({ min: 1, max: Math.max(1, maxLen) }).map((x) => x * unit);
  const e = fc.integer({ min: 0, max: pool - 1 });
  const tid = fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('insert' as const), s: at, len, e }) },
    {
      weight: 6,
      arbitrary: fc.record({ op: fc.constant('store' as const), s: at, len, e: fc.option(e, { nil: null }) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat(), exact: fc.boolean() }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('eraseAt' as const), a: at }) },
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constantFrom('find' as const, 'lookup' as const), a: at, tid }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('prevOf' as const, 'nextOf' as const), a: at }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constantFrom('forEach' as const, 'forEachReverse' as const),
        a: at,
        b: at,
        stopAfter: fc.integer({ min: 1, max: 4 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constantFrom('emptyArea' as const, 'emptyAreaRev' as const),
        min: fc.oneof(at, fc.integer({ min: 0, max: span * unit })),
        max: fc.oneof(at, fc.integer({ min: 0, max: span * unit }), fc.constant(MAX)),
        size: fc.oneof(len, fc.integer({ min: 0, max: 3 * unit })),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('unmapped' as const),
        req: fc.record({
          length: len,
          lowLimit: at,
          highLimit: fc.oneof(at, fc.constant((span + 8) * unit)),
          alignMask: fc.constantFrom(0, unit - 1, 4 * unit - 1),
          alignOffset: fc.constantFrom(0, unit, 3 * unit),
          startGap: fc.constantFrom(0, 0, unit),
          topDown: fc.boolean(),
        }),
      }),
    },
  );
}

type Outcome = { ok: unknown } | { threw: string };

function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: fn() };
  } catch (err) {
    if (err instanceof IndexContractError) return { threw: 'IndexContractError' };
    throw err;
  }
}

function contents(ix: RbtreeIndex<T> | ReferenceIndex<T>): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  ix.forEach(0, MAX, (s, e, x) => {
    out.push([s, e, x.id]);
    return undefined;
  });
  return out;
}

function apply(ix: RbtreeIndex<T> | ReferenceIndex<T>, ref: ReferenceIndex<T>, c: Cmd, pool: T[]): Outcome {
  switch (c.op) {
    case 'insert':
      return attempt(() => ix.insert(c.s, c.s + c.len, pool[c.e]!));
    case 'store':
      return attempt(() => ix.store(c.s, c.s + c.len, c.e === null ? null : pool[c.e]!));
    case 'remove': {
      // Pick a range from the reference so that most removes are legal.
      const all = contents(ref);
      if (all.length === 0) return attempt(() => ix.remove(0, P, pool[0]!));
      const [s, e, id] = all[c.pick % all.length]!;
      const entry = pool.find((x) => x.id === id)!;
      return attempt(() => (c.exact ? ix.remove(s, e, entry) : ix.remove(s, e + 1, entry)));
    }
    case 'eraseAt':
      return attempt(() => ix.eraseAt(c.a)?.id ?? null);
    case 'find':
      return attempt(() => ix.find(c.a, c.tid)?.id ?? null);
    case 'lookup':
      return attempt(() => ix.lookup(c.a, c.tid)?.id ?? null);
    case 'prevOf':
      return attempt(() => ix.prevOf(c.a)?.id ?? null);
    case 'nextOf':
      return attempt(() => ix.nextOf(c.a)?.id ?? null);
    case 'forEach':
    case 'forEachReverse': {
      const seen: number[] = [];
      const visit = (s: number, e: number, x: T): boolean => {
        seen.push(s, e, x.id);
        return seen.length / 3 >= c.stopAfter;
      };
      if (c.op === 'forEach') ix.forEach(c.a, c.b, visit);
      else ix.forEachReverse(c.a, c.b, visit);
      return { ok: seen };
    }
    case 'emptyArea':
      return { ok: ix.emptyArea(c.min, c.max, c.size) };
    case 'emptyAreaRev':
      return { ok: ix.emptyAreaRev(c.min, c.max, c.size) };
    case 'unmapped':
      return { ok: ix.unmappedArea(c.req) };
  }
}

function runDifferential(cmds: Cmd[], pool: T[], pageAligned: boolean): void {
  const ix = new RbtreeIndex<T>({ pageAligned });
  const ref = new ReferenceIndex<T>({ pageAligned });
  for (const [k, c] of cmds.entries()) {
    const mine = apply(ix, ref, c, pool);
    const theirs = apply(ref, ref, c, pool);
    expect(mine, `command ${k}: ${JSON.stringify(c)}`).toEqual(theirs);
    ix.validate();
    expect(ix.size).toBe(ref.size);
    if (k % 8 === 0) expect(contents(ix)).toEqual(contents(ref));
  }
  expect(contents(ix)).toEqual(contents(ref));
}

describe('RbtreeIndex agrees with ReferenceIndex', () => {
  it('on page-aligned command sequences (validate after every op)', () => {
    const pool = makePool(10, 4 * P);
    fc.assert(
      fc.property(fc.array(cmdArb(256, P, pool.length), { minLength: 1, maxLength: 160 }), (cmds) =>
        runDifferential(cmds, pool, true),
      ),
      { seed: 0x5eed01, numRuns: 220 },
    );
  });

  it('on byte-granular command sequences over a tiny space (edge cases of gap bounds)', () => {
    const pool = makePool(6, 3);
    fc.assert(
      fc.property(fc.array(cmdArb(48, 1, pool.length), { minLength: 1, maxLength: 120 }), (cmds) =>
        runDifferential(cmds, pool, false),
      ),
      { seed: 0x5eed02, numRuns: 300 },
    );
  });

  it('on dense sequences that build hundreds of ranges', () => {
    const pool = makePool(16, 2 * P);
    const dense = fc.array(cmdArb(4096, P, pool.length, 12), { minLength: 400, maxLength: 700 });
    fc.assert(
      fc.property(dense, (cmds) => runDifferential(cmds, pool, true)),
      { seed: 0x5eed03, numRuns: 12 },
    );
  });

  it('rejects overlapping inserts, absent removes and bad ranges like the reference', () => {
    const ix = new RbtreeIndex<T>({ checked: true });
    const a = { id: 1 };
    ix.insert(0x1000, 0x3000, a);
    expect(() => ix.insert(0x2000, 0x4000, { id: 2 })).toThrow(/overlaps \[0x1000, 0x3000\)/);
    expect(() => ix.remove(0x1000, 0x2000, a)).toThrow(IndexContractError);
    expect(() => ix.remove(0x1000, 0x3000, { id: 1 })).toThrow(IndexContractError);
    expect(() => ix.insert(0x5000, 0x5001, { id: 3 })).toThrow(/not page aligned/);
    expect(() => ix.insert(0x6000, 0x5000, { id: 3 })).toThrow(/empty or inverted/);
    expect(() => ix.store(-4096, 0, null)).toThrow(/non-negative safe integers/);
    expect(() => ix.find(Number.NaN)).toThrow(/not a non-negative safe integer/);
    expect(() => ix.find(0x1000, 1.5)).toThrow(/thread id/);
    expect(() => ix.insert(0x8000, 0x9000, null as unknown as T)).toThrow(/entry must be an object/);
    expect(() => ix.publish()).toThrow(/publish\(\) without beginUpdate\(\)/);
    ix.validate();
    expect(ix.size).toBe(1);
  });
});
