/**
 * The rbtree era's VMA index structure: a red-black tree of VMAs augmented with `rb_subtree_gap`,
 * threaded by the address-sorted VMA list (`vm_next`/`vm_prev`), plus `mm->highest_vm_end`.
 *
 * Sources (read, not copied): lib/rbtree.c (__rb_insert, ____rb_erase_color, the lockless-lookup
 * notes), include/linux/rbtree_augmented.h (__rb_erase_augmented, RB_DECLARE_CALLBACKS_MAX) and
 * mm/mmap.c up to v6.0 (vma_compute_gap, vma_gap_update, __vma_link_list/__vma_link_rb,
 * __vma_unlink_common, detach_vmas_to_be_unmapped, __vma_adjust).
 *
 * Storage: typed arrays indexed by node handle (0 is NULL; freed handles are reused). The fields a
 * walk reads (start, end, gap, children) form a 32-byte hot record, so that a lookup touches one
 * cache line per level as in the kernel, where they all sit in the VMA's first line; parent, list
 * links, colour and id live in cold arrays. The probe reports every node access as line 0 of the
 * VMA (the v5.4 layout puts vm_start, vm_end, vm_next, vm_prev, vm_rb and rb_subtree_gap there).
 *
 * Deviation: the kernel's gap excludes stack guard gaps (vm_start_gap / vm_end_gap). Here the gap is
 * the raw distance, because the index answers raw mas_empty_area-style queries and leaves guard gaps
 * to unmappedAreaVia (see README).
 */
import { type IndexEntry, type IndexProbe, RBTREE_ERA_LAYOUT } from '@vmakit/core';

/** The NULL node handle. */
export const NIL = 0;
/** Colours as lib/rbtree.c encodes them. */
export const RED = 0;
export const BLACK = 1;

/**
 * Hot record, 32 bytes per node: what find_vma and the gap descent read (vm_start, vm_end,
 * rb_subtree_gap, rb_left, rb_right). Float64 words, then the Int32 words of the same bytes.
 */
export const F_WORDS = 4;
export const F_START = 0;
export const F_END = 1;
export const F_GAP = 2;
export const H_WORDS = 8;
export const H_LEFT = 6;
export const H_RIGHT = 7;
/** Cold record, Int32 words per node: parent, list links and colour. */
export const C_WORDS = 4;
export const C_PARENT = 0;
export const C_PREV = 1;
export const C_NEXT = 2;
export const C_COLOR = 3;

/**
 * Bytes of tree and list linkage per VMA in the rbtree-era layout: vm_next + vm_prev (16),
 * vm_rb (24) and rb_subtree_gap (8) = 48, per include/linux/mm_types.h (v5.4).
 */
export const LINKAGE_BYTES: number = RBTREE_ERA_LAYOUT.fields
  .filter((f) => ['vm_next', 'vm_prev', 'vm_rb', 'rb_subtree_gap'].includes(f.name))
  .reduce((sum, f) => sum + f.size, 0);

const HOT_BYTES = 32;
const INITIAL_CAPACITY = 64;
/** Handles are Int32; stay well inside that range. */
const MAX_CAPACITY = 2 ** 30;

/**
 * Augmented red-black tree plus VMA list. Mutators keep every invariant (including every node's
 * rb_subtree_gap) true on return. When `probe` is set they report the cache lines they touch; when
 * `restructured` is set they record each node whose links or colour they change.
 */
export class GapTree<E extends IndexEntry> {
  /** Hot records as Float64 (start, end, gap). Replaced when the store grows. */
  f: Float64Array;
  /** The same hot records as Int32 (rb_left, rb_right). */
  h: Int32Array;
  /** Cold records (parent, vm_prev, vm_next, colour). */
  c: Int32Array;
  /** Entry id of each node (names its cache lines). */
  ids: Float64Array;
  /** Entry of each live node; undefined for free records. */
  entry: (E | undefined)[] = [undefined];
  /** mm->mm_rb.rb_node. */
  root = NIL;
  /** mm->mmap (first VMA) and the last VMA of the list. */
  head = NIL;
  tail = NIL;
  /** mm->map_count. */
  size = 0;
  /** mm->highest_vm_end: end of the last VMA, 0 when empty. */
  highestEnd = 0;
  /** Counts link/unlink/range changes, so iterators can tell that a visitor changed the tree. */
  mods = 0;
  /** Cost observer, or null. */
  probe: IndexProbe | null = null;
  /** Handle → id of nodes whose links or colour changed during the update in flight; null outside one. */
  restructured: Map<number, number> | null = null;
  /** Id naming the mm-level line (mm_rb, highest_vm_end) for the probe. */
  readonly mmId: number;

  private capacity: number;
  /** Next never-used record. */
  private unused = 1;
  /** Free records, chained through I_NEXT. */
  private freeList = NIL;

  constructor(mmId: number) {
    this.mmId = mmId;
    this.capacity = INITIAL_CAPACITY;
    const buf = new ArrayBuffer(this.capacity * HOT_BYTES);
    this.f = new Float64Array(buf);
    this.h = new Int32Array(buf);
    this.c = new Int32Array(this.capacity * C_WORDS);
    this.ids = new Float64Array(this.capacity);
  }

  // ---- field access -------------------------------------------------------------------------

  start(n: number): number {
    return this.f[n * F_WORDS + F_START]!;
  }
  end(n: number): number {
    return this.f[n * F_WORDS + F_END]!;
  }
  gap(n: number): number {
    return this.f[n * F_WORDS + F_GAP]!;
  }
  id(n: number): number {
    return this.ids[n]!;
  }
  left(n: number): number {
    return this.h[n * H_WORDS + H_LEFT]!;
  }
  right(n: number): number {
    return this.h[n * H_WORDS + H_RIGHT]!;
  }
  /** Child on side `d` (0 = rb_left, 1 = rb_right). */
  child(n: number, d: number): number {
    return this.h[n * H_WORDS + H_LEFT + d]!;
  }
  parent(n: number): number {
    return this.c[n * C_WORDS + C_PARENT]!;
  }
  prev(n: number): number {
    return this.c[n * C_WORDS + C_PREV]!;
  }
  next(n: number): number {
    return this.c[n * C_WORDS + C_NEXT]!;
  }
  color(n: number): number {
    return this.c[n * C_WORDS + C_COLOR]!;
  }
  isRed(n: number): boolean {
    return n !== NIL && this.c[n * C_WORDS + C_COLOR] === RED;
  }

  /** Number of records ever used (live + free), for validation bounds. */
  get highWater(): number {
    return this.unused;
  }

  // ---- observation --------------------------------------------------------------------------

  /** A node's tree links or colour changed: a lockless walker crossing it may lose its way. */
  private touchLinks(n: number): void {
    if (this.restructured !== null) this.restructured.set(n, this.id(n));
    if (this.probe !== null) this.probe.write(this.id(n), 0);
  }

  /** A node's first line was written without restructuring (range, gap or list link). */
  private touchData(n: number): void {
    if (this.probe !== null) this.probe.write(this.id(n), 0);
  }

  /** Report a read of a node's first line (when probed). */
  readNode(n: number): void {
    if (this.probe !== null) this.probe.read(this.id(n), 0);
  }

  private setChild(n: number, d: number, child: number): void {
    this.h[n * H_WORDS + H_LEFT + d] = child;
    this.touchLinks(n);
  }

  private setParent(n: number, p: number): void {
    this.c[n * C_WORDS + C_PARENT] = p;
    this.touchLinks(n);
  }

  private setParentColor(n: number, p: number, color: number): void {
    const b = n * C_WORDS;
    this.c[b + C_PARENT] = p;
    this.c[b + C_COLOR] = color;
    this.touchLinks(n);
  }

  private setColor(n: number, color: number): void {
    this.c[n * C_WORDS + C_COLOR] = color;
    this.touchLinks(n);
  }

  private setPrev(n: number, p: number): void {
    this.c[n * C_WORDS + C_PREV] = p;
    this.touchData(n);
  }

  private setNext(n: number, x: number): void {
    this.c[n * C_WORDS + C_NEXT] = x;
    this.touchData(n);
  }

  private setRoot(n: number): void {
    this.root = n;
    if (this.probe !== null) this.probe.write(this.mmId, 0);
  }

  // ---- storage ------------------------------------------------------------------------------

  private grow(): void {
    if (this.capacity >= MAX_CAPACITY) throw new RangeError('rbtree: node store is full (2^30 nodes)');
    const cap = this.capacity * 2;
    const f = new Float64Array(cap * F_WORDS);
    f.set(this.f);
    this.f = f;
    this.h = new Int32Array(f.buffer);
    const c = new Int32Array(cap * C_WORDS);
    c.set(this.c);
    this.c = c;
    const ids = new Float64Array(cap);
    ids.set(this.ids);
    this.ids = ids;
    this.capacity = cap;
  }

  /** A fresh unlinked record for [start, end) → entry. O(1) amortised. */
  private allocRecord(start: number, end: number, entry: E): number {
    let n = this.freeList;
    if (n !== NIL) {
      this.freeList = this.next(n);
    } else {
      if (this.unused >= this.capacity) this.grow();
      n = this.unused++;
    }
    const fb = n * F_WORDS;
    this.f[fb + F_START] = start;
    this.f[fb + F_END] = end;
    this.f[fb + F_GAP] = 0;
    const hb = n * H_WORDS;
    this.h[hb + H_LEFT] = NIL;
    this.h[hb + H_RIGHT] = NIL;
    const cb = n * C_WORDS;
    this.c[cb + C_PARENT] = NIL;
    this.c[cb + C_PREV] = NIL;
    this.c[cb + C_NEXT] = NIL;
    this.c[cb + C_COLOR] = RED;
    this.ids[n] = entry.id;
    this.entry[n] = entry;
    return n;
  }

  private freeRecord(n: number): void {
    this.entry[n] = undefined;
    this.c[n * C_WORDS + C_NEXT] = this.freeList;
    this.freeList = n;
  }

  // ---- rb_subtree_gap (vma_gap_callbacks) ---------------------------------------------------

  /** vma_compute_gap(): the free bytes between a node and its list predecessor (or 0). */
  ownGap(n: number): number {
    const p = this.prev(n);
    if (p === NIL) return this.start(n);
    if (this.probe !== null) this.readNode(p);
    return this.start(n) - this.end(p);
  }

  /** The subtree maximum from the node's own gap and its children's stored values. */
  private computeMax(n: number): number {
    let max = this.ownGap(n);
    const l = this.left(n);
    const r = this.right(n);
    if (l !== NIL && this.gap(l) > max) max = this.gap(l);
    if (r !== NIL && this.gap(r) > max) max = this.gap(r);
    return max;
  }

  private setGap(n: number, g: number): void {
    this.f[n * F_WORDS + F_GAP] = g;
    this.touchData(n);
  }

  /**
   * The propagate callback (and vma_gap_update): recompute upwards from `n` until `stop`, ending
   * early once a value is unchanged, since ancestors only depend on it through its value.
   */
  propagate(n: number, stop: number): void {
    while (n !== stop) {
      const g = this.computeMax(n);
      if (g === this.gap(n)) return;
      this.setGap(n, g);
      n = this.parent(n);
    }
  }

  /** The rotate callback: `nw` took `old`'s place over the same node set; `old` is now below it. */
  private augmentRotate(old: number, nw: number): void {
    this.setGap(nw, this.gap(old));
    this.setGap(old, this.computeMax(old));
  }

  // ---- rebalancing (lib/rbtree.c) -----------------------------------------------------------

  /** Point old's parent (or the root) at `nw`. */
  private changeChild(old: number, nw: number, p: number): void {
    if (p === NIL) this.setRoot(nw);
    else this.setChild(p, this.left(p) === old ? 0 : 1, nw);
  }

  /** `nw` inherits old's parent and colour; `old` hangs below `nw` with colour `c`. */
  private rotateSetParents(old: number, nw: number, c: number): void {
    const p = this.parent(old);
    this.setParentColor(nw, p, this.color(old));
    this.setParentColor(old, nw, c);
    this.changeChild(old, nw, p);
  }

  /**
   * Restore the red-black properties after linking red node `n` (the cases of __rb_insert), written
   * once for both sides: `side` is the side of the parent below the grandparent.
   */
  private insertFixup(n: number): void {
    let p = this.parent(n);
    for (;;) {
      if (p === NIL) {
        // n is the root: first node, or a recolouring reached the top.
        this.setParentColor(n, NIL, BLACK);
        return;
      }
      if (this.color(p) === BLACK) return;
      const g = this.parent(p);
      const side = this.right(g) === p ? 1 : 0;
      const uncle = this.child(g, 1 - side);
      if (this.isRed(uncle)) {
        // Red uncle: push the blackness down from g and continue from g.
        this.setParentColor(uncle, g, BLACK);
        this.setParentColor(p, g, BLACK);
        n = g;
        p = this.parent(n);
        this.setParentColor(n, p, RED);
        continue;
      }
      let t = this.child(p, 1 - side);
      if (n === t) {
        // n is the inner grandchild: rotate it above p so the final rotation sees an outer one.
        t = this.child(n, side);
        this.setChild(p, 1 - side, t);
        this.setChild(n, side, p);
        if (t !== NIL) this.setParentColor(t, p, BLACK);
        this.setParentColor(p, n, RED);
        this.augmentRotate(p, n);
        p = n;
        t = this.child(n, 1 - side);
      }
      // Outer grandchild: rotate p above g; p takes g's black, g turns red.
      this.setChild(g, side, t);
      this.setChild(p, 1 - side, g);
      if (t !== NIL) this.setParentColor(t, g, BLACK);
      this.rotateSetParents(g, p, RED);
      this.augmentRotate(g, p);
      return;
    }
  }

  /**
   * Restore black heights after removing a black node below `p` (the cases of ____rb_erase_color).
   * `n` is the black-deficient child (NIL on the first pass).
   */
  private eraseFixup(p: number): void {
    let n = NIL;
    for (;;) {
      // Which side of p is short of one black.
      const side = this.right(p) !== n ? 0 : 1;
      const o = 1 - side;
      let s = this.child(p, o);
      if (this.color(s) === RED) {
        // Red sibling: rotate it above p so the sibling becomes black.
        const t = this.child(s, side);
        this.setChild(p, o, t);
        this.setChild(s, side, p);
        this.setParentColor(t, p, BLACK);
        this.rotateSetParents(p, s, RED);
        this.augmentRotate(p, s);
        s = t;
      }
      let far = this.child(s, o);
      if (!this.isRed(far)) {
        const near = this.child(s, side);
        if (!this.isRed(near)) {
          // Both nephews black: take one black off the sibling's side too.
          this.setParentColor(s, p, RED);
          if (this.color(p) === RED) {
            this.setColor(p, BLACK);
          } else {
            n = p;
            p = this.parent(n);
            if (p !== NIL) continue;
          }
          return;
        }
        // Near nephew red, far black: rotate at the sibling so the red one is on the far side.
        const t = this.child(near, o);
        this.setChild(s, side, t);
        this.setChild(near, o, s);
        this.setChild(p, o, near);
        if (t !== NIL) this.setParentColor(t, s, BLACK);
        this.augmentRotate(s, near);
        far = s;
        s = near;
      }
      // Far nephew red: rotate the sibling above p and recolour; black heights are restored.
      const t = this.child(s, side);
      this.setChild(p, o, t);
      this.setChild(s, side, p);
      this.setParentColor(far, s, BLACK);
      if (t !== NIL) this.setParent(t, p);
      this.rotateSetParents(p, s, BLACK);
      this.augmentRotate(p, s);
      return;
    }
  }

  /** rb_erase_augmented() with the gap callbacks: unhook `n` from the tree (the list is untouched). */
  private eraseFromTree(n: number): void {
    const right = this.right(n);
    const left = this.left(n);
    let rebalance = NIL;
    let from: number;
    if (left === NIL || right === NIL) {
      // At most one child, which (by the black-height rule) is red: it takes n's place and colour.
      const c = left === NIL ? right : left;
      const p = this.parent(n);
      const col = this.color(n);
      this.changeChild(n, c, p);
      if (c !== NIL) this.setParentColor(c, p, col);
      else if (col === BLACK) rebalance = p;
      from = p;
    } else {
      // Two children: the in-order successor s (leftmost below `right`) takes n's place.
      let s = right;
      let sp = right;
      let t = this.left(right);
      if (t !== NIL) {
        do {
          sp = s;
          s = t;
          t = this.left(t);
        } while (t !== NIL);
      }
      const sr = this.right(s);
      if (s !== right) {
        this.setChild(sp, 0, sr);
        this.setChild(s, 1, right);
        this.setParent(right, s);
        this.setGap(s, this.gap(n));
        this.propagate(sp, s);
      } else {
        sp = s;
        this.setGap(s, this.gap(n));
      }
      this.setChild(s, 0, left);
      this.setParent(left, s);
      const p = this.parent(n);
      const col = this.color(n);
      this.changeChild(n, s, p);
      if (sr !== NIL) this.setParentColor(sr, sp, BLACK);
      else if (this.color(s) === BLACK) rebalance = sp;
      this.setParentColor(s, p, col);
      from = s;
    }
    this.propagate(from, NIL);
    if (rebalance !== NIL) this.eraseFixup(rebalance);
  }

  // ---- VMA-level operations (mm/mmap.c) -----------------------------------------------------

  /**
   * Link a new VMA [start, end) → entry: find its place (find_vma_links), thread it into the list
   * (__vma_link_list), fix the following gap, link it with its own gap and rebalance
   * (__vma_link_rb). The caller guarantees the range is free. Returns the node. O(log n).
   */
  link(start: number, end: number, entry: E): number {
    let p = NIL;
    let side = 0;
    let before = NIL;
    let x = this.root;
    if (this.probe !== null) this.probe.read(this.mmId, 0);
    while (x !== NIL) {
      p = x;
      this.readNode(x);
      if (this.end(x) > start) {
        side = 0;
        x = this.left(x);
      } else {
        before = x;
        side = 1;
        x = this.right(x);
      }
    }
    const n = this.allocRecord(start, end, entry);
    if (this.probe !== null) this.probe.alloc(entry.id, LINKAGE_BYTES);
    const after = before === NIL ? this.head : this.next(before);
    this.c[n * C_WORDS + C_PREV] = before;
    this.c[n * C_WORDS + C_NEXT] = after;
    if (before === NIL) this.head = n;
    else this.setNext(before, n);
    if (after === NIL) this.tail = n;
    else this.setPrev(after, n);
    // The gap below `after` shrank; or n is last and sets highest_vm_end.
    if (after !== NIL) this.propagate(after, NIL);
    else this.highestEnd = end;
    // rb_link_node: a red leaf with gap 0, then its own gap is pushed up before rebalancing.
    this.setParent(n, p);
    if (p === NIL) this.setRoot(n);
    else this.setChild(p, side, n);
    this.propagate(n, NIL);
    this.insertFixup(n);
    this.size++;
    this.mods++;
    return n;
  }

  /**
   * Unlink and free a node: rb erase, list unlink, then the gap of the VMA that followed (or
   * highest_vm_end), as detach_vmas_to_be_unmapped() did. O(log n).
   */
  unlink(n: number): void {
    this.eraseFromTree(n);
    const before = this.prev(n);
    const after = this.next(n);
    if (before === NIL) this.head = after;
    else this.setNext(before, after);
    if (after === NIL) {
      this.tail = before;
      this.highestEnd = before === NIL ? 0 : this.end(before);
    } else {
      this.setPrev(after, before);
      this.propagate(after, NIL);
    }
    this.size--;
    this.mods++;
    if (this.probe !== null) this.probe.retire(this.id(n), false);
    this.freeRecord(n);
  }

  /** Move a node's start within its neighbours (vm_start change + vma_gap_update). O(log n). */
  setStart(n: number, start: number): void {
    this.f[n * F_WORDS + F_START] = start;
    this.mods++;
    this.touchData(n);
    this.propagate(n, NIL);
  }

  /** Move a node's end within its neighbours (vm_end change + the next gap or highest_vm_end). */
  setEnd(n: number, end: number): void {
    this.f[n * F_WORDS + F_END] = end;
    this.mods++;
    this.touchData(n);
    const after = this.next(n);
    if (after === NIL) this.highestEnd = end;
    else this.propagate(after, NIL);
  }

  // ---- queries ------------------------------------------------------------------------------

  /** find_vma's walk: the first node with end > addr, or NIL. O(log n). */
  firstEndAbove(addr: number): number {
    if (this.probe !== null) return this.firstEndAboveProbed(addr);
    const f = this.f;
    const h = this.h;
    let n = this.root;
    let found = NIL;
    while (n !== NIL) {
      const b = n * F_WORDS;
      if (f[b + F_END]! > addr) {
        found = n;
        if (f[b + F_START]! <= addr) break;
        n = h[n * H_WORDS + H_LEFT]!;
      } else {
        n = h[n * H_WORDS + H_RIGHT]!;
      }
    }
    return found;
  }

  private firstEndAboveProbed(addr: number): number {
    const probe = this.probe!;
    probe.read(this.mmId, 0);
    let n = this.root;
    let found = NIL;
    while (n !== NIL) {
      probe.read(this.id(n), 0);
      if (this.end(n) > addr) {
        found = n;
        if (this.start(n) <= addr) break;
        n = this.left(n);
      } else {
        n = this.right(n);
      }
    }
    return found;
  }

  /** The last node with start < addr, or NIL. O(log n). */
  lastStartBelow(addr: number): number {
    const probe = this.probe;
    if (probe !== null) probe.read(this.mmId, 0);
    let n = this.root;
    let found = NIL;
    while (n !== NIL) {
      if (probe !== null) probe.read(this.id(n), 0);
      if (this.start(n) < addr) {
        found = n;
        n = this.right(n);
      } else {
        n = this.left(n);
      }
    }
    return found;
  }

  /** Levels from the root to the deepest node. O(n). */
  height(): number {
    if (this.root === NIL) return 0;
    let best = 0;
    const stack: number[] = [this.root, 1];
    while (stack.length > 0) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (d > best) best = d;
      const l = this.left(n);
      const r = this.right(n);
      if (l !== NIL) stack.push(l, d + 1);
      if (r !== NIL) stack.push(r, d + 1);
    }
    return best;
  }
}
