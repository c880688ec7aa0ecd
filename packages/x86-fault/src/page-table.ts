/**
 * An x86-64 4-level page table (PGD → PUD → PMD → PTE, 512 entries per table, 4 KiB pages; the P4D
 * level is folded as on machines without LA57), stored in typed arrays:
 *
 * - every table is a number `t` (0 means "none"); entry `i` of table `t` lives at slot `t * 512 + i`;
 * - upper-level entries hold the number of the table below (0 = pXd_none);
 * - PTE entries hold a frame number in `entries` and the PTE bits in `pteFlags` (core's PTE_* bits,
 *   NX moved to bit 15, plus the protection key in bits 10-13 — hardware bits 59-62). A PTE is none
 *   when its flags are 0; the zero page is frame 0 with PTE_SPECIAL.
 *
 * The table is pure data: the fault paths (which take the locks and yield steps) and the MmObserver
 * (which follows munmap / mprotect / mremap) change it. Table pages are counted as the kernel counts
 * them (mm->pgtables_bytes via mm_inc_nr_ptes / nr_pmds / nr_puds); they do not come from PhysMem.
 */
import { allocId, PTE_PRESENT, PTE_PROTNONE, VmakitError } from '@vmakit/core';

/** Entries per table at every level. */
export const PTRS_PER_TABLE = 512;
/** Bytes one PTE table maps (PMD_SIZE). */
export const PMD_SIZE = 2 * 1024 * 1024;
/** Bytes one PMD table maps (PUD_SIZE). */
export const PUD_SIZE = 1024 * 1024 * 1024;
/** Bytes one PUD table maps (PGDIR_SIZE with a folded P4D). */
export const PGDIR_SIZE = 512 * PUD_SIZE;

/** Table levels. */
export const LEVEL_PTE = 0;
export const LEVEL_PMD = 1;
export const LEVEL_PUD = 2;
export const LEVEL_PGD = 3;

/** Bytes mapped by one table of each level. */
export const TABLE_SPAN = [PMD_SIZE, PUD_SIZE, PGDIR_SIZE, 2 ** 48] as const;

/** Model encoding of the PTE protection key (hardware bits 59-62) in bits 10-13 of pteFlags. */
export const PTE_PKEY_SHIFT = 10;
export const PTE_PKEY_MASK = 0xf << PTE_PKEY_SHIFT;

/** pte_present() as the kernel defines it: PRESENT, or PROTNONE (a PROT_NONE / NUMA-hinting PTE). */
export function ptePresent(flags: number): boolean {
  return (flags & (PTE_PRESENT | PTE_PROTNONE)) !== 0;
}

/** Virtual page number of an address. */
export function vpnOf(addr: number): number {
  return Math.floor(addr / 4096);
}
/**
 * `x % 512` for a non-negative integer below 2^53, without `%`: page numbers exceed int32, where V8
 * computes `%` on doubles with an fmod call (several times slower on the fault path); dividing by a
 * power of two, flooring and multiplying back are exact there, so the result is the same.
 */
export function mod512(x: number): number {
  return x - Math.floor(x / 512) * 512;
}
/** Index in the PTE table. */
export function pteIndexOfVpn(vpn: number): number {
  return mod512(vpn);
}
/** Index in the PMD table. */
export function pmdIndexOfVpn(vpn: number): number {
  return mod512(Math.floor(vpn / 512));
}
/** Index in the PUD table. */
export function pudIndexOfVpn(vpn: number): number {
  return mod512(Math.floor(vpn / 262144));
}
/** Index in the PGD. */
export function pgdIndexOfVpn(vpn: number): number {
  return mod512(Math.floor(vpn / 134217728));
}

/** Counters of table pages. */
export interface PageTableCounts {
  /** PTE tables (mm_inc_nr_ptes). */
  readonly ptes: number;
  /** PMD tables (mm_inc_nr_pmds). */
  readonly pmds: number;
  /** PUD tables (mm_inc_nr_puds). */
  readonly puds: number;
  /** Page-table pages including the PGD. */
  readonly total: number;
}

/** The page-table storage of one address space. */
export class PageTables {
  /** Child table (upper levels) or frame (PTE level), by slot. */
  entries: Int32Array;
  /** PTE bits, by slot (PTE-level tables only). */
  pteFlags: Uint16Array;
  /** Level of each table. */
  level: Uint8Array;
  /** Non-none entries of each table. */
  used: Uint16Array;
  /** First virtual address each table maps. */
  base: Float64Array;
  /** Slot in the parent table that points to each table (0 for the PGD). */
  parentSlot: Int32Array;
  /** Object id of each table page (cache-line and lock identity), fresh per allocation. */
  objId: Float64Array;
  /** The PGD. */
  readonly pgd: number;
  private cap: number;
  private next = 1;
  private freeTables: number[] = [];
  private counts = [0, 0, 0, 1];
  /** Tables ever allocated / freed (PGD excluded). */
  allocated = 0;
  freed = 0;

  constructor(initialTables = 64) {
    this.cap = Math.max(4, initialTables);
    this.entries = new Int32Array(this.cap * PTRS_PER_TABLE);
    this.pteFlags = new Uint16Array(this.cap * PTRS_PER_TABLE);
    this.level = new Uint8Array(this.cap);
    this.used = new Uint16Array(this.cap);
    this.base = new Float64Array(this.cap);
    this.parentSlot = new Int32Array(this.cap);
    this.objId = new Float64Array(this.cap);
    this.pgd = this.next++;
    this.level[this.pgd] = LEVEL_PGD;
    this.objId[this.pgd] = allocId();
  }

  private grow(): void {
    const cap = this.cap * 2;
    const e = new Int32Array(cap * PTRS_PER_TABLE);
    e.set(this.entries);
    this.entries = e;
    const f = new Uint16Array(cap * PTRS_PER_TABLE);
    f.set(this.pteFlags);
    this.pteFlags = f;
    const l = new Uint8Array(cap);
    l.set(this.level);
    this.level = l;
    const u = new Uint16Array(cap);
    u.set(this.used);
    this.used = u;
    const b = new Float64Array(cap);
    b.set(this.base);
    this.base = b;
    const p = new Int32Array(cap);
    p.set(this.parentSlot);
    this.parentSlot = p;
    const o = new Float64Array(cap);
    o.set(this.objId);
    this.objId = o;
    this.cap = cap;
  }

  /**
   * Allocate an empty table of `level` mapping from `base` (not yet linked into its parent: callers
   * link it with `link` under the right lock, as pmd_install() does). O(1) amortised.
   */
  allocTable(level: number, base: number): number {
    let t = this.freeTables.pop();
    if (t === undefined) {
      if (this.next >= this.cap) this.grow();
      t = this.next++;
    }
    this.level[t] = level;
    this.used[t] = 0;
    this.base[t] = base;
    this.parentSlot[t] = 0;
    this.objId[t] = allocId();
    this.allocated++;
    return t;
  }

  /** Link table `t` into the parent entry `slot` (pXd_populate) and count it. */
  link(slot: number, t: number): void {
    if (this.entries[slot] !== 0) throw new VmakitError(`page table: slot ${slot} is already populated`);
    this.entries[slot] = t;
    this.parentSlot[t] = slot;
    this.used[Math.floor(slot / PTRS_PER_TABLE)]!++;
    this.counts[this.level[t]!]!++;
  }

  /** Unlink table `t` from its parent (pXd_clear); it must be linked. */
  unlink(t: number): void {
    const slot = this.parentSlot[t]!;
    if (slot === 0 || this.entries[slot] !== t) throw new VmakitError(`page table: table ${t} is not linked`);
    this.entries[slot] = 0;
    this.parentSlot[t] = 0;
    this.used[Math.floor(slot / PTRS_PER_TABLE)]!--;
    this.counts[this.level[t]!]!--;
  }

  /**
   * Return an unlinked table to the pool (pte_free / pmd_free). Its entries must all be none: the
   * kernel frees page-table pages only after zapping them.
   */
  freeTable(t: number): void {
    if (this.used[t] !== 0)
      throw new VmakitError(`page table: freeing table ${t} with ${this.used[t]} entries`);
    if (this.parentSlot[t] !== 0) throw new VmakitError(`page table: freeing linked table ${t}`);
    const from = t * PTRS_PER_TABLE;
    this.entries.fill(0, from, from + PTRS_PER_TABLE);
    this.pteFlags.fill(0, from, from + PTRS_PER_TABLE);
    this.level[t] = 0;
    this.freeTables.push(t);
    this.freed++;
  }

  /** set_pte_at(): write PTE `slot` (flags must be non-zero), keeping the table's entry count. */
  setPte(slot: number, frame: number, flags: number): void {
    if (this.pteFlags[slot] === 0) this.used[Math.floor(slot / PTRS_PER_TABLE)]!++;
    this.entries[slot] = frame;
    this.pteFlags[slot] = flags;
  }

  /** pte_clear(): make PTE `slot` none. */
  clearPte(slot: number): void {
    if (this.pteFlags[slot] === 0) return;
    this.used[Math.floor(slot / PTRS_PER_TABLE)]!--;
    this.entries[slot] = 0;
    this.pteFlags[slot] = 0;
  }

  /** The PTE table mapping `addr`, or 0 when some level is missing. O(1). */
  pteTableOf(addr: number): number {
    const vpn = vpnOf(addr);
    const pud = this.entries[this.pgd * PTRS_PER_TABLE + pgdIndexOfVpn(vpn)]!;
    if (pud === 0) return 0;
    const pmd = this.entries[pud * PTRS_PER_TABLE + pudIndexOfVpn(vpn)]!;
    if (pmd === 0) return 0;
    return this.entries[pmd * PTRS_PER_TABLE + pmdIndexOfVpn(vpn)]!;
  }

  /** The PTE slot of `addr`, or -1 when its PTE table does not exist. O(1). */
  pteSlotOf(addr: number): number {
    const t = this.pteTableOf(addr);
    return t === 0 ? -1 : t * PTRS_PER_TABLE + pteIndexOfVpn(vpnOf(addr));
  }

  /** The PTE bits at `addr` (0 when none or no table). */
  pteFlagsAt(addr: number): number {
    const s = this.pteSlotOf(addr);
    return s < 0 ? 0 : this.pteFlags[s]!;
  }

  /** The frame the PTE at `addr` maps (meaningful only when the PTE is not none). */
  pteFrameAt(addr: number): number {
    const s = this.pteSlotOf(addr);
    return s < 0 ? 0 : this.entries[s]!;
  }

  /** Table pages by level. */
  tableCounts(): PageTableCounts {
    const [ptes, pmds, puds] = this.counts as [number, number, number, number];
    return { ptes, pmds, puds, total: ptes + pmds + puds + 1 };
  }

  /** Number of table slots ever used (table numbers are below it). */
  get tableLimit(): number {
    return this.next;
  }
}
