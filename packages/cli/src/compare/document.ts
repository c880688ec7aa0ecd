/**
 * The results document of a compare run from the rows collected so far: every section sorted by
 * cell key, so the document depends only on what ran, never on the order units finished in or on
 * how the matrix was sharded.
 */
import {
  benchmarkCell,
  bytesCopiedCell,
  createResults,
  type JsonValue,
  memoryCell,
  publishedCell,
  type ResultsDocument,
  type RunEnvironment,
  replayCell,
  type ShardInfo,
  scalingCell,
} from '@vmakit/report';
import type { Collected } from './run.js';

function sorted<R>(rows: readonly R[], key: (r: R) => string): R[] {
  return rows
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
}

/** What the document records about the run besides its rows. */
export interface DocumentMeta {
  readonly environment: RunEnvironment;
  readonly generatedAt: Date;
  readonly seeds: Readonly<Record<string, number>>;
  readonly options: { readonly [k: string]: JsonValue };
  readonly shard: ShardInfo | null;
  readonly planned: readonly string[];
  readonly notes: readonly string[];
}

/** The document. O(rows · log rows). */
export function compareDocument(meta: DocumentMeta, c: Collected): ResultsDocument {
  const base = createResults({
    environment: meta.environment,
    generatedAt: meta.generatedAt,
    seeds: meta.seeds,
    options: meta.options,
    ...(meta.shard !== null ? { shard: meta.shard } : {}),
    planned: meta.planned,
  });
  const planned = new Set(meta.planned);
  const finished = [...c.finished].filter((k) => planned.has(k)).sort();
  const notes = [...meta.notes, ...c.failures.map((f) => `failed: ${f}`)];
  return {
    ...base,
    metadata: {
      ...base.metadata,
      cells: { planned: [...meta.planned], finished },
      ...(notes.length > 0 ? { notes } : {}),
    },
    ...(c.runner !== null
      ? {
          benchmarks: { runner: c.runner, rows: sorted(c.benchmarks, benchmarkCell) },
          memory: { rows: sorted(c.memory, memoryCell) },
        }
      : {}),
    ...(c.replay.length > 0 ? { replay: { rows: sorted(c.replay, replayCell) } } : {}),
    ...(c.points.length > 0 || c.violations.length > 0
      ? {
          scaling: {
            points: sorted(c.points, scalingCell),
            violations: sorted(c.violations, (v) => `${scalingCell(v)}\u0000${v.kind}\u0000${v.detail}`),
          },
        }
      : {}),
    ...(c.bytes.length > 0 ? { bytes_copied: { rows: sorted(c.bytes, bytesCopiedCell) } } : {}),
    ...(c.published.length > 0 ? { published: { rows: sorted(c.published, publishedCell) } } : {}),
  };
}

/**
 * Rows of a previous (interrupted) document whose units finished, put back into a collection so
 * a resumed run does not redo them. Rows of unfinished units are dropped (a unit is all or nothing).
 */
export function restoreCollected(
  doc: ResultsDocument,
  into: Collected,
  benchKey: string,
  publishedKey: string,
): void {
  const done = new Set(doc.metadata.cells?.finished ?? []);
  for (const k of done) into.finished.add(k);
  if (done.has(benchKey) && doc.benchmarks !== undefined) {
    into.runner = doc.benchmarks.runner;
    into.benchmarks.push(...doc.benchmarks.rows);
    into.memory.push(...(doc.memory?.rows ?? []));
  }
  for (const r of doc.replay?.rows ?? []) if (done.has(replayCell(r))) into.replay.push(r);
  for (const r of doc.bytes_copied?.rows ?? []) {
    const capture = r.workload.startsWith('capture:') ? r.workload.slice('capture:'.length) : r.workload;
    if (done.has(replayCell({ capture, index: r.index, strategy: r.strategy }))) into.bytes.push(r);
  }
  for (const p of doc.scaling?.points ?? []) if (done.has(scalingCell(p))) into.points.push(p);
  for (const v of doc.scaling?.violations ?? []) if (done.has(scalingCell(v))) into.violations.push(v);
  if (done.has(publishedKey)) into.published.push(...(doc.published?.rows ?? []));
}
