/**
 * Constants the address-space model needs beyond core's uapi.ts / errno.ts: a few more errno values,
 * the PMD size THP placement aligns to, and masks from include/linux/mman.h (v6.12).
 */
import {
  MAP_32BIT,
  MAP_ABOVE4G,
  MAP_ANONYMOUS,
  MAP_DENYWRITE,
  MAP_EXECUTABLE,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_STACK,
  MAP_UNINITIALIZED,
} from '../uapi.js';

/** PMD_SIZE on x86-64 (2 MiB): the THP size get_unmapped_area aligns large mappings to. */
export const PMD_SIZE = 2 * 1024 * 1024;

/** 2^64, the wrap-around point of `unsigned long`. */
export const U64_WRAP = 2 ** 64;

/** MAP_HUGE_SHIFT: the huge page size log2 lives in mmap flags bits 26-31. */
export const MAP_HUGE_SHIFT = 26;
/** MAP_HUGE_2MB / MAP_HUGE_1GB (HUGETLB_FLAG_ENCODE_*). */
export const MAP_HUGE_2MB = 21 * 2 ** MAP_HUGE_SHIFT;
export const MAP_HUGE_1GB = 30 * 2 ** MAP_HUGE_SHIFT;

/**
 * LEGACY_MAP_MASK (include/linux/mman.h): the flags plain MAP_SHARED silently accepts; with
 * MAP_SHARED_VALIDATE anything else is -EOPNOTSUPP (MAP_FIXED_NOREPLACE and MAP_SYNC are not in it).
 */
export const LEGACY_MAP_MASK =
  (MAP_SHARED |
    MAP_PRIVATE |
    MAP_FIXED |
    MAP_ANONYMOUS |
    MAP_DENYWRITE |
    MAP_EXECUTABLE |
    MAP_UNINITIALIZED |
    MAP_GROWSDOWN |
    MAP_LOCKED |
    MAP_NORESERVE |
    MAP_POPULATE |
    MAP_NONBLOCK |
    MAP_STACK |
    MAP_HUGETLB |
    MAP_32BIT |
    MAP_ABOVE4G |
    MAP_HUGE_2MB |
    MAP_HUGE_1GB) >>>
  0;

/** PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE (include/uapi/asm-generic/mman-common.h). */
export const PKEY_ACCESS_MASK = 0x3;

/** sysctl_overcommit_memory values (include/uapi/linux/mman.h). */
export const OVERCOMMIT_GUESS = 0;
export const OVERCOMMIT_ALWAYS = 1;
export const OVERCOMMIT_NEVER = 2;

/** 4 GiB: the low limit of MAP_ABOVE4G placement. */
export const SIZE_4G = 2 ** 32;
