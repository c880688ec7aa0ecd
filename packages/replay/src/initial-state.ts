/**
 * The starting address space of a capture: `start.maps` (and `start.smaps` when present) turned into
 * VMA templates and mm settings (describeInitialState), installed into an address space
 * (installInitialState), or both at once over a fresh index (buildInitialState). The VMAs are as the
 * kernel had them, with the kernel's own vm_flags and anon_vma state where smaps tells them. The
 * simulator's trace workload uses the same two functions (it owns the mm it runs on).
 */
import {
  type AnonVma,
  allocId,
  errnoName,
  type FileRef,
  type IndexPlugin,
  type MmApi,
  type MmConfig,
  type MmFile,
  MmStruct,
  PAGE_SIZE,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  type VmaInit,
  type VmaKind,
  VmakitError,
} from '@vmakit/core';
import type { MapsEntry, MapsFile, PairedFdCall, SmapsEntry, SmapsFile } from '@vmakit/formats';
import { FdTable } from './fd-table.js';

/** Kernel special mappings (vm_ops of a special mapping, no file). */
const SPECIAL_NAMES = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]', '[sigpage]']);

/** Paths of shmem objects as maps prints them (/dev/zero shared mappings, memfd, SysV segments). */
function isShmemPath(path: string): boolean {
  return path.startsWith('/dev/zero') || path.startsWith('/memfd:') || path.startsWith('/SYSV');
}

/**
 * Interns files by what maps shows of them (device, inode, path), so that VMAs of one file share
 * one identity and merge as the kernel's would. Files mapped by descriptor during the trace are
 * what the descriptor table says (applyFdCall): one identity per traced open, shared by its dups,
 * with the open's FMODE_READ/FMODE_WRITE; a descriptor never seen opened gets a per-descriptor
 * identity with the permissive defaults.
 */
export class FileTable {
  private readonly byKey = new Map<string, FileRef>();
  private readonly fds = new FdTable((fd, closes) =>
    // A capture without fd events never closes: the key is the one it has always been.
    this.intern(closes === 0 ? `fd|${fd}` : `fd|${fd}|${closes}`, () => ({
      id: allocId(),
      path: `fd:${fd}`,
    })),
  );

  private intern(key: string, make: () => FileRef): FileRef {
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = make();
      this.byKey.set(key, f);
    }
    return f;
  }

  /** The file a maps line names. O(1). */
  fromMaps(e: Pick<MapsEntry, 'dev' | 'inode' | 'path'>): FileRef {
    return this.intern(`${e.dev}|${e.inode}|${e.path}`, () => ({
      id: allocId(),
      path: e.path,
      dev: e.dev,
      inode: e.inode,
      shmem: isShmemPath(e.path),
    }));
  }

  /** The file behind descriptor `fd` of a traced mmap, with its open mode when the trace showed it. O(1). */
  fromFd(fd: number): MmFile {
    return this.fds.lookup(fd).file;
  }

  /** True when `fd` was opened with O_PATH (mmap fails with EBADF). O(1). */
  fdIsPathOnly(fd: number): boolean {
    return this.fds.lookup(fd).pathOnly;
  }

  /** Follows a traced open/close/dup at its exit. O(1) (close_range: O(descriptors seen)). */
  applyFdCall(c: PairedFdCall): void {
    this.fds.apply(c);
  }

  /** The shmem file of SysV segment `shmid`. O(1). */
  fromShmid(shmid: number): FileRef {
    return this.intern(`shm|${shmid}`, () => ({
      id: allocId(),
      path: `/SYSV${shmid.toString(16).padStart(8, '0')}`,
      shmem: true,
    }));
  }
}

/** True for paths that name a file (not an anonymous or special mapping). */
function isFilePath(e: MapsEntry): boolean {
  return e.inode !== 0 || (e.path.startsWith('/') && e.dev !== '00:00');
}

/**
 * vm_flags as far as maps alone tells them: the access bits, the MAY bits a fresh mapping gets, and
 * VM_GROWSDOWN for [stack] (setup_arg_pages() gives the stack VM_STACK_FLAGS; smaps would show `gd`).
 */
function flagsFromPerms(e: MapsEntry): number {
  let f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (e.path === '[stack]') f |= VM_GROWSDOWN;
  if (e.read) f |= VM_READ;
  if (e.write) f |= VM_WRITE;
  if (e.exec) f |= VM_EXEC;
  if (e.shared) f |= VM_MAYSHARE | (e.write ? VM_SHARED : 0);
  return f >>> 0;
}

/** How the initial state was derived, for the report. */
export interface InitialStateInfo {
  readonly vmas: number;
  /** VMAs whose flags came from smaps VmFlags (the rest from maps permissions). */
  readonly flagsFromSmaps: number;
  /** VMAs given an anon_vma because smaps showed anonymous pages. */
  readonly anonVmas: number;
  readonly startBrk: number;
  readonly brk: number;
  readonly startStack: number | null;
  readonly mmapBase: number;
}

/** The starting address space as data: mm settings and the VMAs to install, in address order. */
export interface InitialStateTemplate {
  /** Settings the MmStruct must be created with (start_brk, brk, mmap_base). */
  readonly config: MmConfig;
  /** VMAs to install (installVma, no merging), in address order. */
  readonly vmas: readonly VmaInit[];
  readonly info: InitialStateInfo;
}

/** What the replay starts from. */
export interface InitialState {
  readonly mm: MmStruct;
  readonly files: FileTable;
  readonly info: InitialStateInfo;
}

/** Options for building the initial state. */
export interface InitialStateOptions {
  /**
   * The program break when the trace tells it (e.g. the answer of its first brk call); default: the
   * end of [heap], or 0 without one.
   */
  readonly brk?: number;
}

/**
 * The initial state of `maps` (+ `smaps`) as data; files are interned in `files`.
 *
 * anon_vma: a VMA whose smaps shows anonymous pages already has an anon_vma, which decides later
 * merges (mm/vma.c is_mergeable_anon_vma). Each such VMA gets its own; without smaps none has one.
 * mmap_base: the captured process ran with ASLR, so the top-down base is taken as the end of the
 * highest mapping below the stack (where the loader's first mappings were placed).
 * Throws VmakitError when smaps and maps disagree. O(number of VMAs).
 */
export function describeInitialState(
  maps: MapsFile,
  smaps: SmapsFile | null,
  files: FileTable,
  options: InitialStateOptions = {},
): InitialStateTemplate {
  const entries = maps.entries;
  if (smaps !== null && smaps.entries.length !== entries.length) {
    throw new VmakitError(
      `${smaps.file}: ${smaps.entries.length} VMAs but ${maps.file} has ${entries.length}; they must be read at the same moment`,
    );
  }
  const heap = entries.find((e) => e.path === '[heap]');
  const stack = entries.find((e) => e.path === '[stack]');
  const belowStack = entries.filter((e) => stack === undefined || e.end <= stack.start);
  const highest = belowStack.filter((e) => !SPECIAL_NAMES.has(e.path)).at(-1);
  const brk = options.brk ?? heap?.end ?? 0;
  const startBrk = heap?.start ?? brk;
  const mmapBase = highest !== undefined ? highest.end : 2 ** 47 - PAGE_SIZE;
  const vmas: VmaInit[] = [];
  let fromSmaps = 0;
  let anon = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s: SmapsEntry | undefined = smaps?.entries[i];
    if (s !== undefined && (s.start !== e.start || s.end !== e.end)) {
      throw new VmakitError(`${smaps!.file}:${s.line}: VMA differs from ${maps.file}:${e.line}`);
    }
    const file = isFilePath(e) ? files.fromMaps(e) : null;
    const kind: VmaKind = file !== null ? 'file' : SPECIAL_NAMES.has(e.path) ? 'special' : 'anon';
    let anonVma: AnonVma | null = null;
    if (s !== undefined && (s.counters.Anonymous ?? 0) > 0) {
      anonVma = { id: allocId() };
      anon++;
    }
    if (s !== undefined) fromSmaps++;
    // [heap] and [stack] are names maps derives from mm->brk and start_stack, not VMA names.
    const name =
      kind === 'special' || e.path.startsWith('[anon:') || e.path.startsWith('[anon_shmem:') ? e.path : null;
    vmas.push({
      start: e.start,
      end: e.end,
      flags: s?.flags ?? flagsFromPerms(e),
      flagsHigh: s?.flagsHigh ?? 0,
      // Anonymous VMAs carry vm_pgoff = start >> PAGE_SHIFT (maps prints 0 for them).
      pgoff: file !== null ? e.offset / PAGE_SIZE : e.start / PAGE_SIZE,
      file,
      anonVma,
      kind,
      name,
    });
  }
  return {
    config: { startBrk, brk, mmapBase },
    vmas,
    info: {
      vmas: entries.length,
      flagsFromSmaps: fromSmaps,
      anonVmas: anon,
      startBrk,
      brk,
      startStack: stack !== undefined ? stack.end - 1 : null,
      mmapBase,
    },
  };
}

/**
 * Installs `vmas` into `mm` as they are (installVma: no merging, no page-table work), in order. The
 * mm must have been created with the template's config. Throws a VmakitError naming `origin` and the
 * VMA when one cannot be installed (overlap). O(n log n).
 */
export function installInitialState(mm: MmApi, vmas: readonly VmaInit[], origin: string): void {
  for (const init of vmas) {
    // installVma builds a new Vma from the init, so a template can be installed many times.
    const r = mm.installVma(init);
    if (typeof r === 'number') {
      throw new VmakitError(
        `${origin}: cannot install VMA [0x${init.start.toString(16)}, 0x${init.end.toString(16)}) (${errnoName(r)})`,
      );
    }
  }
}

/**
 * Builds the MmStruct of `start.maps` over a fresh index of `plugin` (describeInitialState, then
 * installInitialState). O(n log n).
 */
export function buildInitialState(
  plugin: IndexPlugin,
  maps: MapsFile,
  smaps: SmapsFile | null,
  options: InitialStateOptions = {},
): InitialState {
  const files = new FileTable();
  const t = describeInitialState(maps, smaps, files, options);
  const mm = new MmStruct(plugin.create<Vma>(), t.config);
  installInitialState(mm, t.vmas, maps.file);
  return { mm, files, info: t.info };
}
