/**
 * Replays one capture for every index × strategy pairing: safe pairings run through the fault core,
 * unsafe ones (checkPairing) are reported as skipped with the reason — never run silently. On one
 * CPU in trace order every strategy must give the same outcomes, mappings and page tables;
 * strategyDisagreements() says where they do not.
 */
import type { IndexPlugin } from '@vmakit/core';
import { checkPairing, type StrategyPlugin } from '@vmakit/x86-fault';
import { type CoreFaultHandlerOptions, coreFaultHandler } from './core-fault-handler.js';
import { type ReplayReport, replayCapture } from './replay.js';

/** Options of replayMatrix(). */
export interface ReplayMatrixOptions {
  readonly indexes: readonly IndexPlugin[];
  readonly strategies: readonly StrategyPlugin<object>[];
  /** Options for every cell's fault handler (the strategy is the cell's). */
  readonly handler?: Omit<CoreFaultHandlerOptions, 'strategy' | 'allowUnsafe'>;
  readonly maxDetails?: number;
  /** Called after each cell (run or skipped). */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Stops before the next cell; the cells done so far are returned. */
  readonly signal?: AbortSignal;
}

/** One index × strategy cell of a capture. */
export interface ReplayMatrixCell {
  readonly capture: string;
  readonly index: string;
  readonly strategy: string;
  /** Why the pairing was not run (checkPairing's reason), or null when it ran. */
  readonly skipped: string | null;
  readonly report: ReplayReport | null;
}

/**
 * Replays `dir` once per pairing, indexes outer, strategies inner (strategies in the given order).
 * O(cells · replay).
 */
export async function replayMatrix(dir: string, options: ReplayMatrixOptions): Promise<ReplayMatrixCell[]> {
  const cells: ReplayMatrixCell[] = [];
  const total = options.indexes.length * options.strategies.length;
  for (const index of options.indexes) {
    for (const plugin of options.strategies) {
      if (options.signal?.aborted === true) return cells;
      const label = `${index.meta.name} × ${plugin.meta.name}`;
      const verdict = checkPairing(plugin.strategy, index.semantics);
      if (!verdict.safe) {
        cells.push({
          capture: '',
          index: index.meta.name,
          strategy: plugin.meta.name,
          skipped: verdict.reason,
          report: null,
        });
      } else {
        const report = await replayCapture(dir, {
          index,
          faults: coreFaultHandler({ ...options.handler, strategy: plugin }),
          ...(options.maxDetails !== undefined ? { maxDetails: options.maxDetails } : {}),
        });
        cells.push({
          capture: report.capture,
          index: index.meta.name,
          strategy: plugin.meta.name,
          skipped: null,
          report,
        });
      }
      options.onProgress?.(cells.length, total, label);
    }
  }
  const capture = cells.find((c) => c.report !== null)?.capture ?? '';
  return cells.map((c) => (c.capture === '' ? { ...c, capture } : c));
}

/** What must be equal between strategies on one CPU: outcomes, final maps, page tables. */
function agreementKey(r: ReplayReport): string {
  const fh = r.fault_handling;
  const resolved = fh.resolved
    ? {
        faults: fh.faults,
        signals: fh.signals,
        outcome_digest: fh.outcome_digest,
        page_tables: {
          ptes: fh.page_tables.ptes,
          tables: fh.page_tables.tables,
          digest: fh.page_tables.digest,
        },
        rss: fh.rss,
      }
    : null;
  return JSON.stringify({ resolved, final: r.final, diff: r.diff, syscalls: r.syscalls });
}

/**
 * Pairs of cells on the same index whose strategies disagree (each cell against the first cell run
 * on that index), described in one line each; empty when all agree. O(cells).
 */
export function strategyDisagreements(cells: readonly ReplayMatrixCell[]): string[] {
  const first = new Map<string, ReplayMatrixCell>();
  const out: string[] = [];
  for (const c of cells) {
    if (c.report === null) continue;
    const f = first.get(c.index);
    if (f === undefined) {
      first.set(c.index, c);
      continue;
    }
    if (agreementKey(c.report) !== agreementKey(f.report!)) {
      out.push(`${c.capture} on ${c.index}: ${c.strategy} differs from ${f.strategy}`);
    }
  }
  return out;
}
