/**
 * Replays a capture directory: builds the address space of `start.maps`, applies every traced
 * memory system call at its exit (paired with its entry by tid), hands every fault to a fault
 * handler, and compares the result with `end.maps`.
 */
import { basename } from 'node:path';
import { type IndexPlugin, VmakitError } from '@vmakit/core';
import {
  mapsEntriesFromVmas,
  type PairedSyscall,
  pairSyscalls,
  parseTrace,
  readCaptureDir,
} from '@vmakit/formats';
import { applySyscall, describeOutcome } from './apply-syscall.js';
import { compareMaps, flagMismatches, type MapsComparison } from './compare.js';
import { scanTrace } from './events.js';
import {
  countingFaultHandler,
  type FaultHandlerFactory,
  type FaultHandlingSummary,
} from './fault-handler.js';
import { buildInitialState, type InitialStateInfo } from './initial-state.js';

/** Options of {@link replayCapture}. */
export interface ReplayOptions {
  /** The index the address space is built on. */
  readonly index: IndexPlugin;
  /** Resolves faults; default: count them. */
  readonly faults?: FaultHandlerFactory;
  /** How many disagreements and differing maps lines to list. */
  readonly maxDetails?: number;
}

/** The replay report (the JSON `vmakit replay` prints). */
export interface ReplayReport {
  readonly capture: string;
  readonly index: string;
  readonly strategy: string | null;
  readonly initial: InitialStateInfo;
  readonly events: {
    readonly faults: number;
    readonly syscalls: number;
    /** System calls the kernel failed (replayed too: the model must fail them alike). */
    readonly syscalls_failed: number;
    readonly unsupported: number;
    /** System calls still running when tracing stopped (not applied). */
    readonly unfinished: number;
    /**
     * Completed file-descriptor calls (open, close, dup...) followed to know how the descriptor of
     * a file mmap was opened; 0 for captures that do not trace them.
     */
    readonly fd_calls: number;
  };
  readonly syscalls: {
    readonly agreed: number;
    readonly disagreed: number;
    /** mmap/mremap calls where the model chose another address (then followed the kernel). */
    readonly placement_differs: number;
    readonly by_name: Readonly<Record<string, number>>;
    readonly disagreements: readonly string[];
  };
  /**
   * What the fault handler reports: per-thread counts only (`resolved: false`), or, through the fault
   * core, outcomes, signals, counters, bytes copied and the final page tables (`resolved: true`).
   */
  readonly fault_handling: FaultHandlingSummary;
  /**
   * Null when the capture has no end.maps. `flag_mismatches` counts VMAs whose vm_flags differ from
   * end.smaps VmFlags (null without end.smaps).
   */
  readonly final: (Omit<MapsComparison, 'diff'> & { readonly flag_mismatches: number | null }) | null;
  readonly diff: readonly string[];
}

/**
 * Replays the capture in `dir`. Streams the trace (memory use does not grow with its length).
 * Throws ParseError (file:line) on malformed input and VmakitError on inconsistent captures.
 */
export async function replayCapture(dir: string, options: ReplayOptions): Promise<ReplayReport> {
  const capture = await readCaptureDir(dir);
  const hasHeap = capture.startMaps.entries.some((e) => e.path === '[heap]');
  const scan = await scanTrace(capture, !hasHeap);
  const brk = scan.firstBrk;
  const { mm, files, info } = buildInitialState(
    options.index,
    capture.startMaps,
    capture.startSmaps,
    brk !== undefined ? { brk } : {},
  );
  const name = basename(dir);
  const handler = (options.faults ?? (() => countingFaultHandler()))(mm, {
    capture: name,
    threads: Math.max(1, scan.threads),
  });
  const maxDetails = options.maxDetails ?? 20;

  let faults = 0;
  let fdCalls = 0;
  let syscalls = 0;
  let failed = 0;
  let unsupported = 0;
  let agreed = 0;
  let placement = 0;
  const byName: Record<string, number> = {};
  const disagreements: string[] = [];

  const reader = pairSyscalls(parseTrace(capture.tracePath, capture.paths.trace));
  for await (const ev of reader) {
    if (ev.kind === 'fault') {
      faults++;
      handler.handle(ev);
      continue;
    }
    if (ev.kind === 'fdcall') {
      fdCalls++;
      files.applyFdCall(ev);
      continue;
    }
    if (ev.kind !== 'syscall') {
      throw new VmakitError(`${capture.paths.trace}:${ev.line}: unexpected ${ev.kind} event in a capture`);
    }
    const s: PairedSyscall = ev;
    syscalls++;
    byName[s.name] = (byName[s.name] ?? 0) + 1;
    if (s.ret < 0) failed++;
    const o = applySyscall(mm, files, s);
    handler.syscall?.(s);
    if (o.unsupported) unsupported++;
    if (o.placementDiffers) placement++;
    if (o.agreed) agreed++;
    else if (disagreements.length < maxDetails) disagreements.push(describeOutcome(s, o));
  }

  let final: ReplayReport['final'] = null;
  let diff: readonly string[] = [];
  if (capture.endMaps !== null) {
    const vmas = mm.vmas();
    const actual = mapsEntriesFromVmas(vmas, {
      startBrk: mm.startBrk,
      brk: mm.brkValue,
      ...(info.startStack !== null ? { startStack: info.startStack } : {}),
    });
    const { diff: d, ...rest } = compareMaps(capture.endMaps.entries, actual, maxDetails);
    const flags =
      capture.endSmaps !== null ? flagMismatches(capture.endSmaps.entries, vmas, maxDetails) : null;
    final = { ...rest, flag_mismatches: flags?.count ?? null };
    diff = flags === null ? d : [...d, ...flags.diff].slice(0, maxDetails);
  }
  mm.index.validate();
  return {
    capture: name,
    index: options.index.meta.name,
    strategy: handler.strategy,
    initial: info,
    events: {
      faults,
      syscalls,
      syscalls_failed: failed,
      unsupported,
      unfinished: reader.unfinished.length,
      fd_calls: fdCalls,
    },
    syscalls: {
      agreed,
      disagreed: syscalls - agreed,
      placement_differs: placement,
      by_name: byName,
      disagreements,
    },
    fault_handling: handler.summary(),
    final,
    diff,
  };
}
