/**
 * describeVmaIndex(): registers the whole conformance suite for one index package with vitest.
 */
import type { IndexFactory, IndexOptions, LocklessSemantics, VmaIndex } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { findSharedDir, sharedMissingMessage } from '../shared-dir.js';
import type { VectorEntry } from '../vectors/entry.js';
import { replayKernelVectors } from '../vectors/replay.js';
import { checkBigSequential } from './big.js';
import { CONTRACT_ERRORS } from './contract-errors.js';
import { checkDifferential } from './differential.js';
import { EDGE_CASES } from './edge-cases.js';
import type { TestEntry } from './entry.js';
import { type ConformanceOptions, DEFAULT_SEED, deriveSeed, resolveOps, timeoutFor } from './options.js';
import { checkProbe } from './probe.js';
import { PROFILES } from './profiles.js';
import { checkReaderSemantics } from './readers.js';

const SEMANTICS: readonly LocklessSemantics[] = ['unsafe', 'rcu', 'snapshot'];

/**
 * Registers `VmaIndex conformance: <name>` with vitest: edge cases, contract errors, differential
 * property tests against the reference index (fixed seeds), a 65,530-VMA sequential scenario,
 * lockless-reader semantics, probe reports and the kernel's maple-tree vectors. Call it at the top
 * level of a test file:
 *
 *     describeVmaIndex('maple', (o) => createMapleIndex(o));
 *
 * `factory` must return a new, empty index each call, for any entry type.
 */
export function describeVmaIndex(
  name: string,
  factory: IndexFactory,
  options: ConformanceOptions = {},
): void {
  const seed = options.seed ?? DEFAULT_SEED;
  const total = resolveOps(options);
  const perProfile = Math.max(1, Math.ceil(total / PROFILES.length));
  const readerRuns = Math.max(8, Math.ceil(total / 750));
  const sharedDir = options.skipVectors === true ? null : findSharedDir('kernel-vectors');

  describe(`VmaIndex conformance: ${name}`, () => {
    it('declares a name, semantics and era, and starts empty', () => {
      const ix: VmaIndex<TestEntry> = factory<TestEntry>({});
      expect(typeof ix.name).toBe('string');
      expect(ix.name.length).toBeGreaterThan(0);
      expect(SEMANTICS).toContain(ix.semantics);
      if (options.semantics !== undefined) expect(ix.semantics).toBe(options.semantics);
      expect(['rbtree-era', 'maple-era']).toContain(ix.era);
      expect(ix.size).toBe(0);
      expect(ix.stats().entries).toBe(0);
      expect(ix.stats().height).toBe(0);
      ix.validate();
      const other = factory<TestEntry>({});
      expect(other).not.toBe(ix);
    });

    describe('edge cases', () => {
      for (const s of EDGE_CASES) it(s.name, () => s.run(factory, `${name}: ${s.name}`), timeoutFor(20_000));
    });

    describe('contract errors leave the index unchanged', () => {
      for (const s of CONTRACT_ERRORS)
        it(s.name, () => s.run(factory, `${name}: ${s.name}`), timeoutFor(5_000));
    });

    describe(`differential vs ReferenceIndex (${total} operations)`, () => {
      PROFILES.forEach((profile, i) => {
        it(
          `${profile.name}: ~${perProfile} operations, seed ${deriveSeed(seed, i)}`,
          async ({ annotate }) => {
            const r = checkDifferential(factory, {
              profile,
              seed: deriveSeed(seed, i),
              ops: perProfile,
              name,
            });
            expect(r.ops).toBeGreaterThan(0);
            await annotate(`${r.runs} runs, ${r.ops} operations`);
          },
          timeoutFor(perProfile),
        );
      });
    });

    const bigCount = options.big?.count ?? 65_530;
    const bigChurn = options.big?.churn ?? 20_000;
    it(
      `big sequential scenario: ${bigCount} page-sized VMAs, ${bigChurn} churn updates, then empty`,
      async ({ annotate }) => {
        const r = checkBigSequential(factory, {
          seed: deriveSeed(seed, 100),
          count: bigCount,
          churn: bigChurn,
          name,
        });
        expect(r.checkpoints).toBeGreaterThan(2);
        await annotate(`${r.checkpoints} full checkpoints, largest stats().height ${r.maxHeight}`);
      },
      timeoutFor(bigCount * 4 + bigChurn),
    );

    it(
      `lockless readers follow the declared semantics (${readerRuns} runs)`,
      async ({ annotate }) => {
        const semantics = options.semantics ?? factory<TestEntry>({}).semantics;
        const r = checkReaderSemantics(factory, {
          semantics,
          seed: deriveSeed(seed, 200),
          runs: readerRuns,
          name,
        });
        expect(r.queries).toBeGreaterThan(0);
        await annotate(`${semantics}: ${r.runs} runs, ${r.queries} reader queries`);
      },
      timeoutFor(readerRuns * 2000),
    );

    it.skipIf(options.skipProbe === true)(
      options.skipProbe === true
        ? 'probe reports (skipped by options.skipProbe)'
        : 'probe: reads, writes, alloc/retire ids',
      async ({ annotate }) => {
        const r = checkProbe(factory, deriveSeed(seed, 300), name);
        expect(r.reads).toBeGreaterThan(0);
        expect(r.writes).toBeGreaterThan(0);
        await annotate(
          `reads ${r.reads}, writes ${r.writes}, allocs ${r.allocs}, retires ${r.retires} (${r.deferredRetires} deferred), live at the end ${r.live}`,
        );
      },
      timeoutFor(20_000),
    );

    const vectorsTitle =
      options.skipVectors === true
        ? 'kernel maple-tree vectors (skipped by options.skipVectors)'
        : sharedDir === null
          ? `kernel maple-tree vectors: ${sharedMissingMessage('kernel-vectors')}`
          : 'kernel maple-tree vectors: 0 mismatches, 0 gap mismatches, every assertion holds';
    it.skipIf(sharedDir === null)(
      vectorsTitle,
      async ({ annotate }) => {
        const vf = (o?: IndexOptions) => factory<VectorEntry>(o);
        const report = replayKernelVectors(sharedDir!, vf, {
          validateEvery: options.vectorsValidateEvery ?? 1,
        });
        const summary = {
          mismatches: report.mismatches,
          gap_mismatches: report.gap_mismatches,
          assertion_failures: report.assertion_failures,
          failures: report.failures,
        };
        expect(summary).toEqual({ mismatches: 0, gap_mismatches: 0, assertion_failures: 0, failures: [] });
        expect(report.sets).toBe(43);
        expect(report.ops).toBe(32_656);
        expect(report.gap_checks).toBe(30);
        await annotate(
          `${report.sets} sets, ${report.ops} ops, ${report.gap_checks} gap checks, ${report.assertions} assertions, ${report.validations} validate() calls`,
        );
      },
      timeoutFor(200_000),
    );
  });
}
