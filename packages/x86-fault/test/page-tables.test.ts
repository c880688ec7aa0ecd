/**
 * The page tables follow the mm: table allocation and counts, free_pgtables() on munmap (and not on
 * MADV_DONTNEED), change_protection() on mprotect, move_page_tables() on mremap, populate on
 * MAP_POPULATE and mlock. Every test ends with the validator.
 */
import { allocId, PTE_PRESENT, PTE_PROTNONE, PTE_RW, uapi } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { assertPageTablesValid, FRAME_DIRTY, PMD_SIZE, validatePageTables } from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

const { PROT_NONE, PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS, MAP_FIXED, MAP_POPULATE } =
  uapi;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('table allocation', () => {
  it('a first fault builds PUD, PMD and PTE tables; neighbours share them', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 8 * MB, RW, ANON | MAP_FIXED));
    expect(env.pt.tableCounts()).toEqual({ ptes: 0, pmds: 0, puds: 0, total: 1 });
    fault(env, a, WRITE);
    expect(env.pt.tableCounts()).toEqual({ ptes: 1, pmds: 1, puds: 1, total: 4 });
    fault(env, a + 4096, WRITE);
    fault(env, a + 2 * MB, WRITE);
    fault(env, a + 6 * MB, READ);
    expect(env.pt.tableCounts()).toEqual({ ptes: 3, pmds: 1, puds: 1, total: 6 });
    expect(env.vmstat.get('pgtable_alloc')).toBe(5);
    assertPageTablesValid(env);
  });

  it('a 128 MiB anonymous region takes 64 PTE tables', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 128 * MB, RW, ANON | MAP_FIXED));
    for (let off = 0; off < 128 * MB; off += 4096) fault(env, a + off, WRITE);
    expect(env.pt.tableCounts().ptes).toBe(64);
    expect(env.rssAnon).toBe(32768);
    expect(env.phys.stats().inUse).toBe(32768);
    assertPageTablesValid(env);
    ok(mm.munmap(a, 128 * MB));
    expect(env.pt.tableCounts()).toEqual({ ptes: 0, pmds: 0, puds: 0, total: 1 });
    expect(env.phys.stats().inUse).toBe(0);
    expect(env.rssAnon).toBe(0);
  });
});

describe('munmap and free_pgtables', () => {
  it('unmapping part of a table keeps the table; unmapping the rest frees it', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 2 * MB, RW, ANON | MAP_FIXED));
    for (let off = 0; off < 2 * MB; off += 64 * 1024) fault(env, a + off, WRITE);
    ok(mm.munmap(a, MB));
    expect(env.pt.tableCounts().ptes).toBe(1);
    expect(env.pt.pteFlagsAt(a)).toBe(0);
    assertPageTablesValid(env);
    ok(mm.munmap(a + MB, MB));
    expect(env.pt.tableCounts()).toEqual({ ptes: 0, pmds: 0, puds: 0, total: 1 });
    assertPageTablesValid(env);
  });

  it('a table shared with a surviving neighbour stays (floor / ceiling)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 64 * 4096, RW, ANON | MAP_FIXED));
    const b = ok(mm.mmap(0x40000000 + 128 * 4096, 64 * 4096, PROT_READ, ANON | MAP_FIXED));
    fault(env, a, WRITE);
    fault(env, b, READ);
    ok(mm.munmap(a, 64 * 4096));
    expect(env.pt.tableCounts().ptes).toBe(1);
    expect(env.pt.pteFlagsAt(b)).not.toBe(0);
    assertPageTablesValid(env);
    // The PMD table is kept while any PTE table below it survives.
    const far = ok(mm.mmap(0x40000000 + 3 * GB, 4096, RW, ANON | MAP_FIXED));
    fault(env, far, WRITE);
    expect(env.pt.tableCounts()).toMatchObject({ ptes: 2, pmds: 2, puds: 1 });
    ok(mm.munmap(far, 4096));
    expect(env.pt.tableCounts()).toMatchObject({ ptes: 1, pmds: 1, puds: 1 });
    assertPageTablesValid(env);
  });

  it('MADV_DONTNEED drops pages but keeps the tables', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 4 * MB, RW, ANON | MAP_FIXED));
    for (let off = 0; off < 4 * MB; off += 4096) fault(env, a + off, WRITE);
    ok(mm.madvise(a, 4 * MB, uapi.MADV_DONTNEED));
    expect(env.pt.tableCounts().ptes).toBe(2);
    expect(env.rssAnon).toBe(0);
    expect(env.phys.stats().inUse).toBe(0);
    assertPageTablesValid(env);
    // Faulting again reuses the empty tables.
    fault(env, a, WRITE);
    expect(env.pt.tableCounts().ptes).toBe(2);
  });

  it('brk shrink and MAP_FIXED replacement free what they unmap', () => {
    const { mm, env } = setup({}, { startBrk: 0x01000000 });
    ok(mm.brk(0x01000000 + 4 * MB));
    for (let off = 0; off < 4 * MB; off += 4096) fault(env, 0x01000000 + off, WRITE);
    mm.brk(0x01000000 + MB);
    expect(env.rssAnon).toBe(256);
    assertPageTablesValid(env);
    const a = ok(mm.mmap(0x60000000, 4 * MB, RW, ANON | MAP_FIXED));
    for (let off = 0; off < 4 * MB; off += 4096) fault(env, a + off, WRITE);
    ok(mm.mmap(a, 4 * MB, PROT_READ, ANON | MAP_FIXED));
    expect(env.rssAnon).toBe(256);
    assertPageTablesValid(env);
  });

  it('unmapping dirty shared file pages marks them dirty in the page cache', () => {
    const { mm, env } = setup();
    const f = { id: allocId(), path: '/data/log', sizePages: 16 };
    const s = ok(mm.mmap(0, 16 * 4096, RW, MAP_SHARED, f, 0));
    fault(env, s, READ);
    fault(env, s, WRITE | 1);
    const frame = env.pt.pteFrameAt(s);
    // Pretend writeback cleaned the page meanwhile: the dirty PTE must dirty it again at unmap.
    env.phys.flags[frame]! &= ~FRAME_DIRTY;
    ok(mm.munmap(s, 16 * 4096));
    expect(env.phys.flags[frame]! & FRAME_DIRTY).toBe(FRAME_DIRTY);
    expect(env.cache.cachedPages(f)).toBeGreaterThan(0);
    assertPageTablesValid(env);
  });
});

describe('mprotect and change_protection', () => {
  it('PTE protections follow the VMA; exclusive anon pages become writable again at once', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 8 * 4096, RW, ANON | MAP_FIXED));
    fault(env, a, WRITE);
    fault(env, a + 4096, READ);
    ok(mm.mprotect(a, 8 * 4096, PROT_READ));
    expect(env.pt.pteFlagsAt(a) & PTE_RW).toBe(0);
    assertPageTablesValid(env);
    ok(mm.mprotect(a, 8 * 4096, PROT_NONE));
    expect(env.pt.pteFlagsAt(a) & (PTE_PRESENT | PTE_PROTNONE)).toBe(PTE_PROTNONE);
    assertPageTablesValid(env);
    ok(mm.mprotect(a, 8 * 4096, RW));
    expect(env.pt.pteFlagsAt(a) & PTE_RW).toBe(PTE_RW);
    // The zero page never becomes writable.
    expect(env.pt.pteFlagsAt(a + 4096) & PTE_RW).toBe(0);
    assertPageTablesValid(env);
    expect(env.vmstat.get('pte_protected')).toBeGreaterThan(0);
  });

  it('mprotect on part of a VMA changes only that part', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 8 * 4096, RW, ANON | MAP_FIXED));
    for (let i = 0; i < 8; i++) fault(env, a + i * 4096, WRITE);
    ok(mm.mprotect(a + 2 * 4096, 2 * 4096, PROT_READ));
    expect(env.pt.pteFlagsAt(a + 4096) & PTE_RW).toBe(PTE_RW);
    expect(env.pt.pteFlagsAt(a + 2 * 4096) & PTE_RW).toBe(0);
    expect(env.pt.pteFlagsAt(a + 4 * 4096) & PTE_RW).toBe(PTE_RW);
    assertPageTablesValid(env);
  });
});

describe('mremap and move_page_tables', () => {
  it('moves PTEs (whole tables when PMD-aligned) and frees the old tables', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 4 * MB, RW, ANON | MAP_FIXED));
    for (let off = 0; off < 4 * MB; off += 4096) fault(env, a + off, WRITE);
    const frame = env.pt.pteFrameAt(a + 3 * 4096);
    const to = 0x80000000;
    expect(mm.mremap(a, 4 * MB, 4 * MB, uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED, to)).toBe(to);
    expect(env.pt.pteFrameAt(to + 3 * 4096)).toBe(frame);
    expect(env.pt.pteFlagsAt(a)).toBe(0);
    expect(env.vmstat.get('pgtable_move')).toBe(2);
    expect(env.pt.tableCounts().ptes).toBe(2);
    assertPageTablesValid(env);
  });

  it('moves single PTEs when not aligned', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000 + 4096, 16 * 4096, RW, ANON | MAP_FIXED));
    for (let i = 0; i < 16; i++) fault(env, a + i * 4096, WRITE);
    const to = 0x80000000 + 3 * 4096;
    expect(mm.mremap(a, 16 * 4096, 32 * 4096, uapi.MREMAP_MAYMOVE | uapi.MREMAP_FIXED, to)).toBe(to);
    expect(env.vmstat.get('pte_moved')).toBe(16);
    expect(env.rssAnon).toBe(16);
    assertPageTablesValid(env);
    expect(fault(env, to + 20 * 4096, WRITE).outcome).toBe('handled');
    assertPageTablesValid(env);
  });
});

describe('populate', () => {
  it('MAP_POPULATE faults a private writable mapping in with write faults', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 64 * 4096, RW, ANON | MAP_POPULATE));
    expect(env.rssAnon).toBe(64);
    expect(env.vmstat.get('populate_faults')).toBe(64);
    expect(env.vmstat.get('pgfault')).toBe(64);
    expect(env.pt.pteFlagsAt(a + 63 * 4096) & PTE_RW).toBe(PTE_RW);
    assertPageTablesValid(env);
  });

  it('mlock populates a read-only mapping with the zero page and a file with its pages', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, PROT_READ, ANON));
    ok(mm.mlock(a, 8 * 4096));
    expect(env.vmstat.get('zero_page_faults')).toBe(8);
    const f = { id: allocId(), path: '/lib/x.so', sizePages: 8 };
    const p = ok(mm.mmap(0, 8 * 4096, PROT_READ, MAP_PRIVATE, f, 0));
    ok(mm.mlock(p, 8 * 4096));
    expect(env.rssFile).toBe(8);
    assertPageTablesValid(env);
  });
});

describe('validator', () => {
  it('reports a PTE left outside every VMA', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 4096, RW, ANON | MAP_FIXED));
    fault(env, a, WRITE);
    env.detach();
    ok(mm.munmap(a, 4096));
    expect(validatePageTables(env).join('\n')).toMatch(/outside every VMA/);
  });

  it('reports a writable zero page and a wrong map count', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 2 * 4096, RW, ANON | MAP_FIXED));
    fault(env, a, READ);
    fault(env, a + 4096, WRITE);
    const s = env.pt.pteSlotOf(a);
    env.pt.pteFlags[s]! |= PTE_RW;
    env.phys.mapcount[env.pt.pteFrameAt(a + 4096)]! += 1;
    const problems = validatePageTables(env).join('\n');
    expect(problems).toMatch(/zero-page PTE .* writable/);
    expect(problems).toMatch(/mapcount 2, mapped by 1/);
  });

  it('reports a page-table page spanning only unmapped space', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, PMD_SIZE, RW, ANON | MAP_FIXED));
    fault(env, a, WRITE);
    env.detach();
    ok(mm.munmap(a, PMD_SIZE));
    expect(validatePageTables(env).join('\n')).toMatch(/spans only unmapped/);
  });
});
