/**
 * Reading a capture's trace ahead of a replay: a first streaming pass (threads, the first brk answer)
 * and, for repeated replays such as benchmarks, the whole event list in memory.
 */
import { basename } from 'node:path';
import {
  type CaptureDir,
  type FaultEvent,
  type PairedFdCall,
  type PairedSyscall,
  pairSyscalls,
  parseTrace,
  readCaptureDir,
} from '@vmakit/formats';
import type { InitialStateOptions } from './initial-state.js';

/** What a first pass over the trace tells before the replay starts. */
export interface TraceScan {
  /**
   * The brk value the trace's first brk call reveals when it only read it (`brk(0)`), for captures
   * taken before the heap existed; undefined otherwise or when not asked.
   */
  readonly firstBrk: number | undefined;
  /** Distinct thread ids of faults and system calls. */
  readonly threads: number;
}

/** Folds events into a TraceScan. */
class Scanner {
  firstBrk: number | undefined;
  private brkSeen: boolean;
  readonly tids = new Set<number>();

  constructor(needBrk: boolean) {
    this.brkSeen = !needBrk;
  }

  add(ev: FaultEvent | PairedSyscall): void {
    if (ev.tid >= 0) this.tids.add(ev.tid);
    if (!this.brkSeen && ev.kind === 'syscall' && ev.name === 'brk') {
      this.brkSeen = true;
      this.firstBrk = ev.args.brk === 0 && ev.ret > 0 ? ev.ret : undefined;
    }
  }

  result(): TraceScan {
    return { firstBrk: this.firstBrk, threads: this.tids.size };
  }
}

/** True when start.maps has a [heap] (then brk comes from it, not from the trace). */
function hasHeap(capture: CaptureDir): boolean {
  return capture.startMaps.entries.some((e) => e.path === '[heap]');
}

/**
 * Counts the trace's threads and, when `needBrk`, finds the first brk answer. Streams: O(events)
 * time, O(threads) memory.
 */
export async function scanTrace(capture: CaptureDir, needBrk = !hasHeap(capture)): Promise<TraceScan> {
  const scan = new Scanner(needBrk);
  for await (const ev of pairSyscalls(parseTrace(capture.tracePath, capture.paths.trace))) {
    if (ev.kind === 'fault' || ev.kind === 'syscall') scan.add(ev);
  }
  return scan.result();
}

/** A capture with its whole trace in memory. */
export interface LoadedCapture {
  /** The folder's name. */
  readonly name: string;
  readonly capture: CaptureDir;
  /** Faults and paired memory system calls in trace order (unfinished calls left out). */
  readonly events: readonly (FaultEvent | PairedSyscall)[];
  /**
   * The same with the fd calls (open, close, dup...) in their places; the same objects. A replayer
   * that hands the fd calls to FileTable.applyFdCall gets each file mmap its descriptor's open mode,
   * as replayCapture does; one that iterates `events` keeps the permissive defaults.
   */
  readonly timeline: readonly (FaultEvent | PairedSyscall | PairedFdCall)[];
  readonly faults: number;
  /** Memory system calls (fd calls not included). */
  readonly syscalls: number;
  /** File-descriptor calls. */
  readonly fdCalls: number;
  readonly threads: number;
  /** What buildInitialState needs beyond the maps (the brk the trace reveals). */
  readonly initialOptions: InitialStateOptions;
}

/**
 * Reads `dir` and its whole trace. O(events) memory: for repeated replays (benchmarks); replayCapture
 * streams instead. Throws ParseError / VmakitError like replayCapture.
 */
export async function loadCaptureEvents(dir: string): Promise<LoadedCapture> {
  const capture = await readCaptureDir(dir);
  const scan = new Scanner(!hasHeap(capture));
  const events: (FaultEvent | PairedSyscall)[] = [];
  const timeline: (FaultEvent | PairedSyscall | PairedFdCall)[] = [];
  let faults = 0;
  let fdCalls = 0;
  for await (const ev of pairSyscalls(parseTrace(capture.tracePath, capture.paths.trace))) {
    if (ev.kind === 'fdcall') {
      timeline.push(ev);
      fdCalls++;
      continue;
    }
    if (ev.kind !== 'fault' && ev.kind !== 'syscall') continue;
    scan.add(ev);
    events.push(ev);
    timeline.push(ev);
    if (ev.kind === 'fault') faults++;
  }
  const s = scan.result();
  return {
    name: basename(dir),
    capture,
    events,
    faults,
    timeline,
    syscalls: events.length - faults,
    fdCalls,
    threads: Math.max(1, s.threads),
    initialOptions: s.firstBrk !== undefined ? { brk: s.firstBrk } : {},
  };
}
