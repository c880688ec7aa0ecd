/**
 * The starting address space of a captured trace: start.maps (with start.smaps when present) turned
 * into VMA templates and mm settings, plus the file identities the trace's mmaps refer to.
 *
 * This follows the replay package's buildInitialState (same rules: smaps VmFlags when present, an
 * anon_vma for VMAs that already hold anonymous pages, mmap_base at the end of the highest mapping below
 * the stack) but produces data, not an MmStruct: the simulator owns the mm it runs on. The two should
 * share one implementation in @vmakit/replay once sim may depend on it (see README.md).
 */
import {
  type AnonVma,
  allocId,
  type FileRef,
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
  type VmaInit,
  type VmaKind,
  VmakitError,
} from '@vmakit/core';
import type { MapsEntry, MapsFile, SmapsFile } from '@vmakit/formats';
import type { WorkloadInitialState } from './initial-state.js';

/** Kernel special mappings (no file, vm_ops of a special mapping). */
const SPECIAL_NAMES = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]', '[sigpage]']);

/**
 * File identities of a capture: files named by start.maps (device, inode, path) and files a traced
 * mmap names only by descriptor (the trace has no open/close events, so one identity per descriptor).
 */
export class TraceFiles {
  private readonly byKey = new Map<string, FileRef>();

  private intern(key: string, make: () => FileRef): FileRef {
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = make();
      this.byKey.set(key, f);
    }
    return f;
  }

  /** The file a maps line names. */
  fromMaps(e: Pick<MapsEntry, 'dev' | 'inode' | 'path'>): FileRef {
    return this.intern(`${e.dev}|${e.inode}|${e.path}`, () => ({
      id: allocId(),
      path: e.path,
      dev: e.dev,
      inode: e.inode,
      shmem: e.path.startsWith('/dev/zero') || e.path.startsWith('/memfd:') || e.path.startsWith('/SYSV'),
    }));
  }

  /** The file behind descriptor `fd` of a traced mmap. */
  fromFd(fd: number): FileRef {
    return this.intern(`fd|${fd}`, () => ({ id: allocId(), path: `fd:${fd}` }));
  }
}

function isFilePath(e: MapsEntry): boolean {
  return e.inode !== 0 || (e.path.startsWith('/') && e.dev !== '00:00');
}

/**
 * vm_flags as maps alone tells them: access bits, the MAY bits a fresh mapping gets, and VM_GROWSDOWN
 * for [stack] (setup_arg_pages() gives the stack VM_STACK_FLAGS; smaps would show `gd`).
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

/**
 * The initial state of a capture. `brk` is the program break when known from the trace (the result of
 * its first brk call); otherwise the end of [heap]. Throws VmakitError when smaps and maps disagree.
 * O(number of VMAs).
 */
export function traceInitialState(
  maps: MapsFile,
  smaps: SmapsFile | null,
  files: TraceFiles,
  brk: number | null,
  origin: string,
): WorkloadInitialState {
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
  const brkValue = brk ?? heap?.end ?? 0;
  const startBrk = heap?.start ?? brkValue;
  const mmapBase = highest !== undefined ? highest.end : 2 ** 47 - PAGE_SIZE;
  const vmas: VmaInit[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s = smaps?.entries[i];
    if (s !== undefined && (s.start !== e.start || s.end !== e.end)) {
      throw new VmakitError(`${smaps!.file}:${s.line}: VMA differs from ${maps.file}:${e.line}`);
    }
    const file = isFilePath(e) ? files.fromMaps(e) : null;
    const kind: VmaKind = file !== null ? 'file' : SPECIAL_NAMES.has(e.path) ? 'special' : 'anon';
    const anonVma: AnonVma | null =
      s !== undefined && (s.counters.Anonymous ?? 0) > 0 ? { id: allocId() } : null;
    const name =
      kind === 'special' || e.path.startsWith('[anon:') || e.path.startsWith('[anon_shmem:') ? e.path : null;
    vmas.push({
      start: e.start,
      end: e.end,
      flags: s?.flags ?? flagsFromPerms(e),
      flagsHigh: s?.flagsHigh ?? 0,
      pgoff: file !== null ? e.offset / PAGE_SIZE : e.start / PAGE_SIZE,
      file,
      anonVma,
      kind,
      name,
    });
  }
  return { config: { startBrk, brk: brkValue, mmapBase }, vmas, origin };
}
