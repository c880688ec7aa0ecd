/**
 * Markdown rendering of a fault benchmark report (the CLI's table output and the READMEs' "Measured"
 * sections).
 */
import type { FaultBenchReport } from './run.js';

function rate(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(0);
}

function ns(v: number): string {
  return v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Options of formatFaultBenchMarkdown(). */
export interface FaultFormatOptions {
  /** Heading level of the top heading (default 2). */
  readonly level?: number;
  /** Include the environment line, the kernel's measurement and the notes (default true). */
  readonly environment?: boolean;
}

/**
 * Renders the report as Markdown: the kernel's page_fault1 rate, then one table per workload
 * (strategy × index: ns per fault p50/p99, ±rme, faults/s, ratio to the kernel, samples), the
 * skipped pairings and the goal (simulated ≥ kernel faults/s), reported and never asserted.
 */
export function formatFaultBenchMarkdown(report: FaultBenchReport, options: FaultFormatOptions = {}): string {
  const h = '#'.repeat(options.level ?? 2);
  const env = report.environment;
  const o = report.options;
  const out: string[] = [];
  const k = report.kernel;
  if (options.environment ?? true) {
    out.push(
      `${h} Fault-path benchmarks`,
      '',
      `${env.started_at.slice(0, 10)} · ${env.cpu_model} (${env.cpus} CPUs) · Node ${env.node} (V8 ${env.v8}) · ` +
        `${env.platform} ${env.kernel} · tinybench ${env.tinybench ?? '?'} · ${o.quick ? 'quick' : 'full'} mode, ` +
        `${o.time} ms per task · load average ${env.load_average_start.toFixed(1)} → ${env.load_average_end.toFixed(1)}`,
      '',
    );
    if (k === null) out.push('Kernel fault rate: not asked.', '');
    else if (!k.measured) out.push(`Kernel fault rate: not measured (${k.reason}).`, '');
    else {
      const runs = report.kernel_runs
        .map((r) => (r.measured ? `${rate(r.faults_per_sec)}` : 'skipped'))
        .join(' before, ');
      out.push(
        `Kernel (page_fault1-style, one thread, ${k.compiler}): ${rate(k.faults_per_sec)} faults/s ` +
          `(${ns(1e9 / k.faults_per_sec)} ns per fault; ${rate(k.faults_per_sec_with_munmap)} faults/s with munmap; ` +
          `${k.faults.toLocaleString('en-US')} faults in ${k.iterations} rounds, ru_minflt ${k.minflt.toLocaleString('en-US')}, ` +
          `fastest round ${rate(k.faults_per_sec_best)} faults/s; THP ${k.no_huge_pages ? 'off' : 'not disabled'}` +
          `${report.kernel_runs.length > 1 ? `; measured ${runs} after the simulated runs, pooled` : ''}).`,
        '',
      );
    }
  }
  const workloads = [...new Set(report.results.map((r) => r.capture))];
  for (const w of workloads) {
    const rows = report.results.filter((r) => r.capture === w);
    out.push(`${h}# ${w} (${rows[0]!.faults.toLocaleString('en-US')} faults per sample)`, '');
    out.push(
      ...table(
        [
          'strategy',
          'index',
          'p50 ns/fault',
          'p99 ns/fault',
          '±rme',
          'faults/s',
          '÷ kernel',
          'best faults/s',
          'best ÷ kernel best',
          'samples',
        ],
        rows.map((r) => [
          r.strategy,
          r.index,
          ns(r.ns_per_fault_p50),
          ns(r.ns_p99),
          `${r.rme.toFixed(1)} %`,
          rate(r.faults_per_sec),
          r.ratio_vs_kernel === null ? '' : `${r.ratio_vs_kernel.toFixed(2)}×`,
          rate(r.faults_per_sec_best),
          r.ratio_best_vs_kernel_best === null ? '' : `${r.ratio_best_vs_kernel_best.toFixed(2)}×`,
          String(r.samples),
        ]),
      ),
      '',
    );
  }
  if (report.skipped.length > 0) {
    const seen = new Set<string>();
    out.push('Not run (unsafe pairings):', '');
    for (const s of report.skipped) {
      const key = `${s.strategy} ${s.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`- ${s.strategy} over ${s.index}: ${s.reason}`);
    }
    out.push('');
  }
  if (report.targets.length > 0) {
    out.push(`${h}# Goal (reported, not asserted)`, '');
    for (const t of report.targets) {
      out.push(
        `- ${t.strategy} over ${t.index}: ${t.value.toFixed(2)}× the kernel → ${t.met ? 'met' : 'not met'}`,
      );
    }
    out.push('');
  }
  if ((options.environment ?? true) && report.notes.length > 0) {
    out.push('Notes:', '', ...report.notes.map((n) => `- ${n}`), '');
  }
  return out.join('\n');
}
