/**
 * The argument checks every VmaIndex update makes before touching its tree, with one wording of
 * the errors across indexes: a caller's mistake reads the same whichever index it hits.
 */

import { PAGE_SIZE } from '../constants.js';
import { IndexContractError } from '../errors.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

/**
 * Throws IndexContractError unless [start, end) is a non-empty range of non-negative safe
 * integers, page aligned when `pageAligned`. `op` names the update in the message. O(1).
 */
export function checkRangeArgs(op: string, start: number, end: number, pageAligned: boolean): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
    throw new IndexContractError(`${op}: range [${start}, ${end}) is not made of non-negative safe integers`);
  }
  if (end <= start) throw new IndexContractError(`${op}: empty or inverted range [${start}, ${end})`);
  if (pageAligned && (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0)) {
    throw new IndexContractError(`${op}: range [${hex(start)}, ${hex(end)}) is not page aligned`);
  }
}

/** Throws IndexContractError when an update that maps a range is given no entry. O(1). */
export function requireEntry(op: string, entry: unknown): void {
  if (entry === null || entry === undefined) {
    throw new IndexContractError(`${op}: no entry given (use store(start, end, null) to clear a range)`);
  }
}
