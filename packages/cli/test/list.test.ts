import { VMA_LAYOUTS } from '@vmakit/core';
import { builtinRegistry } from '@vmakit/registry';
import { MUTANTS } from '@vmakit/sim';
import { describe, expect, it } from 'vitest';
import { runCli, runJson } from './fixtures/run-cli.js';

interface ListJson {
  indexes: { name: string; era: string; semantics: string; vma_bytes: number }[];
  strategies: { name: string; needs: { lookup: string } }[];
  workloads: { name: string; params: { name: string; default: number; unit: string }[] }[];
  profiles: { name: string; cpus: number }[];
  mutants: { name: string; applies_to: string[] }[];
  vma_layouts: Record<string, { bytes: number }>;
  bytes_per_fault: {
    strategy: string;
    index: string;
    bytes_per_fault: number;
    safe: boolean;
    reason: string;
  }[];
}

describe('vmakit list', { timeout: 60_000 }, () => {
  it('lists every registered plug-in, profile and mutant', async () => {
    const doc = (await runJson(['list', '--format', 'json'])).json as ListJson;
    const reg = builtinRegistry();
    expect(doc.indexes.map((i) => i.name)).toEqual(reg.indexes.map((p) => p.meta.name));
    expect(doc.strategies.map((s) => s.name)).toEqual([
      'mmap-lock',
      'spf-copy-vma',
      'spf-copy-attrs',
      'per-vma-lock',
    ]);
    expect(doc.workloads.map((w) => w.name)).toContain('page_fault1');
    expect(doc.workloads.map((w) => w.name)).toContain('pft');
    const pf1 = doc.workloads.find((w) => w.name === 'page_fault1')!;
    expect(pf1.params.find((p) => p.name === 'memsize_bytes')).toEqual({
      name: 'memsize_bytes',
      default: 1048576,
      unit: 'bytes',
    });
    expect(doc.profiles.find((p) => p.name === 'skylake-2s')?.cpus).toBe(112);
    expect(doc.mutants.map((m) => m.name)).toEqual(MUTANTS.map((m) => m.name));
    for (const i of doc.indexes)
      expect(i.vma_bytes).toBe(VMA_LAYOUTS[i.era as keyof typeof VMA_LAYOUTS].bytes);
  });

  it('gives bytes copied per fault and the pairing verdict for every strategy x index', async () => {
    const doc = (await runJson(['list', '--format', 'json'])).json as ListJson;
    expect(doc.bytes_per_fault).toHaveLength(doc.strategies.length * doc.indexes.length);
    const cell = (s: string, i: string) =>
      doc.bytes_per_fault.find((c) => c.strategy === s && c.index === i)!;
    for (const i of doc.indexes) {
      // mmap_lock and the per-VMA lock fault on the live VMA; SPF copies the whole vm_area_struct of
      // the index's era (v5.4: 200 bytes, 6.x: 160); the attribute copy is 88 bytes on any era.
      expect(cell('mmap-lock', i.name).bytes_per_fault).toBe(0);
      expect(cell('spf-copy-vma', i.name).bytes_per_fault).toBe(i.vma_bytes);
      expect(cell('spf-copy-attrs', i.name).bytes_per_fault).toBe(88);
      expect(cell('mmap-lock', i.name).safe).toBe(true);
      // A lockless walk that trusts its result needs an index readers can walk during updates.
      expect(cell('per-vma-lock', i.name).safe).toBe(i.semantics !== 'unsafe');
    }
    expect(cell('per-vma-lock', 'rbtree').reason).toMatch(/unsafe/);
  });

  it('prints readable sections as text, and refuses an unknown format', async () => {
    const r = await runCli(['list']);
    for (const title of [
      'Indexes',
      'Fault strategies',
      'Bytes copied per fault',
      'Workloads',
      'Machine profiles',
      'Mutants',
    ])
      expect(r.stdout).toContain(title);
    expect(r.stdout).toMatch(/rbtree +0 +200 +88 +unsafe/);
    const bad = await runCli(['list', '--format', 'xml']);
    expect(bad.error?.message).toMatch(/--format must be 'text' or 'json', not 'xml'/);
    expect((await runCli(['list', '--help'])).stdout).toContain('Example');
  });
});
