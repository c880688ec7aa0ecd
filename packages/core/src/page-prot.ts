/**
 * x86-64 page protections as vmakit encodes them in a PTE model.
 *
 * The hardware bit positions are kept for the low bits (arch/x86/include/asm/pgtable_types.h:
 * PRESENT 0, RW 1, USER 2, ACCESSED 5, DIRTY 6, GLOBAL/PROTNONE 8, SOFTW1/SPECIAL 9). NX is bit 63 in
 * hardware; vmakit moves it to bit 15 so a PTE's flags fit a 16-bit typed array. The frame number is
 * kept apart from the flags.
 */
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from './vm-flags.js';

export const PTE_PRESENT = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_USER = 1 << 2;
export const PTE_ACCESSED = 1 << 5;
export const PTE_DIRTY = 1 << 6;
/** _PAGE_PROTNONE shares bit 8 with _PAGE_GLOBAL; it is meaningful only when PRESENT is clear. */
export const PTE_PROTNONE = 1 << 8;
/** _PAGE_SPECIAL (SOFTW1): no struct page behind it, e.g. the shared zero page. */
export const PTE_SPECIAL = 1 << 9;
/** _PAGE_NX (hardware bit 63, here bit 15). */
export const PTE_NX = 1 << 15;

const PAGE_NONE = PTE_ACCESSED | PTE_PROTNONE;
const PAGE_SHARED = PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_NX;
const PAGE_SHARED_EXEC = PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED;
const PAGE_COPY = PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_NX;
const PAGE_COPY_EXEC = PTE_PRESENT | PTE_USER | PTE_ACCESSED;
const PAGE_READONLY = PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_NX;
const PAGE_READONLY_EXEC = PTE_PRESENT | PTE_USER | PTE_ACCESSED;

/**
 * protection_map[16] of arch/x86/mm/pgprot.c, indexed by VM_READ|VM_WRITE|VM_EXEC|VM_SHARED.
 * Private writable mappings get PAGE_COPY (read-only) so the first write faults and copies.
 */
const PROTECTION_MAP: readonly number[] = [
  PAGE_NONE, // none
  PAGE_READONLY, // r
  PAGE_COPY, // w
  PAGE_COPY, // rw
  PAGE_READONLY_EXEC, // x
  PAGE_READONLY_EXEC, // rx
  PAGE_COPY_EXEC, // wx
  PAGE_COPY_EXEC, // rwx
  PAGE_NONE, // shared
  PAGE_READONLY, // shared r
  PAGE_SHARED, // shared w
  PAGE_SHARED, // shared rw
  PAGE_READONLY_EXEC, // shared x
  PAGE_READONLY_EXEC, // shared rx
  PAGE_SHARED_EXEC, // shared wx
  PAGE_SHARED_EXEC, // shared rwx
];

/** vm_get_page_prot(): the PTE protection bits a VMA with these flags installs. O(1). */
export function vmGetPageProt(vmFlags: number): number {
  return PROTECTION_MAP[vmFlags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)]!;
}
