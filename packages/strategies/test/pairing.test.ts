/**
 * What each strategy needs from an index, the pairing verdicts, the runner's refusal of unsafe
 * pairings and its flagged mode, bytes copied per fault per era, and the plug-in registry.
 */
import { UnknownNameError, uapi } from '@vmakit/core';
import { checkPairing, runFault, UnsafePairingError, type VmaCopyStep } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import {
  builtinStrategies,
  bytesCopiedMatrix,
  createPerVmaLockStrategy,
  createSpfCopyAttrsStrategy,
  createSpfCopyVmaStrategy,
  strategyPluginByName,
} from '../src/index.js';
import { drive, ok, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;

describe('plug-ins', () => {
  it('four strategies, with meta and needs', () => {
    expect(builtinStrategies.map((p) => p.meta.name)).toEqual([
      'mmap-lock',
      'spf-copy-vma',
      'spf-copy-attrs',
      'per-vma-lock',
    ]);
    for (const p of builtinStrategies) {
      expect(p.meta.kind).toBe('strategy');
      expect(p.meta.version).toBe('0.1.0');
      expect(p.meta.description?.length).toBeGreaterThan(10);
      expect(p.strategy.name).toBe(p.meta.name);
      expect(p.strategy.needs).toEqual(p.needs);
      expect(p.strategy.mutations).toEqual([]);
    }
    expect(strategyPluginByName('per-vma-lock').needs.lookup).toBe('lockless-unvalidated');
    expect(() => strategyPluginByName('rcu-magic')).toThrow(UnknownNameError);
  });
});

describe('pairing', () => {
  const verdicts = (sem: 'unsafe' | 'rcu' | 'snapshot') =>
    builtinStrategies.map((p) => [p.meta.name, checkPairing(p.strategy, sem).safe]);

  it('mmap_lock and SPF are safe with any index; per-VMA locks need rcu or snapshot', () => {
    expect(verdicts('unsafe')).toEqual([
      ['mmap-lock', true],
      ['spf-copy-vma', true],
      ['spf-copy-attrs', true],
      ['per-vma-lock', false],
    ]);
    expect(verdicts('rcu').every(([, safe]) => safe)).toBe(true);
    expect(verdicts('snapshot').every(([, safe]) => safe)).toBe(true);
    expect(checkPairing(createPerVmaLockStrategy(), 'unsafe').reason).toMatch(/'rcu' or 'snapshot'/);
    expect(checkPairing(createSpfCopyVmaStrategy(), 'unsafe').reason).toMatch(/validated by the mmap_seq/);
  });

  it('lockless strategies need RCU-freed VMAs', () => {
    expect(checkPairing(createSpfCopyVmaStrategy(), 'rcu', { rcuFreedVmas: false }).safe).toBe(false);
    expect(
      checkPairing(strategyPluginByName('mmap-lock').strategy, 'rcu', { rcuFreedVmas: false }).safe,
    ).toBe(true);
  });

  it('a mutant is never a safe pairing', () => {
    const m = createSpfCopyVmaStrategy({ skipVmaCopySeqCheck: true });
    expect(m.mutations).toEqual(['skip-vma-copy-seq-check']);
    const v = checkPairing(m, 'snapshot');
    expect(v.safe).toBe(false);
    expect(v.reason).toMatch(/skip-vma-copy-seq-check/);
  });

  it('the runner refuses an unsafe pairing, or runs it flagged', () => {
    const { mm, env } = setup({ semantics: 'unsafe' });
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    const vl = createPerVmaLockStrategy();
    expect(() => runFault(vl, env, { addr: a, errorCode: WRITE })).toThrow(UnsafePairingError);
    const r = runFault(vl, env, { addr: a, errorCode: WRITE }, { allowUnsafe: true });
    expect(r.outcome).toBe('handled');
    expect('unsafePairing' in r && r.unsafePairing).toMatch(/per-vma-lock/);
    const safe = runFault(createSpfCopyVmaStrategy(), env, { addr: a, errorCode: WRITE });
    expect('unsafePairing' in safe).toBe(false);
  });
});

describe('bytes copied per fault', () => {
  const table: Array<[string, number, number]> = [
    ['mmap-lock', 0, 0],
    ['spf-copy-vma', 200, 160],
    ['spf-copy-attrs', 88, 88],
    ['per-vma-lock', 0, 0],
  ];
  for (const [name, rb, mp] of table) {
    it(`${name}: ${rb} B in the rbtree era, ${mp} B in the maple era`, () => {
      const s = strategyPluginByName(name).strategy;
      expect(s.bytesCopied('rbtree-era')).toBe(rb);
      expect(s.bytesCopied('maple-era')).toBe(mp);
    });
  }

  // Offsets from the v5.4 and v6.1 field lists: whole copies span all lines of the struct; the
  // attribute copy (80 B of attributes + the 8 B anon_vma pointer) touches lines 0-2 in both eras
  // (anon_vma / vm_ops / vm_pgoff / vm_file / vm_policy live in lines 2 (rbtree era) or 1-2 (maple era)).
  const steps: Array<['rbtree-era' | 'maple-era', 'whole' | 'attributes', number, number[]]> = [
    ['rbtree-era', 'whole', 200, [0, 1, 2, 3]],
    ['maple-era', 'whole', 160, [0, 1, 2]],
    ['rbtree-era', 'attributes', 88, [0, 1, 2]],
    ['maple-era', 'attributes', 88, [0, 1, 2]],
  ];
  for (const [era, kind, bytes, lines] of steps) {
    it(`the ${kind} copy step in the ${era}: ${bytes} B over lines ${lines.join(',')}`, () => {
      const { mm, env } = setup({ era });
      const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
      const s = kind === 'whole' ? createSpfCopyVmaStrategy() : createSpfCopyAttrsStrategy();
      drive(s, env, { addr: a, errorCode: WRITE });
      const copies = drive(s, env, { addr: a + 4096, errorCode: WRITE }).steps.filter(
        (x): x is VmaCopyStep => x.op === 'vma-copy',
      );
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatchObject({ bytes, lines, vma: mm.vmaLookup(a)!.id });
    });
  }
});

describe('bytesCopiedMatrix', () => {
  const index = (
    name: string,
    era: 'rbtree-era' | 'maple-era',
    semantics: 'unsafe' | 'rcu' | 'snapshot',
  ) => ({
    meta: { name, version: '0', kind: 'index' as const },
    era,
    semantics,
  });
  it('every strategy x index with its bytes per fault and pairing verdict', () => {
    const rows = bytesCopiedMatrix(builtinStrategies, [
      index('rbtree', 'rbtree-era', 'unsafe'),
      index('maple', 'maple-era', 'rcu'),
    ]);
    expect(rows.map((r) => [r.strategy, r.index, r.era, r.bytes_per_fault, r.safe])).toEqual([
      ['mmap-lock', 'rbtree', 'rbtree-era', 0, true],
      ['mmap-lock', 'maple', 'maple-era', 0, true],
      ['spf-copy-vma', 'rbtree', 'rbtree-era', 200, true],
      ['spf-copy-vma', 'maple', 'maple-era', 160, true],
      ['spf-copy-attrs', 'rbtree', 'rbtree-era', 88, true],
      ['spf-copy-attrs', 'maple', 'maple-era', 88, true],
      ['per-vma-lock', 'rbtree', 'rbtree-era', 0, false],
      ['per-vma-lock', 'maple', 'maple-era', 0, true],
    ]);
    expect(rows[6]!.reason).toMatch(/'unsafe' index/);
  });
});
