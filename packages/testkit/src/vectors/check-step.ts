/**
 * Checks run after each replayed update: validate() on the cadence asked for, whole-content
 * comparison with the model, and point queries around the update's window (where a broken split or
 * trim shows first).
 */
import type { VmaIndex } from '@vmakit/core';
import { diffContents, entryLabel, errorText } from '../compare.js';
import type { VectorEntry } from './entry.js';

/** Compares the four point queries at each address; returns the first disagreement. */
export function spotCheck(
  subject: VmaIndex<VectorEntry>,
  model: VmaIndex<VectorEntry>,
  addrs: readonly number[],
): string | null {
  for (const a of addrs) {
    if (a < 0 || !Number.isSafeInteger(a)) continue;
    const pairs: Array<[string, VectorEntry | null, VectorEntry | null]> = [
      ['lookup', subject.lookup(a), model.lookup(a)],
      ['find', subject.find(a), model.find(a)],
      ['prevOf', subject.prevOf(a), model.prevOf(a)],
      ['nextOf', subject.nextOf(a), model.nextOf(a)],
    ];
    for (const [what, got, want] of pairs) {
      if (got !== want) return `${what}(${a}) = ${entryLabel(got)}, model says ${entryLabel(want)}`;
    }
  }
  return null;
}

/**
 * After an update: validate (when `validate`), compare contents, spot-check `addrs`. Returns a
 * description of the first problem or null. Never throws: a throwing subject is a finding.
 */
export function checkAfterUpdate(
  subject: VmaIndex<VectorEntry>,
  model: VmaIndex<VectorEntry>,
  addrs: readonly number[],
  validate: boolean,
): string | null {
  if (validate) {
    try {
      subject.validate();
    } catch (err) {
      return `validate() failed: ${errorText(err)}`;
    }
  }
  try {
    return diffContents(subject, model) ?? spotCheck(subject, model, addrs);
  } catch (err) {
    return `a query threw: ${errorText(err)}`;
  }
}
