/**
 * `vmakit compare` (`pnpm compare`): the head-to-head on sensible defaults. Today it replays the
 * default captures over every registered index and writes results.json and report.md; benchmarks
 * and simulated scaling join as their packages land.
 */
import { join, resolve } from 'node:path';
import { indexesByNames } from '@vmakit/registry';
import { type ReplayReport, replayCapture } from '@vmakit/replay';
import type { Command } from 'commander';
import { runEnvironment } from '../compare/environment.js';
import { type CaptureWorkload, capturesIn, defaultCaptures } from '../compare/workloads.js';
import { textTable, writeFileAtomic } from '../output.js';
import type { RegistrySource } from '../registry.js';

/** Version of the results.json layout. */
export const RESULTS_SCHEMA_VERSION = 0;

interface CompareOptions {
  index: string;
  captures?: string;
  out: string;
}

function replayRows(results: readonly ReplayReport[]): string[][] {
  return results.map((r) => [
    r.capture,
    r.index,
    String(r.events.faults),
    String(r.events.syscalls),
    String(r.syscalls.agreed),
    r.final === null ? '-' : String(r.final.page_mismatches),
    r.final === null ? '-' : String(r.final.vma_mismatches),
    r.final === null ? '-' : r.final.exact_match ? 'yes' : 'no',
  ]);
}

const HEADER = ['capture', 'index', 'faults', 'syscalls', 'agree', 'page mism.', 'VMA mism.', 'exact'];

function markdown(results: readonly ReplayReport[], captures: readonly CaptureWorkload[]): string {
  const rows = replayRows(results);
  const md = [
    '# vmakit comparison',
    '',
    '## Replay of captured processes',
    '',
    'Each capture is replayed from its start maps with every traced memory system call applied at its',
    'exit; the final address space is compared with the kernel’s end maps.',
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (captures.length === 0) md.push('', '_No captures were found (the shared traces folder is absent)._');
  return `${md.join('\n')}\n`;
}

/** Registers the command. */
export function registerCompare(program: Command, registry: RegistrySource): void {
  program
    .command('compare')
    .description('run the head-to-head on the default workloads and write reports/latest/')
    .option('--index <names>', "indexes to compare ('all' or a comma-separated list)", 'all')
    .option('--captures <dir>', 'folder of capture directories (default: the shared traces)')
    .option('--out <dir>', 'reports folder', 'reports')
    .action(async (opts: CompareOptions) => {
      const reg = await registry();
      const indexes = indexesByNames(reg, opts.index);
      const captures = opts.captures !== undefined ? capturesIn(resolve(opts.captures)) : defaultCaptures();
      const results: ReplayReport[] = [];
      for (const c of captures) {
        for (const plugin of indexes) {
          process.stderr.write(`replay ${c.name} on ${plugin.meta.name}\n`);
          results.push(await replayCapture(c.dir, { index: plugin }));
        }
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const doc = {
        schema_version: RESULTS_SCHEMA_VERSION,
        generated_at: new Date().toISOString(),
        environment: runEnvironment(),
        options: { indexes: indexes.map((p) => p.meta.name), captures: captures.map((c) => c.name) },
        replay: results,
      };
      const json = `${JSON.stringify(doc, null, 2)}\n`;
      const md = markdown(results, captures);
      for (const dir of [join(opts.out, stamp), join(opts.out, 'latest')]) {
        writeFileAtomic(join(dir, 'results.json'), json);
        writeFileAtomic(join(dir, 'report.md'), md);
      }
      process.stdout.write(
        `${textTable(HEADER, replayRows(results))}\n\nwrote ${join(opts.out, 'latest')}/\n`,
      );
    });
}
