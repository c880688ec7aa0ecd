/**
 * Explicit expectations for the hand-written scenarios: they state the contract directly (not only
 * "same as the reference"), so the scenarios also pin down the reference index itself.
 */
import { entryLabel } from '../compare.js';
import type { TestEntry } from './entry.js';
import { hex, type Mirror } from './mirror.js';

function show(x: unknown): string {
  if (x === null || (typeof x === 'object' && x !== null && 'id' in x))
    return entryLabel(x as TestEntry | null);
  if (typeof x === 'number') return hex(x);
  return String(x);
}

/** Fails the mirror's check unless got === want. */
export function expectSame<T>(m: Mirror, what: string, got: T, want: T): void {
  if (got !== want) m.fail(`${what} is ${show(got)}, ${show(want)} expected`);
}

/** Runs an update that must be rejected with IndexContractError by the subject (and the reference). */
export function expectRejected(m: Mirror, what: string, update: () => unknown): void {
  update();
  if (!m.lastRejected) m.fail(`${what} was accepted; the contract requires IndexContractError`);
}

/** Runs an update that must be accepted. */
export function expectAccepted(m: Mirror, what: string, update: () => unknown): void {
  update();
  if (m.lastRejected) m.fail(`${what} was rejected; the contract accepts it`);
}

/** Ranges visited by forEach (or forEachReverse) over [from, to), as [start, end] pairs. */
export function visitedStarts(m: Mirror, reverse: boolean, from: number, to: number): number[] {
  const out: number[] = [];
  const visit = (s: number): undefined => {
    out.push(s);
    return undefined;
  };
  if (reverse) m.subject.forEachReverse(from, to, visit);
  else m.subject.forEach(from, to, visit);
  return out;
}

/** Fails unless two number lists are equal. */
export function expectList(m: Mirror, what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((x, i) => x !== want[i])) {
    m.fail(`${what} is [${got.map(hex).join(', ')}], [${want.map(hex).join(', ')}] expected`);
  }
}
