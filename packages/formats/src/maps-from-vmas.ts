/**
 * Renders a model's VMAs the way /proc/PID/maps shows them, following fs/proc/task_mmu.c
 * show_map_vma() and get_vma_name() (v6.12): permissions from VM_READ/WRITE/EXEC and VM_MAYSHARE,
 * offset/dev/inode only for file VMAs, and the name chosen as file path, then a special mapping's
 * own name, then `[heap]` (vma_is_initial_heap), then `[stack]` (vma_is_initial_stack), then the
 * anonymous VMA name.
 */
import { PAGE_SIZE, VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE, type Vma } from '@vmakit/core';
import { formatMaps, type MapsEntry } from './maps.js';

/** The parts of mm_struct that name the heap and the stack. */
export interface MapsNaming {
  /** mm->start_brk. With `brk`, decides `[heap]` by the kernel's rule instead of `vma.name`. */
  readonly startBrk?: number;
  /** mm->brk. */
  readonly brk?: number;
  /** mm->start_stack. Decides `[stack]` by the kernel's rule instead of `vma.name`. */
  readonly startStack?: number;
}

const HEAP = '[heap]';
const STACK = '[stack]';

function nameOf(vma: Vma, naming: MapsNaming): string {
  if (vma.file !== null) return vma.file.path;
  if (vma.kind === 'special' && vma.name !== null) return vma.name;
  const brkKnown = naming.startBrk !== undefined && naming.brk !== undefined;
  const stackKnown = naming.startStack !== undefined;
  // vma_is_initial_heap(): start < brk && end > start_brk.
  if (brkKnown && vma.start < naming.brk! && vma.end > naming.startBrk!) return HEAP;
  // vma_is_initial_stack(): start <= start_stack <= end.
  if (stackKnown && vma.start <= naming.startStack! && vma.end >= naming.startStack!) return STACK;
  const name = vma.name ?? '';
  // When the mm's layout is given, the model's own [heap]/[stack] labels are superseded by the rule.
  if ((brkKnown && name === HEAP) || (stackKnown && name === STACK)) return '';
  return name;
}

/** One VMA as a maps entry (`line` 0). O(1). */
export function vmaToMapsEntry(vma: Vma, naming: MapsNaming = {}): MapsEntry {
  const file = vma.file;
  return {
    start: vma.start,
    end: vma.end,
    read: (vma.flags & VM_READ) !== 0,
    write: (vma.flags & VM_WRITE) !== 0,
    exec: (vma.flags & VM_EXEC) !== 0,
    shared: (vma.flags & VM_MAYSHARE) !== 0,
    offset: file !== null ? vma.pgoff * PAGE_SIZE : 0,
    dev: file?.dev ?? '00:00',
    inode: file?.inode ?? 0,
    path: nameOf(vma, naming),
    line: 0,
  };
}

/** The VMAs (in address order) as maps entries. O(n). */
export function mapsEntriesFromVmas(vmas: Iterable<Vma>, naming: MapsNaming = {}): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (const v of vmas) out.push(vmaToMapsEntry(v, naming));
  return out;
}

/**
 * The VMAs (in address order) as /proc/PID/maps text, optionally followed by a gate area entry
 * (e.g. a parsed capture's `[vsyscall]`). O(n).
 */
export function mapsFromVmas(
  vmas: Iterable<Vma>,
  naming: MapsNaming = {},
  gate: MapsEntry | null = null,
): string {
  const entries = mapsEntriesFromVmas(vmas, naming);
  if (gate !== null) entries.push(gate);
  return formatMaps(entries);
}
