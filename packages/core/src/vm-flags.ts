/**
 * The kernel's VM_* flag bits (include/linux/mm.h, v6.12) and the translations mmap/mprotect apply.
 *
 * `vm_flags` is 64 bits wide, but JavaScript bitwise operators work on 32 bits, so a VMA keeps the
 * low word in `flags` (bits 0-31, always stored as an unsigned 32-bit value) and the high word in
 * `flagsHigh` (bits 32-63, shifted down by 32). Constants named `VM_*` are low-word bits,
 * `VMH_*` are high-word bits. Always normalise with `>>> 0` after combining low-word bits, because
 * bit 31 (VM_MERGEABLE) would otherwise turn the value negative.
 */
import { MAP_GROWSDOWN, MAP_LOCKED, MAP_STACK, MAP_SYNC, PROT_EXEC, PROT_READ, PROT_WRITE } from './uapi.js';

export const VM_NONE = 0x00000000;
export const VM_READ = 0x00000001;
export const VM_WRITE = 0x00000002;
export const VM_EXEC = 0x00000004;
export const VM_SHARED = 0x00000008;
export const VM_MAYREAD = 0x00000010;
export const VM_MAYWRITE = 0x00000020;
export const VM_MAYEXEC = 0x00000040;
export const VM_MAYSHARE = 0x00000080;
export const VM_GROWSDOWN = 0x00000100;
export const VM_UFFD_MISSING = 0x00000200;
export const VM_PFNMAP = 0x00000400;
export const VM_UFFD_WP = 0x00001000;
export const VM_LOCKED = 0x00002000;
export const VM_IO = 0x00004000;
export const VM_SEQ_READ = 0x00008000;
export const VM_RAND_READ = 0x00010000;
export const VM_DONTCOPY = 0x00020000;
export const VM_DONTEXPAND = 0x00040000;
export const VM_LOCKONFAULT = 0x00080000;
export const VM_ACCOUNT = 0x00100000;
export const VM_NORESERVE = 0x00200000;
export const VM_HUGETLB = 0x00400000;
export const VM_SYNC = 0x00800000;
/** VM_ARCH_1; on x86 this is VM_PAT. */
export const VM_ARCH_1 = 0x01000000;
export const VM_PAT = VM_ARCH_1;
export const VM_WIPEONFORK = 0x02000000;
export const VM_DONTDUMP = 0x04000000;
export const VM_SOFTDIRTY = 0x08000000;
export const VM_MIXEDMAP = 0x10000000;
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;
/** BIT(31); stored unsigned. */
export const VM_MERGEABLE = 0x80000000;

/** x86 protection-key bits VM_PKEY_BIT0..3 = VM_HIGH_ARCH_0..3 (bits 32-35): the pkey number. */
export const VMH_PKEY_MASK = 0xf;
export const VMH_PKEY_SHIFT = 0;
/** VM_SHADOW_STACK = VM_HIGH_ARCH_5 (bit 37) on x86 with user shadow stacks. */
export const VMH_SHADOW_STACK = 1 << 5;
/** VM_UFFD_MINOR (bit 38). */
export const VMH_UFFD_MINOR = 1 << 6;
/** VM_DROPPABLE (bit 40). */
export const VMH_DROPPABLE = 1 << 8;
/** VM_SEALED (bit 63). */
export const VMH_SEALED = 0x80000000;

/** Flags a special mapping or an accounting decision sets, which mprotect may not change. */
export const VM_SPECIAL = (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP) >>> 0;
/** Flags that differ between two otherwise mergeable VMAs without preventing a merge (mm/vma.c). */
export const VM_IGNORE_MERGE = VM_SOFTDIRTY;
/** Flags that make a VMA's stack guard gap apply below it (VM_STARTGAP_FLAGS, low word part). */
export const VM_STARTGAP_FLAGS = VM_GROWSDOWN;
/** VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT. */
export const VM_LOCKED_MASK = (VM_LOCKED | VM_LOCKONFAULT) >>> 0;
/** The access bits. */
export const VM_ACCESS_FLAGS = (VM_READ | VM_WRITE | VM_EXEC) >>> 0;
/** VM_DATA_DEFAULT_FLAGS on x86-64 (VM_DATA_FLAGS_TSK_EXEC without READ_IMPLIES_EXEC): brk and stack. */
export const VM_DATA_DEFAULT_FLAGS = (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC) >>> 0;

/** calc_vm_prot_bits() for x86 without pkeys: PROT_* to VM_READ/WRITE/EXEC. */
export function calcVmProtBits(prot: number): number {
  return (
    ((prot & PROT_READ) !== 0 ? VM_READ : 0) |
    ((prot & PROT_WRITE) !== 0 ? VM_WRITE : 0) |
    ((prot & PROT_EXEC) !== 0 ? VM_EXEC : 0)
  );
}

/** calc_vm_flag_bits(): MAP_GROWSDOWN, MAP_LOCKED, MAP_SYNC and (with THP) MAP_STACK to VM_* bits. */
export function calcVmFlagBits(mapFlags: number): number {
  return (
    (((mapFlags & MAP_GROWSDOWN) !== 0 ? VM_GROWSDOWN : 0) |
      ((mapFlags & MAP_LOCKED) !== 0 ? VM_LOCKED : 0) |
      ((mapFlags & MAP_SYNC) !== 0 ? VM_SYNC : 0) |
      ((mapFlags & MAP_STACK) !== 0 ? VM_NOHUGEPAGE : 0)) >>>
    0
  );
}

/** True when any bit of the low-word `mask` is set in `flags`. */
export function hasAny(flags: number, mask: number): boolean {
  return (flags & mask) !== 0;
}

/** The pkey number stored in a VMA's high flag word. */
export function pkeyOf(flagsHigh: number): number {
  return (flagsHigh >>> VMH_PKEY_SHIFT) & VMH_PKEY_MASK;
}

/** Replace the pkey number in a high flag word. */
export function withPkey(flagsHigh: number, pkey: number): number {
  return (
    ((flagsHigh & ~(VMH_PKEY_MASK << VMH_PKEY_SHIFT)) | ((pkey & VMH_PKEY_MASK) << VMH_PKEY_SHIFT)) >>> 0
  );
}

const LOW_NAMES: ReadonlyArray<readonly [number, string]> = [
  [VM_READ, 'READ'],
  [VM_WRITE, 'WRITE'],
  [VM_EXEC, 'EXEC'],
  [VM_SHARED, 'SHARED'],
  [VM_MAYREAD, 'MAYREAD'],
  [VM_MAYWRITE, 'MAYWRITE'],
  [VM_MAYEXEC, 'MAYEXEC'],
  [VM_MAYSHARE, 'MAYSHARE'],
  [VM_GROWSDOWN, 'GROWSDOWN'],
  [VM_UFFD_MISSING, 'UFFD_MISSING'],
  [VM_PFNMAP, 'PFNMAP'],
  [VM_UFFD_WP, 'UFFD_WP'],
  [VM_LOCKED, 'LOCKED'],
  [VM_IO, 'IO'],
  [VM_SEQ_READ, 'SEQ_READ'],
  [VM_RAND_READ, 'RAND_READ'],
  [VM_DONTCOPY, 'DONTCOPY'],
  [VM_DONTEXPAND, 'DONTEXPAND'],
  [VM_LOCKONFAULT, 'LOCKONFAULT'],
  [VM_ACCOUNT, 'ACCOUNT'],
  [VM_NORESERVE, 'NORESERVE'],
  [VM_HUGETLB, 'HUGETLB'],
  [VM_SYNC, 'SYNC'],
  [VM_ARCH_1, 'PAT'],
  [VM_WIPEONFORK, 'WIPEONFORK'],
  [VM_DONTDUMP, 'DONTDUMP'],
  [VM_SOFTDIRTY, 'SOFTDIRTY'],
  [VM_MIXEDMAP, 'MIXEDMAP'],
  [VM_HUGEPAGE, 'HUGEPAGE'],
  [VM_NOHUGEPAGE, 'NOHUGEPAGE'],
  [VM_MERGEABLE, 'MERGEABLE'],
];

/** Human-readable flag names, e.g. `READ|WRITE|MAYREAD|MAYWRITE|pkey=1`, for messages and reports. */
export function describeVmFlags(flags: number, flagsHigh = 0): string {
  const parts: string[] = [];
  for (const [bit, name] of LOW_NAMES) if ((flags & bit) !== 0) parts.push(name);
  const pkey = pkeyOf(flagsHigh);
  if (pkey !== 0) parts.push(`pkey=${pkey}`);
  if ((flagsHigh & VMH_SHADOW_STACK) !== 0) parts.push('SHADOW_STACK');
  if ((flagsHigh & VMH_UFFD_MINOR) !== 0) parts.push('UFFD_MINOR');
  if ((flagsHigh & VMH_DROPPABLE) !== 0) parts.push('DROPPABLE');
  if ((flagsHigh & VMH_SEALED) !== 0) parts.push('SEALED');
  return parts.length > 0 ? parts.join('|') : 'NONE';
}
