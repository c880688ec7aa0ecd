/**
 * Full structural check of one version of the persistent red-black tree: the library's own
 * invariants (it has no checker) plus the index's range invariants. O(n).
 */

import type { StoredRange } from '@vmakit/core';
import { IndexInvariantError, PAGE_SIZE } from '@vmakit/core';
import { RB_BLACK, RB_RED, type RbNode } from './frbt-adapter.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

/**
 * Checks red-black shape (black root, no red node with a red child, equal black height on every
 * path), the library's subtree counts, key = range end, strictly increasing keys (no duplicate),
 * non-empty disjoint ranges in order, present entries and, when asked, page alignment.
 * `nodeCheck`, when given, is asked about every node and returns a fault or null.
 * Returns the number of ranges. Throws IndexInvariantError naming `what` and the first fault.
 */
export function checkRbVersion<E>(
  root: RbNode<StoredRange<E>> | null,
  what: string,
  pageAligned: boolean,
  nodeCheck?: (node: RbNode<StoredRange<E>>) => string | null,
): number {
  const fail = (detail: string): never => {
    throw new IndexInvariantError(`persistent-rbtree (${what}): ${detail}`);
  };
  if (root !== null && root._color !== RB_BLACK) fail('the root is red');
  let prevEnd = Number.NEGATIVE_INFINITY;
  let count = 0;

  // Returns the black height of the subtree (null leaves count 1).
  const walk = (node: RbNode<StoredRange<E>> | null): number => {
    if (node === null) return 1;
    if (node._color !== RB_RED && node._color !== RB_BLACK)
      fail(`node ${node.key} has colour ${node._color}`);
    const left = walk(node.left);
    const r = node.value;
    if (r === null || typeof r !== 'object') fail(`node ${node.key} holds no range`);
    if (node.key !== r.end) fail(`node key ${node.key} is not its range end ${r.end}`);
    if (!(r.start < r.end)) fail(`range [${hex(r.start)}, ${hex(r.end)}) is empty`);
    if (r.start < prevEnd) {
      fail(`range [${hex(r.start)}, ${hex(r.end)}) overlaps or precedes the range ending at ${hex(prevEnd)}`);
    }
    if (r.entry === null || r.entry === undefined)
      fail(`range [${hex(r.start)}, ${hex(r.end)}) maps to nothing`);
    if (pageAligned && (r.start % PAGE_SIZE !== 0 || r.end % PAGE_SIZE !== 0)) {
      fail(`range [${hex(r.start)}, ${hex(r.end)}) is not page aligned`);
    }
    prevEnd = r.end;
    count++;
    const fault = nodeCheck?.(node);
    if (fault !== undefined && fault !== null) fail(fault);
    const right = walk(node.right);
    if (left !== right) fail(`black heights ${left} and ${right} differ under node ${node.key}`);
    if (node._color === RB_RED) {
      if (node.left?._color === RB_RED || node.right?._color === RB_RED) {
        fail(`red node ${node.key} has a red child`);
      }
    }
    const expected = 1 + (node.left?._count ?? 0) + (node.right?._count ?? 0);
    if (node._count !== expected) fail(`node ${node.key} counts ${node._count} nodes, expected ${expected}`);
    return left + (node._color === RB_BLACK ? 1 : 0);
  };
  walk(root);
  return count;
}
