/**
 * Random sequences of system calls and memory accesses (error codes derived from the page tables by
 * the MMU model), with the page-table validator after every operation. Each access is retried like
 * the CPU does until it completes or the fault ends in a signal; that must happen within three faults.
 */
import { allocId, type FileRef, uapi } from '@vmakit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCESS_OK, type AccessKind, hardwareAccess, validatePageTables } from '../src/index.js';
import { fault, setup } from './helpers.js';

const BASE = 0x10000000;
const WINDOW = 1024 * 4096; // 4 MiB
const PAGE = 4096;
const PROTS = [
  uapi.PROT_NONE,
  uapi.PROT_READ,
  uapi.PROT_READ | uapi.PROT_WRITE,
  uapi.PROT_READ | uapi.PROT_EXEC,
  uapi.PROT_READ | uapi.PROT_WRITE | uapi.PROT_EXEC,
];

type Op =
  | {
      kind: 'mmap';
      page: number;
      pages: number;
      prot: number;
      backing: 'anon' | 'shared-anon' | 'file' | 'shared-file';
    }
  | { kind: 'munmap'; page: number; pages: number }
  | { kind: 'mprotect'; page: number; pages: number; prot: number }
  | { kind: 'dontneed'; page: number; pages: number }
  | { kind: 'mremap'; page: number; pages: number; newPages: number; to: number }
  | { kind: 'mlock'; page: number; pages: number }
  | { kind: 'access'; page: number; access: AccessKind }
  | { kind: 'touch'; page: number; pages: number };

const page = fc.integer({ min: 0, max: WINDOW / PAGE - 1 });
const pages = fc.integer({ min: 1, max: 256 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mmap' as const),
      page,
      pages,
      prot: fc.constantFrom(...PROTS),
      backing: fc.constantFrom(
        'anon' as const,
        'shared-anon' as const,
        'file' as const,
        'shared-file' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('munmap' as const), page, pages }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mprotect' as const),
      page,
      pages,
      prot: fc.constantFrom(...PROTS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dontneed' as const), page, pages }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('mremap' as const), page, pages, newPages: pages, to: page }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mlock' as const),
      page,
      pages: fc.integer({ min: 1, max: 32 }),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('access' as const),
      page,
      access: fc.constantFrom('read' as const, 'write' as const, 'exec' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      page,
      pages: fc.integer({ min: 1, max: 24 }),
    }),
  },
);

/** The CPU retrying an access until it completes or a signal ends it (at most three faults). */
function access(env: ReturnType<typeof setup>['env'], addr: number, kind: AccessKind): boolean {
  for (let k = 0; k < 3; k++) {
    const ec = hardwareAccess(env, addr, kind);
    if (ec === ACCESS_OK) return true;
    if (fault(env, addr, ec).outcome !== 'handled') return true;
  }
  return false;
}

describe('random faults and system calls', () => {
  it('keep the page tables valid and every access converging', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80 }), (ops) => {
        const { mm, env } = setup({}, { rlimitMemlock: Number.POSITIVE_INFINITY });
        const files: FileRef[] = [
          { id: allocId(), path: '/data/a', sizePages: 300 },
          { id: allocId(), path: '/data/b', sizePages: 64 },
        ];
        env.cache.warm(files[1]!, 0, 32);
        ops.forEach((o, i) => {
          const addr = BASE + o.page * PAGE;
          switch (o.kind) {
            case 'mmap': {
              const shared = o.backing.startsWith('shared');
              const file = o.backing.endsWith('file') ? files[o.page % 2]! : null;
              const flags =
                (shared ? uapi.MAP_SHARED : uapi.MAP_PRIVATE) |
                uapi.MAP_FIXED |
                (file ? 0 : uapi.MAP_ANONYMOUS);
              mm.mmap(addr, o.pages * PAGE, o.prot, flags, file, file ? o.page % 16 : 0);
              break;
            }
            case 'munmap':
              mm.munmap(addr, o.pages * PAGE);
              break;
            case 'mprotect':
              mm.mprotect(addr, o.pages * PAGE, o.prot);
              break;
            case 'dontneed':
              mm.madvise(addr, o.pages * PAGE, uapi.MADV_DONTNEED);
              break;
            case 'mremap': {
              const v = mm.vmaLookup(addr);
              if (v === null) break;
              const len = Math.min(o.pages * PAGE, v.end - addr);
              mm.mremap(
                addr,
                len,
                o.newPages * PAGE,
                uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED,
                BASE + WINDOW + o.to * PAGE,
              );
              break;
            }
            case 'mlock':
              mm.mlock(addr, o.pages * PAGE);
              break;
            case 'access':
              expect(access(env, addr, o.access), `access ${o.access} at 0x${addr.toString(16)}`).toBe(true);
              break;
            case 'touch':
              // Read, then write, the same pages: zero-page and file-page copy-on-write.
              for (let p = 0; p < o.pages; p++) {
                expect(access(env, addr + p * PAGE, 'read')).toBe(true);
                expect(access(env, addr + p * PAGE, 'write')).toBe(true);
              }
              break;
          }
          const problems = validatePageTables(env, 5);
          expect(problems, `after op ${i} ${JSON.stringify(o)}`).toEqual([]);
        });
        for (const [k, v] of Object.entries(env.vmstat.nonZero())) seen[k] = (seen[k] ?? 0) + v;
      }),
      { seed: Number(process.env.SEED ?? 20240611), numRuns: Number(process.env.RUNS ?? 60) },
    );
    // The runs exercised what they are meant to.
    for (const k of [
      'pgfault',
      'pgmajfault',
      'zero_page_faults',
      'anon_faults',
      'cow_faults',
      'file_read_faults',
      'file_shared_faults',
      'sigsegv_maperr',
      'sigsegv_accerr',
      'pgtable_free',
      'pte_zapped',
      'pte_protected',
      'pte_moved',
      'populate_faults',
      'fault_around_pages',
      'sigbus',
    ]) {
      expect(seen[k] ?? 0, k).toBeGreaterThan(0);
    }
  }, 120_000);
});
