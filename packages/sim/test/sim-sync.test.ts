/**
 * The synchronization models on their own: rwsem queueing (writer preference, trylock, reader batch
 * wake, downgrade), queued spinlocks, RCU grace periods, sequence counts, and the event queue's order.
 */
import { perVmaLockPlugin, spfCopyVmaPlugin } from '@vmakit/strategies';
import { describe, expect, it } from 'vitest';
import {
  EventQueue,
  MAX_READERS_WAKEUP,
  Rcu,
  RwSem,
  readSeq,
  runSim,
  SpinLock,
  seqStable,
  seqUnchanged,
} from '../src/index.js';
import { ebizzyPlugin } from '../src/workloads/index.js';
import { maplePlugin } from './sim-helpers.js';

describe('rwsem', () => {
  it('readers share, a writer excludes', () => {
    const l = new RwSem();
    expect(l.read(0)).toBe(true);
    expect(l.read(1)).toBe(true);
    expect(l.readers).toBe(2);
    expect(l.write(2)).toBe(false);
    expect(l.releaseRead(0)).toEqual([]);
    expect(l.releaseRead(1)).toEqual([{ cpu: 2, write: true }]);
    expect(l.writer).toBe(2);
  });

  it('a queued writer blocks new readers and makes down_read_trylock fail', () => {
    const l = new RwSem();
    expect(l.read(0)).toBe(true);
    expect(l.write(1)).toBe(false);
    expect(l.tryRead(2)).toBe(false);
    expect(l.read(3)).toBe(false);
    expect(l.waiting).toBe(2);
    // The reader leaves: the writer is handed the lock, the reader behind it still waits.
    expect(l.releaseRead(0)).toEqual([{ cpu: 1, write: true }]);
    expect(l.releaseWrite(1)).toEqual([{ cpu: 3, write: false }]);
    expect(l.readers).toBe(1);
  });

  it('trylock succeeds only when free of writers and waiters', () => {
    const l = new RwSem();
    expect(l.tryRead(0)).toBe(true);
    expect(l.tryWrite(1)).toBe(false);
    l.releaseRead(0);
    expect(l.tryWrite(1)).toBe(true);
    expect(l.tryRead(0)).toBe(false);
  });

  it('a reader at the head wakes every queued reader, writers keep their place', () => {
    const l = new RwSem();
    expect(l.write(0)).toBe(true);
    l.read(1);
    l.write(2);
    l.read(3);
    const g = l.releaseWrite(0)!;
    expect(g.map((x) => x.cpu)).toEqual([1, 3]);
    expect(l.readers).toBe(2);
    expect(l.waiting).toBe(1);
    l.releaseRead(1);
    expect(l.releaseRead(3)).toEqual([{ cpu: 2, write: true }]);
  });

  it(`wakes at most ${MAX_READERS_WAKEUP} readers at once`, () => {
    const l = new RwSem();
    l.write(0);
    for (let c = 1; c <= MAX_READERS_WAKEUP + 5; c++) l.read(c);
    expect(l.releaseWrite(0)!.length).toBe(MAX_READERS_WAKEUP);
    expect(l.waiting).toBe(5);
  });

  it('downgrade keeps the holder as a reader and admits queued readers', () => {
    const l = new RwSem();
    l.write(0);
    l.read(1);
    expect(l.downgrade(0)).toEqual([{ cpu: 1, write: false }]);
    expect(l.readers).toBe(2);
    expect(l.readHeldBy(0)).toBe(true);
    // With a writer at the head nobody is woken.
    const m = new RwSem();
    m.write(0);
    m.write(1);
    m.read(2);
    expect(m.downgrade(0)).toEqual([]);
  });

  it('releases by a non-holder are reported', () => {
    const l = new RwSem();
    expect(l.releaseRead(0)).toBeNull();
    expect(l.releaseWrite(0)).toBeNull();
    expect(l.downgrade(0)).toBeNull();
  });
});

describe('spinlock', () => {
  it('serves waiters in arrival order; trylock fails while held or contended', () => {
    const l = new SpinLock();
    expect(l.lock(0)).toBe(true);
    expect(l.lock(1)).toBe(false);
    expect(l.lock(2)).toBe(false);
    expect(l.tryLock(3)).toBe(false);
    expect(l.unlock(0)).toBe(1);
    expect(l.holder).toBe(1);
    expect(l.unlock(1)).toBe(2);
    expect(l.unlock(2)).toBe(-1);
    expect(l.tryLock(3)).toBe(true);
    expect(l.unlock(0)).toBe(-2);
  });
});

describe('RCU', () => {
  it('a grace period waits for the readers that were inside when it started, and a minimum time', () => {
    const freed: number[] = [];
    const r = new Rcu(3, 100, (id) => freed.push(id));
    r.enter(0);
    r.enter(0);
    r.call(7, 0);
    expect(r.inProgress).toBe(true);
    // A reader entering after the start does not hold the grace period up.
    r.enter(1);
    expect(r.poll(200)).toBe(0);
    r.exit(0);
    expect(r.poll(200)).toBe(0);
    r.exit(0);
    expect(r.poll(50)).toBe(0);
    expect(r.poll(100)).toBe(1);
    expect(freed).toEqual([7]);
    expect(r.gracePeriods).toBe(1);
  });

  it('callbacks queued during a grace period wait for the next one', () => {
    const freed: number[] = [];
    const r = new Rcu(2, 0, (id) => freed.push(id));
    r.enter(0);
    r.call(1, 0);
    r.call(2, 0);
    r.exit(0);
    r.enter(1);
    r.poll(1);
    expect(freed).toEqual([1]);
    // The next grace period started while CPU 1 was inside: it must leave first.
    expect(r.poll(2)).toBe(0);
    r.exit(1);
    r.poll(3);
    expect(freed).toEqual([1, 2]);
    expect(r.deferred).toBe(2);
    expect(r.pending).toBe(0);
  });

  it('unbalanced rcu_read_unlock is reported', () => {
    const r = new Rcu(1, 0, () => {});
    expect(r.exit(0)).toBe(false);
  });
});

describe('sequence counts', () => {
  it('reads the mm counts; odd means a writer is in progress', () => {
    const mm = { mmapSeq: 3, mmLockSeq: 8 } as unknown as Parameters<typeof readSeq>[0];
    expect(readSeq(mm, 'mmap_seq')).toBe(3);
    expect(readSeq(mm, 'mm_lock_seq')).toBe(8);
    expect(seqStable(3)).toBe(false);
    expect(seqStable(4)).toBe(true);
    expect(seqUnchanged(mm, 'mmap_seq', 3)).toBe(true);
    expect(seqUnchanged(mm, 'mm_lock_seq', 7)).toBe(false);
  });
});

describe('sequence counts in a run', () => {
  it('speculative faults see mmap_seq odd during writers and changed after them', () => {
    const p = runSim({
      workload: ebizzyPlugin,
      cpus: 8,
      strategy: spfCopyVmaPlugin,
      index: maplePlugin,
      durationNs: 400_000,
    });
    expect(p.abort_reasons.SPF_ABORT_ODD).toBeGreaterThan(0);
    expect(
      (p.abort_reasons.SPF_ABORT_VMA_COPY ?? 0) + (p.abort_reasons.SPF_ABORT_PTE_MAP_LOCK_SEQ1 ?? 0),
    ).toBeGreaterThan(0);
    expect(p.violations).toBe(0);
  }, 30_000);

  it('per-VMA faults see VMAs write-marked (vm_lock_seq == mm_lock_seq) and fall back', () => {
    const p = runSim({
      workload: ebizzyPlugin,
      cpus: 8,
      strategy: perVmaLockPlugin,
      index: maplePlugin,
      durationNs: 400_000,
    });
    expect(p.vma_lock.abort).toBeGreaterThan(0);
    expect(p.faults_by_path['mmap-lock']).toBeGreaterThan(0);
    expect(p.vma_lock.success).toBeGreaterThan(p.vma_lock.abort);
  }, 30_000);
});

describe('event queue', () => {
  it('pops by time, ties in insertion order', () => {
    const q = new EventQueue(5);
    q.push(3, 10);
    q.push(1, 5);
    q.push(4, 10);
    q.push(0, 10);
    q.push(2, 1);
    const out: number[] = [];
    while (q.size > 0) out.push(q.pop());
    expect(out).toEqual([2, 1, 3, 4, 0]);
    expect(q.pop()).toBe(-1);
  });
});
