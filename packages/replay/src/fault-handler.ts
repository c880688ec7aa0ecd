/**
 * What replay does with each traced page fault. Resolving faults through the x86 fault core and a
 * strategy plugs in here; without one, faults are only counted.
 */
import type { MmStruct } from '@vmakit/core';
import type { FaultEvent } from '@vmakit/formats';

/** Handles the traced faults of one replay. */
export interface FaultHandler {
  /** Strategy name for the report, or null when faults are only counted. */
  readonly strategy: string | null;
  /** Resolve (or count) one fault at its place in the trace. */
  handle(fault: FaultEvent): void;
  /** Figures merged into the replay report when the trace ends. */
  summary(): Record<string, unknown>;
}

/** Builds the handler for a replay once the initial address space exists. */
export type FaultHandlerFactory = (mm: MmStruct) => FaultHandler;

/** Counts faults per thread without resolving them. */
export function countingFaultHandler(): FaultHandler {
  const perTid = new Map<number, number>();
  return {
    strategy: null,
    handle(fault: FaultEvent): void {
      perTid.set(fault.tid, (perTid.get(fault.tid) ?? 0) + 1);
    },
    summary(): Record<string, unknown> {
      return { faults_per_thread: Object.fromEntries([...perTid].sort((a, b) => a[0] - b[0])) };
    },
  };
}
