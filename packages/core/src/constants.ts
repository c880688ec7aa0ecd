/**
 * Architecture constants of x86-64 with 4-level paging and 4 KiB pages.
 * Sources: arch/x86/include/asm/page_64_types.h (DEFAULT_MAP_WINDOW), include/linux/mm.h
 * (DEFAULT_MAX_MAP_COUNT), mm/mmap.c (stack_guard_gap).
 */

/** log2 of the base page size. */
export const PAGE_SHIFT = 12;
/** Base page size in bytes. */
export const PAGE_SIZE = 4096;
/** Mask that clears the offset within a page (as a positive number; use {@link pageDown}). */
export const PAGE_MASK_BITS = PAGE_SIZE - 1;

/**
 * Top of user space for 4-level paging: (1 << 47) - PAGE_SIZE. The last page below 2^47 is never
 * mapped, so a user address is valid when `addr < TASK_SIZE`.
 */
export const TASK_SIZE = 2 ** 47 - PAGE_SIZE;

/** DEFAULT_MAX_MAP_COUNT = USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN = 65535 - 5 (include/linux/mm.h). */
export const DEFAULT_MAX_MAP_COUNT = 65530;

/** Default stack_guard_gap: 256 pages (mm/mmap.c, boot parameter `stack_guard_gap=`). */
export const DEFAULT_STACK_GUARD_GAP = 256 * PAGE_SIZE;

/** Default RLIMIT_STACK soft limit (8 MiB, _STK_LIM in include/uapi/linux/resource.h). */
export const DEFAULT_RLIMIT_STACK = 8 * 1024 * 1024;

/** mmap_min_addr default on x86 distributions (CONFIG_DEFAULT_MMAP_MIN_ADDR=65536). */
export const DEFAULT_MMAP_MIN_ADDR = 65536;

/** Largest integer JavaScript represents exactly; addresses above it are handled page-granularly. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** True when `x` is a multiple of the page size. */
export function isPageAligned(x: number): boolean {
  return x % PAGE_SIZE === 0;
}

/** Round down to a page boundary. Exact for every non-negative integer below 2^53. */
export function pageDown(x: number): number {
  return x - (x % PAGE_SIZE);
}

/** Round up to a page boundary (PAGE_ALIGN). Exact below 2^53 - PAGE_SIZE. */
export function pageUp(x: number): number {
  const r = x % PAGE_SIZE;
  return r === 0 ? x : x + (PAGE_SIZE - r);
}

/** Page frame number of an address (addr >> PAGE_SHIFT), exact for addresses above 2^32. */
export function pfnOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

/** Number of pages in a page-aligned length. */
export function pagesIn(len: number): number {
  return Math.floor(len / PAGE_SIZE);
}
