/**
 * Merging the documents of a sharded (or resumed) run into one. Inputs must describe the same
 * experiment — schema version, options, seeds, tool and code revision — and every matrix cell
 * may come from one input only. The result is independent of the inputs' order.
 */
import { VmakitError } from '@vmakit/core';
import {
  benchmarkCell,
  bytesCopiedCell,
  cellsOf,
  faultPathCell,
  memoryCell,
  publishedCell,
  replayCell,
  scalingCell,
} from './cells.js';
import type { MergedInput, ResultsDocument, RunMetadata, ScalingSection } from './types.js';
import { assertResults } from './validate.js';
import { canonicalJson } from './validator.js';

/** Inputs that cannot be merged: what differs and in which input. */
export class MergeError extends VmakitError {
  override readonly name = 'MergeError';
}

function sortByKey<R>(rows: readonly R[], keyOf: (r: R) => string): R[] {
  return rows
    .map((r) => ({ r, k: keyOf(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
}

function concat<R>(docs: readonly ResultsDocument[], pick: (d: ResultsDocument) => readonly R[] | undefined) {
  const present = docs.map(pick).filter((r): r is readonly R[] => r !== undefined);
  return present.length === 0 ? undefined : present.flat();
}

function inputsOf(doc: ResultsDocument): MergedInput[] {
  const md = doc.metadata;
  return md.merged_from !== undefined
    ? [...md.merged_from]
    : [{ shard: md.shard ?? null, generated_at: md.generated_at, environment: md.environment }];
}

function requireSame(
  docs: readonly ResultsDocument[],
  names: readonly string[],
  what: string,
  f: (d: ResultsDocument) => unknown,
) {
  const first = canonicalJson(f(docs[0]!));
  docs.forEach((d, i) => {
    const v = canonicalJson(f(d));
    if (v !== first)
      throw new MergeError(`cannot merge: ${what} of ${names[i]} (${v}) differs from ${names[0]} (${first})`);
  });
}

/**
 * Merges shard documents into one. Rows are combined and sorted by cell key; `metadata.cells`,
 * `notes` and violations are united; `merged_from` records each input. `names` label the inputs
 * in errors (default `input 1`, `input 2`, ...). O(total rows · log).
 * @throws ResultsError for an invalid input; MergeError for mismatched schema versions, options,
 *   seeds, tool, revision, benchmark runners or shard counts, a shard given twice, or a cell (or
 *   planned cell) present in more than one input.
 */
export function mergeResults(docs: readonly ResultsDocument[], names?: readonly string[]): ResultsDocument {
  if (docs.length === 0) throw new MergeError('cannot merge: no input documents');
  const labels = docs.map((_, i) => names?.[i] ?? `input ${i + 1}`);
  docs.forEach((d, i) => {
    const version = (d as { schema_version?: unknown } | null)?.schema_version;
    const first = (docs[0] as { schema_version?: unknown } | null)?.schema_version;
    if (version !== first)
      throw new MergeError(
        `cannot merge: schema_version ${String(version)} of ${labels[i]} differs from ${String(first)} of ${labels[0]}`,
      );
  });
  docs.forEach((d, i) => {
    assertResults(d, labels[i]);
  });
  requireSame(docs, labels, 'options', (d) => d.metadata.options);
  requireSame(docs, labels, 'seeds', (d) => d.metadata.seeds);
  requireSame(docs, labels, 'tool', (d) => d.metadata.tool);
  const revisions = new Set(docs.map((d) => d.metadata.environment.git_revision).filter((r) => r !== null));
  if (revisions.size > 1)
    throw new MergeError(
      `cannot merge: inputs come from different git revisions (${[...revisions].sort().join(', ')})`,
    );
  const runners = docs.filter((d) => d.benchmarks !== undefined);
  if (runners.length > 1)
    requireSame(
      runners,
      runners.map((d) => labels[docs.indexOf(d)]!),
      'benchmark runner',
      (d) => d.benchmarks!.runner,
    );
  const faultRunners = docs.filter((d) => d.fault_path !== undefined);
  if (faultRunners.length > 1)
    requireSame(
      faultRunners,
      faultRunners.map((d) => labels[docs.indexOf(d)]!),
      'fault-path benchmark runner',
      (d) => d.fault_path!.runner,
    );

  // Shards: one count for all, each index once.
  const inputs = docs.flatMap((d, i) => inputsOf(d).map((inp) => ({ inp, label: labels[i]! })));
  const shardCounts = new Set(inputs.filter((x) => x.inp.shard !== null).map((x) => x.inp.shard!.count));
  if (shardCounts.size > 1)
    throw new MergeError(
      `cannot merge: inputs disagree on the shard count (${[...shardCounts].sort((a, b) => a - b).join(' vs ')})`,
    );
  const seenShard = new Map<number, string>();
  for (const { inp, label } of inputs) {
    if (inp.shard === null) continue;
    const prev = seenShard.get(inp.shard.index);
    if (prev !== undefined)
      throw new MergeError(
        `cannot merge: shard ${inp.shard.index} of ${inp.shard.count} is in both ${prev} and ${label}`,
      );
    seenShard.set(inp.shard.index, label);
  }

  // Cells: each from one input only.
  const owner = new Map<string, string>();
  const dups: string[] = [];
  docs.forEach((d, i) => {
    for (const c of cellsOf(d)) {
      const prev = owner.get(c.key);
      if (prev !== undefined) dups.push(`${c.key} (in ${prev} and ${labels[i]})`);
      else owner.set(c.key, labels[i]!);
    }
  });
  if (dups.length > 0)
    throw new MergeError(
      `cannot merge: ${dups.length} duplicate cell(s): ${dups.slice(0, 5).join('; ')}${dups.length > 5 ? '; …' : ''}`,
    );
  const plannedBy = new Map<string, string>();
  docs.forEach((d, i) => {
    for (const c of d.metadata.cells?.planned ?? []) {
      const prev = plannedBy.get(c);
      if (prev !== undefined)
        throw new MergeError(`cannot merge: cell ${c} is planned by both ${prev} and ${labels[i]}`);
      plannedBy.set(c, labels[i]!);
    }
  });

  const sortedInputs = inputs
    .map((x, order) => ({ ...x, order }))
    .sort(
      (a, b) =>
        (a.inp.shard?.index ?? Number.MAX_SAFE_INTEGER) - (b.inp.shard?.index ?? Number.MAX_SAFE_INTEGER) ||
        (a.inp.generated_at < b.inp.generated_at
          ? -1
          : a.inp.generated_at > b.inp.generated_at
            ? 1
            : a.order - b.order),
    )
    .map((x) => x.inp);
  const anyCells = docs.some((d) => d.metadata.cells !== undefined);
  const notes = [...new Set(docs.flatMap((d) => d.metadata.notes ?? []))].sort();
  const count = [...shardCounts][0];
  if (count !== undefined && seenShard.size < count) {
    const missing = [...Array(count).keys()].filter((k) => !seenShard.has(k));
    notes.push(`partial merge: shard(s) ${missing.join(', ')} of ${count} missing`);
  }
  const latest = docs
    .map((d) => d.metadata.generated_at)
    .sort()
    .at(-1)!;
  const first = docs[0]!.metadata;
  const metadata: RunMetadata = {
    generated_at: latest,
    tool: first.tool,
    environment: sortedInputs[0]!.environment,
    seeds: first.seeds,
    options: first.options,
    ...(anyCells
      ? {
          cells: {
            planned: [...plannedBy.keys()].sort(),
            finished: [...new Set(docs.flatMap((d) => d.metadata.cells?.finished ?? []))].sort(),
          },
        }
      : {}),
    merged_from: sortedInputs,
    ...(notes.length > 0 ? { notes } : {}),
  };

  const bench = concat(docs, (d) => d.benchmarks?.rows);
  const memory = concat(docs, (d) => d.memory?.rows);
  const replay = concat(docs, (d) => d.replay?.rows);
  const points = concat(docs, (d) => d.scaling?.points);
  const violations = concat(docs, (d) => d.scaling?.violations);
  const bytes = concat(docs, (d) => d.bytes_copied?.rows);
  const published = concat(docs, (d) => d.published?.rows);
  const faults = concat(docs, (d) => d.fault_path?.rows);
  const scaling: ScalingSection | undefined =
    points === undefined && violations === undefined
      ? undefined
      : {
          points: sortByKey(points ?? [], scalingCell),
          violations: sortByKey(
            violations ?? [],
            (v) => `${scalingCell(v)}\u0000${v.kind}\u0000${v.step ?? -1}\u0000${v.detail}`,
          ),
        };
  const merged: ResultsDocument = {
    schema_version: docs[0]!.schema_version,
    metadata,
    ...(bench !== undefined
      ? { benchmarks: { runner: runners[0]!.benchmarks!.runner, rows: sortByKey(bench, benchmarkCell) } }
      : {}),
    ...(memory !== undefined ? { memory: { rows: sortByKey(memory, memoryCell) } } : {}),
    ...(replay !== undefined ? { replay: { rows: sortByKey(replay, replayCell) } } : {}),
    ...(scaling !== undefined ? { scaling } : {}),
    ...(bytes !== undefined ? { bytes_copied: { rows: sortByKey(bytes, bytesCopiedCell) } } : {}),
    ...(published !== undefined ? { published: { rows: sortByKey(published, publishedCell) } } : {}),
    ...(faults !== undefined
      ? {
          fault_path: { runner: faultRunners[0]!.fault_path!.runner, rows: sortByKey(faults, faultPathCell) },
        }
      : {}),
  };
  return assertResults(merged, 'merged document');
}
