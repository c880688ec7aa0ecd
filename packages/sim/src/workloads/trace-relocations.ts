/**
 * Where a replayed mapping ended up when it could not be placed where the kernel put it. Replayed
 * threads interleave differently from the captured ones, so a range the kernel gave one thread can be
 * taken by another thread's mapping in the simulation; the replay then keeps the model's placement
 * and translates every later address inside the kernel's range (faults, munmap, mprotect, madvise,
 * mremap, MAP_FIXED) by the same offset.
 */
import { PAGE_SIZE } from '@vmakit/core';

interface Relocation {
  /** The kernel's range [kStart, kEnd). */
  readonly kStart: number;
  readonly kEnd: number;
  /** Where its first byte is in the simulation. */
  readonly mStart: number;
}

/** The relocations of one replay, shared by its threads. O(relocations) per lookup (they are few). */
export class Relocations {
  private list: Relocation[] = [];

  /** Number of live relocations. */
  get size(): number {
    return this.list.length;
  }

  /** The simulation's address of kernel address `addr`. */
  translate(addr: number): number {
    for (const r of this.list) if (addr >= r.kStart && addr < r.kEnd) return addr - r.kStart + r.mStart;
    return addr;
  }

  /** Kernel range [kStart, kStart + len) now lives at mStart (replacing what overlapped it). */
  add(kStart: number, len: number, mStart: number): void {
    const kEnd = kStart + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    this.clear(kStart, kEnd - kStart);
    if (mStart !== kStart) this.list.push({ kStart, kEnd, mStart });
  }

  /**
   * Kernel range [kStart, kStart + len) is gone or back in place: relocations lose that part (a
   * partial munmap keeps the rest of a relocated mapping relocated).
   */
  clear(kStart: number, len: number): void {
    const kEnd = kStart + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    const out: Relocation[] = [];
    for (const r of this.list) {
      if (r.kEnd <= kStart || r.kStart >= kEnd) {
        out.push(r);
        continue;
      }
      if (r.kStart < kStart) out.push({ kStart: r.kStart, kEnd: kStart, mStart: r.mStart });
      if (r.kEnd > kEnd) out.push({ kStart: kEnd, kEnd: r.kEnd, mStart: r.mStart + (kEnd - r.kStart) });
    }
    this.list = out;
  }
}
