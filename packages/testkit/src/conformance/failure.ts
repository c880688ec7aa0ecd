/**
 * The error every conformance check throws: a description of what the index did wrong, the
 * operations that led there, and how to reproduce it.
 */

/** A conformance check found a difference from the contract or from the reference index. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/** True for an IndexContractError, also across duplicate copies of @vmakit/core (src vs dist). */
export function isContractError(err: unknown): boolean {
  return err instanceof Error && err.name === 'IndexContractError';
}
