/**
 * Bytes of VMA data each strategy copies per fault over each index (what `vmakit list` reports): it
 * depends only on the strategy and the index's era (the vm_area_struct layout a whole copy reads),
 * plus whether the pairing is safe at all.
 */
import type { IndexEra, IndexPlugin } from '@vmakit/core';
import { checkPairing, type StrategyPlugin } from '@vmakit/x86-fault';

/** One strategy × index cell. */
export interface BytesCopiedCell {
  readonly strategy: string;
  readonly index: string;
  readonly era: IndexEra;
  /**
   * Bytes one speculative attempt copies once it has found the VMA (0 for strategies that copy
   * nothing). A replay's measured average is lower where attempts give up before the copy or are
   * skipped (single-threaded processes).
   */
  readonly bytes_per_fault: number;
  /** checkPairing(): whether the strategy may run over the index, and why. */
  readonly safe: boolean;
  readonly reason: string;
}

/** The cells of `strategies` × `indexes`, strategies outer, in the given orders. O(cells). */
export function bytesCopiedMatrix(
  strategies: readonly StrategyPlugin<object>[],
  indexes: readonly Pick<IndexPlugin, 'meta' | 'era' | 'semantics'>[],
): BytesCopiedCell[] {
  const out: BytesCopiedCell[] = [];
  for (const s of strategies) {
    for (const i of indexes) {
      const verdict = checkPairing(s.strategy, i.semantics);
      out.push({
        strategy: s.meta.name,
        index: i.meta.name,
        era: i.era,
        bytes_per_fault: s.strategy.bytesCopied(i.era),
        safe: verdict.safe,
        reason: verdict.reason,
      });
    }
  }
  return out;
}
