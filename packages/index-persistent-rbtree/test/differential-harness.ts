/**
 * Differential testing against the reference index: random operation sequences (fixed seeds) are
 * applied to both indexes; after every operation the index under test must validate() and agree with
 * the reference on contents, queries, gap searches and what open readers see.
 */
import {
  IndexContractError,
  type IndexEntry,
  type IndexOptions,
  type IndexProbe,
  type LocklessReader,
  type UnmappedAreaRequest,
  type VmaIndex,
} from '@vmakit/core';
import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { expect } from 'vitest';

export interface TestEntry extends IndexEntry {
  readonly id: number;
  readonly guardBelow: number;
}

/** Address space of the generated operations: small, so ranges collide often. */
const SPACE = 96;

export type Op =
  | { kind: 'insert'; start: number; len: number; id: number; guard: number }
  | { kind: 'store'; start: number; len: number; id: number | null }
  | { kind: 'removeExisting'; pick: number; wrongEntry: boolean }
  | { kind: 'removeRandom'; start: number; len: number }
  | { kind: 'eraseAt'; addr: number }
  | { kind: 'begin' }
  | { kind: 'publish' }
  | { kind: 'openReader' }
  | { kind: 'closeReader'; pick: number }
  | { kind: 'bad'; which: number };

const addr = fc.integer({ min: 0, max: SPACE + 4 });
const len = fc.integer({ min: 1, max: 12 });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      start: addr,
      len,
      id: fc.nat(),
      guard: fc.constantFrom(0, 0, 0, 3),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('store' as const),
      start: addr,
      len,
      id: fc.option(fc.nat(), { freq: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('removeExisting' as const),
      pick: fc.nat(),
      wrongEntry: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeRandom' as const), start: addr, len }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('eraseAt' as const), addr }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('begin' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('publish' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('openReader' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('closeReader' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('bad' as const), which: fc.integer({ min: 0, max: 3 }) }),
  },
);

export interface Probe {
  addrs: number[];
  window: [number, number];
  stopAfter: number;
  gap: [number, number, number];
  request: UnmappedAreaRequest;
}

export const probeArb: fc.Arbitrary<Probe> = fc.record({
  addrs: fc.array(fc.integer({ min: 0, max: SPACE + 8 }), { minLength: 4, maxLength: 8 }),
  window: fc.tuple(addr, addr),
  stopAfter: fc.integer({ min: 1, max: 4 }),
  gap: fc.tuple(
    fc.integer({ min: 0, max: SPACE + 8 }),
    fc.integer({ min: 0, max: SPACE + 8 }),
    fc.integer({ min: 0, max: 20 }),
  ),
  request: fc.record({
    length: fc.integer({ min: 1, max: 16 }),
    lowLimit: fc.integer({ min: 0, max: 30 }),
    highLimit: fc.integer({ min: 20, max: SPACE + 8 }),
    alignMask: fc.constantFrom(0, 0, 1, 3, 7),
    alignOffset: fc.integer({ min: 0, max: 7 }),
    topDown: fc.boolean(),
  }),
});

type Listing = Array<[number, number, number]>;

function listing<E extends TestEntry>(ix: VmaIndex<E>): Listing {
  const out: Listing = [];
  ix.forEach(0, Number.MAX_SAFE_INTEGER, (s, e, x) => {
    out.push([s, e, x.id]);
    return undefined;
  });
  return out;
}

const idOf = (e: TestEntry | null): number | null => (e === null ? null : e.id);

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() ?? null };
  } catch (err) {
    if (err instanceof IndexContractError) return { contractError: true };
    throw err;
  }
}

/** Every query answer of one index at the probe's points, as plain data. */
function answers<E extends TestEntry>(x: VmaIndex<E>, p: Probe): unknown[] {
  const out: unknown[] = [x.size, listing(x)];
  for (const a of p.addrs) {
    out.push([`at ${a}`, idOf(x.find(a)), idOf(x.lookup(a)), idOf(x.prevOf(a)), idOf(x.nextOf(a))]);
  }
  const [from, to] = p.window;
  for (const dir of ['forEach', 'forEachReverse'] as const) {
    const seen: Listing = [];
    x[dir](from, to, (s, e, v) => {
      seen.push([s, e, v.id]);
      return seen.length >= p.stopAfter;
    });
    out.push([`${dir}(${from}, ${to})`, seen]);
  }
  const [min, max, size] = p.gap;
  out.push([
    `emptyArea(${min}, ${max}, ${size})`,
    x.emptyArea(min, max, size),
    x.emptyAreaRev(min, max, size),
  ]);
  out.push([`unmappedArea(${JSON.stringify(p.request)})`, x.unmappedArea(p.request)]);
  return out;
}

/** Compares every query of the two indexes at the probe's points (one expect, so it stays fast). */
export function compareQueries<E extends TestEntry>(
  ix: VmaIndex<E>,
  ref: VmaIndex<E>,
  p: Probe,
  label = '',
): void {
  const a = answers(ix, p);
  const b = answers(ref, p);
  if (JSON.stringify(a) !== JSON.stringify(b)) expect(a, label).toEqual(b);
}

interface ReaderPair<E extends TestEntry> {
  ix: LocklessReader<E>;
  ref: LocklessReader<E>;
}

/** A probe that only counts, so that the probe-reporting code paths run during differential tests. */
export function countingProbe(): IndexProbe & { events: number } {
  const p = {
    events: 0,
    read(): void {
      p.events++;
    },
    write(): void {
      p.events++;
    },
    alloc(): void {
      p.events++;
    },
    retire(): void {
      p.events++;
    },
  };
  return p;
}

/**
 * Runs ops on a fresh index from `create` and a reference index side by side, validating and
 * comparing after each one. Open readers of both are compared at every step too.
 */
export function runDifferential<E extends TestEntry>(
  create: (options?: IndexOptions) => VmaIndex<E>,
  ops: readonly Op[],
  probes: readonly Probe[],
  options?: IndexOptions,
): void {
  const ix = create(options);
  const ref = new ReferenceIndex<E>();
  const readers: ReaderPair<E>[] = [];
  let depth = 0;
  // The version must advance once per published update that changed (or tried to change) something.
  let expectedVersion = 0;
  let dirty = false;
  const entry = (id: number, guard = 0): E => ({ id, guardBelow: guard }) as unknown as E;
  ops.forEach((op, step) => {
    const both = (fn: (x: VmaIndex<E>) => unknown, mutation = true): void => {
      const a = outcome(() => fn(ix));
      if (
        mutation &&
        typeof a === 'object' &&
        a !== null &&
        'ok' in a &&
        (op.kind !== 'eraseAt' || a.ok !== null)
      ) {
        dirty = true;
      }
      const b = outcome(() => fn(ref));
      const norm = (r: unknown): unknown =>
        r !== null && typeof r === 'object' && 'ok' in r && r.ok !== null && typeof r.ok === 'object'
          ? { ok: (r.ok as TestEntry).id }
          : r;
      if (JSON.stringify(norm(a)) !== JSON.stringify(norm(b))) {
        expect(norm(a), `step ${step} ${JSON.stringify(op)}`).toEqual(norm(b));
      }
    };
    switch (op.kind) {
      case 'insert': {
        const e = entry(op.id, op.guard);
        both((x) => x.insert(op.start, op.start + op.len, e));
        break;
      }
      case 'store': {
        const e = op.id === null ? null : entry(op.id);
        both((x) => x.store(op.start, op.start + op.len, e));
        break;
      }
      case 'removeExisting': {
        const all: Array<[number, number, E]> = [];
        ref.forEach(0, Number.MAX_SAFE_INTEGER, (s, e, v) => {
          all.push([s, e, v]);
          return undefined;
        });
        if (all.length === 0) break;
        const [s, e, v] = all[op.pick % all.length]!;
        const target = op.wrongEntry ? entry(v.id) : v;
        both((x) => x.remove(s, e, target));
        break;
      }
      case 'removeRandom':
        both((x) => x.remove(op.start, op.start + op.len, entry(0)));
        break;
      case 'eraseAt':
        both((x) => x.eraseAt(op.addr));
        break;
      case 'begin':
        ix.beginUpdate();
        ref.beginUpdate();
        depth++;
        break;
      case 'publish':
        if (depth === 0) {
          expect(() => ix.publish()).toThrow(IndexContractError);
          break;
        }
        ix.publish();
        ref.publish();
        depth--;
        break;
      case 'openReader':
        readers.push({ ix: ix.openReader(), ref: ref.openReader() });
        break;
      case 'closeReader': {
        if (readers.length === 0) break;
        const [r] = readers.splice(op.pick % readers.length, 1);
        r!.ix.close();
        r!.ref.close();
        expect(() => r!.ix.find(0)).toThrow(IndexContractError);
        break;
      }
      case 'bad': {
        const bad: Array<(x: VmaIndex<E>) => unknown> = [
          (x) => x.insert(5, 5, entry(1)),
          (x) => x.insert(-1, 3, entry(1)),
          (x) => x.store(4, 2, null),
          (x) => x.insert(0.5, 3, entry(1)),
        ];
        both(bad[op.which]!);
        break;
      }
    }
    if (depth === 0 && dirty) {
      expectedVersion++;
      dirty = false;
    }
    ix.validate();
    if (ix.version !== expectedVersion || ix.version !== ref.version) {
      expect([ix.version, ref.version], `versions after step ${step}`).toEqual([
        expectedVersion,
        expectedVersion,
      ]);
    }
    const p = probes[step % probes.length]!;
    compareQueries(ix, ref, p, `after step ${step} ${JSON.stringify(op)}`);
    for (const r of readers) {
      for (const a of p.addrs) {
        const got = [idOf(r.ix.find(a)), idOf(r.ix.lookup(a)), r.ix.outcome];
        const want = [idOf(r.ref.find(a)), idOf(r.ref.lookup(a)), 'clean'];
        if (got.join() !== want.join()) expect(got, `reader at ${a} after step ${step}`).toEqual(want);
      }
    }
  });
  while (depth-- > 0) {
    ix.publish();
    ref.publish();
  }
  ix.validate();
  compareQueries(ix, ref, probes[0]!);
  for (const r of readers) {
    r.ix.close();
    r.ref.close();
  }
  ix.validate();
}
