/**
 * The two-letter `VmFlags:` mnemonics of /proc/PID/smaps, from the table in
 * fs/proc/task_mmu.c show_smap_vma_flags() (v6.12), with their x86-64 meanings.
 *
 * Bits the kernel has no name for print as `??`; bits named with an empty string (the pkey bits,
 * which smaps reports as `ProtectionKey:` instead) never print. `ar` is VM_ARCH_1, which x86 uses as
 * VM_PAT. `bt` (arm64 BTI, same bit as `ar`) and `mt` (arm64 MTE) are never printed by an x86 kernel:
 * they are accepted, decode to no bit, and are reported in `otherArchMnemonics`.
 */
import { vmFlags } from '@vmakit/core';

/** One named bit of vm_flags. */
export interface VmFlagMnemonic {
  /** The two-letter mnemonic. */
  readonly mnemonic: string;
  /** Bit number in the 64-bit vm_flags. */
  readonly bit: number;
  /** What the bit means on x86-64. */
  readonly meaning: string;
}

/** The x86-64 table in bit order, which is also the order the kernel prints them in. */
export const VM_FLAG_MNEMONICS: readonly VmFlagMnemonic[] = [
  { mnemonic: 'rd', bit: 0, meaning: 'VM_READ' },
  { mnemonic: 'wr', bit: 1, meaning: 'VM_WRITE' },
  { mnemonic: 'ex', bit: 2, meaning: 'VM_EXEC' },
  { mnemonic: 'sh', bit: 3, meaning: 'VM_SHARED' },
  { mnemonic: 'mr', bit: 4, meaning: 'VM_MAYREAD' },
  { mnemonic: 'mw', bit: 5, meaning: 'VM_MAYWRITE' },
  { mnemonic: 'me', bit: 6, meaning: 'VM_MAYEXEC' },
  { mnemonic: 'ms', bit: 7, meaning: 'VM_MAYSHARE' },
  { mnemonic: 'gd', bit: 8, meaning: 'VM_GROWSDOWN' },
  { mnemonic: 'um', bit: 9, meaning: 'VM_UFFD_MISSING' },
  { mnemonic: 'pf', bit: 10, meaning: 'VM_PFNMAP' },
  { mnemonic: 'uw', bit: 12, meaning: 'VM_UFFD_WP' },
  { mnemonic: 'lo', bit: 13, meaning: 'VM_LOCKED' },
  { mnemonic: 'io', bit: 14, meaning: 'VM_IO' },
  { mnemonic: 'sr', bit: 15, meaning: 'VM_SEQ_READ' },
  { mnemonic: 'rr', bit: 16, meaning: 'VM_RAND_READ' },
  { mnemonic: 'dc', bit: 17, meaning: 'VM_DONTCOPY' },
  { mnemonic: 'de', bit: 18, meaning: 'VM_DONTEXPAND' },
  { mnemonic: 'lf', bit: 19, meaning: 'VM_LOCKONFAULT' },
  { mnemonic: 'ac', bit: 20, meaning: 'VM_ACCOUNT' },
  { mnemonic: 'nr', bit: 21, meaning: 'VM_NORESERVE' },
  { mnemonic: 'ht', bit: 22, meaning: 'VM_HUGETLB' },
  { mnemonic: 'sf', bit: 23, meaning: 'VM_SYNC' },
  { mnemonic: 'ar', bit: 24, meaning: 'VM_ARCH_1 (VM_PAT on x86)' },
  { mnemonic: 'wf', bit: 25, meaning: 'VM_WIPEONFORK' },
  { mnemonic: 'dd', bit: 26, meaning: 'VM_DONTDUMP' },
  { mnemonic: 'sd', bit: 27, meaning: 'VM_SOFTDIRTY' },
  { mnemonic: 'mm', bit: 28, meaning: 'VM_MIXEDMAP' },
  { mnemonic: 'hg', bit: 29, meaning: 'VM_HUGEPAGE' },
  { mnemonic: 'nh', bit: 30, meaning: 'VM_NOHUGEPAGE' },
  { mnemonic: 'mg', bit: 31, meaning: 'VM_MERGEABLE' },
  { mnemonic: 'ss', bit: 37, meaning: 'VM_SHADOW_STACK (VM_HIGH_ARCH_5)' },
  { mnemonic: 'ui', bit: 38, meaning: 'VM_UFFD_MINOR' },
  { mnemonic: 'dp', bit: 40, meaning: 'VM_DROPPABLE' },
  { mnemonic: 'sl', bit: 63, meaning: 'VM_SEALED' },
];

/** Mnemonics other architectures print (arm64 BTI and MTE); meaningless on x86. */
export const OTHER_ARCH_MNEMONICS: readonly string[] = ['bt', 'mt'];

const BY_MNEMONIC = new Map(VM_FLAG_MNEMONICS.map((m) => [m.mnemonic, m] as const));

/** The result of decoding a `VmFlags:` list. */
export interface DecodedVmFlags {
  /** vm_flags bits 0-31 (unsigned). */
  flags: number;
  /** vm_flags bits 32-63. */
  flagsHigh: number;
  /** Mnemonics of other architectures that were present (decoded to nothing). */
  otherArch: string[];
  /** Mnemonics that are in no table (including `??`): the caller decides whether that is an error. */
  unknown: string[];
  /** Mnemonics seen twice. */
  duplicates: string[];
}

/** Decodes mnemonics to vm_flags words. O(count). */
export function decodeVmFlagMnemonics(mnemonics: readonly string[]): DecodedVmFlags {
  let flags = 0;
  let flagsHigh = 0;
  const otherArch: string[] = [];
  const unknown: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const m of mnemonics) {
    // The kernel prints `??` once per unnamed bit, so only named mnemonics can be duplicates.
    if (seen.has(m) && m !== '??') duplicates.push(m);
    seen.add(m);
    const entry = BY_MNEMONIC.get(m);
    if (entry !== undefined) {
      if (entry.bit < 32) flags = (flags | (1 << entry.bit)) >>> 0;
      else flagsHigh = (flagsHigh | (1 << (entry.bit - 32))) >>> 0;
    } else if (OTHER_ARCH_MNEMONICS.includes(m)) otherArch.push(m);
    else unknown.push(m);
  }
  return { flags, flagsHigh, otherArch, unknown, duplicates };
}

/**
 * The mnemonics the kernel prints for vm_flags, in its order. Bits without a mnemonic are printed
 * as `??` like the kernel, except the x86 pkey bits 32-35, which the kernel never prints here.
 */
export function vmFlagsToMnemonics(flags: number, flagsHigh = 0): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    const set = bit < 32 ? (flags >>> bit) & 1 : (flagsHigh >>> (bit - 32)) & 1;
    if (set === 0) continue;
    const m = VM_FLAG_MNEMONICS.find((x) => x.bit === bit);
    if (m !== undefined) out.push(m.mnemonic);
    else if (bit - 32 >= vmFlags.VMH_PKEY_SHIFT && bit - 32 < vmFlags.VMH_PKEY_SHIFT + 4) continue;
    else out.push('??');
  }
  return out;
}
