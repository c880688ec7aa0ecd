/**
 * `vmakit merge A B … --out DIR`: combines the results of shards (`--shard i/n` runs of compare,
 * bench or sim) into one results.json and report. Inputs must describe the same experiment; every
 * matrix cell may come from one input only (report's mergeResults says what differs).
 */
import { resolve } from 'node:path';
import { mergeResults, writeReport } from '@vmakit/report';
import type { Command } from 'commander';
import { printText } from '../output.js';
import { loadResults } from '../results/load.js';

/** Registers the command. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the results of shards into one results.json and report')
    .argument('<inputs...>', 'results.json files or report folders (two or more shards)')
    .requiredOption('--out <dir>', 'folder to write the merged report into')
    .addHelpText(
      'after',
      '\nExample:\n  vmakit compare --shard 1/2 --out a && vmakit compare --shard 2/2 --out b\n' +
        '  vmakit merge a/latest b/latest --out merged\n',
    )
    .action((inputs: string[], opts: { out: string }) => {
      const loaded = inputs.map((p) => loadResults(p));
      const merged = mergeResults(
        loaded.map((l) => l.doc),
        loaded.map((l) => l.path),
      );
      writeReport(resolve(opts.out), merged);
      const cells = merged.metadata.cells;
      const missing = cells === undefined ? 0 : cells.planned.length - cells.finished.length;
      printText(
        `merged ${loaded.length} inputs into ${opts.out}/results.json` +
          (cells === undefined
            ? ''
            : ` (${cells.finished.length} of ${cells.planned.length} cells finished)`),
      );
      for (const n of merged.metadata.notes ?? [])
        if (n.startsWith('partial merge')) printText(`warning: ${n}`);
      if (missing > 0) printText(`warning: ${missing} planned cells are missing; the report lists them`);
    });
}
