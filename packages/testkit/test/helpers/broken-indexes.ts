/**
 * Deliberately broken indexes, each wrong in one way a real implementation could be.
 */
import type { IndexEntry, LocklessReader, LocklessSemantics, ReaderOutcome } from '@vmakit/core';
import { allocId } from '@vmakit/core';
import { ProbingIndex, WrappedIndex } from './wrapped-index.js';

/** find() answers for the next address: off by one at every range end. */
export class OffByOneFind<E extends IndexEntry> extends WrappedIndex<E> {
  override find(addr: number): E | null {
    return this.inner.find(addr + 1);
  }
}

/** store() drops the parts of straddling ranges that stick out instead of trimming them. */
export class ForgetfulStore<E extends IndexEntry> extends WrappedIndex<E> {
  override store(start: number, end: number, entry: E | null): void {
    if (!(start < end)) {
      this.inner.store(start, end, entry);
      return;
    }
    const hit: Array<[number, number, E]> = [];
    this.inner.forEach(start, end, (s, e, x) => {
      hit.push([s, e, x]);
      return undefined;
    });
    for (const [s, e, x] of hit) this.inner.remove(s, e, x);
    if (entry !== null) this.inner.insert(start, end, entry);
  }
}

/** emptyAreaRev() places the block one index too low. */
export class LowGapRev<E extends IndexEntry> extends WrappedIndex<E> {
  override emptyAreaRev(min: number, max: number, size: number): number {
    const r = this.inner.emptyAreaRev(min, max, size);
    return r > min ? r - 1 : r;
  }
}

/** insert() overwrites instead of rejecting an overlap. */
export class LaxInsert<E extends IndexEntry> extends WrappedIndex<E> {
  override insert(start: number, end: number, entry: E): void {
    this.inner.store(start, end, entry);
  }
}

/** remove() does not check the entry. */
export class CarelessRemove<E extends IndexEntry> extends WrappedIndex<E> {
  override remove(start: number, end: number, _entry: E): void {
    const e = this.inner.lookup(start);
    if (e === null) throw new Error('nothing there');
    this.inner.remove(start, end, e);
  }
}

/** stats().entries is one short once the index holds more than 10 ranges. */
export class MiscountingStats<E extends IndexEntry> extends WrappedIndex<E> {
  override stats() {
    const s = this.inner.stats();
    return s.entries > 10 ? { ...s, entries: s.entries - 1 } : s;
  }
}

/** A reader that answers from the writer's current state, with a fixed outcome. */
function currentStateReader<E extends IndexEntry>(
  ix: WrappedIndex<E>,
  missWhileOpen: () => boolean,
): LocklessReader<E> {
  let outcome: ReaderOutcome = 'clean';
  const ask = (q: 'find' | 'lookup', addr: number): E | null => {
    if (missWhileOpen()) {
      outcome = 'missed';
      return null;
    }
    outcome = 'clean';
    return ix.inner[q](addr);
  };
  return {
    find: (addr) => ask('find', addr),
    lookup: (addr) => ask('lookup', addr),
    get outcome() {
      return outcome;
    },
    path: [],
    close: () => undefined,
  };
}

/** Declares snapshot semantics but its readers see the writer's updates as they happen. */
export class LeakySnapshot<E extends IndexEntry> extends WrappedIndex<E> {
  override openReader(): LocklessReader<E> {
    return currentStateReader(this, () => false);
  }
}

/** Tracks bracket depth so readers can tell an update is in flight. */
class BracketDepth<E extends IndexEntry> extends WrappedIndex<E> {
  depth = 0;
  override beginUpdate(): void {
    this.depth++;
    super.beginUpdate();
  }
  override publish(): void {
    this.depth--;
    super.publish();
  }
}

/**
 * A correct 'unsafe' index: readers see the writer's in-place updates, and miss (null) while an
 * update is open — the rbtree's behaviour in the simplest form.
 */
export class MissingUnsafe<E extends IndexEntry> extends BracketDepth<E> {
  override get semantics(): LocklessSemantics {
    return 'unsafe';
  }
  override openReader(): LocklessReader<E> {
    return currentStateReader(this, () => this.depth > 0);
  }
}

/** A correct 'rcu' index in its simplest form: readers always see the current state. */
export class CurrentRcu<E extends IndexEntry> extends WrappedIndex<E> {
  override get semantics(): LocklessSemantics {
    return 'rcu';
  }
  override openReader(): LocklessReader<E> {
    return currentStateReader(this, () => false);
  }
}

/** Declares 'unsafe' but keeps the reference's snapshot readers: it answers stale entries. */
export class StaleUnsafe<E extends IndexEntry> extends WrappedIndex<E> {
  override get semantics(): LocklessSemantics {
    return 'unsafe';
  }
}

/** Publishes at every publish(), nested or not. */
export class EagerPublish<E extends IndexEntry> extends BracketDepth<E> {
  private extra = 0;
  override get version(): number {
    return this.inner.version + this.extra;
  }
  override publish(): void {
    if (this.depth > 1) this.extra++;
    super.publish();
  }
}

/** Retires a node id it never allocated. */
export class BogusRetire<E extends IndexEntry> extends ProbingIndex<E> {
  override eraseAt(addr: number): E | null {
    this.probe?.retire(allocId(), false);
    return super.eraseAt(addr);
  }
}

/** Forgets to report the reads of lookup(). */
export class SilentLookup<E extends IndexEntry> extends ProbingIndex<E> {
  override lookup(addr: number): E | null {
    return this.inner.lookup(addr);
  }
}
