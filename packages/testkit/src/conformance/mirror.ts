/**
 * A subject index and a reference index driven in lockstep. Every update goes to both; contract
 * errors must agree; after each update the subject is validated and its whole contents, size and
 * stats are compared. Every query is asked of both and must agree. Failures name the operation and
 * the recent history so a report is reproducible by hand.
 */
import type { IndexFactory, IndexOptions, IndexStats, UnmappedAreaRequest, VmaIndex } from '@vmakit/core';
import { diffContents, entryLabel, errorText, fmtRange } from '../compare.js';
import { ReferenceIndex } from '../reference-index.js';
import type { TestEntry } from './entry.js';
import { ConformanceFailure, isContractError } from './failure.js';

const HISTORY = 40;

/** `0x...` for messages. */
export function hex(n: number): string {
  return Number.isFinite(n) && n >= 0 ? `0x${n.toString(16)}` : String(n);
}

function label(e: TestEntry | null): string {
  return entryLabel(e);
}

/** One visit of forEach / forEachReverse. */
type Visit = readonly [number, number, TestEntry];

function visits(
  ix: VmaIndex<TestEntry>,
  reverse: boolean,
  from: number,
  to: number,
  stopAfter: number,
): Visit[] {
  const out: Visit[] = [];
  const visit = (s: number, e: number, x: TestEntry): boolean | undefined => {
    out.push([s, e, x]);
    return stopAfter > 0 && out.length >= stopAfter ? true : undefined;
  };
  if (reverse) ix.forEachReverse(from, to, visit);
  else ix.forEach(from, to, visit);
  return out;
}

/** The stats invariants every index must keep. Returns a problem or null. */
export function statsProblem(stats: IndexStats, size: number): string | null {
  if (stats.entries !== size) return `stats().entries is ${stats.entries} but size is ${size}`;
  if (size > 0 && !(stats.height >= 1)) return `stats().height is ${stats.height} with ${size} entries`;
  if (size === 0 && stats.height !== 0)
    return `stats().height is ${stats.height} for an empty index (0 expected)`;
  if (!Number.isInteger(stats.nodes) || stats.nodes < 0) return `stats().nodes is ${stats.nodes}`;
  if (!(stats.bytes >= 0)) return `stats().bytes is ${stats.bytes}`;
  return null;
}

/** Subject and reference in lockstep. */
export class Mirror {
  readonly subject: VmaIndex<TestEntry>;
  readonly ref: ReferenceIndex<TestEntry>;
  private readonly history: string[] = [];
  private ops = 0;
  /** Depth of beginUpdate() brackets opened through this mirror. */
  depth = 0;
  /** Whether the last update was rejected (by both sides) with IndexContractError. */
  lastRejected = false;

  constructor(
    factory: IndexFactory,
    readonly options: IndexOptions,
    readonly context: string,
  ) {
    this.subject = factory<TestEntry>(options);
    this.ref = new ReferenceIndex<TestEntry>(options);
    if (this.subject.size !== 0) this.fail(`a new index has size ${this.subject.size}`);
  }

  /** Ranges currently stored (the reference's view). */
  get size(): number {
    return this.ref.size;
  }

  /** The i-th range of the reference, ascending. O(log n + i) via forEach; i < size. */
  rangeAt(i: number): { start: number; end: number; entry: TestEntry } {
    let k = 0;
    let found: { start: number; end: number; entry: TestEntry } | null = null;
    this.ref.forEach(0, Number.MAX_SAFE_INTEGER, (start, end, entry) => {
      if (k++ === i) {
        found = { start, end, entry };
        return true;
      }
      return undefined;
    });
    if (found === null) throw new RangeError(`rangeAt(${i}) with ${this.ref.size} ranges`);
    return found;
  }

  /** Lowest a >= addr with [a, a + len) free in the reference. O(ranges crossed). */
  freeSlotAbove(addr: number, len: number): number {
    let cursor = addr;
    this.ref.forEach(addr, Number.MAX_SAFE_INTEGER, (s, e) => {
      if (s - cursor >= len) return true;
      cursor = Math.max(cursor, e);
      return undefined;
    });
    return cursor;
  }

  /** Highest a with [a, a + len) free and a + len <= top, or -1. O(ranges crossed). */
  freeSlotBelow(top: number, len: number): number {
    if (top <= 0) return -1;
    let cursor = top;
    this.ref.forEachReverse(0, top, (s, e) => {
      if (cursor - e >= len) return true;
      cursor = Math.min(cursor, s);
      return undefined;
    });
    return cursor >= len ? cursor - len : -1;
  }

  /** Records an operation in the history shown with failures. */
  note(text: string): void {
    this.ops++;
    this.history.push(`#${this.ops} ${text}`);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** Throws a ConformanceFailure with context and recent history. */
  fail(message: string): never {
    const recent =
      this.history.length > 0 ? `\n  recent operations:\n    ${this.history.join('\n    ')}` : '';
    throw new ConformanceFailure(`${this.context}: ${message}${recent}`);
  }

  /** Validates the subject and compares contents, size and stats with the reference. */
  check(after: string): void {
    try {
      this.subject.validate();
    } catch (err) {
      this.fail(`validate() failed after ${after}: ${errorText(err)}`);
    }
    let d: string | null;
    try {
      d = diffContents(this.subject, this.ref);
    } catch (err) {
      d = `walking the index threw ${errorText(err)}`;
    }
    if (d !== null) this.fail(`contents differ from the reference after ${after}: ${d}`);
    let s: string | null;
    try {
      s = statsProblem(this.subject.stats(), this.subject.size);
    } catch (err) {
      s = `stats() threw ${errorText(err)}`;
    }
    if (s !== null) this.fail(`after ${after}: ${s}`);
  }

  /** Runs an update on both; contract errors must agree; then checks. Returns [subject, ref] results. */
  private update<R>(desc: string, onRef: () => R, onSubject: () => R, verify = true): R | undefined {
    this.note(desc);
    let refErr: unknown = null;
    let refResult: R | undefined;
    try {
      refResult = onRef();
    } catch (err) {
      if (!isContractError(err)) throw err;
      refErr = err;
    }
    let subErr: unknown = null;
    let subResult: R | undefined;
    try {
      subResult = onSubject();
    } catch (err) {
      subErr = err;
    }
    if (refErr !== null) {
      if (subErr === null)
        this.fail(`${desc} was accepted; IndexContractError expected (${errorText(refErr)})`);
      if (!isContractError(subErr))
        this.fail(`${desc} threw ${errorText(subErr)}; IndexContractError expected`);
    } else if (subErr !== null) {
      this.fail(`${desc} threw ${errorText(subErr)}`);
    } else if (subResult !== refResult) {
      this.fail(
        `${desc} returned ${label(subResult as TestEntry | null)}, reference returned ${label(refResult as TestEntry | null)}`,
      );
    }
    this.lastRejected = refErr !== null;
    if (verify) this.check(desc);
    return refErr === null ? refResult : undefined;
  }

  /** Inserts on both; true when accepted (false when both rejected it). */
  insert(start: number, end: number, entry: TestEntry, verify = true): boolean {
    this.update(
      `insert(${hex(start)}, ${hex(end)}, ${label(entry)})`,
      () => this.ref.insert(start, end, entry),
      () => this.subject.insert(start, end, entry),
      verify,
    );
    return !this.lastRejected;
  }

  /** store() on both; `verify` runs the full check afterwards. */
  store(start: number, end: number, entry: TestEntry | null, verify = true): void {
    this.update(
      `store(${hex(start)}, ${hex(end)}, ${label(entry)})`,
      () => this.ref.store(start, end, entry),
      () => this.subject.store(start, end, entry),
      verify,
    );
  }

  /** remove() on both. */
  remove(start: number, end: number, entry: TestEntry, verify = true): void {
    this.update(
      `remove(${hex(start)}, ${hex(end)}, ${label(entry)})`,
      () => this.ref.remove(start, end, entry),
      () => this.subject.remove(start, end, entry),
      verify,
    );
  }

  /** eraseAt() on both; both must return the same entry. */
  eraseAt(addr: number, verify = true): TestEntry | null {
    return (
      this.update(
        `eraseAt(${hex(addr)})`,
        () => this.ref.eraseAt(addr),
        () => this.subject.eraseAt(addr),
        verify,
      ) ?? null
    );
  }

  /** Opens a bracket on both. */
  beginUpdate(): void {
    this.note('beginUpdate()');
    this.ref.beginUpdate();
    this.subject.beginUpdate();
    this.depth++;
  }

  /** Closes a bracket on both, then checks. */
  publish(): void {
    this.note('publish()');
    this.ref.publish();
    this.subject.publish();
    this.depth--;
    this.check('publish()');
  }

  private agree<T>(desc: string, got: () => T, want: T, show: (x: T) => string): void {
    let g: T;
    try {
      g = got();
    } catch (err) {
      this.fail(`${desc} threw ${errorText(err)}`);
    }
    if (g !== want) this.fail(`${desc} = ${show(g)}, reference says ${show(want)}`);
  }

  /** find / lookup (with and without a thread id) / prevOf / nextOf at addr. */
  point(addr: number, tid?: number): void {
    this.note(`query at ${hex(addr)}${tid !== undefined ? ` tid ${tid}` : ''}`);
    const s = this.subject;
    const r = this.ref;
    const t = tid === undefined ? '' : `, ${tid}`;
    this.agree(
      `find(${hex(addr)}${t})`,
      () => (tid === undefined ? s.find(addr) : s.find(addr, tid)),
      r.find(addr),
      label,
    );
    this.agree(
      `lookup(${hex(addr)}${t})`,
      () => (tid === undefined ? s.lookup(addr) : s.lookup(addr, tid)),
      r.lookup(addr),
      label,
    );
    this.agree(`prevOf(${hex(addr)})`, () => s.prevOf(addr), r.prevOf(addr), label);
    this.agree(`nextOf(${hex(addr)})`, () => s.nextOf(addr), r.nextOf(addr), label);
  }

  /** forEach or forEachReverse over [from, to), stopping after `stopAfter` visits when > 0. */
  walk(reverse: boolean, from: number, to: number, stopAfter: number): void {
    const name = reverse ? 'forEachReverse' : 'forEach';
    const desc = `${name}(${hex(from)}, ${hex(to)})${stopAfter > 0 ? ` stopping after ${stopAfter}` : ''}`;
    this.note(desc);
    let got: Visit[];
    try {
      got = visits(this.subject, reverse, from, to, stopAfter);
    } catch (err) {
      this.fail(`${desc} threw ${errorText(err)}`);
    }
    const want = visits(this.ref, reverse, from, to, stopAfter);
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
      const g = got[i];
      const w = want[i];
      if (g === undefined || w === undefined || g[0] !== w[0] || g[1] !== w[1] || g[2] !== w[2]) {
        const show = (v: Visit | undefined) =>
          v === undefined ? 'nothing' : `${fmtRange(v[0], v[1])} -> ${label(v[2])}`;
        this.fail(
          `${desc}: visit #${i} is ${show(g)}, reference visits ${show(w)} (${got.length} vs ${want.length} visits)`,
        );
      }
    }
  }

  /** emptyArea or emptyAreaRev. */
  gap(reverse: boolean, min: number, max: number, size: number): void {
    const desc = `${reverse ? 'emptyAreaRev' : 'emptyArea'}(${hex(min)}, ${hex(max)}, ${hex(size)})`;
    this.note(desc);
    const want = reverse ? this.ref.emptyAreaRev(min, max, size) : this.ref.emptyArea(min, max, size);
    this.agree(
      desc,
      () => (reverse ? this.subject.emptyAreaRev(min, max, size) : this.subject.emptyArea(min, max, size)),
      want,
      hex,
    );
  }

  /** unmappedArea. */
  unmapped(req: UnmappedAreaRequest): void {
    const desc = `unmappedArea(${JSON.stringify(req, (_k, v) => (typeof v === 'number' && v > 9 ? hex(v) : v))})`;
    this.note(desc);
    this.agree(desc, () => this.subject.unmappedArea(req), this.ref.unmappedArea(req), hex);
  }
}
