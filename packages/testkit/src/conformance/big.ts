/**
 * One big sequential scenario: DEFAULT_MAX_MAP_COUNT (65,530) page-sized VMAs, inserted ascending,
 * descending and in random order, then churned (munmap/mmap-over spans, erases, re-inserts), then
 * removed in random order down to empty. Trees this size split and merge nodes at several levels.
 * A page-granular model (one slot per page) is the oracle; at checkpoints the subject is validated
 * and compared in full with a reference index rebuilt from the model, and queried at random.
 */
import { DEFAULT_MAX_MAP_COUNT, type IndexFactory, PAGE_SIZE } from '@vmakit/core';
import {
  collectRanges,
  diffRangeLists,
  entryLabel,
  errorText,
  INDEX_END,
  type RangeRecord,
} from '../compare.js';
import { ReferenceIndex } from '../reference-index.js';
import { makeTestEntry, type TestEntry } from './entry.js';
import { ConformanceFailure } from './failure.js';
import { hex, statsProblem } from './mirror.js';
import { Prng } from './prng.js';

/** Options of checkBigSequential. */
export interface BigOptions {
  readonly seed: number;
  /** VMAs inserted (default 65,530). */
  readonly count?: number;
  /** Random updates after the inserts (default 20,000). */
  readonly churn?: number;
  /** Updates between full checkpoints (default 4,096). */
  readonly checkEvery?: number;
  readonly name?: string;
}

/** What the scenario did. */
export interface BigResult {
  readonly inserted: number;
  readonly churned: number;
  readonly removed: number;
  readonly checkpoints: number;
  /** Largest stats().height seen. */
  readonly maxHeight: number;
}

/** Page-granular model: owner[page] is the entry mapping that page, or null. */
class PageModel {
  readonly owner: (TestEntry | null)[];

  constructor(
    readonly base: number,
    pages: number,
  ) {
    this.owner = new Array<TestEntry | null>(pages).fill(null);
  }

  addr(page: number): number {
    return this.base + page * PAGE_SIZE;
  }

  /** Ranges as maximal runs of one entry. */
  ranges(): RangeRecord<TestEntry>[] {
    const out: RangeRecord<TestEntry>[] = [];
    let i = 0;
    const n = this.owner.length;
    while (i < n) {
      const e = this.owner[i]!;
      if (e === null) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && this.owner[j] === e) j++;
      out.push({ start: this.addr(i), end: this.addr(j), entry: e });
      i = j;
    }
    return out;
  }

  /** The run containing page p: [first, end) pages. */
  runAt(p: number): [number, number] {
    const e = this.owner[p];
    let a = p;
    let b = p + 1;
    while (a > 0 && this.owner[a - 1] === e) a--;
    while (b < this.owner.length && this.owner[b] === e) b++;
    return [a, b];
  }

  fill(first: number, end: number, e: TestEntry | null): void {
    for (let p = first; p < end; p++) this.owner[p] = e;
  }
}

/**
 * Runs the scenario. Per-update checks are point lookups around the update; full validation and
 * comparison happen every `checkEvery` updates and at every phase end.
 *
 * Complexity: O(count × log n) for the subject plus O(count²/checkEvery) for the checkpoints.
 */
export function checkBigSequential(factory: IndexFactory, options: BigOptions): BigResult {
  const count = options.count ?? DEFAULT_MAX_MAP_COUNT;
  const churn = options.churn ?? 20_000;
  const checkEvery = options.checkEvery ?? 4096;
  const name = options.name ?? 'index';
  const rng = new Prng(options.seed);
  // VMA i sits on page i + floor(i / 4): runs of four adjacent VMAs separated by one-page holes.
  const slotPage = (i: number) => i + Math.floor(i / 4);
  const pages = slotPage(count - 1) + 64;
  const model = new PageModel(0x7e0000000000, pages);
  const subject = factory<TestEntry>({ checked: true });
  let phase = 'insert';
  let updates = 0;
  let checkpoints = 0;
  let maxHeight = 0;
  // Descriptions are built only when a failure is reported.
  const recent: Array<() => string> = [];

  const fail = (msg: string): never => {
    throw new ConformanceFailure(
      `${name} [big sequential scenario, seed ${options.seed}, phase ${phase}, update #${updates}]: ${msg}\n  recent updates:\n    ${recent.map((f) => f()).join('\n    ')}`,
    );
  };
  const note = (s: () => string) => {
    recent.push(s);
    if (recent.length > 12) recent.shift();
  };
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConformanceFailure) throw err;
      fail(`${what} threw ${errorText(err)}`);
    }
  };
  const pointCheck = (page: number) => {
    for (const p of [page - 1, page]) {
      if (p < 0 || p >= pages) continue;
      const a = model.addr(p);
      const want = model.owner[p]!;
      const got = subject.lookup(a);
      if (got !== want) fail(`lookup(${hex(a)}) = ${entryLabel(got)}, model says ${entryLabel(want)}`);
      const got2 = subject.lookup(a + PAGE_SIZE - 1);
      if (got2 !== want)
        fail(`lookup(${hex(a + PAGE_SIZE - 1)}) = ${entryLabel(got2)}, model says ${entryLabel(want)}`);
    }
  };
  const checkpoint = () => {
    checkpoints++;
    guard('validate()', () => subject.validate());
    const want = model.ranges();
    let got: RangeRecord<TestEntry>[] = [];
    guard('forEach over everything', () => {
      got = collectRanges(subject);
    });
    const d = diffRangeLists(got, want, entryLabel);
    if (d !== null) fail(`contents differ from the model: ${d}`);
    if (subject.size !== want.length) fail(`size is ${subject.size}, the model holds ${want.length} ranges`);
    const st = subject.stats();
    const sp = statsProblem(st, subject.size);
    if (sp !== null) fail(sp);
    maxHeight = Math.max(maxHeight, st.height);
    // Random queries against a reference rebuilt from the model (ascending inserts are cheap).
    const ref = new ReferenceIndex<TestEntry>({ checked: true });
    ref.beginUpdate();
    for (const r of want) ref.insert(r.start, r.end, r.entry);
    ref.publish();
    for (let i = 0; i < 200; i++) {
      const a = model.addr(rng.below(pages + 8)) - 4 * PAGE_SIZE + rng.below(3) * (PAGE_SIZE - 1);
      for (const q of ['find', 'lookup', 'prevOf', 'nextOf'] as const) {
        const g = subject[q](a);
        const w = ref[q](a);
        if (g !== w) fail(`${q}(${hex(a)}) = ${entryLabel(g)}, reference says ${entryLabel(w)}`);
      }
      // Gap searches are O(n) in the reference, so only a fifth of the probes ask one.
      if (i % 5 !== 0) continue;
      const min = model.addr(rng.below(pages));
      const max = min + rng.below(pages) * PAGE_SIZE;
      const size = (1 + rng.below(3)) * PAGE_SIZE;
      const ga = subject.emptyArea(min, max, size);
      if (ga !== ref.emptyArea(min, max, size))
        fail(
          `emptyArea(${hex(min)}, ${hex(max)}, ${hex(size)}) = ${hex(ga)}, reference says ${hex(ref.emptyArea(min, max, size))}`,
        );
      const gr = subject.emptyAreaRev(min, max, size);
      if (gr !== ref.emptyAreaRev(min, max, size))
        fail(
          `emptyAreaRev(${hex(min)}, ${hex(max)}, ${hex(size)}) = ${hex(gr)}, reference says ${hex(ref.emptyAreaRev(min, max, size))}`,
        );
    }
  };
  const tick = () => {
    updates++;
    if (updates % checkEvery === 0) checkpoint();
  };

  // Phase 1: inserts, a third ascending, a third descending, a third in random order.
  const order: number[] = [];
  for (let i = 0; i < count; i += 3) order.push(i);
  for (let i = count - 1; i >= 0; i--) if (i % 3 === 1) order.push(i);
  const rest: number[] = [];
  for (let i = 2; i < count; i += 3) rest.push(i);
  order.push(...rng.shuffle(rest));
  for (const i of order) {
    const p = slotPage(i);
    const e = makeTestEntry();
    const a = model.addr(p);
    note(() => `insert(${hex(a)}, ${hex(a + PAGE_SIZE)})`);
    guard(`insert(${hex(a)})`, () => subject.insert(a, a + PAGE_SIZE, e));
    model.fill(p, p + 1, e);
    pointCheck(p);
    tick();
  }
  checkpoint();

  // Phase 2: churn, like munmap and mmap(MAP_FIXED) over a busy address space.
  phase = 'churn';
  for (let k = 0; k < churn; k++) {
    const p = rng.below(pages - 48);
    const op = rng.below(10);
    if (op < 3) {
      const len = 1 + rng.below(40);
      note(() => `store(${hex(model.addr(p))}, ${hex(model.addr(p + len))}, null)`);
      guard('store null', () => subject.store(model.addr(p), model.addr(p + len), null));
      model.fill(p, p + len, null);
      pointCheck(p);
      pointCheck(p + len);
    } else if (op < 5) {
      const len = 1 + rng.below(40);
      const e = makeTestEntry();
      note(() => `store(${hex(model.addr(p))}, ${hex(model.addr(p + len))}, ${entryLabel(e)})`);
      guard('store', () => subject.store(model.addr(p), model.addr(p + len), e));
      model.fill(p, p + len, e);
      pointCheck(p);
      pointCheck(p + len);
    } else if (op < 7) {
      const want = model.owner[p]!;
      const [a, b] = want === null ? [p, p] : model.runAt(p);
      note(() => `eraseAt(${hex(model.addr(p) + 17)})`);
      let got: TestEntry | null = null;
      guard('eraseAt', () => {
        got = subject.eraseAt(model.addr(p) + 17);
      });
      if (got !== want)
        fail(`eraseAt(${hex(model.addr(p) + 17)}) = ${entryLabel(got)}, model says ${entryLabel(want)}`);
      model.fill(a, b, null);
      pointCheck(a);
      pointCheck(b);
    } else if (op < 9) {
      if (model.owner[p] !== null) continue;
      const e = makeTestEntry();
      note(() => `insert(${hex(model.addr(p))}, ${hex(model.addr(p + 1))})`);
      guard('insert', () => subject.insert(model.addr(p), model.addr(p + 1), e));
      model.fill(p, p + 1, e);
      pointCheck(p);
    } else {
      const e = model.owner[p];
      if (e === null || e === undefined) continue;
      const [a, b] = model.runAt(p);
      note(() => `remove(${hex(model.addr(a))}, ${hex(model.addr(b))})`);
      guard('remove', () => subject.remove(model.addr(a), model.addr(b), e));
      model.fill(a, b, null);
      pointCheck(a);
    }
    tick();
  }
  checkpoint();

  // Phase 3: remove everything in random order.
  phase = 'teardown';
  const left = rng.shuffle(model.ranges());
  for (const r of left) {
    note(() => `remove(${hex(r.start)}, ${hex(r.end)})`);
    guard('remove', () => subject.remove(r.start, r.end, r.entry));
    const first = (r.start - model.base) / PAGE_SIZE;
    model.fill(first, (r.end - model.base) / PAGE_SIZE, null);
    pointCheck(first);
    tick();
  }
  checkpoint();
  if (subject.size !== 0) fail(`size is ${subject.size} after removing everything`);
  if (subject.find(0) !== null) fail('find(0) is not null after removing everything');
  if (subject.emptyArea(0, INDEX_END, 1) !== 0)
    fail('emptyArea(0, max, 1) is not 0 after removing everything');
  return { inserted: count, churned: churn, removed: left.length, checkpoints, maxHeight };
}
