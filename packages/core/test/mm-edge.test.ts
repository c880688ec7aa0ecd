/**
 * Edge cases of the memory system calls, each checked against what Linux v6.12 does (the kernel
 * function deciding it is named in the test).
 */

import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MMAP_MIN_ADDR,
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  EPERM,
  type MmConfig,
  type MmFile,
  type MmObserver,
  MmStruct,
  PAGE_SIZE,
  pageUp,
  TASK_SIZE,
  uapi,
  VM_ACCOUNT,
  VM_DONTCOPY,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WIPEONFORK,
  VM_WRITE,
  type Vma,
  VmakitError,
  vmFlags,
} from '../src/index.js';
import { checkInvariants } from './support/check.js';

const P = PAGE_SIZE;
const MB = 1024 * 1024;
const BASE = 0x7ffff7fff000;
const START_BRK = 0x555555559000;
const { PROT_NONE, PROT_READ: R, PROT_WRITE: W, PROT_EXEC: X } = uapi;
const RW = R | W;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;
const FIXED = uapi.MAP_FIXED;

function mk(config: MmConfig = {}): MmStruct {
  return new MmStruct(new ReferenceIndex<Vma>({ checked: true }), { startBrk: START_BRK, ...config });
}

/** The address space as `start-end flags` lines (hex, flags without VM_SOFTDIRTY). */
function maps(mm: MmStruct): string[] {
  return mm
    .vmas()
    .map(
      (v) =>
        `${v.start.toString(16)}-${v.end.toString(16)} ${vmFlags.describeVmFlags(v.flags & ~vmFlags.VM_SOFTDIRTY, v.flagsHigh)}`,
    );
}

function ranges(mm: MmStruct): string[] {
  return mm.vmas().map((v) => `${v.start.toString(16)}-${v.end.toString(16)}`);
}

/** Records observer calls as strings. */
function record(mm: MmStruct): string[] {
  const log: string[] = [];
  const obs: MmObserver = {
    zapRange: (s, e, why) => log.push(`zap ${s.toString(16)}-${e.toString(16)} ${why}`),
    movePageTables: (o, n, l) => log.push(`move ${o.toString(16)}->${n.toString(16)} ${l.toString(16)}`),
    populate: (s, e, w) => log.push(`populate ${s.toString(16)}-${e.toString(16)} ${w ? 'w' : 'r'}`),
    changeProtection: (s, e) => log.push(`protect ${s.toString(16)}-${e.toString(16)}`),
    vmaDetached: (v) => log.push(`detached ${v.start.toString(16)}-${v.end.toString(16)}`),
  };
  mm.observe(obs);
  return log;
}

const MAY = vmFlags.VM_MAYREAD | VM_MAYWRITE | vmFlags.VM_MAYEXEC;
/** describeVmFlags() of private anonymous RW (accounted) or R memory plus `extra` bits. */
const rwf = (extra = 0): string => vmFlags.describeVmFlags(VM_READ | VM_WRITE | MAY | VM_ACCOUNT | extra);
const RWF = rwf();
const RF = vmFlags.describeVmFlags(VM_READ | MAY);

describe('layout and placement (arch/x86/mm/mmap.c, arch/x86/kernel/sys_x86_64.c)', () => {
  it('mmap_base is TASK_SIZE - 128 MiB without randomisation; legacy base is TASK_SIZE / 3', () => {
    const mm = mk();
    expect(mm.mmapBase).toBe(BASE);
    expect(mm.mmapLegacyBase).toBe(0x2aaaaaaab000);
    // A stack limit above 128 MiB - guard gap widens the gap: 256 MiB + 1 MiB.
    expect(mk({ rlimitStack: 256 * MB }).mmapBase).toBe(TASK_SIZE - 257 * MB);
    // RLIM_INFINITY clamps to 5/6 of TASK_SIZE (then PAGE_ALIGN).
    const gapMax = Math.floor(TASK_SIZE / 6) * 5;
    expect(mk({ rlimitStack: Number.POSITIVE_INFINITY }).mmapBase).toBe(pageUp(TASK_SIZE - gapMax));
  });

  it('top-down placement stacks mappings below mmap_base and merges compatible neighbours', () => {
    const mm = mk();
    expect(mm.mmap(0, 3 * P, RW, ANON)).toBe(BASE - 3 * P);
    expect(mm.mmap(0, 2 * P, RW, ANON)).toBe(BASE - 5 * P);
    expect(maps(mm)).toEqual([`7ffff7ffa000-7ffff7fff000 ${RWF}`]);
    expect(mm.mmap(0, P, R, ANON)).toBe(BASE - 6 * P);
    expect(maps(mm)).toEqual([`7ffff7ff9000-7ffff7ffa000 ${RF}`, `7ffff7ffa000-7ffff7fff000 ${RWF}`]);
    checkInvariants(mm);
  });

  it('a free hint is honoured, an occupied one is not, a low one is raised to mmap_min_addr', () => {
    const mm = mk();
    expect(mm.mmap(0x10000000, P, RW, ANON)).toBe(0x10000000);
    expect(mm.mmap(0x10000000, P, RW, ANON)).toBe(BASE - P);
    expect(mm.mmap(0x10001234, P, R, ANON)).toBe(0x10001000);
    expect(mm.mmap(0x1000, P, R, ANON)).toBe(DEFAULT_MMAP_MIN_ADDR);
    // A hint whose range would cross TASK_SIZE is ignored.
    expect(mm.mmap(TASK_SIZE - P, 2 * P, R, ANON)).toBe(BASE - 3 * P);
    checkInvariants(mm);
  });

  it('a hint must leave the stack guard gap below a VM_GROWSDOWN VMA', () => {
    const mm = mk();
    const stack = mm.mmap(0x20000000, 4 * P, RW, ANON | uapi.MAP_GROWSDOWN);
    expect(stack).toBe(0x20000000);
    expect(mm.vmaLookup(stack)!.flags & VM_GROWSDOWN).toBe(VM_GROWSDOWN);
    // Ending inside the 1 MiB guard gap: the hint is refused.
    expect(mm.mmap(0x20000000 - 2 * P, P, R, ANON)).toBe(BASE - P);
    expect(mm.mmap(0x20000000 - MB - P, P, R, ANON)).toBe(0x20000000 - MB - P);
  });

  it('2 MiB-multiple anonymous mappings are THP-aligned (thp_get_unmapped_area_vmflags)', () => {
    const mm = mk();
    expect(mm.mmap(0, 2 * MB, RW, ANON)).toBe(0x7ffff7c00000);
    expect(mm.mmap(0, 2 * MB + P, RW, ANON)).toBe(0x7ffff7c00000 - 2 * MB - P);
    const plain = mk({ thp: false });
    expect(plain.mmap(0, 2 * MB, RW, ANON)).toBe(BASE - 2 * MB);
  });

  it('falls back to bottom-up from TASK_SIZE/3 when nothing fits below mmap_base', () => {
    const mm = mk({ mmapBase: 0x20000000 });
    expect(mm.mmap(0, 0x20000000 + P, RW, ANON | uapi.MAP_NORESERVE)).toBe(mm.mmapLegacyBase);
    // A 2 MiB multiple takes the THP path: padded search, then aligned up to 2 MiB.
    expect(mm.mmap(0, 0x20000000, RW, ANON | uapi.MAP_NORESERVE)).toBe(0x2aaacac00000);
  });

  it('legacy layout allocates bottom-up from TASK_UNMAPPED_BASE', () => {
    const mm = mk({ legacyLayout: true });
    expect(mm.mmapBase).toBe(0x2aaaaaaab000);
    expect(mm.mmap(0, P, RW, ANON)).toBe(0x2aaaaaaab000);
    expect(mm.mmap(0, P, R, ANON)).toBe(0x2aaaaaaac000);
  });
});

describe('mmap argument checks (do_mmap, __get_unmapped_area)', () => {
  it('returns the kernel errors in the kernel order', () => {
    const mm = mk();
    expect(mm.mmap(0, 0, RW, ANON)).toBe(-EINVAL);
    expect(mm.mmap(0, P, RW, uapi.MAP_PRIVATE)).toBe(-EBADF);
    expect(mm.mmap(0, -1, RW, ANON)).toBe(-ENOMEM);
    expect(mm.mmap(0x10000001, P, RW, ANON | FIXED)).toBe(-EINVAL);
    expect(mm.mmap(0x1000, P, RW, ANON | FIXED)).toBe(-EPERM);
    expect(mm.mmap(0, P, RW, uapi.MAP_ANONYMOUS)).toBe(-EINVAL);
    // MAP_SHARED_VALIDATE is not accepted for anonymous memory.
    expect(mm.mmap(0, P, RW, uapi.MAP_ANONYMOUS | uapi.MAP_SHARED_VALIDATE)).toBe(-EINVAL);
    expect(mm.mmap(0, P, RW, ANON | uapi.MAP_HUGETLB)).toBe(-ENOMEM);
    expect(mm.mmap(0, 2 * TASK_SIZE, RW, ANON)).toBe(-ENOMEM);
    expect(() => mm.mmap(0.5, P, RW, ANON)).toThrow(VmakitError);
    expect(() => mm.mmap(Number.NaN, P, RW, ANON)).toThrow(/mmap addr/);
    expect(mm.mapCount).toBe(0);
  });

  it('the top page below 2^47 is usable, the byte after TASK_SIZE is not', () => {
    const mm = mk();
    expect(mm.mmap(TASK_SIZE - P, P, RW, ANON | FIXED)).toBe(0x7fffffffe000);
    expect(mm.mmap(TASK_SIZE, P, RW, ANON | FIXED)).toBe(-ENOMEM);
    expect(mm.mmap(TASK_SIZE - P, 2 * P, RW, ANON | FIXED)).toBe(-ENOMEM);
    expect(mm.munmap(TASK_SIZE, P)).toBe(-EINVAL);
    expect(mm.munmap(TASK_SIZE - P, P)).toBe(0);
    expect(mm.munmap(TASK_SIZE - P, 2 * P)).toBe(-EINVAL);
  });

  it('mmap_min_addr: MAP_FIXED below it needs CAP_SYS_RAWIO', () => {
    expect(mk().mmap(0x8000, P, R, ANON | FIXED)).toBe(-EPERM);
    expect(mk({ capSysRawio: true }).mmap(0x8000, P, R, ANON | FIXED)).toBe(0x8000);
    expect(mk({ mmapMinAddr: 0 }).mmap(0, P, R, ANON | FIXED)).toBe(0);
  });

  it('file mappings: MAP_SHARED_VALIDATE rejects unknown flags, open modes are enforced', () => {
    const mm = mk();
    const ro: MmFile = { id: 7_000_001, path: '/opt/app/ro', writable: false };
    const noexec: MmFile = { id: 7_000_002, path: '/opt/app/ne', noexec: true };
    const wo: MmFile = { id: 7_000_003, path: '/opt/app/wo', readable: false };
    // Address checks come first: MAP_FIXED_NOREPLACE at 0 is below mmap_min_addr.
    expect(mm.mmap(0, P, RW, uapi.MAP_SHARED_VALIDATE | uapi.MAP_FIXED_NOREPLACE, ro)).toBe(-EPERM);
    expect(mm.mmap(0x10000000, P, RW, uapi.MAP_SHARED_VALIDATE | uapi.MAP_FIXED_NOREPLACE, ro)).toBe(-95);
    expect(mm.mmap(0, P, RW, uapi.MAP_SHARED, ro)).toBe(-EACCES);
    expect(mm.mmap(0, P, R | X, uapi.MAP_PRIVATE, noexec)).toBe(-EPERM);
    expect(mm.mmap(0, P, R, uapi.MAP_PRIVATE, wo)).toBe(-EACCES);
    expect(mm.mmap(0, P, R, uapi.MAP_PRIVATE | uapi.MAP_GROWSDOWN, ro)).toBe(-EINVAL);
    const a = mm.mmap(0, P, R, uapi.MAP_SHARED, ro);
    // A read-only file shared mapping loses VM_MAYWRITE and VM_SHARED (keeps VM_MAYSHARE).
    const v = mm.vmaLookup(a)!;
    expect(v.flags & (VM_MAYWRITE | VM_SHARED)).toBe(0);
    expect(v.flags & vmFlags.VM_MAYSHARE).toBe(vmFlags.VM_MAYSHARE);
  });
});

describe('MAP_FIXED and MAP_FIXED_NOREPLACE (mmap_region, vms_gather_munmap_vmas)', () => {
  it('MAP_FIXED over several VMAs splits the outer ones and replaces the rest', () => {
    const mm = mk();
    const a = 0x10000000;
    mm.mmap(a, 4 * P, RW, ANON | FIXED);
    mm.mmap(a + 4 * P, 4 * P, R, ANON | FIXED);
    mm.mmap(a + 8 * P, 4 * P, RW | X, ANON | FIXED);
    expect(mm.mapCount).toBe(3);
    const log = record(mm);
    expect(mm.mmap(a + 2 * P, 8 * P, PROT_NONE, ANON | FIXED)).toBe(a + 2 * P);
    expect(ranges(mm)).toEqual(['10000000-10002000', '10002000-1000a000', '1000a000-1000c000']);
    expect(maps(mm)[1]).toBe('10002000-1000a000 MAYREAD|MAYWRITE|MAYEXEC');
    expect(log).toEqual([
      'zap 10002000-10004000 mmap-fixed',
      'zap 10004000-10008000 mmap-fixed',
      'zap 10008000-1000a000 mmap-fixed',
      'detached 10002000-10004000',
      'detached 10004000-10008000',
      'detached 10008000-1000a000',
    ]);
    checkInvariants(mm);
  });

  it('MAP_FIXED with the same attributes merges with both neighbours', () => {
    const mm = mk();
    const a = 0x10000000;
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 3 * P, 2 * P, RW, ANON | FIXED);
    expect(mm.mapCount).toBe(2);
    mm.mmap(a + 2 * P, P, RW, ANON | FIXED);
    expect(ranges(mm)).toEqual(['10000000-10005000']);
    expect(mm.vmaLookup(a)!.pgoff).toBe(a / P);
  });

  it('MAP_FIXED_NOREPLACE fails with -EEXIST on any overlap and maps a free range exactly', () => {
    const mm = mk();
    const a = 0x10000000;
    mm.mmap(a + 4 * P, P, R, ANON | FIXED);
    expect(mm.mmap(a, 5 * P, RW, ANON | uapi.MAP_FIXED_NOREPLACE)).toBe(-EEXIST);
    expect(mm.mmap(a + 4 * P, P, RW, ANON | uapi.MAP_FIXED_NOREPLACE)).toBe(-EEXIST);
    expect(mm.mmap(a, 4 * P, RW, ANON | uapi.MAP_FIXED_NOREPLACE)).toBe(a);
    expect(mm.mmap(a + 5 * P + 1, P, RW, ANON | uapi.MAP_FIXED_NOREPLACE)).toBe(-EINVAL);
    expect(mm.mapCount).toBe(2);
  });

  it('RLIMIT_AS refusal after splitting leaves the split in place (vms_abort_munmap_vmas)', () => {
    const mm = mk({ rlimitAs: 8 * P });
    const a = 0x10000000;
    expect(mm.mmap(a, 6 * P, RW, ANON | FIXED)).toBe(a);
    // Replacing 2 pages in the middle with 4 needs 2 more pages: 8 allowed, so this fits.
    expect(mm.mmap(a + 2 * P, 4 * P, R, ANON | FIXED)).toBe(a + 2 * P);
    // 6 pages mapped; this one replaces 1 page by 4: 9 > 8. The VMA split at a + 5 pages stays split.
    expect(mm.mmap(a + 5 * P, 4 * P, RW | X, ANON | FIXED)).toBe(-ENOMEM);
    expect(ranges(mm)).toEqual(['10000000-10002000', '10002000-10005000', '10005000-10006000']);
    expect(mm.vmaLookup(a + 5 * P)!.detached).toBe(false);
    checkInvariants(mm);
  });
});

describe('vm.max_map_count', () => {
  it('mmap may reach max + 1 VMAs (map_count > max), splits stop at max (map_count >= max)', () => {
    const max = 6;
    const mm = mk({ maxMapCount: max });
    const a = 0x10000000;
    for (let i = 0; i < max; i++) expect(mm.mmap(a + 2 * i * P, P, RW, ANON | FIXED)).toBe(a + 2 * i * P);
    expect(mm.mapCount).toBe(max);
    // Splitting now fails: mprotect of a part, munmap of a middle part.
    mm.munmap(a, P);
    mm.mmap(a, 3 * P, RW, ANON | FIXED);
    expect(mm.mapCount).toBe(max - 1);
    expect(mm.mmap(a + 40 * P, P, RW, ANON | FIXED)).toBe(a + 40 * P);
    expect(mm.mapCount).toBe(max);
    expect(mm.mprotect(a + P, P, R)).toBe(-ENOMEM);
    expect(mm.munmap(a + P, P)).toBe(-ENOMEM);
    // madvise reports the refused split as -EAGAIN.
    expect(mm.madvise(a + P, P, uapi.MADV_DONTFORK)).toBe(-EAGAIN);
    // A whole-VMA change needs no split.
    expect(mm.mprotect(a, 3 * P, R)).toBe(0);
    // Unmapping a tail is one split at the end only: allowed (__split_vma without the check).
    expect(mm.munmap(a + 2 * P, P)).toBe(0);
    expect(mm.mapCount).toBe(max);
    // do_mmap checks map_count > max: one more VMA still fits, the next does not.
    expect(mm.mmap(a + 60 * P, P, RW, ANON | FIXED)).toBe(a + 60 * P);
    expect(mm.mapCount).toBe(max + 1);
    expect(mm.mmap(a + 70 * P, P, RW, ANON | FIXED)).toBe(-ENOMEM);
    checkInvariants(mm);
  });
});

describe('mprotect (do_mprotect_pkey, mprotect_fixup)', () => {
  it('VM_MAY* denial: PROT_WRITE on a read-only MAP_SHARED file mapping is -EACCES', () => {
    const mm = mk();
    const ro: MmFile = { id: 7_000_010, path: '/opt/app/ro', writable: false };
    const a = mm.mmap(0, 4 * P, R, uapi.MAP_SHARED, ro);
    expect(mm.mprotect(a, 4 * P, RW)).toBe(-EACCES);
    // A private mapping of the same file may become writable (copy on write).
    const b = mm.mmap(0, 4 * P, R, uapi.MAP_PRIVATE, ro);
    expect(mm.mprotect(b, 4 * P, RW)).toBe(0);
    expect(mm.vmaLookup(b)!.flags & VM_ACCOUNT).toBe(VM_ACCOUNT);
    // noexec: VM_MAYEXEC is gone, so PROT_EXEC is refused.
    const c = mm.mmap(0, P, R, uapi.MAP_PRIVATE, { id: 7_000_011, path: '/n', noexec: true } as MmFile);
    expect(mm.mprotect(c, P, R | X)).toBe(-EACCES);
  });

  it('a hole stops mprotect with -ENOMEM after changing the VMAs before it', () => {
    const mm = mk();
    const a = 0x10000000;
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 3 * P, 2 * P, RW, ANON | FIXED);
    expect(mm.mprotect(a + P, 4 * P, R)).toBe(-ENOMEM);
    expect(maps(mm)).toEqual([
      `10000000-10001000 ${RWF}`,
      `10001000-10002000 ${RF}`,
      `10003000-10005000 ${RWF}`,
    ]);
    expect(mm.mprotect(a + 2 * P, P, R)).toBe(-ENOMEM);
    expect(mm.mprotect(a, 0, R)).toBe(0);
    expect(mm.mprotect(a + 1, P, R)).toBe(-EINVAL);
    expect(mm.mprotect(a, P, 0x10)).toBe(-EINVAL);
    expect(mm.mprotect(a, P, R | uapi.PROT_GROWSDOWN | uapi.PROT_GROWSUP)).toBe(-EINVAL);
    expect(mm.mprotect(a, P, R | uapi.PROT_GROWSDOWN)).toBe(-EINVAL);
    expect(mm.mprotect(a, -P, R)).toBe(-ENOMEM);
    checkInvariants(mm);
  });

  it('PROT_GROWSDOWN extends the change to the start of a VM_GROWSDOWN VMA', () => {
    const mm = mk();
    const s = mm.mmap(0x20000000, 8 * P, RW, ANON | uapi.MAP_GROWSDOWN);
    expect(mm.mprotect(s + 4 * P, 4 * P, R | uapi.PROT_GROWSDOWN)).toBe(0);
    expect(ranges(mm)).toEqual(['20000000-20008000']);
    expect(mm.vmaLookup(s)!.flags & VM_WRITE).toBe(0);
  });

  it('VM_ACCOUNT follows the kernel: gained on first write permission, dropped for unfaulted anon', () => {
    const mm = mk();
    const a = mm.mmap(0, 2 * P, R, ANON);
    expect(mm.vmaLookup(a)!.flags & VM_ACCOUNT).toBe(0);
    expect(mm.mprotect(a, 2 * P, RW)).toBe(0);
    expect(mm.vmaLookup(a)!.flags & VM_ACCOUNT).toBe(VM_ACCOUNT);
    expect(mm.mprotect(a, 2 * P, R)).toBe(0);
    expect(mm.vmaLookup(a)!.flags & VM_ACCOUNT).toBe(0);
    expect(mm.mprotect(a, 2 * P, RW)).toBe(0);
    mm.anonVmaPrepare(mm.vmaLookup(a)!);
    expect(mm.mprotect(a, 2 * P, R)).toBe(0);
    expect(mm.vmaLookup(a)!.flags & VM_ACCOUNT).toBe(VM_ACCOUNT);
  });
});

describe('anon_vma and merging', () => {
  it('a range with an anon_vma does not merge into an unfaulted neighbour; the reverse merges', () => {
    const mm = mk();
    const a = 0x10000000;
    mm.mmap(a, 2 * P, R, ANON | FIXED);
    mm.mmap(a + 2 * P, 2 * P, RW, ANON | FIXED);
    const rw = mm.vmaLookup(a + 2 * P)!;
    mm.anonVmaPrepare(rw);
    // The faulted VMA becomes read-only like its unfaulted neighbour: is_mergeable_anon_vma() fails
    // because the neighbour's anon_vma_chain is empty.
    expect(mm.mprotect(a + 2 * P, 2 * P, R)).toBe(0);
    expect(mm.mapCount).toBe(2);
    // Making the unfaulted one writable, then both read-only again from the left: merges.
    const mm2 = mk();
    mm2.mmap(a, 2 * P, RW, ANON | FIXED);
    mm2.mmap(a + 2 * P, 2 * P, R, ANON | FIXED);
    mm2.anonVmaPrepare(mm2.vmaLookup(a)!);
    expect(mm2.mprotect(a + 2 * P, 2 * P, RW)).toBe(0);
    expect(ranges(mm2)).toEqual(['10000000-10004000']);
    expect(mm2.vmaLookup(a)!.anonVma).not.toBeNull();
  });

  it('anon_vma_prepare reuses the anon_vma of a compatible neighbour so mprotect can merge later', () => {
    const mm = mk();
    const a = 0x10000000;
    // MAP_NORESERVE keeps VM_ACCOUNT off both, so they differ only in access bits (anon_vma_compatible).
    mm.mmap(a, P, RW, ANON | FIXED | uapi.MAP_NORESERVE);
    mm.mmap(a + P, P, R, ANON | FIXED | uapi.MAP_NORESERVE);
    const left = mm.vmaLookup(a)!;
    const right = mm.vmaLookup(a + P)!;
    const av = mm.anonVmaPrepare(left);
    expect(mm.anonVmaPrepare(right)).toBe(av);
    expect(mm.mprotect(a + P, P, RW)).toBe(0);
    expect(ranges(mm)).toEqual(['10000000-10002000']);
    // Different files never share: a file VMA next to anonymous memory gets its own.
    const f = mm.mmap(a + 2 * P, P, R, uapi.MAP_PRIVATE | FIXED, { id: 7_000_020, path: '/f' }, 0);
    expect(mm.anonVmaPrepare(mm.vmaLookup(f)!)).not.toBe(av);
  });

  it('file mappings merge only with contiguous pgoff; shared anonymous mappings never merge', () => {
    const mm = mk();
    const file: MmFile = { id: 7_000_030, path: '/opt/app/lib.so' };
    const a = 0x10000000;
    mm.mmap(a, 2 * P, R, uapi.MAP_PRIVATE | FIXED, file, 10);
    mm.mmap(a + 2 * P, 2 * P, R, uapi.MAP_PRIVATE | FIXED, file, 12);
    expect(ranges(mm)).toEqual(['10000000-10004000']);
    mm.mmap(a + 4 * P, 2 * P, R, uapi.MAP_PRIVATE | FIXED, file, 20);
    expect(mm.mapCount).toBe(2);
    const s1 = mm.mmap(a + 10 * P, 2 * P, RW, uapi.MAP_SHARED | uapi.MAP_ANONYMOUS | FIXED);
    const s2 = mm.mmap(a + 12 * P, 2 * P, RW, uapi.MAP_SHARED | uapi.MAP_ANONYMOUS | FIXED);
    const v1 = mm.vmaLookup(s1)!;
    const v2 = mm.vmaLookup(s2)!;
    expect(v1).not.toBe(v2);
    expect(v1.file?.shmem).toBe(true);
    expect(v1.file?.path).toBe('/dev/zero (deleted)');
    expect(v1.pgoff).toBe(0);
    expect(v1.file?.id).not.toBe(v2.file?.id);
  });

  it('installVma inserts as given, without merging, and refuses overlaps with -EEXIST', () => {
    const mm = mk();
    const flags = VM_READ | VM_WRITE | vmFlags.VM_MAYREAD | VM_MAYWRITE;
    const a = mm.installVma({ start: 0x10000000, end: 0x10002000, flags, pgoff: 0x10000 });
    const b = mm.installVma({ start: 0x10002000, end: 0x10003000, flags, pgoff: 0x10002 });
    expect(typeof a).not.toBe('number');
    expect(typeof b).not.toBe('number');
    expect(mm.mapCount).toBe(2);
    expect(mm.installVma({ start: 0x10001000, end: 0x10005000, flags })).toBe(-EEXIST);
    expect(() => mm.installVma({ start: 0x10001001, end: 0x10005000, flags })).toThrow(VmakitError);
    expect(mm.totalVm).toBe(3);
    checkInvariants(mm);
  });
});

describe('mremap (mm/mremap.c)', () => {
  const a = 0x10000000;

  it('shrinks by unmapping the tail', () => {
    const mm = mk();
    mm.mmap(a, 4 * P, RW, ANON | FIXED);
    const log = record(mm);
    expect(mm.mremap(a, 4 * P, P, 0)).toBe(a);
    expect(ranges(mm)).toEqual(['10000000-10001000']);
    expect(log).toEqual(['zap 10001000-10004000 mremap', 'detached 10001000-10004000']);
  });

  it('grows in place when the space above is free, merging with a compatible next VMA', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 4 * P, 2 * P, RW, ANON | FIXED);
    expect(mm.mapCount).toBe(2);
    expect(mm.mremap(a, 2 * P, 4 * P, 0)).toBe(a);
    expect(ranges(mm)).toEqual(['10000000-10006000']);
    expect(mm.mremap(a, 6 * P, 8 * P, 0)).toBe(a);
  });

  it('without MREMAP_MAYMOVE a blocked growth is -ENOMEM; with it the mapping moves', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 2 * P, P, R, ANON | FIXED);
    expect(mm.mremap(a, 2 * P, 4 * P, 0)).toBe(-ENOMEM);
    const log = record(mm);
    const to = mm.mremap(a, 2 * P, 4 * P, uapi.MREMAP_MAYMOVE);
    expect(to).toBe(BASE - 4 * P);
    expect(ranges(mm)).toEqual(['10002000-10003000', '7ffff7ffb000-7ffff7fff000']);
    // An unfaulted anonymous VMA moves with pgoff = new address.
    expect(mm.vmaLookup(to)!.pgoff).toBe(to / P);
    expect(log[0]).toBe('move 10000000->7ffff7ffb000 2000');
    expect(log).toContain('zap 10000000-10002000 mremap');
  });

  it('MREMAP_FIXED replaces the target and keeps a faulted VMA pgoff', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.anonVmaPrepare(mm.vmaLookup(a)!);
    mm.mmap(a + 16 * P, 4 * P, R, ANON | FIXED);
    expect(mm.mremap(a, 2 * P, 2 * P, uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED, a + 17 * P)).toBe(a + 17 * P);
    expect(ranges(mm)).toEqual(['10010000-10011000', '10011000-10013000', '10013000-10014000']);
    expect(mm.vmaLookup(a + 17 * P)!.pgoff).toBe(a / P);
    // Overlapping source and destination.
    expect(mm.mremap(a + 17 * P, 2 * P, 2 * P, uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED, a + 18 * P)).toBe(
      -EINVAL,
    );
    expect(mm.mremap(a + 17 * P, P, P, uapi.MREMAP_FIXED, a)).toBe(-EINVAL);
    expect(mm.mremap(a + 17 * P, P, P, uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED, a + 1)).toBe(-EINVAL);
  });

  it('MREMAP_DONTUNMAP moves the pages and leaves the old VMA (without VM_LOCKED)', () => {
    const mm = mk();
    mm.mmap(a, 4 * P, RW, ANON | FIXED | uapi.MAP_LOCKED);
    expect(mm.lockedVm).toBe(4);
    const log = record(mm);
    const to = mm.mremap(a + P, 2 * P, 2 * P, uapi.MREMAP_MAYMOVE | uapi.MREMAP_DONTUNMAP);
    expect(to).toBe(BASE - 2 * P);
    expect(maps(mm)).toEqual([
      `10000000-10001000 ${rwf(VM_LOCKED)}`,
      `10001000-10003000 ${RWF}`,
      `10003000-10004000 ${rwf(VM_LOCKED)}`,
      `7ffff7ffd000-7ffff7fff000 ${rwf(VM_LOCKED)}`,
    ]);
    expect(log).toEqual(['move 10001000->7ffff7ffd000 2000']);
    // locked_vm is not adjusted by a DONTUNMAP move (the kernel's "won't unmap" path).
    expect(mm.lockedVm).toBe(4);
    expect(mm.mremap(a, P, 2 * P, uapi.MREMAP_MAYMOVE | uapi.MREMAP_DONTUNMAP)).toBe(-EINVAL);
    expect(mm.mremap(a, P, P, uapi.MREMAP_DONTUNMAP)).toBe(-EINVAL);
  });

  it('the kernel error cases: -EFAULT across VMAs or at a hole, -EINVAL for duplicating private memory', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 2 * P, 2 * P, R, ANON | FIXED);
    expect(mm.mremap(a, 4 * P, 8 * P, uapi.MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(mm.mremap(a + 8 * P, P, 2 * P, uapi.MREMAP_MAYMOVE)).toBe(-EFAULT);
    expect(mm.mremap(a, 0, P, uapi.MREMAP_MAYMOVE)).toBe(-EINVAL);
    expect(mm.mremap(a, P, 0, uapi.MREMAP_MAYMOVE)).toBe(-EINVAL);
    expect(mm.mremap(a + 1, P, P, 0)).toBe(-EINVAL);
    expect(mm.mremap(a, P, P, 8)).toBe(-EINVAL);
    // old_len 0 duplicates a shared mapping.
    const s = mm.mmap(a + 8 * P, 2 * P, RW, uapi.MAP_SHARED | uapi.MAP_ANONYMOUS | FIXED);
    const dup = mm.mremap(s, 0, 2 * P, uapi.MREMAP_MAYMOVE);
    expect(dup).toBe(BASE - 2 * P);
    expect(mm.vmaLookup(dup)!.file).toBe(mm.vmaLookup(s)!.file);
    expect(mm.vmaLookup(s)).not.toBeNull();
    checkInvariants(mm);
  });
});

describe('brk (mm/mmap.c)', () => {
  it('rounds to pages, grows the heap VMA in place and shrinks it by unmapping', () => {
    const mm = mk();
    expect(mm.brk(0)).toBe(START_BRK);
    expect(mm.brk(START_BRK + 1)).toBe(START_BRK + 1);
    expect(ranges(mm)).toEqual(['555555559000-55555555a000']);
    expect(mm.vmaLookup(START_BRK)!.name).toBe('[heap]');
    // Within the same page: no VMA change.
    expect(mm.brk(START_BRK + 100)).toBe(START_BRK + 100);
    expect(mm.brk(START_BRK + P + 1)).toBe(START_BRK + P + 1);
    expect(mm.brk(START_BRK + 0x21000)).toBe(START_BRK + 0x21000);
    expect(ranges(mm)).toEqual(['555555559000-55555557a000']);
    expect(maps(mm)[0]).toBe(`555555559000-55555557a000 ${RWF}`);
    const log = record(mm);
    expect(mm.brk(START_BRK + 0x10001)).toBe(START_BRK + 0x10001);
    expect(ranges(mm)).toEqual(['555555559000-55555556a000']);
    expect(log).toEqual(['zap 55555556a000-55555557a000 brk', 'detached 55555556a000-55555557a000']);
    expect(mm.brk(START_BRK - 1)).toBe(START_BRK + 0x10001);
    expect(mm.brk(START_BRK)).toBe(START_BRK);
    expect(mm.mapCount).toBe(0);
    checkInvariants(mm);
  });

  it('refuses to grow into the page below another mapping, or past RLIMIT_DATA', () => {
    const mm = mk();
    mm.mmap(START_BRK + 8 * P, P, R, ANON | FIXED);
    expect(mm.brk(START_BRK + 7 * P)).toBe(START_BRK + 7 * P);
    expect(mm.brk(START_BRK + 8 * P)).toBe(START_BRK + 7 * P);
    const lim = mk({ rlimitData: 4 * P });
    expect(lim.brk(START_BRK + 4 * P)).toBe(START_BRK + 4 * P);
    expect(lim.brk(START_BRK + 4 * P + 1)).toBe(START_BRK + 4 * P);
  });

  it('does not extend a heap VMA whose flags were changed', () => {
    const mm = mk();
    mm.brk(START_BRK + 2 * P);
    mm.mprotect(START_BRK, 2 * P, R);
    mm.brk(START_BRK + 4 * P);
    expect(ranges(mm)).toEqual(['555555559000-55555555b000', '55555555b000-55555555d000']);
  });
});

describe('madvise (mm/madvise.c)', () => {
  const a = 0x10000000;

  it('applies flag advice to the mapped parts of a range with holes, then reports -ENOMEM', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    mm.mmap(a + 3 * P, 2 * P, RW, ANON | FIXED);
    expect(mm.madvise(a + P, 3 * P, uapi.MADV_DONTFORK)).toBe(-ENOMEM);
    expect(maps(mm)).toEqual([
      `10000000-10001000 ${RWF}`,
      `10001000-10002000 ${rwf(VM_DONTCOPY)}`,
      `10003000-10004000 ${rwf(VM_DONTCOPY)}`,
      `10004000-10005000 ${RWF}`,
    ]);
    expect(mm.madvise(a, 5 * P, uapi.MADV_DOFORK)).toBe(-ENOMEM);
    expect(ranges(mm)).toEqual(['10000000-10002000', '10003000-10005000']);
    expect(mm.vmaLookup(a)!.flags & VM_DONTCOPY).toBe(0);
  });

  it('MADV_DONTNEED zaps without touching VMAs or sequence counts; locked VMAs refuse it', () => {
    const mm = mk();
    mm.mmap(a, 4 * P, RW, ANON | FIXED);
    const seq = mm.mmapSeq;
    const log = record(mm);
    expect(mm.madvise(a + P, 2 * P, uapi.MADV_DONTNEED)).toBe(0);
    expect(log).toEqual(['zap 10001000-10003000 madvise']);
    expect(mm.mmapSeq).toBe(seq);
    expect(mm.mapCount).toBe(1);
    mm.mlock(a, P);
    expect(mm.madvise(a, P, uapi.MADV_DONTNEED)).toBe(-EINVAL);
    expect(mm.madvise(a, P, uapi.MADV_DONTNEED_LOCKED)).toBe(0);
  });

  it('validates advice, alignment and per-VMA applicability', () => {
    const mm = mk();
    const f = mm.mmap(a, 2 * P, RW, uapi.MAP_PRIVATE | FIXED, { id: 7_000_040, path: '/f' }, 0);
    expect(mm.madvise(a, P, 7)).toBe(-EINVAL);
    expect(mm.madvise(a + 1, P, uapi.MADV_NORMAL)).toBe(-EINVAL);
    expect(mm.madvise(a, 0, uapi.MADV_NORMAL)).toBe(0);
    expect(mm.madvise(f, P, uapi.MADV_WIPEONFORK)).toBe(-EINVAL);
    expect(mm.madvise(f, P, uapi.MADV_FREE)).toBe(-EINVAL);
    expect(mm.madvise(f, P, uapi.MADV_REMOVE)).toBe(-EACCES);
    expect(mm.madvise(f, P, uapi.MADV_HWPOISON)).toBe(-EPERM);
    const g = mm.mmap(a + 4 * P, P, RW, ANON | FIXED);
    expect(mm.madvise(g, P, uapi.MADV_WIPEONFORK)).toBe(0);
    expect(mm.vmaLookup(g)!.flags & VM_WIPEONFORK).toBe(VM_WIPEONFORK);
    expect(mm.madvise(g, P, uapi.MADV_POPULATE_WRITE)).toBe(0);
    expect(mm.madvise(g + P, P, uapi.MADV_POPULATE_READ)).toBe(-ENOMEM);
    expect(mk({ thp: false }).madvise(a, P, uapi.MADV_HUGEPAGE)).toBe(-EINVAL);
  });
});

describe('mlock (mm/mlock.c)', () => {
  const a = 0x10000000;

  it('locks with split and merge, counts locked_vm, honours RLIMIT_MEMLOCK', () => {
    const mm = mk({ rlimitMemlock: 4 * P });
    mm.mmap(a, 8 * P, RW, ANON | FIXED);
    const log = record(mm);
    expect(mm.mlock(a + P + 10, 2 * P)).toBe(0);
    expect(ranges(mm)).toEqual(['10000000-10001000', '10001000-10004000', '10004000-10008000']);
    expect(mm.lockedVm).toBe(3);
    expect(log).toEqual(['populate 10001000-10004000 w']);
    // 3 locked + 3 asked, of which 2 are already locked: 4 <= 4.
    expect(mm.mlock(a + 2 * P, 3 * P)).toBe(0);
    expect(mm.lockedVm).toBe(4);
    expect(mm.mlock(a + 6 * P, P)).toBe(-ENOMEM);
    expect(mm.munlock(a, 8 * P)).toBe(0);
    expect(ranges(mm)).toEqual(['10000000-10008000']);
    expect(mm.lockedVm).toBe(0);
    expect(mm.mlock(a, P, 2)).toBe(-EINVAL);
    expect(mm.mlock(a, P, uapi.MLOCK_ONFAULT)).toBe(0);
    expect(mm.vmaLookup(a)!.flags & (VM_LOCKED | VM_LOCKONFAULT)).toBe(VM_LOCKED | VM_LOCKONFAULT);
    expect(mk({ rlimitMemlock: 0 }).mlock(a, P)).toBe(-EPERM);
    checkInvariants(mm);
  });

  it('mlock of a PROT_NONE mapping locks it but fails to populate (-ENOMEM)', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, PROT_NONE, ANON | FIXED);
    expect(mm.mlock(a, 2 * P)).toBe(-ENOMEM);
    expect(mm.vmaLookup(a)!.flags & VM_LOCKED).toBe(VM_LOCKED);
  });

  it('mlockall(MCL_FUTURE) locks later mappings; munlockall undoes everything', () => {
    const mm = mk();
    mm.mmap(a, 2 * P, RW, ANON | FIXED);
    expect(mm.mlockall(uapi.MCL_ONFAULT)).toBe(-EINVAL);
    expect(mm.mlockall(0)).toBe(-EINVAL);
    expect(mm.mlockall(uapi.MCL_FUTURE)).toBe(0);
    expect(mm.vmaLookup(a)!.flags & VM_LOCKED).toBe(0);
    const log = record(mm);
    const b = mm.mmap(0, P, RW, ANON);
    expect(mm.vmaLookup(b)!.flags & VM_LOCKED).toBe(VM_LOCKED);
    expect(log).toEqual([`populate ${b.toString(16)}-${(b + P).toString(16)} w`]);
    expect(mm.mlockall(uapi.MCL_CURRENT | uapi.MCL_FUTURE)).toBe(0);
    expect(mm.lockedVm).toBe(3);
    expect(mm.munlockall()).toBe(0);
    expect(mm.lockedVm).toBe(0);
    expect(mm.defFlags).toBe(0);
  });
});

describe('MAP_POPULATE and MAP_LOCKED', () => {
  it('populate after the write lock is dropped, write faults only for private writable memory', () => {
    const mm = mk();
    const events: string[] = [];
    mm.observe({
      populate: (s, e, w) => events.push(`populate ${(e - s) / P} ${w} locked=${mm.writeLocked}`),
      writeUnlocking: () => events.push('unlock'),
    });
    mm.mmap(0, 3 * P, RW, ANON | uapi.MAP_POPULATE);
    mm.mmap(0, 2 * P, R, ANON | uapi.MAP_POPULATE);
    mm.mmap(0, P, RW, uapi.MAP_SHARED | uapi.MAP_ANONYMOUS | uapi.MAP_POPULATE);
    mm.mmap(0, P, RW, ANON | uapi.MAP_POPULATE | uapi.MAP_NONBLOCK);
    expect(events).toEqual([
      'unlock',
      'populate 3 true locked=false',
      'unlock',
      'populate 2 false locked=false',
      'unlock',
      'populate 1 false locked=false',
      'unlock',
    ]);
  });

  it('MAP_LOCKED past RLIMIT_MEMLOCK is -EAGAIN', () => {
    const mm = mk({ rlimitMemlock: 2 * P });
    expect(mm.mmap(0, 3 * P, RW, ANON | uapi.MAP_LOCKED)).toBe(-EAGAIN);
    expect(mm.mmap(0, 2 * P, RW, ANON | uapi.MAP_LOCKED)).toBe(BASE - 2 * P);
  });
});

describe('protection keys (pkey_alloc, pkey_mprotect)', () => {
  it('pkey_mprotect with an unallocated key is -EINVAL; allocated keys tag the VMA', () => {
    const mm = mk({ pkeys: true });
    const a = mm.mmap(0, 4 * P, RW, ANON);
    expect(mm.pkeyMprotect(a, P, RW, 3)).toBe(-EINVAL);
    const k = mm.pkeyAlloc(0, 0);
    expect(k).toBe(1);
    expect(mm.pkeyMprotect(a, P, RW, k)).toBe(0);
    expect(mm.vmaLookup(a)!.pkey).toBe(1);
    expect(mm.mapCount).toBe(2);
    // Plain mprotect keeps the VMA's key.
    expect(mm.mprotect(a, P, R)).toBe(0);
    expect(mm.vmaLookup(a)!.pkey).toBe(1);
    expect(mm.pkeyMprotect(a, P, RW, 0)).toBe(0);
    expect(mm.mapCount).toBe(1);
    expect(mm.pkeyFree(k)).toBe(0);
    expect(mm.pkeyFree(k)).toBe(-EINVAL);
    expect(mm.pkeyMprotect(a, P, RW, k)).toBe(-EINVAL);
    expect(mm.pkeyAlloc(1, 0)).toBe(-EINVAL);
    expect(mm.pkeyAlloc(0, 4)).toBe(-EINVAL);
    for (let i = 1; i < 16; i++) expect(mm.pkeyAlloc(0, 0)).toBe(i);
    expect(mm.pkeyAlloc(0, 0)).toBe(-28);
  });

  it('PROT_EXEC-only mappings get the execute-only key', () => {
    const mm = mk({ pkeys: true });
    const a = mm.mmap(0, P, X, ANON);
    expect(mm.vmaLookup(a)!.pkey).toBe(1);
    expect(mm.pkeyAlloc(0, 0)).toBe(2);
    // The execute-only key cannot be used or freed by the program.
    expect(mm.pkeyMprotect(a, P, R, 1)).toBe(-EINVAL);
    expect(mm.mprotect(a, P, R | X)).toBe(0);
    expect(mm.vmaLookup(a)!.pkey).toBe(0);
  });

  it('without OSPKE, pkey_alloc is -ENOSPC and any pkey_mprotect key is -EINVAL', () => {
    const mm = mk();
    const a = mm.mmap(0, P, RW, ANON);
    expect(mm.pkeyAlloc(0, 0)).toBe(-28);
    expect(mm.pkeyMprotect(a, P, R, 0)).toBe(-EINVAL);
    expect(mm.pkeyMprotect(a, P, R, -1)).toBe(0);
  });
});

describe('stack expansion (expand_downwards, acct_stack_growth)', () => {
  it('grows down to the faulting page, keeping stack_guard_gap to the VMA below', () => {
    const mm = mk();
    const below = 0x20000000;
    mm.mmap(below, P, RW, ANON | FIXED);
    const top = below + 4 * MB;
    const s = mm.mmap(top - 4 * P, 4 * P, RW, ANON | FIXED | uapi.MAP_GROWSDOWN);
    const vma = mm.vmaLookup(s)!;
    expect(mm.expandStack(vma, top - 10 * P + 123)).toBe(0);
    expect(vma.start).toBe(top - 10 * P);
    expect(vma.pgoff).toBe((top - 10 * P) / P);
    expect(vma.anonVma).not.toBeNull();
    expect(mm.stackVm).toBe(10);
    // Less than 1 MiB above the VMA below: refused.
    expect(mm.expandStack(vma, below + P + MB - P)).toBe(-ENOMEM);
    expect(mm.expandStack(vma, below + P + MB)).toBe(0);
    // An address the VMA already covers is fine.
    expect(mm.expandStack(vma, top - P)).toBe(0);
    checkInvariants(mm);
  });

  it('RLIMIT_STACK, mmap_min_addr and non-stack VMAs', () => {
    const mm = mk({ rlimitStack: 16 * P });
    const top = 0x30000000;
    const s = mm.mmap(top - 4 * P, 4 * P, RW, ANON | FIXED | uapi.MAP_GROWSDOWN);
    const vma = mm.vmaLookup(s)!;
    expect(mm.expandStack(vma, top - 16 * P)).toBe(0);
    expect(mm.expandStack(vma, top - 17 * P)).toBe(-ENOMEM);
    const low = mk().mmap(0x12000, P, RW, ANON | FIXED | uapi.MAP_GROWSDOWN);
    expect(low).toBe(0x12000);
    const mm2 = mk();
    mm2.mmap(0x12000, P, RW, ANON | FIXED | uapi.MAP_GROWSDOWN);
    expect(mm2.expandStack(mm2.vmaLookup(0x12000)!, 0x1000)).toBe(-EPERM);
    const plain = mm2.mmap(0x40000000, P, RW, ANON | FIXED);
    expect(mm2.expandStack(mm2.vmaLookup(plain)!, plain - P)).toBe(-EFAULT);
  });
});
