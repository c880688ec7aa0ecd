/**
 * Property tests: random system-call sequences run against MmStruct (over the reference index) and
 * against the page-granular oracle of support/page-oracle.ts; after every call the results (address
 * or errno) must agree, the mapped pages must carry the same flags, file and offset, and MmStruct's
 * structural invariants must hold.
 *
 * Merge rule checked: after a successful call, at every page boundary b whose neighbouring pages were
 * changed by the call, if the VMAs ending and starting at b are both present and distinct, they must
 * not satisfy the kernel's pairwise merge condition with equal anon_vmas (support/check.ts
 * wouldMerge). Every kernel merge step (vma_merge_new_range for mmap / brk / mremap, the
 * existing-range merge of mprotect / madvise / mlock) joins such a pair when it touches the
 * boundary. Calls whose VMA flag changes are made without a merge step are exempt: MREMAP_DONTUNMAP
 * (the old VMA loses VM_LOCKED by vm_flags_clear(), and an unfaulted copy may not merge with its
 * source) and brk growth that creates a new heap VMA below which another VMA ends.
 *
 * Run A never creates anon_vmas and compares everything, VM_ACCOUNT and anonymous pgoff included.
 * Run B also "touches" private VMAs (anon_vma_prepare, as a first write fault would), which changes
 * merges; VM_ACCOUNT and anonymous pgoff then depend on anon_vma and are left out of the page
 * comparison.
 */

import { ReferenceIndex } from '@vmakit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MmFile, MmStruct, PAGE_SIZE, uapi, type Vma, vmFlags } from '../src/index.js';
import { checkInvariants, comparePages, type PageMask, wouldMerge } from './support/check.js';
import { type PageAttr, PageOracle } from './support/page-oracle.js';

const P = PAGE_SIZE;
const BASE = 0x7ffff7fff000;
const WINDOW_LO = BASE / P - 96;
const WINDOW_PAGES = 64;
const START_BRK = 0x555555559000;

const FILES: readonly MmFile[] = [
  { id: 1_000_000_001, path: '/opt/app/rw.dat' },
  { id: 1_000_000_002, path: '/opt/app/ro.dat', writable: false },
  { id: 1_000_000_003, path: '/opt/app/wo.dat', readable: false },
];

type Op =
  | { k: 'mmap'; a: AddrSpec; len: number; prot: number; flags: number; file: number; pgoff: number }
  | { k: 'munmap'; a: AddrSpec; len: number }
  | { k: 'mprotect'; a: AddrSpec; len: number; prot: number }
  | { k: 'mremap'; a: AddrSpec; oldLen: number; newLen: number; flags: number; to: AddrSpec }
  | { k: 'brk'; off: number }
  | { k: 'madvise'; a: AddrSpec; len: number; advice: number }
  | { k: 'mlock'; a: AddrSpec; len: number; flags: number }
  | { k: 'munlock'; a: AddrSpec; len: number }
  | { k: 'mlockall'; flags: number }
  | { k: 'munlockall' }
  | { k: 'touch'; a: AddrSpec };

/** An address: a page of the window, a mapped page (chosen at run time), or an odd value. */
type AddrSpec = { t: 'win'; page: number; off: number } | { t: 'mapped'; sel: number } | { t: 'zero' };

const addrArb: fc.Arbitrary<AddrSpec> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ t: fc.constant('mapped' as const), sel: fc.nat(1000) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('win' as const),
      page: fc.integer({ min: 0, max: WINDOW_PAGES - 1 }),
      off: fc.oneof(
        { weight: 9, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: P - 1 }) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'zero' as const }) },
);

/** Short lengths for calls on existing mappings, so that ranges often stay inside one. */
const shortLenArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => n * P) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 10 }).map((n) => n * P) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 * P }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const lenArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 8 }).map((n) => n * P) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 12 * P }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const protArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 7 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(uapi.PROT_READ | uapi.PROT_SEM, 0x10, uapi.PROT_GROWSDOWN | uapi.PROT_READ),
  },
);
/** mmap flags and file: mostly valid combinations, sometimes the kernel's error cases. */
const mmapKindArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ type: uapi.MAP_PRIVATE, anon: true, file: 0 }) },
  { weight: 2, arbitrary: fc.constant({ type: uapi.MAP_SHARED, anon: true, file: 0 }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant(uapi.MAP_PRIVATE),
      anon: fc.constant(false),
      file: fc.constantFrom(1, 2),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constantFrom(uapi.MAP_SHARED, uapi.MAP_SHARED_VALIDATE),
      anon: fc.constant(false),
      file: fc.constantFrom(1, 1, 2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant({ type: uapi.MAP_PRIVATE, anon: false, file: 0 }),
      fc.constant({ type: uapi.MAP_PRIVATE, anon: false, file: 3 }),
      fc.constant({ type: 0, anon: true, file: 0 }),
      fc.constant({ type: uapi.MAP_SHARED_VALIDATE, anon: true, file: 0 }),
    ),
  },
);
const mmapFixedArb = fc.constantFrom(0, 0, uapi.MAP_FIXED, uapi.MAP_FIXED, uapi.MAP_FIXED_NOREPLACE);
const mmapExtraArb = fc.constantFrom(
  0,
  0,
  0,
  0,
  0,
  uapi.MAP_NORESERVE,
  uapi.MAP_POPULATE,
  uapi.MAP_LOCKED,
  uapi.MAP_STACK,
  uapi.MAP_FIXED_NOREPLACE | uapi.MAP_SHARED_VALIDATE,
);
const adviceArb = fc.constantFrom(
  uapi.MADV_NORMAL,
  uapi.MADV_RANDOM,
  uapi.MADV_SEQUENTIAL,
  uapi.MADV_WILLNEED,
  uapi.MADV_DONTNEED,
  uapi.MADV_FREE,
  uapi.MADV_REMOVE,
  uapi.MADV_DONTFORK,
  uapi.MADV_DOFORK,
  uapi.MADV_MERGEABLE,
  uapi.MADV_UNMERGEABLE,
  uapi.MADV_HUGEPAGE,
  uapi.MADV_NOHUGEPAGE,
  uapi.MADV_DONTDUMP,
  uapi.MADV_DODUMP,
  uapi.MADV_WIPEONFORK,
  uapi.MADV_KEEPONFORK,
  uapi.MADV_COLD,
  uapi.MADV_POPULATE_READ,
  uapi.MADV_POPULATE_WRITE,
  uapi.MADV_DONTNEED_LOCKED,
  uapi.MADV_HWPOISON,
  7,
);
const mremapFlagsArb = fc.constantFrom(
  0,
  uapi.MREMAP_MAYMOVE,
  uapi.MREMAP_MAYMOVE,
  uapi.MREMAP_MAYMOVE,
  uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED,
  uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED,
  uapi.MREMAP_MAYMOVE | uapi.MREMAP_DONTUNMAP,
  uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED | uapi.MREMAP_DONTUNMAP,
  uapi.MREMAP_FIXED,
  8,
);

function opArb(withTouch: boolean): fc.Arbitrary<Op> {
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<Op> }> = [
    {
      weight: 8,
      arbitrary: fc
        .record({
          a: addrArb,
          len: lenArb,
          prot: fc.oneof(fc.constantFrom(3, 3, 1, 5, 0), fc.integer({ min: 0, max: 7 })),
          kind: mmapKindArb,
          fixed: mmapFixedArb,
          extra: mmapExtraArb,
          pgoff: fc.integer({ min: 0, max: 40 }),
        })
        .map(
          (r): Op => ({
            k: 'mmap',
            a: r.a,
            len: r.len,
            prot: r.prot,
            flags: r.kind.type | (r.kind.anon ? uapi.MAP_ANONYMOUS : 0) | r.fixed | r.extra,
            file: r.kind.file,
            pgoff: r.pgoff,
          }),
        ),
    },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('munmap' as const), a: addrArb, len: shortLenArb }) },
    {
      weight: 6,
      arbitrary: fc.record({
        k: fc.constant('mprotect' as const),
        a: addrArb,
        len: shortLenArb,
        prot: protArb,
      }),
    },
    {
      weight: 4,
      arbitrary: fc
        .record({
          k: fc.constant('mremap' as const),
          a: addrArb,
          oldLen: fc.oneof({ weight: 9, arbitrary: shortLenArb }, { weight: 1, arbitrary: fc.constant(0) }),
          newLen: lenArb,
          flags: mremapFlagsArb,
          to: addrArb,
        })
        .map((o) =>
          (o.flags & uapi.MREMAP_DONTUNMAP) !== 0 && o.oldLen !== 0 ? { ...o, newLen: o.oldLen } : o,
        ),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constant('brk' as const), off: fc.integer({ min: -P, max: 40 * P }) }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        k: fc.constant('madvise' as const),
        a: addrArb,
        len: shortLenArb,
        advice: adviceArb,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('mlock' as const),
        a: addrArb,
        len: shortLenArb,
        flags: fc.constantFrom(0, 0, uapi.MLOCK_ONFAULT, 2),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('munlock' as const), a: addrArb, len: shortLenArb }) },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('mlockall' as const),
        flags: fc.constantFrom(
          uapi.MCL_CURRENT,
          uapi.MCL_FUTURE,
          uapi.MCL_CURRENT | uapi.MCL_ONFAULT,
          uapi.MCL_ONFAULT,
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ k: 'munlockall' as const }) },
  ];
  if (withTouch)
    arbs.push({ weight: 4, arbitrary: fc.record({ k: fc.constant('touch' as const), a: addrArb }) });
  return fc.oneof(...arbs);
}

function resolve(a: AddrSpec, mm: MmStruct): number {
  if (a.t === 'zero') return 0;
  if (a.t === 'win') return (WINDOW_LO + a.page) * P + a.off;
  const vmas = mm.vmas().filter((v) => v.start >= WINDOW_LO * P - 64 * P);
  if (vmas.length === 0) return WINDOW_LO * P + (a.sel % WINDOW_PAGES) * P;
  const v = vmas[a.sel % vmas.length]!;
  return v.start + ((a.sel >> 4) % v.pages) * P;
}

/** Page boundaries next to pages whose attributes changed. */
function changedBoundaries(before: Map<number, PageAttr>, after: ReadonlyMap<number, PageAttr>): Set<number> {
  const changed = new Set<number>();
  const same = (x: PageAttr | undefined, y: PageAttr | undefined): boolean =>
    x === y ||
    (x !== undefined && y !== undefined && x.flags === y.flags && x.obj === y.obj && x.pgoff === y.pgoff);
  for (const p of new Set([...before.keys(), ...after.keys()])) {
    if (!same(before.get(p), after.get(p))) {
      changed.add(p * P);
      changed.add((p + 1) * P);
    }
  }
  return changed;
}

function runSequence(ops: Op[], withTouch: boolean, rlimitMemlock = 8 * 1024 * 1024): void {
  const config = { startBrk: START_BRK, rlimitMemlock };
  const mm = new MmStruct(new ReferenceIndex<Vma>({ checked: true }), config);
  const oracle = new PageOracle({
    taskSize: mm.taskSize,
    mmapBase: mm.mmapBase,
    legacyBase: mm.mmapLegacyBase,
    mmapMinAddr: mm.mmapMinAddr,
    startBrk: START_BRK,
    rlimitMemlock: mm.rlimitMemlock,
  });
  expect(mm.mmapBase).toBe(BASE);
  const mask: PageMask = { account: withTouch, anonPgoff: withTouch };
  const shmem = new Map<string, string>();
  ops.forEach((op, step) => {
    const before = new Map(oracle.pages);
    let got: number;
    let want: number;
    let mergeChecked = true;
    const ctx = `step ${step}: ${JSON.stringify(op)}`;
    switch (op.k) {
      case 'mmap': {
        const addr = resolve(op.a, mm);
        const file = op.file === 0 ? null : FILES[op.file - 1]!;
        want = oracle.mmap(addr, op.len, op.prot, op.flags, file, op.pgoff);
        got = mm.mmap(addr, op.len, op.prot, op.flags, file, op.pgoff);
        break;
      }
      case 'munmap': {
        const addr = resolve(op.a, mm);
        want = oracle.munmap(addr, op.len);
        got = mm.munmap(addr, op.len);
        break;
      }
      case 'mprotect': {
        const addr = resolve(op.a, mm);
        want = oracle.mprotect(addr, op.len, op.prot);
        got = mm.mprotect(addr, op.len, op.prot);
        break;
      }
      case 'mremap': {
        const addr = resolve(op.a, mm);
        const to = resolve(op.to, mm);
        const vmaEnd = (x: number): number | null => mm.vmaLookup(x)?.end ?? null;
        want = oracle.mremap(addr, op.oldLen, op.newLen, op.flags, to, vmaEnd);
        got = mm.mremap(addr, op.oldLen, op.newLen, op.flags, to);
        if ((op.flags & uapi.MREMAP_DONTUNMAP) !== 0) mergeChecked = false;
        break;
      }
      case 'brk': {
        const target = Math.max(0, mm.brkValue + op.off);
        const hadHeapBelow = mm.index.prevOf(oracle.brk + ((P - (oracle.brk % P)) % P));
        want = oracle.brkCall(target);
        got = mm.brk(target);
        if (hadHeapBelow === null || hadHeapBelow.end <= START_BRK) mergeChecked = false;
        break;
      }
      case 'madvise': {
        const addr = resolve(op.a, mm);
        want = oracle.madvise(addr, op.len, op.advice);
        got = mm.madvise(addr, op.len, op.advice);
        break;
      }
      case 'mlock': {
        const addr = resolve(op.a, mm);
        want = oracle.mlock(addr, op.len, op.flags);
        got = mm.mlock(addr, op.len, op.flags);
        break;
      }
      case 'munlock': {
        const addr = resolve(op.a, mm);
        want = oracle.munlock(addr, op.len);
        got = mm.munlock(addr, op.len);
        break;
      }
      case 'mlockall':
        want = oracle.mlockall(op.flags);
        got = mm.mlockall(op.flags);
        break;
      case 'munlockall':
        want = oracle.munlockall();
        got = mm.munlockall();
        break;
      case 'touch': {
        const v = mm.vmaLookup(resolve(op.a, mm));
        if (v !== null && (v.flags & vmFlags.VM_SHARED) === 0) mm.anonVmaPrepare(v);
        want = 0;
        got = 0;
        break;
      }
    }
    if (got !== want) expect({ ctx, result: got }).toEqual({ ctx, result: want });
    checkInvariants(mm);
    comparePages(mm, oracle.pages, mask, shmem);
    if (got >= 0 && mergeChecked) {
      for (const b of changedBoundaries(before, oracle.pages)) {
        const l = mm.vmaLookup(b - P);
        const r = mm.vmaLookup(b);
        if (l !== null && r !== null && l !== r && wouldMerge(l, r)) {
          expect({ ctx, boundary: b.toString(16), unmerged: wouldMerge(l, r) }).toEqual({
            ctx,
            boundary: b.toString(16),
            unmerged: false,
          });
        }
      }
    }
  });
}

describe('MmStruct against the page-granular oracle', () => {
  it('run A: random system calls, no anon_vma (all attributes compared)', () => {
    fc.assert(
      fc.property(fc.array(opArb(false), { minLength: 20, maxLength: 80 }), (ops) => runSequence(ops, false)),
      { seed: 20241203, numRuns: 150 },
    );
  }, 60_000);

  it('run B: random system calls with first-touch anon_vma assignment', () => {
    fc.assert(
      fc.property(fc.array(opArb(true), { minLength: 20, maxLength: 80 }), (ops) => runSequence(ops, true)),
      { seed: 777, numRuns: 150 },
    );
  }, 60_000);

  it('run C: as run A with RLIMIT_MEMLOCK of 12 pages (mlock, MAP_LOCKED and MCL_FUTURE limits)', () => {
    fc.assert(
      fc.property(fc.array(opArb(false), { minLength: 20, maxLength: 80 }), (ops) =>
        runSequence(ops, false, 12 * P),
      ),
      { seed: 31337, numRuns: 100 },
    );
  }, 60_000);
});
