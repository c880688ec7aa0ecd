/**
 * will-it-scale (github.com/antonblanchard/will-it-scale, HEAD 75f66e45) in threads mode: every task
 * is a pthread of one process, so all of them share one mm — the mmap_lock, the VMA tree and its
 * locks. The test bodies follow tests/page_fault1.c, page_fault2.c, page_fault3.c, mmap1.c, mmap2.c,
 * malloc1.c and brk1.c; the harness follows main.c (THREADS build).
 *
 * What the harness does before the tests run, and the setup program reproduces: it maps the shared
 * results area (a MAP_SHARED temporary file of tasks * 128 bytes, memset to 0) and creates one pthread
 * per task (8 MiB stack + guard each, see glibc.ts); the main thread then only sleeps and samples.
 * runtest.py runs each test under `setarch linux64 -R`, hence the non-randomised process image.
 *
 * Rates: will-it-scale reports iterations per second, and the tests count one iteration per page
 * (page_fault*), per mmap+munmap pair (mmap*), per malloc+free pair (malloc1) or two per brk pair
 * (brk1). MEMSIZE is 128 MiB in the benchmark; the page_fault tests default here to 1 MiB so a short
 * simulated window sees every thread map and unmap many times. Per-page rates do not depend on MEMSIZE
 * except through page-table effects (how many PTE tables a mapping spans, the 2 MiB THP alignment of
 * mappings whose length is a multiple of 2 MiB) and through the fixed per-loop costs (mmap, munmap,
 * TLB shootdown) that a smaller MEMSIZE spreads over fewer faults: 1 MiB = 256 faults per loop.
 * mmap1, mmap2 and malloc1 touch at most one page per iteration, so they keep the real 128 MiB.
 */
import { PAGE_SIZE, uapi } from '@vmakit/core';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOptions, WorkloadPlugin } from '../workload.js';
import { defineWorkloadPlugin } from '../workload.js';
import { tempFile, WORKLOADS_VERSION } from './files.js';
import {
  expectOk,
  freeMmapped,
  MMAP_THRESHOLD_MAX,
  mallocMmapped,
  newArenaHeap,
  pthreadStack,
  type SubProgram,
  stackKey,
  threadStartsOnStack,
} from './glibc.js';
import type { WorkloadWithState } from './initial-state.js';
import {
  defaultsOf,
  type ParamSpecs,
  resolveOptions,
  WorkloadAbortError,
  WorkloadParamError,
} from './params.js';
import { processImage } from './process-image.js';

const { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } = uapi;

/** will-it-scale's MEMSIZE (128 * 1024 * 1024). */
export const WIS_MEMSIZE = 128 * 1024 * 1024;
/** main.c CACHELINE_SIZE: each task's iteration counter has its own 128-byte line. */
const WIS_CACHELINE = 128;
const SOURCE_BASE = 'will-it-scale (github.com/antonblanchard/will-it-scale, HEAD 75f66e45)';

const COMMON: ParamSpecs = {
  image: {
    default: 1,
    rule: { kind: 'flag' },
    doc: 'start from the non-randomised process image (executable, libc, ld.so, vDSO, stack)',
  },
  stacks: {
    default: 1,
    rule: { kind: 'flag' },
    doc: 'the setup creates each thread stack as pthread_create does (mmap + mprotect + write)',
  },
};

/** Resolved parameters of one run, as the test bodies see them. */
interface WisRun {
  readonly name: string;
  readonly threads: number;
  readonly params: Readonly<Record<string, number>>;
}

/** One will-it-scale test. */
interface WisTest {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly params: ParamSpecs;
  /** Extra checks of resolved parameters. */
  readonly check?: (run: WisRun) => void;
  /** Per-run state shared by the programs (e.g. each task's temporary file). */
  readonly prepare?: (run: WisRun) => unknown;
  /** Extra setup after the harness (e.g. warming the page cache). */
  readonly setup?: (run: WisRun, state: unknown, ctx: ThreadContext) => SubProgram<void>;
  /** The testcase() loop of task `ctx.tid`. */
  readonly body: (run: WisRun, state: unknown, ctx: ThreadContext) => ThreadProgram;
}

/** main.c: initialise_shared_area() and the pthread_create loop. */
function* harnessSetup(run: WisRun, ctx: ThreadContext): SubProgram<void> {
  const bytes = Math.ceil((run.threads * WIS_CACHELINE) / PAGE_SIZE) * PAGE_SIZE;
  const results = tempFile('shared_area_XXXXXX', bytes, false);
  const m = expectOk(
    yield { op: 'mmap', addr: 0, len: bytes, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED, file: results },
    `${run.name}: results area mmap`,
  );
  for (let off = 0; off < bytes; off += PAGE_SIZE) yield { op: 'access', addr: m + off, write: true };
  if (run.params.stacks === 1) {
    for (let t = 0; t < run.threads; t++) {
      ctx.shared.set(stackKey(t), yield* pthreadStack(`${run.name} task ${t}`));
    }
  }
}

function makePlugin(test: WisTest): WorkloadPlugin {
  const specs: ParamSpecs = { ...test.params, ...COMMON };
  return defineWorkloadPlugin({
    meta: { name: test.name, version: WORKLOADS_VERSION, kind: 'workload', description: test.description },
    defaults: defaultsOf(specs),
    source: `${SOURCE_BASE} tests/${test.file} and main.c, threads mode`,
    create(options: WorkloadOptions): Workload {
      const { threads, params } = resolveOptions(test.name, specs, options);
      const run: WisRun = { name: test.name, threads, params };
      test.check?.(run);
      const state = test.prepare?.(run);
      const w: WorkloadWithState = {
        name: test.name,
        ...(params.image === 1 ? { initialState: processImage({ program: `${test.name}_threads` }) } : {}),
        *setup(ctx) {
          yield* harnessSetup(run, ctx);
          if (test.setup !== undefined) yield* test.setup(run, state, ctx);
        },
        *thread(ctx) {
          yield* threadStartsOnStack(ctx);
          yield* test.body(run, state, ctx);
        },
      };
      return w;
    },
  });
}

const MEMSIZE_FAULT: ParamSpecs = {
  memsize_bytes: {
    default: 1024 * 1024,
    rule: { kind: 'pages' },
    doc: 'bytes mapped and touched per loop (MEMSIZE; the benchmark uses 128 MiB)',
  },
};

const MEMSIZE_REAL: ParamSpecs = {
  memsize_bytes: {
    default: WIS_MEMSIZE,
    rule: { kind: 'pages' },
    doc: 'bytes mapped per iteration (MEMSIZE)',
  },
};

const FILE_PARAMS: ParamSpecs = {
  tmpfs: {
    default: 0,
    rule: { kind: 'flag' },
    doc: '/tmp is tmpfs (shmem file); 0 = a disk file system such as ext4',
  },
};

const WARM: ParamSpecs = {
  warm_cache: {
    default: 1,
    rule: { kind: 'flag' },
    doc: "the setup reads every task's file once, as the benchmark's 5 s warm-up leaves it cached",
  },
};

/** The body shared by page_fault1/2/3: map, write one byte per page (iteration each), unmap. */
function* faultLoop(
  run: WisRun,
  ctx: ThreadContext,
  flags: number,
  file: ReturnType<typeof tempFile> | null,
): ThreadProgram {
  const len = run.params.memsize_bytes!;
  for (;;) {
    const c = expectOk(
      yield {
        op: 'mmap',
        addr: 0,
        len,
        prot: PROT_READ | PROT_WRITE,
        flags,
        ...(file !== null ? { file, pgoff: 0 } : {}),
      },
      `${run.name} task ${ctx.tid}: mmap`,
    );
    for (let i = 0; i < len; i += PAGE_SIZE) {
      yield { op: 'access', addr: c + i, write: true };
      yield { op: 'iteration' };
    }
    yield { op: 'munmap', addr: c, len };
  }
}

/** Per-task temporary files of MEMSIZE bytes (mkstemp + ftruncate + unlink in testcase()). */
function taskFiles(run: WisRun): ReturnType<typeof tempFile>[] {
  const files: ReturnType<typeof tempFile>[] = [];
  for (let t = 0; t < run.threads; t++) {
    files.push(tempFile(`willitscale.${t}`, run.params.memsize_bytes!, run.params.tmpfs === 1));
  }
  return files;
}

/** Reads every page of every task's file through a shared read-only mapping (page cache warm-up). */
function* warmFiles(run: WisRun, state: unknown): SubProgram<void> {
  if (run.params.warm_cache !== 1) return;
  const len = run.params.memsize_bytes!;
  for (const file of state as ReturnType<typeof tempFile>[]) {
    const m = expectOk(
      yield { op: 'mmap', addr: 0, len, prot: PROT_READ, flags: MAP_SHARED, file, pgoff: 0 },
      `${run.name}: warm-up mmap`,
    );
    for (let i = 0; i < len; i += PAGE_SIZE) yield { op: 'access', addr: m + i, write: false };
    yield { op: 'munmap', addr: m, len };
  }
}

/** page_fault1: anonymous memory page faults. */
export const pageFault1Plugin = makePlugin({
  name: 'page_fault1',
  description: 'will-it-scale page_fault1 (threads): anonymous mmap, write every page, munmap',
  file: 'page_fault1.c',
  params: MEMSIZE_FAULT,
  body: (run, _s, ctx) => faultLoop(run, ctx, MAP_PRIVATE | MAP_ANONYMOUS, null),
});

/** page_fault2: private file mapping, write faults copy the page-cache page (COW). */
export const pageFault2Plugin = makePlugin({
  name: 'page_fault2',
  description: 'will-it-scale page_fault2 (threads): private mapping of a per-task file, write every page',
  file: 'page_fault2.c',
  params: { ...MEMSIZE_FAULT, ...FILE_PARAMS, ...WARM },
  prepare: taskFiles,
  setup: (run, state) => warmFiles(run, state),
  body: (run, s, ctx) => faultLoop(run, ctx, MAP_PRIVATE, (s as ReturnType<typeof tempFile>[])[ctx.tid]!),
});

/** page_fault3: shared file mapping, shared write faults (page_mkwrite, dirtying). */
export const pageFault3Plugin = makePlugin({
  name: 'page_fault3',
  description: 'will-it-scale page_fault3 (threads): shared mapping of a per-task file, write every page',
  file: 'page_fault3.c',
  params: { ...MEMSIZE_FAULT, ...FILE_PARAMS, ...WARM },
  prepare: taskFiles,
  setup: (run, state) => warmFiles(run, state),
  body: (run, s, ctx) => faultLoop(run, ctx, MAP_SHARED, (s as ReturnType<typeof tempFile>[])[ctx.tid]!),
});

/** mmap1: anonymous mmap + munmap, one iteration per pair, no faults. */
export const mmap1Plugin = makePlugin({
  name: 'mmap1',
  description: 'will-it-scale mmap1 (threads): anonymous mmap + munmap of MEMSIZE',
  file: 'mmap1.c',
  params: MEMSIZE_REAL,
  *body(run, _s, ctx) {
    const len = run.params.memsize_bytes!;
    for (;;) {
      const c = expectOk(
        yield { op: 'mmap', addr: 0, len, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS },
        `${run.name} task ${ctx.tid}: mmap`,
      );
      yield { op: 'munmap', addr: c, len };
      yield { op: 'iteration' };
    }
  },
});

/** mmap2: private file mmap + munmap of a per-task file. */
export const mmap2Plugin = makePlugin({
  name: 'mmap2',
  description: 'will-it-scale mmap2 (threads): private file mmap + munmap of MEMSIZE',
  file: 'mmap2.c',
  params: { ...MEMSIZE_REAL, ...FILE_PARAMS },
  prepare: taskFiles,
  *body(run, s, ctx) {
    const len = run.params.memsize_bytes!;
    const file = (s as ReturnType<typeof tempFile>[])[ctx.tid]!;
    for (;;) {
      const c = expectOk(
        yield { op: 'mmap', addr: 0, len, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE, file, pgoff: 0 },
        `${run.name} task ${ctx.tid}: mmap`,
      );
      yield { op: 'munmap', addr: c, len };
      yield { op: 'iteration' };
    }
  },
});

/**
 * malloc1: malloc + free of 128 MiB. glibc serves a request of at least the mmap threshold with its
 * own mapping (sysmalloc_mmap: one page-rounded anonymous mmap of request + 16 bytes of header,
 * 128 MiB + 4 KiB here), writes the chunk header — the iteration's one page fault — and free()
 * unmaps it (munmap_chunk). free() raises the threshold to the freed size only up to 32 MiB
 * (DEFAULT_MMAP_THRESHOLD_MAX), so a 128 MiB request stays on the mmap path forever; smaller sizes
 * would move to the arena after the first free and are refused here. Each task's first malloc also
 * creates its thread arena (new_heap: mmap 128 MiB PROT_NONE, trim to an aligned 64 MiB, mprotect the
 * first 132 KiB), modelled once at the start of the task (`arena`).
 */
export const malloc1Plugin = makePlugin({
  name: 'malloc1',
  description: 'will-it-scale malloc1 (threads): glibc malloc/free of 128 MiB = mmap + 1 fault + munmap',
  file: 'malloc1.c',
  params: {
    ...MEMSIZE_REAL,
    arena: { default: 1, rule: { kind: 'flag' }, doc: "create the task's glibc arena at its first malloc" },
  },
  check(run) {
    if (run.params.memsize_bytes! <= MMAP_THRESHOLD_MAX) {
      throw new WorkloadParamError(
        `workload malloc1: memsize_bytes must exceed ${MMAP_THRESHOLD_MAX} (glibc's DEFAULT_MMAP_THRESHOLD_MAX): smaller blocks leave the mmap path after the first free, which this model does not cover`,
      );
    }
  },
  *body(run, _s, ctx) {
    const size = run.params.memsize_bytes!;
    const what = `${run.name} task ${ctx.tid}`;
    if (run.params.arena === 1) yield* newArenaHeap(ctx, what);
    for (;;) {
      const p = yield* mallocMmapped(size, what);
      yield* freeMmapped(p, size);
      yield { op: 'iteration' };
    }
  },
});

/**
 * brk1: brk up one page and back down, two iterations per pair. The start is sbrk(0) when the task
 * starts (the mm's brk). The assert of HEAD (`brk(addr) == 0`) is glibc's __brk succeeding: the kernel
 * returned at least the requested break.
 */
export const brk1Plugin = makePlugin({
  name: 'brk1',
  description: 'will-it-scale brk1 (threads): brk increase/decrease of one page',
  file: 'brk1.c',
  params: {},
  *body(run, _s, ctx) {
    let addr = ctx.mm.brkValue;
    if (addr === 0) {
      throw new WorkloadAbortError(
        `${run.name}: the mm has no heap (start_brk 0); create the mm with the workload's initialState config`,
      );
    }
    for (;;) {
      addr += PAGE_SIZE;
      let r: number = yield { op: 'brk', brk: addr };
      if (r < addr)
        throw new WorkloadAbortError(`${run.name} task ${ctx.tid}: brk(0x${addr.toString(16)}) failed`);
      addr -= PAGE_SIZE;
      r = yield { op: 'brk', brk: addr };
      if (r < addr)
        throw new WorkloadAbortError(`${run.name} task ${ctx.tid}: brk(0x${addr.toString(16)}) failed`);
      yield { op: 'iteration', count: 2 };
    }
  },
});

/** The will-it-scale tests, in the order of the assignment. */
export const willItScalePlugins: readonly WorkloadPlugin[] = [
  pageFault1Plugin,
  pageFault2Plugin,
  pageFault3Plugin,
  mmap1Plugin,
  mmap2Plugin,
  malloc1Plugin,
  brk1Plugin,
];
