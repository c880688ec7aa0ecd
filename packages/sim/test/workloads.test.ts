import { PAGE_SIZE, UnknownNameError, uapi } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import type { WorkloadOp, WorkloadPlugin } from '../src/workload.js';
import {
  ARENA_INITIAL_BYTES,
  brk1Plugin,
  builtinWorkloads,
  describeParams,
  ebizzyPlugin,
  HEAP_MAX_SIZE,
  malloc1Plugin,
  mixedPlugin,
  mmap1Plugin,
  mmap2Plugin,
  mmappedChunkBytes,
  pageFault1Plugin,
  pageFault2Plugin,
  pageFault3Plugin,
  pftGeometry,
  pftPlugin,
  WorkloadAbortError,
  WorkloadParamError,
  workloadByName,
} from '../src/workloads/index.js';
import {
  type AccessProblem,
  contexts,
  drain,
  fakeResponder,
  mmFor,
  mmResponder,
  runAll,
} from './workloads-driver.js';

const {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_NORESERVE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_STACK,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} = uapi;
const RW = PROT_READ | PROT_WRITE;

/** Creates `plugin` and runs setup + `limit` ops per thread against the fake kernel. */
function fakeRun(
  plugin: WorkloadPlugin,
  threads: number,
  params: Record<string, number>,
  limit: number,
  seed = 1,
) {
  const w = plugin.create({ threads, seed, params });
  const ctxs = contexts(threads, seed, mmFor(w));
  return { w, ...runAll(w, ctxs, fakeResponder(), limit) };
}

/** Drops the thread's first-frame stack write (0xf78 into a page, see glibc.ts) from its ops. */
function body(ops: WorkloadOp[]): WorkloadOp[] {
  const first = ops[0];
  return first?.op === 'access' && first.addr % PAGE_SIZE === PAGE_SIZE - 0x88 ? ops.slice(1) : ops;
}

describe('will-it-scale page_fault1/2/3', () => {
  it('page_fault1: mmap(NULL, MEMSIZE, RW, PRIVATE|ANON), one write + iteration per page, munmap', () => {
    const memsize = 16 * PAGE_SIZE;
    const { threads } = fakeRun(pageFault1Plugin, 2, { memsize_bytes: memsize }, 200);
    for (const ops of threads) {
      const b = body(ops);
      for (let loop = 0; loop < 3; loop++) {
        const base = loop * (2 + 2 * 16);
        const m = b[base]!;
        expect(m).toMatchObject({
          op: 'mmap',
          addr: 0,
          len: memsize,
          prot: RW,
          flags: MAP_PRIVATE | MAP_ANONYMOUS,
        });
        expect((m as { file?: unknown }).file).toBeUndefined();
        const c = fakeAddr(b, base);
        for (let i = 0; i < 16; i++) {
          expect(b[base + 1 + 2 * i]).toEqual({ op: 'access', addr: c + i * PAGE_SIZE, write: true });
          expect(b[base + 2 + 2 * i]).toEqual({ op: 'iteration' });
        }
        expect(b[base + 33]).toEqual({ op: 'munmap', addr: c, len: memsize });
      }
    }
  });

  it('page_fault2 maps a per-task file MAP_PRIVATE, page_fault3 MAP_SHARED; each task keeps its own file', () => {
    for (const [plugin, flags] of [
      [pageFault2Plugin, MAP_PRIVATE],
      [pageFault3Plugin, MAP_SHARED],
    ] as const) {
      const memsize = 8 * PAGE_SIZE;
      const { threads, setup } = fakeRun(plugin, 3, { memsize_bytes: memsize }, 100);
      const filesSeen = threads.map((ops) => {
        const maps = body(ops).filter((o) => o.op === 'mmap');
        expect(maps.length).toBeGreaterThanOrEqual(2);
        for (const m of maps) expect(m).toMatchObject({ len: memsize, prot: RW, flags, pgoff: 0 });
        const ids = new Set(maps.map((m) => (m as { file: { id: number } }).file.id));
        expect(ids.size).toBe(1);
        const f = (maps[0] as { file: { sizePages: number; shmem: boolean } }).file;
        expect(f.sizePages).toBe(8);
        expect(f.shmem).toBe(false);
        return [...ids][0];
      });
      expect(new Set(filesSeen).size).toBe(3);
      // warm_cache: each task's file is read once through a shared read-only mapping in the setup.
      const warm = setup.filter((o) => o.op === 'mmap' && o.prot === PROT_READ);
      expect(warm).toHaveLength(3);
      expect(setup.filter((o) => o.op === 'access' && !o.write)).toHaveLength(3 * 8);
    }
  });

  it('tmpfs=1 makes the files shmem; warm_cache=0 leaves the page cache cold', () => {
    const { threads, setup } = fakeRun(
      pageFault3Plugin,
      1,
      { tmpfs: 1, warm_cache: 0, memsize_bytes: PAGE_SIZE },
      10,
    );
    const m = body(threads[0]!).find((o) => o.op === 'mmap') as { file: { shmem: boolean } };
    expect(m.file.shmem).toBe(true);
    expect(setup.some((o) => o.op === 'mmap' && o.prot === PROT_READ)).toBe(false);
  });
});

/** The address the fake kernel returned for the mmap at `i` (it is the next op's base). */
function fakeAddr(ops: WorkloadOp[], i: number): number {
  const next = ops[i + 1];
  if (next === undefined) throw new Error('no op after the mmap');
  if (next.op === 'access' || next.op === 'munmap') return next.addr;
  throw new Error(`unexpected ${next.op} after mmap`);
}

describe('will-it-scale mmap1/mmap2/malloc1/brk1', () => {
  it('mmap1 and mmap2: mmap + munmap + one iteration, no accesses', () => {
    const { threads } = fakeRun(mmap1Plugin, 2, {}, 30);
    const b = body(threads[0]!);
    for (let i = 0; i + 2 < b.length; i += 3) {
      expect(b[i]).toMatchObject({ op: 'mmap', len: 128 * 1024 * 1024, flags: MAP_PRIVATE | MAP_ANONYMOUS });
      expect(b[i + 1]).toMatchObject({ op: 'munmap', len: 128 * 1024 * 1024 });
      expect(b[i + 2]).toEqual({ op: 'iteration' });
    }
    const m2 = body(fakeRun(mmap2Plugin, 1, {}, 9).threads[0]!);
    expect(m2[0]).toMatchObject({ op: 'mmap', flags: MAP_PRIVATE, pgoff: 0 });
    expect((m2[0] as { file: unknown }).file).not.toBeNull();
    expect(m2.some((o) => o.op === 'access')).toBe(false);
  });

  it('malloc1: the arena heap once, then mmap(128 MiB + 4 KiB), header write, munmap, iteration', () => {
    const { threads } = fakeRun(malloc1Plugin, 1, {}, 40);
    const b = body(threads[0]!);
    expect(b[0]).toMatchObject({
      op: 'mmap',
      addr: 0,
      len: 2 * HEAP_MAX_SIZE,
      prot: PROT_NONE,
      flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
    });
    // new_heap() trims to a HEAP_MAX_SIZE-aligned heap, then opens the first 0x21000 bytes.
    const mprot = b.find((o) => o.op === 'mprotect') as { addr: number; len: number; prot: number };
    expect(mprot.addr % HEAP_MAX_SIZE).toBe(0);
    expect(mprot).toMatchObject({ len: ARENA_INITIAL_BYTES, prot: RW });
    const trims = b.slice(0, b.indexOf(mprot as WorkloadOp)).filter((o) => o.op === 'munmap');
    const trimmed = trims.reduce((s, o) => s + (o as { len: number }).len, 0);
    expect(trimmed).toBe(HEAP_MAX_SIZE);
    const loopStart = b.indexOf(mprot as WorkloadOp) + 2;
    const chunk = mmappedChunkBytes(128 * 1024 * 1024);
    expect(chunk).toBe(128 * 1024 * 1024 + PAGE_SIZE);
    for (let i = loopStart; i + 3 < b.length; i += 4) {
      expect(b[i]).toMatchObject({
        op: 'mmap',
        addr: 0,
        len: chunk,
        prot: RW,
        flags: MAP_PRIVATE | MAP_ANONYMOUS,
      });
      const p = (b[i + 1] as { addr: number }).addr - 8;
      expect(b[i + 1]).toEqual({ op: 'access', addr: p + 8, write: true });
      expect(b[i + 2]).toEqual({ op: 'munmap', addr: p, len: chunk });
      expect(b[i + 3]).toEqual({ op: 'iteration' });
    }
  });

  it('malloc1 refuses sizes the dynamic mmap threshold would move to the arena', () => {
    expect(() =>
      malloc1Plugin.create({ threads: 1, seed: 1, params: { memsize_bytes: 32 * 1024 * 1024 } }),
    ).toThrow(WorkloadParamError);
  });

  it('brk1: brk(b + page), brk(b), iterations += 2, on a real mm from the process image', () => {
    const w = brk1Plugin.create({ threads: 2, seed: 1 });
    const mm = mmFor(w);
    const start = mm.brkValue;
    expect(start).toBeGreaterThan(0);
    const problems: AccessProblem[] = [];
    const { threads } = runAll(w, contexts(2, 1, mm), mmResponder(mm, problems), 30, 3);
    expect(problems).toEqual([]);
    const b = body(threads[0]!);
    expect(b.slice(0, 3)).toEqual([
      { op: 'brk', brk: start + PAGE_SIZE },
      { op: 'brk', brk: start },
      { op: 'iteration', count: 2 },
    ]);
    expect(mm.brkValue).toBe(start);
  });

  it('brk1 without a heap is the benchmark assert, not a silent loop', () => {
    const w = brk1Plugin.create({ threads: 1, seed: 1, params: { image: 0 } });
    const ctx = contexts(1, 1, mmFor(w))[0]!;
    expect(() => drain(w.thread(ctx), fakeResponder(), 0, 5)).toThrow(WorkloadAbortError);
  });
});

describe('will-it-scale harness setup', () => {
  it('maps the results area, zeroes it, and creates one pthread stack per task', () => {
    const { setup } = fakeRun(pageFault1Plugin, 3, {}, 0);
    expect(setup[0]).toMatchObject({ op: 'mmap', len: PAGE_SIZE, prot: RW, flags: MAP_SHARED });
    const stacks = setup.filter(
      (o) => o.op === 'mmap' && o.flags === (MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK),
    );
    expect(stacks).toHaveLength(3);
    for (const s of stacks) expect(s).toMatchObject({ len: 8 * 1024 * 1024 + PAGE_SIZE, prot: PROT_NONE });
    const mprots = setup.filter((o) => o.op === 'mprotect');
    expect(mprots).toHaveLength(3);
    for (const m of mprots) expect(m).toMatchObject({ len: 8 * 1024 * 1024, prot: RW });
    expect(fakeRun(pageFault1Plugin, 3, { stacks: 0 }, 0).setup.filter((o) => o.op === 'mmap')).toHaveLength(
      1,
    );
  });
});

describe('pft', () => {
  it('rounds the region as pft.c does and the slices partition it exactly', () => {
    expect(pftGeometry(10 * PAGE_SIZE, 3)).toEqual({ pagesPerTest: 4, pages: 12 });
    expect(pftGeometry(0, 4)).toEqual({ pagesPerTest: 512, pages: 2048 });
    expect(pftGeometry(0, 4, 16 * PAGE_SIZE)).toEqual({ pagesPerTest: 16, pages: 64 });
    const threads = 3;
    const { setup, threads: ops } = fakeRun(pftPlugin, threads, { size_bytes: 10 * PAGE_SIZE + 1 }, 1000);
    const region = setup.find((o) => o.op === 'mmap' && o.flags === (MAP_PRIVATE | MAP_ANONYMOUS)) as {
      len: number;
    };
    const { pages } = pftGeometry(10 * PAGE_SIZE + 1, threads);
    expect(region.len).toBe(pages * PAGE_SIZE);
    const regionStart = (setup[setup.indexOf(region as WorkloadOp) + 1] as { addr?: number }).addr;
    expect(regionStart).toBeDefined();
    const touched: number[] = [];
    for (const t of ops) {
      const b = body(t);
      expect(b.filter((o) => o.op === 'iteration')).toHaveLength(pages / threads);
      for (const o of b) if (o.op === 'access') touched.push(o.addr);
    }
    touched.sort((a, b) => a - b);
    expect(touched).toHaveLength(pages);
    expect(new Set(touched).size).toBe(pages);
    const lo = touched[0]!;
    expect(touched).toEqual(Array.from({ length: pages }, (_, i) => lo + i * PAGE_SIZE));
  });

  it('touches `cachelines` lines per page and ends after its slice', () => {
    const { threads } = fakeRun(pftPlugin, 2, { size_bytes: 4 * PAGE_SIZE, cachelines: 3 }, 1000);
    const b = body(threads[1]!);
    expect(b).toHaveLength(2 * 4);
    const p = (b[0] as { addr: number }).addr;
    expect(b.slice(0, 4)).toEqual([
      { op: 'access', addr: p, write: true },
      { op: 'access', addr: p + 64, write: true },
      { op: 'access', addr: p + 128, write: true },
      { op: 'iteration' },
    ]);
    expect(() => pftPlugin.create({ threads: 129, seed: 1 })).toThrow(/MAX_TESTS 128/);
    expect(() =>
      pftPlugin.create({ threads: 1, seed: 1, params: { cachelines: 64, cacheline_bytes: 128 } }),
    ).toThrow(WorkloadParamError);
  });
});

describe('ebizzy -mTt', () => {
  it('maps 512 KiB, writes each of its 128 pages, unmaps, one record per loop', () => {
    const { setup, threads } = fakeRun(ebizzyPlugin, 2, {}, 400);
    // allocate(): table + 10 chunks; write_pattern(): every page of every chunk.
    const chunkMaps = setup.filter((o) => o.op === 'mmap' && o.len === 512 * 1024);
    expect(chunkMaps).toHaveLength(10);
    expect(setup.filter((o) => o.op === 'access' && o.write).length).toBeGreaterThanOrEqual(10 * 128 + 10);
    const b = body(threads[0]!);
    const loop = 1 + 128 + 2;
    for (let i = 0; i + loop <= b.length; i += loop) {
      expect(b[i]).toMatchObject({
        op: 'mmap',
        addr: 0,
        len: 512 * 1024,
        prot: RW,
        flags: MAP_PRIVATE | MAP_ANONYMOUS,
      });
      const c = (b[i + 1] as { addr: number }).addr;
      for (let k = 0; k < 128; k++)
        expect(b[i + 1 + k]).toEqual({ op: 'access', addr: c + k * PAGE_SIZE, write: true });
      expect(b[i + 129]).toEqual({ op: 'munmap', addr: c, len: 512 * 1024 });
      expect(b[i + 130]).toEqual({ op: 'iteration' });
    }
  });

  it('random_size draws non-zero multiples of 8 up to the chunk size from the seeded stream', () => {
    const sizes = (seed: number) =>
      body(fakeRun(ebizzyPlugin, 1, { random_size: 1 }, 5000, seed).threads[0]!)
        .filter((o) => o.op === 'mmap')
        .map((o) => (o as { len: number }).len);
    const a = sizes(7);
    expect(a.length).toBeGreaterThan(3);
    for (const s of a) {
      expect(s % 8).toBe(0);
      expect(s).toBeGreaterThanOrEqual(8);
      expect(s).toBeLessThanOrEqual(512 * 1024);
    }
    expect(sizes(7)).toEqual(a);
    expect(sizes(8)).not.toEqual(a);
  });

  it('touch=0 adds the memcpy and search think time', () => {
    const b = body(fakeRun(ebizzyPlugin, 1, { touch: 0, chunk_size_bytes: 2 * PAGE_SIZE }, 20).threads[0]!);
    expect(b.slice(0, 7).map((o) => o.op)).toEqual([
      'mmap',
      'access',
      'think',
      'access',
      'think',
      'think',
      'munmap',
    ]);
  });
});

describe('mixed', () => {
  it('faulters write their slice then MADV_DONTNEED it; the writer churns at the set rate', () => {
    const slice = 4 * PAGE_SIZE;
    const { setup, threads } = fakeRun(mixedPlugin, 3, { region_bytes: slice, writer_ops_per_ms: 4 }, 60);
    const region = setup[0] as { op: string; len: number };
    expect(region).toMatchObject({ op: 'mmap', len: 2 * slice });
    const f1 = body(threads[1]!);
    const start = (f1[0] as { addr: number }).addr;
    expect(f1.slice(0, 9)).toEqual([
      { op: 'access', addr: start, write: true },
      { op: 'iteration' },
      { op: 'access', addr: start + PAGE_SIZE, write: true },
      { op: 'iteration' },
      { op: 'access', addr: start + 2 * PAGE_SIZE, write: true },
      { op: 'iteration' },
      { op: 'access', addr: start + 3 * PAGE_SIZE, write: true },
      { op: 'iteration' },
      { op: 'madvise', addr: start, len: slice, advice: MADV_DONTNEED },
    ]);
    const w = body(threads[2]!);
    expect(w.slice(0, 6).map((o) => o.op)).toEqual(['mmap', 'think', 'mprotect', 'think', 'munmap', 'think']);
    expect(w[1]).toEqual({ op: 'think', ns: 250_000 });
    expect(w[2]).toMatchObject({ len: 8 * PAGE_SIZE, prot: PROT_READ });
    expect(w.some((o) => o.op === 'iteration')).toBe(false);
  });

  it('per_thread_vmas gives each faulter a VMA of its own', () => {
    const slice = 2 * PAGE_SIZE;
    const w = mixedPlugin.create({
      threads: 4,
      seed: 1,
      params: { region_bytes: slice, per_thread_vmas: 1 },
    });
    const mm = mmFor(w);
    const problems: AccessProblem[] = [];
    const { threads } = runAll(w, contexts(4, 1, mm), mmResponder(mm, problems), 40);
    expect(problems).toEqual([]);
    const vmaOf = (ops: WorkloadOp[]) => mm.findVma((body(ops)[0] as { addr: number }).addr)!;
    const vmas = [0, 1, 2].map((t) => vmaOf(threads[t]!));
    expect(new Set(vmas.map((v) => v.id)).size).toBe(3);
    for (const v of vmas) expect(v.end - v.start).toBe(slice);
  });

  it('needs two threads with a writer; a zero rate idles the writer', () => {
    expect(() => mixedPlugin.create({ threads: 1, seed: 1 })).toThrow(/writer=0/);
    expect(() => mixedPlugin.create({ threads: 1, seed: 1, params: { writer: 0 } })).not.toThrow();
    const w = body(fakeRun(mixedPlugin, 2, { writer_ops_per_ms: 0 }, 6).threads[1]!);
    expect(w).toEqual(Array.from({ length: 5 }, () => ({ op: 'think', ns: 1_000_000 })));
  });
});

describe('every built-in workload on a real mm', () => {
  const small: Record<string, Record<string, number>> = {
    page_fault1: { memsize_bytes: 8 * PAGE_SIZE },
    page_fault2: { memsize_bytes: 8 * PAGE_SIZE },
    page_fault3: { memsize_bytes: 8 * PAGE_SIZE },
    mixed: { region_bytes: 8 * PAGE_SIZE },
    ebizzy: { chunk_size_bytes: 8 * PAGE_SIZE },
  };
  for (const plugin of builtinWorkloads) {
    it(`${plugin.meta.name}: every call succeeds and every access lands in a VMA that allows it`, () => {
      const w = plugin.create({ threads: 4, seed: 3, params: small[plugin.meta.name] ?? {} });
      const mm = mmFor(w);
      const problems: AccessProblem[] = [];
      const respond = mmResponder(mm, problems);
      const failures: string[] = [];
      const checked = (op: WorkloadOp, tid: number) => {
        const r = respond(op, tid);
        if (r < 0 && op.op !== 'access' && op.op !== 'fault') failures.push(`${tid} ${op.op} -> ${r}`);
        return r;
      };
      runAll(w, contexts(4, 3, mm), checked, 300, 7);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  }
});

describe('determinism', () => {
  for (const plugin of builtinWorkloads) {
    it(`${plugin.meta.name}: the same seed gives the same operations`, () => {
      const run = () => {
        const r = fakeRun(plugin, 2, plugin.meta.name === 'mixed' ? {} : {}, 300, 42);
        return JSON.stringify([r.setup, r.threads], (k, v) => (k === 'file' ? (v === null ? null : 'f') : v));
      };
      expect(run()).toEqual(run());
    });
  }
});

describe('names and parameters', () => {
  it('lists the built-ins once each, with sources and documented defaults', () => {
    const names = builtinWorkloads.map((p) => p.meta.name);
    expect(names).toEqual([
      'page_fault1',
      'page_fault2',
      'page_fault3',
      'mmap1',
      'mmap2',
      'malloc1',
      'brk1',
      'pft',
      'ebizzy',
      'mixed',
    ]);
    for (const p of builtinWorkloads) {
      expect(p.meta.kind).toBe('workload');
      expect(p.source.length).toBeGreaterThan(10);
      expect(workloadByName(p.meta.name)).toBe(p);
      expect(() => p.create({ threads: 2, seed: 0, params: { ...p.defaults } })).not.toThrow();
    }
  });

  it('unknown names and keys, bad values and thread counts are clear errors', () => {
    expect(() => workloadByName('page_fault9')).toThrow(UnknownNameError);
    expect(() => workloadByName('page_fault9')).toThrow(/known: page_fault1, .*mixed, trace:<capture dir>/);
    expect(() => pageFault1Plugin.create({ threads: 1, seed: 1, params: { memsize: 4096 } })).toThrow(
      /unknown parameter 'memsize'; known: memsize_bytes, image, stacks/,
    );
    expect(() => pageFault1Plugin.create({ threads: 1, seed: 1, params: { memsize_bytes: 1000 } })).toThrow(
      /memsize_bytes must be a positive multiple of 4096/,
    );
    expect(() => pageFault1Plugin.create({ threads: 1, seed: 1, params: { image: 2 } })).toThrow(/0 or 1/);
    expect(() => pageFault1Plugin.create({ threads: 1, seed: 1, params: { image: Number.NaN } })).toThrow(
      WorkloadParamError,
    );
    expect(() => pageFault1Plugin.create({ threads: 0, seed: 1 })).toThrow(/threads must be an integer/);
    expect(() => pageFault1Plugin.create({ threads: 1.5, seed: 1 })).toThrow(WorkloadParamError);
    expect(() => pageFault1Plugin.create({ threads: 1, seed: 0.5 })).toThrow(/seed/);
    expect(describeParams({ a: { default: 1, rule: { kind: 'flag' }, doc: 'x' } })).toEqual(['a=1: x']);
  });
});
