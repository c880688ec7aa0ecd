/**
 * Node accounting for an index that publishes immutable versions: which library nodes an update
 * created, which nodes of the superseded version it retired, and how long those must wait for a
 * grace period because open readers still pin older versions.
 *
 * Method: every node of a published version carries an id (a Map from node object to `allocId()`;
 * entries are deleted when the node's grace period ends, which keeps the map at the size of the
 * live and pinned nodes — a WeakMap was several times slower under this churn). At publish, a walk
 * from the new root stops at any node whose id predates the previous publish: such a node belongs to the old version, and so does its whole subtree, since
 * published nodes are never written. Every node the walk passes is therefore new (allocated by this
 * update) — it is counted by identity, not estimated. The walk also collects the old nodes the new
 * version points at (the "boundary"); a second walk from the old root, stopping at boundary nodes,
 * finds exactly the old nodes the new version no longer reaches: the retired ones. Both walks cost
 * O(new nodes × fan-out), i.e. O(log n) per update for a balanced tree.
 *
 * What is not counted: nodes the library allocates and drops before publish (e.g. the copy of the
 * leaf rbtree.js unlinks on remove, or a node copied twice inside one update) — readers never see
 * them. A draft node that got an id early (a writer-side read reported it to the probe) but did not
 * survive to publish is retired at once, not deferred.

 */
import { allocId } from '../ids.js';
import type { IndexProbe } from '../vma-index.js';

/** How the tracker sees a library node. */
export interface NodeShape<N> {
  /** Calls visit for each child of node (none for a leaf). */
  forEachChild(node: N, visit: (child: N) => void): void;
  /** Bytes of the node modelled as a C structure (what `probe.alloc` reports). */
  readonly nodeBytes: number;
}

/** Counters the index reports in `stats().detail`. */
export interface TrackerCounters {
  readonly updatesPublished: number;
  readonly lastUpdateNodesAllocated: number;
  readonly maxUpdateNodesAllocated: number;
  readonly totalNodesAllocated: number;
  readonly lastUpdateNodesRetired: number;
  readonly totalNodesRetired: number;
  readonly nodesAwaitingGrace: number;
  readonly openReaders: number;
  readonly versionsRetained: number;
}

const LINE_BYTES = 64;

/** Node identities, per-update allocation and retirement counts, reader pins and grace periods. */
export class VersionTracker<N extends object> {
  private readonly ids = new Map<N, number>();
  /** Ids up to this one were given before the last publish: their nodes are published (immutable). */
  private publishedMaxId = 0;
  private lastId = 0;
  /** Draft nodes that got an id before publish (reported allocated early). */
  private readonly earlyDraft = new Set<N>();
  /** Open readers: token → version pinned. */
  private readonly pins = new Map<number, number>();
  private nextToken = 1;
  /** Retired nodes waiting for readers of `version` and older to finish, oldest first. */
  private readonly pending: Array<{ version: number; nodes: N[] }> = [];
  private awaiting = 0;
  private updates = 0;
  private lastAllocated = 0;
  private maxAllocated = 0;
  private totalAllocated = 0;
  private lastRetired = 0;
  private totalRetired = 0;

  constructor(
    private readonly shape: NodeShape<N>,
    private readonly probeOf: () => IndexProbe | null,
  ) {}

  /** The node's id; a draft node not seen before gets one now (and is reported allocated). O(1). */
  idOf(node: N): number {
    const id = this.ids.get(node);
    if (id !== undefined) return id;
    this.earlyDraft.add(node);
    return this.tag(node);
  }

  private tag(node: N): number {
    const id = allocId();
    this.ids.set(node, id);
    this.lastId = id;
    const probe = this.probeOf();
    if (probe !== null) {
      probe.alloc(id, this.shape.nodeBytes);
      const lines = Math.ceil(this.shape.nodeBytes / LINE_BYTES);
      for (let line = 0; line < lines; line++) probe.write(id, line);
    }
    return id;
  }

  /**
   * Accounts for publishing newRoot over oldRoot (the version numbered oldVersion): tags and counts
   * the new nodes, reports the old version's unreachable nodes as retired after a grace period.
   * O((new + retired nodes) × fan-out).
   */
  commit(oldRoot: N | null, newRoot: N | null, oldVersion: number): void {
    const probe = this.probeOf();
    const boundary = new Set<N>();
    let allocated = 0;
    const stack: N[] = newRoot === null ? [] : [newRoot];
    const push = (child: N): void => {
      stack.push(child);
    };
    while (stack.length > 0) {
      const node = stack.pop()!;
      const id = this.ids.get(node);
      if (id !== undefined && id <= this.publishedMaxId) {
        boundary.add(node);
        continue;
      }
      allocated++;
      if (id === undefined) this.tag(node);
      else this.earlyDraft.delete(node);
      this.shape.forEachChild(node, push);
    }
    // Draft nodes that never became visible can be freed at once.
    for (const node of this.earlyDraft) {
      probe?.retire(this.ids.get(node)!, false);
      this.ids.delete(node);
    }
    this.earlyDraft.clear();

    const retiredNodes: N[] = [];
    if (oldRoot !== null) stack.push(oldRoot);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (boundary.has(node)) continue;
      retiredNodes.push(node);
      probe?.retire(this.idOf(node), true);
      this.shape.forEachChild(node, push);
    }
    const retired = retiredNodes.length;

    this.publishedMaxId = this.lastId;
    this.updates++;
    this.lastAllocated = allocated;
    this.maxAllocated = Math.max(this.maxAllocated, allocated);
    this.totalAllocated += allocated;
    this.lastRetired = retired;
    this.totalRetired += retired;
    if (retired > 0) {
      this.pending.push({ version: oldVersion, nodes: retiredNodes });
      this.awaiting += retired;
    }
    this.reclaim();
  }

  /**
   * Takes the nodes under root as already published, without counting them as an update (the
   * library's initial empty tree). O(nodes).
   */
  adopt(root: N | null): void {
    const stack: N[] = root === null ? [] : [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!this.ids.has(node)) this.tag(node);
      this.shape.forEachChild(node, (c) => {
        stack.push(c);
      });
    }
    this.earlyDraft.clear();
    this.publishedMaxId = this.lastId;
  }

  /** A reader starts a read-side critical section on `version`; returns its token. O(1). */
  pin(version: number): number {
    const token = this.nextToken++;
    this.pins.set(token, version);
    return token;
  }

  /** The reader with `token` left its critical section. O(readers + pending). */
  unpin(token: number): void {
    this.pins.delete(token);
    this.reclaim();
  }

  /** Versions pinned by open readers, oldest first, without duplicates. */
  pinnedVersions(): number[] {
    return [...new Set(this.pins.values())].sort((a, b) => a - b);
  }

  /** Ends the grace period of every retirement no open reader can still observe. */
  private reclaim(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const v of this.pins.values()) oldest = Math.min(oldest, v);
    // Nodes retired when version v was superseded are visible only to readers pinning v or older.
    while (this.pending.length > 0 && this.pending[0]!.version < oldest) {
      const done = this.pending.shift()!;
      for (const node of done.nodes) this.ids.delete(node);
      this.awaiting -= done.nodes.length;
    }
  }

  /** Counters for stats(); `currentVersion` is the published version number. */
  counters(currentVersion: number): TrackerCounters {
    return {
      updatesPublished: this.updates,
      lastUpdateNodesAllocated: this.lastAllocated,
      maxUpdateNodesAllocated: this.maxAllocated,
      totalNodesAllocated: this.totalAllocated,
      lastUpdateNodesRetired: this.lastRetired,
      totalNodesRetired: this.totalRetired,
      nodesAwaitingGrace: this.awaiting,
      openReaders: this.pins.size,
      versionsRetained: this.pinnedVersions().filter((v) => v !== currentVersion).length,
    };
  }

  /** True when node got its id before the last publish, i.e. it belongs to a published version. O(1). */
  isPublishedNode(node: N): boolean {
    const id = this.ids.get(node);
    return id !== undefined && id <= this.publishedMaxId;
  }

  /** True when every node under root has an id given before the last publish (validate()). */
  isFullyPublished(root: N | null): boolean {
    const stack: N[] = root === null ? [] : [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const id = this.ids.get(node);
      if (id === undefined || id > this.publishedMaxId) return false;
      this.shape.forEachChild(node, (c) => {
        stack.push(c);
      });
    }
    return true;
  }
}
