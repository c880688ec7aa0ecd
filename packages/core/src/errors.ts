/**
 * Error types with enough context for a user to fix the input: what was wrong and where.
 */

/** Base class of every error vmakit throws on purpose. */
export class VmakitError extends Error {
  override readonly name: string = 'VmakitError';
}

/** A malformed input line: names the file, the 1-based line and what was expected. */
export class ParseError extends VmakitError {
  override readonly name = 'ParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** A caller broke the VmaIndex contract (overlapping insert, removing what is absent, misalignment). */
export class IndexContractError extends VmakitError {
  override readonly name = 'IndexContractError';
}

/** An index's internal invariant does not hold (thrown by `validate()`). */
export class IndexInvariantError extends VmakitError {
  override readonly name = 'IndexInvariantError';
}

/** An unknown name was asked for (index, strategy, workload, ...); lists what exists. */
export class UnknownNameError extends VmakitError {
  override readonly name = 'UnknownNameError';
  constructor(
    readonly what: string,
    readonly asked: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${what} '${asked}'; known: ${known.length > 0 ? known.join(', ') : '(none)'}`);
  }
}
