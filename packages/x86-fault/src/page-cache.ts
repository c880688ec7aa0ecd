/**
 * A page cache keyed by (file id, page index): the address_space i_pages of each file, with its
 * size (i_size in pages) and the mmap read-around state (file_ra_state.mmap_miss) of mm/filemap.c.
 * Pages hold one reference for the cache and one per mapping PTE (FRAME_CACHE set, never anonymous).
 *
 * Shmem files (MAP_SHARED|MAP_ANONYMOUS objects, memfd, tmpfs) live here too: their pages are created
 * zero-filled on first fault (shmem_fault) instead of being read from storage.
 */
import { allocId, type FileRef, VmakitError } from '@vmakit/core';
import { FRAME_CACHE, FRAME_UPTODATE, type PhysMem } from './phys-mem.js';

/** MMAP_LOTSAMISS (mm/filemap.c): above this many misses, mmap read-around stops. */
export const MMAP_LOTSAMISS = 100;

/** The cache of one file. */
export interface CachedFile {
  /** The file's identity (FileRef.id). */
  readonly id: number;
  readonly shmem: boolean;
  /** i_size in pages (Infinity when the FileRef did not say). */
  readonly sizePages: number;
  /** Cached pages by index. */
  readonly pages: Map<number, number>;
  /** file->f_ra.mmap_miss. */
  mmapMiss: number;
  /** Object id of the mapping's xarray root, for cache-line accounting. */
  readonly objId: number;
}

/** The page caches of every file the address space maps. */
export class PageCache {
  private readonly files = new Map<number, CachedFile>();

  constructor(readonly phys: PhysMem) {}

  /** The cache of `ref`, created on first use. O(1). */
  of(ref: FileRef): CachedFile {
    let f = this.files.get(ref.id);
    if (f === undefined) {
      const size = ref.sizePages ?? Number.POSITIVE_INFINITY;
      if (!(size >= 0)) throw new VmakitError(`file '${ref.path}': sizePages ${ref.sizePages} is not >= 0`);
      f = {
        id: ref.id,
        shmem: ref.shmem === true,
        sizePages: size,
        pages: new Map(),
        mmapMiss: 0,
        objId: allocId(),
      };
      this.files.set(ref.id, f);
    }
    return f;
  }

  /** filemap_get_folio(): the cached page at `index`, or 0. O(1). */
  find(f: CachedFile, index: number): number {
    return f.pages.get(index) ?? 0;
  }

  /**
   * Add an up-to-date page at `index` (the caller has done, or will price, the read). Returns the frame
   * (refcount 1: the cache's reference), the existing frame when already cached, or 0 when the
   * allocator is out of pages. O(1).
   */
  insert(f: CachedFile, index: number): number {
    const have = f.pages.get(index);
    if (have !== undefined) return have;
    const frame = this.phys.alloc(FRAME_CACHE | FRAME_UPTODATE);
    if (frame === 0) return 0;
    this.phys.fileId[frame] = f.id;
    this.phys.index[frame] = index;
    f.pages.set(index, frame);
    return frame;
  }

  /**
   * Warm the cache: pretend pages [from, from + count) of `ref` (clipped to its size) were read
   * earlier, e.g. by another process. Returns how many pages were added. O(count).
   */
  warm(ref: FileRef, from: number, count: number): number {
    const f = this.of(ref);
    const end = Math.min(from + count, f.sizePages);
    let added = 0;
    for (let i = Math.max(0, from); i < end; i++) {
      if (f.pages.has(i)) continue;
      if (this.insert(f, i) === 0) break;
      added++;
    }
    return added;
  }

  /**
   * Drop unmapped pages of `ref` from the cache (like drop_caches / memory pressure); pages that are
   * mapped stay. Returns how many were dropped. O(cached pages).
   */
  evict(ref: FileRef): number {
    const f = this.files.get(ref.id);
    if (f === undefined) return 0;
    let dropped = 0;
    for (const [index, frame] of f.pages) {
      if (this.phys.mapcount[frame]! > 0 || this.phys.refcount[frame]! > 1) continue;
      f.pages.delete(index);
      this.phys.put(frame);
      dropped++;
    }
    return dropped;
  }

  /** True when `fileId` names a shmem object (for MM_SHMEMPAGES accounting). */
  isShmem(fileId: number): boolean {
    return this.files.get(fileId)?.shmem === true;
  }

  /** Number of cached pages of `ref`. */
  cachedPages(ref: FileRef): number {
    return this.files.get(ref.id)?.pages.size ?? 0;
  }

  /** Every file cache (for validators). */
  allFiles(): IterableIterator<CachedFile> {
    return this.files.values();
  }
}
