/**
 * ebizzy (Valerie Henson, Intel, 2006-2007; version 0.3 as in the Linux Test Project,
 * utils/benchmark/ebizzy-0.3/ebizzy.c) run as `ebizzy -m -T -t N` — `-mTt <nrcpus>` is how Dufour
 * measured speculative faults (SPF v10-v12 cover letters) and `-mTt 2*nr_cpus` how the per-VMA lock
 * RISC-V port was measured.
 *
 * What ebizzy.c does with those options and the programs reproduce:
 * - defaults: chunks = 10, chunk_size = record_size * 64 * 1024 = 512 KiB (record_t is a size_t),
 *   random_size off; -m allocates with mmap(NULL, size, RW, MAP_PRIVATE|MAP_ANONYMOUS) and frees with
 *   munmap; -T replaces the copy-and-search with touch_mem(): one write per page of the new buffer;
 * - main(): allocate() maps the pointer table and the chunks (plus one-page holes with -P, unmapped
 *   again), write_pattern() writes every record of every chunk (and with -p makes every other chunk
 *   read-only), then start_threads() creates the N threads and sleeps while they run;
 * - each thread loops search_mem(): pick a chunk, pick copy_size (the whole chunk, or with -R a random
 *   non-zero multiple of 8 bytes up to the chunk size), mmap the copy, touch it (-T) or memcpy the chunk
 *   into it and binary-search it, munmap it; each loop is one record: ebizzy reports records/s.
 *
 * With the default sizes there is nothing random about -mTt: every record maps, faults in (128 pages)
 * and unmaps 512 KiB. ebizzy's own rand_num() starts every thread from the same constant state (and in
 * the LTP copy its multiply-only update keeps the state at 0), so real threads draw identical
 * sequences; here the chunk and the -R size come from each thread's seeded stream (ctx.random), which
 * only matters with random_size = 1. Without -T (touch = 0) the copy is modelled as one write per page
 * of the copy plus `copy_ns_per_page` of think time per page and `search_ns` for the binary search
 * (the source chunk is already faulted in by write_pattern, so reading it does not fault).
 */
import { PAGE_SIZE, uapi } from '@vmakit/core';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOptions } from '../workload.js';
import { defineWorkloadPlugin } from '../workload.js';
import { WORKLOADS_VERSION } from './files.js';
import { expectOk, pthreadStack, type SubProgram, stackKey, threadStartsOnStack } from './glibc.js';
import type { WorkloadWithState } from './initial-state.js';
import { defaultsOf, type ParamSpecs, resolveOptions } from './params.js';
import { processImage } from './process-image.js';

const { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } = uapi;

/** sizeof(record_t) = sizeof(size_t). */
const RECORD = 8;

const SPECS: ParamSpecs = {
  chunks: { default: 10, rule: { kind: 'int', min: 1, max: 100000 }, doc: 'memory chunks (-n)' },
  chunk_size_bytes: {
    default: RECORD * 64 * 1024,
    rule: { kind: 'int', min: RECORD },
    doc: 'bytes per chunk (-s), default record_size * 64 KiB = 512 KiB',
  },
  touch: { default: 1, rule: { kind: 'flag' }, doc: "-T: only touch the copy's pages (no memcpy/search)" },
  random_size: { default: 0, rule: { kind: 'flag' }, doc: '-R: random copy size, a multiple of 8 bytes' },
  holes: { default: 0, rule: { kind: 'flag' }, doc: '-P: prevent chunk coalescing with one-page holes' },
  permissions: {
    default: 0,
    rule: { kind: 'flag' },
    doc: '-p: prevent coalescing by alternating permissions',
  },
  copy_ns_per_page: {
    default: 500,
    rule: { kind: 'number', min: 0 },
    doc: 'memcpy time per 4 KiB page when touch = 0 (ns)',
  },
  search_ns: {
    default: 100,
    rule: { kind: 'number', min: 0 },
    doc: 'binary search time when touch = 0 (ns)',
  },
  image: { default: 1, rule: { kind: 'flag' }, doc: 'start from the non-randomised process image' },
  stacks: { default: 1, rule: { kind: 'flag' }, doc: 'the setup creates the thread stacks' },
};

/** alloc_mem() with -m. */
function* allocMem(size: number, what: string): SubProgram<number> {
  return expectOk(
    yield {
      op: 'mmap',
      addr: 0,
      len: size,
      prot: PROT_READ | PROT_WRITE,
      flags: MAP_PRIVATE | MAP_ANONYMOUS,
    },
    `ebizzy: ${what} mmap`,
  );
}

/** The ebizzy workload plug-in. */
export const ebizzyPlugin = defineWorkloadPlugin({
  meta: {
    name: 'ebizzy',
    version: WORKLOADS_VERSION,
    kind: 'workload',
    description: 'ebizzy -mTt N: threads mmap a 512 KiB buffer, touch every page, munmap (records/s)',
  },
  defaults: defaultsOf(SPECS),
  source: 'ebizzy 0.3 (linux-test-project/ltp utils/benchmark/ebizzy-0.3/ebizzy.c), options -m -T -t N',
  create(options: WorkloadOptions): Workload {
    const { threads, params } = resolveOptions('ebizzy', SPECS, options);
    const chunks = params.chunks!;
    const chunkSize = params.chunk_size_bytes!;

    function* setup(ctx: ThreadContext): SubProgram<void> {
      const mem = yield* allocMem(chunks * RECORD, 'chunk table');
      const holeMem = params.holes === 1 ? yield* allocMem(chunks * RECORD, 'hole table') : 0;
      const chunkAt: number[] = [];
      const holeAt: number[] = [];
      for (let i = 0; i < chunks; i++) {
        chunkAt.push(yield* allocMem(chunkSize, `chunk ${i}`));
        yield { op: 'access', addr: mem + i * RECORD, write: true };
        if (params.holes === 1) {
          holeAt.push(yield* allocMem(PAGE_SIZE, `hole ${i}`));
          yield { op: 'access', addr: holeMem + i * RECORD, write: true };
        }
      }
      for (const h of holeAt) yield { op: 'munmap', addr: h, len: PAGE_SIZE };
      // write_pattern(): every record of every chunk, then (-p) every other chunk read-only.
      for (let i = 0; i < chunks; i++) {
        for (let off = 0; off < chunkSize; off += PAGE_SIZE) {
          yield { op: 'access', addr: chunkAt[i]! + off, write: true };
        }
        if (params.permissions === 1 && i % 2 === 0) {
          yield { op: 'mprotect', addr: chunkAt[i]!, len: chunkSize, prot: PROT_READ };
        }
      }
      if (params.stacks === 1) {
        for (let t = 0; t < threads; t++)
          ctx.shared.set(stackKey(t), yield* pthreadStack(`ebizzy thread ${t}`));
      }
    }

    const w: WorkloadWithState = {
      name: 'ebizzy',
      // ebizzy.c start_threads() creates plain pthreads and never sets their affinity: the scheduler
      // spreads them over the NUMA nodes.
      placement: 'spread',
      ...(params.image === 1 ? { initialState: processImage({ program: 'ebizzy' }) } : {}),
      setup,
      *thread(ctx: ThreadContext): ThreadProgram {
        yield* threadStartsOnStack(ctx);
        const records = Math.floor(chunkSize / RECORD);
        for (;;) {
          // rand_num(chunks): which chunk to copy (only read by memcpy).
          ctx.random();
          const copySize =
            params.random_size === 1 ? (Math.floor(ctx.random() * records) + 1) * RECORD : chunkSize;
          const copy = yield* allocMem(copySize, `thread ${ctx.tid} copy buffer`);
          for (let i = 0; i < copySize; i += PAGE_SIZE) {
            yield { op: 'access', addr: copy + i, write: true };
            if (params.touch === 0 && params.copy_ns_per_page! > 0) {
              yield { op: 'think', ns: params.copy_ns_per_page! };
            }
          }
          if (params.touch === 0 && params.search_ns! > 0) yield { op: 'think', ns: params.search_ns! };
          yield { op: 'munmap', addr: copy, len: copySize };
          yield { op: 'iteration' };
        }
      },
    };
    return w;
  },
});
