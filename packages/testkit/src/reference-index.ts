/**
 * The reference index: three parallel sorted arrays (starts, ends, entries). Every answer is a
 * binary search or a linear walk, so it is obviously correct; it is the oracle the conformance suite
 * compares every other index against. Updates copy the arrays (copy-on-write per update), which
 * makes versions immutable and gives it `snapshot` semantics for free.
 *
 * Complexity: find/lookup/prevOf/nextOf O(log n); forEach O(log n + k); updates O(n);
 * emptyArea/emptyAreaRev O(n).
 */
import {
  defineIndexPlugin,
  EBUSY,
  EINVAL,
  IndexContractError,
  type IndexEntry,
  IndexInvariantError,
  type IndexOptions,
  type IndexPlugin,
  type IndexProbe,
  type IndexStats,
  type LocklessReader,
  PAGE_SIZE,
  type RangeVisitor,
  type ReaderOutcome,
  type UnmappedAreaRequest,
  unmappedAreaVia,
  type VmaIndex,
} from '@vmakit/core';

/** Top of the index space (the maple tree's ULONG_MAX, as far as JavaScript numbers reach). */
const INDEX_MAX = Number.MAX_SAFE_INTEGER;

interface Version<E> {
  readonly starts: number[];
  readonly ends: number[];
  readonly entries: E[];
}

/** Index of the first range whose end > addr (n when none). */
function firstEndAbove<E>(v: Version<E>, addr: number): number {
  let lo = 0;
  let hi = v.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v.ends[mid]! > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function findIn<E>(v: Version<E>, addr: number): E | null {
  const i = firstEndAbove(v, addr);
  return i < v.entries.length ? v.entries[i]! : null;
}

function lookupIn<E>(v: Version<E>, addr: number): E | null {
  const i = firstEndAbove(v, addr);
  return i < v.entries.length && v.starts[i]! <= addr ? v.entries[i]! : null;
}

/** The reference VmaIndex (registered as `reference`). */
export class ReferenceIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name = 'reference';
  readonly semantics = 'snapshot' as const;
  readonly era = 'maple-era' as const;
  probe: IndexProbe | null;
  private published: Version<E> = { starts: [], ends: [], entries: [] };
  /** The version being built by an update in flight (null when none). */
  private draft: Version<E> | null = null;
  /** Depth of nested beginUpdate() brackets. */
  private depth = 0;
  private versionNo = 0;
  private readonly checked: boolean;
  private readonly pageAligned: boolean;

  constructor(options: IndexOptions = {}) {
    this.checked = options.checked ?? false;
    this.pageAligned = options.pageAligned ?? this.checked;
    this.probe = options.probe ?? null;
  }

  get size(): number {
    return this.current().entries.length;
  }

  get version(): number {
    return this.versionNo;
  }

  /** What the writer sees: the draft when an update is in flight. */
  private current(): Version<E> {
    return this.draft ?? this.published;
  }

  /** A private copy to mutate for the update in flight. */
  private writable(): Version<E> {
    if (this.draft === null) {
      const p = this.published;
      this.draft = { starts: p.starts.slice(), ends: p.ends.slice(), entries: p.entries.slice() };
    }
    return this.draft;
  }

  /** Publishes a draft made outside beginUpdate()/publish(). */
  private autoPublish(): void {
    if (this.depth === 0) this.publishDraft();
  }

  private publishDraft(): void {
    if (this.draft !== null) {
      this.published = this.draft;
      this.draft = null;
      this.versionNo++;
    }
  }

  find(addr: number): E | null {
    return findIn(this.current(), addr);
  }

  lookup(addr: number): E | null {
    return lookupIn(this.current(), addr);
  }

  prevOf(addr: number): E | null {
    const v = this.current();
    // Ranges ending at or below addr are exactly those before firstEndAbove(addr).
    const i = firstEndAbove(v, addr) - 1;
    return i >= 0 ? v.entries[i]! : null;
  }

  nextOf(addr: number): E | null {
    const v = this.current();
    let i = firstEndAbove(v, addr);
    if (i < v.starts.length && v.starts[i]! < addr) i++;
    return i < v.entries.length ? v.entries[i]! : null;
  }

  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    // An empty window intersects nothing, even a range that straddles it.
    if (!(from < to)) return;
    const v = this.current();
    for (let i = firstEndAbove(v, from); i < v.starts.length && v.starts[i]! < to; i++) {
      if (visit(v.starts[i]!, v.ends[i]!, v.entries[i]!) === true) return;
    }
  }

  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    if (!(from < to)) return;
    const v = this.current();
    const i = firstEndAbove(v, from);
    let j = i;
    while (j < v.starts.length && v.starts[j]! < to) j++;
    for (let k = j - 1; k >= i; k--) {
      if (visit(v.starts[k]!, v.ends[k]!, v.entries[k]!) === true) return;
    }
  }

  private checkRange(op: string, start: number, end: number): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
      throw new IndexContractError(
        `${op}: range [${start}, ${end}) is not made of non-negative safe integers`,
      );
    }
    if (end <= start) throw new IndexContractError(`${op}: empty or inverted range [${start}, ${end})`);
    if (this.pageAligned && (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0)) {
      throw new IndexContractError(
        `${op}: range [0x${start.toString(16)}, 0x${end.toString(16)}) is not page aligned`,
      );
    }
  }

  insert(start: number, end: number, entry: E): void {
    this.checkRange('insert', start, end);
    // Check against the current version before copying it, so a rejected insert leaves no draft
    // behind (a stray draft would make the next empty beginUpdate()/publish() bump the version).
    const cur = this.current();
    const i = firstEndAbove(cur, start);
    if (i < cur.starts.length && cur.starts[i]! < end) {
      throw new IndexContractError(
        `insert: [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps [0x${cur.starts[i]!.toString(16)}, 0x${cur.ends[i]!.toString(16)})`,
      );
    }
    const v = this.writable();
    v.starts.splice(i, 0, start);
    v.ends.splice(i, 0, end);
    v.entries.splice(i, 0, entry);
    this.autoPublish();
  }

  store(start: number, end: number, entry: E | null): void {
    this.checkRange('store', start, end);
    const v = this.writable();
    const i = firstEndAbove(v, start);
    let j = i;
    while (j < v.starts.length && v.starts[j]! < end) j++;
    // Ranges i..j-1 intersect [start, end): keep what sticks out on either side.
    const newStarts: number[] = [];
    const newEnds: number[] = [];
    const newEntries: E[] = [];
    if (i < j && v.starts[i]! < start) {
      newStarts.push(v.starts[i]!);
      newEnds.push(start);
      newEntries.push(v.entries[i]!);
    }
    if (entry !== null) {
      newStarts.push(start);
      newEnds.push(end);
      newEntries.push(entry);
    }
    if (i < j && v.ends[j - 1]! > end) {
      newStarts.push(end);
      newEnds.push(v.ends[j - 1]!);
      newEntries.push(v.entries[j - 1]!);
    }
    v.starts.splice(i, j - i, ...newStarts);
    v.ends.splice(i, j - i, ...newEnds);
    v.entries.splice(i, j - i, ...newEntries);
    this.autoPublish();
  }

  remove(start: number, end: number, entry: E): void {
    this.checkRange('remove', start, end);
    const v = this.current();
    const i = firstEndAbove(v, start);
    if (i >= v.starts.length || v.starts[i] !== start || v.ends[i] !== end || v.entries[i] !== entry) {
      throw new IndexContractError(
        `remove: [0x${start.toString(16)}, 0x${end.toString(16)}) is not a range of the index mapped to that entry`,
      );
    }
    const w = this.writable();
    w.starts.splice(i, 1);
    w.ends.splice(i, 1);
    w.entries.splice(i, 1);
    this.autoPublish();
  }

  eraseAt(addr: number): E | null {
    const v = this.current();
    const i = firstEndAbove(v, addr);
    if (i >= v.starts.length || v.starts[i]! > addr) return null;
    const w = this.writable();
    const [entry] = w.entries.splice(i, 1);
    w.starts.splice(i, 1);
    w.ends.splice(i, 1);
    this.autoPublish();
    return entry!;
  }

  /** Calls `fn(gapStart, gapLast)` for each maximal empty run (inclusive) meeting [min, max], ascending. */
  private gaps(min: number, max: number, fn: (first: number, last: number) => boolean): void {
    const v = this.current();
    let cursor = 0;
    for (let i = 0; i <= v.starts.length; i++) {
      const gapLast = i < v.starts.length ? v.starts[i]! - 1 : INDEX_MAX;
      if (gapLast >= cursor && gapLast >= min && cursor <= max) {
        if (fn(cursor, gapLast)) return;
      }
      if (i < v.starts.length) cursor = v.ends[i]!;
      if (cursor > max) return;
    }
  }

  emptyArea(min: number, max: number, size: number): number {
    if (min > max || size <= 0 || max - min < size - 1) return -EINVAL;
    let result = -EBUSY;
    this.gaps(min, max, (first, last) => {
      const index = Math.max(first, min);
      if (index + size - 1 <= Math.min(last, max)) {
        result = index;
        return true;
      }
      return false;
    });
    return result;
  }

  emptyAreaRev(min: number, max: number, size: number): number {
    if (min > max || size <= 0 || max - min < size - 1) return -EINVAL;
    const found: number[] = [];
    this.gaps(min, max, (first, last) => {
      const top = Math.min(last, max);
      const index = top - size + 1;
      if (index >= Math.max(first, min)) found.push(index);
      return false;
    });
    return found.length > 0 ? found[found.length - 1]! : -EBUSY;
  }

  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }

  validate(): void {
    const v = this.current();
    if (v.starts.length !== v.ends.length || v.ends.length !== v.entries.length) {
      throw new IndexInvariantError('reference: parallel arrays differ in length');
    }
    for (let i = 0; i < v.starts.length; i++) {
      if (!(v.starts[i]! < v.ends[i]!)) {
        throw new IndexInvariantError(`reference: range ${i} [${v.starts[i]}, ${v.ends[i]}) is empty`);
      }
      if (i > 0 && v.ends[i - 1]! > v.starts[i]!) {
        throw new IndexInvariantError(`reference: ranges ${i - 1} and ${i} overlap or are out of order`);
      }
      if (v.entries[i] === null || v.entries[i] === undefined) {
        throw new IndexInvariantError(`reference: range ${i} maps to nothing`);
      }
    }
  }

  stats(): IndexStats {
    const n = this.current().entries.length;
    // Three 8-byte words per range, as a flat array would hold them.
    return {
      entries: n,
      nodes: n,
      height: n > 0 ? 1 : 0,
      bytes: n * 24,
      detail: { version: this.versionNo },
    };
  }

  beginUpdate(): void {
    this.depth++;
  }

  publish(): void {
    if (this.depth === 0) throw new IndexContractError('publish() without beginUpdate()');
    if (--this.depth === 0) this.publishDraft();
  }

  openReader(): LocklessReader<E> {
    const pinned = this.published;
    let open = true;
    const path: number[] = [];
    return {
      find(addr: number): E | null {
        if (!open) throw new IndexContractError('reader used after close()');
        return findIn(pinned, addr);
      },
      lookup(addr: number): E | null {
        if (!open) throw new IndexContractError('reader used after close()');
        return lookupIn(pinned, addr);
      },
      get outcome(): ReaderOutcome {
        return 'clean';
      },
      get path(): readonly number[] {
        return path;
      },
      close(): void {
        open = false;
      },
    };
  }
}

/** Creates an empty reference index. */
export function createReferenceIndex<E extends IndexEntry>(options?: IndexOptions): ReferenceIndex<E> {
  return new ReferenceIndex<E>(options);
}

/** The reference index as a plug-in (registered name `reference`): the oracle, always available. */
export const referencePlugin: IndexPlugin = defineIndexPlugin({
  meta: {
    name: 'reference',
    version: '0.1.0',
    kind: 'index',
    description: 'sorted arrays, obviously correct: the oracle every index is compared with',
  },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (options) => createReferenceIndex(options),
});
