/**
 * Keeps the page tables true while the mm changes: the MmObserver side of the fault model.
 *
 * - zapRange: unmap_page_range() — clear every PTE, drop each page's mapping and reference (a dirty
 *   PTE dirties its file page), fix the RSS counters; then, except for madvise (zap_page_range_single
 *   keeps tables), free_pgtables(): page-table pages whose whole span lies between the surviving
 *   neighbours (floor = previous VMA's end, ceiling = next VMA's start) are freed, bottom-up, PTE
 *   tables then PMD then PUD tables; the PGD stays (mm/memory.c free_pgd_range()).
 * - changeProtection: change_pte_range() — pte_modify() keeps the frame, ACCESSED, DIRTY and SPECIAL
 *   and takes the rest from the new vm_page_prot (pkey bits included); with MM_CP_TRY_CHANGE_WRITABLE
 *   (private writable VMAs, shared ones that want write-notify) a PTE becomes writable at once when
 *   the write-fault handler would not have to do anything: exclusive anonymous pages (private), dirty
 *   PTEs (shared).
 * - movePageTables: move_page_tables() — whole PTE tables move when source and destination are both
 *   PMD-aligned over a full 2 MiB extent and the destination PMD is empty (move_normal_pmd), single
 *   PTEs otherwise; the source range's emptied tables go with the munmap that follows.
 * - populate: __get_user_pages() over the range — pages not mapped with the needed permission are
 *   faulted in with handle_mm_fault() (write faults for private writable VMAs), without retries (the
 *   I/O happens under the lock); the first error stops it.
 *
 * Approximation: for MAP_FIXED over existing mappings the new VMA is already in the tree when the zap
 * is delivered, so tables are freed as if the new VMA did not exist; the kernel uses the old
 * neighbours instead, which differs only where the new VMA was merged into a neighbour.
 */
import {
  type MmObserver,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_RW,
  PTE_SPECIAL,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  type ZapReason,
} from '@vmakit/core';
import { drain } from './drain.js';
import type { FaultEnv } from './env.js';
import { FAULT_FLAG_WRITE, VM_FAULT_ERROR } from './fault-flags.js';
import { handleMmFault } from './handle-mm-fault.js';
import {
  LEVEL_PMD,
  LEVEL_PTE,
  LEVEL_PUD,
  PGDIR_SIZE,
  PMD_SIZE,
  PTRS_PER_TABLE,
  PUD_SIZE,
  pgdIndexOfVpn,
  pmdIndexOfVpn,
  pudIndexOfVpn,
  TABLE_SPAN,
} from './page-table.js';
import { FRAME_ANON, FRAME_DIRTY, FRAME_EXCLUSIVE } from './phys-mem.js';
import { EV } from './vmstat.js';
import { mkPteFlags } from './walk.js';

/** Bits pte_modify() keeps from the old PTE (_PAGE_CHG_MASK, as far as the model has them). */
const CHG_MASK = PTE_SPECIAL | PTE_ACCESSED | PTE_DIRTY;

/** The page-table observer of one FaultEnv. */
export class PageTableObserver implements MmObserver {
  constructor(private readonly env: FaultEnv) {}

  zapRange(start: number, end: number, reason: ZapReason): void {
    zapPtes(this.env, start, end);
    if (reason !== 'madvise') freePgtables(this.env, start, end, reason === 'mmap-fixed');
  }

  changeProtection(start: number, end: number, vma: Vma): void {
    changeProtection(this.env, start, end, vma);
  }

  movePageTables(oldStart: number, newStart: number, len: number): void {
    movePageTables(this.env, oldStart, newStart, len);
  }

  populate(start: number, end: number, write: boolean): void {
    populate(this.env, start, end, write);
  }
}

/**
 * Visit every PTE table that maps part of [start, end), in address order, with the first and last
 * (exclusive) PTE index of the table inside the range. Only existing tables are visited.
 */
function forEachPteTable(
  env: FaultEnv,
  start: number,
  end: number,
  visit: (t: number, from: number, to: number) => void,
): void {
  const pt = env.pt;
  let addr = start;
  while (addr < end) {
    const vpn = addr / 4096;
    const pud = pt.entries[pt.pgd * PTRS_PER_TABLE + pgdIndexOfVpn(vpn)]!;
    if (pud === 0) {
      addr = (Math.floor(addr / PGDIR_SIZE) + 1) * PGDIR_SIZE;
      continue;
    }
    const pmd = pt.entries[pud * PTRS_PER_TABLE + pudIndexOfVpn(vpn)]!;
    if (pmd === 0) {
      addr = (Math.floor(addr / PUD_SIZE) + 1) * PUD_SIZE;
      continue;
    }
    const next = (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE;
    const t = pt.entries[pmd * PTRS_PER_TABLE + pmdIndexOfVpn(vpn)]!;
    if (t !== 0) {
      const stop = Math.min(end, next);
      visit(t, vpn % 512, stop === next ? 512 : (stop / 4096) % 512);
    }
    addr = next;
  }
}

/** Clear one PTE: drop the page's mapping and reference, account RSS and dirtiness. */
export function zapPte(env: FaultEnv, slot: number): void {
  const pt = env.pt;
  const flags = pt.pteFlags[slot]!;
  if (flags === 0) return;
  const frame = pt.entries[slot]!;
  pt.clearPte(slot);
  env.vmstat.counts[EV.pte_zapped]!++;
  if ((flags & PTE_SPECIAL) !== 0) return;
  const phys = env.phys;
  phys.mapcount[frame]!--;
  if ((phys.flags[frame]! & FRAME_ANON) !== 0) env.rssAnon--;
  else {
    if ((flags & PTE_DIRTY) !== 0) phys.flags[frame]! |= FRAME_DIRTY;
    if (env.cache.isShmem(phys.fileId[frame]!)) env.rssShmem--;
    else env.rssFile--;
  }
  phys.put(frame);
}

/** unmap_page_range() over [start, end). */
export function zapPtes(env: FaultEnv, start: number, end: number): void {
  forEachPteTable(env, start, end, (t, from, to) => {
    const base = t * PTRS_PER_TABLE;
    for (let i = from; i < to; i++) if (env.pt.pteFlags[base + i] !== 0) zapPte(env, base + i);
  });
}

/**
 * True when no VMA other than those overlapping [ignoreStart, ignoreEnd) intersects [lo, hi): the
 * region lies within [floor, ceiling) of free_pgd_range().
 */
function regionUnused(
  env: FaultEnv,
  lo: number,
  hi: number,
  ignoreStart: number,
  ignoreEnd: number,
): boolean {
  let used = false;
  env.index.forEach(lo, hi, (s, e) => {
    if (s < ignoreEnd && e > ignoreStart) return undefined;
    used = true;
    return true;
  });
  return !used;
}

/** free_pgtables() / free_pgd_range() for the span [start, end) just zapped. */
export function freePgtables(env: FaultEnv, start: number, end: number, ignoreOverlapping: boolean): void {
  const pt = env.pt;
  const ignoreStart = ignoreOverlapping ? start : 0;
  const ignoreEnd = ignoreOverlapping ? end : 0;
  const free = (t: number): void => {
    pt.unlink(t);
    pt.freeTable(t);
    env.vmstat.counts[EV.pgtable_free]!++;
  };
  // Post-order over the existing tables intersecting [start, end).
  const visit = (t: number, level: number): void => {
    const span = TABLE_SPAN[level - 1]!;
    const base = pt.base[t]!;
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(PTRS_PER_TABLE - 1, Math.floor((end - 1 - base) / span));
    for (let i = first; i <= last; i++) {
      const child = pt.entries[t * PTRS_PER_TABLE + i]!;
      if (child === 0) continue;
      if (level - 1 > LEVEL_PTE) visit(child, level - 1);
      const lo = base + i * span;
      if (pt.used[child] === 0 && regionUnused(env, lo, lo + span, ignoreStart, ignoreEnd)) free(child);
    }
  };
  visit(pt.pgd, LEVEL_PUD + 1);
}

/** change_protection() over [start, end) of `vma`. */
export function changeProtection(env: FaultEnv, start: number, end: number, vma: Vma): void {
  const pt = env.pt;
  const prot = mkPteFlags(vma.pageProt, vma.flagsHigh) & ~CHG_MASK;
  const shared = (vma.flags & VM_SHARED) !== 0;
  const writable = (vma.flags & VM_WRITE) !== 0;
  // vma_wants_manual_pte_write_upgrade(): private writable, or shared wanting write-notify (MmStruct
  // leaves RW out of vm_page_prot exactly then).
  const tryWritable = writable && (!shared || (vma.pageProt & PTE_RW) === 0);
  forEachPteTable(env, start, end, (t, from, to) => {
    const base = t * PTRS_PER_TABLE;
    for (let i = from; i < to; i++) {
      const old = pt.pteFlags[base + i]!;
      if (old === 0) continue;
      let next = (old & CHG_MASK) | prot;
      if (tryWritable && (next & PTE_RW) === 0 && (next & PTE_PROTNONE) === 0 && (next & PTE_PRESENT) !== 0) {
        // can_change_pte_writable()
        if (shared) {
          if ((next & PTE_DIRTY) !== 0) next |= PTE_RW;
        } else if ((next & PTE_SPECIAL) === 0) {
          const f = env.phys.flags[pt.entries[base + i]!]!;
          if ((f & (FRAME_ANON | FRAME_EXCLUSIVE)) === (FRAME_ANON | FRAME_EXCLUSIVE)) next |= PTE_RW;
        }
      }
      if (next !== old) {
        pt.pteFlags[base + i] = next;
        env.vmstat.counts[EV.pte_protected]!++;
      }
    }
  });
}

/** Make sure the PUD and PMD tables above `addr` exist; returns the PMD-table slot of `addr`. */
function ensurePmdSlot(env: FaultEnv, addr: number): number {
  const pt = env.pt;
  const vpn = addr / 4096;
  const pgdSlot = pt.pgd * PTRS_PER_TABLE + pgdIndexOfVpn(vpn);
  let pud = pt.entries[pgdSlot]!;
  if (pud === 0) {
    pud = pt.allocTable(LEVEL_PUD, Math.floor(addr / PGDIR_SIZE) * PGDIR_SIZE);
    pt.link(pgdSlot, pud);
    env.vmstat.counts[EV.pgtable_alloc]!++;
  }
  const pudSlot = pud * PTRS_PER_TABLE + pudIndexOfVpn(vpn);
  let pmd = pt.entries[pudSlot]!;
  if (pmd === 0) {
    pmd = pt.allocTable(LEVEL_PMD, Math.floor(addr / PUD_SIZE) * PUD_SIZE);
    pt.link(pudSlot, pmd);
    env.vmstat.counts[EV.pgtable_alloc]!++;
  }
  return pmd * PTRS_PER_TABLE + pmdIndexOfVpn(vpn);
}

/** Make sure the PTE table for `addr` exists (allocating upper levels); returns it. */
function ensurePteTable(env: FaultEnv, addr: number): number {
  const pt = env.pt;
  const pmdSlot = ensurePmdSlot(env, addr);
  let t = pt.entries[pmdSlot]!;
  if (t === 0) {
    t = pt.allocTable(LEVEL_PTE, Math.floor(addr / PMD_SIZE) * PMD_SIZE);
    pt.link(pmdSlot, t);
    env.vmstat.counts[EV.pgtable_alloc]!++;
  }
  return t;
}

/** The PMD-table slot mapping `addr`, or -1 when an upper level is missing. */
function pmdSlotOf(env: FaultEnv, addr: number): number {
  const pt = env.pt;
  const vpn = addr / 4096;
  const pud = pt.entries[pt.pgd * PTRS_PER_TABLE + pgdIndexOfVpn(vpn)]!;
  if (pud === 0) return -1;
  const pmd = pt.entries[pud * PTRS_PER_TABLE + pudIndexOfVpn(vpn)]!;
  if (pmd === 0) return -1;
  return pmd * PTRS_PER_TABLE + pmdIndexOfVpn(vpn);
}

/** move_page_tables(): move the mappings of [oldStart, oldStart + len) to newStart. */
export function movePageTables(env: FaultEnv, oldStart: number, newStart: number, len: number): void {
  const pt = env.pt;
  const end = oldStart + len;
  let old = oldStart;
  while (old < end) {
    const nu = newStart + (old - oldStart);
    const extent = Math.min(
      (Math.floor(old / PMD_SIZE) + 1) * PMD_SIZE - old,
      (Math.floor(nu / PMD_SIZE) + 1) * PMD_SIZE - nu,
      end - old,
    );
    const oldSlot = pmdSlotOf(env, old);
    const table = oldSlot < 0 ? 0 : pt.entries[oldSlot]!;
    if (table === 0) {
      old += extent;
      continue;
    }
    if (extent === PMD_SIZE) {
      // move_normal_pmd(): relink the whole PTE table when the destination PMD is empty.
      const newSlot = ensurePmdSlot(env, nu);
      if (pt.entries[newSlot] === 0) {
        pt.unlink(table);
        pt.link(newSlot, table);
        pt.base[table] = Math.floor(nu / PMD_SIZE) * PMD_SIZE;
        env.vmstat.counts[EV.pgtable_move]!++;
        env.vmstat.counts[EV.pte_moved]! += pt.used[table]!;
        old += extent;
        continue;
      }
    }
    // move_ptes(): one entry at a time.
    const from = (old / 4096) % 512;
    const n = extent / 4096;
    for (let i = 0; i < n; i++) {
      const s = table * PTRS_PER_TABLE + from + i;
      const flags = pt.pteFlags[s]!;
      if (flags === 0) continue;
      const frame = pt.entries[s]!;
      const dt = ensurePteTable(env, nu + i * 4096);
      const ds = dt * PTRS_PER_TABLE + ((nu / 4096 + i) % 512);
      pt.clearPte(s);
      pt.setPte(ds, frame, flags);
      env.vmstat.counts[EV.pte_moved]!++;
    }
    old += extent;
  }
}

/** __get_user_pages() for populate: fault in what is not mapped with the needed access. */
export function populate(env: FaultEnv, start: number, end: number, write: boolean): void {
  for (let addr = start; addr < end; addr += 4096) {
    const vma = env.mm.vmaLookup(addr);
    if (vma === null) return;
    const flags = env.pt.pteFlagsAt(addr);
    if ((flags & PTE_PRESENT) !== 0 && (!write || (flags & PTE_RW) !== 0)) continue;
    env.vmstat.counts[EV.populate_faults]!++;
    const ret = drain(
      handleMmFault(env, vma, vma, addr, write ? FAULT_FLAG_WRITE : 0, null, env.currentPkru),
      env.mm,
    );
    if ((ret & VM_FAULT_ERROR) !== 0) return;
  }
}
