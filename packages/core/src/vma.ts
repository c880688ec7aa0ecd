/**
 * `struct vm_area_struct`, reduced to the fields that decide lookups, faults and merges.
 * Field meanings follow include/linux/mm_types.h (v6.12); the byte layout lives in layout.ts.
 */
import { DEFAULT_STACK_GUARD_GAP, PAGE_SIZE } from './constants.js';
import { allocId } from './ids.js';
import { vmGetPageProt } from './page-prot.js';
import { pkeyOf, VM_GROWSDOWN, VMH_SHADOW_STACK } from './vm-flags.js';

/** What backs a VMA: anonymous memory, a file (shmem included), or a special kernel mapping. */
export type VmaKind = 'anon' | 'file' | 'special';

/** Identity of a mapped file (`struct file` / inode). Two VMAs map the same file iff `id` is equal. */
export interface FileRef {
  /** Identity; equal ids mean the same file. */
  readonly id: number;
  /** Path as shown in /proc/PID/maps. */
  readonly path: string;
  /** `major:minor` device as shown in maps (informational). */
  readonly dev?: string;
  /** Inode number as shown in maps (informational). */
  readonly inode?: number;
  /** True for shmem-backed files (MAP_SHARED|MAP_ANONYMOUS, memfd, SysV shm). */
  readonly shmem?: boolean;
  /** Size in pages when known: a fault past it gets SIGBUS. */
  readonly sizePages?: number;
}

/** `struct anon_vma`: identity of the reverse-map root that anonymous pages of a VMA attach to. */
export interface AnonVma {
  readonly id: number;
}

/** The part of `struct mm_struct` a VMA consults for its guard gap. */
export interface VmaOwner {
  readonly stackGuardGap: number;
}

/** What a Vma is created from; omitted fields take the kernel's defaults. */
export interface VmaInit {
  start: number;
  end: number;
  flags: number;
  flagsHigh?: number;
  pgoff?: number;
  file?: FileRef | null;
  anonVma?: AnonVma | null;
  kind?: VmaKind;
  name?: string | null;
  policy?: number;
  mm?: VmaOwner | null;
}

/**
 * A virtual memory area: the half-open range [start, end) with one set of attributes.
 * `flags`/`flagsHigh` hold vm_flags (see vm-flags.ts); `pgoff` is in pages.
 */
export class Vma {
  /** Identity (also the key of the VMA's cache lines in a cost model). */
  readonly id: number = allocId();
  /** vm_mm. */
  mm: VmaOwner | null;
  /** vm_start: first byte. */
  start: number;
  /** vm_end: first byte after the VMA (exclusive). */
  end: number;
  /** vm_flags bits 0-31 (unsigned). */
  flags: number;
  /** vm_flags bits 32-63 (pkey, shadow stack, sealed...). */
  flagsHigh: number;
  /** vm_page_prot, derived from the flags by vm_get_page_prot(). */
  pageProt: number;
  /** vm_pgoff: offset in the file, or for anonymous VMAs the virtual page number it was created at. */
  pgoff: number;
  /** vm_file. */
  file: FileRef | null;
  /** anon_vma: set on the first anonymous write fault (anon_vma_prepare) or inherited on merge/split. */
  anonVma: AnonVma | null;
  /** What kind of vm_ops the VMA has. */
  kind: VmaKind;
  /** Name shown in maps: `[heap]`, `[stack]`, `[vdso]`, or an anon name (`[anon:NAME]`). */
  name: string | null;
  /** vm_policy identity (0 = the default policy). */
  policy: number;
  /** vm_lock_seq of per-VMA locking (v6.4+): equal to mm_lock_seq while a writer holds the VMA. */
  lockSeq = -1;
  /** True once removed from the tree (the per-VMA lock's `detached`). */
  detached = false;

  constructor(init: VmaInit) {
    this.start = init.start;
    this.end = init.end;
    this.flags = init.flags >>> 0;
    this.flagsHigh = (init.flagsHigh ?? 0) >>> 0;
    this.pageProt = vmGetPageProt(this.flags);
    this.pgoff = init.pgoff ?? 0;
    this.file = init.file ?? null;
    this.anonVma = init.anonVma ?? null;
    this.kind = init.kind ?? (init.file ? 'file' : 'anon');
    this.name = init.name ?? null;
    this.policy = init.policy ?? 0;
    this.mm = init.mm ?? null;
  }

  /** Bytes below vm_start that must stay free (stack_guard_start_gap()). */
  get guardBelow(): number {
    if ((this.flags & VM_GROWSDOWN) !== 0) return this.mm?.stackGuardGap ?? DEFAULT_STACK_GUARD_GAP;
    if ((this.flagsHigh & VMH_SHADOW_STACK) !== 0) return PAGE_SIZE;
    return 0;
  }

  /** Bytes above vm_end that must stay free (VM_GROWSUP does not exist on x86). */
  get guardAbove(): number {
    return 0;
  }

  /** The protection key (0-15). */
  get pkey(): number {
    return pkeyOf(this.flagsHigh);
  }

  /** vma_pages(). */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  /** vma_is_anonymous(): no vm_ops. */
  get isAnonymous(): boolean {
    return this.kind === 'anon';
  }

  /** Set the flags and recompute vm_page_prot, as vm_flags_reset() + vma_set_page_prot() do. */
  setFlags(flags: number, flagsHigh = this.flagsHigh): void {
    this.flags = flags >>> 0;
    this.flagsHigh = flagsHigh >>> 0;
    this.pageProt = vmGetPageProt(this.flags);
  }

  /** A copy with a fresh identity (vm_area_dup()): same attributes, same file and anon_vma. */
  clone(): Vma {
    return new Vma({
      start: this.start,
      end: this.end,
      flags: this.flags,
      flagsHigh: this.flagsHigh,
      pgoff: this.pgoff,
      file: this.file,
      anonVma: this.anonVma,
      kind: this.kind,
      name: this.name,
      policy: this.policy,
      mm: this.mm,
    });
  }
}
