/**
 * Version publication for an index that keeps immutable versions (`snapshot` semantics): the
 * published tree, the writer's draft, nested beginUpdate/publish brackets, the version number, the
 * readers' pins and the node accounting (VersionTracker). The tree itself — how it is searched,
 * updated and validated — stays with the index; this is only the plumbing around the one reference
 * swap that publishes a version.
 */
import { IndexContractError } from '../errors.js';
import type { IndexProbe, LocklessReader, ReaderOutcome } from '../vma-index.js';
import type { StoredRange } from './stored-range.js';
import { type NodeShape, type TrackerCounters, VersionTracker } from './version-tracker.js';

/** How the publisher sees one version of the index's tree. */
export interface VersionedTree<T, N> {
  /** The root node of a version (null for an empty tree without nodes). */
  rootOf(tree: T): N | null;
  /** Ranges the version holds. */
  sizeOf(tree: T): number;
  /**
   * The writer's first draft of an update, made from the published version in O(1): a persistent
   * tree is its own draft (updates return new versions), a copy-on-write tree is cloned.
   */
  startDraft(published: T): T;
  /** Makes a version immutable before readers can see it (e.g. freeze a copy-on-write tree). */
  seal?(tree: T): void;
}

/** A published version as it was when published: what validate() compares it against later. */
export interface PublishedVersion<T, N> {
  readonly tree: T;
  readonly root: N | null;
  readonly size: number;
  readonly version: number;
}

/**
 * The published/draft pair of a snapshot index. Updates go to `writable()` (or `setDraft()` for a
 * persistent tree) and end with `updated()`, which publishes at once outside a bracket and at the
 * outermost `publish()` inside one. All operations are O(1) but publication, which costs the
 * tracker's O(new + retired nodes × fan-out) walk.
 */
export class PublishedVersions<T, N extends object> {
  /** Node identities, allocation/retirement counts, reader pins and grace periods. */
  readonly tracker: VersionTracker<N>;
  private publishedTree: T;
  private draftTree: T | null = null;
  private last: PublishedVersion<T, N>;
  private depth = 0;
  private versionNo = 0;
  /** What each open reader pinned, by tracker token. */
  private readonly readers = new Map<number, PublishedVersion<T, N>>();

  /** `initial` is the empty tree, published as version 0 (its nodes adopted, not counted as an update). */
  constructor(
    private readonly ops: VersionedTree<T, N>,
    initial: T,
    shape: NodeShape<N>,
    probeOf: () => IndexProbe | null,
  ) {
    this.tracker = new VersionTracker<N>(shape, probeOf);
    ops.seal?.(initial);
    this.publishedTree = initial;
    this.tracker.adopt(ops.rootOf(initial));
    this.last = { tree: initial, root: ops.rootOf(initial), size: ops.sizeOf(initial), version: 0 };
  }

  /** The version readers see now. */
  get published(): T {
    return this.publishedTree;
  }

  /** The update in flight (null when none); readers never see it. */
  get draft(): T | null {
    return this.draftTree;
  }

  /** What the writer sees: the draft when an update is in flight. */
  get current(): T {
    return this.draftTree ?? this.publishedTree;
  }

  /** The published version number: +1 per published update. */
  get version(): number {
    return this.versionNo;
  }

  /** The published version as it was recorded at publish. */
  get record(): PublishedVersion<T, N> {
    return this.last;
  }

  /** The draft, started from the published version on the update's first write. */
  writable(): T {
    if (this.draftTree === null) this.draftTree = this.ops.startDraft(this.publishedTree);
    return this.draftTree;
  }

  /** Replaces the draft by the version a persistent update returned. */
  setDraft(tree: T): void {
    this.draftTree = tree;
  }

  /** Ends one update: published now outside a bracket, at the outermost publish() inside one. */
  updated(): void {
    if (this.depth === 0) this.publishDraft();
  }

  /** Opens a bracket: updates until the matching publish() become visible together. */
  beginUpdate(): void {
    this.depth++;
  }

  /** Closes a bracket; the outermost one publishes the draft (if anything changed). */
  publish(): void {
    if (this.depth === 0) throw new IndexContractError('publish() without beginUpdate()');
    if (--this.depth === 0) this.publishDraft();
  }

  /** Seal the draft and swap it in: the one reference swap readers can observe. */
  private publishDraft(): void {
    const next = this.draftTree;
    if (next === null) return;
    this.ops.seal?.(next);
    const old = this.publishedTree;
    this.publishedTree = next;
    this.draftTree = null;
    this.tracker.commit(this.ops.rootOf(old), this.ops.rootOf(next), this.versionNo);
    this.versionNo++;
    this.last = {
      tree: next,
      root: this.ops.rootOf(next),
      size: this.ops.sizeOf(next),
      version: this.versionNo,
    };
  }

  /** A reader starts on the version published now; returns it and the token close() needs. O(1). */
  pin(): { readonly pinned: PublishedVersion<T, N>; readonly token: number } {
    const pinned = this.last;
    const token = this.tracker.pin(pinned.version);
    this.readers.set(token, pinned);
    return { pinned, token };
  }

  /** The reader with `token` is done: its version's retired nodes may be freed. */
  unpin(token: number): void {
    this.readers.delete(token);
    this.tracker.unpin(token);
  }

  /**
   * A lockless reader on the version published now (outcome always `clean`: it holds a whole
   * immutable version). `firstAbove(tree, addr)` is find_vma on the pinned tree (reporting its reads
   * to the probe); `pathOf(pinned, addr)` names the nodes of the descent for the last address looked
   * up, root first. The pin holds until close(); a closed reader throws IndexContractError and has
   * no path. O(1) plus the lookups.
   */
  openReader<E>(
    firstAbove: (tree: T, addr: number) => StoredRange<E> | null | undefined,
    pathOf: (pinned: PublishedVersion<T, N>, addr: number) => number[],
  ): LocklessReader<E> {
    const { pinned, token } = this.pin();
    let open = true;
    let lastAddr: number | null = null;
    const lookupRange = (addr: number): StoredRange<E> | null => {
      if (!open) throw new IndexContractError('reader used after close()');
      lastAddr = addr;
      return firstAbove(pinned.tree, addr) ?? null;
    };
    const versions = this;
    return {
      find(addr: number): E | null {
        return lookupRange(addr)?.entry ?? null;
      },
      lookup(addr: number): E | null {
        const r = lookupRange(addr);
        return r !== null && r.start <= addr ? r.entry : null;
      },
      get outcome(): ReaderOutcome {
        return 'clean';
      },
      get path(): readonly number[] {
        // After close() the pinned nodes may be freed: there is no path to name.
        if (lastAddr === null || !open) return [];
        return pathOf(pinned, lastAddr);
      },
      close(): void {
        if (!open) return;
        open = false;
        versions.unpin(token);
      },
    };
  }

  /** The versions open readers pin, each once, in the order they were first pinned. O(readers). */
  pinnedVersions(): PublishedVersion<T, N>[] {
    const seen = new Map<number, PublishedVersion<T, N>>();
    for (const pinned of this.readers.values())
      if (!seen.has(pinned.version)) seen.set(pinned.version, pinned);
    return [...seen.values()];
  }

  /**
   * Checks that the published version is exactly the tree the last update built; `fail` throws
   * with the index's name. O(1).
   */
  checkRecord(fail: (detail: string) => never): void {
    const r = this.last;
    const t = this.publishedTree;
    if (r.tree !== t || r.root !== this.ops.rootOf(t) || r.size !== this.ops.sizeOf(t)) {
      fail(`the published version is not the tree update ${r.version} built`);
    }
    if (r.version !== this.versionNo)
      fail(`published record is version ${r.version}, index is ${this.versionNo}`);
  }

  /** The node accounting of stats().detail. O(readers). */
  counters(): TrackerCounters {
    return this.tracker.counters(this.versionNo);
  }
}
