/**
 * The address space a small dynamically linked C benchmark has when its main() starts, without
 * address-space randomisation — will-it-scale's runtest.py runs every test under `setarch linux64 -R`
 * ("pagetable related benchmarks (one run may fit within one pte page, the next may span two)").
 *
 * Where the pieces go (fs/binfmt_elf.c load_elf_binary, arch/x86/mm/mmap.c, v6.12):
 * - a PIE executable at ELF_ET_DYN_BASE = 2/3 of TASK_SIZE, page-aligned: 0x555555554000; its PT_LOAD
 *   segments become r--, r-x, r-- VMAs, then the RELRO part (r--) and the data (rw-);
 * - start_brk = brk = the page after the executable's bss (no randomisation);
 * - the dynamic loader at the top of the mmap area, mmap_base() = 0x7ffff7fff000 with the default
 *   8 MiB stack limit; the vDSO data and code pages below it; libc below those; the anonymous bss and
 *   TLS mappings next to them;
 * - the stack VMA (VM_GROWSDOWN) just below TASK_SIZE.
 *
 * The segment sizes are representative of glibc 2.3x on x86-64 (libc.so.6 about 2.2 MiB, ld.so about
 * 212 KiB), not a measurement of one binary: what matters to the simulation is the number of VMAs
 * (18) and where the gaps are, which decide the shape of the VMA tree and where new mappings land.
 * VmFlags follow what /proc/PID/smaps shows for such a process (rd/wr/ex, mr mw me, ac on private
 * writable and RELRO mappings, gd on the stack, pf io de dd on [vvar], de on [vdso]).
 */
import {
  type AnonVma,
  allocId,
  DEFAULT_RLIMIT_STACK,
  DEFAULT_STACK_GUARD_GAP,
  type FileRef,
  mmapBase,
  TASK_SIZE,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
  type VmaInit,
  type VmaKind,
  vmFlags,
} from '@vmakit/core';
import type { WorkloadInitialState } from './initial-state.js';

const PAGE = 4096;
const MAY = (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC) >>> 0;
const R = (VM_READ | MAY) >>> 0;
const RX = (VM_READ | VM_EXEC | MAY) >>> 0;
const R_AC = (VM_READ | MAY | VM_ACCOUNT) >>> 0;
const RW_AC = (VM_READ | VM_WRITE | MAY | VM_ACCOUNT) >>> 0;

/** ELF_ET_DYN_BASE on x86-64: (DEFAULT_MAP_WINDOW / 3 * 2) & ~(PAGE_SIZE - 1). */
export const NO_ASLR_EXE_BASE = 0x555555554000;

/** A file of the image. */
function file(path: string, pages: number): FileRef {
  return { id: allocId(), path, dev: '08:01', inode: 1000 + (allocId() % 100000), sizePages: pages };
}

interface Segment {
  /** Pages of this VMA. */
  readonly pages: number;
  readonly flags: number;
  /** File offset in pages (for file segments). */
  readonly pgoff?: number;
}

/** Lays `segments` of one file (or anonymous when `f` is null) upwards from `start`. */
function layout(
  out: VmaInit[],
  start: number,
  f: FileRef | null,
  segments: readonly Segment[],
  kind: VmaKind = f === null ? 'anon' : 'file',
  name: string | null = null,
): number {
  let at = start;
  for (const s of segments) {
    const end = at + s.pages * PAGE;
    // Private writable or RELRO pages were written during start-up: they have an anon_vma.
    const anonVma: AnonVma | null = (s.flags & VM_ACCOUNT) !== 0 ? { id: allocId() } : null;
    out.push({
      start: at,
      end,
      flags: s.flags,
      pgoff: f === null ? at / PAGE : (s.pgoff ?? 0),
      file: f,
      anonVma,
      kind,
      name,
    });
    at = end;
  }
  return at;
}

/** Options of {@link processImage}. */
export interface ProcessImageOptions {
  /** Program name, for the executable's path. */
  readonly program: string;
}

/**
 * The VMAs and mm settings of a non-randomised small C program (18 VMAs). Every call makes fresh
 * FileRefs and anon_vmas. O(1).
 */
export function processImage(options: ProcessImageOptions): WorkloadInitialState {
  const vmas: VmaInit[] = [];
  const exe = file(`/opt/bench/${options.program}`, 5);
  const exeEnd = layout(vmas, NO_ASLR_EXE_BASE, exe, [
    { pages: 1, flags: R, pgoff: 0 },
    { pages: 1, flags: RX, pgoff: 1 },
    { pages: 1, flags: R, pgoff: 2 },
    { pages: 1, flags: R_AC, pgoff: 2 },
    { pages: 1, flags: RW_AC, pgoff: 3 },
  ]);
  const base = mmapBase(TASK_SIZE, DEFAULT_RLIMIT_STACK, DEFAULT_STACK_GUARD_GAP);
  // ld.so occupies the top 0x35000 bytes of the mmap area.
  const ld = file('/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 0x35);
  const ldStart = base - 0x35 * PAGE;
  layout(vmas, ldStart, ld, [
    { pages: 0x1, flags: R, pgoff: 0 },
    { pages: 0x26, flags: RX, pgoff: 0x1 },
    { pages: 0xa, flags: R, pgoff: 0x27 },
    { pages: 0x2, flags: R_AC, pgoff: 0x31 },
    { pages: 0x2, flags: RW_AC, pgoff: 0x33 },
  ]);
  // [vvar] (4 pages, VM_PFNMAP|VM_IO|VM_DONTEXPAND|VM_DONTDUMP) and [vdso] (2 pages) below ld.so.
  const vdsoStart = ldStart - 2 * PAGE;
  const vvarStart = vdsoStart - 4 * PAGE;
  const VVAR = (VM_READ | VM_MAYREAD | vmFlags.VM_PFNMAP | vmFlags.VM_IO | VM_DONTEXPAND | VM_DONTDUMP) >>> 0;
  layout(vmas, vvarStart, null, [{ pages: 4, flags: VVAR }], 'special', '[vvar]');
  layout(vmas, vdsoStart, null, [{ pages: 2, flags: (RX | VM_DONTEXPAND) >>> 0 }], 'special', '[vdso]');
  // ld.so's static TLS / early allocations: 2 anonymous pages below the vDSO.
  const tlsStart = vvarStart - 2 * PAGE;
  layout(vmas, tlsStart, null, [{ pages: 2, flags: RW_AC }]);
  // libc.so.6 plus its bss, ending 8 pages below the TLS block (the gap ld.so leaves).
  const libc = file('/usr/lib/x86_64-linux-gnu/libc.so.6', 0x21a);
  const libcPages = 0x28 + 0x195 + 0x58 + 0x4 + 0x2;
  const libcStart = tlsStart - 8 * PAGE - (libcPages + 0xd) * PAGE;
  const libcEnd = layout(vmas, libcStart, libc, [
    { pages: 0x28, flags: R, pgoff: 0 },
    { pages: 0x195, flags: RX, pgoff: 0x28 },
    { pages: 0x58, flags: R, pgoff: 0x1bd },
    { pages: 0x4, flags: R_AC, pgoff: 0x214 },
    { pages: 0x2, flags: RW_AC, pgoff: 0x218 },
  ]);
  layout(vmas, libcEnd, null, [{ pages: 0xd, flags: RW_AC }]);
  // 132 KiB initial stack just below TASK_SIZE (the stack top is TASK_SIZE on x86-64 without ASLR).
  const stackPages = 0x21;
  layout(
    vmas,
    TASK_SIZE - stackPages * PAGE,
    null,
    [{ pages: stackPages, flags: (RW_AC | VM_GROWSDOWN) >>> 0 }],
    'anon',
    null,
  );
  vmas.sort((a, b) => a.start - b.start);
  return {
    config: { startBrk: exeEnd, brk: exeEnd, mmapBase: base },
    vmas,
    origin: `process image of ${options.program} (non-randomised, representative glibc layout)`,
  };
}
