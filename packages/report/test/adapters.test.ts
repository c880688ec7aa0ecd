import { describe, expect, it } from 'vitest';
import { createResults, replayRowFrom, validateResults } from '../src/index.js';

const report = {
  capture: 'py-sqlite',
  index: 'maple',
  strategy: null,
  initial: { vmas: 300 },
  events: { faults: 120, syscalls: 40, syscalls_failed: 2, unsupported: 0, unfinished: 1 },
  syscalls: { agreed: 39, disagreed: 1, placement_differs: 0, by_name: { mmap: 20 }, disagreements: ['x'] },
  fault_handling: {
    faults_per_thread: { 100: 120 },
    pgfault: 120,
    spf_abort: 3,
    handled: 118,
    signals: 2,
    weird: -1,
  },
  final: { expected_vmas: 310, actual_vmas: 310, page_mismatches: 0, vma_mismatches: 0, exact_match: true },
  diff: [],
};

describe('replayRowFrom', () => {
  it('maps a replay report (structurally) to a valid replay row', () => {
    const row = replayRowFrom(report);
    expect(row).toEqual({
      capture: 'py-sqlite',
      index: 'maple',
      strategy: null,
      faults: 120,
      faults_handled: 118,
      signals: 2,
      counters: { handled: 118, pgfault: 120, signals: 2, spf_abort: 3 },
      bytes_copied: 0,
      syscalls: 40,
      syscalls_disagreed: 1,
      page_mismatches: 0,
      vma_mismatches: 0,
      exact_match: true,
    });
    const env = {
      node: 'v20',
      platform: 'linux',
      kernel: 'k',
      cpu_model: 'c',
      cpus: 1,
      git_revision: null,
      git_dirty: null,
    };
    const doc = {
      ...createResults({ environment: env, generatedAt: '2026-01-01T00:00:00Z' }),
      replay: { rows: [row] },
    };
    expect(validateResults(doc)).toEqual([]);
  });

  it('gives null comparisons without end maps, and takes explicit figures', () => {
    const row = replayRowFrom(
      { ...report, final: null },
      { faults_handled: 5, signals: 0, bytes_copied: 640, counters: {} },
    );
    expect(row).toMatchObject({
      page_mismatches: null,
      vma_mismatches: null,
      exact_match: null,
      faults_handled: 5,
      bytes_copied: 640,
      counters: {},
    });
  });

  it('takes the fault core counters from fault_handling.counters', () => {
    const row = replayRowFrom({
      ...report,
      strategy: 'spf-copy-vma',
      fault_handling: {
        resolved: true,
        handled: 118,
        signals: 2,
        bytes_copied: 19200,
        bytes_copied_per_fault: 160,
        counters: { pgfault: 120, spf_abort: 3, weird: -1, zero_page_faults: 0 },
        faults_per_thread: { 100: 120 },
      },
    });
    expect(row).toMatchObject({
      strategy: 'spf-copy-vma',
      faults_handled: 118,
      signals: 2,
      bytes_copied: 19200,
    });
    expect(row.counters).toEqual({ pgfault: 120, spf_abort: 3, zero_page_faults: 0 });
  });
});
