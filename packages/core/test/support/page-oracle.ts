/**
 * An independent, page-granular model of the memory system calls, used as the oracle of MmStruct's
 * property tests. It keeps one record per mapped page (the vm_flags, file identity and file offset
 * the page's VMA would give it) and applies each system call page by page, with the argument checks
 * and error precedence of Linux v6.12 written out again from the kernel sources (mm/mmap.c,
 * mm/mprotect.c, mm/mremap.c, mm/madvise.c, mm/mlock.c, arch/x86/kernel/sys_x86_64.c). It knows
 * nothing of VMAs, merging or indexes — with one exception: mremap's "cannot remap across VMA
 * boundaries" check needs the end of the VMA at the old address, which a page map cannot know; the
 * caller supplies it (`vmaEnd`).
 *
 * Scope (what the property tests generate): no MAP_GROWSDOWN, no hugetlb, no pkeys, no special
 * mappings, mapping lengths below 2 MiB (so THP placement never applies), resource limits other than
 * RLIMIT_MEMLOCK left infinite, vm.max_map_count never reached.
 */
import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  EPERM,
  type MmFile,
  PAGE_SIZE,
  uapi,
  VM_ACCOUNT,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_EXEC,
  VM_HUGEPAGE,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WIPEONFORK,
  VM_WRITE,
  vmFlags,
} from '../../src/index.js';

const P = PAGE_SIZE;
const LOCKED_MASK = (VM_LOCKED | VM_LOCKONFAULT) >>> 0;
const ACCESS = (VM_READ | VM_WRITE | VM_EXEC) >>> 0;
const EOPNOTSUPP = 95;
/** LEGACY_MAP_MASK of include/linux/mman.h, spelled out from the uapi values. */
const LEGACY_MAP_MASK =
  (uapi.MAP_SHARED |
    uapi.MAP_PRIVATE |
    uapi.MAP_FIXED |
    uapi.MAP_ANONYMOUS |
    uapi.MAP_DENYWRITE |
    uapi.MAP_EXECUTABLE |
    uapi.MAP_UNINITIALIZED |
    uapi.MAP_GROWSDOWN |
    uapi.MAP_LOCKED |
    uapi.MAP_NORESERVE |
    uapi.MAP_POPULATE |
    uapi.MAP_NONBLOCK |
    uapi.MAP_STACK |
    uapi.MAP_HUGETLB |
    uapi.MAP_32BIT |
    uapi.MAP_ABOVE4G |
    (21 << 26) |
    (30 << 26)) >>>
  0;

/** What a mapped page looks like. */
export interface PageAttr {
  /** vm_flags (low word) without VM_SOFTDIRTY. */
  readonly flags: number;
  /** null: private anonymous; `f<id>`: a file; `s<n>`: a shared anonymous (shmem) object. */
  readonly obj: string | null;
  /** Page offset: in the file / shmem object, or for anonymous memory the VMA's vm_pgoff at this page. */
  readonly pgoff: number;
}

/** Limits and layout the oracle shares with the MmStruct under test. */
export interface OracleConfig {
  readonly taskSize: number;
  readonly mmapBase: number;
  readonly legacyBase: number;
  readonly mmapMinAddr: number;
  readonly startBrk: number;
  readonly rlimitMemlock: number;
}

const up = (x: number): number => (x % P === 0 ? x : x + (P - (x % P)));

/** The page-granular oracle. */
export class PageOracle {
  readonly pages = new Map<number, PageAttr>();
  brk: number;
  defFlags = 0;
  private nextShmem = 1;

  constructor(readonly cfg: OracleConfig) {
    this.brk = cfg.startBrk;
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private mapped(addr: number): boolean {
    return this.pages.has(addr / P);
  }

  private anyMapped(addr: number, len: number): boolean {
    for (let a = addr; a < addr + len; a += P) if (this.pages.has(a / P)) return true;
    return false;
  }

  private unmap(addr: number, len: number): void {
    for (let a = addr; a < addr + len; a += P) this.pages.delete(a / P);
  }

  private get lockedPages(): number {
    let n = 0;
    for (const a of this.pages.values()) if ((a.flags & VM_LOCKED) !== 0) n++;
    return n;
  }

  private get memlockPages(): number {
    return Math.floor(this.cfg.rlimitMemlock / P);
  }

  /** Mapped ranges [s, e) in bytes, coalesced, ascending. */
  private runs(): Array<{ s: number; e: number }> {
    const pages = [...this.pages.keys()].sort((a, b) => a - b);
    const out: Array<{ s: number; e: number }> = [];
    for (const p of pages) {
      const last = out[out.length - 1];
      if (last !== undefined && last.e === p * P) last.e += P;
      else out.push({ s: p * P, e: (p + 1) * P });
    }
    return out;
  }

  /** Highest free [a, a + len) with low <= a and a + len <= high, or -1. */
  private highestFit(low: number, high: number, len: number): number {
    const runs = this.runs();
    for (let i = runs.length - 1; i >= -1; i--) {
      const gapStart = Math.max(i >= 0 ? runs[i]!.e : 0, low);
      const gapEnd = Math.min(i + 1 < runs.length ? runs[i + 1]!.s : Number.MAX_SAFE_INTEGER, high);
      if (gapEnd - gapStart >= len) return gapEnd - len;
    }
    return -1;
  }

  /** Lowest free [a, a + len) with low <= a and a + len <= high, or -1. */
  private lowestFit(low: number, high: number, len: number): number {
    const runs = this.runs();
    for (let i = -1; i < runs.length; i++) {
      const gapStart = Math.max(i >= 0 ? runs[i]!.e : 0, low);
      const gapEnd = Math.min(i + 1 < runs.length ? runs[i + 1]!.s : Number.MAX_SAFE_INTEGER, high);
      if (gapEnd - gapStart >= len) return gapStart;
    }
    return -1;
  }

  /** x86 arch_get_unmapped_area_topdown() with a page-aligned hint (0: none) and its bottom-up fallback. */
  private place(hint: number, len: number): number {
    const c = this.cfg;
    if (len > c.taskSize) return -ENOMEM;
    if (hint !== 0 && !(c.taskSize - len < hint) && !this.anyMapped(hint, len)) return hint;
    const low = Math.max(P, c.mmapMinAddr);
    const top = this.highestFit(low, c.mmapBase, len);
    if (top >= 0) return top;
    const bottom = this.lowestFit(Math.max(c.legacyBase, c.mmapMinAddr), c.taskSize, len);
    return bottom >= 0 ? bottom : -ENOMEM;
  }

  /** The checks __get_unmapped_area() makes on the address it got. */
  private checkAddr(addr: number, len: number): number {
    if (addr > this.cfg.taskSize - len) return -ENOMEM;
    if (addr % P !== 0) return -EINVAL;
    if (addr < this.cfg.mmapMinAddr) return -EPERM;
    return addr;
  }

  // ---- system calls ------------------------------------------------------------------------------

  mmap(addr: number, len: number, prot: number, flags: number, file: MmFile | null, pgoff: number): number {
    if ((flags & uapi.MAP_ANONYMOUS) === 0) {
      if (file === null) return -EBADF;
    } else {
      file = null;
    }
    if (len === 0) return -EINVAL;
    if ((flags & uapi.MAP_FIXED_NOREPLACE) !== 0) flags |= uapi.MAP_FIXED;
    if ((flags & uapi.MAP_FIXED) === 0) {
      addr -= addr % P;
      if (addr !== 0 && addr < this.cfg.mmapMinAddr) addr = up(this.cfg.mmapMinAddr);
    }
    len = up(len);
    let vf =
      (prot & uapi.PROT_READ ? VM_READ : 0) |
      (prot & uapi.PROT_WRITE ? VM_WRITE : 0) |
      (prot & uapi.PROT_EXEC ? VM_EXEC : 0) |
      (flags & uapi.MAP_LOCKED ? VM_LOCKED : 0) |
      (flags & uapi.MAP_STACK ? VM_NOHUGEPAGE : 0) |
      this.defFlags |
      VM_MAYREAD |
      VM_MAYWRITE |
      VM_MAYEXEC;

    if ((flags & uapi.MAP_FIXED) === 0) {
      const a = this.place(addr, len);
      if (a < 0) return a;
      addr = a;
    }
    const checked = this.checkAddr(addr, len);
    if (checked < 0) return checked;
    if ((flags & uapi.MAP_FIXED_NOREPLACE) !== 0 && this.anyMapped(addr, len)) return -EEXIST;
    if ((vf & VM_LOCKED) !== 0 && this.lockedPages + len / P > this.memlockPages) return -EAGAIN;

    const type = flags & uapi.MAP_TYPE;
    let obj: string | null = null;
    if (file !== null) {
      const writable = file.writable ?? true;
      if (type === uapi.MAP_SHARED || type === uapi.MAP_SHARED_VALIDATE) {
        if (type === uapi.MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
        if ((prot & uapi.PROT_WRITE) !== 0 && !writable) return -EACCES;
        vf |= VM_SHARED | VM_MAYSHARE;
        if (!writable) vf &= ~(VM_MAYWRITE | VM_SHARED);
      } else if (type !== uapi.MAP_PRIVATE) {
        return -EINVAL;
      }
      if (!(file.readable ?? true)) return -EACCES;
      obj = `f${file.id}`;
    } else if (type === uapi.MAP_SHARED) {
      vf |= VM_SHARED | VM_MAYSHARE;
      pgoff = 0;
      obj = `s${this.nextShmem++}`;
    } else if (type === uapi.MAP_PRIVATE) {
      pgoff = addr / P;
    } else {
      return -EINVAL;
    }
    if ((flags & uapi.MAP_NORESERVE) !== 0) vf |= VM_NORESERVE;
    if ((vf & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) vf |= VM_ACCOUNT;
    this.unmap(addr, len);
    for (let i = 0; i < len / P; i++)
      this.pages.set(addr / P + i, { flags: vf >>> 0, obj, pgoff: pgoff + i });
    return addr;
  }

  munmap(addr: number, len: number): number {
    const t = this.cfg.taskSize;
    if (addr % P !== 0 || addr > t || len > t - addr) return -EINVAL;
    const l = up(len);
    if (l === 0) return -EINVAL;
    this.unmap(addr, l);
    return 0;
  }

  mprotect(start: number, len: number, prot: number): number {
    const grows = prot & (uapi.PROT_GROWSDOWN | uapi.PROT_GROWSUP);
    prot &= ~(uapi.PROT_GROWSDOWN | uapi.PROT_GROWSUP);
    if (grows === (uapi.PROT_GROWSDOWN | uapi.PROT_GROWSUP)) return -EINVAL;
    if (start % P !== 0) return -EINVAL;
    if (len === 0) return 0;
    const end = start + up(len);
    if ((prot & ~(uapi.PROT_READ | uapi.PROT_WRITE | uapi.PROT_EXEC | uapi.PROT_SEM)) !== 0) return -EINVAL;
    let first = -1;
    for (let a = start; a < end; a += P) {
      if (this.mapped(a)) {
        first = a;
        break;
      }
    }
    if (first < 0) return -ENOMEM;
    // No VM_GROWSDOWN pages exist here: PROT_GROWSDOWN always fails on the first VMA.
    if (grows !== 0) return -EINVAL;
    if (first > start) return -ENOMEM;
    const protBits =
      (prot & uapi.PROT_READ ? VM_READ : 0) |
      (prot & uapi.PROT_WRITE ? VM_WRITE : 0) |
      (prot & uapi.PROT_EXEC ? VM_EXEC : 0);
    for (let a = start; a < end; a += P) {
      const at = this.pages.get(a / P);
      if (at === undefined) return -ENOMEM;
      let nf = (protBits | (at.flags & ~ACCESS)) >>> 0;
      if ((nf & ~(nf >>> 4) & ACCESS) !== 0) return -EACCES;
      if (nf === at.flags) continue;
      if ((nf & VM_WRITE) !== 0) {
        if ((at.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE)) === 0) nf |= VM_ACCOUNT;
      } else if ((at.flags & VM_ACCOUNT) !== 0 && at.obj === null) {
        // Anonymous and (in the scenarios where ACCOUNT is compared) never faulted.
        nf &= ~VM_ACCOUNT;
      }
      this.pages.set(a / P, { ...at, flags: nf >>> 0 });
    }
    return 0;
  }

  /**
   * mremap(2). `vmaEnd(addr)` is the end of the VMA containing addr before the call (null if none).
   * `anonPgoffFollowsAddr`: moved anonymous pages get pgoff = their new page number (true while no
   * anon_vma exists, which is when the property test compares anonymous pgoff at all).
   */
  mremap(
    addr: number,
    oldLen: number,
    newLen: number,
    flags: number,
    newAddr: number,
    vmaEnd: (addr: number) => number | null,
  ): number {
    const { MREMAP_FIXED: FIXED, MREMAP_MAYMOVE: MAYMOVE, MREMAP_DONTUNMAP: DONTUNMAP } = uapi;
    if ((flags & ~(FIXED | MAYMOVE | DONTUNMAP)) !== 0) return -EINVAL;
    if ((flags & FIXED) !== 0 && (flags & MAYMOVE) === 0) return -EINVAL;
    if ((flags & DONTUNMAP) !== 0 && ((flags & MAYMOVE) === 0 || oldLen !== newLen)) return -EINVAL;
    if (addr % P !== 0) return -EINVAL;
    oldLen = up(oldLen);
    newLen = up(newLen);
    if (newLen === 0) return -EINVAL;
    const origEnd = vmaEnd(addr);
    if (!this.mapped(addr) || origEnd === null) return -EFAULT;
    // The VMA can only have lost its tail to unmapping during the call.
    const curVmaEnd = (): number | null => {
      if (!this.mapped(addr)) return null;
      let e = addr;
      while (e < origEnd && this.mapped(e)) e += P;
      return e;
    };
    const t = this.cfg.taskSize;

    if ((flags & (FIXED | DONTUNMAP)) !== 0) {
      if (newAddr % P !== 0) return -EINVAL;
      if (newLen > t || newAddr > t - newLen) return -EINVAL;
      if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
      if ((flags & FIXED) !== 0) this.unmap(newAddr, newLen);
      if (oldLen > newLen) {
        this.unmap(addr + newLen, oldLen - newLen);
        oldLen = newLen;
      }
      const r = this.toResize(addr, oldLen, newLen, curVmaEnd());
      if (r !== 0) return r;
      let target: number;
      if ((flags & FIXED) !== 0) {
        target = newAddr;
      } else {
        target = this.place(newAddr, newLen);
        if (target < 0) return target;
      }
      const chk = this.checkAddr(target, newLen);
      if (chk < 0) return chk;
      return this.move(addr, oldLen, newLen, target, (flags & DONTUNMAP) !== 0);
    }

    if (oldLen >= newLen) {
      if (oldLen === newLen) return addr;
      const r = this.munmap(addr + newLen, oldLen - newLen);
      return r !== 0 ? r : addr;
    }
    const end = curVmaEnd()!;
    const r = this.toResize(addr, oldLen, newLen, end);
    if (r !== 0) return r;
    if (oldLen === end - addr) {
      const delta = newLen - oldLen;
      // vma_expandable(): free above, and the grown VMA still ends within TASK_SIZE.
      if (!this.anyMapped(end, delta) && end + delta <= this.cfg.taskSize) {
        const last = this.pages.get(end / P - 1)!;
        for (let i = 0; i < delta / P; i++) {
          this.pages.set(end / P + i, { ...last, pgoff: last.pgoff + 1 + i });
        }
        return addr;
      }
    }
    if ((flags & MAYMOVE) === 0) return -ENOMEM;
    const target = this.place(0, newLen);
    if (target < 0) return target;
    const chk = this.checkAddr(target, newLen);
    if (chk < 0) return chk;
    return this.move(addr, oldLen, newLen, target, false);
  }

  /** vma_to_resize() on pages: 0 or -errno. */
  private toResize(addr: number, oldLen: number, newLen: number, end: number | null): number {
    if (end === null) return -EFAULT;
    const at = this.pages.get(addr / P)!;
    if (oldLen === 0 && (at.flags & (VM_SHARED | VM_MAYSHARE)) === 0) return -EINVAL;
    if (oldLen > end - addr) return -EFAULT;
    if (newLen === oldLen) return 0;
    if ((at.flags & VM_LOCKED) !== 0 && this.lockedPages + (newLen - oldLen) / P > this.memlockPages) {
      return -EAGAIN;
    }
    return 0;
  }

  /** move_vma() on pages. */
  private move(addr: number, oldLen: number, newLen: number, target: number, dontUnmap: boolean): number {
    const src = this.pages.get(addr / P)!;
    const moved: PageAttr[] = [];
    for (let i = 0; i < newLen / P; i++) {
      const pgoff = src.obj === null ? target / P + i : src.pgoff + i;
      moved.push({ flags: src.flags, obj: src.obj, pgoff });
    }
    if (dontUnmap) {
      for (let a = addr; a < addr + oldLen; a += P) {
        const at = this.pages.get(a / P)!;
        this.pages.set(a / P, { ...at, flags: (at.flags & ~LOCKED_MASK) >>> 0 });
      }
    } else {
      this.unmap(addr, oldLen);
    }
    moved.forEach((m, i) => {
      this.pages.set(target / P + i, m);
    });
    return target;
  }

  brkCall(brk: number): number {
    const orig = this.brk;
    if (brk < this.cfg.startBrk) return orig;
    const newbrk = up(brk);
    const oldbrk = up(this.brk);
    if (newbrk === oldbrk) {
      this.brk = brk;
      return brk;
    }
    if (brk <= this.brk) {
      if (!this.anyMapped(newbrk, oldbrk - newbrk)) return orig;
      this.unmap(newbrk, oldbrk - newbrk);
      this.brk = brk;
      return brk;
    }
    const len = newbrk - oldbrk;
    if (this.checkAddr(oldbrk, len) < 0) return orig;
    if ((this.defFlags & VM_LOCKED) !== 0 && this.lockedPages + len / P > this.memlockPages) return orig;
    // The next mapping must leave a page (plus its stack guard gap, none here) above the new break.
    if (this.anyMapped(oldbrk, newbrk + P - oldbrk)) return orig;
    const vf =
      (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT | this.defFlags) >>> 0;
    for (let a = oldbrk; a < newbrk; a += P) this.pages.set(a / P, { flags: vf, obj: null, pgoff: a / P });
    this.brk = brk;
    return brk;
  }

  madvise(start: number, lenIn: number, advice: number): number {
    const valid = [
      0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 100, 101,
    ];
    if (!valid.includes(advice)) return -EINVAL;
    if (start % P !== 0) return -EINVAL;
    const len = up(lenIn);
    const end = start + len;
    if (end === start) return 0;
    if (advice === uapi.MADV_HWPOISON || advice === uapi.MADV_SOFT_OFFLINE) return -EPERM;
    if (advice === uapi.MADV_POPULATE_READ || advice === uapi.MADV_POPULATE_WRITE) {
      for (let a = start; a < end; a += P) {
        const at = this.pages.get(a / P);
        if (at === undefined) return -ENOMEM;
        const need = advice === uapi.MADV_POPULATE_WRITE ? VM_WRITE : VM_READ;
        if ((at.flags & need) === 0) return -EINVAL;
      }
      return 0;
    }
    let hole = false;
    for (let a = start; a < end; a += P) {
      const at = this.pages.get(a / P);
      if (at === undefined) {
        hole = true;
        continue;
      }
      const locked = (at.flags & VM_LOCKED) !== 0;
      let nf = at.flags;
      switch (advice) {
        case uapi.MADV_REMOVE:
          if (locked || at.obj === null) return -EINVAL;
          if ((at.flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -EACCES;
          break;
        case uapi.MADV_COLD:
        case uapi.MADV_PAGEOUT:
        case uapi.MADV_DONTNEED:
          if (locked) return -EINVAL;
          break;
        case uapi.MADV_FREE:
          if (locked || at.obj !== null) return -EINVAL;
          break;
        case uapi.MADV_NORMAL:
          nf &= ~(vmFlags.VM_RAND_READ | vmFlags.VM_SEQ_READ);
          break;
        case uapi.MADV_SEQUENTIAL:
          nf = (nf & ~vmFlags.VM_RAND_READ) | vmFlags.VM_SEQ_READ;
          break;
        case uapi.MADV_RANDOM:
          nf = (nf & ~vmFlags.VM_SEQ_READ) | vmFlags.VM_RAND_READ;
          break;
        case uapi.MADV_DONTFORK:
          nf |= VM_DONTCOPY;
          break;
        case uapi.MADV_DOFORK:
          nf &= ~VM_DONTCOPY;
          break;
        case uapi.MADV_WIPEONFORK:
          if (at.obj !== null || (at.flags & VM_SHARED) !== 0) return -EINVAL;
          nf |= VM_WIPEONFORK;
          break;
        case uapi.MADV_KEEPONFORK:
          nf &= ~VM_WIPEONFORK;
          break;
        case uapi.MADV_DONTDUMP:
          nf |= VM_DONTDUMP;
          break;
        case uapi.MADV_DODUMP:
          nf &= ~VM_DONTDUMP;
          break;
        case uapi.MADV_MERGEABLE:
          if ((at.flags & (VM_SHARED | VM_MAYSHARE)) === 0) nf |= VM_MERGEABLE;
          break;
        case uapi.MADV_UNMERGEABLE:
          nf &= ~VM_MERGEABLE;
          break;
        case uapi.MADV_HUGEPAGE:
          nf = (nf & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
          break;
        case uapi.MADV_NOHUGEPAGE:
          nf = (nf & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
          break;
        default:
          break;
      }
      if (nf >>> 0 !== at.flags) this.pages.set(a / P, { ...at, flags: nf >>> 0 });
    }
    return hole ? -ENOMEM : 0;
  }

  /** mlock / mlock2 (flags: MLOCK_ONFAULT). */
  mlock(start: number, len: number, flags: number): number {
    if ((flags & ~uapi.MLOCK_ONFAULT) !== 0) return -EINVAL;
    const bits = (flags & uapi.MLOCK_ONFAULT) !== 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED;
    const off = start % P;
    start -= off;
    len = up(len + off);
    const end = start + len;
    let locked = len / P + this.lockedPages;
    if (locked > this.memlockPages) {
      for (let a = start; a < end; a += P) {
        const at = this.pages.get(a / P);
        if (at !== undefined && (at.flags & VM_LOCKED) !== 0) locked--;
      }
      if (locked > this.memlockPages) return -ENOMEM;
    }
    const r = this.applyLock(start, end, bits);
    if (r !== 0) return r;
    // __mm_populate(): a PROT_NONE page that is not lock-on-fault cannot be faulted in.
    for (let a = start; a < end; a += P) {
      const at = this.pages.get(a / P);
      if (at !== undefined && (at.flags & VM_LOCKONFAULT) === 0 && (at.flags & ACCESS) === 0) return -ENOMEM;
    }
    return 0;
  }

  munlock(start: number, len: number): number {
    const off = start % P;
    start -= off;
    len = up(len + off);
    return this.applyLock(start, start + len, 0);
  }

  private applyLock(start: number, end: number, bits: number): number {
    if (end === start) return 0;
    if (!this.mapped(start)) return -ENOMEM;
    for (let a = start; a < end; a += P) {
      const at = this.pages.get(a / P);
      if (at === undefined) return -ENOMEM;
      const nf = ((at.flags & ~LOCKED_MASK) | bits) >>> 0;
      if (nf !== at.flags) this.pages.set(a / P, { ...at, flags: nf });
    }
    return 0;
  }

  mlockall(flags: number): number {
    const { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT } = uapi;
    if (flags === 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) !== 0 || flags === MCL_ONFAULT) {
      return -EINVAL;
    }
    if ((flags & MCL_CURRENT) !== 0 && this.pages.size > this.memlockPages) return -ENOMEM;
    return this.applyAll(flags);
  }

  munlockall(): number {
    return this.applyAll(0);
  }

  private applyAll(flags: number): number {
    const { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT } = uapi;
    this.defFlags &= ~LOCKED_MASK;
    if ((flags & MCL_FUTURE) !== 0) {
      this.defFlags |= VM_LOCKED;
      if ((flags & MCL_ONFAULT) !== 0) this.defFlags |= VM_LOCKONFAULT;
      if ((flags & MCL_CURRENT) === 0) return 0;
    }
    let add = 0;
    if ((flags & MCL_CURRENT) !== 0)
      add = (flags & MCL_ONFAULT) !== 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED;
    for (const [k, at] of this.pages)
      this.pages.set(k, { ...at, flags: ((at.flags & ~LOCKED_MASK) | add) >>> 0 });
    return 0;
  }
}
