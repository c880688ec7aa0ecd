/**
 * The value a tree node carries: one range and its entry. Immutable, so versions share it freely;
 * trimming a range stores a new record.
 */
export interface StoredRange<E> {
  readonly start: number;
  readonly end: number;
  readonly entry: E;
}
