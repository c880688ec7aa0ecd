/**
 * access_error() against the rules of kernel-facts.md §5.2 (arch/x86/mm/fault.c, v6.12): hand-checked
 * rows, then every combination of the error-code bits it reads × VM_READ/WRITE/EXEC × shadow stack ×
 * PKRU states against a transcription of the rules.
 */
import { VM_EXEC, VM_READ, VM_WRITE, VMH_SHADOW_STACK, vmFlags } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  accessError,
  badAreaAccessFromPkeys,
  INIT_PKRU_VALUE,
  pkruAllowsPkey,
  pkruWithKeyAccess,
  X86_PF_INSTR,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_USER,
  X86_PF_WRITE,
} from '../src/index.js';

const U = X86_PF_USER;

function vma(flags: number, shadow = false, pkey = 0): { flags: number; flagsHigh: number } {
  return { flags, flagsHigh: vmFlags.withPkey(shadow ? VMH_SHADOW_STACK : 0, pkey) };
}

describe('access_error rows', () => {
  const rw = vma(VM_READ | VM_WRITE);
  const ro = vma(VM_READ);
  const none = vma(0);
  const xo = vma(VM_EXEC);
  const ss = vma(VM_READ | VM_WRITE, true);
  const rows: Array<[string, number, { flags: number; flagsHigh: number }, boolean]> = [
    ['read not-present of rw', U, rw, false],
    ['write not-present of rw', U | X86_PF_WRITE, rw, false],
    ['write present (COW) of rw', U | X86_PF_WRITE | X86_PF_PROT, rw, false],
    ['write of ro', U | X86_PF_WRITE, ro, true],
    ['read present with PROT', U | X86_PF_PROT, rw, true],
    ['read of PROT_NONE', U, none, true],
    ['fetch not-present of exec-only', U | X86_PF_INSTR, xo, false],
    ['fetch not-present of a non-exec VMA (NX is the hardware’s job)', U | X86_PF_INSTR, ro, false],
    ['fetch from NX page (PROT)', U | X86_PF_INSTR | X86_PF_PROT, ro, true],
    ['PK always', U | X86_PF_PK, rw, true],
    ['SGX always', U | X86_PF_SGX, rw, true],
    ['shadow-stack access to shadow stack', U | X86_PF_SHSTK, ss, false],
    ['shadow-stack access to normal VMA', U | X86_PF_SHSTK, rw, true],
    ['normal write to shadow stack', U | X86_PF_WRITE, ss, true],
    ['normal read of shadow stack', U, ss, false],
  ];
  for (const [name, ec, v, want] of rows) {
    it(name, () => expect(accessError(ec, v, 0)).toBe(want));
  }

  it('pkeys: the VMA key is checked for data accesses, never for fetches', () => {
    const k = vma(VM_READ | VM_WRITE | VM_EXEC, false, 3);
    expect(accessError(U, k, INIT_PKRU_VALUE)).toBe(true);
    expect(accessError(U | X86_PF_INSTR, k, INIT_PKRU_VALUE)).toBe(false);
    const wd = pkruWithKeyAccess(0, 3, 2);
    expect(accessError(U, k, wd)).toBe(false);
    expect(accessError(U | X86_PF_WRITE, k, wd)).toBe(true);
    expect(badAreaAccessFromPkeys(U | X86_PF_WRITE, k, wd, true)).toBe(true);
    expect(badAreaAccessFromPkeys(U | X86_PF_WRITE, k, wd, false)).toBe(false);
    // Key 0 is never access-disabled by the initial PKRU.
    expect(accessError(U | X86_PF_WRITE, vma(VM_READ | VM_WRITE), INIT_PKRU_VALUE)).toBe(false);
  });
});

/** §5.2 transcribed: true when the access is an error. */
function oracle(ec: number, flags: number, shadow: boolean, pkru: number, key: number): boolean {
  const write = (ec & X86_PF_WRITE) !== 0;
  const fetch = (ec & X86_PF_INSTR) !== 0;
  if (ec & X86_PF_PK) return true; // 1
  if (ec & X86_PF_SGX) return true; // 2
  if (!fetch && !pkruAllowsPkey(pkru, key, write)) return true; // 3
  if (ec & X86_PF_SHSTK) return !(shadow && flags & VM_WRITE); // 4
  if (write) return shadow || !(flags & VM_WRITE); // 5
  if (ec & X86_PF_PROT) return true; // 6
  return (flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0; // 7, 8
}

describe('access_error exhaustive', () => {
  it('matches the §5.2 rules on every combination', () => {
    const bits = [X86_PF_PROT, X86_PF_WRITE, X86_PF_INSTR, X86_PF_PK, X86_PF_SHSTK, X86_PF_SGX];
    const pkrus = [0, INIT_PKRU_VALUE, pkruWithKeyAccess(0, 5, 2)];
    let n = 0;
    for (let m = 0; m < 1 << bits.length; m++) {
      let ec = U;
      bits.forEach((b, i) => {
        if (m & (1 << i)) ec |= b;
      });
      for (let f = 0; f < 8; f++) {
        const flags = (f & 1 ? VM_READ : 0) | (f & 2 ? VM_WRITE : 0) | (f & 4 ? VM_EXEC : 0);
        for (const shadow of [false, true]) {
          for (const key of [0, 5]) {
            for (const pkru of pkrus) {
              expect(
                accessError(ec, vma(flags, shadow, key), pkru),
                `ec=${ec} flags=${flags} ss=${shadow} key=${key}`,
              ).toBe(oracle(ec, flags, shadow, pkru, key));
              n++;
            }
          }
        }
      }
    }
    expect(n).toBe(64 * 8 * 2 * 2 * 3);
  });
});
