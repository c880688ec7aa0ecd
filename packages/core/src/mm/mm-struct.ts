/**
 * MmStruct: an address space with the memory system calls of Linux v6.12, over any VmaIndex.
 *
 * Each write-side system call runs as the kernel's does: mmap_write_lock() (mmap_seq odd), one index
 * update bracket (beginUpdate … publish) holding every VMA change, the page-table notifications
 * queued during the call (delivered once the update is published), mmap_write_unlock() (mm_lock_seq
 * advances, releasing every VMA write-marked meanwhile), then any population the kernel performs after
 * dropping the lock (MAP_POPULATE, MAP_LOCKED, mlock). madvise advice that the kernel handles under the
 * read lock (MADV_DONTNEED, MADV_FREE, ...) takes no write lock and moves no sequence count.
 *
 * When the caller already holds the write lock (writeLock()), system calls run inside it without
 * taking it again.
 */
import { PAGE_SIZE } from '../constants.js';
import { EAGAIN, EEXIST, EFAULT, ENOMEM } from '../errno.js';
import { VmakitError } from '../errors.js';
import { MCL_CURRENT } from '../uapi.js';
import { VM_LOCKED } from '../vm-flags.js';
import { type AnonVma, type FileRef, Vma, type VmaInit } from '../vma.js';
import type { VmaIndex } from '../vma-index.js';
import { vmStatAccount } from './accounting.js';
import { anonVmaPrepare } from './anon-vma.js';
import type { MmApi, MmConfig } from './api.js';
import { intArg, u64 } from './arith.js';
import { brkSyscall } from './brk.js';
import { doMadvise } from './madvise.js';
import {
  doMlockall,
  doMlockLocked,
  doMunlock,
  doMunlockall,
  mlock2Flags,
  mlockAllowed,
  mlockRange,
} from './mlock.js';
import { MmState } from './mm-state.js';
import { doMmap } from './mmap.js';
import { doMprotectPkey } from './mprotect.js';
import { mremapSyscall } from './mremap.js';
import { munmapSyscall } from './munmap.js';
import { pkeyAllocSyscall, pkeyFreeSyscall } from './pkeys.js';
import { mmPopulate } from './populate.js';
import { expandDownwards } from './stack.js';

/** -EFAULT from get_user_pages becomes -ENOMEM for mlock (__mlock_posix_error_return()). */
function mlockPosixError(err: number): number {
  if (err === -EFAULT) return -ENOMEM;
  if (err === -ENOMEM) return -EAGAIN;
  return err;
}

/**
 * An address space (`struct mm_struct`) with Linux semantics. Construct it over an empty index (or
 * one whose VMAs were installed through this object) and drive it with the system calls; every
 * result is the kernel's: the address or 0 on success, `-errno` on failure.
 *
 * Complexity: each system call costs O(k) index operations for the k VMAs it touches, plus one or
 * two gap searches for placement.
 */
export class MmStruct extends MmState implements MmApi {
  /** Error of the last post-unlock population that did not ignore errors (mlock). */
  private lastPopulateError = 0;

  constructor(index: VmaIndex<Vma>, config: MmConfig = {}) {
    super(index, config);
    if (index.size !== 0) {
      throw new VmakitError(`MmStruct: the index must start empty (it holds ${index.size} ranges)`);
    }
  }

  /**
   * Run one system call. `fn` takes the write lock (lockForWrite()) at the point the kernel does, if
   * at all; afterwards the index update is published, queued notifications are delivered, the lock
   * is released if this call took it, and post-unlock population runs.
   */
  private syscall(fn: () => number): number {
    let result: number;
    try {
      result = fn();
    } finally {
      if (this.opInUpdate) {
        this.opInUpdate = false;
        this.index.publish();
      }
      try {
        this.flushPending();
      } finally {
        if (this.opTookLock) {
          this.opTookLock = false;
          this.writeUnlock();
        }
      }
    }
    this.runPostUnlock();
    return result;
  }

  /**
   * Run the populate requests queued by the last operation, without the write lock; remember the
   * first error of one that does not ignore errors (mlock reports it).
   */
  private runPostUnlock(): void {
    this.lastPopulateError = 0;
    for (const p of this.takePostUnlock()) {
      const r = mmPopulate(this, p.start, p.len, p.ignoreErrors);
      if (r < 0 && this.lastPopulateError === 0) this.lastPopulateError = r;
    }
  }

  /**
   * mmap(2) with the offset in pages (mmap_pgoff); `file` stands for the descriptor (an MmFile may
   * say how it was opened). See doMmap() in mmap.ts.
   */
  mmap(
    addr: number,
    len: number,
    prot: number,
    flags: number,
    file: FileRef | null = null,
    pgoff = 0,
  ): number {
    addr = u64(addr, 'mmap addr');
    len = u64(len, 'mmap len');
    pgoff = u64(pgoff, 'mmap pgoff');
    prot = intArg(prot, 'mmap prot');
    flags = intArg(flags, 'mmap flags');
    return this.syscall(() => doMmap(this, addr, len, prot, flags, file, pgoff));
  }

  /** munmap(2): do_vmi_munmap() under the write lock. */
  munmap(addr: number, len: number): number {
    addr = u64(addr, 'munmap addr');
    len = u64(len, 'munmap len');
    return this.syscall(() => munmapSyscall(this, addr, len));
  }

  /** mprotect(2): do_mprotect_pkey() with pkey -1. */
  mprotect(addr: number, len: number, prot: number): number {
    return this.pkeyMprotectInner(addr, len, prot, -1, 'mprotect');
  }

  /** pkey_mprotect(2): the key must come from pkeyAlloc() (or be 0 with OSPKE), else -EINVAL. */
  pkeyMprotect(addr: number, len: number, prot: number, pkey: number): number {
    return this.pkeyMprotectInner(addr, len, prot, pkey, 'pkey_mprotect');
  }

  private pkeyMprotectInner(addr: number, len: number, prot: number, pkey: number, what: string): number {
    addr = u64(addr, `${what} addr`);
    len = u64(len, `${what} len`);
    prot = intArg(prot, `${what} prot`);
    pkey = intArg(pkey, `${what} pkey`, false);
    return this.syscall(() => doMprotectPkey(this, addr, len, prot, pkey));
  }

  /** pkey_alloc(2): the lowest free key, -ENOSPC when none (always without OSPKE). */
  pkeyAlloc(flags: number, accessRights: number): number {
    flags = u64(flags, 'pkey_alloc flags');
    accessRights = u64(accessRights, 'pkey_alloc init_val');
    return this.syscall(() => pkeyAllocSyscall(this, flags, accessRights));
  }

  /** pkey_free(2): -EINVAL unless the key is allocated. */
  pkeyFree(pkey: number): number {
    pkey = intArg(pkey, 'pkey_free pkey', false);
    return this.syscall(() => pkeyFreeSyscall(this, pkey));
  }

  /** mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE / FIXED / DONTUNMAP). See mremap.ts. */
  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr = 0): number {
    oldAddr = u64(oldAddr, 'mremap old_address');
    oldLen = u64(oldLen, 'mremap old_size');
    newLen = u64(newLen, 'mremap new_size');
    newAddr = u64(newAddr, 'mremap new_address');
    flags = u64(flags, 'mremap flags');
    return this.syscall(() => mremapSyscall(this, oldAddr, oldLen, newLen, flags, newAddr));
  }

  /** brk(2): returns the new break, or the old one when refused. */
  brk(newBrk: number): number {
    newBrk = u64(newBrk, 'brk');
    return this.syscall(() => brkSyscall(this, newBrk));
  }

  /** madvise(2): flag-changing advice under the write lock, page advice under the read lock. */
  madvise(addr: number, len: number, advice: number): number {
    addr = u64(addr, 'madvise addr');
    len = u64(len, 'madvise len');
    advice = intArg(advice, 'madvise advice', false);
    return this.syscall(() => doMadvise(this, addr, len, advice));
  }

  /** mlock(2), or mlock2(2) with `flags` (MLOCK_ONFAULT); the range is populated after unlocking. */
  mlock(addr: number, len: number, flags = 0): number {
    addr = u64(addr, 'mlock addr');
    len = u64(len, 'mlock len');
    flags = intArg(flags, 'mlock2 flags');
    const vmFlags = mlock2Flags(flags);
    if (vmFlags < 0) return vmFlags;
    const allowed = mlockAllowed(this);
    if (allowed !== 0) return allowed;
    const r = mlockRange(addr, len);
    const err = this.syscall(() => {
      const e = doMlockLocked(this, r.start, r.len, vmFlags);
      // __mm_populate() runs after the lock is dropped; its error is mlock's result.
      if (e === 0) this.populateAfterUnlock(r.start, r.len, false);
      return e;
    });
    if (err !== 0) return err;
    return this.lastPopulateError !== 0 ? mlockPosixError(this.lastPopulateError) : 0;
  }

  /** munlock(2). */
  munlock(addr: number, len: number): number {
    addr = u64(addr, 'munlock addr');
    len = u64(len, 'munlock len');
    const r = mlockRange(addr, len);
    return this.syscall(() => doMunlock(this, r.start, r.len));
  }

  /** mlockall(2): MCL_CURRENT locks every VMA (and populates), MCL_FUTURE sets def_flags. */
  mlockall(flags: number): number {
    const f = intArg(flags, 'mlockall flags', false);
    return this.syscall(() => {
      const e = doMlockall(this, f);
      if (e === 0 && (f & MCL_CURRENT) !== 0) this.populateAfterUnlock(0, this.taskSize, true);
      return e;
    });
  }

  /** munlockall(2). */
  munlockall(): number {
    return this.syscall(() => doMunlockall(this));
  }

  /** find_vma(): the first VMA ending above `addr`. O(index lookup). */
  findVma(addr: number): Vma | null {
    return this.index.find(addr);
  }

  /** vma_lookup(): the VMA containing `addr`. O(index lookup). */
  vmaLookup(addr: number): Vma | null {
    return this.index.lookup(addr);
  }

  /** All VMAs in address order. O(n). */
  vmas(): Vma[] {
    const out: Vma[] = [];
    this.index.forEach(0, Number.MAX_SAFE_INTEGER, (_s, _e, v) => {
      out.push(v);
      return undefined;
    });
    return out;
  }

  /**
   * expand_stack(): take the write lock (unless held) and grow the VM_GROWSDOWN `vma` down to `addr`
   * (expand_downwards()). Throws for a VMA that is not in this address space.
   */
  expandStack(vma: Vma, addr: number): number {
    addr = u64(addr, 'expandStack addr');
    if (vma.detached || this.index.lookup(vma.start) !== vma) {
      throw new VmakitError(
        `expandStack: the VMA [0x${vma.start.toString(16)}, ...) is not in this address space`,
      );
    }
    return this.syscall(() => expandDownwards(this, vma, addr));
  }

  /**
   * anon_vma_prepare() as a first anonymous (or COW) write fault runs it, under the read lock: no
   * sequence count moves. Throws for a VMA that is not in this address space.
   */
  anonVmaPrepare(vma: Vma): AnonVma {
    if (vma.detached || this.index.lookup(vma.start) !== vma) {
      throw new VmakitError(
        `anonVmaPrepare: the VMA [0x${vma.start.toString(16)}, ...) is not in this address space`,
      );
    }
    return anonVmaPrepare(this, vma);
  }

  /**
   * Install a VMA as given (no merging, vm_stat accounting done), for loading a /proc/PID/maps
   * snapshot. -EEXIST when it overlaps a VMA; throws for a misaligned or empty range.
   */
  installVma(init: VmaInit): Vma | number {
    const { start, end } = init;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
      throw new VmakitError(`installVma: [${start}, ${end}) is not a valid range`);
    }
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0) {
      throw new VmakitError(
        `installVma: [0x${start.toString(16)}, 0x${end.toString(16)}) is not page aligned`,
      );
    }
    let made: Vma | null = null;
    const r = this.syscall(() => {
      this.lockForWrite();
      const v = this.index.find(start);
      if (v !== null && v.start < end) return -EEXIST;
      const vma = new Vma({ ...init, mm: this });
      this.vmaStartWrite(vma);
      this.index.insert(start, end, vma);
      this.mapCount++;
      vmStatAccount(this, vma.flags, vma.flagsHigh, vma.pages);
      if ((vma.flags & VM_LOCKED) !== 0) this.lockedVm += vma.pages;
      made = vma;
      return 0;
    });
    return r < 0 ? r : made!;
  }
}
