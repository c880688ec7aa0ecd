/**
 * A lookup without mmap_sem over the rbtree, as lib/rbtree.c's "Notes on lockless lookups" allow:
 * the writer's WRITE_ONCE() stores keep every walk finite and any element it returns correct, but
 * rotations are not atomic, so "a lookup might miss entire subtrees".
 *
 * Model: the reader walks the live tree (no vmacache: the cache belongs to the mmap_sem holder). When
 * an update is in flight and the walk crosses a node whose links or colour that update changed, the
 * walk is taken to have lost its way there: it returns null with outcome `missed`. Otherwise it
 * answers from the tree as it is, which is always a correct answer for the writer's current state.
 */
import { IndexContractError, type IndexEntry, type LocklessReader, type ReaderOutcome } from '@vmakit/core';
import { type GapTree, NIL } from './gap-tree.js';

/** Opens a reader over `tree`. Each lookup is O(log n). */
export function openLocklessReader<E extends IndexEntry>(tree: GapTree<E>): LocklessReader<E> {
  let open = true;
  let outcome: ReaderOutcome = 'clean';
  let path: number[] = [];

  /** find_vma's walk; returns the node, or -1 when it crossed a restructured node. */
  const walk = (op: string, addr: number): number => {
    if (!open) throw new IndexContractError(`reader.${op}: used after close()`);
    const restructured = tree.restructured;
    const probe = tree.probe;
    path = [];
    let n = tree.root;
    let found = NIL;
    while (n !== NIL) {
      path.push(tree.id(n));
      if (probe !== null) probe.read(tree.id(n), 0);
      if (restructured?.has(n)) {
        outcome = 'missed';
        return -1;
      }
      if (tree.end(n) > addr) {
        found = n;
        if (tree.start(n) <= addr) break;
        n = tree.left(n);
      } else {
        n = tree.right(n);
      }
    }
    outcome = 'clean';
    return found;
  };

  return {
    find(addr: number): E | null {
      const n = walk('find', addr);
      return n > 0 ? tree.entry[n]! : null;
    },
    lookup(addr: number): E | null {
      const n = walk('lookup', addr);
      return n > 0 && tree.start(n) <= addr ? tree.entry[n]! : null;
    },
    get outcome(): ReaderOutcome {
      return outcome;
    },
    get path(): readonly number[] {
      return path;
    },
    close(): void {
      open = false;
    },
  };
}
