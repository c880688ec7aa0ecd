/**
 * PublishedVersions on a toy persistent tree (one root node over leaf nodes, rebuilt by every update): the
 * draft/publish bracket rules and the reader pins the snapshot indexes rely on.
 */
import { describe, expect, it } from 'vitest';
import {
  IndexContractError,
  IndexInvariantError,
  type NodeShape,
  PublishedVersions,
  type VersionedTree,
} from '../src/index.js';

interface ToyNode {
  readonly children: readonly ToyNode[];
}
interface Toy {
  readonly node: ToyNode;
}

const OPS: VersionedTree<Toy, ToyNode> = {
  rootOf: (t) => t.node,
  sizeOf: (t) => t.node.children.length,
  startDraft: (t) => t,
};
const SHAPE: NodeShape<ToyNode> = {
  forEachChild(node, visit) {
    for (const c of node.children) visit(c);
  },
  nodeBytes: 64,
};
const withLeaves = (t: Toy, n: number): Toy => ({
  node: { children: [...t.node.children, ...Array.from({ length: n }, (): ToyNode => ({ children: [] }))] },
});
const fresh = (): PublishedVersions<Toy, ToyNode> =>
  new PublishedVersions<Toy, ToyNode>(OPS, { node: { children: [] } }, SHAPE, () => null);
const fail = (detail: string): never => {
  throw new IndexInvariantError(detail);
};

describe('PublishedVersions', () => {
  it('publishes each update outside a bracket, and once at the outermost publish() inside one', () => {
    const v = fresh();
    v.setDraft(withLeaves(v.writable(), 1));
    v.updated();
    expect(v.version).toBe(1);
    expect(v.draft).toBeNull();
    v.beginUpdate();
    v.beginUpdate();
    v.setDraft(withLeaves(v.writable(), 2));
    v.updated();
    v.publish();
    expect(v.version).toBe(1);
    expect(OPS.sizeOf(v.current)).toBe(3);
    expect(OPS.sizeOf(v.published)).toBe(1);
    v.publish();
    expect(v.version).toBe(2);
    expect(v.record).toMatchObject({ size: 3, version: 2 });
    v.checkRecord(fail);
    expect(() => v.publish()).toThrow(IndexContractError);
    // An empty bracket publishes nothing.
    v.beginUpdate();
    v.publish();
    expect(v.version).toBe(2);
  });

  it('readers pin the version they started on until they unpin it', () => {
    const v = fresh();
    v.setDraft(withLeaves(v.writable(), 2));
    v.updated();
    const a = v.pin();
    const b = v.pin();
    v.setDraft(withLeaves(v.writable(), 1));
    v.updated();
    const c = v.pin();
    expect(a.pinned.version).toBe(1);
    expect(v.pinnedVersions().map((p) => p.version)).toEqual([1, 2]);
    expect(v.counters()).toMatchObject({ openReaders: 3, versionsRetained: 1 });
    v.unpin(a.token);
    v.unpin(b.token);
    v.unpin(c.token);
    expect(v.pinnedVersions()).toEqual([]);
    expect(v.counters()).toMatchObject({ openReaders: 0, versionsRetained: 0, nodesAwaitingGrace: 0 });
  });

  it('a reader answers from its pinned version until close(), then refuses', () => {
    const v = fresh();
    const entry = { id: 7 };
    const range = { start: 0x1000, end: 0x2000, entry };
    let seen: Toy | null = null;
    const r = v.openReader<typeof entry>(
      (tree, addr) => {
        seen = tree;
        return addr < range.end ? range : null;
      },
      (pinned) => [pinned.version],
    );
    expect(r.path).toEqual([]);
    expect(r.find(0)).toBe(entry);
    expect(r.lookup(0)).toBeNull();
    expect(r.lookup(0x1fff)).toBe(entry);
    expect(r.find(0x2000)).toBeNull();
    expect(seen).toBe(v.published);
    expect(r.outcome).toBe('clean');
    expect(r.path).toEqual([0]);
    expect(v.counters().openReaders).toBe(1);
    r.close();
    r.close();
    expect(v.counters().openReaders).toBe(0);
    expect(r.path).toEqual([]);
    expect(() => r.find(0)).toThrow(IndexContractError);
  });
});
