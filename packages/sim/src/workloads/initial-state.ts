/**
 * The address space a workload expects to start from — what execve() left (the program, its
 * libraries, the stack, start_brk) or what a captured `start.maps` shows.
 *
 * The workload contract (../workload.ts) has no field for it yet, so workloads of this folder carry it
 * as an extra, optional `initialState` property; an engine that knows the property creates its
 * MmStruct with `config` and installs `vmas` before the setup program runs (see the proposal in
 * README.md: one optional field on `Workload`). An engine that ignores it still runs every workload,
 * in an address space holding only what the setup programs map.
 */
import type { MmApi, MmConfig, VmaInit } from '@vmakit/core';
import { installInitialState as installVmas } from '@vmakit/replay';
import type { Workload } from '../workload.js';

/** The starting address space of a workload. */
export interface WorkloadInitialState {
  /** Settings the engine's MmStruct must be created with (start_brk, brk, mmap_base...). */
  readonly config: MmConfig;
  /** VMAs to install, in address order, before the setup program runs (installVma, no merging). */
  readonly vmas: readonly VmaInit[];
  /** Where it comes from (for reports). */
  readonly origin: string;
}

/** A Workload that carries its starting address space. */
export interface WorkloadWithState extends Workload {
  readonly initialState?: WorkloadInitialState;
}

/** The initial state `w` carries, or null. O(1). */
export function initialStateOf(w: Workload): WorkloadInitialState | null {
  return (w as WorkloadWithState).initialState ?? null;
}

/**
 * Installs `state.vmas` into `mm` (which must have been created with `state.config`), with the replay
 * package's installInitialState. Throws a VmakitError naming the VMA when one cannot be installed
 * (overlap). O(n log n).
 */
export function installInitialState(mm: MmApi, state: WorkloadInitialState): void {
  installVmas(mm, state.vmas, state.origin);
}
