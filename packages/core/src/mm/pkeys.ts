/**
 * x86 memory protection keys bookkeeping: the per-mm allocation bitmap and execute-only key of
 * arch/x86/include/asm/pkeys.h and arch/x86/mm/pkeys.c, and the pkey_alloc / pkey_free system calls
 * of mm/mprotect.c (v6.12). Without OSPKE (MmConfig.pkeys false) only key 0 exists and it is not
 * even "allocated", so pkey_mprotect() with any key fails and pkey_alloc() returns -ENOSPC.
 *
 * PKRU itself (the per-thread access rights) is not modelled: the execute-only key is assumed to
 * stay access-disabled once set up.
 */
import { EINVAL, ENOSPC } from '../errno.js';
import { PROT_EXEC } from '../uapi.js';
import { pkeyOf, VM_ACCESS_FLAGS, VM_EXEC } from '../vm-flags.js';
import type { Vma } from '../vma.js';
import { PKEY_ACCESS_MASK } from './consts.js';
import type { MmState } from './mm-state.js';

/** ARCH_DEFAULT_PKEY. */
export const ARCH_DEFAULT_PKEY = 0;

/** arch_max_pkey(): 16 keys with OSPKE, else 1. */
export function archMaxPkey(mm: MmState): number {
  return mm.pkeysEnabled ? 16 : 1;
}

/** mm_pkey_is_allocated(): keys from pkey_alloc() and key 0; never the execute-only key. */
export function mmPkeyIsAllocated(mm: MmState, pkey: number): boolean {
  if (pkey < 0 || pkey >= archMaxPkey(mm)) return false;
  if (pkey === mm.executeOnlyPkey) return false;
  return (mm.pkeyAllocationMap & (1 << pkey)) !== 0;
}

/** mm_pkey_alloc(): the lowest free key, or -1. */
export function mmPkeyAlloc(mm: MmState): number {
  if (!mm.pkeysEnabled) return -1;
  const all = (1 << archMaxPkey(mm)) - 1;
  if (mm.pkeyAllocationMap === all) return -1;
  let k = 0;
  while ((mm.pkeyAllocationMap & (1 << k)) !== 0) k++;
  mm.pkeyAllocationMap |= 1 << k;
  return k;
}

/** mm_pkey_free(): -EINVAL unless allocated. */
export function mmPkeyFree(mm: MmState, pkey: number): number {
  if (!mmPkeyIsAllocated(mm, pkey)) return -EINVAL;
  mm.pkeyAllocationMap &= ~(1 << pkey);
  return 0;
}

/**
 * execute_only_pkey(): the key backing PROT_EXEC-only mappings, allocated on first use; 0 without
 * OSPKE, -1 when no key is left.
 */
export function executeOnlyPkey(mm: MmState): number {
  if (!mm.pkeysEnabled) return ARCH_DEFAULT_PKEY;
  if (mm.executeOnlyPkey !== -1) return mm.executeOnlyPkey;
  const k = mmPkeyAlloc(mm);
  if (k < 0) return -1;
  mm.executeOnlyPkey = k;
  return k;
}

/** vma_is_pkey_exec_only(). */
function vmaIsPkeyExecOnly(mm: MmState, vma: Vma): boolean {
  return (vma.flags & VM_ACCESS_FLAGS) === VM_EXEC && pkeyOf(vma.flagsHigh) === mm.executeOnlyPkey;
}

/**
 * arch_override_mprotect_pkey(): the key an mprotect gives `vma`: the caller's for pkey_mprotect,
 * the execute-only key for PROT_EXEC, back to 0 when an execute-only VMA stops being one, else the
 * VMA's own key. 0 without OSPKE.
 */
export function archOverrideMprotectPkey(mm: MmState, vma: Vma, prot: number, pkey: number): number {
  if (!mm.pkeysEnabled) return 0;
  if (pkey !== -1) return pkey;
  if (prot === PROT_EXEC) {
    const k = executeOnlyPkey(mm);
    if (k > 0) return k;
  } else if (vmaIsPkeyExecOnly(mm, vma)) {
    return ARCH_DEFAULT_PKEY;
  }
  return pkeyOf(vma.flagsHigh);
}

/** pkey_alloc(2): no flags are defined; init rights limited to PKEY_DISABLE_ACCESS|WRITE. */
export function pkeyAllocSyscall(mm: MmState, flags: number, accessRights: number): number {
  if (flags !== 0) return -EINVAL;
  if (accessRights > PKEY_ACCESS_MASK || accessRights < 0) return -EINVAL;
  mm.lockForWrite();
  const k = mmPkeyAlloc(mm);
  if (k === -1) return -ENOSPC;
  return k;
}

/** pkey_free(2). */
export function pkeyFreeSyscall(mm: MmState, pkey: number): number {
  mm.lockForWrite();
  return mmPkeyFree(mm, pkey);
}
