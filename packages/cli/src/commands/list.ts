/**
 * `vmakit list`: what can be compared — indexes, fault strategies, workloads, machine profiles,
 * mutants — the vm_area_struct layouts the comparisons cost copies with, and for every strategy ×
 * index the bytes one fault copies and whether the pairing is safe (x86-fault's checkPairing).
 */
import { VMA_LAYOUTS } from '@vmakit/core';
import type { Registry } from '@vmakit/registry';
import { describeProfile, MUTANTS } from '@vmakit/sim';
import { bytesCopiedMatrix } from '@vmakit/strategies';
import type { Command } from 'commander';
import { type OutputFormat, parseFormat, printJson, printText, textTable } from '../output.js';
import type { RegistrySource } from '../registry.js';

/** Unit of a workload parameter, from its name's suffix (the plug-ins' naming convention). */
export function paramUnit(key: string): string {
  if (key.endsWith('_bytes')) return 'bytes';
  if (key.endsWith('_ns')) return 'ns';
  if (key.endsWith('_per_ms')) return 'per ms';
  return 'count or 0/1 flag';
}

/** The data `list` reports. O(plug-ins + strategies × indexes). */
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
    registry: registry.source === 'builtin' ? 'builtin' : 'vmakit.config',
    indexes: registry.indexes.map((p) => ({
      name: p.meta.name,
      version: p.meta.version,
      semantics: p.semantics,
      era: p.era,
      vma_bytes: VMA_LAYOUTS[p.era].bytes,
      description: p.meta.description ?? '',
    })),
    strategies: registry.strategies.map((p) => ({
      name: p.meta.name,
      version: p.meta.version,
      needs: { lookup: p.needs.lookup, rcu_freed_vmas: p.needs.rcuFreedVmas },
      description: p.meta.description ?? p.strategy.description,
    })),
    workloads: registry.workloads.map((p) => ({
      name: p.meta.name,
      version: p.meta.version,
      description: p.meta.description ?? '',
      source: p.source,
      params: Object.entries(p.defaults).map(([name, dflt]) => ({
        name,
        default: dflt,
        unit: paramUnit(name),
      })),
    })),
    profiles: registry.profiles.map((p) => {
      const t = p.profile.topology;
      return {
        name: p.meta.name,
        description: p.meta.description ?? p.profile.description,
        cpus: t.sockets * t.coresPerSocket * t.threadsPerCore,
        sockets: t.sockets,
        cores_per_socket: t.coresPerSocket,
        threads_per_core: t.threadsPerCore,
        ghz: p.profile.ghz,
        constants: describeProfile(p.profile),
      };
    }),
    mutants: MUTANTS.map((m) => ({
      name: m.name,
      kind: m.kind,
      applies_to: [...m.appliesTo],
      description: m.description,
      caught_on: m.catches,
    })),
    vma_layouts: layouts,
    bytes_per_fault: bytesCopiedMatrix(registry.strategies, registry.indexes).map((c) => ({
      strategy: c.strategy,
      index: c.index,
      era: c.era,
      bytes_per_fault: c.bytes_per_fault,
      safe: c.safe,
      reason: c.reason,
    })),
  };
}

type ListData = ReturnType<typeof listData>;

function textOf(d: ListData): string {
  const out: string[] = [];
  const section = (title: string, table: string) => out.push(title, table, '');
  section(
    'Indexes',
    textTable(
      ['name', 'semantics', 'era', 'VMA bytes', 'description'],
      d.indexes.map((i) => [i.name, i.semantics, i.era, String(i.vma_bytes), i.description]),
    ),
  );
  section(
    'Fault strategies',
    textTable(
      ['name', 'lookup', 'RCU-freed VMAs', 'description'],
      d.strategies.map((s) => [
        s.name,
        s.needs.lookup,
        s.needs.rcu_freed_vmas ? 'needed' : '-',
        s.description,
      ]),
    ),
  );
  const strategies = d.strategies.map((s) => s.name);
  section(
    'Bytes copied per fault (strategy x index; "unsafe" = the pairing is refused)',
    textTable(
      ['index', ...strategies],
      d.indexes.map((i) => [
        i.name,
        ...strategies.map((s) => {
          const c = d.bytes_per_fault.find((x) => x.strategy === s && x.index === i.name);
          return c === undefined ? '-' : c.safe ? String(c.bytes_per_fault) : 'unsafe';
        }),
      ]),
    ),
  );
  section(
    'Workloads',
    textTable(
      ['name', 'parameters (defaults)', 'source'],
      d.workloads.map((w) => [w.name, w.params.map((p) => `${p.name}=${p.default}`).join(' '), w.source]),
    ),
  );
  section(
    'Machine profiles',
    textTable(
      ['name', 'CPUs', 'topology', 'description'],
      d.profiles.map((p) => [
        p.name,
        String(p.cpus),
        `${p.sockets}x${p.cores_per_socket}x${p.threads_per_core}`,
        p.description,
      ]),
    ),
  );
  section(
    'Mutants (seeded protocol bugs the checker must catch)',
    textTable(
      ['name', 'applies to', 'description'],
      d.mutants.map((m) => [m.name, m.applies_to.join(', '), m.description]),
    ),
  );
  section(
    'vm_area_struct layouts',
    textTable(
      ['layout', 'bytes', 'lines', 'kernel'],
      Object.entries(d.vma_layouts).map(([n, l]) => [n, String(l.bytes), String(l.cache_lines), l.kernel]),
    ),
  );
  const unsafe = d.bytes_per_fault.filter((c) => !c.safe);
  if (unsafe.length > 0) {
    out.push('Unsafe pairings (never run):');
    for (const c of unsafe) out.push(`  ${c.strategy} x ${c.index}: ${c.reason}`);
  }
  return out.join('\n');
}

/** Registers the command. */
export function registerList(program: Command, registry: RegistrySource): void {
  program
    .command('list')
    .description(
      'list indexes, strategies, workloads, profiles, mutants, vm_area_struct layouts and bytes copied per fault',
    )
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nExample:\n  vmakit list --format json | jq .vma_layouts\n')
    .action(async (opts: { format: string }) => {
      const format: OutputFormat = parseFormat(opts.format);
      const data = listData(await registry());
      if (format === 'json') printJson(data);
      else printText(textOf(data));
    });
}
