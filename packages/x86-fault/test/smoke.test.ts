import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  PTE_DIRTY,
  PTE_RW,
  PTE_SPECIAL,
  uapi,
} from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { assertPageTablesValid, ZERO_FRAME } from '../src/index.js';
import { fault, ok, READ, setup, WRITE } from './helpers.js';

describe('smoke', () => {
  it('anonymous read then write', () => {
    const { mm, env } = setup();
    const a = ok(
      mm.mmap(0, 1 << 20, uapi.PROT_READ | uapi.PROT_WRITE, uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS),
    );
    const r1 = fault(env, a, READ);
    expect(r1.outcome).toBe('handled');
    expect(env.pt.pteFrameAt(a)).toBe(ZERO_FRAME);
    expect(env.pt.pteFlagsAt(a) & PTE_SPECIAL).not.toBe(0);
    const r2 = fault(env, a + 4096, WRITE);
    expect(r2.outcome).toBe('handled');
    expect(env.pt.pteFlagsAt(a + 4096) & (PTE_RW | PTE_DIRTY)).toBe(PTE_RW | PTE_DIRTY);
    assertPageTablesValid(env);
    ok(mm.munmap(a, 1 << 20));
    assertPageTablesValid(env);
    expect(env.pt.tableCounts().ptes).toBe(0);
    void [MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE];
  });
});
