/**
 * The operations of the differential tests as plain data (so fast-check can generate and shrink
 * them) and their interpreter over a Mirror. Operations that need an existing range name it by a
 * `pick` number taken modulo the current number of ranges, so every generated sequence is valid
 * whatever state earlier operations left.
 */
import { DEFAULT_MMAP_MIN_ADDR, DEFAULT_STACK_GUARD_GAP, PAGE_SIZE, TASK_SIZE } from '@vmakit/core';
import fc from 'fast-check';
import { makeTestEntry, type TestEntry } from './entry.js';
import type { Mirror } from './mirror.js';
import { type Profile, REGIONS } from './profiles.js';

/** An address: a region, a page offset from its base and a byte offset. */
export interface AddrSpec {
  readonly region: number;
  readonly page: number;
  readonly byte: number;
}

/** A length in pages plus bytes. */
export interface LenSpec {
  readonly pages: number;
  readonly bytes: number;
}

/** One differential operation. `f*` fields are fractions in 1/1024. */
export type Op =
  | {
      readonly k: 'insert';
      readonly at: AddrSpec;
      readonly len: LenSpec;
      readonly guard: number;
      readonly mis: boolean;
    }
  | {
      readonly k: 'store';
      readonly at: AddrSpec;
      readonly len: LenSpec;
      readonly nul: boolean;
      readonly guard: number;
      readonly mis: boolean;
    }
  | {
      readonly k: 'split';
      readonly pick: number;
      readonly fa: number;
      readonly fb: number;
      readonly nul: boolean;
    }
  | {
      readonly k: 'span';
      readonly pick: number;
      readonly count: number;
      readonly fa: number;
      readonly fb: number;
      readonly nul: boolean;
    }
  | { readonly k: 'replace'; readonly pick: number }
  | {
      readonly k: 'grow';
      readonly pick: number;
      readonly below: boolean;
      readonly gap: number;
      readonly len: LenSpec;
      readonly guard: number;
    }
  | {
      readonly k: 'remove';
      readonly pick: number;
      readonly how: 'ok' | 'entry' | 'bounds' | 'gap';
      readonly at: AddrSpec;
    }
  | {
      readonly k: 'erase';
      readonly pick: number;
      readonly inside: boolean;
      readonly fa: number;
      readonly at: AddrSpec;
    }
  | {
      readonly k: 'point';
      readonly pick: number;
      readonly which: number;
      readonly at: AddrSpec;
      readonly tid: number;
    }
  | {
      readonly k: 'walk';
      readonly reverse: boolean;
      readonly a: AddrSpec;
      readonly b: AddrSpec;
      readonly stop: number;
      readonly shape: number;
    }
  | {
      readonly k: 'gap';
      readonly reverse: boolean;
      readonly a: AddrSpec;
      readonly b: AddrSpec;
      readonly size: LenSpec;
      readonly shape: number;
    }
  | {
      readonly k: 'unmapped';
      readonly topDown: boolean;
      readonly pages: number;
      readonly low: number;
      readonly high: number;
      readonly a: AddrSpec;
      readonly b: AddrSpec;
      readonly mask: number;
      readonly offset: number;
      readonly startGap: number;
    }
  | { readonly k: 'begin' }
  | { readonly k: 'publish' };

const ALIGN_MASKS = [0, 0xffff, 0x1fffff] as const;
const ALIGN_OFFSETS = [0, 0x1000, 0x5000, 0x100000] as const;
const START_GAPS = [0, 0x1000] as const;
const GUARDS = [0, 0, 0, 0, 0, 0, PAGE_SIZE, 4 * PAGE_SIZE, DEFAULT_STACK_GUARD_GAP] as const;

const frac = fc.integer({ min: 0, max: 1023 });
const pick = fc.nat({ max: 0xffff });

/** Page offsets: mostly a few pages from the base (collisions, adjacency), sometimes far. */
const pageOffset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 24 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 160 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 << 16 }) },
);

function addrArb(p: Profile, bytes: boolean): fc.Arbitrary<AddrSpec> {
  return fc.record({
    region: fc.constantFrom(...p.regions),
    page: pageOffset,
    byte: bytes
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: PAGE_SIZE - 1 }) },
        )
      : fc.constant(0),
  });
}

function lenArb(bytes: boolean): fc.Arbitrary<LenSpec> {
  return fc.record({
    pages: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }) },
    ),
    bytes: bytes
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: PAGE_SIZE - 1 }) },
        )
      : fc.constant(0),
  });
}

/**
 * The operation generator of a profile. `grow` favours inserts next to existing ranges (adjacent or
 * one page apart), so that trees reach hundreds of ranges and nodes split at several levels.
 */
export function opArb(p: Profile, grow = false): fc.Arbitrary<Op> {
  const w = (mixed: number, growing: number) => (grow ? growing : mixed);
  const uAddr = addrArb(p, p.bytes);
  const qAddr = addrArb(p, true);
  const uLen = lenArb(p.bytes);
  const mis = p.misaligned
    ? fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
    : fc.constant(false);
  const guard = fc.constantFrom(...GUARDS);
  const variants: Array<{ weight: number; arbitrary: fc.Arbitrary<Op> }> = [
    {
      weight: w(14, 6),
      arbitrary: fc.record({ k: fc.constant('insert' as const), at: uAddr, len: uLen, guard, mis }),
    },
    {
      weight: w(6, 40),
      arbitrary: fc.record({
        k: fc.constant('grow' as const),
        pick,
        below: fc.boolean(),
        gap: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 2, arbitrary: fc.constant(1) },
          { weight: 1, arbitrary: fc.integer({ min: 2, max: 64 }) },
        ),
        len: uLen,
        guard,
      }),
    },
    {
      weight: w(6, 3),
      arbitrary: fc.record({
        k: fc.constant('store' as const),
        at: uAddr,
        len: uLen,
        nul: fc.boolean(),
        guard,
        mis,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({ k: fc.constant('split' as const), pick, fa: frac, fb: frac, nul: fc.boolean() }),
    },
    {
      weight: w(3, 1),
      arbitrary: fc.record({
        k: fc.constant('span' as const),
        pick,
        count: fc.integer({ min: 1, max: 12 }),
        fa: frac,
        fb: frac,
        nul: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('replace' as const), pick }) },
    {
      weight: w(5, 1),
      arbitrary: fc.record({
        k: fc.constant('remove' as const),
        pick,
        how: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'entry', 'bounds', 'gap'),
        at: uAddr,
      }),
    },
    {
      weight: w(4, 1),
      arbitrary: fc.record({
        k: fc.constant('erase' as const),
        pick,
        inside: fc.boolean(),
        fa: frac,
        at: qAddr,
      }),
    },
    {
      weight: w(14, 6),
      arbitrary: fc.record({
        k: fc.constant('point' as const),
        pick,
        which: fc.integer({ min: 0, max: 5 }),
        at: qAddr,
        tid: fc.integer({ min: -1, max: 3 }),
      }),
    },
    {
      weight: w(5, 2),
      arbitrary: fc.record({
        k: fc.constant('walk' as const),
        reverse: fc.boolean(),
        a: qAddr,
        b: qAddr,
        stop: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) },
        ),
        shape: fc.integer({ min: 0, max: 19 }),
      }),
    },
    {
      weight: w(6, 3),
      arbitrary: fc.record({
        k: fc.constant('gap' as const),
        reverse: fc.boolean(),
        a: qAddr,
        b: qAddr,
        size: lenArb(true),
        shape: fc.integer({ min: 0, max: 19 }),
      }),
    },
    {
      weight: w(5, 2),
      arbitrary: fc.record({
        k: fc.constant('unmapped' as const),
        topDown: fc.boolean(),
        pages: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 1024 }) },
        ),
        low: fc.integer({ min: 0, max: 2 }),
        high: fc.integer({ min: 0, max: 1 }),
        a: qAddr,
        b: qAddr,
        mask: fc.integer({ min: 0, max: ALIGN_MASKS.length - 1 }),
        offset: fc.integer({ min: 0, max: ALIGN_OFFSETS.length - 1 }),
        startGap: fc.integer({ min: 0, max: START_GAPS.length - 1 }),
      }),
    },
  ];
  if (p.brackets) {
    variants.push({ weight: 3, arbitrary: fc.constant({ k: 'begin' as const }) });
    variants.push({ weight: 3, arbitrary: fc.constant({ k: 'publish' as const }) });
  }
  return fc.oneof(...variants);
}

/** Resolves an AddrSpec for a profile. Query addresses keep their byte offset in every profile. */
export function addrOf(p: Profile, a: AddrSpec, keepBytes: boolean): number {
  const region = REGIONS[a.region % REGIONS.length]!;
  return region.base + a.page * PAGE_SIZE + (keepBytes || p.bytes ? a.byte : 0);
}

function lenOf(p: Profile, l: LenSpec, keepBytes: boolean): number {
  return l.pages * PAGE_SIZE + (keepBytes || p.bytes ? l.bytes : 0);
}

/** A range's extent in allocation units (pages, or bytes when it is not page aligned). */
function unitOf(p: Profile, start: number, end: number): number {
  return p.bytes && (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0) ? 1 : PAGE_SIZE;
}

/** A sub-window [s, e) of [start, end) placed by two fractions. */
function subWindow(p: Profile, start: number, end: number, fa: number, fb: number): [number, number] {
  const unit = unitOf(p, start, end);
  const units = Math.max(1, Math.floor((end - start) / unit));
  const off = Math.min(units - 1, Math.floor((fa / 1024) * units));
  const len = 1 + Math.floor((fb / 1024) * (units - off));
  const s = start + off * unit;
  return [s, Math.min(end, s + Math.min(len, units - off) * unit)];
}

function guardEntry(guard: number): TestEntry {
  return makeTestEntry(guard);
}

/** Runs one operation on the mirror (updates are checked by the mirror itself). */
export function runOp(m: Mirror, p: Profile, op: Op): void {
  const n = m.size;
  switch (op.k) {
    case 'insert':
    case 'store': {
      let start = addrOf(p, op.at, false);
      let len = lenOf(p, op.len, false);
      if (op.mis) {
        // A deliberately misaligned update: checked mode must reject it.
        const skew = 1 + ((op.len.pages * 37 + op.at.page) % (PAGE_SIZE - 1));
        if (op.len.pages % 2 === 0) start += skew;
        else len += skew;
      }
      const entry = op.k === 'store' && op.nul ? null : guardEntry(op.guard);
      if (op.k === 'insert') m.insert(start, start + len, entry!);
      else m.store(start, start + len, entry);
      return;
    }
    case 'split': {
      if (n === 0) return;
      const r = m.rangeAt(op.pick % n);
      const [s, e] = subWindow(p, r.start, r.end, op.fa, op.fb);
      m.store(s, e, op.nul ? null : makeTestEntry());
      return;
    }
    case 'span': {
      if (n === 0) return;
      const i = op.pick % n;
      const ri = m.rangeAt(i);
      const rj = m.rangeAt(Math.min(n - 1, i + op.count));
      const s = subWindow(p, ri.start, ri.end, op.fa, 0)[0];
      let e = subWindow(p, rj.start, rj.end, op.fb, 1023)[1];
      if (e <= s) e = s + unitOf(p, ri.start, ri.end);
      m.store(s, e, op.nul ? null : makeTestEntry());
      return;
    }
    case 'grow': {
      if (n === 0) {
        const s = addrOf(p, { region: p.regions[op.pick % p.regions.length]!, page: op.gap, byte: 0 }, false);
        m.insert(s, s + lenOf(p, op.len, false), guardEntry(op.guard));
        return;
      }
      // Near an existing range, in the first free slot on that side, so that most of these succeed
      // and clusters of adjacent ranges (and one-page holes) build up.
      const r = m.rangeAt(op.pick % n);
      const len = lenOf(p, op.len, false);
      const gap = op.gap * unitOf(p, r.start, r.end);
      const s = op.below ? m.freeSlotBelow(r.start - gap, len) : m.freeSlotAbove(r.end + gap, len);
      if (s < 0) return;
      m.insert(s, s + len, guardEntry(op.guard));
      return;
    }
    case 'replace': {
      if (n === 0) return;
      const r = m.rangeAt(op.pick % n);
      m.store(r.start, r.end, makeTestEntry(r.entry.guardBelow ?? 0));
      return;
    }
    case 'remove': {
      const how = n === 0 ? 'gap' : op.how;
      if (how === 'gap') {
        const s = addrOf(p, op.at, false);
        m.remove(s, s + PAGE_SIZE, makeTestEntry());
        return;
      }
      const r = m.rangeAt(op.pick % n);
      if (how === 'ok') m.remove(r.start, r.end, r.entry);
      else if (how === 'entry') m.remove(r.start, r.end, makeTestEntry());
      else m.remove(r.start, r.end + unitOf(p, r.start, r.end), r.entry);
      return;
    }
    case 'erase': {
      if (op.inside && n > 0) {
        const r = m.rangeAt(op.pick % n);
        m.eraseAt(r.start + Math.floor((op.fa / 1024) * (r.end - r.start)));
      } else m.eraseAt(addrOf(p, op.at, true));
      return;
    }
    case 'point': {
      let addr = addrOf(p, op.at, true);
      if (n > 0 && op.which > 0) {
        const r = m.rangeAt(op.pick % n);
        addr = [r.start - 1, r.start, r.end - 1, r.end, r.start + Math.floor((r.end - r.start) / 2)][
          op.which - 1
        ]!;
      }
      m.point(Math.max(0, addr), op.tid >= 0 ? op.tid : undefined);
      return;
    }
    case 'walk': {
      let from = addrOf(p, op.a, true);
      let to = addrOf(p, op.b, true);
      if (from > to) [from, to] = [to, from];
      if (op.shape === 0)
        to = from; // empty window
      else if (op.shape === 1)
        [from, to] = [to, from]; // inverted window: nothing intersects it
      else if (op.shape === 2) [from, to] = [0, Number.MAX_SAFE_INTEGER];
      else if (op.shape === 3 && to > from) to = from + 1;
      m.walk(op.reverse, from, to, op.stop);
      return;
    }
    case 'gap': {
      let min = addrOf(p, op.a, true);
      let max = addrOf(p, op.b, true);
      if (min > max) [min, max] = [max, min];
      let size = lenOf(p, op.size, true);
      if (op.shape === 0)
        [min, max] = [max, min]; // min > max: -EINVAL (or equal bounds)
      else if (op.shape === 1)
        size = 0; // -EINVAL
      else if (op.shape === 2)
        max = Number.MAX_SAFE_INTEGER; // the top of the index space
      else if (op.shape === 3)
        size = max - min + 1; // exactly the window
      else if (op.shape === 4)
        size = max - min + 2; // one more than the window: -EINVAL
      else if (op.shape === 5) [min, max] = [0, TASK_SIZE - 1];
      else if (op.shape === 6) size = op.size.bytes + 1; // byte-sized request
      m.gap(op.reverse, min, max, size);
      return;
    }
    case 'unmapped': {
      const lowLimit = op.low === 0 ? 0 : op.low === 1 ? DEFAULT_MMAP_MIN_ADDR : addrOf(p, op.a, false);
      const highLimit = op.high === 0 ? TASK_SIZE : addrOf(p, op.b, false);
      m.unmapped({
        length: op.pages * PAGE_SIZE,
        lowLimit,
        highLimit,
        alignMask: ALIGN_MASKS[op.mask]!,
        alignOffset: ALIGN_OFFSETS[op.offset]!,
        startGap: START_GAPS[op.startGap]!,
        topDown: op.topDown,
      });
      return;
    }
    case 'begin':
      if (m.depth < 3) m.beginUpdate();
      return;
    case 'publish':
      if (m.depth > 0) m.publish();
      return;
  }
}
