/**
 * `vmakit vectors DIR`: replays the kernel's recorded maple-tree traces (tools/testing/radix-tree
 * check_erase2_sets, lib/test_maple_tree.c alloc-range checks) on an index and checks every
 * expectation the kernel's harness asserts.
 */

import { indexByName } from '@vmakit/registry';
import { replayKernelVectors, type VectorReport } from '@vmakit/testkit';
import type { Command } from 'commander';
import { keyValueTable, parseFormat, printJson } from '../output.js';
import type { RegistrySource } from '../registry.js';

function summary(index: string, r: VectorReport): string {
  const rows: Array<[string, string]> = [
    ['index', index],
    ['sets', String(r.sets)],
    ['ops', String(r.ops)],
    ['mismatches', String(r.mismatches)],
    ['gap checks', String(r.gap_checks)],
    ['gap mismatches', String(r.gap_mismatches)],
    ['assertions', `${r.assertions} (${r.assertion_failures} failed)`],
  ];
  return `${keyValueTable(rows)}\n`;
}

/** Registers the command. */
export function registerVectors(program: Command, registry: RegistrySource): void {
  program
    .command('vectors')
    .description("replay the kernel's maple-tree test vectors (erase2-sets.txt, alloc-range.txt) on an index")
    .argument('<dir>', 'folder holding erase2-sets.txt and alloc-range.txt')
    .option('--index <name>', 'index to replay on', 'reference')
    .option('--validate-every <n>', 'run validate() after every n-th operation', '1')
    .option('--format <format>', 'text or json', 'text')
    .action(async (dir: string, opts: { index: string; format: string; validateEvery: string }) => {
      const format = parseFormat(opts.format);
      const plugin = indexByName(await registry(), opts.index);
      const every = Number(opts.validateEvery);
      if (!Number.isInteger(every) || every < 1) {
        throw new Error(`--validate-every must be a positive integer, not '${opts.validateEvery}'`);
      }
      const report = replayKernelVectors(dir, (o) => plugin.create({ ...o, pageAligned: false }), {
        validateEvery: every,
      });
      if (format === 'json') printJson({ index: plugin.meta.name, ...report });
      else process.stdout.write(summary(plugin.meta.name, report));
      if (report.mismatches > 0 || report.gap_mismatches > 0 || report.assertion_failures > 0)
        process.exitCode = 1;
    });
}
