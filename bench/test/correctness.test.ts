import {
  defineIndexPlugin,
  type IndexEntry,
  type IndexOptions,
  type IndexPlugin,
  type UnmappedAreaRequest,
} from '@vmakit/core';
import { maplePlugin } from '@vmakit/index-maple';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import {
  BenchVerificationError,
  baselineSubjects,
  buildOracle,
  compileLoop,
  expectedChecksum,
  generateQueries,
  INDEX_BENCH_OPS,
  indexSubject,
  OP_SPECS,
  runIndexBenchmarks,
  supports,
  syntheticLayoutFor,
  verifyContents,
  verifyOp,
} from '../src/index.js';

/** find() answers like lookup(): null in gaps (a classic off-by-semantics bug). */
class FindIsLookup<E extends IndexEntry> extends ReferenceIndex<E> {
  override find(addr: number): E | null {
    return this.lookup(addr);
  }
}

/** Top-down requests answered bottom-up. */
class BottomUpGaps<E extends IndexEntry> extends ReferenceIndex<E> {
  override unmappedArea(req: UnmappedAreaRequest): number {
    return super.unmappedArea({ ...req, topDown: false });
  }
}

/** store() drops the re-merge when the window is already mapped to the same entry at its start. */
class LazyStore<E extends IndexEntry> extends ReferenceIndex<E> {
  override store(start: number, end: number, entry: E | null): void {
    if (entry !== null && this.lookup(start) === entry) return;
    super.store(start, end, entry);
  }
}

function wrongPlugin(name: string, make: (o?: IndexOptions) => ReferenceIndex<IndexEntry>): IndexPlugin {
  return defineIndexPlugin({
    meta: { name, version: '0.0.0', kind: 'index' },
    semantics: 'snapshot',
    era: 'maple-era',
    create: <E extends IndexEntry>(o?: IndexOptions) => make(o) as unknown as ReferenceIndex<E>,
  });
}

const base = {
  quick: true,
  layouts: ['synthetic-1000'],
  syntheticSizes: [1000],
  tracesDir: null,
  memory: false,
  time: 5,
};

describe('the warm-up correctness check', () => {
  it.each([
    [
      'find-random',
      wrongPlugin('find-is-lookup', (o) => new FindIsLookup(o)),
      /find\(0x[0-9a-f]+\) returned nothing, expected VMA/,
    ],
    [
      'gap-topdown',
      wrongPlugin('bottom-up', (o) => new BottomUpGaps(o)),
      /unmappedArea returned 0x[0-9a-f]+, expected/,
    ],
    ['churn-mprotect', wrongPlugin('lazy-store', (o) => new LazyStore(o)), /after re-merging .* gives VMA/],
  ])('stops the run when an index is wrong (%s)', async (op, plugin, message) => {
    const run = runIndexBenchmarks({ ...base, indexes: [rbtreePlugin, plugin], ops: [op] });
    await expect(run).rejects.toBeInstanceOf(BenchVerificationError);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toThrow(new RegExp(`'${plugin.meta.name}' on synthetic-1000, ${op}`));
  });

  it('passes every real index and baseline on every op, and each compiled loop matches the oracle', () => {
    const layout = syntheticLayoutFor(1000, 9);
    const oracle = buildOracle(layout);
    const queries = generateQueries(
      layout,
      9,
      { addresses: 2048, windows: 256, gaps: 128, splits: 128 },
      (r) => oracle.unmappedArea(r),
    );
    const subjects = [indexSubject(rbtreePlugin), indexSubject(maplePlugin), ...baselineSubjects()];
    let checks = 0;
    for (const op of INDEX_BENCH_OPS) {
      const expected = expectedChecksum(op, oracle, queries, layout);
      for (const subject of subjects.filter((s) => supports(s, op))) {
        const target = subject.build(layout);
        verifyContents(subject, target, layout, 'build');
        verifyOp({
          subject,
          target,
          layout,
          queries,
          op,
          oracle,
          loop: compileLoop(OP_SPECS[op].loops[subject.flavor]!),
          expected,
        });
        checks++;
      }
    }
    // 5 read ops × 5 structures, find-seq-cached 3 (indexes and limit), gap 2, churn-insert-remove 4,
    // churn-mmap 2, churn-mprotect 2.
    expect(checks).toBe(25 + 3 + 2 + 4 + 2 + 2);
  });

  it('catches a baseline loop that drifts from the oracle (checksum)', () => {
    const layout = syntheticLayoutFor(1000, 9);
    const oracle = buildOracle(layout);
    const queries = generateQueries(layout, 9, { addresses: 1024, windows: 128, gaps: 64, splits: 64 }, (r) =>
      oracle.unmappedArea(r),
    );
    const limit = baselineSubjects()[0]!;
    const target = limit.build(layout);
    // A loop that skips the last query.
    const loop = compileLoop(OP_SPECS['find-random'].loops.limit!.replace('i < e;', 'i < e - 1;'));
    const expected = expectedChecksum('find-random', oracle, queries, layout);
    expect(() =>
      verifyOp({ subject: limit, target, layout, queries, op: 'find-random', oracle, loop, expected }),
    ).toThrow(/checksum/);
  });
});
