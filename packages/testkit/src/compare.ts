/**
 * Whole-content comparison of two indexes (an index under test against an oracle), shared by the
 * kernel-vector replayer and the conformance suite. Entries are compared by identity: both sides
 * are always given the same entry objects.
 */
import type { IndexEntry, VmaIndex } from '@vmakit/core';

/** Top of the index space as JavaScript numbers reach it. */
export const INDEX_END = Number.MAX_SAFE_INTEGER;

/** One stored range as forEach reports it. */
export interface RangeRecord<E> {
  readonly start: number;
  readonly end: number;
  readonly entry: E;
}

/** Every range of `index`, ascending, via forEach over the whole space. O(n). */
export function collectRanges<E extends IndexEntry>(index: VmaIndex<E>): RangeRecord<E>[] {
  const out: RangeRecord<E>[] = [];
  index.forEach(0, INDEX_END, (start, end, entry) => {
    out.push({ start, end, entry });
    return undefined;
  });
  return out;
}

/** A short label for an entry in a failure message. */
export function entryLabel(e: IndexEntry | null | undefined): string {
  if (e === null) return 'null';
  if (e === undefined) return 'undefined';
  const tag = (e as { tag?: unknown }).tag;
  return tag !== undefined ? `entry(tag ${String(tag)}, id ${e.id})` : `entry(id ${e.id})`;
}

/** `[0x..., 0x...)` for messages. */
export function fmtRange(start: number, end: number): string {
  return `[0x${start.toString(16)}, 0x${end.toString(16)})`;
}

/** First difference between two range lists, or null when they are identical. */
export function diffRangeLists<E>(
  got: readonly RangeRecord<E>[],
  want: readonly RangeRecord<E>[],
  label: (e: E) => string,
): string | null {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (g.start !== w.start || g.end !== w.end || g.entry !== w.entry) {
      return `range #${i}: got ${fmtRange(g.start, g.end)} -> ${label(g.entry)}, want ${fmtRange(w.start, w.end)} -> ${label(w.entry)}`;
    }
  }
  if (got.length !== want.length) {
    const extra = got.length > want.length ? got[n]! : want[n]!;
    const who = got.length > want.length ? 'unexpected' : 'missing';
    return `${got.length} ranges instead of ${want.length}; first ${who}: ${fmtRange(extra.start, extra.end)} -> ${label(extra.entry)}`;
  }
  return null;
}

/**
 * The first way `subject`'s contents differ from `model`'s (ranges, entries, size), or null.
 * A subject that throws while being walked yields a description of the throw. O(n).
 */
export function diffContents<E extends IndexEntry>(subject: VmaIndex<E>, model: VmaIndex<E>): string | null {
  let got: RangeRecord<E>[];
  try {
    got = collectRanges(subject);
  } catch (err) {
    return `forEach threw: ${errorText(err)}`;
  }
  const want = collectRanges(model);
  const d = diffRangeLists(got, want, entryLabel);
  if (d !== null) return d;
  if (subject.size !== want.length) return `size is ${subject.size}, ${want.length} ranges expected`;
  return null;
}

/** Message of anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
