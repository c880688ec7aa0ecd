/**
 * do_wp_page(): copy-on-write versus reuse (mm/memory.c v6.12). A private mapping reuses an anonymous
 * page that is exclusive (PageAnonExclusive) or has no other reference (wp_can_reuse_anon_folio) and
 * copies anything else: the zero page, a page-cache page, a pinned or shared anonymous page.
 */
import { allocId, PTE_DIRTY, PTE_RW, uapi } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  assertPageTablesValid,
  FRAME_ANON,
  FRAME_EXCLUSIVE,
  X86_PF_PROT,
  X86_PF_USER,
  X86_PF_WRITE,
  ZERO_FRAME,
} from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;
const WP = X86_PF_USER | X86_PF_PROT | X86_PF_WRITE;

describe('copy-on-write', () => {
  it('a write to the zero page copies into a fresh zeroed page', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    fault(env, a, READ);
    const allocated = env.phys.stats().allocated;
    expect(fault(env, a, WP).outcome).toBe('handled');
    const f = env.pt.pteFrameAt(a);
    expect(f).not.toBe(ZERO_FRAME);
    expect(env.phys.flags[f]! & (FRAME_ANON | FRAME_EXCLUSIVE)).toBe(FRAME_ANON | FRAME_EXCLUSIVE);
    expect(env.pt.pteFlagsAt(a) & (PTE_RW | PTE_DIRTY)).toBe(PTE_RW | PTE_DIRTY);
    expect(env.phys.stats().allocated).toBe(allocated + 1);
    expect(env.vmstat.get('cow_faults')).toBe(1);
    expect(env.rssAnon).toBe(1);
    assertPageTablesValid(env);
  });

  it('a write to a private file page copies it; the cached page keeps only the cache reference', () => {
    const { mm, env } = setup();
    const file = { id: allocId(), path: '/data/db', sizePages: 4 };
    env.cache.warm(file, 0, 4);
    const p = ok(mm.mmap(0, 4 * 4096, RW, uapi.MAP_PRIVATE, file, 0));
    fault(env, p, READ);
    const cached = env.pt.pteFrameAt(p);
    expect(env.phys.mapcount[cached]).toBe(1);
    expect(env.rssFile).toBe(4);
    expect(fault(env, p, WP).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(p)).not.toBe(cached);
    expect(env.phys.mapcount[cached]).toBe(0);
    expect(env.phys.refcount[cached]).toBe(1);
    expect(env.rssFile).toBe(3);
    expect(env.rssAnon).toBe(1);
    assertPageTablesValid(env);
  });

  it('a write-protected anonymous page with no other reference is reused (pgreuse)', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    fault(env, a, WRITE);
    const f = env.pt.pteFrameAt(a);
    // As after a fork whose child has exited: not marked exclusive, PTE read-only, refcount 1.
    env.phys.flags[f]! &= ~FRAME_EXCLUSIVE;
    env.pt.pteFlags[env.pt.pteSlotOf(a)]! &= ~PTE_RW;
    expect(fault(env, a, WP).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a)).toBe(f);
    expect(env.phys.flags[f]! & FRAME_EXCLUSIVE).toBe(FRAME_EXCLUSIVE);
    expect(env.vmstat.get('pgreuse')).toBe(1);
    expect(env.vmstat.get('cow_faults')).toBe(0);
    assertPageTablesValid(env);
  });

  it('an exclusive page is reused even when pinned; a shared pinned one is copied', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 2 * 4096, RW, ANON));
    fault(env, a, WRITE);
    fault(env, a + 4096, WRITE);
    const f0 = env.pt.pteFrameAt(a);
    const f1 = env.pt.pteFrameAt(a + 4096);
    env.phys.get(f0); // a GUP pin on an exclusive page
    env.pt.pteFlags[env.pt.pteSlotOf(a)]! &= ~PTE_RW;
    expect(fault(env, a, WP).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a)).toBe(f0);
    env.phys.get(f1); // a second reference on a page no longer exclusive (shared with a child)
    env.phys.flags[f1]! &= ~FRAME_EXCLUSIVE;
    env.pt.pteFlags[env.pt.pteSlotOf(a + 4096)]! &= ~PTE_RW;
    expect(fault(env, a + 4096, WP).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a + 4096)).not.toBe(f1);
    expect(env.phys.refcount[f1]).toBe(1);
    expect(env.phys.mapcount[f1]).toBe(0);
    env.phys.put(f0);
    env.phys.put(f1);
    assertPageTablesValid(env);
  });

  it('a shared writable mapping never copies', () => {
    const { mm, env } = setup();
    const file = { id: allocId(), path: '/data/shared', sizePages: 2 };
    const s = ok(mm.mmap(0, 2 * 4096, RW, uapi.MAP_SHARED, file, 0));
    fault(env, s, READ);
    const f = env.pt.pteFrameAt(s);
    // Write-notify: the read fault mapped it read-only; the write makes it writable in place.
    expect(env.pt.pteFlagsAt(s) & PTE_RW).toBe(0);
    expect(fault(env, s, WP).outcome).toBe('handled');
    expect(env.pt.pteFrameAt(s)).toBe(f);
    expect(env.pt.pteFlagsAt(s) & PTE_RW).toBe(PTE_RW);
    expect(env.vmstat.get('wp_shared_faults')).toBe(1);
    expect(env.vmstat.get('page_mkwrite')).toBe(1);
    expect(env.vmstat.get('cow_faults')).toBe(0);
    assertPageTablesValid(env);
  });
});
