/**
 * The state the fault model keeps per address space, beside the mm itself: page tables, physical
 * pages, page caches, RSS counters, event counters and configuration. Created (and attached to the
 * mm as its page-table observer) by createFaultEnv().
 */
import {
  allocId,
  cacheLinesOf,
  type FileRef,
  type IndexEra,
  MAPLE_ERA_LAYOUT,
  type MmApi,
  RBTREE_ERA_LAYOUT,
  type StructLayout,
  type Vma,
  type VmaIndex,
  VmakitError,
} from '@vmakit/core';
import { PageCache } from './page-cache.js';
import { PageTables } from './page-table.js';
import { PhysMem } from './phys-mem.js';
import { INIT_PKRU_VALUE } from './pkru.js';
import { type AcquireStep, acquire, type ReleaseStep, release, type SeqReadStep } from './steps.js';
import { Vmstat } from './vmstat.js';

/** Tunables of the fault model; every field has the kernel's default. */
export interface FaultConfig {
  /** Physical pages available to the process (default: unlimited). Exhaustion gives VM_FAULT_OOM. */
  readonly memoryPages?: number;
  /** fault_around_bytes (default 65536; a power of two from 4096 to 2 MiB; 4096 disables it). */
  readonly faultAroundBytes?: number;
  /** Read-around window of mmap faults, file_ra_state.ra_pages (default 32 = VM_READAHEAD_PAGES). */
  readonly readaheadPages?: number;
  /** mm->mm_users: speculative faults are skipped for single-threaded processes (default 2). */
  readonly mmUsers?: number;
  /** Collect the index's probe lines into lookup steps (default true; off for raw throughput). */
  readonly collectLines?: boolean;
  /** X86_FEATURE_SMAP (default true). */
  readonly smap?: boolean;
  /** vsyscall= mode (default 'xonly', CONFIG_LEGACY_VSYSCALL_XONLY). */
  readonly vsyscall?: 'xonly' | 'none';
}

/** Resolved configuration. */
export interface ResolvedFaultConfig {
  readonly memoryPages: number;
  readonly faultAroundPages: number;
  readonly readaheadPages: number;
  readonly mmUsers: number;
  readonly collectLines: boolean;
  readonly smap: boolean;
  readonly vsyscall: 'xonly' | 'none';
}

function resolve(c: FaultConfig): ResolvedFaultConfig {
  const fab = c.faultAroundBytes ?? 65536;
  if (!Number.isInteger(fab) || fab < 4096 || fab > 2 * 1024 * 1024 || (fab & (fab - 1)) !== 0) {
    throw new VmakitError(`FaultConfig.faultAroundBytes: ${fab} is not a power of two in [4096, 2 MiB]`);
  }
  const ra = c.readaheadPages ?? 32;
  if (!Number.isInteger(ra) || ra < 0) throw new VmakitError(`FaultConfig.readaheadPages: ${ra} is not >= 0`);
  const users = c.mmUsers ?? 2;
  if (!Number.isInteger(users) || users < 1)
    throw new VmakitError(`FaultConfig.mmUsers: ${users} is not >= 1`);
  return {
    memoryPages: c.memoryPages ?? Number.POSITIVE_INFINITY,
    faultAroundPages: fab / 4096,
    readaheadPages: ra,
    mmUsers: users,
    collectLines: c.collectLines ?? true,
    smap: c.smap ?? true,
    vsyscall: c.vsyscall ?? 'xonly',
  };
}

/** The fields of vm_area_struct a fault reads from a VMA it holds locked. */
const FAULT_READ_FIELDS = [
  'vm_start',
  'vm_end',
  'vm_mm',
  'vm_page_prot',
  'vm_flags',
  'vm_ops',
  'vm_pgoff',
  'vm_file',
  'anon_vma',
] as const;

/** The layout of `era`. */
export function layoutOfEra(era: IndexEra): StructLayout {
  return era === 'rbtree-era' ? RBTREE_ERA_LAYOUT : MAPLE_ERA_LAYOUT;
}

/** The fault model's state for one address space. */
export class FaultEnv {
  readonly pt: PageTables;
  readonly phys: PhysMem;
  readonly cache: PageCache;
  readonly vmstat = new Vmstat();
  readonly config: ResolvedFaultConfig;
  /** Object id of the mm_struct (mmap_lock, mmap_seq, mm_lock_seq, page_table_lock). */
  readonly mmObj = allocId();
  /**
   * Steps that only name this mm, made once as shared frozen objects (steps.ts allows constant steps
   * to be shared) so that a fault does not allocate them: mmap_read_lock() / mmap_read_unlock() and
   * the reads of mm_lock_seq and mmap_seq.
   */
  readonly mmapReadLock: AcquireStep = Object.freeze(acquire('mmap_lock', this.mmObj, 'read'));
  readonly mmapReadUnlock: ReleaseStep = Object.freeze(release('mmap_lock', this.mmObj, 'read'));
  readonly mmLockSeqRead: SeqReadStep = Object.freeze({ op: 'seq-read', seq: 'mm_lock_seq', id: this.mmObj });
  readonly mmapSeqRead: SeqReadStep = Object.freeze({ op: 'seq-read', seq: 'mmap_seq', id: this.mmObj });
  /** The PKRU value of a new thread: init_pkru_value with OSPKE, else 0 (read_pkru() returns 0). */
  readonly defaultPkru: number;
  /** VMA cache lines a locked fault reads (the era's layout). */
  readonly vmaReadLines: readonly number[];
  /** The cache line holding anon_vma in the era's layout. */
  readonly anonVmaLine: number;
  /**
   * PKRU of the thread making system calls, used by populate (MAP_POPULATE, mlock), whose get_user_pages
   * checks protection keys against the current thread. Defaults to defaultPkru.
   */
  currentPkru: number;
  /** MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES. */
  rssAnon = 0;
  rssFile = 0;
  rssShmem = 0;
  private readonly specialFiles = new Map<string, FileRef>();
  /** Detaches the page-table observer (set by createFaultEnv). */
  detach: () => void = () => {};

  constructor(
    readonly mm: MmApi,
    config: FaultConfig = {},
  ) {
    this.config = resolve(config);
    this.phys = new PhysMem(this.config.memoryPages);
    this.cache = new PageCache(this.phys);
    this.pt = new PageTables();
    this.defaultPkru = mm.pkeysEnabled ? INIT_PKRU_VALUE : 0;
    this.currentPkru = this.defaultPkru;
    this.vmaReadLines = cacheLinesOf(layoutOfEra(mm.index.era), FAULT_READ_FIELDS);
    this.anonVmaLine = cacheLinesOf(layoutOfEra(mm.index.era), ['anon_vma'])[0]!;
  }

  /** The VMA tree. */
  get index(): VmaIndex<Vma> {
    return this.mm.index;
  }

  /**
   * The backing object of a special mapping ([vdso], [vvar], ...): a pseudo file per name so that its
   * pages are shared by every fault on it, as special_mapping_fault() hands out the same pages.
   */
  specialFile(vma: {
    readonly id: number;
    readonly name: string | null;
    readonly start: number;
    readonly end: number;
  }): FileRef {
    const key = vma.name ?? `special@${vma.id}`;
    let f = this.specialFiles.get(key);
    if (f === undefined) {
      f = { id: allocId(), path: key, sizePages: (vma.end - vma.start) / 4096 };
      this.specialFiles.set(key, f);
    }
    return f;
  }
}
