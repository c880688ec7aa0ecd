/**
 * Simulated windows of `compare` and `vmakit sim` (unless --warmup-ns/--duration-ns are given) for
 * the syscall-bound will-it-scale tests. Their iterations are
 * whole system calls under the mmap_lock write lock: malloc1 maps and unmaps 128 MiB per iteration
 * (the munmap flushes the TLB of every CPU the mm ran on, arch/x86/mm/tlb.c flush_tlb_mm_range()),
 * mmap1/mmap2 the same without the touch, brk1 grows and shrinks the heap. With N threads one
 * round of the lock convoy takes N such iterations, and all threads start together on the lock, so
 * the engine's default (200 µs window after 50 µs + 5 µs per CPU) ends before the start-up convoy
 * has drained at 16-32 CPUs: malloc1 then reports zero iterations, an artefact of the window.
 *
 * Measured with `vmakit sim malloc1 --strategies mmap-lock --index maple` (skylake-2s): 32 CPUs
 * settle at about 20-24 k iterations/s, one convoy round about 1.4 ms. The policy below (at 32
 * CPUs: 1.3 ms warm-up, 2.6 ms window) agrees within 10 % with 2 ms + 4 ms at 8-32 CPUs for
 * malloc1 and mmap2, and costs about a dozen seconds of CPU over the default matrix (the 120 s
 * budget of `pnpm compare`). Page-faulting workloads keep the engine's defaults (their iterations
 * are single faults).
 */

import type { JsonValue } from '@vmakit/report';

/** Workloads whose iterations are system calls under the mmap_lock write lock. */
export const SYSCALL_BOUND_WORKLOADS: readonly string[] = ['brk1', 'malloc1', 'mmap1', 'mmap2'];

/** Warm-up of a syscall-bound point: a base plus a share per CPU (simulated ns). */
export const SYSCALL_WARMUP_NS = { base: 500_000, perCpu: 25_000 } as const;
/** Measured window of a syscall-bound point: a base plus a share per CPU (simulated ns). */
export const SYSCALL_WINDOW_NS = { base: 1_000_000, perCpu: 50_000 } as const;

/** The warm-up and window of a simulated point. */
export interface SimWindow {
  readonly warmupNs: number;
  readonly durationNs: number;
}

/**
 * The window `compare` gives `workload` on `cpus` CPUs, or null for the engine's defaults (or the
 * run's --quick window). Both grow linearly with the CPUs, as one convoy round does. O(1).
 */
export function compareWindowOf(workload: string, cpus: number): SimWindow | null {
  if (!SYSCALL_BOUND_WORKLOADS.includes(workload)) return null;
  return {
    warmupNs: SYSCALL_WARMUP_NS.base + SYSCALL_WARMUP_NS.perCpu * cpus,
    durationNs: SYSCALL_WINDOW_NS.base + SYSCALL_WINDOW_NS.perCpu * cpus,
  };
}

/** What results.json records of the policy (metadata.options.syscall_bound_windows). */
export function compareWindowPolicy(): { readonly [k: string]: JsonValue } {
  return {
    workloads: [...SYSCALL_BOUND_WORKLOADS],
    warmup_ns: { ...SYSCALL_WARMUP_NS },
    window_ns: { ...SYSCALL_WINDOW_NS },
  };
}
