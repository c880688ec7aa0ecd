/**
 * Builds an address space from a capture's `start.maps` (and `start.smaps` when present): the VMAs
 * as the kernel had them, with the kernel's own vm_flags and anon_vma state where smaps tells them.
 */
import {
  type AnonVma,
  allocId,
  errnoName,
  type FileRef,
  type IndexPlugin,
  MmStruct,
  PAGE_SIZE,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  type VmaKind,
  VmakitError,
} from '@vmakit/core';
import type { MapsEntry, MapsFile, SmapsEntry, SmapsFile } from '@vmakit/formats';

/** Kernel special mappings (vm_ops of a special mapping, no file). */
const SPECIAL_NAMES = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]', '[sigpage]']);

/**
 * Interns files by what maps shows of them (device, inode, path), so that VMAs of one file share
 * one identity and merge as the kernel's would. Files mapped by descriptor during the trace get a
 * per-descriptor identity (the trace has no open/close events to tell more).
 */
export class FileTable {
  private readonly byKey = new Map<string, FileRef>();

  /** The file a maps line names. */
  fromMaps(e: Pick<MapsEntry, 'dev' | 'inode' | 'path'>): FileRef {
    const key = `${e.dev}|${e.inode}|${e.path}`;
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = { id: allocId(), path: e.path, dev: e.dev, inode: e.inode, shmem: e.path.startsWith('/dev/zero') };
      this.byKey.set(key, f);
    }
    return f;
  }

  /** The file behind descriptor `fd` of a traced mmap. */
  fromFd(fd: number): FileRef {
    const key = `fd|${fd}`;
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = { id: allocId(), path: `fd:${fd}` };
      this.byKey.set(key, f);
    }
    return f;
  }

  /** The shmem file of SysV segment `shmid`. */
  fromShmid(shmid: number): FileRef {
    const key = `shm|${shmid}`;
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = { id: allocId(), path: `/SYSV${shmid.toString(16).padStart(8, '0')}`, shmem: true };
      this.byKey.set(key, f);
    }
    return f;
  }
}

/** True for paths that name a file (not an anonymous or special mapping). */
function isFilePath(e: MapsEntry): boolean {
  return e.inode !== 0 || (e.path.startsWith('/') && e.dev !== '00:00');
}

/** vm_flags as far as maps alone tells them: the access bits, the MAY bits a fresh mapping gets. */
function flagsFromPerms(e: MapsEntry): number {
  let f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
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

/** What the replay starts from. */
export interface InitialState {
  readonly mm: MmStruct;
  readonly files: FileTable;
  readonly info: InitialStateInfo;
}

/** Options for building the initial state. */
export interface InitialStateOptions {
  /** The brk value when start.maps has no [heap] (learned from the trace's first brk). */
  readonly brkHint?: number;
}

/**
 * Builds the MmStruct of `start.maps` over a fresh index of `plugin`.
 *
 * anon_vma: a VMA whose smaps shows anonymous pages already has an anon_vma, which decides later
 * merges (mm/vma.c is_mergeable_anon_vma). Each such VMA gets its own; without smaps none has one.
 * mmap_base: the captured process ran with ASLR, so the top-down base is taken as the end of the
 * highest mapping below the stack (where the loader's first mappings were placed).
 */
export function buildInitialState(
  plugin: IndexPlugin,
  maps: MapsFile,
  smaps: SmapsFile | null,
  options: InitialStateOptions = {},
): InitialState {
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
  const brk = heap?.end ?? options.brkHint ?? 0;
  const startBrk = heap?.start ?? brk;
  const mmapBaseValue = highest !== undefined ? highest.end : 2 ** 47 - PAGE_SIZE;

  const index = plugin.create<Vma>();
  const mm = new MmStruct(index, { startBrk, brk, mmapBase: mmapBaseValue });
  const files = new FileTable();
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
    // Anonymous VMAs carry vm_pgoff = start >> PAGE_SHIFT (maps prints 0 for them).
    const pgoff = file !== null ? e.offset / PAGE_SIZE : e.start / PAGE_SIZE;
    // [heap] and [stack] are names maps derives from mm->brk and start_stack, not VMA names.
    const name =
      kind === 'special' || e.path.startsWith('[anon:') || e.path.startsWith('[anon_shmem:') ? e.path : null;
    const result = mm.installVma({
      start: e.start,
      end: e.end,
      flags: s?.flags ?? flagsFromPerms(e),
      flagsHigh: s?.flagsHigh ?? 0,
      pgoff,
      file,
      anonVma,
      kind,
      name,
    });
    if (typeof result === 'number') {
      throw new VmakitError(`${maps.file}:${e.line}: cannot install VMA (${errnoName(result)})`);
    }
  }
  return {
    mm,
    files,
    info: {
      vmas: entries.length,
      flagsFromSmaps: fromSmaps,
      anonVmas: anon,
      startBrk,
      brk,
      startStack: stack !== undefined ? stack.end - 1 : null,
      mmapBase: mmapBaseValue,
    },
  };
}
