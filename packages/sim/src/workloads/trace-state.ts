/**
 * The starting address space of a captured trace: start.maps (with start.smaps when present) turned
 * into VMA templates and mm settings, plus the file identities the trace's mmaps refer to.
 *
 * The rules live once, in @vmakit/replay (describeInitialState: smaps VmFlags when present, an
 * anon_vma for VMAs that already hold anonymous pages, VM_GROWSDOWN for [stack] without smaps,
 * mmap_base at the end of the highest mapping below the stack). This module only adapts them to the
 * workload contract: data, not an MmStruct, since the simulator owns the mm it runs on.
 */
import type { MapsFile, SmapsFile } from '@vmakit/formats';
import { describeInitialState, FileTable } from '@vmakit/replay';
import type { WorkloadInitialState } from './initial-state.js';

/**
 * File identities of a capture: files named by start.maps (device, inode, path) and files a traced
 * mmap names only by descriptor (one identity per traced open, with its mode; one per descriptor
 * with the permissive defaults when the trace never showed it opened).
 * The replay package's FileTable under the name this package has always exported.
 */
export { FileTable as TraceFiles };

/**
 * The initial state of a capture. `brk` is the program break when known from the trace (the result of
 * its first brk call); otherwise the end of [heap]. Throws VmakitError when smaps and maps disagree.
 * O(number of VMAs).
 */
export function traceInitialState(
  maps: MapsFile,
  smaps: SmapsFile | null,
  files: FileTable,
  brk: number | null,
  origin: string,
): WorkloadInitialState {
  const t = describeInitialState(maps, smaps, files, brk !== null ? { brk } : {});
  return { config: t.config, vmas: t.vmas, origin };
}
