/**
 * The index × strategy matrix a capture must pass when its faults go through the fault core: every
 * safe pairing reproduces end.maps exactly (pages, VMA boundaries, VmFlags), agrees with the kernel on
 * every system call, handles every fault but the access errors the process repaired, and gives the
 * same outcomes and page tables as every other pairing; unsafe pairings are skipped with the reason.
 */
import type { IndexPlugin } from '@vmakit/core';
import { cowBtreePlugin } from '@vmakit/index-cow-btree';
import { maplePlugin } from '@vmakit/index-maple';
import { persistentRbtreePlugin } from '@vmakit/index-persistent-rbtree';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { builtinStrategies } from '@vmakit/strategies';
import { referencePlugin } from '@vmakit/testkit';
import { checkPairing } from '@vmakit/x86-fault';
import { expect } from 'vitest';
import { type ReplayMatrixCell, replayMatrix, strategyDisagreements } from '../src/index.js';

/** The five indexes (the reference included). */
export const INDEXES: readonly IndexPlugin[] = [
  referencePlugin,
  rbtreePlugin,
  maplePlugin,
  persistentRbtreePlugin,
  cowBtreePlugin,
];

/** What a capture's replay must show beyond the matrix rules. */
export interface CaptureExpectation {
  readonly faults: number;
  readonly syscalls: number;
}

/** Replays `dir` for all 20 pairings and checks the rules above; returns the cells. */
export async function checkCaptureMatrix(dir: string, want: CaptureExpectation): Promise<ReplayMatrixCell[]> {
  const cells = await replayMatrix(dir, { indexes: INDEXES, strategies: builtinStrategies });
  expect(cells).toHaveLength(INDEXES.length * builtinStrategies.length);
  let ran = 0;
  for (const c of cells) {
    const label = `${c.capture} ${c.index} × ${c.strategy}`;
    const index = INDEXES.find((i) => i.meta.name === c.index)!;
    const strategy = builtinStrategies.find((s) => s.meta.name === c.strategy)!;
    const verdict = checkPairing(strategy.strategy, index.semantics);
    if (!verdict.safe) {
      expect(c.report, label).toBeNull();
      expect(c.skipped, label).toBe(verdict.reason);
      continue;
    }
    ran++;
    expect(c.skipped, label).toBeNull();
    const r = c.report!;
    expect(r.strategy, label).toBe(c.strategy);
    expect(r.events.faults, label).toBe(want.faults);
    expect(r.events.syscalls, label).toBe(want.syscalls);
    expect(r.events.unsupported, label).toBe(0);
    expect(r.syscalls.disagreements, label).toEqual([]);
    expect(r.final, label).toMatchObject({ exact_match: true, flag_mismatches: 0 });
    expect(r.diff, label).toEqual([]);
    const fh = r.fault_handling;
    if (!fh.resolved) throw new Error(`${label}: faults were not resolved`);
    // The process did not crash: any signal must have been repaired by the thread itself.
    expect(fh.signals_unexplained, label).toBe(0);
    expect(fh.handled + fh.signals_recovered, label).toBe(want.faults);
    expect(fh.page_tables.problems, label).toEqual([]);
    expect(fh.bytes_copied, label).toBe(fh.bytes_copied_per_fault * want.faults);
  }
  // rbtree ('unsafe') × per-vma-lock is the one unsafe pairing.
  expect(ran).toBe(cells.length - 1);
  expect(strategyDisagreements(cells)).toEqual([]);
  // On one CPU in trace order the index does not matter either.
  const first = cells.find((c) => c.report !== null)!.report!.fault_handling;
  for (const c of cells) {
    if (c.report === null) continue;
    const fh = c.report.fault_handling;
    if (!fh.resolved || !first.resolved) throw new Error('faults were not resolved');
    expect(fh.outcome_digest, `${c.index} × ${c.strategy}`).toBe(first.outcome_digest);
    expect(fh.page_tables.digest, `${c.index} × ${c.strategy}`).toBe(first.page_tables.digest);
    expect(fh.faults, `${c.index} × ${c.strategy}`).toEqual(first.faults);
  }
  return cells;
}
