/**
 * `vmakit list`: what can be compared (indexes, strategies, workloads) and the vm_area_struct
 * layouts the comparisons cost copies with.
 */
import { VMA_LAYOUTS } from '@vmakit/core';
import type { Registry } from '@vmakit/registry';
import type { Command } from 'commander';
import { type OutputFormat, parseFormat, printJson, textTable } from '../output.js';
import type { RegistrySource } from '../registry.js';

/** The data `list` reports. */
export function listData(registry: Registry) {
  const layouts = Object.fromEntries(
    Object.values(VMA_LAYOUTS).map((l) => [
      l.name,
      {
        bytes: l.bytes,
        cache_lines: l.cacheLines,
        kernel: l.kernel,
        fields: l.fields.map((f) => f.name),
        source: l.source,
      },
    ]),
  );
  return {
    indexes: registry.indexes.map((p) => ({
      name: p.meta.name,
      version: p.meta.version,
      semantics: p.semantics,
      era: p.era,
      vma_bytes: VMA_LAYOUTS[p.era].bytes,
      description: p.meta.description ?? '',
    })),
    strategies: [] as unknown[],
    workloads: [] as unknown[],
    vma_layouts: layouts,
  };
}

/** Registers the command. */
export function registerList(program: Command, registry: RegistrySource): void {
  program
    .command('list')
    .description('list registered indexes, strategies, workloads and the vm_area_struct layouts')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { format: string }) => {
      const format: OutputFormat = parseFormat(opts.format);
      const data = listData(await registry());
      if (format === 'json') return printJson(data);
      process.stdout.write('Indexes\n');
      process.stdout.write(
        `${textTable(
          ['name', 'semantics', 'era', 'description'],
          data.indexes.map((i) => [i.name, i.semantics, i.era, i.description]),
        )}\n\nvm_area_struct layouts\n`,
      );
      process.stdout.write(
        `${textTable(
          ['layout', 'bytes', 'lines', 'kernel'],
          Object.entries(data.vma_layouts).map(([n, l]) => [
            n,
            String(l.bytes),
            String(l.cache_lines),
            l.kernel,
          ]),
        )}\n`,
      );
    });
}
