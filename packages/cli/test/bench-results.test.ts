/**
 * faultBenchResults(): a fault benchmark report as a results document. The report is built by
 * hand (figures invented) so every branch — kernel measured, not measured, skipped pairings,
 * interrupted — is checked without timing anything.
 */
import type { FaultBenchReport, FaultBenchRow, KernelFaultRate } from '@vmakit/bench/cli';
import { buildReport, faultPathCell, validateResults } from '@vmakit/report';
import { describe, expect, it } from 'vitest';
import { faultBenchResults } from '../src/commands/bench.js';

const KERNEL: Extract<KernelFaultRate, { measured: true }> = {
  measured: true,
  compiler: 'cc',
  faults: 720_000,
  minflt: 720_100,
  iterations: 22,
  page_size: 4096,
  fault_seconds: 2,
  total_seconds: 2.4,
  faults_per_sec: 360_000,
  faults_per_sec_with_munmap: 300_000,
  faults_per_sec_best: 400_000,
  no_huge_pages: true,
};

function row(capture: string, strategy: string, nsPerFault: number): FaultBenchRow {
  const perSec = 1e9 / nsPerFault;
  return {
    capture,
    kind: capture.startsWith('synthetic:') ? 'synthetic' : 'capture',
    strategy,
    index: 'maple',
    faults: 4096,
    ns_per_fault_p50: nsPerFault,
    ns_p99: nsPerFault * 0.9, // below p50: the conversion must not produce an invalid row
    ns_mean: nsPerFault,
    rme: Number.NaN,
    faults_per_sec: perSec,
    faults_per_sec_p50: perSec,
    samples: 9,
    ratio_vs_kernel: perSec / KERNEL.faults_per_sec,
    faults_per_sec_best: perSec * 1.1,
    ratio_best_vs_kernel_best: (perSec * 1.1) / 400_000,
  };
}

function report(kernel: KernelFaultRate | null, aborted = false): FaultBenchReport {
  const measured = kernel?.measured === true;
  const results = [
    row('synthetic:page_fault1', 'mmap-lock', 2500),
    row('mmap-touch', 'per-vma-lock', 4000),
  ].map((r) => (measured ? r : { ...r, ratio_vs_kernel: null, ratio_best_vs_kernel_best: null }));
  return {
    schema: 'vmakit-bench-faults/1',
    results,
    skipped: [{ capture: 'mmap-touch', strategy: 'per-vma-lock', index: 'rbtree', reason: 'unsafe index' }],
    kernel,
    kernel_runs: kernel === null ? [] : [kernel],
    targets: [],
    environment: {
      node: 'v20.20.0',
      v8: '11.3',
      platform: 'linux',
      arch: 'x64',
      kernel: '6.12.0',
      cpu_model: 'test cpu',
      cpus: 2,
      total_memory_bytes: 1 << 30,
      tinybench: '6.0.0',
      timestamp_provider: 'hrtimeNow',
      started_at: '2026-11-26T00:00:00.000Z',
      finished_at: '2026-11-26T00:01:00.000Z',
      load_average_start: 0.5,
      load_average_end: 0.6,
    },
    options: {
      quick: true,
      time: 40,
      warmup_time: 0,
      min_samples: 2,
      captures: ['synthetic:page_fault1', 'mmap-touch'],
      strategies: ['mmap-lock', 'per-vma-lock'],
      indexes: ['maple'],
      page_fault1_megabytes: 16,
    },
    notes: [],
    aborted,
  };
}

describe('faultBenchResults', () => {
  it('gives a valid document whose rows carry the kernel rate their ratios divide by', () => {
    const doc = faultBenchResults(report(KERNEL), { quick: true }, { index: 1, count: 2 });
    expect(validateResults(doc)).toEqual([]);
    expect(doc.metadata.shard).toEqual({ index: 1, count: 2 });
    expect(doc.metadata.options).toEqual({ command: 'bench faults', quick: true });
    const rows = doc.fault_path!.rows;
    expect(doc.metadata.cells!.finished).toEqual(rows.map(faultPathCell));
    expect(rows[0]).toMatchObject({
      workload: 'synthetic:page_fault1',
      kind: 'synthetic',
      ns_p50: 2500,
      ns_p99: 2500,
      rme: 0,
      kernel_faults_per_sec: 360_000,
      ratio_vs_kernel: 1e9 / 2500 / 360_000,
    });
    expect(doc.fault_path!.runner.settings).toMatchObject({ time_ms: 40, page_fault1_mib: 16 });
    expect(doc.metadata.notes).toEqual([
      'bench faults: kernel page_fault1 (one thread, cc) 360000 faults/s pooled over 1 measurement(s), 720000 faults in 22 rounds, ru_minflt 720100, fastest round 400000 faults/s, THP off.',
      'bench faults: per-vma-lock x rbtree on mmap-touch not run: unsafe index',
    ]);
    const section = buildReport(doc).sections.find((s) => s.id === 'fault-path')!;
    expect(JSON.stringify(section)).toContain('was 360 k faults/s on the same machine in the same run');
  });

  it('without the kernel the ratios are null, and why is noted; an interrupted run says so', () => {
    const doc = faultBenchResults(
      report({ measured: false, reason: 'no C compiler' }, true),
      { quick: true },
      null,
    );
    expect(validateResults(doc)).toEqual([]);
    for (const r of doc.fault_path!.rows) {
      expect(r.kernel_faults_per_sec).toBeNull();
      expect(r.ratio_vs_kernel).toBeNull();
      expect(r.ratio_best_vs_kernel_best).toBeNull();
    }
    expect(doc.metadata.notes).toContain("bench faults: the kernel's rate was not measured (no C compiler).");
    expect(doc.metadata.notes).toContain(
      'bench faults: interrupted; the rows hold the pairings that finished.',
    );
  });
});
