/**
 * The MMU's side of a user-mode access: walk the page tables and either complete the access (setting
 * the accessed and, for writes, dirty bits as the hardware does) or produce the error code the #PF
 * pushes (Intel SDM vol. 3 §4.7: P, W/R, U/S, I/D, PK). Lets workloads and tests derive
 * hardware-consistent error codes instead of inventing them. TLBs are not modelled.
 */
import { PTE_ACCESSED, PTE_DIRTY, PTE_NX, PTE_PRESENT, PTE_RW, PTE_USER } from '@vmakit/core';
import type { FaultEnv } from './env.js';
import {
  classifyAddress,
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_USER,
  X86_PF_WRITE,
} from './error-code.js';
import { PTE_PKEY_SHIFT } from './page-table.js';
import { pkruAllowsRead, pkruAllowsWrite } from './pkru.js';

/** The kind of memory access. */
export type AccessKind = 'read' | 'write' | 'exec';

/** No fault: the access completed. */
export const ACCESS_OK = -1;

/**
 * A user-mode access to `addr`: ACCESS_OK (-1) when the page tables allow it, else the page-fault error
 * code. `pkru` is the thread's PKRU (ignored without OSPKE). O(1).
 */
export function hardwareAccess(
  env: FaultEnv,
  addr: number,
  access: AccessKind,
  pkru = env.defaultPkru,
): number {
  const base = X86_PF_USER | (access === 'write' ? X86_PF_WRITE : 0) | (access === 'exec' ? X86_PF_INSTR : 0);
  const cls = classifyAddress(addr);
  // Kernel pages are present but supervisor-only; non-canonical addresses raise #GP, which the fault
  // model classifies by address.
  if (cls === 'kernel') return base | X86_PF_PROT;
  if (cls !== 'user') return base;
  const pt = env.pt;
  const slot = pt.pteSlotOf(addr);
  const flags = slot < 0 ? 0 : pt.pteFlags[slot]!;
  if ((flags & PTE_PRESENT) === 0) return base;
  if ((flags & PTE_USER) === 0) return base | X86_PF_PROT;
  if (access === 'write' && (flags & PTE_RW) === 0) return base | X86_PF_PROT;
  if (access === 'exec' && (flags & PTE_NX) !== 0) return base | X86_PF_PROT;
  if (access !== 'exec' && env.mm.pkeysEnabled) {
    const key = (flags >> PTE_PKEY_SHIFT) & 0xf;
    const ok = access === 'write' ? pkruAllowsWrite(pkru, key) : pkruAllowsRead(pkru, key);
    if (!ok) return base | X86_PF_PROT | X86_PF_PK;
  }
  pt.pteFlags[slot] = flags | PTE_ACCESSED | (access === 'write' ? PTE_DIRTY : 0);
  return ACCESS_OK;
}
