/**
 * An independent check of the page tables against the mm: what must hold after any sequence of faults
 * and system calls if the fault model and its observer follow the kernel.
 *
 * - structure: every linked table has the right level, base and parent; entry counts and per-level
 *   table counts are exact; no page-table page spans only unmapped address space (free_pgtables());
 * - every PTE lies inside a VMA and carries exactly the VMA's protection (present / user / NX /
 *   PROT_NONE / pkey), except the write bit, which it may only have when the VMA is writable and —
 *   for private mappings — the page is an exclusive anonymous page;
 * - the zero page is mapped only special and read-only, in private anonymous VMAs;
 * - a page-cache page is mapped at the file offset it caches; anonymous pages only in private VMAs;
 * - map counts, reference counts and RSS counters match the PTEs.
 */
import {
  PTE_NX,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_RW,
  PTE_SPECIAL,
  PTE_USER,
  VM_SHARED,
  VM_WRITE,
  VmakitError,
} from '@vmakit/core';
import type { FaultEnv } from './env.js';
import { LEVEL_PGD, LEVEL_PTE, PTE_PKEY_MASK, PTRS_PER_TABLE, TABLE_SPAN } from './page-table.js';
import { FRAME_ANON, FRAME_CACHE, FRAME_EXCLUSIVE, ZERO_FRAME } from './phys-mem.js';
import { mkPteFlags } from './walk.js';

/** The PTE bits that must equal the VMA's vm_page_prot (the write bit is checked separately). */
const PROT_BITS = PTE_PRESENT | PTE_USER | PTE_NX | PTE_PROTNONE | PTE_PKEY_MASK;

/**
 * All violations found (empty when the page tables are consistent). O(tables · 512 + frames).
 * `limit` caps the number of messages.
 */
export function validatePageTables(env: FaultEnv, limit = 20): string[] {
  const problems: string[] = [];
  const add = (msg: string): boolean => {
    problems.push(msg);
    return problems.length >= limit;
  };
  const pt = env.pt;
  const phys = env.phys;
  const mapped = new Map<number, number>();
  let anon = 0;
  let file = 0;
  let shmem = 0;
  const levelCounts = [0, 0, 0, 1];
  const hex = (n: number) => `0x${n.toString(16)}`;

  const visit = (t: number, level: number, base: number): boolean => {
    let used = 0;
    for (let i = 0; i < PTRS_PER_TABLE; i++) {
      const slot = t * PTRS_PER_TABLE + i;
      if (level === LEVEL_PTE) {
        const flags = pt.pteFlags[slot]!;
        if (flags === 0) continue;
        used++;
        if (checkPte(base + i * 4096, flags, pt.entries[slot]!)) return true;
        continue;
      }
      const child = pt.entries[slot]!;
      if (child === 0) continue;
      used++;
      const span = TABLE_SPAN[level - 1]!;
      const childBase = base + i * span;
      if (
        pt.level[child] !== level - 1 &&
        add(`table ${child} under ${t} has level ${pt.level[child]}, not ${level - 1}`)
      )
        return true;
      if (
        pt.parentSlot[child] !== slot &&
        add(`table ${child} has parent slot ${pt.parentSlot[child]}, not ${slot}`)
      )
        return true;
      if (
        pt.base[child] !== childBase &&
        add(`table ${child} has base ${hex(pt.base[child]!)}, not ${hex(childBase)}`)
      )
        return true;
      levelCounts[level - 1]!++;
      let inUse = false;
      env.index.forEach(childBase, childBase + span, () => {
        inUse = true;
        return true;
      });
      if (
        !inUse &&
        add(
          `page-table page ${child} (level ${level - 1}) spans only unmapped [${hex(childBase)}, ${hex(childBase + span)})`,
        )
      )
        return true;
      if (visit(child, level - 1, childBase)) return true;
    }
    if (pt.used[t] !== used && add(`table ${t} counts ${pt.used[t]} entries, has ${used}`)) return true;
    return false;
  };

  const checkPte = (addr: number, flags: number, frame: number): boolean => {
    const vma = env.mm.vmaLookup(addr);
    if (vma === null) return add(`PTE at ${hex(addr)} outside every VMA`);
    const want = mkPteFlags(vma.pageProt, vma.flagsHigh) & PROT_BITS;
    if ((flags & PROT_BITS) !== want) {
      return add(
        `PTE at ${hex(addr)}: protection bits ${hex(flags & PROT_BITS)} but the VMA gives ${hex(want)}`,
      );
    }
    const shared = (vma.flags & VM_SHARED) !== 0;
    if ((flags & PTE_RW) !== 0 && (vma.flags & VM_WRITE) === 0)
      return add(`PTE at ${hex(addr)} writable in a VMA without VM_WRITE`);
    if ((flags & PTE_SPECIAL) !== 0 || frame === ZERO_FRAME) {
      if (frame !== ZERO_FRAME || (flags & PTE_SPECIAL) === 0)
        return add(`PTE at ${hex(addr)}: special bit and zero page disagree`);
      if ((flags & PTE_RW) !== 0) return add(`zero-page PTE at ${hex(addr)} is writable`);
      if (shared || vma.kind !== 'anon')
        return add(`zero page mapped at ${hex(addr)} in a non-anonymous or shared VMA`);
      return false;
    }
    if (!phys.isLive(frame)) return add(`PTE at ${hex(addr)} maps free frame ${frame}`);
    mapped.set(frame, (mapped.get(frame) ?? 0) + 1);
    const pf = phys.flags[frame]!;
    if ((pf & FRAME_ANON) !== 0) {
      anon++;
      if (shared) return add(`anonymous page ${frame} mapped in shared VMA at ${hex(addr)}`);
      if ((flags & PTE_RW) !== 0 && (pf & FRAME_EXCLUSIVE) === 0 && phys.refcount[frame]! > 1) {
        return add(`shared anonymous page ${frame} writable at ${hex(addr)}`);
      }
      return false;
    }
    if ((pf & FRAME_CACHE) === 0)
      return add(`PTE at ${hex(addr)} maps frame ${frame}, neither anonymous nor cached`);
    if (!shared && (flags & PTE_RW) !== 0)
      return add(`page-cache page ${frame} writable in private VMA at ${hex(addr)}`);
    const backing = vma.kind === 'special' || vma.file === null ? env.specialFile(vma) : vma.file;
    const index = vma.kind === 'special' ? (addr - vma.start) / 4096 : vma.pgoff + (addr - vma.start) / 4096;
    if (phys.fileId[frame] !== backing.id || phys.index[frame] !== index) {
      return add(
        `PTE at ${hex(addr)} maps page ${phys.index[frame]} of file ${phys.fileId[frame]}, expected page ${index} of ${backing.id}`,
      );
    }
    if (backing.shmem === true) shmem++;
    else file++;
    return false;
  };

  if (visit(pt.pgd, LEVEL_PGD, 0)) return problems;
  const counts = pt.tableCounts();
  if (counts.ptes !== levelCounts[0] || counts.pmds !== levelCounts[1] || counts.puds !== levelCounts[2]) {
    if (add(`table counts ${JSON.stringify(counts)} but found ${levelCounts.slice(0, 3).join('/')}`))
      return problems;
  }
  if (env.rssAnon !== anon || env.rssFile !== file || env.rssShmem !== shmem) {
    if (
      add(
        `RSS anon/file/shmem ${env.rssAnon}/${env.rssFile}/${env.rssShmem}, PTEs say ${anon}/${file}/${shmem}`,
      )
    )
      return problems;
  }
  for (let f = 1; f < phys.frameLimit; f++) {
    if (phys.refcount[f]! <= 0) continue;
    const m = mapped.get(f) ?? 0;
    if (phys.mapcount[f] !== m && add(`frame ${f}: mapcount ${phys.mapcount[f]}, mapped by ${m} PTEs`)) break;
    const cached = (phys.flags[f]! & FRAME_CACHE) !== 0 ? 1 : 0;
    if (phys.refcount[f]! < m + cached && add(`frame ${f}: refcount ${phys.refcount[f]} below ${m + cached}`))
      break;
    if (
      cached === 0 &&
      m === 0 &&
      phys.refcount[f] === 1 &&
      add(`frame ${f}: anonymous page leaked (no mapping)`)
    )
      break;
  }
  for (const cf of env.cache.allFiles()) {
    for (const [index, frame] of cf.pages) {
      if (
        phys.fileId[frame] !== cf.id ||
        phys.index[frame] !== index ||
        (phys.flags[frame]! & FRAME_CACHE) === 0
      ) {
        if (add(`page cache of file ${cf.id}: index ${index} holds frame ${frame} of another owner`))
          return problems;
      }
    }
  }
  return problems;
}

/** Throws a VmakitError listing the violations when the page tables are inconsistent. */
export function assertPageTablesValid(env: FaultEnv): void {
  const problems = validatePageTables(env);
  if (problems.length > 0) throw new VmakitError(`page tables invalid:\n  ${problems.join('\n  ')}`);
}
