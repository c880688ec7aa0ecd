/**
 * Physical page frames with the parts of `struct page` / `struct folio` the fault paths consult:
 * reference count, map count, anonymous / exclusive (PageAnonExclusive), dirty, up-to-date, and for
 * page-cache pages the (file, index) they cache. Order-0 pages only (no THP / large folios).
 *
 * Frame 0 is the shared zero page (ZERO_PAGE / my_zero_pfn()): never allocated, never freed, never
 * reference-counted, as the kernel treats it through pte_special() mappings.
 */
import { allocId, VmakitError } from '@vmakit/core';

/** The shared zero page. */
export const ZERO_FRAME = 0;

/** folio_test_anon(). */
export const FRAME_ANON = 1 << 0;
/** PageAnonExclusive(): the anonymous page is mapped by exactly one process and may be reused. */
export const FRAME_EXCLUSIVE = 1 << 1;
/** folio_test_dirty(). */
export const FRAME_DIRTY = 1 << 2;
/** folio_test_uptodate(). */
export const FRAME_UPTODATE = 1 << 3;
/** In a page cache (mapping != NULL, not anonymous). */
export const FRAME_CACHE = 1 << 4;

/** Counters of the allocator. */
export interface PhysMemStats {
  /** Pages handed out (zero page excluded). */
  readonly allocated: number;
  /** Pages given back. */
  readonly freed: number;
  /** Pages in use now. */
  readonly inUse: number;
  /** Most pages in use at once. */
  readonly peak: number;
  /** Allocations refused because the limit was reached. */
  readonly failed: number;
}

/**
 * A pool of page frames with a free list. `limit` caps the frames in use (an allocation beyond it
 * fails, which the fault path turns into VM_FAULT_OOM). All operations O(1) amortised.
 */
export class PhysMem {
  /** Most frames that may be in use at once (Infinity for no limit). */
  readonly limit: number;
  refcount = new Int32Array(1024);
  mapcount = new Int32Array(1024);
  flags = new Uint8Array(1024);
  /** Page-cache owner: file id (0 for none). */
  fileId = new Float64Array(1024);
  /** Page-cache index (pgoff) or, for anonymous pages, the virtual page they were created for. */
  index = new Float64Array(1024);
  /** Object id of each frame's `struct page` cache line (0 until first asked for). */
  private objIds = new Float64Array(1024);
  private freeList = new Int32Array(1024);
  private freeTop = 0;
  /** Next never-used frame number. */
  private next = 1;
  private allocatedCount = 0;
  private freedCount = 0;
  private inUseCount = 0;
  private peakCount = 0;
  private failedCount = 0;

  constructor(limit = Number.POSITIVE_INFINITY) {
    if (!(limit >= 0)) throw new VmakitError(`PhysMem: limit ${limit} is not a non-negative number`);
    this.limit = limit;
  }

  private grow(min: number): void {
    let cap = this.refcount.length;
    while (cap <= min) cap *= 2;
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.refcount = grow32(this.refcount);
    this.mapcount = grow32(this.mapcount);
    const f = new Uint8Array(cap);
    f.set(this.flags);
    this.flags = f;
    this.fileId = grow64(this.fileId);
    this.index = grow64(this.index);
    this.objIds = grow64(this.objIds);
  }

  /**
   * Allocate a frame with refcount 1, mapcount 0 and the given flags; 0 (never a valid frame) when the
   * limit is reached.
   */
  alloc(flags: number): number {
    if (this.inUseCount >= this.limit) {
      this.failedCount++;
      return 0;
    }
    let f: number;
    if (this.freeTop > 0) f = this.freeList[--this.freeTop]!;
    else {
      f = this.next++;
      if (f >= this.refcount.length) this.grow(f);
    }
    this.refcount[f] = 1;
    this.mapcount[f] = 0;
    this.flags[f] = flags;
    this.fileId[f] = 0;
    this.index[f] = 0;
    this.allocatedCount++;
    this.inUseCount++;
    if (this.inUseCount > this.peakCount) this.peakCount = this.inUseCount;
    return f;
  }

  /** folio_get(). */
  get(f: number): void {
    if (f !== ZERO_FRAME) this.refcount[f]!++;
  }

  /** folio_put(): the frame is freed when the last reference goes. Returns true when freed. */
  put(f: number): boolean {
    if (f === ZERO_FRAME) return false;
    const r = --this.refcount[f]!;
    if (r > 0) return false;
    if (r < 0) throw new VmakitError(`PhysMem: frame ${f} put more often than got`);
    this.flags[f] = 0;
    this.mapcount[f] = 0;
    if (this.freeTop >= this.freeList.length) {
      const b = new Int32Array(this.freeList.length * 2);
      b.set(this.freeList);
      this.freeList = b;
    }
    this.freeList[this.freeTop++] = f;
    this.freedCount++;
    this.inUseCount--;
    return true;
  }

  /** True when `f` is a frame in use (or the zero page). */
  isLive(f: number): boolean {
    return f === ZERO_FRAME || (f > 0 && f < this.next && this.refcount[f]! > 0);
  }

  /** Object id of frame `f`'s struct page, for cache-line accounting. */
  objId(f: number): number {
    let id = this.objIds[f]!;
    if (id === 0) {
      id = allocId();
      this.objIds[f] = id;
    }
    return id;
  }

  /** Allocator counters. */
  stats(): PhysMemStats {
    return {
      allocated: this.allocatedCount,
      freed: this.freedCount,
      inUse: this.inUseCount,
      peak: this.peakCount,
      failed: this.failedCount,
    };
  }

  /** Upper bound (exclusive) of frame numbers ever handed out, for validators. */
  get frameLimit(): number {
    return this.next;
  }
}
