/**
 * Lockless readers and update brackets. What a reader may answer while an update is open depends on
 * the index's declared semantics (see LocklessReader in @vmakit/core):
 * - snapshot: a reader answers from the version published when it was opened, even after later
 *   publishes;
 * - rcu: during an open bracket the answer is right for the old or the current state, outcome
 *   'clean' or 'restarted' (a restarted walk returns the current state);
 * - unsafe: the answer is null with outcome 'missed', or right for the current state.
 * Outside brackets every reader of an rcu/unsafe index answers from the current state. Nested
 * brackets publish once, at the outermost publish().
 */
import type { IndexFactory, LocklessReader, LocklessSemantics, ReaderOutcome } from '@vmakit/core';
import fc from 'fast-check';
import { collectRanges, entryLabel, errorText } from '../compare.js';
import { makeTestEntry, type TestEntry } from './entry.js';
import { hex, Mirror } from './mirror.js';
import { type AddrSpec, addrOf, type Op, opArb, runOp } from './ops.js';
import type { Profile } from './profiles.js';
import { runProperty } from './run-property.js';

const PROFILE: Profile = {
  name: 'lockless readers',
  options: { checked: true },
  bytes: false,
  misaligned: false,
  regions: [0, 1, 2, 3],
  brackets: false,
};

const OUTCOMES: readonly ReaderOutcome[] = ['clean', 'restarted', 'missed'];

/** What a reader must answer at this point of the scenario. */
type Expect = 'old' | 'current' | 'rcu' | 'unsafe';

/** Options of checkReaderSemantics. */
export interface ReaderCheckOptions {
  readonly semantics: LocklessSemantics;
  readonly seed: number;
  readonly runs: number;
  readonly shrink?: boolean;
  readonly name?: string;
}

/** What the reader check did. */
export interface ReaderCheckResult {
  readonly runs: number;
  readonly queries: number;
}

interface Case {
  readonly prefix: readonly Op[];
  readonly bracket: readonly Op[];
  readonly probes: readonly AddrSpec[];
  readonly nested: boolean;
}

/** Expectation for a reader during an open bracket. */
function during(semantics: LocklessSemantics): Expect {
  return semantics === 'snapshot' ? 'old' : semantics;
}

class ReaderRun {
  queries = 0;

  constructor(
    readonly m: Mirror,
    readonly semantics: LocklessSemantics,
  ) {}

  /** Checks reader `r` at `addr`; `old` is a reference reader pinned at the old state. */
  one(
    name: string,
    r: LocklessReader<TestEntry>,
    old: LocklessReader<TestEntry>,
    addr: number,
    expect: Expect,
  ): void {
    for (const q of ['find', 'lookup'] as const) {
      this.queries++;
      let got: TestEntry | null;
      let outcome: ReaderOutcome;
      try {
        got = r[q](addr);
        outcome = r.outcome;
        if (!Array.isArray(r.path)) this.m.fail(`${name}.path is not an array`);
      } catch (err) {
        this.m.fail(`${name}.${q}(${hex(addr)}) threw ${errorText(err)}`);
      }
      const wantOld = old[q](addr);
      const wantNew = this.m.ref[q](addr);
      const what = `${this.semantics} ${name}.${q}(${hex(addr)}) = ${entryLabel(got)} (outcome ${outcome}); old state ${entryLabel(wantOld)}, current state ${entryLabel(wantNew)}`;
      if (!OUTCOMES.includes(outcome)) this.m.fail(`${what}: unknown outcome`);
      switch (expect) {
        case 'old':
          if (got !== wantOld) this.m.fail(`${what}: the version the reader opened on was expected`);
          break;
        case 'current':
          if (got !== wantNew || outcome === 'missed') {
            this.m.fail(`${what}: with no update in flight the current state was expected`);
          }
          break;
        case 'rcu':
          if (outcome === 'missed') this.m.fail(`${what}: an rcu reader never misses`);
          if (got !== wantOld && got !== wantNew)
            this.m.fail(`${what}: neither the old nor the current state`);
          if (outcome === 'restarted' && got !== wantNew)
            this.m.fail(`${what}: a restarted walk must see the current state`);
          break;
        case 'unsafe':
          if (outcome === 'missed' ? got !== null : got !== wantNew) {
            this.m.fail(`${what}: an unsafe reader may miss (null, 'missed') but never answer wrong`);
          }
          break;
      }
    }
  }

  /** Checks several readers at the given addresses. */
  all(
    readers: ReadonlyArray<[string, LocklessReader<TestEntry>, LocklessReader<TestEntry>, Expect]>,
    addrs: readonly number[],
  ): void {
    for (const a of addrs) for (const [name, r, old, expect] of readers) this.one(name, r, old, a, expect);
  }
}

/** Addresses worth asking: the probes plus every boundary of the current and old contents. */
function interesting(m: Mirror, probes: readonly number[], old: readonly number[]): number[] {
  const set = new Set<number>(probes);
  for (const r of collectRanges(m.ref)) {
    set.add(r.start);
    set.add(r.end - 1);
    set.add(r.end);
  }
  for (const a of old) set.add(a);
  return [...set].filter((a) => a >= 0).sort((x, y) => x - y);
}

function runCase(factory: IndexFactory, semantics: LocklessSemantics, c: Case, context: string): number {
  const m = new Mirror(factory, PROFILE.options, context);
  if (m.subject.semantics !== semantics) {
    m.fail(`the index declares semantics '${m.subject.semantics}', the suite was told '${semantics}'`);
  }
  const run = new ReaderRun(m, semantics);
  for (const op of c.prefix) runOp(m, PROFILE, op);
  const probes = c.probes.map((p) => addrOf(PROFILE, p, true));
  const oldBounds = interesting(m, probes, []);

  // No update in flight: every reader answers from the current state.
  const before = m.subject.openReader();
  const refBefore = m.ref.openReader();
  run.all([['reader opened before the update', before, refBefore, 'current']], oldBounds.slice(0, 64));

  const v0 = m.subject.version;
  const contentsBefore = collectRanges(m.ref);
  m.beginUpdate();
  if (c.nested) m.beginUpdate();
  let duringReader: LocklessReader<TestEntry> | null = null;
  const expectDuring = during(semantics);
  for (let i = 0; i < c.bracket.length; i++) {
    runOp(m, PROFILE, c.bracket[i]!);
    if (m.subject.version !== v0)
      m.fail(`version moved from ${v0} to ${m.subject.version} inside an open bracket`);
    if (i === 0) duringReader = m.subject.openReader();
    const readers: Array<[string, LocklessReader<TestEntry>, LocklessReader<TestEntry>, Expect]> = [
      ['reader opened before the update', before, refBefore, expectDuring],
    ];
    if (duringReader !== null)
      readers.push(['reader opened during the update', duringReader, refBefore, expectDuring]);
    run.all(readers, probes);
  }
  const allAddrs = interesting(m, probes, oldBounds);
  const inFlight: Array<[string, LocklessReader<TestEntry>, LocklessReader<TestEntry>, Expect]> = [
    ['reader opened before the update', before, refBefore, expectDuring],
  ];
  if (duringReader !== null)
    inFlight.push(['reader opened during the update', duringReader, refBefore, expectDuring]);
  run.all(inFlight, allAddrs);
  if (c.nested) {
    m.publish();
    if (m.subject.version !== v0)
      m.fail(`the inner publish() of nested brackets moved the version to ${m.subject.version}`);
    const openedAfterInner = m.subject.openReader();
    run.all(
      [...inFlight, ['reader opened after the inner publish', openedAfterInner, refBefore, expectDuring]],
      allAddrs,
    );
    openedAfterInner.close();
  }
  m.publish();
  const changed = collectRanges(m.ref);
  const differs =
    changed.length !== contentsBefore.length ||
    changed.some(
      (r, i) =>
        r.start !== contentsBefore[i]!.start ||
        r.end !== contentsBefore[i]!.end ||
        r.entry !== contentsBefore[i]!.entry,
    );
  const v1 = m.subject.version;
  if (differs ? v1 !== v0 + 1 : v1 !== v0 && v1 !== v0 + 1) {
    m.fail(
      `version went from ${v0} to ${v1} over one bracket that ${differs ? 'changed' : 'did not change'} the contents`,
    );
  }

  // Published: snapshot readers keep their version, the others see the new state.
  const after = m.subject.openReader();
  const refAfter = m.ref.openReader();
  const settled: Expect = semantics === 'snapshot' ? 'old' : 'current';
  const published: Array<[string, LocklessReader<TestEntry>, LocklessReader<TestEntry>, Expect]> = [
    ['reader opened before the update, after publish', before, refBefore, settled],
    ['reader opened after publish', after, refAfter, 'current'],
  ];
  if (duringReader !== null)
    published.push(['reader opened during the update, after publish', duringReader, refBefore, settled]);
  run.all(published, allAddrs);

  // An update outside any bracket is published on its own.
  const slot = m.freeSlotAbove(0x10000, 0x1000);
  m.insert(slot, slot + 0x1000, makeTestEntry());
  if (m.subject.version !== v1 + 1)
    m.fail(`an unbracketed insert moved the version from ${v1} to ${m.subject.version}`);
  run.all(
    [
      ['reader opened after publish, after an unbracketed insert', after, refAfter, settled],
      ['reader opened before the update, after an unbracketed insert', before, refBefore, settled],
    ],
    [slot - 1, slot, slot + 0x1000 - 1, slot + 0x1000],
  );
  const fresh = m.subject.openReader();
  run.all(
    [['reader opened after the unbracketed insert', fresh, m.ref.openReader(), 'current']],
    [slot, slot + 1],
  );
  for (const r of [before, after, fresh, duringReader]) {
    if (r === null) continue;
    try {
      r.close();
    } catch (err) {
      m.fail(`close() threw ${errorText(err)}`);
    }
  }
  m.check('closing every reader');
  m.point(slot);
  return run.queries;
}

/**
 * Random states, random updates inside (possibly nested) brackets, readers opened before, during
 * and after, checked against the declared semantics at every boundary of the old and new contents.
 *
 * Complexity: O(runs × (ops + boundaries × readers)).
 */
export function checkReaderSemantics(factory: IndexFactory, options: ReaderCheckOptions): ReaderCheckResult {
  let runs = 0;
  let queries = 0;
  const context = `${options.name ?? 'index'} [readers, ${options.semantics}, seed ${options.seed}]`;
  const caseArb: fc.Arbitrary<Case> = fc.record({
    prefix: fc.array(opArb(PROFILE, true), { maxLength: 120, size: 'max' }),
    bracket: fc.array(opArb(PROFILE, false), { minLength: 1, maxLength: 12, size: 'max' }),
    probes: fc.array(
      fc.record({
        region: fc.constantFrom(0, 1, 2, 3),
        page: fc.integer({ min: 0, max: 200 }),
        byte: fc.integer({ min: 0, max: 4095 }),
      }),
      { minLength: 4, maxLength: 16 },
    ),
    nested: fc.boolean(),
  });
  runProperty(
    caseArb,
    (c) => {
      runs++;
      queries += runCase(factory, options.semantics, c, context);
    },
    { seed: options.seed, numRuns: options.runs, shrink: options.shrink },
  );
  return { runs, queries };
}
