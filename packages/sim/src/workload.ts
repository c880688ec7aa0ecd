/**
 * The workload contract: what a simulated thread asks the machine to do. A workload is a set of
 * deterministic thread programs — generators that yield operations and are resumed with their
 * results — so a workload can react to what the kernel returned (an mmap's address) exactly as the
 * real benchmark program does.
 */
import type { FileRef, MmApi, PluginMeta } from '@vmakit/core';

/**
 * One operation of a simulated user thread.
 * - `access`: a user-mode load/store/fetch. It faults only when the page table does not allow it (the
 *   simulator asks the MMU model); resumed with 0, or the signal number delivered (SIGSEGV/SIGBUS).
 * - `fault`: a fault exactly as recorded in a captured trace (address and x86 error code); it is taken
 *   even if the page is now mapped (a spurious fault); resumed like `access`.
 * - system calls with the kernel's arguments; resumed with the result (address, 0 or -errno).
 * - `think`: user-space work between operations, in nanoseconds of the machine profile.
 * - `iteration`: the benchmark's own progress counter (will-it-scale's `iterations++`), reported as
 *   ops/s; resumed with 0.
 */
export type WorkloadOp =
  | { readonly op: 'access'; readonly addr: number; readonly write: boolean; readonly exec?: boolean }
  | { readonly op: 'fault'; readonly addr: number; readonly errorCode: number }
  | {
      readonly op: 'mmap';
      readonly addr: number;
      readonly len: number;
      readonly prot: number;
      readonly flags: number;
      readonly file?: FileRef | null;
      /** File offset in pages. */
      readonly pgoff?: number;
    }
  | { readonly op: 'munmap'; readonly addr: number; readonly len: number }
  | { readonly op: 'mprotect'; readonly addr: number; readonly len: number; readonly prot: number }
  | { readonly op: 'madvise'; readonly addr: number; readonly len: number; readonly advice: number }
  | { readonly op: 'brk'; readonly brk: number }
  | {
      readonly op: 'mremap';
      readonly addr: number;
      readonly oldLen: number;
      readonly newLen: number;
      readonly flags: number;
      readonly newAddr?: number;
    }
  | { readonly op: 'think'; readonly ns: number }
  | { readonly op: 'iteration'; readonly count?: number };

/** A thread program: yields operations, resumed with each operation's result. */
export type ThreadProgram = Generator<WorkloadOp, void, number>;

/** What a thread program can see. */
export interface ThreadContext {
  /** 0-based thread number (also its CPU). */
  readonly tid: number;
  /** Number of threads of the run. */
  readonly threads: number;
  /** Uniform in [0, 1): a per-thread stream derived from the run's seed. */
  random(): number;
  /** State the setup program left for the threads (e.g. the address of pft's shared region). */
  readonly shared: Map<string, number>;
  /** The address space, for reading only (brk value, layout). */
  readonly mm: MmApi;
}

/** An instantiated workload. */
export interface Workload {
  readonly name: string;
  /**
   * Runs once on thread 0 before any measured thread starts and before time is counted (pft maps
   * and carves its region here); it may store values in `shared`.
   */
  setup?(ctx: ThreadContext): ThreadProgram;
  /** The program of thread `ctx.tid`; it may run forever (the simulator stops it). */
  thread(ctx: ThreadContext): ThreadProgram;
  /**
   * Where the threads run (default `'pinned-fill'`). `'pinned-fill'`: thread i on CPU i of hwloc's
   * order — socket 0's cores, then socket 1's, then the SMT siblings — as will-it-scale pins its
   * tasks. `'spread'`: an unpinned benchmark (pft without -a, ebizzy), whose threads the Linux
   * scheduler's load balancing spreads over the NUMA nodes and onto idle cores before SMT siblings:
   * thread i on socket i mod sockets.
   */
  readonly placement?: WorkloadPlacement;
  /**
   * Fill level of every CPU's per-CPU page list when the threads start (default `'high'`): the
   * steady state the benchmark's measured phase runs in. `'high'`: pcp->high, for threads that free
   * about what they allocate; `'refill-cycle'`: a seeded level in [0, pcp->batch) per CPU, for
   * allocation-only threads (pft), whose lists run empty and are refilled one batch at a time under
   * zone->lock.
   */
  readonly pcpStart?: PcpStart;
}

/** Thread placement of a workload (see Workload.placement). */
export type WorkloadPlacement = 'pinned-fill' | 'spread';

/** Per-CPU page-list level at the start of a run (see Workload.pcpStart). */
export type PcpStart = 'high' | 'refill-cycle';

/** Options a workload is created with. */
export interface WorkloadOptions {
  readonly threads: number;
  readonly seed: number;
  /** Workload parameters (sizes, rates); unknown keys are an error. */
  readonly params?: Readonly<Record<string, number>>;
}

/** A workload plug-in. */
export interface WorkloadPlugin {
  readonly meta: PluginMeta<'workload'>;
  /** Parameters with their defaults and units, e.g. `{ memsize_bytes: 1048576 }`. */
  readonly defaults: Readonly<Record<string, number>>;
  /** Where the definition comes from (benchmark source, paper). */
  readonly source: string;
  create(options: WorkloadOptions): Workload;
}

/** Identity function that type-checks a workload plug-in. */
export function defineWorkloadPlugin(plugin: WorkloadPlugin): WorkloadPlugin {
  return plugin;
}
