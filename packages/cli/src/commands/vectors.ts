/**
 * `vmakit vectors DIR`: replays the kernel's recorded maple-tree traces (tools/testing/radix-tree
 * check_erase2_sets, lib/test_maple_tree.c alloc-range checks) on an index and checks every
 * expectation the kernel's harness asserts.
 */

import { existsSync } from 'node:fs';
import { indexByName } from '@vmakit/registry';
import { replayKernelVectors, type VectorReport } from '@vmakit/testkit';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseInteger } from '../options.js';
import { keyValueTable, parseFormat, printJson, printText } from '../output.js';
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
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit vectors ../shared/kernel-vectors --index maple\n' +
        '  vmakit vectors ../shared/kernel-vectors --index rbtree --validate-every 100 --format json\n' +
        '\nExit status: 0; 1 when an expectation of the kernel harness fails; 2 on bad usage or input.\n',
    )
    .action(async (dir: string, opts: { index: string; format: string; validateEvery: string }) => {
      const format = parseFormat(opts.format);
      const plugin = indexByName(await registry(), opts.index);
      if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
      const every = parseInteger('--validate-every', opts.validateEvery, 1);
      const report = replayKernelVectors(dir, (o) => plugin.create({ ...o, pageAligned: false }), {
        validateEvery: every,
      });
      if (format === 'json') printJson({ index: plugin.meta.name, ...report });
      else printText(summary(plugin.meta.name, report));
      if (report.mismatches > 0 || report.gap_mismatches > 0 || report.assertion_failures > 0)
        process.exitCode = 1;
    });
}
