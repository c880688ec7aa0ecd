/**
 * Invariant checks and page views of an MmStruct for the tests.
 */
import { expect } from 'vitest';
import {
  type MmStruct,
  PAGE_SIZE,
  VM_ACCOUNT,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  vmFlags,
} from '../../src/index.js';
import type { PageAttr } from './page-oracle.js';

const VM_SPECIAL = (vmFlags.VM_IO | VM_DONTEXPAND | vmFlags.VM_PFNMAP | vmFlags.VM_MIXEDMAP) >>> 0;

/** All VMAs with the ranges the index stores for them. */
export function indexRanges(mm: MmStruct): Array<{ start: number; end: number; vma: Vma }> {
  const out: Array<{ start: number; end: number; vma: Vma }> = [];
  mm.index.forEach(0, Number.MAX_SAFE_INTEGER, (start, end, vma) => {
    out.push({ start, end, vma });
    return undefined;
  });
  return out;
}

/**
 * Structural invariants after a completed system call: lock released with even sequence count, the
 * index valid, its ranges equal to the VMAs' fields, map_count equal to the number of ranges, no
 * detached VMA left in the tree, no VMA still write-marked, and the page counters equal to what the
 * VMAs add up to.
 */
export function checkInvariants(mm: MmStruct): void {
  const problems: string[] = [];
  const want = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  want(!mm.writeLocked, 'mmap write lock still held');
  want(mm.mmapSeq % 2 === 0, `mmapSeq ${mm.mmapSeq} is odd`);
  mm.index.validate();
  const ranges = indexRanges(mm);
  want(mm.mapCount === mm.index.size, `mapCount ${mm.mapCount} != index.size ${mm.index.size}`);
  want(ranges.length === mm.index.size, `forEach saw ${ranges.length} ranges, size ${mm.index.size}`);
  let total = 0;
  let locked = 0;
  let data = 0;
  let exec = 0;
  let stack = 0;
  for (const { start, end, vma } of ranges) {
    const at = `[0x${start.toString(16)}, 0x${end.toString(16)})`;
    want(
      vma.start === start && vma.end === end,
      `${at} holds a VMA with [0x${vma.start.toString(16)}, 0x${vma.end.toString(16)})`,
    );
    want(start % PAGE_SIZE === 0 && end % PAGE_SIZE === 0, `${at} is not page aligned`);
    want(!vma.detached, `${at} is marked detached`);
    want(vma.lockSeq !== mm.mmLockSeq, `${at} is still write-locked`);
    want(vma.mm === mm, `${at} belongs to another mm`);
    const pages = (end - start) / PAGE_SIZE;
    total += pages;
    if ((vma.flags & VM_LOCKED) !== 0) locked += pages;
    if ((vma.flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) === VM_EXEC) exec += pages;
    else if ((vma.flags & VM_GROWSDOWN) !== 0) stack += pages;
    else if ((vma.flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE) data += pages;
  }
  want(mm.totalVm === total, `total_vm ${mm.totalVm}, VMAs add up to ${total}`);
  want(mm.lockedVm === locked, `locked_vm ${mm.lockedVm}, VM_LOCKED VMAs add up to ${locked}`);
  want(mm.dataVm === data, `data_vm ${mm.dataVm}, data VMAs add up to ${data}`);
  want(mm.execVm === exec, `exec_vm ${mm.execVm}, exec VMAs add up to ${exec}`);
  want(mm.stackVm === stack, `stack_vm ${mm.stackVm}, stack VMAs add up to ${stack}`);
  expect(problems).toEqual([]);
}

/** What to leave out of page comparisons. */
export interface PageMask {
  /** Ignore VM_ACCOUNT (it depends on whether an anonymous VMA has an anon_vma). */
  readonly account: boolean;
  /** Ignore the pgoff of anonymous pages (it depends on anon_vma for mremap moves). */
  readonly anonPgoff: boolean;
}

/** The SUT's pages as the oracle describes them; shmem objects named by the SUT file id. */
export function sutPages(mm: MmStruct, mask: PageMask): Map<number, PageAttr> {
  const out = new Map<number, PageAttr>();
  for (const v of mm.vmas()) {
    const obj = v.file === null ? null : v.file.shmem === true ? `shm${v.file.id}` : `f${v.file.id}`;
    let flags = (v.flags & ~vmFlags.VM_SOFTDIRTY) >>> 0;
    if (mask.account) flags = (flags & ~VM_ACCOUNT) >>> 0;
    for (let i = 0; i < v.pages; i++) {
      const pgoff = obj === null && mask.anonPgoff ? -1 : v.pgoff + i;
      out.set(v.start / PAGE_SIZE + i, { flags, obj, pgoff });
    }
  }
  return out;
}

/**
 * Compare the SUT's pages with the oracle's. Shared anonymous objects are matched by a bijection
 * built along the run (`shmem`: oracle name → SUT name).
 */
export function comparePages(
  mm: MmStruct,
  oraclePages: ReadonlyMap<number, PageAttr>,
  mask: PageMask,
  shmem: Map<string, string>,
): void {
  const sut = sutPages(mm, mask);
  const hex = (p: number): string => `0x${(p * PAGE_SIZE).toString(16)}`;
  const problems: string[] = [];
  for (const p of sut.keys())
    if (!oraclePages.has(p)) problems.push(`${hex(p)} mapped, oracle has it unmapped`);
  const used = new Set(shmem.values());
  for (const [page, o] of oraclePages) {
    const s = sut.get(page);
    if (s === undefined) {
      problems.push(`${hex(page)} unmapped, oracle has it mapped`);
      continue;
    }
    const oFlags = mask.account ? (o.flags & ~VM_ACCOUNT) >>> 0 : o.flags;
    if (s.flags !== oFlags) {
      problems.push(
        `${hex(page)} flags ${vmFlags.describeVmFlags(s.flags)}, oracle ${vmFlags.describeVmFlags(oFlags)}`,
      );
    }
    let oObj = o.obj;
    if (oObj?.startsWith('s')) {
      if (!shmem.has(oObj) && s.obj !== null && !used.has(s.obj)) {
        shmem.set(oObj, s.obj);
        used.add(s.obj);
      }
      oObj = shmem.get(oObj) ?? oObj;
    }
    if (s.obj !== oObj) problems.push(`${hex(page)} object ${s.obj}, oracle ${oObj}`);
    const oPgoff = o.obj === null && mask.anonPgoff ? -1 : o.pgoff;
    if (s.pgoff !== oPgoff) problems.push(`${hex(page)} pgoff ${s.pgoff}, oracle ${oPgoff}`);
    if (problems.length > 8) break;
  }
  expect(problems).toEqual([]);
}

/**
 * Whether the kernel's merge step would have joined the adjacent VMAs `l` and `r` (l.end === r.start)
 * had it considered their boundary, written independently of src/mm/merge.ts: same flags except
 * VM_SOFTDIRTY, same file, same anon name and policy, contiguous pgoff, neither special, and — for
 * this test's purposes — the same anon_vma (null or equal), where every merge path agrees.
 */
export function wouldMerge(l: Vma, r: Vma): boolean {
  if (l.end !== r.start) return false;
  if (((l.flags ^ r.flags) & ~vmFlags.VM_SOFTDIRTY) !== 0 || l.flagsHigh !== r.flagsHigh) return false;
  if ((l.flags & VM_SPECIAL) !== 0) return false;
  if ((l.file?.id ?? null) !== (r.file?.id ?? null)) return false;
  const an = (v: Vma): string | null => (v.name?.startsWith('[anon') ? v.name : null);
  if (an(l) !== an(r) || l.policy !== r.policy) return false;
  if (r.pgoff !== l.pgoff + l.pages) return false;
  if (l.kind === 'special' || r.kind === 'special') return false;
  return (l.anonVma?.id ?? null) === (r.anonVma?.id ?? null);
}
