/**
 * `vmakit replay DIR`: replays a captured process through the model and compares the outcome with
 * the kernel's.
 */

import { indexByName } from '@vmakit/registry';
import { type ReplayReport, replayCapture } from '@vmakit/replay';
import type { Command } from 'commander';
import { keyValueTable, parseFormat, printJson } from '../output.js';
import type { RegistrySource } from '../registry.js';

/** A short human summary of a replay. */
export function replaySummary(r: ReplayReport): string {
  const rows: Array<[string, string]> = [
    ['capture', r.capture],
    ['index', r.index],
    ['strategy', r.strategy ?? '(faults counted, not resolved)'],
    ['faults', String(r.events.faults)],
    ['syscalls', `${r.events.syscalls} (${r.syscalls.agreed} agree with the kernel)`],
    ['placement differs', String(r.syscalls.placement_differs)],
  ];
  if (r.final !== null) {
    rows.push(
      ['VMAs expected / model', `${r.final.expected_vmas} / ${r.final.actual_vmas}`],
      ['page mismatches', String(r.final.page_mismatches)],
      ['VMA line mismatches', String(r.final.vma_mismatches)],
      ['exact match', r.final.exact_match ? 'yes' : 'no'],
    );
  } else rows.push(['end.maps', 'absent: nothing to compare']);
  const lines = [keyValueTable(rows)];
  if (r.syscalls.disagreements.length > 0) lines.push('', 'disagreements:', ...r.syscalls.disagreements);
  if (r.diff.length > 0) lines.push('', 'maps differences (- kernel only, + model only):', ...r.diff);
  return `${lines.join('\n')}\n`;
}

/** Registers the command. */
export function registerReplay(program: Command, registry: RegistrySource): void {
  program
    .command('replay')
    .description(
      'replay a capture directory (start.maps, trace.txt[.gz], end.maps) and compare with the kernel',
    )
    .argument('<dir>', 'capture directory')
    .option('--index <name>', 'VMA index to build the address space on', 'reference')
    .option('--format <format>', 'text or json', 'text')
    .action(async (dir: string, opts: { index: string; format: string }) => {
      const format = parseFormat(opts.format);
      const plugin = indexByName(await registry(), opts.index);
      const report = await replayCapture(dir, { index: plugin });
      if (format === 'json') printJson(report);
      else process.stdout.write(replaySummary(report));
    });
}
