/**
 * Every abort path of the speculative strategies, provoked at its step by a test playing the
 * concurrent writer (or the contending CPU), with the reason counted, spf_abort counted, and the
 * fault finished on the mmap_lock path with the right outcome.
 */
import { allocId, uapi } from '@vmakit/core';
import {
  assertPageTablesValid,
  type FaultStrategy,
  SEGV_ACCERR,
  SEGV_MAPERR,
  type Step,
} from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { createSpfCopyAttrsStrategy, createSpfCopyVmaStrategy } from '../src/index.js';
import { drive, nth, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;

const isSeqCheck = (s: Step) => s.op === 'seq-check';
const isSeqRead = (s: Step) => s.op === 'seq-read';
const isMmapAcquire = (s: Step) => s.op === 'acquire' && s.lock === 'mmap_lock';

for (const strategy of [createSpfCopyVmaStrategy(), createSpfCopyAttrsStrategy()] as FaultStrategy[]) {
  describe(strategy.name, () => {
    /** An anonymous VMA whose first PTE table exists and which has its anon_vma. */
    function warm() {
      const { mm, env } = setup();
      const a = ok(mm.mmap(0x40000000, 64 * 4096, RW, ANON | uapi.MAP_FIXED));
      expect(drive(strategy, env, { addr: a, errorCode: WRITE }).result.outcome).toBe('handled');
      return { mm, env, a };
    }

    it('succeeds speculatively once the page tables and anon_vma exist', () => {
      const { env, a } = warm();
      const { result } = drive(strategy, env, { addr: a + 4096, errorCode: WRITE });
      expect(result).toMatchObject({ outcome: 'handled', path: 'spf', abort: null });
      expect(env.vmstat.get('spf_attempt')).toBe(2);
      expect(env.vmstat.get('spf_abort')).toBe(1);
      expect(env.vmstat.get('pgfault')).toBe(2);
      expect(env.vmstat.get('SPF_ATTEMPT_ANON')).toBe(1);
      assertPageTablesValid(env);
    });

    it('SPF_ABORT_PUD on an empty address space, SPF_ABORT_PMD in a new 2 MiB region', () => {
      const { env, a } = warm();
      expect(env.vmstat.get('SPF_ABORT_PUD')).toBe(1);
      const { result } = drive(strategy, env, { addr: a + 2 * 1024 * 1024 - 4096 * 0, errorCode: READ });
      expect(result.outcome).toBe('sigsegv');
      const { mm } = { mm: env.mm };
      ok(mm.mmap(0x40000000 + 2 * 1024 * 1024, 4096, RW, ANON | uapi.MAP_FIXED));
      const r = drive(strategy, env, { addr: 0x40000000 + 2 * 1024 * 1024, errorCode: READ }).result;
      expect(r).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'SPF_ABORT_PMD' });
    });

    it('SPF_ABORT_ODD when a writer holds the mmap lock', () => {
      const { mm, env, a } = warm();
      const { result } = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
        if (isSeqRead(s) && !mm.writeLocked) mm.writeLock();
        if (isMmapAcquire(s) && mm.writeLocked) mm.writeUnlock();
        return undefined;
      });
      expect(result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'SPF_ABORT_ODD' });
      expect(env.vmstat.get('SPF_ABORT_ODD')).toBe(1);
    });

    it('SPF_ABORT_UNMAPPED in a hole (then SEGV_MAPERR from the locked path)', () => {
      const { env, a } = warm();
      const { result } = drive(strategy, env, { addr: a + 64 * 4096, errorCode: READ });
      expect(result).toMatchObject({ outcome: 'sigsegv', code: SEGV_MAPERR, abort: 'SPF_ABORT_UNMAPPED' });
    });

    it('SPF_ABORT_NO_SPECULATE for shmem and for shared file writes', () => {
      const { mm, env } = warm();
      const s = ok(
        mm.mmap(0x40000000 + 64 * 4096, 4096, RW, uapi.MAP_SHARED | uapi.MAP_ANONYMOUS | uapi.MAP_FIXED),
      );
      expect(drive(strategy, env, { addr: s, errorCode: READ }).result.abort).toBe('SPF_ABORT_NO_SPECULATE');
      const f = { id: allocId(), path: '/data/f', sizePages: 4 };
      const p = ok(mm.mmap(0x40000000 + 80 * 4096, 4 * 4096, RW, uapi.MAP_SHARED | uapi.MAP_FIXED, f, 0));
      expect(drive(strategy, env, { addr: p, errorCode: WRITE }).result.abort).toBe('SPF_ABORT_NO_SPECULATE');
    });

    it('SPF_ABORT_VMA_COPY when a writer ran during the lookup and copy', () => {
      const { mm, env, a } = warm();
      const { result } = drive(
        strategy,
        env,
        { addr: a + 4096, errorCode: WRITE },
        nth(isSeqCheck, 0, () => {
          mm.writeLock();
          mm.writeUnlock();
          return undefined;
        }),
      );
      expect(result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'SPF_ABORT_VMA_COPY' });
    });

    it('SPF_ABORT_ACCESS_ERROR instead of a signal; the locked path signals', () => {
      const { mm, env } = warm();
      const r = ok(mm.mmap(0x40000000 + 64 * 4096, 4096, uapi.PROT_READ, ANON | uapi.MAP_FIXED));
      const { result } = drive(strategy, env, { addr: r, errorCode: WRITE });
      expect(result).toMatchObject({
        outcome: 'sigsegv',
        code: SEGV_ACCERR,
        abort: 'SPF_ABORT_ACCESS_ERROR',
      });
    });

    it('SPF_ABORT_ANON_VMA on the first anonymous write', () => {
      const { mm, env } = setup();
      const a = ok(mm.mmap(0x40000000, 64 * 4096, RW, ANON | uapi.MAP_FIXED));
      drive(strategy, env, { addr: a, errorCode: READ });
      const { result } = drive(strategy, env, { addr: a + 4096, errorCode: WRITE });
      expect(result).toMatchObject({ outcome: 'handled', abort: 'SPF_ABORT_ANON_VMA' });
      expect(mm.vmaLookup(a)?.anonVma).not.toBeNull();
    });

    it('SPF_ABORT_PTE_MAP_LOCK_SEQ1 / _SEQ2 when a writer runs before / while the PTE lock is taken', () => {
      for (const [k, reason] of [
        [1, 'SPF_ABORT_PTE_MAP_LOCK_SEQ1'],
        [2, 'SPF_ABORT_PTE_MAP_LOCK_SEQ2'],
      ] as const) {
        const { mm, env, a } = warm();
        const { result } = drive(
          strategy,
          env,
          { addr: a + 4096, errorCode: WRITE },
          nth(isSeqCheck, k, () => {
            mm.writeLock();
            mm.writeUnlock();
            return undefined;
          }),
        );
        expect(result).toMatchObject({ outcome: 'handled', abort: reason });
        expect(env.vmstat.get(reason)).toBe(1);
        assertPageTablesValid(env);
      }
    });

    it('SPF_ABORT_PTE_MAP_LOCK_PTL when the PTE lock is busy (no spinning)', () => {
      const { env, a } = warm();
      const { result } = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) =>
        s.op === 'acquire' && s.mode === 'spin-try' ? false : undefined,
      );
      expect(result).toMatchObject({ outcome: 'handled', abort: 'SPF_ABORT_PTE_MAP_LOCK_PTL' });
      expect(env.phys.stats().inUse).toBe(2);
      assertPageTablesValid(env);
    });

    it('SPF_ABORT_PTE_MAP_LOCK_PMD when the PTE table was replaced', () => {
      const { mm, env, a } = warm();
      ok(mm.madvise(a, 4096, uapi.MADV_DONTNEED));
      const { result } = drive(
        strategy,
        env,
        { addr: a + 4096, errorCode: WRITE },
        nth(isSeqCheck, 1, () => {
          // Another CPU freed and re-created the (empty) PTE table meanwhile.
          const pt = env.pt;
          const old = pt.pteTableOf(a);
          const slot = pt.parentSlot[old]!;
          pt.unlink(old);
          pt.freeTable(old);
          const t = pt.allocTable(0, pt.base[old]!);
          pt.link(slot, t);
          return undefined;
        }),
      );
      expect(result, JSON.stringify(result)).toMatchObject({
        outcome: 'handled',
        abort: 'SPF_ABORT_PTE_MAP_LOCK_PMD',
      });
      assertPageTablesValid(env);
    });

    it('SPF_ABORT_FAULT when the file page is not cached (the locked path reads it)', () => {
      const { mm, env } = setup();
      const f = { id: allocId(), path: '/data/big', sizePages: 1024 };
      const p = ok(mm.mmap(0x40000000, 1024 * 4096, uapi.PROT_READ, uapi.MAP_PRIVATE | uapi.MAP_FIXED, f, 0));
      drive(strategy, env, { addr: p, errorCode: READ });
      const { result } = drive(strategy, env, { addr: p + 300 * 4096, errorCode: READ });
      expect(result).toMatchObject({
        outcome: 'handled',
        major: true,
        abort: 'SPF_ABORT_FAULT',
        path: 'mmap-lock',
      });
      // A cached page is handled speculatively.
      expect(drive(strategy, env, { addr: p + 301 * 4096, errorCode: READ }).result).toMatchObject({
        path: 'spf',
        major: false,
      });
      assertPageTablesValid(env);
    });

    it('no speculation for single-threaded processes', () => {
      const { mm, env } = setup({ fault: { mmUsers: 1 } });
      const a = ok(mm.mmap(0, 4096, RW, ANON));
      drive(strategy, env, { addr: a, errorCode: WRITE });
      expect(env.vmstat.get('spf_attempt')).toBe(0);
    });
  });
}
