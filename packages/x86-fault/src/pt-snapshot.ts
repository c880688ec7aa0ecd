/**
 * A canonical listing of what the page tables map, independent of the numbering the model happened
 * to use (table numbers, frame numbers, file ids): two address spaces driven through the same
 * events must list the same lines whatever strategy or index they ran with.
 */
import type { FaultEnv } from './env.js';
import { LEVEL_PGD, LEVEL_PTE, PTRS_PER_TABLE, TABLE_SPAN } from './page-table.js';
import { FRAME_ANON, FRAME_DIRTY, FRAME_EXCLUSIVE, ZERO_FRAME } from './phys-mem.js';

/**
 * Every PTE, in address order, as `addr:flags:what` (hex address and PTE bits; `what` is `zero`,
 * `anon` / `anon-x` (exclusive), or `fN:index` for page `index` of the N-th file met in address
 * order, with `d` when the page is dirty). Walks only existing tables. O(tables · 512).
 */
export function pageTableSnapshot(env: FaultEnv): string[] {
  const pt = env.pt;
  const phys = env.phys;
  const out: string[] = [];
  const files = new Map<number, number>();
  const fileNo = (id: number): number => {
    let n = files.get(id);
    if (n === undefined) {
      n = files.size;
      files.set(id, n);
    }
    return n;
  };
  const visit = (t: number, level: number, base: number): void => {
    for (let i = 0; i < PTRS_PER_TABLE; i++) {
      const slot = t * PTRS_PER_TABLE + i;
      if (level === LEVEL_PTE) {
        const flags = pt.pteFlags[slot]!;
        if (flags === 0) continue;
        const frame = pt.entries[slot]!;
        const f = phys.flags[frame]!;
        let what: string;
        if (frame === ZERO_FRAME) what = 'zero';
        else if ((f & FRAME_ANON) !== 0) what = (f & FRAME_EXCLUSIVE) !== 0 ? 'anon-x' : 'anon';
        else
          what = `f${fileNo(phys.fileId[frame]!)}:${phys.index[frame]}${(f & FRAME_DIRTY) !== 0 ? 'd' : ''}`;
        out.push(`${(base + i * 4096).toString(16)}:${flags.toString(16)}:${what}`);
        continue;
      }
      const child = pt.entries[slot]!;
      if (child !== 0) visit(child, level - 1, base + i * TABLE_SPAN[level - 1]!);
    }
  };
  visit(pt.pgd, LEVEL_PGD, 0);
  return out;
}
