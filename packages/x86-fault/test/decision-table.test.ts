/**
 * The fault decision table of kernel-facts.md §7.1 (x86 user fault, v6.12), row by row, through the
 * mmap_lock path over MmStruct on the reference index. Row numbers follow the table.
 */
import {
  allocId,
  type FileRef,
  PTE_DIRTY,
  PTE_RW,
  PTE_SPECIAL,
  uapi,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
  VMH_SHADOW_STACK,
} from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  assertPageTablesValid,
  FRAME_ANON,
  pkruWithKeyAccess,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SEGV_PKUERR,
  SIGBUS,
  SIGSEGV,
  X86_PF_PK,
  X86_PF_PROT,
  X86_PF_SGX,
  X86_PF_SHSTK,
  X86_PF_USER,
  X86_PF_WRITE,
  ZERO_FRAME,
} from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

const { PROT_NONE, PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_FIXED } =
  uapi;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function file(sizePages: number): FileRef {
  return { id: allocId(), path: `/data/f${sizePages}`, sizePages };
}

describe('§7.1 decision table', () => {
  it('row 1: no VMA ends above the address → SIGSEGV / SEGV_MAPERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x10000000, 16 * 4096, RW, ANON | MAP_FIXED));
    const r = fault(env, a + 16 * 4096 + 0x10000000, READ);
    expect(r, JSON.stringify(r)).toMatchObject({
      outcome: 'sigsegv',
      signal: SIGSEGV,
      code: SEGV_MAPERR,
      attempts: 0,
    });
    expect(env.vmstat.get('sigsegv_maperr')).toBe(1);
  });

  it('row 2: the VMA above does not grow down → SEGV_MAPERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0x40000000, 16 * 4096, RW, ANON | MAP_FIXED));
    const r = fault(env, a - 4096, WRITE);
    expect(r).toMatchObject({ outcome: 'sigsegv', code: SEGV_MAPERR });
    expect(env.pt.tableCounts().ptes).toBe(0);
  });

  it('row 3: a stack that may not grow (guard gap) → SEGV_MAPERR; one that may grows', () => {
    const { mm, env } = setup();
    const stack = ok(mm.mmap(0x7f0000100000, 16 * 4096, RW, ANON | MAP_GROWSDOWN | MAP_FIXED));
    // A mapping right below, inside the 1 MiB guard gap: growing into [stack - 8 pages) is refused.
    ok(mm.mmap(stack - 0x100000 - 4096 * 4, 4096, RW, ANON | MAP_FIXED));
    const refused = fault(env, stack - 8 * 4096, WRITE);
    expect(refused).toMatchObject({ outcome: 'sigsegv', code: SEGV_MAPERR });
    expect(env.vmstat.get('stack_expansion_failures')).toBe(1);
    ok(mm.munmap(stack - 0x100000 - 4096 * 4, 4096));
    const grown = fault(env, stack - 8 * 4096, WRITE);
    expect(grown).toMatchObject({ outcome: 'handled', path: 'mmap-lock' });
    expect(mm.vmaLookup(stack - 8 * 4096)?.start).toBe(stack - 8 * 4096);
    expect(env.vmstat.get('stack_expansions')).toBe(1);
    assertPageTablesValid(env);
  });

  it('row 3: RLIMIT_STACK caps stack growth', () => {
    const { mm, env } = setup({}, { rlimitStack: 64 * 1024 });
    const stack = ok(mm.mmap(0x7f0000100000, 8 * 4096, RW, ANON | MAP_GROWSDOWN | MAP_FIXED));
    expect(fault(env, stack - 8 * 4096, WRITE).outcome).toBe('handled');
    // 16 pages = 64 KiB reached; one more page is over the limit.
    expect(fault(env, stack - 9 * 4096, WRITE)).toMatchObject({ outcome: 'sigsegv', code: SEGV_MAPERR });
    expect(mm.vmaLookup(stack - 8 * 4096)?.start).toBe(stack - 8 * 4096);
    assertPageTablesValid(env);
  });

  it('row 4: X86_PF_PK or a VMA key PKRU denies → SEGV_PKUERR with the VMA key (OSPKE)', () => {
    const { mm, env } = setup({}, { pkeys: true });
    const key = mm.pkeyAlloc(0, 0);
    expect(key).toBeGreaterThan(0);
    const a = ok(mm.mmap(0, 4 * 4096, RW, ANON));
    ok(mm.pkeyMprotect(a, 4 * 4096, RW, key));
    // The initial PKRU denies access to keys 1-15.
    const denied = fault(env, a, READ);
    expect(denied).toMatchObject({ outcome: 'sigsegv', code: SEGV_PKUERR, pkey: key });
    // Hardware-reported PK: unconditional, even when PKRU now allows it.
    const pkru = pkruWithKeyAccess(env.defaultPkru, key, 0);
    expect(fault(env, a, X86_PF_USER | X86_PF_PROT | X86_PF_PK, { pkru })).toMatchObject({
      code: SEGV_PKUERR,
      pkey: key,
    });
    // PKRU allowing the key: the fault is handled.
    expect(fault(env, a, WRITE, { pkru }).outcome).toBe('handled');
    // Write-disable only: reads pass, writes get PKUERR.
    const wd = pkruWithKeyAccess(env.defaultPkru, key, 2);
    expect(fault(env, a + 4096, READ, { pkru: wd }).outcome).toBe('handled');
    expect(fault(env, a + 4096, WRITE, { pkru: wd })).toMatchObject({ code: SEGV_PKUERR, pkey: key });
  });

  it('row 4 without OSPKE: a PK error code is a plain SEGV_ACCERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, X86_PF_USER | X86_PF_PROT | X86_PF_PK)).toMatchObject({
      code: SEGV_ACCERR,
      pkey: 0,
    });
  });

  it('row 4b: X86_PF_SGX → SEGV_ACCERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, X86_PF_USER | X86_PF_PROT | X86_PF_SGX)).toMatchObject({ code: SEGV_ACCERR });
  });

  it('row 5: write to a VMA without VM_WRITE, or a shadow stack → SEGV_ACCERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, PROT_READ, ANON));
    expect(fault(env, a, WRITE)).toMatchObject({ outcome: 'sigsegv', code: SEGV_ACCERR });
    const ss = mm.installVma({
      start: 0x30000000,
      end: 0x30001000,
      flags: VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE,
      flagsHigh: VMH_SHADOW_STACK,
    });
    expect(typeof ss).toBe('object');
    expect(fault(env, 0x30000000, WRITE)).toMatchObject({ code: SEGV_ACCERR });
    // A shadow-stack access to it is fine (handled as a write fault).
    expect(fault(env, 0x30000000, X86_PF_USER | X86_PF_SHSTK | X86_PF_WRITE).outcome).toBe('handled');
  });

  it('row 6: a read with PROT set (e.g. fetch from an NX page) → SEGV_ACCERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, X86_PF_USER | X86_PF_PROT)).toMatchObject({ code: SEGV_ACCERR });
  });

  it('row 7: a not-present read of a PROT_NONE VMA → SEGV_ACCERR', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, PROT_NONE, ANON));
    expect(fault(env, a, READ)).toMatchObject({ code: SEGV_ACCERR });
  });

  it('row 8: not-present read of an anonymous VMA maps the zero page (no allocation)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    const before = env.phys.stats().allocated;
    expect(fault(env, a, READ).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a)).toBe(ZERO_FRAME);
    expect(env.pt.pteFlagsAt(a) & (PTE_SPECIAL | PTE_RW)).toBe(PTE_SPECIAL);
    expect(env.phys.stats().allocated).toBe(before);
    expect(mm.vmaLookup(a)?.anonVma).toBeNull();
    expect(env.vmstat.get('zero_page_faults')).toBe(1);
  });

  it('row 9: not-present write prepares the anon_vma and maps a zeroed page writable and dirty', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    expect(fault(env, a, WRITE).outcome).toBe('handled');
    const f = env.pt.pteFrameAt(a);
    expect(env.phys.flags[f]! & FRAME_ANON).toBe(FRAME_ANON);
    expect(env.pt.pteFlagsAt(a) & (PTE_RW | PTE_DIRTY)).toBe(PTE_RW | PTE_DIRTY);
    expect(mm.vmaLookup(a)?.anonVma).not.toBeNull();
    expect(env.rssAnon).toBe(1);
  });

  it('row 10: file VMAs: read (major then minor), private write (COW fault), shared write', () => {
    const { mm, env } = setup();
    const f = file(64);
    const p = ok(mm.mmap(0, 64 * 4096, RW, MAP_PRIVATE, f, 0));
    const r1 = fault(env, p, READ);
    expect(r1).toMatchObject({ outcome: 'handled', major: true, retries: 1 });
    expect(env.vmstat.get('pgmajfault')).toBe(1);
    const r2 = fault(env, p + 20 * 4096, READ);
    expect(r2).toMatchObject({ outcome: 'handled', major: false });
    // Page 40 lies beyond the read-around window of the first miss ([0, 32)): a major COW fault.
    const w = fault(env, p + 40 * 4096, WRITE);
    expect(w).toMatchObject({ outcome: 'handled', major: true });
    expect(env.phys.flags[env.pt.pteFrameAt(p + 40 * 4096)]! & FRAME_ANON).toBe(FRAME_ANON);
    expect(env.vmstat.get('file_cow_faults')).toBe(1);
    expect(env.vmstat.get('pgmajfault')).toBe(2);
    // Page 10 was mapped read-only by fault-around: a write copies it (do_wp_page → wp_page_copy).
    expect(fault(env, p + 10 * 4096, X86_PF_USER | X86_PF_PROT | X86_PF_WRITE).outcome).toBe('handled');
    expect(env.vmstat.get('cow_faults')).toBe(1);
    const s = ok(mm.mmap(0, 64 * 4096, RW, MAP_SHARED, f, 0));
    const sw = fault(env, s + 4096, WRITE);
    expect(sw.outcome).toBe('handled');
    expect(env.pt.pteFrameAt(s + 4096)).toBe(env.cache.find(env.cache.of(f), 1));
    expect(env.vmstat.get('file_shared_faults')).toBe(1);
    assertPageTablesValid(env);
  });

  it('rows 11-12: no swap or NUMA-hinting entries exist in the model (documented, not reachable)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    fault(env, a, WRITE);
    ok(mm.mprotect(a, 4096, PROT_NONE));
    ok(mm.mprotect(a, 4096, RW));
    // PROT_NONE and back restores the protection in place (change_protection), no NUMA fault needed.
    expect(fault(env, a, WRITE).outcome).toBe('handled');
    expect(env.vmstat.get('spurious_faults')).toBe(1);
  });

  it('row 13: present, write, read-only PTE → do_wp_page: copy (zero page) or reuse (exclusive)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 2 * 4096, RW, ANON));
    fault(env, a, READ);
    expect(fault(env, a, X86_PF_USER | X86_PF_PROT | X86_PF_WRITE).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a)).not.toBe(ZERO_FRAME);
    expect(env.vmstat.get('cow_faults')).toBe(1);
    fault(env, a + 4096, WRITE);
    ok(mm.mprotect(a + 4096, 4096, PROT_READ));
    ok(mm.mprotect(a + 4096, 4096, RW));
    // mprotect already made the exclusive page writable again: a write is spurious.
    expect(env.pt.pteFlagsAt(a + 4096) & PTE_RW).toBe(PTE_RW);
    assertPageTablesValid(env);
  });

  it('row 14: present PTE otherwise → spurious (young / dirty only)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    fault(env, a, WRITE);
    expect(fault(env, a, READ).outcome).toBe('handled');
    expect(env.vmstat.get('spurious_faults')).toBe(1);
  });

  it('row 15: VM_FAULT_RETRY → retried with FAULT_FLAG_TRIED, counted once, major', () => {
    const { mm, env } = setup();
    const f = file(8);
    const p = ok(mm.mmap(0, 8 * 4096, PROT_READ, MAP_PRIVATE, f, 0));
    const r = fault(env, p + 3 * 4096, READ);
    expect(r).toMatchObject({ outcome: 'handled', retries: 1, attempts: 2, major: true });
    expect(env.vmstat.get('pgfault')).toBe(1);
    expect(env.vmstat.get('maj_flt')).toBe(1);
    expect(env.vmstat.get('fault_retry')).toBe(1);
  });

  it('row 16: VM_FAULT_OOM, VM_FAULT_SIGBUS (beyond EOF)', () => {
    const { mm, env } = setup({ memoryPages: 2 });
    const a = ok(mm.mmap(0, 4 * 4096, RW, ANON));
    expect(fault(env, a, WRITE).outcome).toBe('handled');
    expect(fault(env, a + 4096, WRITE).outcome).toBe('handled');
    expect(fault(env, a + 2 * 4096, WRITE)).toMatchObject({ outcome: 'oom', signal: 0 });
    expect(env.vmstat.get('oom')).toBe(1);
    const { mm: mm2, env: env2 } = setup();
    const f = file(2);
    const p = ok(mm2.mmap(0, 4 * 4096, PROT_READ, MAP_PRIVATE, f, 0));
    expect(fault(env2, p + 2 * 4096, READ)).toMatchObject({ outcome: 'sigbus', signal: SIGBUS, code: 2 });
    expect(fault(env2, p + 4096, READ).outcome).toBe('handled');
    assertPageTablesValid(env2);
  });
});
