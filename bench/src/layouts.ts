/**
 * The address spaces the benchmarks run on: synthetic layouts (seeded, shaped like a real x86-64
 * process) and the real ones captured in ../shared/traces (start.maps and end.maps of each capture).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RLIMIT_STACK, DEFAULT_STACK_GUARD_GAP, mmapBase, PAGE_SIZE, TASK_SIZE } from '@vmakit/core';
import { parseMaps } from '@vmakit/formats';
import { BenchVma } from './entry.js';
import { createRng, deriveSeed, type Rng } from './rng.js';

/** One address space, ready to be loaded into any structure. */
export interface BenchLayout {
  /** `synthetic-<n>` or `capture:<folder>/<start|end>`. */
  readonly name: string;
  readonly source: 'synthetic' | 'capture';
  /** Number of VMAs. */
  readonly vmas: number;
  /** vm_start of each VMA, ascending. */
  readonly starts: Float64Array;
  /** vm_end of each VMA, parallel to `starts`. */
  readonly ends: Float64Array;
  /** The entries, parallel to `starts`. */
  readonly entries: readonly BenchVma[];
  /** Insertion order used to build every structure: positions into the ascending arrays. */
  readonly order: Int32Array;
  /** High limit of top-down gap searches (the process's mmap_base, or an estimate of it). */
  readonly mmapBase: number;
  /** One line on where it comes from. */
  readonly description: string;
}

/** A range before it becomes an entry. */
interface RawRange {
  start: number;
  end: number;
  guardBelow: number;
}

const PAGE = PAGE_SIZE;
/** arch_mmap_rnd(): mmap_rnd_bits = 28 on x86-64 (arch/x86/Kconfig ARCH_MMAP_RND_BITS_MAX default). */
const MMAP_RND_PAGES = 2 ** 28;
/** stack_maxrandom_size(): 22 bits of pages, 16 GiB (arch/x86/mm/mmap.c). */
const STACK_RND_PAGES = 2 ** 22;
/** ELF_ET_DYN_BASE = (DEFAULT_MAP_WINDOW / 3 * 2) & ~(PAGE_SIZE - 1) (arch/x86/include/asm/elf.h). */
const ELF_ET_DYN_BASE = Math.floor((((2 ** 47 - PAGE) / 3) * 2) / PAGE) * PAGE;
/** randomize_brk() spreads the heap start over 32 MiB (arch/x86/kernel/process.c arch_randomize_brk). */
const BRK_RND_PAGES = 0x02000000 / PAGE;
/** Fixed VMAs of the synthetic process (binary, heap, stack) are added from this size on. */
const MIN_FOR_FIXED = 32;

/**
 * Builds a layout from ranges in creation order: sorts them, checks page alignment and that no two
 * overlap, and records the creation order as the insertion order. O(n log n).
 */
function layoutFrom(
  name: string,
  source: BenchLayout['source'],
  created: readonly RawRange[],
  base: number,
  description: string,
): BenchLayout {
  const n = created.length;
  const byAddr = Array.from({ length: n }, (_, i) => i).sort((a, b) => created[a]!.start - created[b]!.start);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const entries: BenchVma[] = new Array(n);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = created[byAddr[k]!]!;
    if (r.start % PAGE !== 0 || r.end % PAGE !== 0 || !(r.start < r.end) || r.end > TASK_SIZE) {
      throw new RangeError(`${name}: bad range [0x${r.start.toString(16)}, 0x${r.end.toString(16)})`);
    }
    if (k > 0 && ends[k - 1]! > r.start) {
      throw new RangeError(`${name}: ranges overlap at 0x${r.start.toString(16)}`);
    }
    starts[k] = r.start;
    ends[k] = r.end;
    entries[k] = new BenchVma(r.start, r.end, r.guardBelow);
    order[byAddr[k]!] = k;
  }
  return { name, source, vmas: n, starts, ends, entries, order, mmapBase: base, description };
}

/** Options of {@link generateSyntheticLayout}. */
export interface SyntheticLayoutOptions {
  /** Number of VMAs (≥ 1). */
  readonly vmas: number;
  /** Seed: the same seed and count give the same layout. */
  readonly seed: number;
  /** Layout name (default `synthetic-<vmas>`). */
  readonly name?: string;
}

/** Size in pages of one ordinary mmap(): mostly small, a tail of large ones. */
function mmapPages(rng: Rng): number {
  const r = rng.float();
  if (r < 0.6) return rng.logInt(1, 16);
  if (r < 0.9) return rng.logInt(17, 512);
  return rng.logInt(513, 65536);
}

/** Free pages left above a new mapping: adjacent, a guard-sized hole, or a large hole. */
function gapPages(rng: Rng): number {
  const r = rng.float();
  if (r < 0.45) return 0;
  if (r < 0.85) return rng.logInt(1, 16);
  return rng.logInt(17, 262144);
}

/**
 * A deterministic synthetic address space shaped like a busy x86-64 process (the shape of
 * arch/x86/mm/mmap.c and fs/binfmt_elf.c placement, with randomisation drawn from the seed):
 * - from 32 VMAs on: a PIE binary (four adjacent segments and a bss) near ELF_ET_DYN_BASE, a heap a
 *   random distance above it, a 132 KiB `[stack]` (with its 1 MiB guard gap) below a randomised
 *   stack top, and `[vvar]`/`[vdso]` as the first top-down mappings;
 * - the rest placed top-down below mmap_base (stack rlimit + guard + 16 GiB stack randomisation,
 *   less up to 2^28 random pages), each below the previous one: 5 % libraries (four adjacent
 *   segments), 5 % thread stacks (8 MiB plus an adjacent guard page), the others single mappings
 *   of 1–16 pages (60 %), 17–512 pages (30 %) or up to 256 MiB (10 %), log-uniform; above each, no
 *   gap (45 %), 1–16 free pages (40 %) or up to 1 GiB (15 %).
 * All ranges are page multiples and disjoint. O(n log n).
 */
export function generateSyntheticLayout(options: SyntheticLayoutOptions): BenchLayout {
  const { vmas, seed } = options;
  if (!Number.isSafeInteger(vmas) || vmas < 1) {
    throw new RangeError(`synthetic layout: vmas must be a positive integer, got ${vmas}`);
  }
  const name = options.name ?? `synthetic-${vmas}`;
  const rng = createRng(seed);
  const stackMaxRandom = STACK_RND_PAGES * PAGE - PAGE;
  const base =
    mmapBase(TASK_SIZE, DEFAULT_RLIMIT_STACK + stackMaxRandom, DEFAULT_STACK_GUARD_GAP) -
    rng.int(MMAP_RND_PAGES) * PAGE;
  const created: RawRange[] = [];
  const add = (start: number, pages: number, guardBelow = 0): number => {
    const end = start + pages * PAGE;
    created.push({ start, end, guardBelow });
    return end;
  };
  // Below this the top-down area would run into the heap; the sizes above keep far away from it.
  let floor = PAGE;
  if (vmas >= MIN_FOR_FIXED) {
    let at = ELF_ET_DYN_BASE + rng.int(MMAP_RND_PAGES) * PAGE;
    at = add(at, rng.logInt(1, 64)); // r-- headers and rodata before text
    at = add(at, rng.logInt(1, 4096)); // r-x text
    at = add(at, rng.logInt(1, 1024)); // r-- rodata
    at = add(at, rng.logInt(1, 16)); // r-- RELRO
    at = add(at, rng.logInt(1, 64)); // rw- data
    at = add(at, rng.logInt(1, 256)); // rw- bss (anonymous, adjacent)
    const heapEnd = add(at + rng.int(BRK_RND_PAGES) * PAGE, rng.logInt(33, 65536));
    floor = heapEnd + 2 ** 30;
    const stackTop = TASK_SIZE - rng.int(STACK_RND_PAGES) * PAGE;
    add(stackTop - 33 * PAGE, 33, DEFAULT_STACK_GUARD_GAP);
  }
  let cursor = base;
  const below = (pages: number, guardBelow = 0): void => {
    cursor -= pages * PAGE;
    if (cursor < floor) throw new RangeError(`${name}: the synthetic layout ran out of address space`);
    add(cursor, pages, guardBelow);
  };
  if (vmas >= MIN_FOR_FIXED) {
    below(2); // [vdso]
    below(4); // [vvar], adjacent below it
  }
  while (created.length < vmas) {
    const left = vmas - created.length;
    cursor -= gapPages(rng) * PAGE;
    const kind = rng.float();
    if (kind < 0.05 && left >= 4) {
      below(rng.logInt(1, 16)); // rw- data
      below(rng.logInt(1, 64)); // r-- rodata
      below(rng.logInt(1, 2048)); // r-x text
      below(rng.logInt(1, 64)); // r-- headers
    } else if (kind < 0.1 && left >= 2) {
      below(2048); // thread stack (8 MiB, glibc's default from RLIMIT_STACK)
      below(1); // its PROT_NONE guard page
    } else {
      below(mmapPages(rng));
    }
  }
  return layoutFrom(
    name,
    'synthetic',
    created,
    base,
    `synthetic x86-64 process, ${vmas} VMAs, seed ${seed}, built in creation order (top-down mmaps)`,
  );
}

/** Names of the special mappings that sit above the mmap area or are not placed by mmap(). */
const ABOVE_MMAP = new Set(['[stack]', '[vvar]', '[vdso]', '[vvar_vclock]', '[vsyscall]']);

/**
 * Reads one maps file into a layout built in descending address order (the order top-down mmap
 * placement creates most VMAs; the real creation order is not recorded in maps). The stack gets
 * its guard gap. mmap_base is estimated as the end of the highest VMA that is not a special
 * mapping. O(n log n).
 */
export async function loadMapsLayout(path: string, name: string): Promise<BenchLayout> {
  const maps = await parseMaps(path, path);
  const ranges: RawRange[] = maps.entries.map((e) => ({
    start: e.start,
    end: e.end,
    guardBelow: e.path === '[stack]' ? DEFAULT_STACK_GUARD_GAP : 0,
  }));
  ranges.sort((a, b) => b.start - a.start);
  let base = ranges.length > 0 ? ranges[0]!.end : TASK_SIZE;
  const top = maps.entries.filter((e) => !ABOVE_MMAP.has(e.path));
  if (top.length > 0) base = top[top.length - 1]!.end;
  return layoutFrom(
    name,
    'capture',
    ranges,
    base,
    `captured ${maps.entries.length} VMAs, built in descending address order`,
  );
}

/**
 * Every capture's start.maps and end.maps under `tracesDir` (one sub-folder per capture, sorted by
 * name), as layouts named `capture:<folder>/start` and `capture:<folder>/end`. O(total lines).
 */
export async function loadCaptureLayouts(tracesDir: string): Promise<BenchLayout[]> {
  const out: BenchLayout[] = [];
  const folders = readdirSync(tracesDir)
    .filter((f) => statSync(join(tracesDir, f)).isDirectory())
    .sort();
  for (const folder of folders) {
    for (const which of ['start', 'end'] as const) {
      const file = join(tracesDir, folder, `${which}.maps`);
      if (existsSync(file)) out.push(await loadMapsLayout(file, `capture:${folder}/${which}`));
    }
  }
  return out;
}

/** The synthetic layout of `vmas` VMAs a run with `runSeed` uses (its own seed stream per size). */
export function syntheticLayoutFor(vmas: number, runSeed: number): BenchLayout {
  return generateSyntheticLayout({ vmas, seed: deriveSeed(runSeed, `synthetic-${vmas}`) });
}
