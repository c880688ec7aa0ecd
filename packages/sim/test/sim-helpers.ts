/**
 * Test fixtures of the engine's tests: the four VMA index plug-ins, the reference index as a
 * plug-in, and small workloads of the tests' own.
 *
 * The index packages are not dependencies of @vmakit/sim (runSim takes any IndexPlugin), so the tests
 * import their sources by relative path; a devDependency on them would be the tidier way.
 */
import { defineIndexPlugin, type IndexPlugin, PAGE_SIZE, uapi } from '@vmakit/core';
import { cowBtreePlugin } from '@vmakit/index-cow-btree';
import { maplePlugin } from '@vmakit/index-maple';
import { persistentRbtreePlugin } from '@vmakit/index-persistent-rbtree';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { createReferenceIndex } from '@vmakit/testkit';
import type { ThreadContext, ThreadProgram, WorkloadPlugin } from '../src/index.js';
import { defineWorkloadPlugin } from '../src/index.js';

export { cowBtreePlugin, maplePlugin, persistentRbtreePlugin, rbtreePlugin };

/** The four indexes of the standard matrix, one per lockless semantics (and era). */
export const INDEXES: readonly IndexPlugin[] = [
  rbtreePlugin,
  maplePlugin,
  persistentRbtreePlugin,
  cowBtreePlugin,
];

/** Index plug-in by name. */
export function indexNamed(name: string): IndexPlugin {
  const p = INDEXES.find((x) => x.meta.name === name);
  if (p === undefined) throw new Error(`no index ${name}`);
  return p;
}

/** The reference index (snapshot semantics) as a plug-in. */
export const referencePlugin: IndexPlugin = defineIndexPlugin({
  meta: { name: 'reference', version: '0', kind: 'index' },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (options) => createReferenceIndex(options),
});

const { MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_NONE, PROT_READ, PROT_WRITE } = uapi;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function ok(r: number, what: string): number {
  if (r < 0) throw new Error(`${what} failed: ${r}`);
  return r;
}

/**
 * `private-faulters`: every thread but the last owns its own VMA (separated by PROT_NONE pages so
 * nothing merges) and keeps faulting it in, dropping it with MADV_DONTNEED (read lock) after each
 * pass; the last thread is a writer that maps, mprotects and unmaps its own small area in a loop,
 * `writer_gap_ns` apart. The per-VMA lock's best case next to a writer.
 */
export const privateFaulters: WorkloadPlugin = defineWorkloadPlugin({
  meta: { name: 'private-faulters', version: '0', kind: 'workload' },
  defaults: { pages: 64, writer_gap_ns: 20_000 },
  source: 'vmakit sim tests',
  create({ threads, params }) {
    const pages = params?.pages ?? 64;
    const gap = params?.writer_gap_ns ?? 20_000;
    const faulters = Math.max(1, threads - 1);
    return {
      name: 'private-faulters',
      *setup(ctx: ThreadContext): ThreadProgram {
        // Region per faulter, a PROT_NONE page between neighbours.
        const slot = (pages + 1) * PAGE_SIZE;
        const base = ok(
          yield { op: 'mmap', addr: 0, len: faulters * slot, prot: PROT_NONE, flags: ANON },
          'reserve',
        );
        for (let t = 0; t < faulters; t++) {
          const r = base + t * slot;
          ok(yield { op: 'mprotect', addr: r, len: pages * PAGE_SIZE, prot: RW }, 'mprotect');
          ctx.shared.set(`r${t}`, r);
        }
      },
      *thread(ctx: ThreadContext): ThreadProgram {
        if (threads > 1 && ctx.tid === threads - 1) {
          for (;;) {
            const m = ok(
              yield { op: 'mmap', addr: 0, len: 16 * PAGE_SIZE, prot: RW, flags: ANON },
              'writer mmap',
            );
            yield { op: 'think', ns: gap };
            yield { op: 'mprotect', addr: m, len: 8 * PAGE_SIZE, prot: PROT_READ };
            yield { op: 'think', ns: gap };
            yield { op: 'munmap', addr: m, len: 16 * PAGE_SIZE };
            yield { op: 'think', ns: gap };
          }
        }
        const r = ctx.shared.get(`r${ctx.tid}`)!;
        for (;;) {
          for (let p = 0; p < pages; p++) {
            yield { op: 'access', addr: r + p * PAGE_SIZE, write: true };
            yield { op: 'iteration' };
          }
          yield { op: 'madvise', addr: r, len: pages * PAGE_SIZE, advice: MADV_DONTNEED };
        }
      },
    };
  },
});

/** A workload that runs a fixed list of operations on thread 0 and lets other threads idle. */
export function scriptWorkload(name: string, script: (ctx: ThreadContext) => ThreadProgram): WorkloadPlugin {
  return defineWorkloadPlugin({
    meta: { name, version: '0', kind: 'workload' },
    defaults: {},
    source: 'vmakit sim tests',
    create() {
      return {
        name,
        *thread(ctx: ThreadContext): ThreadProgram {
          if (ctx.tid === 0) yield* script(ctx);
        },
      };
    },
  });
}
