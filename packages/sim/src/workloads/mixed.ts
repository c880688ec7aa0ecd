/**
 * `mixed`: threads that fault while one thread keeps changing the address space — the situation
 * speculative faults and per-VMA locks were built for (Android apps whose threads fault while others
 * create thread stacks and mappings; Baghdasaryan's per-VMA lock cover letters), made controllable.
 *
 * - Faulters (threads 0 .. N-2) own equal slices of one long-lived anonymous region the setup maps
 *   (one VMA, like pft's; with per_thread_vmas = 1 each slice is followed by a PROT_NONE guard page,
 *   so every faulter has a VMA of its own, as threads with their own allocations do). Each writes one byte per page of its slice (one iteration per page), then
 *   drops the pages with madvise(MADV_DONTNEED) — which takes the mmap lock for reading only
 *   (madvise_need_mmap_write) — and faults them in again. With refault = 0 a faulter instead maps,
 *   touches and unmaps its own region each loop, as page_fault1 does.
 * - The writer (thread N-1) maps `writer_bytes` of anonymous memory, makes its first half read-only
 *   (mprotect splits the VMA), and unmaps it, sleeping 1e6 / writer_ops_per_ms ns after each of the
 *   three calls, so it issues at most writer_ops_per_ms write-locked calls per simulated ms (fewer when
 *   the calls themselves take long). writer_ops_per_ms = 0 leaves it idle. Its iterations are not
 *   counted: ops/s is the faulters' pages.
 * - fence = 1 maps one PROT_NONE page below the region so the writer's mappings cannot merge with the
 *   faulters' VMA (an adjacent anonymous mapping with the same flags would, and would then write-lock
 *   the faulters' VMA on every call); fence = 0 allows it.
 */
import { PAGE_SIZE, uapi } from '@vmakit/core';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOptions } from '../workload.js';
import { defineWorkloadPlugin } from '../workload.js';
import { WORKLOADS_VERSION } from './files.js';
import { expectOk, pthreadStack, type SubProgram, stackKey, threadStartsOnStack } from './glibc.js';
import type { WorkloadWithState } from './initial-state.js';
import { defaultsOf, type ParamSpecs, resolveOptions, WorkloadParamError } from './params.js';
import { processImage } from './process-image.js';

const { MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_NONE, PROT_READ, PROT_WRITE } = uapi;

/** ctx.shared key of the faulters' region. */
export const MIXED_REGION_KEY = 'mixed.region';

const SPECS: ParamSpecs = {
  region_bytes: { default: 1024 * 1024, rule: { kind: 'pages' }, doc: "bytes of each faulter's slice" },
  refault: {
    default: 1,
    rule: { kind: 'flag' },
    doc: '1 = MADV_DONTNEED the slice and fault it again; 0 = mmap/touch/munmap like page_fault1',
  },
  writer: { default: 1, rule: { kind: 'flag' }, doc: 'the last thread is the writer (needs >= 2 threads)' },
  writer_ops_per_ms: {
    default: 10,
    rule: { kind: 'number', min: 0 },
    doc: 'upper bound of writer system calls per simulated ms (0 = idle writer)',
  },
  writer_bytes: { default: 64 * 1024, rule: { kind: 'pages' }, doc: 'bytes the writer maps each cycle' },
  writer_mprotect: { default: 1, rule: { kind: 'flag' }, doc: 'the writer mprotects half of its mapping' },
  fence: { default: 1, rule: { kind: 'flag' }, doc: "a PROT_NONE page keeps the writer's VMAs apart" },
  per_thread_vmas: {
    default: 0,
    rule: { kind: 'flag' },
    doc: "each faulter's slice is its own VMA (a PROT_NONE guard page after each), not one shared VMA",
  },
  image: { default: 1, rule: { kind: 'flag' }, doc: 'start from the non-randomised process image' },
  stacks: { default: 1, rule: { kind: 'flag' }, doc: 'the setup creates the thread stacks' },
};

/** The mixed workload plug-in. */
export const mixedPlugin = defineWorkloadPlugin({
  meta: {
    name: 'mixed',
    version: WORKLOADS_VERSION,
    kind: 'workload',
    description: 'N-1 threads fault (MADV_DONTNEED + refault) while one thread churns mmap/mprotect/munmap',
  },
  defaults: defaultsOf(SPECS),
  source:
    "vmakit's own mix: page_fault1-style faulters (will-it-scale) plus a writer at a set rate (per-VMA lock and SPF cover letters' motivation)",
  create(options: WorkloadOptions): Workload {
    const { threads, params } = resolveOptions('mixed', SPECS, options);
    const hasWriter = params.writer === 1;
    if (hasWriter && threads < 2) {
      throw new WorkloadParamError(
        'workload mixed: needs at least 2 threads (N-1 faulters + 1 writer); use writer=0 for faulters only',
      );
    }
    const faulters = hasWriter ? threads - 1 : threads;
    const slice = params.region_bytes!;
    // Distance between two faulters' slices: the slice plus its guard page when slices are separate VMAs.
    const stride = params.per_thread_vmas === 1 ? slice + PAGE_SIZE : slice;

    function* setup(ctx: ThreadContext): SubProgram<void> {
      if (params.refault === 1) {
        const region = expectOk(
          yield {
            op: 'mmap',
            addr: 0,
            len: faulters * stride,
            prot: PROT_READ | PROT_WRITE,
            flags: MAP_PRIVATE | MAP_ANONYMOUS,
          },
          'mixed: region mmap',
        );
        ctx.shared.set(MIXED_REGION_KEY, region);
        if (stride !== slice) {
          for (let f = 0; f < faulters; f++) {
            expectOk(
              yield { op: 'mprotect', addr: region + f * stride + slice, len: PAGE_SIZE, prot: PROT_NONE },
              'mixed: guard page mprotect',
            );
          }
        }
      }
      if (params.fence === 1) {
        expectOk(
          yield { op: 'mmap', addr: 0, len: PAGE_SIZE, prot: PROT_NONE, flags: MAP_PRIVATE | MAP_ANONYMOUS },
          'mixed: fence mmap',
        );
      }
      if (params.stacks === 1) {
        for (let t = 0; t < threads; t++)
          ctx.shared.set(stackKey(t), yield* pthreadStack(`mixed thread ${t}`));
      }
    }

    function* faulter(ctx: ThreadContext): ThreadProgram {
      if (params.refault === 1) {
        const region = ctx.shared.get(MIXED_REGION_KEY);
        if (region === undefined) throw new WorkloadParamError('mixed: the setup program did not run');
        const start = region + ctx.tid * stride;
        for (;;) {
          for (let p = start; p < start + slice; p += PAGE_SIZE) {
            yield { op: 'access', addr: p, write: true };
            yield { op: 'iteration' };
          }
          expectOk(
            yield { op: 'madvise', addr: start, len: slice, advice: MADV_DONTNEED },
            `mixed faulter ${ctx.tid}: madvise`,
          );
        }
      }
      for (;;) {
        const c = expectOk(
          yield {
            op: 'mmap',
            addr: 0,
            len: slice,
            prot: PROT_READ | PROT_WRITE,
            flags: MAP_PRIVATE | MAP_ANONYMOUS,
          },
          `mixed faulter ${ctx.tid}: mmap`,
        );
        for (let p = c; p < c + slice; p += PAGE_SIZE) {
          yield { op: 'access', addr: p, write: true };
          yield { op: 'iteration' };
        }
        yield { op: 'munmap', addr: c, len: slice };
      }
    }

    function* writer(): ThreadProgram {
      const rate = params.writer_ops_per_ms!;
      if (rate === 0) {
        for (;;) yield { op: 'think', ns: 1_000_000 };
      }
      const gap = 1_000_000 / rate;
      const len = params.writer_bytes!;
      const half = Math.max(PAGE_SIZE, Math.floor(len / 2 / PAGE_SIZE) * PAGE_SIZE);
      for (;;) {
        const m = expectOk(
          yield {
            op: 'mmap',
            addr: 0,
            len,
            prot: PROT_READ | PROT_WRITE,
            flags: MAP_PRIVATE | MAP_ANONYMOUS,
          },
          'mixed writer: mmap',
        );
        yield { op: 'think', ns: gap };
        if (params.writer_mprotect === 1) {
          yield { op: 'mprotect', addr: m, len: half, prot: PROT_READ };
          yield { op: 'think', ns: gap };
        }
        yield { op: 'munmap', addr: m, len };
        yield { op: 'think', ns: gap };
      }
    }

    const w: WorkloadWithState = {
      name: 'mixed',
      ...(params.image === 1 ? { initialState: processImage({ program: 'mixed' }) } : {}),
      setup,
      *thread(ctx: ThreadContext): ThreadProgram {
        yield* threadStartsOnStack(ctx);
        if (hasWriter && ctx.tid === threads - 1) yield* writer();
        else yield* faulter(ctx);
      },
    };
    return w;
  },
});
