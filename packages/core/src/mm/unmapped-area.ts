/**
 * get_unmapped_area(): where a new mapping goes. Follows __get_unmapped_area() of mm/mmap.c, the x86
 * arch_get_unmapped_area() / arch_get_unmapped_area_topdown() of arch/x86/kernel/sys_x86_64.c,
 * __thp_get_unmapped_area() of mm/huge_memory.c and shmem_get_unmapped_area() of mm/shmem.c (v6.12),
 * for 4-level paging (TASK_SIZE = DEFAULT_MAP_WINDOW), no va_align (AMD family 15h) and shmem THP
 * disabled (the default `shmem_enabled=never`). The gap search itself is the index's unmappedArea().
 */
import { PAGE_SIZE } from '../constants.js';
import { EINVAL, ENOMEM, EPERM } from '../errno.js';
import { MAP_32BIT, MAP_ABOVE4G, MAP_FIXED, MAP_SHARED } from '../uapi.js';
import { VMH_SHADOW_STACK } from '../vm-flags.js';
import type { FileRef } from '../vma.js';
import { modPow2 } from './arith.js';
import { PMD_SIZE, SIZE_4G } from './consts.js';
import type { MmState } from './mm-state.js';

/** struct vm_unmapped_area_info. */
interface UnmappedAreaInfo {
  readonly topDown: boolean;
  readonly length: number;
  readonly lowLimit: number;
  readonly highLimit: number;
  readonly alignOffset: number;
  readonly startGap: number;
}

/** stack_guard_placement(): shadow stacks need a page of room below them. */
function stackGuardPlacement(vmFlagsHigh: number): number {
  return (vmFlagsHigh & VMH_SHADOW_STACK) !== 0 ? PAGE_SIZE : 0;
}

/** vm_start_gap() of the VMA at or after `addr` (find_vma): where a mapping below it must end. */
function fitsBelowNext(mm: MmState, addr: number, len: number): boolean {
  const vma = mm.index.find(addr);
  return vma === null || addr + len <= Math.max(0, vma.start - vma.guardBelow);
}

/**
 * vm_unmapped_area(): unmapped_area() or unmapped_area_topdown(); the low limit is raised to
 * mmap_min_addr there. Returns the address or -ENOMEM. Cost: the index's gap search.
 */
function vmUnmappedArea(mm: MmState, info: UnmappedAreaInfo): number {
  return mm.index.unmappedArea({
    length: info.length,
    lowLimit: Math.max(info.lowLimit, mm.mmapMinAddr),
    highLimit: info.highLimit,
    alignMask: 0,
    alignOffset: info.alignOffset,
    startGap: info.startGap,
    topDown: info.topDown,
  });
}

/** The x86 arch_get_unmapped_area(): bottom-up from the legacy base. */
function archGetUnmappedArea(
  mm: MmState,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
  vmFlagsHigh: number,
): number {
  if ((flags & MAP_FIXED) !== 0) return addr;
  // find_start_end(): MAP_32BIT confines the mapping to [1 GiB, 2 GiB).
  let begin = mm.mmapLegacyBase;
  let end = mm.taskSize;
  if ((flags & MAP_32BIT) !== 0) {
    begin = 0x40000000;
    end = 0x80000000;
  }
  if (len > end) return -ENOMEM;
  if (addr !== 0) {
    addr = addr % PAGE_SIZE === 0 ? addr : addr + (PAGE_SIZE - (addr % PAGE_SIZE));
    if (end - len >= addr && fitsBelowNext(mm, addr, len)) return addr;
  }
  return vmUnmappedArea(mm, {
    topDown: false,
    length: len,
    lowLimit: begin,
    highLimit: end,
    alignOffset: pgoff * PAGE_SIZE,
    startGap: stackGuardPlacement(vmFlagsHigh),
  });
}

/** The x86 arch_get_unmapped_area_topdown(): below mmap_base, falling back to bottom-up. */
function archGetUnmappedAreaTopdown(
  mm: MmState,
  addr0: number,
  len: number,
  pgoff: number,
  flags: number,
  vmFlagsHigh: number,
): number {
  if (len > mm.taskSize) return -ENOMEM;
  if ((flags & MAP_FIXED) !== 0) return addr0;
  if ((flags & MAP_32BIT) === 0) {
    let addr = addr0;
    if (addr !== 0) {
      addr -= addr % PAGE_SIZE;
      // mmap_address_hint_valid(): with 4-level paging only the TASK_SIZE bound matters.
      if (!(mm.taskSize - len < addr) && fitsBelowNext(mm, addr, len)) return addr;
    }
    const found = vmUnmappedArea(mm, {
      topDown: true,
      length: len,
      lowLimit: (flags & MAP_ABOVE4G) !== 0 ? SIZE_4G : PAGE_SIZE,
      highLimit: mm.mmapBase,
      alignOffset: pgoff * PAGE_SIZE,
      startGap: stackGuardPlacement(vmFlagsHigh),
    });
    if (found >= 0) return found;
  }
  // A failed top-down search falls back to bottom-up, without the VMA flags.
  return archGetUnmappedArea(mm, addr0, len, pgoff, flags, 0);
}

/** mm_get_unmapped_area_vmflags(): the layout's allocator (MMF_TOPDOWN or legacy). */
function mmGetUnmappedArea(
  mm: MmState,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
  vmFlagsHigh: number,
): number {
  return mm.topDown
    ? archGetUnmappedAreaTopdown(mm, addr, len, pgoff, flags, vmFlagsHigh)
    : archGetUnmappedArea(mm, addr, len, pgoff, flags, vmFlagsHigh);
}

/**
 * __thp_get_unmapped_area(): search for len + 2 MiB and place the mapping so that its file offset
 * and address agree modulo 2 MiB (the highest such place when top-down). 0 means "not applicable or
 * failed": the caller retries without padding.
 */
function thpGetUnmappedAreaPadded(
  mm: MmState,
  addr: number,
  len: number,
  off: number,
  flags: number,
  vmFlagsHigh: number,
): number {
  const size = PMD_SIZE;
  const offEnd = off + len;
  const offAlign = Math.ceil(off / size) * size;
  if (offEnd <= offAlign || offEnd - offAlign < size) return 0;
  const lenPad = len + size;
  const ret = mmGetUnmappedArea(mm, addr, lenPad, Math.floor(off / PAGE_SIZE), flags, vmFlagsHigh);
  if (ret < 0) return 0;
  if (ret === addr) return addr;
  const offSub = modPow2(off - ret, size);
  if (mm.topDown && offSub === 0) return ret + size;
  return ret + offSub;
}

/** thp_get_unmapped_area_vmflags(). */
function thpGetUnmappedArea(
  mm: MmState,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
  vmFlagsHigh: number,
): number {
  const ret = thpGetUnmappedAreaPadded(mm, addr, len, pgoff * PAGE_SIZE, flags, vmFlagsHigh);
  if (ret !== 0) return ret;
  return mmGetUnmappedArea(mm, addr, len, pgoff, flags, vmFlagsHigh);
}

/**
 * __get_unmapped_area(): choose (or, for MAP_FIXED, check) the address of a new mapping of `len`
 * bytes (page aligned, non-zero). Returns the address, or -ENOMEM (no room, or beyond TASK_SIZE),
 * -EINVAL (misaligned MAP_FIXED address) or -EPERM (below mmap_min_addr without CAP_SYS_RAWIO,
 * cap_mmap_addr()).
 *
 * Which allocator runs: shmem objects (shmem files and MAP_SHARED|MAP_ANONYMOUS) use shmem's, which
 * without shmem THP is the plain one; regular files use thp_get_unmapped_area when the file system
 * provides it (MmConfig.fileThpAlign); otherwise a hint-less request for a multiple of 2 MiB is
 * THP-aligned when CONFIG_TRANSPARENT_HUGEPAGE is set; anything else goes to the layout's allocator.
 *
 * Complexity: one or two gap searches of the index (a few more when stack guard gaps intrude).
 */
export function getUnmappedArea(
  mm: MmState,
  file: FileRef | null,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
  vmFlagsHigh = 0,
): number {
  if (len > mm.taskSize) return -ENOMEM;
  const shmem = file !== null ? file.shmem === true : (flags & MAP_SHARED) !== 0;
  const fileThp = file !== null && !shmem && mm.fileThpAlign;
  if (file === null) pgoff = 0;
  let result: number;
  if (shmem) {
    result = mmGetUnmappedArea(mm, addr, len, pgoff, flags, 0);
  } else if (fileThp) {
    result = thpGetUnmappedArea(mm, addr, len, pgoff, flags, 0);
  } else if (mm.thp && addr === 0 && len % PMD_SIZE === 0) {
    result = thpGetUnmappedArea(mm, addr, len, pgoff, flags, vmFlagsHigh);
  } else {
    result = mmGetUnmappedArea(mm, addr, len, pgoff, flags, vmFlagsHigh);
  }
  if (result < 0) return result;
  if (result > mm.taskSize - len) return -ENOMEM;
  if (result % PAGE_SIZE !== 0) return -EINVAL;
  if (result < mm.mmapMinAddr && !mm.capSysRawio) return -EPERM;
  return result;
}
