import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownNameError, VmakitError } from '@vmakit/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  builtinIndexes,
  builtinRegistry,
  createRegistry,
  indexesByNames,
  loadRegistry,
  strategyByName,
} from '../src/index.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('registry', () => {
  it('has the built-in plug-ins with unique names', () => {
    const r = builtinRegistry();
    expect(r.indexes.map((p) => p.meta.name)).toEqual([
      'reference',
      'rbtree',
      'maple',
      'persistent-rbtree',
      'cow-btree',
    ]);
    expect(r.strategies.map((p) => p.meta.name)).toEqual([
      'mmap-lock',
      'spf-copy-vma',
      'spf-copy-attrs',
      'per-vma-lock',
    ]);
    expect(r.workloads.length).toBeGreaterThan(5);
    expect(r.profiles.map((p) => p.meta.kind)).toEqual(r.profiles.map(() => 'profile'));
    expect(r.source).toBe('builtin');
  });

  it('looks names up and lists what exists for an unknown one', () => {
    const r = builtinRegistry();
    expect(indexesByNames(r, 'maple, rbtree').map((p) => p.meta.name)).toEqual(['maple', 'rbtree']);
    expect(indexesByNames(r, 'all')).toHaveLength(5);
    expect(() => strategyByName(r, 'spf')).toThrow(UnknownNameError);
    expect(() => strategyByName(r, 'spf')).toThrow(/known: mmap-lock, spf-copy-vma/);
  });

  it('rejects plug-ins that break the contract, naming them', () => {
    const maple = builtinIndexes[2]!;
    expect(() => createRegistry({ indexes: [maple, maple] }, 'x.ts')).toThrow(
      /two index plug-ins are named 'maple'/,
    );
    expect(() =>
      createRegistry({ indexes: [{ ...maple, meta: { ...maple.meta, name: 'Bad Name' } }] }, 'x.ts'),
    ).toThrow(/meta.name must match/);
    expect(() =>
      createRegistry(
        { indexes: [{ ...maple, meta: { ...maple.meta, kind: 'strategy' as 'index' } }] },
        'x.ts',
      ),
    ).toThrow(/meta.kind is 'strategy'/);
    expect(() => createRegistry({ indexes: [{ ...maple, semantics: 'maybe' as 'rcu' }] }, 'x.ts')).toThrow(
      VmakitError,
    );
  });

  it('loads a vmakit.config file and falls back to the built-ins without one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmakit-registry-'));
    expect((await loadRegistry(dir)).source).toBe('builtin');
    writeFileSync(
      join(dir, 'vmakit.config.mjs'),
      `export default { indexes: [{ meta: { name: 'mine', version: '1.0.0', kind: 'index' }, semantics: 'snapshot', era: 'maple-era', create: () => null }] };\n`,
    );
    const r = await loadRegistry(dir);
    expect(r.indexes.map((p) => p.meta.name)).toEqual(['mine']);
    expect(r.strategies).toHaveLength(4);
    // Each bad config in its own folder: a process loads its configuration once.
    const bad = (body: string) => {
      const d = join(dir, `bad${body.length}`);
      mkdirSync(d);
      writeFileSync(join(d, 'vmakit.config.mjs'), body);
      return d;
    };
    await expect(loadRegistry(bad('export default { indexs: [] };\n'))).rejects.toThrow(
      /unknown key 'indexs'/,
    );
    await expect(loadRegistry(bad('export default {;\n'))).rejects.toThrow(/cannot load the configuration/);
  });

  it('loads a TypeScript config on Node 20', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmakit-registry-'));
    writeFileSync(
      join(dir, 'vmakit.config.ts'),
      `interface P { meta: { name: string; version: string; kind: 'profile' }; profile: unknown }\nconst p: P[] = [];\nexport default { profiles: p };\n`,
    );
    const r = await loadRegistry(dir);
    expect(r.profiles).toEqual([]);
    expect(r.source).toMatch(/vmakit\.config\.ts$/);
  });
});
