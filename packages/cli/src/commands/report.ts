/**
 * `vmakit report RESULTS --out DIR`: re-renders report.md (with its SVG charts), report.html and
 * report.txt from a results.json, after validating it.
 */
import { dirname, resolve } from 'node:path';
import { writeReport } from '@vmakit/report';
import type { Command } from 'commander';
import { printText } from '../output.js';
import { loadResults } from '../results/load.js';

/** Registers the command. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('validate a results.json and render report.md, report.html and report.txt from it')
    .argument('<results>', 'results.json, or a report folder holding one')
    .option('--out <dir>', 'folder to write the report into (default: the folder of the results.json)')
    .addHelpText(
      'after',
      '\nExamples:\n  vmakit report reports/latest/results.json --out /tmp/report\n  vmakit report reports/latest\n',
    )
    .action((input: string, opts: { out?: string }) => {
      const { doc, path } = loadResults(input);
      const out = opts.out ?? dirname(path);
      const files = writeReport(resolve(out), doc);
      printText(`wrote ${files.length} files to ${out}/ (report.md, report.html, report.txt)`);
    });
}
