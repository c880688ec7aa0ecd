/**
 * A captured real workload as a simulator workload (capture folders as ../shared/traces/README.md
 * describes them: start.maps, start.smaps, trace.txt of `perf script`).
 *
 * - Each traced thread (tid) becomes one simulated thread, ordered by its first event; each thread's
 *   events keep their order. Faults become `fault` operations with the recorded address and x86
 *   error code; system calls become their operations with the kernel's arguments.
 * - mmap placement: the call is first made as traced (with its hint). When the model returns another
 *   address than the kernel did, the model's mapping is unmapped and the call is repeated with
 *   MAP_FIXED_NOREPLACE at the kernel's address, so later faults land where they did in the capture.
 *   When that range is taken (threads interleave differently here than in the capture, so another
 *   thread's mapping may be there), the mapping goes back to the model's address and the kernel's
 *   range is relocated: later addresses in it (faults, munmap, mprotect, madvise, mremap) are
 *   translated by the same offset (trace-relocations.ts). An mremap the model placed elsewhere is
 *   relocated the same way. An mmap the kernel refused but the model made is unmapped again.
 * - File-descriptor calls (open, close, dup, fcntl F_DUPFD...) stay in their thread's order and update
 *   the capture's descriptor table when the thread reaches them, without simulated work: a later mmap
 *   of the descriptor gets the open's mode, as replay does (a read-only descriptor's MAP_SHARED
 *   mapping cannot be made writable). A thread that only made such calls is a simulated thread too.
 * - Calls the workload contract has no operation for (mlock, munlock, mlock2, mlockall, munlockall,
 *   shmat, shmdt, and pkey_mprotect with a real key) are skipped and counted; pkey_mprotect with
 *   pkey -1 is mprotect.
 * - Think time: before each event the thread thinks for the real gap since its previous event ended
 *   (a system call's exit, a fault's timestamp — so the gap after a fault includes the real kernel's
 *   handling of it, less `fault_cost_ns`), times `time_scale`, in whole microseconds as perf prints
 *   them. Each thread's first event waits for its offset from the start of the capture, which keeps
 *   cross-thread order (a stack mapped by one thread before another thread runs on it) as long as the
 *   simulated calls are not slower than the real ones by more than the real gaps. Where they are (a
 *   file fault the model serves from disk that the real process found in the page cache),
 *   `wait_for_mapping` holds a fault the mm cannot satisfy yet until another thread has made the
 *   mapping it needs — the capture proves it existed by then — polling every `wait_poll_ns`.
 * - The starting address space is the capture's start.maps (initialState); the program break is the
 *   result of the trace's first brk call when that call only read or failed to move it. The setup
 *   program (`warm_files`) reads the files start.maps maps once, so they are in the page cache as
 *   they were for the running process.
 *
 * Loading is asynchronous (the trace is streamed); the returned plug-in then creates workloads
 * synchronously. O(events) memory.
 */
import {
  type MmApi,
  PAGE_SIZE,
  TASK_SIZE,
  uapi,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_READ,
  VM_WRITE,
  VmakitError,
} from '@vmakit/core';
import {
  type CaptureDir,
  type FaultEvent,
  type PairedEvent,
  type PairedFdCall,
  type PairedSyscall,
  pairSyscalls,
  parseTrace,
  readCaptureDir,
  type SyscallName,
} from '@vmakit/formats';
import type {
  ThreadContext,
  ThreadProgram,
  WorkloadOp,
  WorkloadOptions,
  WorkloadPlugin,
} from '../workload.js';
import { WORKLOADS_VERSION } from './files.js';
import type { WorkloadInitialState, WorkloadWithState } from './initial-state.js';
import { defaultsOf, type ParamSpecs, resolveOptions, WorkloadParamError } from './params.js';
import { Relocations } from './trace-relocations.js';
import { TraceFiles, traceInitialState } from './trace-state.js';

const { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MREMAP_FIXED, PROT_READ } = uapi;

const SPECS: ParamSpecs = {
  time_scale: {
    default: 1,
    rule: { kind: 'number', min: 0 },
    doc: 'multiplier of the real gaps between events (0 = no think time)',
  },
  fault_cost_ns: {
    default: 0,
    rule: { kind: 'number', min: 0 },
    doc: "subtracted from the gap after a fault (the real kernel's handling time it includes)",
  },
  iterations: {
    default: 1,
    rule: { kind: 'flag' },
    doc: 'count one iteration per replayed event (faults and system calls)',
  },
  warm_files: {
    default: 1,
    rule: { kind: 'flag' },
    doc: 'the setup reads every file page start.maps maps, so the replay finds them cached as the process did',
  },
  wait_for_mapping: {
    default: 1,
    rule: { kind: 'flag' },
    doc: 'before a fault the mm cannot satisfy yet, wait (think) until another thread has mapped it',
  },
  wait_poll_ns: {
    default: 1000,
    rule: { kind: 'number', min: 1 },
    doc: 'polling interval of that wait (ns)',
  },
  wait_max_ns: {
    default: 2_000_000,
    rule: { kind: 'number', min: 0 },
    doc: 'longest wait before the fault is replayed anyway (ns)',
  },
};

/** One traced event of a thread, ready to replay. */
export type TraceStep =
  | { readonly kind: 'fault'; readonly start: number; readonly addr: number; readonly errorCode: number }
  /** A file-descriptor call (open, close, dup, fcntl...), taking effect at its exit `start`. */
  | { readonly kind: 'fdcall'; readonly start: number; readonly call: PairedFdCall }
  | {
      readonly kind: 'syscall';
      readonly start: number;
      readonly end: number;
      readonly name: SyscallName;
      readonly args: Readonly<Record<string, number>>;
      readonly ret: number;
      readonly line: number;
    };

/** Counts over a loaded capture. */
export interface TraceSummaryCounts {
  /** Threads (tids) in order of their first event. */
  readonly tids: readonly number[];
  readonly faults: number;
  /** Completed (entered and exited) system calls. */
  readonly syscalls: number;
  readonly syscallsByName: Readonly<Partial<Record<SyscallName, number>>>;
  /** System calls that had entered but not exited when tracing stopped (not replayed). */
  readonly unfinished: number;
  /** Seconds from the first to the last event. */
  readonly durationSec: number;
}

/** How a replay went, counted while the programs run. */
export interface TraceRunStats {
  faults: number;
  syscalls: number;
  /** mmaps re-made at the kernel's address after the model chose another one. */
  placementFallbacks: number;
  /** ... of which MAP_FIXED_NOREPLACE found the range occupied (by another thread's mapping). */
  placementConflicts: number;
  /** Kernel ranges the replay keeps elsewhere and translates addresses for (see trace-relocations.ts). */
  relocations: number;
  /** System calls whose result differed from the kernel's. */
  resultMismatches: number;
  /** Faults or accesses that delivered a signal in the simulation. */
  signals: number;
  /** Faults that waited for another thread's mapping (wait_for_mapping), and the total wait in ns. */
  mappingWaits: number;
  mappingWaitNs: number;
  /** Waits that gave up after wait_max_ns. */
  mappingWaitTimeouts: number;
  /** Skipped calls by name (no operation in the contract). */
  skipped: Partial<Record<SyscallName, number>>;
}

/** A Workload created from a capture: it also reports how the replay went. */
export interface TraceWorkload extends WorkloadWithState {
  readonly stats: TraceRunStats;
  readonly initialState: WorkloadInitialState;
}

/** A capture loaded as a workload plug-in. */
export interface TraceWorkloadPlugin extends WorkloadPlugin {
  /** The capture folder. */
  readonly dir: string;
  readonly summary: TraceSummaryCounts;
  /** The steps of thread `i` (0-based, in `summary.tids` order). */
  steps(i: number): readonly TraceStep[];
  create(options: WorkloadOptions): TraceWorkload;
}

const UNSUPPORTED: ReadonlySet<SyscallName> = new Set([
  'mlock',
  'munlock',
  'mlock2',
  'mlockall',
  'munlockall',
  'shmat',
  'shmdt',
]);

/**
 * Whether the mm as it is now can resolve a user fault at `addr` with x86 error code `ec` without a
 * signal: a VMA covers it (or a stack VMA above may grow down to it) and allows the access — write
 * (X86_PF_WRITE, bit 1), instruction fetch (X86_PF_INSTR, bit 4), or read. Kernel-half addresses
 * (the vsyscall page) are not the mm's and always pass. O(log n).
 */
export function faultCanSucceed(mm: MmApi, addr: number, ec: number): boolean {
  if (addr >= TASK_SIZE) return true;
  const v = mm.findVma(addr);
  if (v === null) return false;
  if (v.start > addr) return (v.flags & VM_GROWSDOWN) !== 0;
  if ((ec & 2) !== 0) return (v.flags & VM_WRITE) !== 0;
  if ((ec & 16) !== 0) return (v.flags & VM_EXEC) !== 0;
  return (v.flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
}

/** Gap in ns between two perf timestamps (seconds, microsecond resolution). */
function gapNs(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) * 1e6)) * 1000;
}

/** The fault address as an exact Number: the page plus the offset below 2^53, the page above. */
function faultAddress(e: FaultEvent): number {
  return e.address < 2 ** 53 ? e.address : e.addressPage;
}

/** Groups paired events by tid and records the first brk value. */
function collect(events: readonly PairedEvent[]): {
  perTid: Map<number, TraceStep[]>;
  brk: number | null;
  faults: number;
  syscalls: number;
  byName: Partial<Record<SyscallName, number>>;
  first: number;
  last: number;
} {
  const perTid = new Map<number, TraceStep[]>();
  let brk: number | null = null;
  let sawBrk = false;
  let faults = 0;
  let syscalls = 0;
  const byName: Partial<Record<SyscallName, number>> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const push = (tid: number, s: TraceStep) => {
    let list = perTid.get(tid);
    if (list === undefined) {
      list = [];
      perTid.set(tid, list);
    }
    list.push(s);
  };
  for (const e of events) {
    if (e.kind === 'fault') {
      faults++;
      first = Math.min(first, e.time);
      last = Math.max(last, e.time);
      push(e.tid, { kind: 'fault', start: e.time, addr: faultAddress(e), errorCode: e.errorCode });
    } else if (e.kind === 'fdcall') {
      // Kept in the thread's order so a later mmap of the descriptor sees the open's mode.
      first = Math.min(first, e.enterTime);
      last = Math.max(last, e.time);
      push(e.tid, { kind: 'fdcall', start: e.time, call: e });
    } else if (e.kind === 'syscall') {
      const s: PairedSyscall = e;
      syscalls++;
      byName[s.name] = (byName[s.name] ?? 0) + 1;
      first = Math.min(first, s.enterTime);
      last = Math.max(last, s.time);
      if (s.name === 'brk' && !sawBrk) {
        sawBrk = true;
        // The break before the call is known when the call only read it or was refused.
        const asked = s.args.brk ?? 0;
        if (asked === 0 || s.ret !== asked) brk = s.ret;
      }
      push(s.tid, {
        kind: 'syscall',
        start: s.enterTime,
        end: s.time,
        name: s.name,
        args: s.args,
        ret: s.ret,
        line: s.exitLine,
      });
    }
  }
  return { perTid, brk, faults, syscalls, byName, first, last };
}

/**
 * Builds the plug-in from a read capture and its paired events (in file order). `unfinished` is the
 * number of system calls without an exit. Throws VmakitError when the capture has no events.
 */
export function traceWorkloadFromEvents(
  capture: CaptureDir,
  events: readonly PairedEvent[],
  unfinished = 0,
): TraceWorkloadPlugin {
  const c = collect(events);
  if (c.perTid.size === 0) throw new VmakitError(`capture ${capture.dir}: the trace has no events`);
  const tids = [...c.perTid.keys()];
  const threadSteps = tids.map((t) => c.perTid.get(t)!);
  const traceStart = c.first;
  const name = `trace:${capture.dir}`;
  const summary: TraceSummaryCounts = {
    tids,
    faults: c.faults,
    syscalls: c.syscalls,
    syscallsByName: c.byName,
    unfinished,
    durationSec: c.last - c.first,
  };

  function create(options: WorkloadOptions): TraceWorkload {
    const { threads, params } = resolveOptions(name, SPECS, options);
    if (threads !== tids.length) {
      throw new WorkloadParamError(
        `workload ${name}: the capture has ${tids.length} threads (tids ${tids.join(', ')}); run it with threads = ${tids.length}, got ${threads}`,
      );
    }
    const files = new TraceFiles();
    const initialState = traceInitialState(capture.startMaps, capture.startSmaps, files, c.brk, name);
    const stats: TraceRunStats = {
      faults: 0,
      syscalls: 0,
      placementFallbacks: 0,
      placementConflicts: 0,
      relocations: 0,
      resultMismatches: 0,
      signals: 0,
      mappingWaits: 0,
      mappingWaitNs: 0,
      mappingWaitTimeouts: 0,
      skipped: {},
    };
    const scale = params.time_scale!;
    const faultCost = params.fault_cost_ns!;
    const countIterations = params.iterations === 1;
    const waitForMapping = params.wait_for_mapping === 1;
    const pollNs = params.wait_poll_ns!;
    const maxWaitNs = params.wait_max_ns!;

    const reloc = new Relocations();
    const at = (addr: number) => reloc.translate(addr);

    /**
     * mmap as traced; when the model answers another address than the kernel did, try the kernel's
     * address (MAP_FIXED_NOREPLACE) and, if another thread's mapping is there now, keep the model's
     * placement and relocate the kernel's range to it.
     */
    function* replayMmap(s: Extract<TraceStep, { kind: 'syscall' }>): Generator<WorkloadOp, void, number> {
      const a = s.args;
      const flags = a.flags!;
      const anonymous = (flags & MAP_ANONYMOUS) !== 0;
      const file = anonymous ? null : files.fromFd(a.fd!);
      const pgoff = anonymous ? 0 : Math.floor(a.off! / PAGE_SIZE);
      const len = a.len!;
      const op: Extract<WorkloadOp, { op: 'mmap' }> = {
        op: 'mmap',
        addr: a.addr! === 0 ? 0 : at(a.addr!),
        len,
        prot: a.prot!,
        flags,
        file,
        pgoff,
      };
      const r: number = yield op;
      if (r === s.ret) {
        reloc.clear(s.ret, len);
        return;
      }
      stats.resultMismatches++;
      if (s.ret < 0) {
        // The kernel refused but the model mapped: undo, to stay on the real process's track.
        if (r >= 0) yield { op: 'munmap', addr: r, len };
        return;
      }
      if (r < 0) return;
      if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
        // A fixed mapping at a relocated address: it lives where the translation put it.
        reloc.add(s.ret, len, r);
        stats.relocations++;
        return;
      }
      stats.placementFallbacks++;
      yield { op: 'munmap', addr: r, len };
      const again: number = yield { ...op, addr: s.ret, flags: flags | MAP_FIXED_NOREPLACE };
      if (again === s.ret) {
        reloc.clear(s.ret, len);
        return;
      }
      stats.placementConflicts++;
      const back: number = yield { ...op, addr: r, flags: flags | MAP_FIXED_NOREPLACE };
      if (back >= 0) {
        reloc.add(s.ret, len, back);
        stats.relocations++;
      }
    }

    function* replaySyscall(s: Extract<TraceStep, { kind: 'syscall' }>): Generator<WorkloadOp, void, number> {
      const a = s.args;
      const check = (r: number) => {
        if (r !== s.ret) stats.resultMismatches++;
      };
      switch (s.name) {
        case 'mmap':
          yield* replayMmap(s);
          return;
        case 'munmap': {
          check(yield { op: 'munmap', addr: at(a.addr!), len: a.len! });
          if (s.ret === 0) reloc.clear(a.addr!, a.len!);
          return;
        }
        case 'mprotect':
          check(yield { op: 'mprotect', addr: at(a.start!), len: a.len!, prot: a.prot! });
          return;
        case 'pkey_mprotect':
          if (a.pkey !== -1) break;
          check(yield { op: 'mprotect', addr: at(a.start!), len: a.len!, prot: a.prot! });
          return;
        case 'madvise':
          check(yield { op: 'madvise', addr: at(a.start!), len: a.len_in!, advice: a.behavior! });
          return;
        case 'brk':
          check(yield { op: 'brk', brk: a.brk! });
          return;
        case 'mremap': {
          const fixed = (a.flags! & MREMAP_FIXED) !== 0;
          const r: number = yield {
            op: 'mremap',
            addr: at(a.addr!),
            oldLen: a.old_len!,
            newLen: a.new_len!,
            flags: a.flags!,
            newAddr: fixed ? at(a.new_addr!) : a.new_addr!,
          };
          check(r);
          if (s.ret >= 0 && r >= 0) {
            if (r !== s.ret || s.ret !== a.addr!) reloc.clear(a.addr!, a.old_len!);
            if (r !== s.ret) {
              reloc.add(s.ret, a.new_len!, r);
              stats.relocations++;
            } else reloc.clear(s.ret, a.new_len!);
          }
          return;
        }
        default:
          break;
      }
      if (UNSUPPORTED.has(s.name) || s.name === 'pkey_mprotect') {
        stats.skipped[s.name] = (stats.skipped[s.name] ?? 0) + 1;
      }
    }

    function* thread(ctx: ThreadContext): ThreadProgram {
      const steps = threadSteps[ctx.tid];
      if (steps === undefined) throw new WorkloadParamError(`workload ${name}: no thread ${ctx.tid}`);
      let prevEnd = traceStart;
      let prevWasFault = false;
      for (const s of steps) {
        if (scale > 0) {
          let ns = gapNs(prevEnd, s.start) * scale;
          if (prevWasFault) ns -= faultCost;
          if (ns >= 1) yield { op: 'think', ns: Math.round(ns) };
        }
        if (s.kind === 'fdcall') {
          // No simulated work (the mm is not involved): the descriptor table changes at the exit.
          files.applyFdCall(s.call);
          prevEnd = s.start;
          prevWasFault = false;
          continue;
        }
        if (s.kind === 'fault') {
          const addr = at(s.addr);
          if (waitForMapping && !faultCanSucceed(ctx.mm, addr, s.errorCode)) {
            // The capture's process did not crash: whatever this fault needs was mapped by then,
            // by a thread that runs behind its real schedule here. Wait for it, as bounded as asked.
            let waited = 0;
            while (waited < maxWaitNs && !faultCanSucceed(ctx.mm, at(s.addr), s.errorCode)) {
              yield { op: 'think', ns: pollNs };
              waited += pollNs;
            }
            stats.mappingWaits++;
            stats.mappingWaitNs += waited;
            if (!faultCanSucceed(ctx.mm, at(s.addr), s.errorCode)) stats.mappingWaitTimeouts++;
          }
          stats.faults++;
          const sig: number = yield { op: 'fault', addr: at(s.addr), errorCode: s.errorCode };
          if (sig !== 0) stats.signals++;
          prevEnd = s.start;
          prevWasFault = true;
        } else {
          stats.syscalls++;
          yield* replaySyscall(s);
          prevEnd = s.end;
          prevWasFault = false;
        }
        if (countIterations) yield { op: 'iteration' };
      }
    }

    /**
     * Page-cache warm-up: the captured process had its executable and libraries in the page cache
     * (its faults on them were minor), so read each file range of start.maps once through a temporary
     * read-only mapping — populating the cache without touching the process's own page tables.
     */
    function* setup(): ThreadProgram {
      if (params.warm_files !== 1) return;
      const seen = new Set<string>();
      for (const v of initialState.vmas) {
        if (v.file === null || v.file === undefined || v.kind !== 'file') continue;
        const key = `${v.file.id}|${v.pgoff}|${v.end - v.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const len = v.end - v.start;
        const m: number = yield {
          op: 'mmap',
          addr: 0,
          len,
          prot: PROT_READ,
          flags: MAP_PRIVATE,
          file: v.file,
          pgoff: v.pgoff ?? 0,
        };
        if (m < 0) continue;
        for (let off = 0; off < len; off += PAGE_SIZE) yield { op: 'access', addr: m + off, write: false };
        yield { op: 'munmap', addr: m, len };
      }
    }

    return { name, initialState, stats, setup, thread };
  }

  return {
    meta: {
      name,
      version: WORKLOADS_VERSION,
      kind: 'workload',
      description: `captured workload ${capture.dir}: ${tids.length} threads, ${c.faults} faults, ${c.syscalls} memory system calls`,
    },
    defaults: defaultsOf(SPECS),
    source: `capture ${capture.dir} (perf script of exceptions:page_fault_user and syscalls:sys_*_<mm calls>)`,
    dir: capture.dir,
    summary,
    steps: (i: number) => {
      const s = threadSteps[i];
      if (s === undefined) throw new WorkloadParamError(`workload ${name}: no thread ${i}`);
      return s;
    },
    create,
  };
}

/**
 * Loads capture folder `dir` as a workload plug-in: reads start.maps/smaps, streams and pairs the
 * trace. Throws CaptureDirError / ParseError (file:line) on bad input. O(events).
 */
export async function traceWorkload(dir: string): Promise<TraceWorkloadPlugin> {
  const capture = await readCaptureDir(dir);
  const pairer = pairSyscalls(parseTrace(capture.tracePath, capture.paths.trace));
  const events: PairedEvent[] = [];
  for await (const e of pairer) events.push(e);
  return traceWorkloadFromEvents(capture, events, pairer.unfinished.length);
}
