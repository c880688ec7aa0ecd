/**
 * The per-thread VMA cache (Davidlohr Bueso, "mm: per-thread vma caching", v3.15; mm/vmacache.c,
 * include/linux/vmacache.h, include/linux/mm_types_task.h; removed with the maple tree in v6.1).
 *
 * Each thread keeps 4 VMA pointers and the mm sequence number they were filled under. A lookup
 * checks all 4 slots, starting at the hashed one, for a VMA containing the address; an update after
 * a tree walk writes only the hashed slot. vmacache_invalidate() bumps the mm's sequence number; a
 * thread whose number differs flushes its slots on its next lookup (which therefore misses).
 * Without a thread id (a kernel thread, or a task working on a foreign mm) the cache is not used.
 *
 * Slots hold node handles and the hit check reads the node's current bounds, as the kernel reads
 * vm_start/vm_end of the cached VMA, so a node trimmed in place can never produce a wrong hit; a
 * node that leaves the tree always bumps the sequence number before its record can be reused.
 */
import { allocId, type IndexEntry } from '@vmakit/core';
import { type GapTree, NIL } from './gap-tree.js';

/** VMACACHE_SIZE = 1 << VMACACHE_BITS (2). */
export const VMACACHE_SIZE = 4;
const VMACACHE_MASK = VMACACHE_SIZE - 1;
/** sizeof(struct vmacache): a u64 seqnum and 4 pointers. */
export const VMACACHE_BYTES = 8 + VMACACHE_SIZE * 8;

/** One task's `struct vmacache`. */
interface ThreadCache {
  /** Names the cache's line for the probe. */
  readonly id: number;
  seqnum: number;
  readonly slots: Int32Array;
}

/** The mm-side sequence number plus every thread's cache, with the kernel's vmstat counters. */
export class Vmacache {
  /** mm->vmacache_seqnum. */
  seqnum = 0;
  /** VMACACHE_FIND_CALLS. */
  findCalls = 0;
  /** VMACACHE_FIND_HITS. */
  findHits = 0;
  private readonly threads = new Map<number, ThreadCache>();
  /** 2^VMACACHE_SHIFT, to hash addresses above 2^32 exactly. */
  private readonly divisor: number;

  /** `shift`: VMACACHE_SHIFT (PAGE_SHIFT = 12 before v5.1, PMD_SHIFT = 21 from v5.1). */
  constructor(shift: number) {
    this.divisor = 2 ** shift;
  }

  /** Threads that have used the cache. */
  get threadCount(): number {
    return this.threads.size;
  }

  /** VMACACHE_HASH(addr). ToInt32 keeps the low bits exact for integers below 2^53. */
  private hash(addr: number): number {
    return Math.floor(addr / this.divisor) & VMACACHE_MASK;
  }

  private thread(tid: number): ThreadCache {
    let c = this.threads.get(tid);
    if (c === undefined) {
      // A new task's first lookup always misses (its seqnum cannot match).
      c = { id: allocId(), seqnum: -1, slots: new Int32Array(VMACACHE_SIZE) };
      this.threads.set(tid, c);
    }
    return c;
  }

  /** vmacache_invalidate(): every thread's slots become stale. O(1). */
  invalidate(): void {
    this.seqnum++;
  }

  /** vmacache_find(): the cached node containing addr, or NIL. O(1). */
  find<E extends IndexEntry>(tree: GapTree<E>, tid: number, addr: number): number {
    this.findCalls++;
    const c = this.thread(tid);
    const probe = tree.probe;
    if (probe !== null) probe.read(c.id, 0);
    if (c.seqnum !== this.seqnum) {
      c.seqnum = this.seqnum;
      c.slots.fill(NIL);
      if (probe !== null) probe.write(c.id, 0);
      return NIL;
    }
    let idx = this.hash(addr);
    for (let k = 0; k < VMACACHE_SIZE; k++) {
      const n = c.slots[idx]!;
      if (n !== NIL) {
        if (probe !== null) tree.readNode(n);
        if (tree.start(n) <= addr && tree.end(n) > addr) {
          this.findHits++;
          return n;
        }
      }
      idx = (idx + 1) & VMACACHE_MASK;
    }
    return NIL;
  }

  /** vmacache_update(): remember node n in the slot addr hashes to. O(1). */
  update<E extends IndexEntry>(tree: GapTree<E>, tid: number, addr: number, n: number): void {
    const c = this.thread(tid);
    c.slots[this.hash(addr)] = n;
    if (tree.probe !== null) tree.probe.write(c.id, 0);
  }

  /** Calls fn(tid, slot, node) for every filled slot that a lookup could still trust. */
  forEachLiveSlot(fn: (tid: number, slot: number, node: number) => void): void {
    for (const [tid, c] of this.threads) {
      if (c.seqnum !== this.seqnum) continue;
      for (let s = 0; s < VMACACHE_SIZE; s++) {
        const n = c.slots[s]!;
        if (n !== NIL) fn(tid, s, n);
      }
    }
  }
}
