/**
 * access_error() and the protection-key helpers of arch/x86/mm/fault.c and
 * arch/x86/include/asm/mmu_context.h (v6.12), over the two words of vm_flags a Vma keeps.
 */
import { VM_EXEC, VM_READ, VM_WRITE, VMH_SHADOW_STACK, vmFlags } from '@vmakit/core';
import {
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_WRITE,
} from './error-code.js';
import { pkruAllowsPkey } from './pkru.js';

/** The VMA attributes access_error() reads. `Vma` and the fault copies satisfy it. */
export interface AccessVma {
  /** vm_flags bits 0-31. */
  readonly flags: number;
  /** vm_flags bits 32-63 (pkey, shadow stack). */
  readonly flagsHigh: number;
}

/**
 * arch_vma_access_permitted() for the current mm (never foreign): instruction fetches are never
 * blocked by keys; data accesses need PKRU to allow the VMA's key. `pkru` is the value read_pkru()
 * returns: 0 without OSPKE, which allows everything. O(1).
 */
export function archVmaAccessPermitted(
  vma: AccessVma,
  write: boolean,
  execute: boolean,
  pkru: number,
): boolean {
  if (execute) return true;
  return pkruAllowsPkey(pkru, vmFlags.pkeyOf(vma.flagsHigh), write);
}

/**
 * access_error(): true when the access described by `errorCode` is not allowed by `vma`, in the
 * kernel's order — PK (unconditional), SGX, the VMA's protection key, shadow-stack accesses (only to
 * writable shadow-stack VMAs), writes (need VM_WRITE and no shadow stack), present reads (PROT set:
 * e.g. PROT_NONE or a fetch from an NX page), not-present reads of an inaccessible VMA. VM_EXEC is
 * never consulted: the NX bit is enforced by the hardware on the retried access. O(1).
 */
export function accessError(errorCode: number, vma: AccessVma, pkru: number): boolean {
  if ((errorCode & X86_PF_PK) !== 0) return true;
  if ((errorCode & X86_PF_SGX) !== 0) return true;
  if (
    !archVmaAccessPermitted(vma, (errorCode & X86_PF_WRITE) !== 0, (errorCode & X86_PF_INSTR) !== 0, pkru)
  ) {
    return true;
  }
  const shadow = (vma.flagsHigh & VMH_SHADOW_STACK) !== 0;
  if ((errorCode & X86_PF_SHSTK) !== 0) {
    return !shadow || (vma.flags & VM_WRITE) === 0;
  }
  if ((errorCode & X86_PF_WRITE) !== 0) {
    return shadow || (vma.flags & VM_WRITE) === 0;
  }
  if ((errorCode & X86_PF_PROT) !== 0) return true;
  return (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0;
}

/**
 * bad_area_access_from_pkeys(): with OSPKE, an access error is reported as SEGV_PKUERR when the
 * hardware said PK or the VMA's key denies the access. O(1).
 */
export function badAreaAccessFromPkeys(
  errorCode: number,
  vma: AccessVma,
  pkru: number,
  ospke: boolean,
): boolean {
  if (!ospke) return false;
  if ((errorCode & X86_PF_PK) !== 0) return true;
  return !archVmaAccessPermitted(
    vma,
    (errorCode & X86_PF_WRITE) !== 0,
    (errorCode & X86_PF_INSTR) !== 0,
    pkru,
  );
}
