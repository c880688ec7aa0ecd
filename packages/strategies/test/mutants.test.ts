/**
 * The seeded protocol bugs: each mutant, in a scenario where a concurrent writer (played by the test
 * between two steps) makes the disabled check matter, ends with page tables the validator rejects
 * or a wrong signal — while the faithful strategy, in the same scenario, aborts and falls back.
 */
import { uapi, VM_MAYREAD, VM_MAYWRITE, VM_READ } from '@vmakit/core';
import { type FaultStrategy, type Step, validatePageTables } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { createPerVmaLockStrategy, createSpfCopyVmaStrategy } from '../src/index.js';
import { drive, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;
const MB = 1024 * 1024;

const isMmapAcquire = (s: Step) => s.op === 'acquire' && s.lock === 'mmap_lock';

/** An anonymous VMA with its first PTE table and anon_vma in place (so a fault can speculate). */
function warm(strategy: FaultStrategy) {
  const { mm, env } = setup();
  const a = ok(mm.mmap(0x40000000, 64 * 4096, RW, ANON | uapi.MAP_FIXED));
  drive(strategy, env, { addr: a, errorCode: WRITE });
  return { mm, env, a };
}

describe('spf mutants', () => {
  /** mprotect(PROT_READ) of the VMA right after the fault copied it. */
  function mprotectAfterCopy(strategy: FaultStrategy) {
    const { mm, env, a } = warm(strategy);
    const r = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
      if (s.op === 'vma-copy') ok(mm.mprotect(a, 64 * 4096, uapi.PROT_READ));
      return undefined;
    });
    return { ...r, problems: validatePageTables(env) };
  }

  it('skip-vma-copy-seq-check: caught later by pte_map_lock; with skip-pte-seq-check too, a writable PTE in a read-only VMA', () => {
    const faithful = mprotectAfterCopy(createSpfCopyVmaStrategy());
    expect(faithful.result).toMatchObject({ outcome: 'sigsegv', abort: 'SPF_ABORT_VMA_COPY' });
    expect(faithful.problems).toEqual([]);
    const one = mprotectAfterCopy(createSpfCopyVmaStrategy({ skipVmaCopySeqCheck: true }));
    expect(one.result).toMatchObject({ outcome: 'sigsegv', abort: 'SPF_ABORT_PTE_MAP_LOCK_SEQ1' });
    expect(one.problems).toEqual([]);
    const both = mprotectAfterCopy(
      createSpfCopyVmaStrategy({ skipVmaCopySeqCheck: true, skipPteSeqCheck: true }),
    );
    expect(both.result).toMatchObject({ outcome: 'handled', path: 'spf' });
    expect(both.problems.join('\n')).toMatch(/protection bits|writable in a VMA without VM_WRITE/);
  });

  it('skip-pte-seq-check: a PTE installed after munmap finished with the range', () => {
    const run = (strategy: FaultStrategy) => {
      const { mm, env, a } = warm(strategy);
      // A neighbour in the same PTE table keeps the table alive across the munmap.
      const b = ok(mm.mmap(a + 128 * 4096, 4096, RW, ANON | uapi.MAP_FIXED));
      drive(strategy, env, { addr: b, errorCode: WRITE });
      const r = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
        if (s.op === 'acquire' && s.lock === 'ptl' && s.mode === 'spin-try') ok(mm.munmap(a, 64 * 4096));
        return undefined;
      });
      return { ...r, problems: validatePageTables(env) };
    };
    const faithful = run(createSpfCopyVmaStrategy());
    expect(faithful.result).toMatchObject({ outcome: 'sigsegv', abort: 'SPF_ABORT_PTE_MAP_LOCK_SEQ2' });
    expect(faithful.problems).toEqual([]);
    const mutant = run(createSpfCopyVmaStrategy({ skipPteSeqCheck: true }));
    expect(mutant.result).toMatchObject({ outcome: 'handled', path: 'spf' });
    expect(mutant.problems.join('\n')).toMatch(/outside every VMA/);
  });

  it('accept-odd-seq: speculating inside a writer’s critical section', () => {
    const run = (strategy: FaultStrategy) => {
      const { mm, env, a } = warm(strategy);
      const vma = mm.vmaLookup(a)!;
      const r = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
        if (s.op === 'seq-read' && !mm.writeLocked && env.vmstat.get('spf_attempt') === 2) mm.writeLock();
        // The writer, mid-update, makes the VMA read-only after the fault copied it.
        if (s.op === 'vma-copy' && mm.writeLocked) vma.setFlags(VM_READ | VM_MAYREAD | VM_MAYWRITE);
        if (isMmapAcquire(s) && mm.writeLocked) mm.writeUnlock();
        return undefined;
      });
      if (mm.writeLocked) mm.writeUnlock();
      return { ...r, problems: validatePageTables(env) };
    };
    const faithful = run(createSpfCopyVmaStrategy());
    expect(faithful.result).toMatchObject({ abort: 'SPF_ABORT_ODD', path: 'mmap-lock' });
    expect(faithful.problems).toEqual([]);
    const mutant = run(createSpfCopyVmaStrategy({ acceptOddSeq: true }));
    expect(mutant.result).toMatchObject({ outcome: 'handled', path: 'spf' });
    expect(mutant.problems.join('\n')).toMatch(/writable in a VMA without VM_WRITE|protection bits/);
  });

  it('trust-lockless-miss: a walk that missed (unsafe index mid-restructure) becomes SIGSEGV', () => {
    for (const [strategy, mutant] of [
      [createSpfCopyVmaStrategy(), createSpfCopyVmaStrategy({ trustLocklessMiss: true })],
      [createPerVmaLockStrategy(), createPerVmaLockStrategy({ trustLocklessMiss: true })],
    ] as const) {
      const { mm, env } = setup({ missingReader: true });
      const a = ok(mm.mmap(0, 4096, RW, ANON));
      expect(drive(strategy, env, { addr: a, errorCode: READ }).result.outcome).toBe('handled');
      expect(drive(mutant, env, { addr: a, errorCode: READ }).result).toMatchObject({ outcome: 'sigsegv' });
    }
  });
});

describe('per-vma-lock mutant', () => {
  it('skip-vm-lock-seq-check: faulting under a VMA a writer is modifying', () => {
    const run = (strategy: FaultStrategy) => {
      const { mm, env } = setup();
      const a = ok(mm.mmap(0x40000000, 2 * MB, RW, ANON | uapi.MAP_FIXED));
      drive(strategy, env, { addr: a, errorCode: WRITE });
      const vma = mm.vmaLookup(a)!;
      const r = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
        if (s.op === 'rcu' && s.enter && !mm.writeLocked && env.vmstat.get('vma_lock_success') === 1) {
          mm.writeLock();
          mm.vmaStartWrite(vma);
        }
        // The writer changes the VMA while the fault is committing its PTE.
        if (s.op === 'acquire' && s.lock === 'ptl' && mm.writeLocked)
          vma.setFlags(VM_READ | VM_MAYREAD | VM_MAYWRITE);
        if (s.op === 'acquire' && s.lock === 'mmap_lock' && s.mode === 'read' && mm.writeLocked)
          mm.writeUnlock();
        return undefined;
      });
      if (mm.writeLocked) mm.writeUnlock();
      return { ...r, problems: validatePageTables(env) };
    };
    const faithful = run(createPerVmaLockStrategy());
    expect(faithful.result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'vma_lock_abort' });
    expect(faithful.problems).toEqual([]);
    const mutant = run(createPerVmaLockStrategy({ skipVmLockSeqCheck: true }));
    expect(mutant.result).toMatchObject({ outcome: 'handled', path: 'vma-lock' });
    expect(mutant.problems.join('\n')).toMatch(/writable in a VMA without VM_WRITE|protection bits/);
  });
});
