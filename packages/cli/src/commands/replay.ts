/**
 * `vmakit replay DIR`: replays a captured process through the model — on one CPU, in trace order —
 * and compares the outcome with the kernel's. With `--strategy` every traced fault is resolved
 * through the fault core by that strategy (an unsafe strategy × index pairing is refused);
 * without it faults are only counted.
 */
import { indexByName, strategyByName } from '@vmakit/registry';
import { coreFaultHandler, type ReplayReport, replayCapture } from '@vmakit/replay';
import type { Command } from 'commander';
import { keyValueTable, parseFormat, printJson, printText } from '../output.js';
import type { RegistrySource } from '../registry.js';
import { safeName } from '../terminal.js';

/** A short human summary of a replay (terminal-safe). */
export function replaySummary(r: ReplayReport): string {
  const fh = r.fault_handling;
  const rows: Array<[string, string]> = [
    ['capture', r.capture],
    ['index', r.index],
    ['strategy', r.strategy ?? '(faults counted, not resolved)'],
    ['faults', String(r.events.faults)],
    ['syscalls', `${r.events.syscalls} (${r.syscalls.agreed} agree with the kernel)`],
    ['placement differs', String(r.syscalls.placement_differs)],
  ];
  if (fh.resolved) {
    rows.push(
      ['faults handled', String(fh.handled)],
      [
        'signals',
        `${fh.signals} (${fh.signals_recovered} repaired by a later call, ${fh.signals_unexplained} unexplained)`,
      ],
      ['bytes copied', `${fh.bytes_copied} (${fh.bytes_copied_per_fault.toFixed(1)} per fault)`],
      ['page tables', `${fh.page_tables.ptes} PTEs, ${fh.page_tables.problems.length} problems`],
    );
  }
  if (r.final !== null) {
    rows.push(
      ['VMAs expected / model', `${r.final.expected_vmas} / ${r.final.actual_vmas}`],
      ['page mismatches', String(r.final.page_mismatches)],
      ['VMA line mismatches', String(r.final.vma_mismatches)],
      ['exact match', r.final.exact_match ? 'yes' : 'no'],
    );
  } else rows.push(['end.maps', 'absent: nothing to compare']);
  const lines = [keyValueTable(rows)];
  const list = (title: string, items: readonly string[]) => {
    if (items.length > 0) lines.push('', title, ...items.map((s) => `  ${safeName(s)}`));
  };
  list('disagreements:', r.syscalls.disagreements);
  if (fh.resolved) list('signals:', fh.signal_details);
  list('maps differences (- kernel only, + model only):', r.diff);
  return `${lines.join('\n')}\n`;
}

/** Registers the command. */
export function registerReplay(program: Command, registry: RegistrySource): void {
  program
    .command('replay')
    .description(
      'replay a capture directory (start.maps, trace.txt[.gz], end.maps) on one CPU and compare with the kernel',
    )
    .argument('<dir>', 'capture directory')
    .option('--index <name>', 'VMA index to build the address space on', 'maple')
    .option('--strategy <name>', 'resolve every fault with this strategy (default: only count faults)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit replay fixtures/captures/mmap-touch --index maple --strategy per-vma-lock\n' +
        '  vmakit replay ../shared/traces/c-arenas --index rbtree --format json\n',
    )
    .action(async (dir: string, opts: { index: string; strategy?: string; format: string }) => {
      const format = parseFormat(opts.format);
      const reg = await registry();
      const plugin = indexByName(reg, opts.index);
      const strategy = opts.strategy === undefined ? undefined : strategyByName(reg, opts.strategy);
      const report = await replayCapture(dir, {
        index: plugin,
        ...(strategy !== undefined ? { faults: coreFaultHandler({ strategy }) } : {}),
      });
      if (format === 'json') printJson(report);
      else printText(replaySummary(report));
    });
}
