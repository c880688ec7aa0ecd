/**
 * `vmakit compare-runs A B`: two runs compared cell by cell in the manner of benchstat — wall-clock
 * metrics by median, 95 % interval and Mann–Whitney U test, simulated and counted metrics exactly
 * (report's compareRuns / renderComparison).
 */
import { basename, dirname } from 'node:path';
import { type ComparisonFormat, compareRuns, renderComparison } from '@vmakit/report';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { printJson, printText } from '../output.js';
import { loadResults } from '../results/load.js';
import { safeName } from '../terminal.js';

function parseComparisonFormat(v: string): ComparisonFormat {
  if (v === 'text' || v === 'md' || v === 'json') return v;
  throw new UsageError(`--format must be text, md or json, not '${safeName(v)}'`);
}

/** A short label for a run: its folder name (`latest`, a timestamp) or file name. */
function labelOf(path: string): string {
  return basename(path) === 'results.json' ? basename(dirname(path)) : basename(path);
}

/** Registers the command. */
export function registerCompareRuns(program: Command): void {
  program
    .command('compare-runs')
    .description('compare two runs (results.json files or report folders) in the manner of benchstat')
    .argument('<a>', 'the old run')
    .argument('<b>', 'the new run')
    .option('--format <format>', 'text, md or json', 'text')
    .option('--alpha <p>', 'significance level of the U test', '0.05')
    .addHelpText(
      'after',
      '\nExample:\n  vmakit compare-runs reports/2026-11-25T10-00-00-000Z reports/latest\n',
    )
    .action((a: string, b: string, opts: { format: string; alpha: string }) => {
      const format = parseComparisonFormat(opts.format);
      const alpha = Number(opts.alpha);
      if (!(alpha > 0 && alpha < 1))
        throw new UsageError(`--alpha must be in (0, 1), not '${safeName(opts.alpha)}'`);
      const ra = loadResults(a);
      const rb = loadResults(b);
      let la = labelOf(ra.path);
      let lb = labelOf(rb.path);
      if (la === lb) {
        la = 'a';
        lb = 'b';
      }
      const c = compareRuns(ra.doc, rb.doc, { alpha, labels: [la, lb] });
      const text = renderComparison(c, format);
      // JSON keeps its own escapes (a terminal-safe re-encoding of the same value); text is made safe.
      if (format === 'json') printJson(JSON.parse(text));
      else printText(text);
    });
}
