/**
 * A VmaIndex that delegates to the reference index, for self-tests: subclasses override one method
 * to break it on purpose (to prove the suite notices), or add probe reports.
 */
import type {
  IndexEntry,
  IndexFactory,
  IndexOptions,
  IndexProbe,
  IndexStats,
  LocklessReader,
  LocklessSemantics,
  RangeVisitor,
  UnmappedAreaRequest,
  VmaIndex,
} from '@vmakit/core';
import { allocId, unmappedAreaVia } from '@vmakit/core';
import { ReferenceIndex } from '../../src/index.js';

export class WrappedIndex<E extends IndexEntry> implements VmaIndex<E> {
  readonly name: string = 'wrapped';
  readonly era = 'maple-era' as const;
  readonly inner: ReferenceIndex<E>;
  probe: IndexProbe | null;

  constructor(options: IndexOptions = {}) {
    const { probe, ...rest } = options;
    this.inner = new ReferenceIndex<E>(rest);
    this.probe = probe ?? null;
  }

  get semantics(): LocklessSemantics {
    return this.inner.semantics;
  }
  get size(): number {
    return this.inner.size;
  }
  get version(): number {
    return this.inner.version;
  }
  find(addr: number): E | null {
    return this.inner.find(addr);
  }
  lookup(addr: number): E | null {
    return this.inner.lookup(addr);
  }
  prevOf(addr: number): E | null {
    return this.inner.prevOf(addr);
  }
  nextOf(addr: number): E | null {
    return this.inner.nextOf(addr);
  }
  forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    this.inner.forEach(from, to, visit);
  }
  forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    this.inner.forEachReverse(from, to, visit);
  }
  insert(start: number, end: number, entry: E): void {
    this.inner.insert(start, end, entry);
  }
  store(start: number, end: number, entry: E | null): void {
    this.inner.store(start, end, entry);
  }
  remove(start: number, end: number, entry: E): void {
    this.inner.remove(start, end, entry);
  }
  eraseAt(addr: number): E | null {
    return this.inner.eraseAt(addr);
  }
  emptyArea(min: number, max: number, size: number): number {
    return this.inner.emptyArea(min, max, size);
  }
  emptyAreaRev(min: number, max: number, size: number): number {
    return this.inner.emptyAreaRev(min, max, size);
  }
  unmappedArea(request: UnmappedAreaRequest): number {
    return unmappedAreaVia(this, request);
  }
  validate(): void {
    this.inner.validate();
  }
  stats(): IndexStats {
    return this.inner.stats();
  }
  beginUpdate(): void {
    this.inner.beginUpdate();
  }
  publish(): void {
    this.inner.publish();
  }
  openReader(): LocklessReader<E> {
    return this.inner.openReader();
  }
}

/** A factory for a WrappedIndex subclass. */
export function factoryOf(make: <E extends IndexEntry>(o?: IndexOptions) => WrappedIndex<E>): IndexFactory {
  return <E extends IndexEntry>(o?: IndexOptions) => make<E>(o);
}

/**
 * Reports traffic the way a one-node-per-version copy-on-write structure would: queries read the
 * current node, updates write it, each published version allocates a node and retires the old one.
 */
export class ProbingIndex<E extends IndexEntry> extends WrappedIndex<E> {
  private node = 0;

  constructor(options: IndexOptions = {}) {
    super(options);
    this.node = allocId();
    this.probe?.alloc(this.node, 64);
  }

  private r(): void {
    this.probe?.read(this.node, 0);
  }

  /** A new version was published: a new node replaces the old one. */
  private swap(): void {
    const old = this.node;
    this.node = allocId();
    this.probe?.alloc(this.node, 64);
    this.probe?.retire(old, true);
  }

  override find(addr: number): E | null {
    this.r();
    return super.find(addr);
  }
  override lookup(addr: number): E | null {
    this.r();
    return super.lookup(addr);
  }
  override prevOf(addr: number): E | null {
    this.r();
    return super.prevOf(addr);
  }
  override nextOf(addr: number): E | null {
    this.r();
    return super.nextOf(addr);
  }
  override forEach(from: number, to: number, visit: RangeVisitor<E>): void {
    this.r();
    super.forEach(from, to, visit);
  }
  override forEachReverse(from: number, to: number, visit: RangeVisitor<E>): void {
    this.r();
    super.forEachReverse(from, to, visit);
  }
  override emptyArea(min: number, max: number, size: number): number {
    this.r();
    return super.emptyArea(min, max, size);
  }
  override emptyAreaRev(min: number, max: number, size: number): number {
    this.r();
    return super.emptyAreaRev(min, max, size);
  }
  override insert(start: number, end: number, entry: E): void {
    const v = this.inner.version;
    super.insert(start, end, entry);
    this.after(v);
  }
  override store(start: number, end: number, entry: E | null): void {
    const v = this.inner.version;
    super.store(start, end, entry);
    this.after(v);
  }
  override remove(start: number, end: number, entry: E): void {
    const v = this.inner.version;
    super.remove(start, end, entry);
    this.after(v);
  }
  override eraseAt(addr: number): E | null {
    const v = this.inner.version;
    this.r();
    const e = super.eraseAt(addr);
    if (e !== null) this.after(v);
    return e;
  }
  override publish(): void {
    const v = this.inner.version;
    super.publish();
    if (this.inner.version !== v) this.swap();
  }

  private after(v: number): void {
    this.probe?.write(this.node, 0);
    if (this.inner.version !== v) this.swap();
  }
}
