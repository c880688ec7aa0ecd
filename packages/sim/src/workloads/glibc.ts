/**
 * The memory system calls glibc makes on behalf of the benchmarks: a thread's stack
 * (pthread_create), a thread's malloc arena (its first malloc), and malloc/free of a chunk above the
 * mmap threshold. Each is a sub-program the workloads run with `yield*`.
 *
 * Sources (glibc 2.3x): nptl/allocatestack.c allocate_stack() and setup_stack_prot(); malloc/arena.c
 * new_heap() and _int_new_arena(); malloc/malloc.c sysmalloc_mmap(), munmap_chunk(), request2size()
 * and the dynamic mmap threshold of free(). The sequences agree with the c-arenas capture of
 * ../shared/traces (stack: mmap 0x801000 PROT_NONE MAP_STACK, mprotect RW of all but the guard page,
 * a write near the top; arena: mmap 128 MiB PROT_NONE MAP_NORESERVE, two munmaps trimming it to a
 * 64 MiB-aligned 64 MiB heap, mprotect RW of 0x21000 bytes, a write at the heap start).
 */
import { errnoName, PAGE_SIZE, uapi } from '@vmakit/core';
import type { ThreadContext, ThreadProgram, WorkloadOp } from '../workload.js';
import { WorkloadAbortError } from './params.js';

const { MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, MAP_STACK, PROT_NONE, PROT_READ, PROT_WRITE } = uapi;

/** A sub-program returning a value. */
export type SubProgram<T> = Generator<WorkloadOp, T, number>;

/** Default thread stack: RLIMIT_STACK (8 MiB) as __pthread_initialize_minimal sets it. */
export const DEFAULT_THREAD_STACK = 8 * 1024 * 1024;
/** Default guard: one page at the low end of the stack mapping. */
export const DEFAULT_GUARD = PAGE_SIZE;
/** HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX = 2 * 4 MiB * sizeof(long) on 64-bit. */
export const HEAP_MAX_SIZE = 64 * 1024 * 1024;
/** DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: free() never raises the threshold above 32 MiB. */
export const MMAP_THRESHOLD_MAX = 32 * 1024 * 1024;
/** DEFAULT_MMAP_THRESHOLD: the initial mmap threshold (128 KiB). */
export const MMAP_THRESHOLD = 128 * 1024;
/**
 * First mprotect of a new arena heap: sizeof(heap_info) + sizeof(malloc_state) + MALLOC_ALIGNMENT
 * plus top_pad, page-aligned — 0x21000 bytes in the c-arenas capture.
 */
export const ARENA_INITIAL_BYTES = 0x21000;
/** ctx.shared key of glibc's `aligned_heap_area` (one per process, shared by all threads). */
export const ALIGNED_HEAP_AREA_KEY = 'glibc.aligned_heap_area';

/** Throws the benchmark's assert failure when `r` is an error. */
export function expectOk(r: number, what: string): number {
  if (r < 0) throw new WorkloadAbortError(`${what} failed: ${errnoName(r)}`);
  return r;
}

/**
 * pthread_create()'s stack: mmap(NULL, stack + guard, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK),
 * mprotect of all but the low guard page to RW, and the creator's write of `struct pthread` at the top.
 * Returns the mapping's start. Three operations.
 */
export function* pthreadStack(
  what: string,
  stack = DEFAULT_THREAD_STACK,
  guard = DEFAULT_GUARD,
): SubProgram<number> {
  const size = stack + guard;
  const mem = expectOk(
    yield {
      op: 'mmap',
      addr: 0,
      len: size,
      prot: PROT_NONE,
      flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
    },
    `${what}: pthread_create stack mmap`,
  );
  expectOk(
    yield { op: 'mprotect', addr: mem + guard, len: stack, prot: PROT_READ | PROT_WRITE },
    `${what}: pthread_create stack mprotect`,
  );
  // struct pthread and the static TLS block sit at the top of the stack.
  yield { op: 'access', addr: mem + size - 0x2a8, write: true };
  return mem;
}

/** ctx.shared key under which thread `tid`'s stack mapping start is stored. */
export function stackKey(tid: number): string {
  return `stack.${tid}`;
}

/**
 * The thread's own first stack frames: one write in the page below `struct pthread` (the c-arenas
 * capture shows each new thread's first fault there). No-op when the thread has no recorded stack.
 */
export function* threadStartsOnStack(ctx: ThreadContext): SubProgram<void> {
  const mem = ctx.shared.get(stackKey(ctx.tid));
  if (mem === undefined) return;
  const top = mem + DEFAULT_THREAD_STACK + DEFAULT_GUARD;
  yield { op: 'access', addr: top - PAGE_SIZE - 0x88, write: true };
}

/**
 * A new arena heap (malloc/arena.c new_heap() via _int_new_arena()), as a thread's first malloc
 * creates it. Uses and updates the process-wide `aligned_heap_area` hint in ctx.shared. Returns the
 * heap start. O(1) operations.
 */
export function* newArenaHeap(ctx: ThreadContext, what: string): SubProgram<number> {
  let p2 = -1;
  const hint = ctx.shared.get(ALIGNED_HEAP_AREA_KEY) ?? 0;
  if (hint !== 0) {
    ctx.shared.set(ALIGNED_HEAP_AREA_KEY, 0);
    const r: number = yield {
      op: 'mmap',
      addr: hint,
      len: HEAP_MAX_SIZE,
      prot: PROT_NONE,
      flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
    };
    if (r >= 0 && r % HEAP_MAX_SIZE !== 0) yield { op: 'munmap', addr: r, len: HEAP_MAX_SIZE };
    else if (r >= 0) p2 = r;
  }
  if (p2 < 0) {
    const p1 = expectOk(
      yield {
        op: 'mmap',
        addr: 0,
        len: 2 * HEAP_MAX_SIZE,
        prot: PROT_NONE,
        flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
      },
      `${what}: arena heap mmap`,
    );
    p2 = Math.ceil(p1 / HEAP_MAX_SIZE) * HEAP_MAX_SIZE;
    const ul = p2 - p1;
    if (ul !== 0) yield { op: 'munmap', addr: p1, len: ul };
    else ctx.shared.set(ALIGNED_HEAP_AREA_KEY, p2 + HEAP_MAX_SIZE);
    yield { op: 'munmap', addr: p2 + HEAP_MAX_SIZE, len: HEAP_MAX_SIZE - ul };
  }
  expectOk(
    yield { op: 'mprotect', addr: p2, len: ARENA_INITIAL_BYTES, prot: PROT_READ | PROT_WRITE },
    `${what}: arena heap mprotect`,
  );
  // heap_info and malloc_state are initialised at the heap start.
  yield { op: 'access', addr: p2 + 0x20, write: true };
  return p2;
}

/** request2size(): the chunk size malloc uses for `n` bytes (SIZE_SZ 8, MALLOC_ALIGNMENT 16). */
export function request2size(n: number): number {
  return Math.max(32, Math.floor((n + 8 + 15) / 16) * 16);
}

/** Length of the mapping sysmalloc_mmap() makes for `n` bytes: ALIGN_UP(nb + SIZE_SZ, pagesize). */
export function mmappedChunkBytes(n: number): number {
  return Math.ceil((request2size(n) + 8) / PAGE_SIZE) * PAGE_SIZE;
}

/**
 * malloc(n) served by mmap (n above the mmap threshold): mmap(NULL, chunk, RW, MAP_PRIVATE|MAP_ANONYMOUS)
 * then set_head() writes the chunk header (offset 8), faulting in the first page. Returns the mapping.
 */
export function* mallocMmapped(n: number, what: string): SubProgram<number> {
  const len = mmappedChunkBytes(n);
  const p = expectOk(
    yield { op: 'mmap', addr: 0, len, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS },
    `${what}: malloc(${n}) mmap`,
  );
  yield { op: 'access', addr: p + 8, write: true };
  return p;
}

/** free() of an mmapped chunk: munmap_chunk() unmaps the whole mapping (the header is already mapped). */
export function* freeMmapped(p: number, n: number): SubProgram<void> {
  yield { op: 'munmap', addr: p, len: mmappedChunkBytes(n) };
}

/** A thread program that does nothing (for workloads whose thread count leaves a thread idle). */
export function* idleProgram(): ThreadProgram {}
