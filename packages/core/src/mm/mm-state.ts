/**
 * The state of `struct mm_struct` that the memory system calls read and write, the mmap write lock
 * with its two sequence counts, per-VMA write marking, and the observer fan-out. The system calls
 * themselves live in one file each (mmap.ts, munmap.ts, ...) as functions over an MmState; MmStruct
 * (mm-struct.ts) extends this class with the MmApi entry points.
 */
import {
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_RLIMIT_STACK,
  DEFAULT_STACK_GUARD_GAP,
  TASK_SIZE,
} from '../constants.js';
import { VmakitError } from '../errors.js';
import type { Vma, VmaOwner } from '../vma.js';
import type { VmaIndex } from '../vma-index.js';
import type { MmConfig, MmObserver, ZapReason } from './api.js';
import { legacyMmapBase, mmapBase } from './layout.js';

/** A page-table notification waiting for the index update to be published. */
type Pending =
  | { readonly kind: 'zap'; readonly start: number; readonly end: number; readonly reason: ZapReason }
  | { readonly kind: 'protect'; readonly start: number; readonly end: number; readonly vma: Vma }
  | { readonly kind: 'move'; readonly oldStart: number; readonly newStart: number; readonly len: number }
  | { readonly kind: 'populate'; readonly start: number; readonly end: number; readonly write: boolean }
  | { readonly kind: 'detached'; readonly vma: Vma };

/** A populate request made after the mmap lock is dropped (mm_populate()). */
interface PostUnlockPopulate {
  readonly start: number;
  readonly len: number;
  readonly ignoreErrors: boolean;
}

/**
 * mm_struct fields and the primitives every system call uses. All counters are in pages, as in the
 * kernel (total_vm, data_vm, exec_vm, stack_vm, locked_vm).
 */
export class MmState implements VmaOwner {
  readonly index: VmaIndex<Vma>;
  /** TASK_SIZE (also DEFAULT_MAP_WINDOW: 4-level paging). */
  readonly taskSize: number;
  /** mm->mmap_base: top of top-down allocations. */
  readonly mmapBase: number;
  /** mm->mmap_legacy_base: TASK_UNMAPPED_BASE, the start of bottom-up allocations. */
  readonly mmapLegacyBase: number;
  /** MMF_TOPDOWN. */
  readonly topDown: boolean;
  readonly mmapMinAddr: number;
  readonly stackGuardGap: number;
  readonly maxMapCount: number;
  readonly rlimitStack: number;
  readonly rlimitMemlock: number;
  readonly rlimitData: number;
  readonly rlimitAs: number;
  readonly capIpcLock: boolean;
  readonly capSysRawio: boolean;
  readonly pkeysEnabled: boolean;
  readonly thp: boolean;
  readonly fileThpAlign: boolean;
  readonly softDirty: boolean;
  readonly overcommitMemory: number;
  readonly startBrk: number;
  readonly startData: number;
  readonly endData: number;

  /** mm->brk. */
  brkValue: number;
  /** map_count, kept where the kernel updates it (vma_complete, vms_complete_munmap_vmas, ...). */
  mapCount = 0;
  totalVm = 0;
  dataVm = 0;
  execVm = 0;
  stackVm = 0;
  lockedVm = 0;
  /** mm->def_flags (VM_LOCKED / VM_LOCKONFAULT after mlockall(MCL_FUTURE)). */
  defFlags = 0;
  /** mm->context.pkey_allocation_map (bit n = key n allocated). */
  pkeyAllocationMap: number;
  /** mm->context.execute_only_pkey (-1: none yet). */
  executeOnlyPkey = -1;

  /** Lespinasse's mmap_seq: odd while a writer holds the lock. */
  mmapSeq = 0;
  /** mm_lock_seq: advanced when the write lock is released, which drops every VMA write lock. */
  mmLockSeq = 0;
  /** True while the mmap write lock is held. */
  writeLocked = false;

  /** The running system call took the write lock itself (and must release it). */
  protected opTookLock = false;
  /** The running system call opened an index update bracket. */
  protected opInUpdate = false;
  private readonly observers: MmObserver[] = [];
  private pending: Pending[] = [];
  private postUnlock: PostUnlockPopulate[] = [];

  constructor(index: VmaIndex<Vma>, config: MmConfig = {}) {
    this.index = index;
    this.taskSize = config.taskSize ?? TASK_SIZE;
    this.stackGuardGap = config.stackGuardGap ?? DEFAULT_STACK_GUARD_GAP;
    this.rlimitStack = config.rlimitStack ?? DEFAULT_RLIMIT_STACK;
    this.topDown = !(config.legacyLayout ?? false);
    this.mmapLegacyBase = legacyMmapBase(this.taskSize);
    this.mmapBase =
      config.mmapBase ??
      (this.topDown ? mmapBase(this.taskSize, this.rlimitStack, this.stackGuardGap) : this.mmapLegacyBase);
    this.mmapMinAddr = config.mmapMinAddr ?? DEFAULT_MMAP_MIN_ADDR;
    this.maxMapCount = config.maxMapCount ?? DEFAULT_MAX_MAP_COUNT;
    this.rlimitMemlock = config.rlimitMemlock ?? 8 * 1024 * 1024;
    this.rlimitData = config.rlimitData ?? Number.POSITIVE_INFINITY;
    this.rlimitAs = config.rlimitAs ?? Number.POSITIVE_INFINITY;
    this.capIpcLock = config.capIpcLock ?? false;
    this.capSysRawio = config.capSysRawio ?? false;
    this.pkeysEnabled = config.pkeys ?? false;
    this.thp = config.thp ?? true;
    this.fileThpAlign = config.fileThpAlign ?? true;
    this.softDirty = config.softDirty ?? false;
    this.overcommitMemory = config.overcommitMemory ?? 0;
    this.startBrk = config.startBrk ?? 0;
    this.brkValue = config.brk ?? this.startBrk;
    this.startData = config.startData ?? 0;
    this.endData = config.endData ?? 0;
    // init_new_context(): with OSPKE, key 0 is the default key and allocated implicitly.
    this.pkeyAllocationMap = this.pkeysEnabled ? 0x1 : 0;
    for (const [name, v] of Object.entries({
      taskSize: this.taskSize,
      mmapBase: this.mmapBase,
      mmapMinAddr: this.mmapMinAddr,
      stackGuardGap: this.stackGuardGap,
      startBrk: this.startBrk,
      brk: this.brkValue,
    })) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new VmakitError(`MmConfig.${name}: ${v} is not a valid value`);
    }
    if (!Number.isSafeInteger(this.maxMapCount) || this.maxMapCount < 1) {
      throw new VmakitError(`MmConfig.maxMapCount: ${this.maxMapCount} must be a positive integer`);
    }
  }

  /** Registers an observer; returns a function that removes it. */
  observe(observer: MmObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /**
   * mmap_write_lock(): mmap_seq becomes odd. Taking it twice is a deadlock in the kernel and an
   * error here.
   */
  writeLock(): void {
    if (this.writeLocked) throw new VmakitError('writeLock(): the mmap write lock is already held');
    this.writeLocked = true;
    this.mmapSeq++;
    for (const o of this.observers.slice()) o.writeLocked?.();
  }

  /**
   * mmap_write_unlock(): vma_end_write_all() advances mm_lock_seq, which releases every VMA
   * write-marked since writeLock(); mmap_seq becomes even again.
   */
  writeUnlock(): void {
    if (!this.writeLocked) throw new VmakitError('writeUnlock(): the mmap write lock is not held');
    for (const o of this.observers.slice()) o.writeUnlocking?.();
    this.mmLockSeq++;
    this.mmapSeq++;
    this.writeLocked = false;
  }

  /**
   * mmap_write_lock_killable() at the point where the system call being modelled takes it: takes the
   * lock unless the caller already holds it, and opens the index update bracket that the system call
   * ends (MmStruct releases both). Calling it again within the same system call does nothing.
   */
  lockForWrite(): void {
    if (this.opInUpdate) return;
    if (!this.writeLocked) {
      this.writeLock();
      this.opTookLock = true;
    }
    this.index.beginUpdate();
    this.opInUpdate = true;
  }

  /**
   * vma_start_write(): mark `vma` write-locked for this writer (vm_lock_seq = mm_lock_seq). A VMA
   * already marked in this critical section is left alone, as the kernel's early return does, and
   * the observer hears of each VMA once per critical section. O(1).
   */
  vmaStartWrite(vma: Vma): void {
    if (!this.writeLocked) {
      throw new VmakitError(
        `vma_start_write() on [0x${vma.start.toString(16)}, ...) without the mmap write lock`,
      );
    }
    if (vma.lockSeq === this.mmLockSeq) return;
    vma.lockSeq = this.mmLockSeq;
    for (const o of this.observers.slice()) o.vmaStartWrite?.(vma);
  }

  /** True when `vma` is write-locked by the current writer (__is_vma_write_locked()). */
  isVmaWriteLocked(vma: Vma): boolean {
    return this.writeLocked && vma.lockSeq === this.mmLockSeq;
  }

  /**
   * vma_mark_detached(vma, true) followed by the VMA's release: the flag changes now, the observer
   * hears of it once the index update is published.
   */
  releaseVma(vma: Vma): void {
    vma.detached = true;
    this.pending.push({ kind: 'detached', vma });
  }

  /** Queue a zap of [start, end) for after the index update is published. */
  zap(start: number, end: number, reason: ZapReason): void {
    if (end > start) this.pending.push({ kind: 'zap', start, end, reason });
  }

  /** Queue change_protection() of [start, end) to `vma`'s protection. */
  changeProtection(start: number, end: number, vma: Vma): void {
    if (end > start) this.pending.push({ kind: 'protect', start, end, vma });
  }

  /** Queue move_page_tables(). */
  movePageTables(oldStart: number, newStart: number, len: number): void {
    this.pending.push({ kind: 'move', oldStart, newStart, len });
  }

  /** Queue a populate done under the mmap lock (populate_vma_page_range() from mprotect). */
  populateLocked(start: number, end: number, write: boolean): void {
    if (end > start) this.pending.push({ kind: 'populate', start, end, write });
  }

  /** Request mm_populate(start, len) once the write lock is released. */
  populateAfterUnlock(start: number, len: number, ignoreErrors: boolean): void {
    this.postUnlock.push({ start, len, ignoreErrors });
  }

  /** Take the queued post-unlock populate requests. */
  takePostUnlock(): PostUnlockPopulate[] {
    const p = this.postUnlock;
    this.postUnlock = [];
    return p;
  }

  /** Deliver queued notifications in the order they were made. */
  flushPending(): void {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      for (const p of batch) this.deliver(p);
    }
  }

  /** Tell observers to populate [start, end) now. */
  notifyPopulate(start: number, end: number, write: boolean): void {
    if (end > start) this.deliver({ kind: 'populate', start, end, write });
  }

  private deliver(p: Pending): void {
    for (const o of this.observers.slice()) {
      switch (p.kind) {
        case 'zap':
          o.zapRange?.(p.start, p.end, p.reason);
          break;
        case 'protect':
          o.changeProtection?.(p.start, p.end, p.vma);
          break;
        case 'move':
          o.movePageTables?.(p.oldStart, p.newStart, p.len);
          break;
        case 'populate':
          o.populate?.(p.start, p.end, p.write);
          break;
        case 'detached':
          o.vmaDetached?.(p.vma);
          break;
      }
    }
  }
}
