/**
 * The memory-traffic probe: queries of a non-empty index report reads, updates that change the
 * contents report writes, queries allocate nothing, and allocation/retirement ids are consistent
 * (every retired node was allocated and is retired once; no id is allocated twice while live).
 * Generic on purpose: it does not assume any node size, layout or count.
 */
import {
  DEFAULT_MMAP_MIN_ADDR,
  type IndexFactory,
  type IndexProbe,
  PAGE_SIZE,
  TASK_SIZE,
} from '@vmakit/core';
import { makeTestEntry, type TestEntry } from './entry.js';
import { ConformanceFailure } from './failure.js';
import { Mirror } from './mirror.js';
import { Prng } from './prng.js';

/** A probe that records what it is told and checks id consistency as it goes. */
export class RecordingProbe implements IndexProbe {
  reads = 0;
  writes = 0;
  allocs = 0;
  retires = 0;
  deferredRetires = 0;
  /** Allocated and not yet retired. */
  readonly live = new Set<number>();
  readonly problems: string[] = [];

  read(node: number, line: number): void {
    this.reads++;
    this.checkRef('read', node, line);
  }

  write(node: number, line: number): void {
    this.writes++;
    this.checkRef('write', node, line);
  }

  alloc(node: number, bytes: number): void {
    this.allocs++;
    if (!Number.isInteger(node)) this.problem(`alloc of a non-integer node id ${node}`);
    if (!(bytes > 0)) this.problem(`alloc(${node}) of ${bytes} bytes`);
    if (this.live.has(node)) this.problem(`alloc(${node}) while that id is already live`);
    this.live.add(node);
  }

  retire(node: number, deferred: boolean): void {
    this.retires++;
    if (deferred) this.deferredRetires++;
    if (!this.live.delete(node))
      this.problem(`retire(${node}) of an id that is not live (never allocated, or retired twice)`);
  }

  private checkRef(what: string, node: number, line: number): void {
    if (!Number.isInteger(node)) this.problem(`${what} of a non-integer node id ${node}`);
    if (!Number.isInteger(line) || line < 0) this.problem(`${what}(${node}) at line ${line}`);
  }

  private problem(p: string): void {
    if (this.problems.length < 10) this.problems.push(p);
  }

  /** Counters so far, for deltas. */
  snapshot(): { reads: number; writes: number; allocs: number; retires: number } {
    return { reads: this.reads, writes: this.writes, allocs: this.allocs, retires: this.retires };
  }
}

/** What the probe check observed. */
export interface ProbeCheckResult {
  readonly reads: number;
  readonly writes: number;
  readonly allocs: number;
  readonly retires: number;
  readonly deferredRetires: number;
  /** Allocated minus retired at the end (nodes the index still holds). */
  readonly live: number;
}

/**
 * Drives an index built with a recording probe through inserts, splits, removals and queries and
 * checks the traffic it reports. Throws ConformanceFailure on the first inconsistency.
 *
 * Complexity: O(ops × n) (the Mirror compares after each update).
 */
export function checkProbe(factory: IndexFactory, seed: number, name = 'index'): ProbeCheckResult {
  const probe = new RecordingProbe();
  const m = new Mirror(factory, { checked: true, probe }, `${name} [probe, seed ${seed}]`);
  const x = m.subject;
  if (x.probe !== probe) m.fail('the probe passed in the options is not the index.probe');
  const rng = new Prng(seed);
  const base = 0x7f0000000000;
  const assertProbe = () => {
    if (probe.problems.length > 0) m.fail(`inconsistent probe reports: ${probe.problems.join('; ')}`);
  };

  const update = (what: string, fn: () => void) => {
    const before = probe.snapshot();
    const contents = x.size;
    const version = x.version;
    fn();
    assertProbe();
    const changed = x.size !== contents || x.version !== version;
    if (changed && probe.writes === before.writes) m.fail(`${what} changed the index but reported no write`);
  };
  const query = (what: string, fn: () => unknown) => {
    const before = probe.snapshot();
    fn();
    assertProbe();
    if (probe.reads === before.reads) m.fail(`${what} on an index of ${x.size} ranges reported no read`);
    if (probe.allocs !== before.allocs) m.fail(`${what} allocated ${probe.allocs - before.allocs} node(s)`);
  };

  for (let i = 0; i < 400; i++) {
    const slot = base + rng.below(2000) * 2 * PAGE_SIZE;
    if (x.lookup(slot) !== null || x.lookup(slot + PAGE_SIZE) !== null) continue;
    update(`insert #${i}`, () =>
      m.insert(slot, slot + PAGE_SIZE * (1 + rng.below(2)), makeTestEntry(), i % 20 === 0),
    );
  }
  m.check('inserts with a probe');
  for (let i = 0; i < 50; i++) {
    const a = base + rng.below(4000) * PAGE_SIZE;
    query(`find(0x${a.toString(16)})`, () => x.find(a));
    query(`lookup(0x${a.toString(16)})`, () => x.lookup(a));
    query(`prevOf(0x${a.toString(16)})`, () => x.prevOf(a));
    query(`nextOf(0x${a.toString(16)})`, () => x.nextOf(a));
    query(`forEach from 0x${a.toString(16)}`, () => x.forEach(a, a + 16 * PAGE_SIZE, () => undefined));
    query(`forEachReverse below 0x${a.toString(16)}`, () =>
      x.forEachReverse(base, a + PAGE_SIZE, () => undefined),
    );
    query('emptyArea', () => x.emptyArea(a, TASK_SIZE - 1, PAGE_SIZE));
    query('emptyAreaRev', () => x.emptyAreaRev(0, a, PAGE_SIZE));
    query('unmappedArea', () =>
      x.unmappedArea({ length: PAGE_SIZE, lowLimit: DEFAULT_MMAP_MIN_ADDR, highLimit: a, topDown: true }),
    );
    m.point(a);
  }
  for (let i = 0; i < 150 && m.size > 0; i++) {
    const r = m.rangeAt(rng.below(m.size));
    const op = rng.below(3);
    if (op === 0) update('eraseAt', () => m.eraseAt(r.start, i % 20 === 0));
    else if (op === 1) update('remove', () => m.remove(r.start, r.end, r.entry as TestEntry, i % 20 === 0));
    else update('store', () => m.store(r.start, r.start + PAGE_SIZE, makeTestEntry(), i % 20 === 0));
  }
  // Detaching stops the reports; attaching another probe sends them there.
  x.probe = null;
  const frozen = probe.snapshot();
  m.point(base);
  m.insert(base - 4 * PAGE_SIZE, base - 3 * PAGE_SIZE, makeTestEntry());
  const after = probe.snapshot();
  if (after.reads !== frozen.reads || after.writes !== frozen.writes || after.allocs !== frozen.allocs) {
    m.fail('a detached probe still received reports');
  }
  const second = new RecordingProbe();
  x.probe = second;
  m.point(base + PAGE_SIZE);
  if (second.reads === 0) m.fail('a probe attached by assignment received no reads');
  x.probe = probe;
  // Retire what is left; retire ids must still be consistent (ids allocated while detached are
  // unknown to the first probe, so only its own problems so far count).
  while (m.size > 0) m.eraseAt(m.rangeAt(0).start, m.size % 25 === 0);
  m.check('emptying the index with a probe');
  const retiredUnknown = probe.problems.filter((p) => !p.startsWith('retire('));
  if (retiredUnknown.length > 0) throw new ConformanceFailure(`${name}: ${retiredUnknown.join('; ')}`);
  return {
    reads: probe.reads,
    writes: probe.writes,
    allocs: probe.allocs,
    retires: probe.retires,
    deferredRetires: probe.deferredRetires,
    live: probe.live.size,
  };
}
