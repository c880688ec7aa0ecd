/**
 * Command-line entry of the fault-path benchmark, for running it without the CLI package
 * (`pnpm -C bench bench:faults -- --quick`, after `npx tsc -b bench`): every built-in strategy over
 * the four index packages, on every capture and page_fault1, Markdown on stdout (or JSON with
 * `--json`), progress on stderr. Exit 1 on a verification failure or bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { IndexPlugin } from '@vmakit/core';
import { cowBtreePlugin } from '@vmakit/index-cow-btree';
import { maplePlugin } from '@vmakit/index-maple';
import { persistentRbtreePlugin } from '@vmakit/index-persistent-rbtree';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { builtinStrategies, strategyPluginByName } from '@vmakit/strategies';
import { referencePlugin } from '@vmakit/testkit';
import { formatFaultBenchMarkdown } from './format.js';
import { runFaultBenchmarks } from './run.js';

const INDEXES: readonly IndexPlugin[] = [
  rbtreePlugin,
  maplePlugin,
  persistentRbtreePlugin,
  cowBtreePlugin,
  referencePlugin,
];

const USAGE = `usage: node bench/dist/faults/main.js [--quick] [--json] [--out FILE]
  [--captures NAME,...] [--strategies NAME,...] [--indexes NAME,...] [--time MS] [--no-kernel]
indexes: ${INDEXES.map((i) => i.meta.name).join(', ')} (default: all but reference)
strategies: ${builtinStrategies.map((s) => s.meta.name).join(', ')} (default: all)
captures: folder names of ../shared/traces and fixtures/captures, folder paths, synthetic:page_fault1`;

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').filter((x) => x !== '');
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      captures: { type: 'string' },
      strategies: { type: 'string' },
      indexes: { type: 'string' },
      time: { type: 'string' },
      'no-kernel': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const indexNames = list(values.indexes);
  const indexes =
    indexNames === undefined
      ? INDEXES.filter((i) => i !== referencePlugin)
      : indexNames.map((n) => {
          const p = INDEXES.find((i) => i.meta.name === n);
          if (p === undefined)
            throw new Error(`unknown index '${n}' (known: ${INDEXES.map((i) => i.meta.name).join(', ')})`);
          return p;
        });
  const strategies = list(values.strategies)?.map(strategyPluginByName) ?? [...builtinStrategies];
  const time = values.time === undefined ? undefined : Number(values.time);
  const captures = list(values.captures);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const report = await runFaultBenchmarks({
    strategies,
    indexes,
    quick: values.quick === true,
    kernel: values['no-kernel'] !== true,
    signal: controller.signal,
    ...(time !== undefined ? { time } : {}),
    ...(captures !== undefined ? { captures } : {}),
    onProgress: (done, total, label) => process.stderr.write(`[${done}/${total}] ${label}\n`),
  });
  const text =
    values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatFaultBenchMarkdown(report);
  if (values.out !== undefined) writeFileSync(values.out, text);
  else process.stdout.write(text);
  return report.aborted ? 130 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n${USAGE}\n`);
    process.exitCode = 1;
  },
);
