/**
 * Registry-wide conformance: every index registered in this repository's vmakit.config.ts runs
 * describeVmaIndex, so a newly registered index is held to the contract with no further edit.
 *
 * Budget (CI time): each index package already runs the full suite in its own project, so here every
 * index gets a smaller differential budget (3,000 operations) and a smaller big scenario; the
 * kernel vectors are skipped for the built-ins (their packages replay them) and replayed for every
 * other index. The reference index does not report probe traffic (as in its own package).
 * VMAKIT_CONFORMANCE_OPS still overrides the differential budget.
 *
 * The configuration is loaded the way the CLI loads it (jiti, packages from their dist/), so this
 * needs `tsc -b` first (`pnpm test` does that) and skips with a message otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexPlugin } from '@vmakit/core';
import { findRepoRoot } from '@vmakit/testkit';
import { describeVmaIndex } from '@vmakit/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { builtinIndexes, loadRegistry } from '../src/index.js';

const root = findRepoRoot(import.meta.dirname)!;
const built = existsSync(join(root, 'packages', 'registry', 'dist', 'index.js'));
const BUILTIN = new Set(builtinIndexes.map((p) => p.meta.name));
const indexes: readonly IndexPlugin[] = built ? (await loadRegistry(root)).indexes : [];

describe.skipIf(!built)('the repository registry', () => {
  it('lists every built-in index and loads from vmakit.config.ts', async () => {
    const r = await loadRegistry(root);
    expect(r.source).toMatch(/vmakit\.config\.ts$/);
    expect(r.indexes.map((p) => p.meta.name)).toEqual(expect.arrayContaining([...BUILTIN]));
  });
});

for (const plugin of indexes) {
  const name = plugin.meta.name;
  const builtin = BUILTIN.has(name);
  describeVmaIndex(`registry: ${name}`, plugin.create, {
    semantics: plugin.semantics,
    ops: 3_000,
    skipVectors: builtin,
    skipProbe: name === 'reference',
    big: builtin ? { count: 4_096, churn: 2_000 } : { count: 8_192, churn: 4_000 },
  });
}

if (!built) {
  describe('registry-wide conformance', () => {
    it.skip('skipped: packages/registry/dist is missing; run tsc -b first', () => undefined);
  });
}
