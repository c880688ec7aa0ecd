/**
 * pft, the "Page Fault Test" (github.com/gormanm/pft pft.c; originally Christoph Lameter's, LKML
 * 2006/8/29/294, modified by Lee Schermerhorn), in threads mode (`pft -m <size> -t <threads>`), as
 * mmtests drives it and as Rasmussen (2021) and Lespinasse (2021) measured speculative faults with it.
 *
 * What pft.c does and the programs reproduce:
 * - main() rounds the region: pages = PAGE_ALIGN(bytes) / pagesize, pages_per_test =
 *   ROUND_UP(pages, nr_tests) / nr_tests, pages = pages_per_test * nr_tests — so the slices partition
 *   the region exactly — and maps the parent/child communication area (valloc_shared: a MAP_SHARED
 *   anonymous mapping, zeroed) before forking the launch() child that runs the test;
 * - launch() maps the whole test region first (alloc_test_memory: one MAP_PRIVATE|MAP_ANONYMOUS
 *   mmap, "one large test area => single anon_vma"), then start_workers() maps the test_info pointer
 *   array, and per worker j >= 1 a private test_info page (create_test_info: valloc_private + bzero)
 *   and the worker's pthread (its stack); worker 0 is the launch thread itself;
 * - each worker's pft_loop() writes `cachelines` cache lines (-c, default 1) of every page of its
 *   slice region + j * bytes_per_test, and ends; pft reports faults/s = pages / (latest end - earliest
 *   start), the simulator's faults/s over the run until the last thread finishes.
 * `cacheline_bytes` is sysconf(_SC_LEVEL1_DCACHE_LINESIZE), 64 on x86 (pft's fallback is 128).
 *
 * Region size: Rasmussen's runs mapped MEMTOTAL/5 (38 GiB), so every thread's slice spans many PTE
 * tables and threads never share a page-table lock. The default here, size_bytes = 0, maps
 * bytes_per_thread (2 MiB: one PTE table each, 512 faults per thread) to keep that property at
 * simulation cost — raise it when the simulated window is long, so no thread finishes inside it; a
 * fixed size_bytes reproduces pft's strong scaling (the same region for every thread count) instead.
 */
import { PAGE_SIZE, uapi } from '@vmakit/core';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOptions } from '../workload.js';
import { defineWorkloadPlugin } from '../workload.js';
import { WORKLOADS_VERSION } from './files.js';
import { expectOk, pthreadStack, type SubProgram, stackKey, threadStartsOnStack } from './glibc.js';
import type { WorkloadWithState } from './initial-state.js';
import { defaultsOf, type ParamSpecs, resolveOptions, WorkloadParamError } from './params.js';
import { processImage } from './process-image.js';

const { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } = uapi;

/** pft.c MAX_TESTS: -t is clipped to 128. */
export const PFT_MAX_TESTS = 128;
/** Region bytes per thread when size_bytes is 0 (one PTE table). */
export const PFT_AUTO_BYTES_PER_THREAD = 2 * 1024 * 1024;
/** ctx.shared key of the test region's start. */
export const PFT_REGION_KEY = 'pft.region';
/** ctx.shared key of the slice length in bytes. */
export const PFT_SLICE_KEY = 'pft.bytes_per_test';
/** Approximate sizeof(struct pft_comm) without its test_info array, and sizeof(struct test_info). */
const COMM_HEADER_BYTES = 200;
const TEST_INFO_BYTES = 360;

const SPECS: ParamSpecs = {
  size_bytes: {
    default: 0,
    rule: { kind: 'int', min: 0 },
    doc: 'total region (-m); 0 = bytes_per_thread per thread',
  },
  bytes_per_thread: {
    default: PFT_AUTO_BYTES_PER_THREAD,
    rule: { kind: 'pages' },
    doc: 'region per thread when size_bytes is 0 (default 2 MiB: one PTE table each)',
  },
  cachelines: {
    default: 1,
    rule: { kind: 'int', min: 1, max: 64 },
    doc: 'cache lines written per page (-c)',
  },
  cacheline_bytes: {
    default: 64,
    rule: { kind: 'int', min: 8, max: PAGE_SIZE },
    doc: 'cache line size (sysconf _SC_LEVEL1_DCACHE_LINESIZE)',
  },
  image: { default: 1, rule: { kind: 'flag' }, doc: 'start from the non-randomised process image' },
  stacks: { default: 1, rule: { kind: 'flag' }, doc: 'the setup creates the worker threads stacks' },
};

/**
 * How pft divides the region for `threads` workers: pages per worker and the total. A zero size means
 * `perThread` bytes per worker.
 */
export function pftGeometry(
  sizeBytes: number,
  threads: number,
  perThread: number = PFT_AUTO_BYTES_PER_THREAD,
): { pagesPerTest: number; pages: number } {
  const bytes = sizeBytes === 0 ? threads * perThread : sizeBytes;
  const pagesIn = Math.ceil(bytes / PAGE_SIZE);
  const pagesPerTest = Math.ceil(pagesIn / threads);
  return { pagesPerTest, pages: pagesPerTest * threads };
}

/** The pft workload plug-in. */
export const pftPlugin = defineWorkloadPlugin({
  meta: {
    name: 'pft',
    version: WORKLOADS_VERSION,
    kind: 'workload',
    description:
      'pft -t N (threads): one anonymous region mapped before the workers start, each faults in its slice',
  },
  defaults: defaultsOf(SPECS),
  source:
    'pft (github.com/gormanm/pft pft.c: alloc_test_memory, start_workers, pft_loop); mmtests shellpack pft-bench',
  create(options: WorkloadOptions): Workload {
    const { threads, params } = resolveOptions('pft', SPECS, options);
    if (threads > PFT_MAX_TESTS) {
      throw new WorkloadParamError(
        `workload pft: pft clips -t to MAX_TESTS ${PFT_MAX_TESTS}; got ${threads}`,
      );
    }
    const clBytes = params.cacheline_bytes!;
    if (params.cachelines! * clBytes > PAGE_SIZE) {
      throw new WorkloadParamError(
        `workload pft: cachelines * cacheline_bytes = ${params.cachelines! * clBytes} exceeds the page size; pft would write into the next page`,
      );
    }
    const { pagesPerTest, pages } = pftGeometry(params.size_bytes!, threads, params.bytes_per_thread!);
    const bytesPerTest = pagesPerTest * PAGE_SIZE;
    const bytes = pages * PAGE_SIZE;

    function* setup(ctx: ThreadContext): SubProgram<void> {
      const commBytes = Math.ceil((COMM_HEADER_BYTES + threads * TEST_INFO_BYTES) / PAGE_SIZE) * PAGE_SIZE;
      const comm = expectOk(
        yield {
          op: 'mmap',
          addr: 0,
          len: commBytes,
          prot: PROT_READ | PROT_WRITE,
          flags: MAP_SHARED | MAP_ANONYMOUS,
        },
        'pft: comm area mmap',
      );
      for (let off = 0; off < commBytes; off += PAGE_SIZE)
        yield { op: 'access', addr: comm + off, write: true };
      const region = expectOk(
        yield {
          op: 'mmap',
          addr: 0,
          len: bytes,
          prot: PROT_READ | PROT_WRITE,
          flags: MAP_PRIVATE | MAP_ANONYMOUS,
        },
        `pft: mmap of the ${bytes}-byte test region`,
      );
      ctx.shared.set(PFT_REGION_KEY, region);
      ctx.shared.set(PFT_SLICE_KEY, bytesPerTest);
      const tiArray = expectOk(
        yield {
          op: 'mmap',
          addr: 0,
          len: threads * 8,
          prot: PROT_READ | PROT_WRITE,
          flags: MAP_PRIVATE | MAP_ANONYMOUS,
        },
        'pft: test_info array mmap',
      );
      for (let j = 0; j < threads; j++) {
        if (j > 0) {
          const tip = expectOk(
            yield {
              op: 'mmap',
              addr: 0,
              len: TEST_INFO_BYTES,
              prot: PROT_READ | PROT_WRITE,
              flags: MAP_PRIVATE | MAP_ANONYMOUS,
            },
            `pft: test_info ${j} mmap`,
          );
          yield { op: 'access', addr: tip, write: true };
        }
        yield { op: 'access', addr: tiArray + j * 8, write: true };
        if (j > 0 && params.stacks === 1) ctx.shared.set(stackKey(j), yield* pthreadStack(`pft worker ${j}`));
      }
    }

    const w: WorkloadWithState = {
      name: 'pft',
      // pft binds its workers to CPUs only with -a (mmtests runs `pft -m <size> -t N` without it):
      // the scheduler spreads them over the NUMA nodes.
      placement: 'spread',
      // Workers only allocate: every CPU's per-CPU list cycles between empty and one refill batch.
      pcpStart: 'refill-cycle',
      ...(params.image === 1 ? { initialState: processImage({ program: 'pft' }) } : {}),
      setup,
      *thread(ctx: ThreadContext): ThreadProgram {
        yield* threadStartsOnStack(ctx);
        const region = ctx.shared.get(PFT_REGION_KEY);
        if (region === undefined) throw new WorkloadParamError('pft: the setup program did not run');
        const start = region + ctx.tid * bytesPerTest;
        const cachelines = params.cachelines!;
        for (let p = start; p < start + bytesPerTest; p += PAGE_SIZE) {
          for (let cl = 0; cl < cachelines; cl++) yield { op: 'access', addr: p + cl * clBytes, write: true };
          yield { op: 'iteration' };
        }
      },
    };
    return w;
  },
});
