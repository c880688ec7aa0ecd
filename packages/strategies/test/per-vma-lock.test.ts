/**
 * The per-VMA-lock strategy (v6.12 and v6.4 variants): success without mmap_lock, vma_lock_abort on a
 * write-marked VMA or a busy VMA lock, vma_lock_miss on a VMA detached after the walk, vma_lock_retry
 * when the fault handler needs the mmap lock (anon_vma) or drops the VMA lock for I/O, signals from
 * the fast path, and the writer side's marking through MmStruct.
 */
import { allocId, uapi } from '@vmakit/core';
import { assertPageTablesValid, SEGV_ACCERR, type Step } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { createPerVmaLockStrategy } from '../src/index.js';
import { drive, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;
const vl = createPerVmaLockStrategy();
const vl64 = createPerVmaLockStrategy({ kernel: 'v6.4' });

const isLockSeqRead = (s: Step) => s.op === 'seq-read' && s.seq === 'mm_lock_seq';
const isMmapAcquire = (s: Step) => s.op === 'acquire' && s.lock === 'mmap_lock';
const isVmaTry = (s: Step) => s.op === 'acquire' && s.lock === 'vma_lock';

describe('per-vma-lock (v6.12)', () => {
  it('handles a fault under the VMA lock without touching mmap_lock', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    drive(vl, env, { addr: a, errorCode: WRITE });
    const { result, steps } = drive(vl, env, { addr: a + 4096, errorCode: WRITE });
    expect(result).toMatchObject({ outcome: 'handled', path: 'vma-lock', abort: null });
    expect(steps.some(isMmapAcquire)).toBe(false);
    expect(
      steps.filter((s) => s.op === 'acquire' && s.lock === 'vma_lock' && s.mode === 'read-try'),
    ).toHaveLength(1);
    expect(env.vmstat.get('vma_lock_success')).toBe(2);
    assertPageTablesValid(env);
  });

  it('the first anonymous write prepares the anon_vma under a tried mmap read lock', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const { result, steps } = drive(vl, env, { addr: a, errorCode: WRITE });
    expect(result.path).toBe('vma-lock');
    expect(steps.some((s) => s.op === 'acquire' && s.lock === 'mmap_lock' && s.mode === 'read-try')).toBe(
      true,
    );
    expect(mm.vmaLookup(a)?.anonVma).not.toBeNull();
  });

  it('vma_lock_retry when that trylock fails: the mmap_lock path finishes the fault', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const { result } = drive(vl, env, { addr: a, errorCode: WRITE }, (s) =>
      s.op === 'acquire' && s.lock === 'mmap_lock' && s.mode === 'read-try' ? false : undefined,
    );
    expect(result).toMatchObject({
      outcome: 'handled',
      path: 'mmap-lock',
      abort: 'vma_lock_retry',
      major: false,
    });
    expect(env.vmstat.get('vma_lock_retry')).toBe(1);
    expect(env.vmstat.get('pgfault')).toBe(1);
  });

  it('vma_lock_abort when a writer has marked the VMA (vm_lock_seq == mm_lock_seq)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const vma = mm.vmaLookup(a)!;
    const { result } = drive(vl, env, { addr: a, errorCode: WRITE }, (s) => {
      if (isLockSeqRead(s) && !mm.writeLocked) {
        mm.writeLock();
        mm.vmaStartWrite(vma);
      }
      if (isMmapAcquire(s) && mm.writeLocked) mm.writeUnlock();
      return undefined;
    });
    expect(result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'vma_lock_abort' });
    expect(env.vmstat.get('vma_lock_abort')).toBe(1);
  });

  it('vma_lock_abort when the VMA lock is busy, and for an address in a hole', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const busy = drive(vl, env, { addr: a, errorCode: READ }, (s) =>
      isVmaTry(s) ? false : undefined,
    ).result;
    expect(busy).toMatchObject({ outcome: 'handled', abort: 'vma_lock_abort' });
    const hole = drive(vl, env, { addr: a + 8 * 4096, errorCode: READ }).result;
    expect(hole).toMatchObject({ outcome: 'sigsegv', abort: 'vma_lock_abort' });
    expect(env.vmstat.get('vma_lock_abort')).toBe(2);
  });

  it('vma_lock_miss when the VMA was detached after the walk: walk again', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const vma = mm.vmaLookup(a)!;
    const { result } = drive(vl, env, { addr: a, errorCode: READ }, (s) => {
      if (isVmaTry(s) && env.vmstat.get('vma_lock_miss') === 0) vma.detached = true;
      if (s.op === 'release' && s.lock === 'vma_lock') vma.detached = false;
      return undefined;
    });
    expect(result).toMatchObject({ outcome: 'handled', path: 'vma-lock' });
    expect(env.vmstat.get('vma_lock_miss')).toBe(1);
    expect(env.vmstat.get('vma_lock_success')).toBe(1);
  });

  it('an access error is signalled from the fast path (counted as success)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, uapi.PROT_READ, ANON));
    const { result, steps } = drive(vl, env, { addr: a, errorCode: WRITE });
    expect(result).toMatchObject({ outcome: 'sigsegv', code: SEGV_ACCERR, path: 'vma-lock' });
    expect(steps.some(isMmapAcquire)).toBe(false);
    expect(env.vmstat.get('vma_lock_success')).toBe(1);
  });

  it('a major file fault drops the VMA lock for I/O: vma_lock_retry, then a TRIED mmap_lock fault', () => {
    const { mm, env } = setup();
    const f = { id: allocId(), path: '/data/big', sizePages: 64 };
    const p = ok(mm.mmap(0, 64 * 4096, uapi.PROT_READ, uapi.MAP_PRIVATE, f, 0));
    const { result } = drive(vl, env, { addr: p, errorCode: READ });
    expect(result).toMatchObject({
      outcome: 'handled',
      path: 'mmap-lock',
      abort: 'vma_lock_retry',
      major: true,
    });
    expect(result.retries).toBe(0);
    expect(env.vmstat.get('pgmajfault')).toBe(1);
    expect(env.vmstat.get('maj_flt')).toBe(1);
    // Cached now: handled under the VMA lock.
    expect(drive(vl, env, { addr: p + 4096, errorCode: READ }).result.path).toBe('vma-lock');
    assertPageTablesValid(env);
  });

  it('a shared file write completes under the VMA lock (VM_FAULT_COMPLETED releases it)', () => {
    const { mm, env } = setup();
    const f = { id: allocId(), path: '/data/s', sizePages: 4 };
    env.cache.warm(f, 0, 4);
    const s = ok(mm.mmap(0, 4 * 4096, RW, uapi.MAP_SHARED, f, 0));
    expect(drive(vl, env, { addr: s, errorCode: WRITE }).result).toMatchObject({
      outcome: 'handled',
      path: 'vma-lock',
    });
    expect(env.vmstat.get('vma_lock_success')).toBe(1);
  });
});

describe('per-vma-lock (v6.4)', () => {
  it('refuses file VMAs and anonymous VMAs without an anon_vma', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4 * 4096, RW, ANON));
    expect(drive(vl64, env, { addr: a, errorCode: WRITE }).result).toMatchObject({ abort: 'vma_lock_abort' });
    expect(drive(vl64, env, { addr: a + 4096, errorCode: WRITE }).result).toMatchObject({ path: 'vma-lock' });
    const f = { id: allocId(), path: '/lib/l.so', sizePages: 4 };
    env.cache.warm(f, 0, 4);
    const p = ok(mm.mmap(0, 4 * 4096, uapi.PROT_READ, uapi.MAP_PRIVATE, f, 0));
    expect(drive(vl64, env, { addr: p, errorCode: READ }).result).toMatchObject({ abort: 'vma_lock_abort' });
  });

  it('falls back on an access error instead of signalling', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, uapi.PROT_READ, ANON));
    drive(vl64, env, { addr: a, errorCode: READ });
    const { result, steps } = drive(vl64, env, { addr: a, errorCode: WRITE });
    expect(result).toMatchObject({ outcome: 'sigsegv', code: SEGV_ACCERR, path: 'mmap-lock' });
    expect(steps.some(isMmapAcquire)).toBe(true);
  });
});

describe('writer side', () => {
  it('every VMA a system call changes is marked while the write lock is held, released in bulk', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const vma = mm.vmaLookup(a)!;
    const marked: number[] = [];
    mm.observe({ vmaStartWrite: (v) => void marked.push(v.id) });
    ok(mm.mprotect(a, 4096, uapi.PROT_READ));
    expect(marked).toContain(vma.id);
    // After mmap_write_unlock() no VMA is marked: faults take the VMA lock again.
    expect(drive(vl, env, { addr: a + 4096, errorCode: WRITE }).result.path).toBe('vma-lock');
  });
});
