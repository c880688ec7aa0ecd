/**
 * Matrix cells: each row of a results section is one cell of the run's matrix, identified by a
 * key such as `scaling/page_fault1/x86-48/16/per-vma-lock/maple`. Keys let a sharded run be merged
 * (a cell may come from one shard only) and an interrupted run be resumed (skip finished cells).
 * Parts are percent-encoded, so any name — even one holding `/` — gives an unambiguous key.
 */
import type {
  BenchmarkRow,
  BytesCopiedRow,
  FaultPathRow,
  MemoryRow,
  PublishedRow,
  ReplayRow,
  ResultsDocument,
  ScalingPoint,
} from './types.js';

/** The sections whose rows are matrix cells, and the prefix of their keys. */
export type CellSection = 'bench' | 'memory' | 'replay' | 'scaling' | 'bytes' | 'published' | 'faults';

/**
 * Percent-encoding that also accepts lone surrogates (which `encodeURIComponent` throws on):
 * they become `%uD800`, which no other input produces because a literal `%` is encoded as `%25`.
 */
function encodePart(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0xd800 && cp <= 0xdfff ? `%u${cp.toString(16).toUpperCase()}` : encodeURIComponent(ch);
  }
  return out;
}

function key(section: CellSection, parts: ReadonlyArray<string | number | null>): string {
  // null becomes an empty part; names are non-empty by schema, so it cannot collide with a name.
  return [section, ...parts.map((p) => (p === null ? '' : encodePart(String(p))))].join('/');
}

/** Key of a benchmark row: layout, vmas, index, op. */
export function benchmarkCell(r: Pick<BenchmarkRow, 'layout' | 'vmas' | 'index' | 'op'>): string {
  return key('bench', [r.layout, r.vmas, r.index, r.op]);
}

/** Key of a memory row: index, layout (empty part when absent), vmas. */
export function memoryCell(r: Pick<MemoryRow, 'index' | 'layout' | 'vmas'>): string {
  return key('memory', [r.index, r.layout ?? null, r.vmas]);
}

/** Key of a replay row: capture, index, strategy (empty part when null). */
export function replayCell(r: Pick<ReplayRow, 'capture' | 'index' | 'strategy'>): string {
  return key('replay', [r.capture, r.index, r.strategy]);
}

/** Key of a scaling point (also the cell a protocol violation belongs to). */
export function scalingCell(
  r: Pick<ScalingPoint, 'workload' | 'profile' | 'cpus' | 'strategy' | 'index'>,
): string {
  return key('scaling', [r.workload, r.profile, r.cpus, r.strategy, r.index]);
}

/** Key of a bytes-copied row: workload, strategy, index. */
export function bytesCopiedCell(r: Pick<BytesCopiedRow, 'workload' | 'strategy' | 'index'>): string {
  return key('bytes', [r.workload, r.strategy, r.index]);
}

/** Key of a published-comparison row: source, figure, metric, x. */
export function publishedCell(r: Pick<PublishedRow, 'source' | 'figure' | 'metric' | 'x'>): string {
  return key('published', [r.source, r.figure, r.metric, r.x]);
}

/** Key of a fault-path row: workload, strategy, index. */
export function faultPathCell(r: Pick<FaultPathRow, 'workload' | 'strategy' | 'index'>): string {
  return key('faults', [r.workload, r.strategy, r.index]);
}

/** A row's cell key with the section it came from, for error messages. */
export interface LocatedCell {
  readonly key: string;
  /** JSON path of the row, e.g. `$.scaling.points[3]`. */
  readonly path: string;
}

/** Every cell of a document, in document order (duplicates included). O(rows). */
export function cellsOf(doc: ResultsDocument): LocatedCell[] {
  const out: LocatedCell[] = [];
  const add = <R>(rows: readonly R[] | undefined, path: string, f: (r: R) => string) => {
    rows?.forEach((r, i) => {
      out.push({ key: f(r), path: `${path}[${i}]` });
    });
  };
  add(doc.benchmarks?.rows, '$.benchmarks.rows', benchmarkCell);
  add(doc.memory?.rows, '$.memory.rows', memoryCell);
  add(doc.replay?.rows, '$.replay.rows', replayCell);
  add(doc.scaling?.points, '$.scaling.points', scalingCell);
  add(doc.bytes_copied?.rows, '$.bytes_copied.rows', bytesCopiedCell);
  add(doc.published?.rows, '$.published.rows', publishedCell);
  add(doc.fault_path?.rows, '$.fault_path.rows', faultPathCell);
  return out;
}

/** Cells whose key occurs more than once, each with every path it occurs at. O(rows). */
export function duplicateCells(cells: readonly LocatedCell[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const c of cells) {
    const paths = byKey.get(c.key);
    if (paths === undefined) byKey.set(c.key, [c.path]);
    else paths.push(c.path);
  }
  for (const [k, paths] of byKey) if (paths.length < 2) byKey.delete(k);
  return byKey;
}
