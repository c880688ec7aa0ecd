/**
 * Markdown rendering of an index benchmark report (the CLI's table output and the READMEs'
 * "Measured" sections).
 */
import type { IndexBenchReport, IndexBenchRow } from './run.js';

function num(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

function opsPerSec(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(0);
}

/** Wraps prose lines (not tables or list items) at `width` characters, on spaces. */
function wrapProse(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width || line.startsWith('|')) {
      out.push(line);
      continue;
    }
    let rest = line;
    while (rest.length > width) {
      const cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) break;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
    out.push(rest);
  }
  return out;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Options of formatIndexBenchMarkdown(). */
export interface FormatOptions {
  /** Only these layouts (default all). */
  readonly layouts?: readonly string[];
  /** Only rows of these structures (plus the baselines, always kept for context). */
  readonly indexes?: readonly string[];
  /** Heading level of the top heading (default 2). */
  readonly level?: number;
  /** Include the environment line and notes (default true). */
  readonly environment?: boolean;
}

/**
 * Renders the report as Markdown: one table per layout (op × structure with per-op p50/p99 ns,
 * ±rme, throughput, ratio to `limit`, samples), the memory table and the reported targets.
 */
export function formatIndexBenchMarkdown(report: IndexBenchReport, options: FormatOptions = {}): string {
  const h = '#'.repeat(options.level ?? 2);
  const keep = (r: IndexBenchRow): boolean =>
    (options.layouts === undefined || options.layouts.includes(r.layout)) &&
    (options.indexes === undefined || r.kind === 'baseline' || options.indexes.includes(r.index));
  const out: string[] = [];
  const env = report.environment;
  if (options.environment ?? true) {
    out.push(
      `${h} Index benchmarks`,
      '',
      `${env.started_at.slice(0, 10)} · ${env.cpu_model} (${env.cpus} CPUs) · Node ${env.node} (V8 ${env.v8}) · ${env.platform} ${env.kernel} · tinybench ${env.tinybench ?? '?'} · ` +
        `${report.options.quick ? 'quick' : 'full'} mode, ${report.options.time_ms} ms per task, seed ${report.options.seed} · ` +
        `load average ${env.load_average_start.toFixed(1)} → ${env.load_average_end.toFixed(1)}`,
      '',
      'Times are per operation (sample time / operations per sample), p50 and p99 over tinybench samples; ' +
        '`±rme` is the relative margin of error of the mean; `× limit` is p50 over the p50 of the sorted-array ' +
        'binary search measured in the same run.',
      '',
    );
  }
  const units = new Map(report.ops.map((o) => [o.name, o.unit]));
  for (const layout of report.layouts) {
    if (options.layouts !== undefined && !options.layouts.includes(layout.name)) continue;
    const rows = report.results.filter((r) => r.layout === layout.name && keep(r));
    if (rows.length === 0) continue;
    out.push(`${h}# ${layout.name} (${layout.vmas.toLocaleString('en-US')} VMAs)`, '');
    out.push(
      ...table(
        ['op', 'structure', 'p50 ns/op', 'p99 ns/op', '±rme', 'ops/s', '× limit', 'samples'],
        rows.map((r) => [
          r.op,
          r.kind === 'baseline' ? `_${r.index}_` : `**${r.index}**`,
          num(r.ns_p50),
          num(r.ns_p99),
          `${r.rme.toFixed(1)} %`,
          opsPerSec(r.ops_per_sec),
          r.ratio_vs_limit === null ? '' : `${r.ratio_vs_limit.toFixed(2)}×`,
          String(r.samples),
        ]),
      ),
      '',
    );
  }
  const opsUsed = [...new Set(report.results.filter(keep).map((r) => r.op))];
  if (opsUsed.length > 0) {
    out.push('Operations:', '', ...opsUsed.map((o) => `- \`${o}\`: ${units.get(o) ?? ''}`), '');
  }
  const mem = report.memory.filter(
    (m) => options.indexes === undefined || m.kind === 'baseline' || options.indexes.includes(m.index),
  );
  if (mem.length > 0) {
    out.push(
      `${h}# Memory at ${mem[0]!.vmas.toLocaleString('en-US')} VMAs`,
      '',
      'Heap growth (V8 heap + ArrayBuffers) per VMA after full GCs in a fresh `node --expose-gc` process, ' +
        'VMA objects excluded; model = the index’s own kernel-layout estimate (stats().bytes / VMAs).',
      '',
      ...table(
        ['structure', 'heap B/VMA', 'of which ArrayBuffer', 'model B/VMA'],
        mem.map((m) => [
          m.kind === 'baseline' ? `_${m.index}_` : `**${m.index}**`,
          num(m.heap_bytes_per_vma),
          num(m.array_buffer_bytes_per_vma),
          m.model_bytes_per_vma === null ? '' : num(m.model_bytes_per_vma),
        ]),
      ),
      '',
    );
  }
  if (report.targets.length > 0) {
    out.push(`${h}# Targets (reported, not asserted)`, '');
    for (const t of report.targets) {
      out.push(`- ${t.target} at ${t.layout}: ${t.value.toFixed(2)} → ${t.met ? 'met' : 'not met'}`);
    }
    out.push('');
  }
  if ((options.environment ?? true) && report.notes.length > 0) {
    out.push('Notes:', '', ...report.notes.map((n) => `- ${n}`), '');
  }
  return out.join('\n');
}

const STRUCTURE_ORDER = (report: IndexBenchReport): string[] => [
  ...report.options.indexes,
  ...report.options.baselines,
];

function p50Matrix(report: IndexBenchReport, layout: string, bold: string): string[] {
  const names = STRUCTURE_ORDER(report);
  const rows = report.results.filter((r) => r.layout === layout);
  return table(
    ['op', ...names.map((n) => (n === bold ? `**${n}**` : n))],
    report.options.ops
      .filter((op) => rows.some((r) => r.op === op))
      .map((op) => [
        op,
        ...names.map((n) => {
          const r = rows.find((x) => x.op === op && x.index === n);
          if (r === undefined) return '—';
          return n === bold ? `**${num(r.ns_p50)}**` : num(r.ns_p50);
        }),
      ]),
  );
}

/**
 * The "Measured" section of an index package's README: when and where, the p50 matrices of the
 * synthetic layouts (every structure of the run, this index in bold), this index's detail at the
 * largest synthetic layout and on the captures, the memory table and the targets. `note` is added to
 * the first paragraph (e.g. the commit measured).
 */
export function formatMeasuredSection(report: IndexBenchReport, index: string, note?: string): string {
  const env = report.environment;
  const o = report.options;
  const out: string[] = [
    '## Measured',
    '',
    `Run of ${env.started_at.slice(0, 10)} (${env.started_at.slice(11, 16)} UTC) on ${env.cpu_model}, ${env.cpus} CPUs, ` +
      `${(env.total_memory_bytes / 2 ** 30).toFixed(0)} GiB, ${env.platform} ${env.kernel}, Node ${env.node} (V8 ${env.v8}), ` +
      `tinybench ${env.tinybench ?? '?'}: \`runIndexBenchmarks\` of \`@vmakit/bench\` in ${o.quick ? 'quick' : 'full'} mode ` +
      `(seed ${o.seed}, ${o.time_ms} ms per task after ${o.warmup_ms} ms of warm-up), with ${o.indexes.join(', ')} and the ` +
      `baselines in the same run${note === undefined ? '' : ` (${note})`}; see bench/README.md for the method. ` +
      'Times are nanoseconds per operation.',
    '',
    `**Noisy machine:** a shared ${env.cpus}-CPU virtual machine on which other work was running (1-minute load ` +
      `average ${env.load_average_start.toFixed(1)} at the start, ${env.load_average_end.toFixed(1)} at the end). ` +
      'Compare numbers within one table only and treat differences under about 20 % as noise; a rerun will differ.',
    '',
  ];
  const synthetic = report.layouts.filter((l) => l.source === 'synthetic').sort((a, b) => b.vmas - a.vmas);
  for (const l of synthetic) {
    out.push(
      `p50 per operation, \`${l.name}\` (${l.vmas.toLocaleString('en-US')} VMAs; — = does not take part):`,
      '',
    );
    out.push(...p50Matrix(report, l.name, index), '');
  }
  const big = synthetic[0];
  if (big !== undefined) {
    const rows = report.results.filter((r) => r.layout === big.name && r.index === index);
    out.push(`\`${index}\` at ${big.vmas.toLocaleString('en-US')} VMAs in detail:`, '');
    out.push(
      ...table(
        ['op', 'p50 ns', 'p99 ns', '±rme', 'ops/s', '× limit', 'samples'],
        rows.map((r) => [
          r.op,
          num(r.ns_p50),
          num(r.ns_p99),
          `${r.rme.toFixed(1)} %`,
          opsPerSec(r.ops_per_sec),
          r.ratio_vs_limit === null ? '' : `${r.ratio_vs_limit.toFixed(2)}×`,
          String(r.samples),
        ]),
      ),
      '',
    );
  }
  const captures = report.layouts.filter((l) => l.source === 'capture');
  const capOps = [
    'find-random',
    'find-seq',
    'lookup-random',
    'gap-topdown',
    'churn-mmap',
    'churn-mprotect',
  ] as const;
  if (captures.length > 0) {
    out.push(`\`${index}\` on the captured address spaces (p50 ns; × limit in brackets):`, '');
    out.push(
      ...table(
        ['layout', 'VMAs', ...capOps],
        captures.map((l) => [
          l.name,
          String(l.vmas),
          ...capOps.map((op) => {
            const r = report.results.find((x) => x.layout === l.name && x.index === index && x.op === op);
            if (r === undefined) return '—';
            return r.ratio_vs_limit === null
              ? num(r.ns_p50)
              : `${num(r.ns_p50)} (${r.ratio_vs_limit.toFixed(2)}×)`;
          }),
        ]),
      ),
      '',
    );
  }
  if (report.memory.length > 0) {
    out.push(
      `Memory at ${report.memory[0]!.vmas.toLocaleString('en-US')} VMAs (heap + ArrayBuffer growth per VMA after full GCs in a fresh ` +
        '`node --expose-gc` process, VMA objects excluded; model = `stats().bytes` / VMAs):',
      '',
      ...table(
        ['structure', 'heap B/VMA', 'of which ArrayBuffer', 'model B/VMA'],
        report.memory.map((m) => [
          m.index === index ? `**${m.index}**` : m.index,
          num(m.heap_bytes_per_vma),
          num(m.array_buffer_bytes_per_vma),
          m.model_bytes_per_vma === null ? '—' : num(m.model_bytes_per_vma),
        ]),
      ),
      '',
    );
  }
  const targets = report.targets.filter((t) => t.target.startsWith(`${index} `));
  if (targets.length > 0) {
    out.push('Targets (reported, not asserted):', '');
    for (const t of targets)
      out.push(`- ${t.target}: ${t.value.toFixed(2)} — ${t.met ? 'met' : 'not met'} in this run`);
    out.push('');
  }
  return wrapProse(out, 100).join('\n');
}
