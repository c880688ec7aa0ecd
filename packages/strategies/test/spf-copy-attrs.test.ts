/**
 * The attribute-copy speculative strategy must not touch the live VMA once its RCU read section has
 * ended: the VMA may be freed after the grace period that follows, so anon_vma has to come from the
 * copy. The live VMA is "freed" (every field poisoned) at rcu_read_unlock() and revived when the
 * fault takes the mmap lock (the fallback path looks the VMA up again under the lock, legitimately).
 */
import { uapi, type Vma } from '@vmakit/core';
import { runFault, type Step, type VmaCopyStep } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { createSpfCopyAttrsStrategy, createSpfCopyVmaStrategy } from '../src/index.js';
import { drive, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS | uapi.MAP_FIXED;

/** Poisons every own field of `vma` while `freed()` is true: reading one throws. */
function poison(vma: Vma, freed: () => boolean): void {
  for (const key of Object.keys(vma)) {
    let value = (vma as unknown as Record<string, unknown>)[key];
    Object.defineProperty(vma, key, {
      configurable: true,
      enumerable: true,
      get() {
        if (freed()) throw new Error(`use after free: read of vma.${key} after rcu_read_unlock()`);
        return value;
      },
      set(v) {
        value = v;
      },
    });
  }
}

describe('spf-copy-attrs: anon_vma comes from the copy made inside the RCU section', () => {
  for (const prepared of [true, false]) {
    it(`${prepared ? 'with' : 'without'} an anon_vma: no read of the live VMA after rcu_read_unlock()`, () => {
      const strategy = createSpfCopyAttrsStrategy();
      const { mm, env } = setup();
      const a = 0x40000000;
      ok(mm.mmap(a, 16 * 4096, RW, ANON));
      if (prepared) {
        expect(drive(strategy, env, { addr: a, errorCode: WRITE }).result.outcome).toBe('handled');
      } else {
        // Page tables without an anon_vma: a read maps the zero page.
        expect(drive(strategy, env, { addr: a, errorCode: READ }).result.outcome).toBe('handled');
      }
      const vma = mm.vmaLookup(a)!;
      expect(vma.anonVma === null).toBe(!prepared);
      const id = vma.id;
      let freed = false;
      poison(vma, () => freed);
      const liveReads: Step[] = [];
      let copy: VmaCopyStep | null = null;
      const result = runFault(
        strategy,
        env,
        { addr: a + 4096, errorCode: WRITE },
        {
          beforeStep: (s) => {
            if (s.op === 'acquire' && s.lock === 'mmap_lock') freed = false;
            if (freed && s.op === 'mem' && s.obj === id) liveReads.push({ ...s });
            if (s.op === 'vma-copy') copy = { ...s };
          },
          afterStep: (s) => {
            if (s.op === 'rcu' && !s.enter) freed = true;
          },
        },
      );
      freed = false;
      expect(liveReads).toEqual([]);
      expect(copy).toMatchObject({ bytes: 88, vma: id });
      if (prepared) {
        expect(result).toMatchObject({ outcome: 'handled', path: 'spf', abort: null });
      } else {
        // The copy says "no anon_vma": abort, and the mmap_lock path prepares it.
        expect(result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'SPF_ABORT_ANON_VMA' });
        expect(mm.vmaLookup(a)!.anonVma).not.toBeNull();
      }
    });
  }

  it('a stale anon_vma in the copy is caught by the sequence check (the writer ran after the copy)', () => {
    // The copy saw no anon_vma; a writer then changes the mm. The fault must not act on the copy.
    const strategy = createSpfCopyAttrsStrategy();
    const { mm, env } = setup();
    const a = 0x40000000;
    ok(mm.mmap(a, 16 * 4096, RW, ANON));
    expect(drive(strategy, env, { addr: a, errorCode: READ }).result.outcome).toBe('handled');
    const { result } = drive(strategy, env, { addr: a + 4096, errorCode: WRITE }, (s) => {
      if (s.op === 'seq-check') {
        mm.writeLock();
        mm.writeUnlock();
      }
      return undefined;
    });
    expect(result).toMatchObject({ outcome: 'handled', path: 'mmap-lock', abort: 'SPF_ABORT_VMA_COPY' });
  });

  it('the whole-VMA copy behaves the same (anon_vma from its copy)', () => {
    const strategy = createSpfCopyVmaStrategy();
    const { mm, env } = setup();
    const a = 0x40000000;
    ok(mm.mmap(a, 16 * 4096, RW, ANON));
    expect(drive(strategy, env, { addr: a, errorCode: WRITE }).result.outcome).toBe('handled');
    const vma = mm.vmaLookup(a)!;
    let freed = false;
    poison(vma, () => freed);
    const result = runFault(
      strategy,
      env,
      { addr: a + 4096, errorCode: WRITE },
      {
        afterStep: (s) => {
          if (s.op === 'rcu' && !s.enter) freed = true;
        },
      },
    );
    freed = false;
    expect(result).toMatchObject({ outcome: 'handled', path: 'spf', abort: null });
  });
});
