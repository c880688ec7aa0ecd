/**
 * The run section: when, where and with what the results were produced, how complete they are,
 * and a short summary of what needs attention (protocol violations, replay mismatches).
 */

import type { ResultsDocument } from '../../schema/types.js';
import { canonicalJson } from '../../schema/validator.js';
import { type Block, cell, type Section } from '../types.js';

const SECTION_NAMES: ReadonlyArray<readonly [keyof ResultsDocument, string]> = [
  ['scaling', 'simulated scaling'],
  ['bytes_copied', 'bytes copied per fault'],
  ['fault_path', 'fault path on one CPU'],
  ['benchmarks', 'index micro-benchmarks'],
  ['memory', 'memory per VMA'],
  ['replay', 'replay of captures'],
  ['published', 'published-results comparison'],
];

function summary(doc: ResultsDocument): string[] {
  const items: string[] = [];
  if (doc.scaling !== undefined && doc.scaling.violations.length === 0)
    items.push(`Protocol checker: no violations in ${doc.scaling.points.length} simulated point(s).`);
  if (doc.replay !== undefined) {
    const withEnd = doc.replay.rows.filter((r) => r.exact_match !== null);
    const exact = withEnd.filter((r) => r.exact_match === true).length;
    const disagreed = doc.replay.rows.reduce((s, r) => s + r.syscalls_disagreed, 0);
    items.push(
      `Replay: ${exact} of ${withEnd.length} run(s) with end maps match the kernel exactly; ${disagreed} system call result(s) disagreed.`,
    );
  }
  return items;
}

/** The run section (always present). */
export function runSection(doc: ResultsDocument): Section {
  const md = doc.metadata;
  const env = md.environment;
  const rows: [string, string][] = [
    ['generated', md.generated_at],
    ['tool', `${md.tool.name} ${md.tool.version}`],
    [
      'git revision',
      env.git_revision === null
        ? 'unknown (not a git checkout)'
        : `${env.git_revision}${env.git_dirty === true ? ' (uncommitted changes)' : ''}`,
    ],
    ['node', env.node],
    ['platform', `${env.platform} ${env.kernel}`],
    ['cpu', `${env.cpu_model} (${env.cpus} logical CPUs)`],
    [
      'seeds',
      Object.keys(md.seeds).length === 0
        ? 'none'
        : Object.keys(md.seeds)
            .sort()
            .map((k) => `${k}=${md.seeds[k]}`)
            .join(', '),
    ],
    ['options', canonicalJson(md.options)],
  ];
  if (md.shard !== undefined)
    rows.push(['shard', `${md.shard.index + 1} of ${md.shard.count} (index ${md.shard.index})`]);
  if (md.merged_from !== undefined) rows.push(['merged from', `${md.merged_from.length} input(s)`]);
  const blocks: Block[] = [
    {
      kind: 'table',
      caption: 'Run environment',
      columns: [
        { label: 'item', numeric: false },
        { label: 'value', numeric: false },
      ],
      rows: rows.map(([k, v]) => [cell.text(k), cell.text(v)]),
      keyColumns: 1,
    },
  ];
  if (md.cells !== undefined) {
    const planned = md.cells.planned.length;
    const finished = md.cells.finished.length;
    const missing = planned > 0 ? md.cells.planned.filter((c) => !md.cells!.finished.includes(c)) : [];
    blocks.push(
      missing.length > 0
        ? {
            kind: 'paragraph',
            tone: 'warning',
            text: `Partial run: ${finished} of ${planned} planned cell(s) finished; ${missing.length} missing (first: ${missing.slice(0, 3).join(', ')}).`,
          }
        : {
            kind: 'paragraph',
            text: `Complete: ${finished} of ${planned === 0 ? finished : planned} cell(s) finished.`,
          },
    );
  }
  if (md.merged_from !== undefined)
    blocks.push({
      kind: 'list',
      items: md.merged_from.map(
        (m) =>
          `${m.shard === null ? 'unsharded input' : `shard ${m.shard.index + 1} of ${m.shard.count}`}: ${m.generated_at}, ${m.environment.cpu_model}, node ${m.environment.node}`,
      ),
    });
  for (const note of md.notes ?? []) blocks.push({ kind: 'paragraph', text: `Note: ${note}` });
  const absent = SECTION_NAMES.filter(([k]) => doc[k] === undefined).map(([, n]) => n);
  if (absent.length > 0)
    blocks.push({ kind: 'paragraph', text: `Not in this document: ${absent.join(', ')}.` });
  const violations = doc.scaling?.violations.length ?? 0;
  if (violations > 0)
    blocks.push({
      kind: 'paragraph',
      tone: 'warning',
      text: `Protocol checker: ${violations} violation(s) — see "Protocol violations".`,
    });
  const s = summary(doc);
  if (s.length > 0) blocks.push({ kind: 'list', items: s });
  return { id: 'run', title: 'Run', blocks };
}
