/**
 * File-backed faults over the page-cache model: filemap_fault() (major / minor, mmap read-around,
 * VM_RAND_READ / VM_SEQ_READ, MMAP_LOTSAMISS), do_fault_around() / filemap_map_pages() (64 KiB window
 * clamped to VMA and PTE table), SIGBUS beyond i_size, shmem (minor, zero-filled), shared writes
 * (->page_mkwrite, dirtying, VM_FAULT_COMPLETED), special mappings.
 */
import { allocId, type FileRef, PTE_RW, uapi, VM_MAYREAD, VM_READ } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { assertPageTablesValid, FRAME_DIRTY, MMAP_LOTSAMISS, VM_FAULT_COMPLETED } from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

const { PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS, MAP_FIXED } = uapi;
const RW = PROT_READ | PROT_WRITE;

function file(sizePages: number, path = '/data/file'): FileRef {
  return { id: allocId(), path, sizePages };
}

function mapped(env: ReturnType<typeof setup>['env'], base: number, pages: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < pages; i++) if (env.pt.pteFlagsAt(base + i * 4096) !== 0) out.push(i);
  return out;
}

describe('filemap_fault', () => {
  it('a miss is major: read-around fills [index - 16, index + 16) and the fault is retried', () => {
    const { mm, env } = setup();
    const f = file(256);
    const p = ok(mm.mmap(0x40000000, 256 * 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 0));
    const r = fault(env, p + 100 * 4096, READ);
    expect(r).toMatchObject({ outcome: 'handled', major: true, retries: 1 });
    const cf = env.cache.of(f);
    expect([...cf.pages.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 32 }, (_, i) => 84 + i));
    expect(env.vmstat.get('readahead_pages')).toBe(32);
    // The retry mapped the faulting page through fault-around: the aligned 16-page window [96, 112).
    expect(mapped(env, p, 256)).toEqual(Array.from({ length: 16 }, (_, i) => 96 + i));
    expect(env.vmstat.get('fault_around_pages')).toBe(16);
    // A neighbour inside the read-around window is a minor fault.
    expect(fault(env, p + 90 * 4096, READ)).toMatchObject({ major: false, retries: 0 });
    expect(env.vmstat.get('pgmajfault')).toBe(1);
    assertPageTablesValid(env);
  });

  it('MADV_RANDOM reads only the faulting page; MADV_SEQUENTIAL reads ahead', () => {
    const { mm, env } = setup();
    const f = file(256);
    const p = ok(mm.mmap(0, 256 * 4096, PROT_READ, MAP_PRIVATE, f, 0));
    ok(mm.madvise(p, 256 * 4096, uapi.MADV_RANDOM));
    fault(env, p + 10 * 4096, READ);
    expect(env.cache.cachedPages(f)).toBe(1);
    const g = file(256);
    const q = ok(mm.mmap(0, 256 * 4096, PROT_READ, MAP_PRIVATE, g, 0));
    ok(mm.madvise(q, 256 * 4096, uapi.MADV_SEQUENTIAL));
    fault(env, q + 10 * 4096, READ);
    expect([...env.cache.of(g).pages.keys()].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 32 }, (_, i) => 10 + i),
    );
  });

  it('read-around stops after MMAP_LOTSAMISS misses', () => {
    const { mm, env } = setup({ faultAroundBytes: 4096 });
    const f = file(100000);
    const p = ok(mm.mmap(0, 100000 * 4096, PROT_READ, MAP_PRIVATE, f, 0));
    for (let i = 0; i <= MMAP_LOTSAMISS + 1; i++) fault(env, p + i * 64 * 4096, READ);
    const before = env.cache.cachedPages(f);
    fault(env, p + 99000 * 4096, READ);
    expect(env.cache.cachedPages(f)).toBe(before + 1);
  });

  it('a warm cache gives minor faults; fault-around stays inside the VMA and the PTE table', () => {
    const { mm, env } = setup();
    const f = file(64);
    env.cache.warm(f, 0, 64);
    // The VMA maps file pages 8..63 at an address whose PTE table boundary falls after 4 pages.
    const base = 0x40000000 + 2 * 1024 * 1024 - 4 * 4096;
    ok(mm.mmap(base, 20 * 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 8));
    const r = fault(env, base + 2 * 4096, READ);
    expect(r).toMatchObject({ major: false, retries: 0 });
    // Window: aligned 16 entries in the table, clamped to the VMA start: only the first table's 4 pages.
    expect(mapped(env, base, 20)).toEqual([0, 1, 2, 3]);
    fault(env, base + 6 * 4096, READ);
    expect(mapped(env, base, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(env.vmstat.get('pgmajfault')).toBe(0);
    assertPageTablesValid(env);
  });

  it('beyond i_size: SIGBUS, also for write faults; fault-around never maps beyond EOF', () => {
    const { mm, env } = setup();
    const f = file(3);
    env.cache.warm(f, 0, 3);
    const p = ok(mm.mmap(0, 8 * 4096, RW, MAP_PRIVATE, f, 0));
    expect(fault(env, p, READ).outcome).toBe('handled');
    expect(mapped(env, p, 8)).toEqual([0, 1, 2]);
    expect(fault(env, p + 5 * 4096, READ).outcome).toBe('sigbus');
    expect(fault(env, p + 3 * 4096, WRITE).outcome).toBe('sigbus');
    assertPageTablesValid(env);
  });
});

describe('shmem and shared writes', () => {
  it('MAP_SHARED|MAP_ANONYMOUS is shmem: zero-filled on first touch, never major, shared by mappings', () => {
    const { mm, env } = setup();
    const s = ok(mm.mmap(0, 16 * 4096, RW, MAP_SHARED | MAP_ANONYMOUS));
    const vma = mm.vmaLookup(s)!;
    expect(vma.kind).toBe('file');
    expect(vma.file?.shmem).toBe(true);
    expect(fault(env, s, WRITE)).toMatchObject({ outcome: 'handled', major: false });
    expect(fault(env, s + 4096, READ).outcome).toBe('handled');
    expect(env.vmstat.get('pgmajfault')).toBe(0);
    expect(env.rssShmem).toBe(2);
    expect(env.vmstat.get('page_mkwrite')).toBe(0);
    expect(env.pt.pteFlagsAt(s) & PTE_RW).toBe(PTE_RW);
    assertPageTablesValid(env);
  });

  it('a shared file write calls ->page_mkwrite, dirties the page and completes with the lock dropped', () => {
    const { mm, env } = setup();
    const f = file(4);
    env.cache.warm(f, 0, 4);
    const s = ok(mm.mmap(0, 4 * 4096, RW, MAP_SHARED, f, 0));
    const r = fault(env, s + 4096, WRITE);
    expect(r.outcome).toBe('handled');
    expect(r.vmFault & VM_FAULT_COMPLETED).toBe(VM_FAULT_COMPLETED);
    const frame = env.pt.pteFrameAt(s + 4096);
    expect(env.phys.flags[frame]! & FRAME_DIRTY).toBe(FRAME_DIRTY);
    expect(env.vmstat.get('page_mkwrite')).toBe(1);
    expect(env.vmstat.get('nr_dirtied')).toBe(1);
    assertPageTablesValid(env);
  });
});

describe('special mappings', () => {
  it('a [vdso]-like special mapping faults its fixed pages in, minor, shared across faults', () => {
    const { mm, env } = setup();
    const v = mm.installVma({
      start: 0x7fff00000000,
      end: 0x7fff00002000,
      flags: VM_READ | VM_MAYREAD,
      kind: 'special',
      name: '[vdso]',
    });
    expect(typeof v).toBe('object');
    expect(fault(env, 0x7fff00001000, READ)).toMatchObject({ outcome: 'handled', major: false });
    expect(fault(env, 0x7fff00001000, WRITE).outcome).toBe('sigsegv');
    assertPageTablesValid(env);
  });
});
