/**
 * On one CPU, with nothing concurrent, every strategy must give the same outcomes and leave the same
 * page tables as mmap_lock: random system calls and accesses (error codes from the MMU model) are
 * replayed against four identical address spaces, one per strategy.
 */
import { allocId, type FileRef, uapi } from '@vmakit/core';
import {
  ACCESS_OK,
  type AccessKind,
  type FaultEnv,
  FRAME_ANON,
  hardwareAccess,
  runFault,
  validatePageTables,
} from '@vmakit/x86-fault';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinStrategies } from '../src/index.js';
import { setup } from './helpers.js';

const BASE = 0x10000000;
const PAGES = 1024;
const PAGE = 4096;
const PROTS = [
  uapi.PROT_NONE,
  uapi.PROT_READ,
  uapi.PROT_READ | uapi.PROT_WRITE,
  uapi.PROT_READ | uapi.PROT_EXEC,
];

type Op =
  | { kind: 'mmap'; page: number; pages: number; prot: number; backing: number }
  | { kind: 'munmap' | 'dontneed'; page: number; pages: number }
  | { kind: 'mprotect'; page: number; pages: number; prot: number }
  | { kind: 'access'; page: number; pages: number; access: AccessKind };

const page = fc.integer({ min: 0, max: PAGES - 1 });
const pages = fc.integer({ min: 1, max: 200 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mmap' as const),
      page,
      pages,
      prot: fc.constantFrom(...PROTS),
      backing: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('munmap' as const, 'dontneed' as const), page, pages }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mprotect' as const),
      page,
      pages,
      prot: fc.constantFrom(...PROTS),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('access' as const),
      page,
      pages: fc.integer({ min: 1, max: 16 }),
      access: fc.constantFrom('read' as const, 'write' as const, 'exec' as const),
    }),
  },
);

/** What the page tables map, frame numbers abstracted to what they hold. */
function snapshot(env: FaultEnv): string[] {
  const out: string[] = [];
  // File ids differ between worlds for MAP_SHARED|MAP_ANONYMOUS objects: number them by first use.
  const ids = new Map<number, number>();
  const fileNo = (id: number) => {
    if (!ids.has(id)) ids.set(id, ids.size);
    return ids.get(id)!;
  };
  for (let i = 0; i < PAGES + 256; i++) {
    const addr = BASE + i * PAGE;
    const flags = env.pt.pteFlagsAt(addr);
    if (flags === 0) continue;
    const f = env.pt.pteFrameAt(addr);
    const kind =
      f === 0
        ? 'zero'
        : (env.phys.flags[f]! & FRAME_ANON) !== 0
          ? 'anon'
          : `file${fileNo(env.phys.fileId[f]!)}:${env.phys.index[f]}`;
    out.push(`${i}:${flags.toString(16)}:${kind}`);
  }
  return out;
}

const COMPARED = [
  'pgfault',
  'pgmajfault',
  'maj_flt',
  'min_flt',
  'zero_page_faults',
  'anon_faults',
  'cow_faults',
  'pgreuse',
  'file_read_faults',
  'file_cow_faults',
  'file_shared_faults',
  'fault_around_pages',
  'readahead_pages',
  'sigsegv_maperr',
  'sigsegv_accerr',
  'sigbus',
] as const;

describe('all strategies agree on one CPU', () => {
  it('same outcomes, same page tables, same fault counters', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 60 }), (ops) => {
        const worlds = builtinStrategies.map((p) => {
          const { mm, env } = setup();
          return { strategy: p.strategy, mm, env };
        });
        // Files shared by name across worlds (each world has its own page cache).
        const files: FileRef[] = [
          { id: allocId(), path: '/data/a', sizePages: 300 },
          { id: allocId(), path: '/data/b', sizePages: 40 },
        ];
        for (const w of worlds) w.env.cache.warm(files[1]!, 0, 20);
        for (const o of ops) {
          const addr = BASE + o.page * PAGE;
          const outcomes: string[] = [];
          for (const w of worlds) {
            const { mm, env } = w;
            switch (o.kind) {
              case 'mmap': {
                const file = o.backing >= 2 ? files[o.page % 2]! : null;
                const shared = o.backing % 2 === 1;
                const flags =
                  (shared ? uapi.MAP_SHARED : uapi.MAP_PRIVATE) |
                  uapi.MAP_FIXED |
                  (file ? 0 : uapi.MAP_ANONYMOUS);
                outcomes.push(
                  String(mm.mmap(addr, o.pages * PAGE, o.prot, flags, file, file ? o.page % 8 : 0)),
                );
                break;
              }
              case 'munmap':
                outcomes.push(String(mm.munmap(addr, o.pages * PAGE)));
                break;
              case 'dontneed':
                outcomes.push(String(mm.madvise(addr, o.pages * PAGE, uapi.MADV_DONTNEED)));
                break;
              case 'mprotect':
                outcomes.push(String(mm.mprotect(addr, o.pages * PAGE, o.prot)));
                break;
              case 'access': {
                const trace: string[] = [];
                for (let p = 0; p < o.pages; p++) {
                  for (let k = 0; k < 3; k++) {
                    const ec = hardwareAccess(env, addr + p * PAGE, o.access);
                    if (ec === ACCESS_OK) break;
                    const r = runFault(w.strategy, env, { addr: addr + p * PAGE, errorCode: ec });
                    trace.push(`${ec}:${r.outcome}:${r.code}:${r.major}`);
                    if (r.outcome !== 'handled') break;
                  }
                }
                outcomes.push(trace.join(','));
                break;
              }
            }
          }
          for (let i = 1; i < worlds.length; i++) {
            expect(outcomes[i], `${worlds[i]!.strategy.name} vs mmap-lock on ${JSON.stringify(o)}`).toBe(
              outcomes[0],
            );
          }
        }
        const ref = worlds[0]!;
        const refSnap = snapshot(ref.env);
        const refStats = ref.env.vmstat.snapshot();
        for (const w of worlds) {
          expect(validatePageTables(w.env), w.strategy.name).toEqual([]);
          expect(snapshot(w.env), w.strategy.name).toEqual(refSnap);
          expect(w.env.pt.tableCounts(), w.strategy.name).toEqual(ref.env.pt.tableCounts());
          const stats = w.env.vmstat.snapshot();
          for (const k of COMPARED) expect(stats[k], `${w.strategy.name} ${k}`).toBe(refStats[k]);
          expect([w.env.rssAnon, w.env.rssFile, w.env.rssShmem]).toEqual([
            ref.env.rssAnon,
            ref.env.rssFile,
            ref.env.rssShmem,
          ]);
        }
      }),
      { seed: Number(process.env.SEED ?? 0x5eed), numRuns: Number(process.env.RUNS ?? 40) },
    );
  }, 120_000);
});
