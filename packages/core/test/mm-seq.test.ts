/**
 * The write side of the mmap lock as MmStruct models it: mmap_seq (odd while a writer holds the
 * lock), mm_lock_seq (advanced when the lock is released, which releases every VMA write lock),
 * vma_start_write() marks where v6.12 makes them, and the order of index publication and observer
 * notifications.
 */

import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { EINVAL, type MmObserver, MmStruct, PAGE_SIZE, uapi, type Vma, VmakitError } from '../src/index.js';

const P = PAGE_SIZE;
const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const R = uapi.PROT_READ;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;
const A = 0x10000000;

function mk(): MmStruct {
  return new MmStruct(new ReferenceIndex<Vma>({ checked: true }), { startBrk: 0x555555559000 });
}

const span = (v: Vma): string => `${v.start.toString(16)}-${v.end.toString(16)}`;

/** Watches one system call: the VMAs write-marked, and what held while the lock was taken. */
function watch(mm: MmStruct) {
  const marked: Vma[] = [];
  const events: string[] = [];
  let seqWhileLocked = -1;
  const lockedAtUnlock: boolean[] = [];
  const obs: MmObserver = {
    writeLocked: () => {
      seqWhileLocked = mm.mmapSeq;
      events.push('lock');
    },
    vmaStartWrite: (v) => {
      marked.push(v);
      expect(v.lockSeq).toBe(mm.mmLockSeq);
      expect(mm.writeLocked).toBe(true);
    },
    writeUnlocking: () => {
      events.push('unlock');
      for (const v of marked) lockedAtUnlock.push(v.lockSeq === mm.mmLockSeq);
    },
    vmaDetached: (v) => {
      events.push(`detached ${span(v)}`);
      // Freed only once the index no longer holds it, for locked and lockless lookups alike.
      expect(v.detached).toBe(true);
      expect(mm.index.lookup(v.start)).not.toBe(v);
      const reader = mm.index.openReader();
      expect(reader.lookup(v.start)).not.toBe(v);
      reader.close();
    },
    zapRange: (s, e, why) => events.push(`zap ${s.toString(16)}-${e.toString(16)} ${why}`),
    changeProtection: (s, e) => events.push(`protect ${s.toString(16)}-${e.toString(16)}`),
  };
  const stop = mm.observe(obs);
  return {
    marked,
    events,
    get seqWhileLocked() {
      return seqWhileLocked;
    },
    lockedAtUnlock,
    stop,
  };
}

describe('mmap_seq and mm_lock_seq', () => {
  it('every write system call moves mmap_seq by two, odd while locked, and mm_lock_seq by one', () => {
    const mm = mk();
    const calls: Array<[string, () => number]> = [
      ['mmap', () => mm.mmap(A, 4 * P, RW, ANON | uapi.MAP_FIXED)],
      ['mprotect', () => mm.mprotect(A + P, P, R)],
      ['madvise DONTFORK', () => mm.madvise(A, P, uapi.MADV_DONTFORK)],
      ['mremap', () => mm.mremap(A, P, 2 * P, uapi.MREMAP_MAYMOVE)],
      ['munmap', () => mm.munmap(A, 4 * P)],
      ['brk', () => mm.brk(0x555555559000 + P)],
      ['mlock', () => mm.mlock(0x555555559000, P)],
      ['munlock', () => mm.munlock(0x555555559000, P)],
      ['mlockall', () => mm.mlockall(uapi.MCL_FUTURE)],
      ['munlockall', () => mm.munlockall()],
      // Failures found under the lock still took it.
      ['munmap misaligned', () => mm.munmap(A + 1, P)],
      ['mprotect hole', () => mm.mprotect(A + 64 * P, P, R)],
      ['mmap len 0', () => mm.mmap(0, 0, RW, ANON)],
    ];
    for (const [what, call] of calls) {
      const w = watch(mm);
      const seq = mm.mmapSeq;
      const lockSeq = mm.mmLockSeq;
      call();
      expect(w.seqWhileLocked % 2, what).toBe(1);
      expect(w.seqWhileLocked, what).toBe(seq + 1);
      expect(mm.mmapSeq, what).toBe(seq + 2);
      expect(mm.mmLockSeq, what).toBe(lockSeq + 1);
      expect(mm.writeLocked, what).toBe(false);
      w.stop();
    }
  });

  it('checks made before mmap_write_lock_killable() and read-side advice leave both counts alone', () => {
    const mm = mk();
    mm.mmap(A, 4 * P, RW, ANON | uapi.MAP_FIXED);
    const seq = mm.mmapSeq;
    const lockSeq = mm.mmLockSeq;
    expect(mm.mprotect(A + 1, P, R)).toBe(-EINVAL);
    expect(mm.mprotect(A, 0, R)).toBe(0);
    expect(mm.mprotect(A, P, 0x100)).toBe(-EINVAL);
    expect(mm.madvise(A, P, 6)).toBe(-EINVAL);
    expect(mm.madvise(A, P, uapi.MADV_DONTNEED)).toBe(0);
    expect(mm.madvise(A, P, uapi.MADV_WILLNEED)).toBe(0);
    expect(mm.madvise(A, P, uapi.MADV_POPULATE_WRITE)).toBe(0);
    expect(mm.mremap(A, P, P, uapi.MREMAP_FIXED)).toBe(-EINVAL);
    expect(mm.mremap(A, P, 0, 0)).toBe(-EINVAL);
    expect(mm.mlockall(0)).toBe(-EINVAL);
    expect(mm.mlock(A, P, 8)).toBe(-EINVAL);
    expect(mm.pkeyAlloc(1, 0)).toBe(-EINVAL);
    expect(mm.mmap(0, P, RW, uapi.MAP_PRIVATE)).toBe(-9);
    mm.anonVmaPrepare(mm.vmaLookup(A)!);
    expect(mm.mmapSeq).toBe(seq);
    expect(mm.mmLockSeq).toBe(lockSeq);
  });

  it('writeLock() groups calls: no extra sequence moves, VMA marks held until writeUnlock()', () => {
    const mm = mk();
    mm.writeLock();
    expect(() => mm.writeLock()).toThrow(VmakitError);
    const seq = mm.mmapSeq;
    expect(seq % 2).toBe(1);
    const lockSeq = mm.mmLockSeq;
    mm.mmap(A, 2 * P, RW, ANON | uapi.MAP_FIXED);
    mm.mprotect(A, P, R);
    expect(mm.mmapSeq).toBe(seq);
    expect(mm.mmLockSeq).toBe(lockSeq);
    expect(mm.vmas().every((v) => v.lockSeq === mm.mmLockSeq)).toBe(true);
    mm.writeUnlock();
    expect(mm.mmapSeq).toBe(seq + 1);
    expect(mm.mmLockSeq).toBe(lockSeq + 1);
    expect(mm.vmas().some((v) => v.lockSeq === mm.mmLockSeq)).toBe(false);
    expect(() => mm.writeUnlock()).toThrow(VmakitError);
  });
});

describe('vma_start_write() marks', () => {
  it('a new mapping marks only itself; a merge marks the VMA it expands', () => {
    const mm = mk();
    let w = watch(mm);
    mm.mmap(A, 2 * P, RW, ANON | uapi.MAP_FIXED);
    expect(w.marked.map(span)).toEqual(['10000000-10002000']);
    expect(w.lockedAtUnlock).toEqual([true]);
    w.stop();
    w = watch(mm);
    const first = mm.vmaLookup(A)!;
    mm.mmap(A + 2 * P, P, RW, ANON | uapi.MAP_FIXED);
    expect(w.marked).toEqual([first]);
    expect(span(first)).toBe('10000000-10003000');
    expect(first.lockSeq).not.toBe(mm.mmLockSeq);
    w.stop();
  });

  it('mprotect inside a VMA marks the VMA and both pieces split off it', () => {
    const mm = mk();
    mm.mmap(A, 4 * P, RW, ANON | uapi.MAP_FIXED);
    const orig = mm.vmaLookup(A)!;
    const w = watch(mm);
    mm.mprotect(A + P, 2 * P, R);
    expect(w.marked.length).toBe(3);
    expect(w.marked[0]).toBe(orig);
    expect(new Set(w.marked.map(span))).toEqual(
      new Set(['10000000-10001000', '10001000-10003000', '10003000-10004000']),
    );
    expect(w.events).toEqual(['lock', 'protect 10001000-10003000', 'unlock']);
  });

  it('munmap marks and detaches the VMAs it removes; page tables go before the VMAs are freed', () => {
    const mm = mk();
    mm.mmap(A, 2 * P, RW, ANON | uapi.MAP_FIXED);
    mm.mmap(A + 2 * P, 2 * P, R, ANON | uapi.MAP_FIXED);
    const [v1, v2] = mm.vmas();
    const version = mm.index.version;
    const w = watch(mm);
    mm.munmap(A + P, 3 * P);
    expect(w.marked).toContain(v1);
    expect(w.marked).toContain(v2);
    expect(w.events).toEqual([
      'lock',
      'zap 10001000-10002000 munmap',
      'zap 10002000-10004000 munmap',
      'detached 10001000-10002000',
      'detached 10002000-10004000',
      'unlock',
    ]);
    expect(v2!.detached).toBe(true);
    // __split_vma(new_below) gives the part that stays to a new VMA: the original object is the one
    // unmapped.
    expect(v1!.detached).toBe(true);
    expect(mm.vmaLookup(A)!.detached).toBe(false);
    expect(w.marked).toContain(mm.vmaLookup(A));
    // One published update per system call.
    expect(mm.index.version).toBe(version + 1);
  });

  it('a merge that deletes VMAs detaches them; stack growth marks the stack VMA', () => {
    const mm = mk();
    mm.mmap(A, P, RW, ANON | uapi.MAP_FIXED);
    mm.mmap(A + 2 * P, P, RW, ANON | uapi.MAP_FIXED);
    const right = mm.vmaLookup(A + 2 * P)!;
    const w = watch(mm);
    mm.mmap(A + P, P, RW, ANON | uapi.MAP_FIXED);
    expect(w.events).toEqual(['lock', 'detached 10002000-10003000', 'unlock']);
    expect(right.detached).toBe(true);
    expect(mm.mapCount).toBe(1);
    w.stop();

    const s = mm.mmap(0x20000000, P, RW, ANON | uapi.MAP_FIXED | uapi.MAP_GROWSDOWN);
    const stack = mm.vmaLookup(s)!;
    const w2 = watch(mm);
    const seq = mm.mmapSeq;
    expect(mm.expandStack(stack, s - 3 * P)).toBe(0);
    expect(w2.marked).toEqual([stack]);
    expect(mm.mmapSeq).toBe(seq + 2);
  });

  it('a failed call marks nothing when it fails before changing VMAs', () => {
    const mm = mk();
    const ro = { id: 9_000_001, path: '/ro', writable: false };
    const a = mm.mmap(0, 2 * P, R, uapi.MAP_SHARED, ro);
    const w = watch(mm);
    expect(mm.mprotect(a, 2 * P, RW)).toBe(-13);
    expect(w.marked).toEqual([]);
    expect(w.events).toEqual(['lock', 'unlock']);
  });
});
