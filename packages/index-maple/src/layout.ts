/**
 * Node geometry of the kernel's 64-bit allocation-range maple tree (the VMA tree:
 * MT_FLAGS_ALLOC_RANGE), and the byte layout used to name the 64-byte cache lines a walk touches.
 *
 * Sources: include/linux/maple_tree.h (MAPLE_RANGE64_SLOTS 16, MAPLE_ARANGE64_SLOTS 10, struct
 * maple_range_64, struct maple_arange_64, struct maple_metadata) and lib/maple_tree.c (mt_slots[],
 * mt_pivots[], mt_min_slots[], enum maple_type order), v6.12.
 */

/** enum maple_type value of a leaf in a range tree (maple_leaf_64). */
export const LEAF = 1;
/** enum maple_type value of an internal node of an allocation-range tree (maple_arange_64). */
export const ARANGE = 3;

/** Slots of a maple_range_64 / leaf_64 node. */
export const LEAF_SLOTS = 16;
/** Pivots of a leaf: one fewer than slots, the last slot's upper bound is implied. */
export const LEAF_PIVOTS = 15;
/** Slots of a maple_arange_64 node. */
export const ARANGE_SLOTS = 10;
/** Pivots of an arange node. */
export const ARANGE_PIVOTS = 9;
/** mt_min_slots[maple_leaf_64]: (16 / 2) - 2. A non-root leaf's end offset must be at least this. */
export const LEAF_MIN = 6;
/** mt_min_slots[maple_arange_64]: (10 / 2) - 1. */
export const ARANGE_MIN = 4;

/** Bytes per node: every maple node is 256 bytes and 256-byte aligned. */
export const NODE_BYTES = 256;

/**
 * Per-node stride in the typed arrays. Sixteen cells hold the kernel's pivots plus one spare cell
 * after the last used pivot that caches the node's implied maximum as a scan sentinel.
 */
export const STRIDE = 16;
/** log2(STRIDE). */
export const SHIFT = 4;

/**
 * The maple tree's ULONG_MAX as far as JavaScript integers reach: the root covers [0, INDEX_MAX].
 * Ranges handed to an index end at or below 2^53 - 1, so this index is never occupied.
 */
export const INDEX_MAX = Number.MAX_SAFE_INTEGER;

/** Slots of a node of `type`. */
export function slotsOf(type: number): number {
  return type === LEAF ? LEAF_SLOTS : ARANGE_SLOTS;
}

/** Minimum end offset of a non-root node of `type` (mt_min_slots). */
export function minOf(type: number): number {
  return type === LEAF ? LEAF_MIN : ARANGE_MIN;
}

// Cache lines. Leaf (struct maple_range_64): parent @0, pivot[15] @8, slot[16] @128, metadata in the
// last slot @248. Arange (struct maple_arange_64): parent @0, pivot[9] @8, slot[10] @80, gap[10] @160,
// metadata @240.

/** Line holding `parent` (read by the dead-node check, written when a node is adopted). */
export const PARENT_LINE = 0;
/** Line holding the metadata (end, gap offset) in both node types. */
export const META_LINE = 3;

/** Line of pivot `i` (same offsets in both node types). */
export function pivotLine(i: number): number {
  return (8 + 8 * i) >> 6;
}

/** Line of slot `i` in a node of `type`. */
export function slotLine(type: number, i: number): number {
  return type === LEAF ? (128 + 8 * i) >> 6 : (80 + 8 * i) >> 6;
}

/** Line of gap `i` in an arange node. */
export function gapLine(i: number): number {
  return (160 + 8 * i) >> 6;
}
