/**
 * Byte layouts of x86-64 `struct vm_area_struct`, used to cost VMA copies and cache-line traffic.
 *
 * rbtree era: the v5.4 field order of include/linux/mm_types.h with CONFIG_SWAP, CONFIG_NUMA,
 * CONFIG_USERFAULTFD and CONFIG_MMU; offsets derived from the field sizes (no padding occurs). The
 * total, 200 bytes, matches Peter Zijlstra's "That's 200 bytes on-stack" (lore
 * 20210407153528.GF2531743@casper.infradead.org).
 * maple era: v6.1 after the maple tree removed vm_next, vm_prev and vm_rb ("five pointers fewer",
 * Matthew Wilcox: "just 160 bytes") and rb_subtree_gap, and CONFIG_ANON_VMA_NAME added anon_name;
 * derived the same way, 160 bytes (slabinfo shows 160 B on defconfig).
 * fault attributes: what a speculative fault reads (Lespinasse's alternative to copying the whole
 * VMA): vm_start, vm_end, vm_mm, vm_page_prot, vm_flags, vm_ops, vm_pgoff, vm_file, vm_private_data,
 * vm_policy.
 */

/** Cache-line size of the x86-64 machines modelled. */
export const CACHE_LINE_BYTES = 64;

/** One field of a struct layout. */
export interface StructField {
  readonly name: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  readonly size: number;
}

/** The names of the layouts vmakit models. */
export type VmaLayoutName = 'rbtree-era' | 'maple-era' | 'fault-attributes';

/** A struct layout with its total size and the cache lines it spans. */
export interface StructLayout {
  readonly name: VmaLayoutName;
  /** Which kernel the layout is taken from. */
  readonly kernel: string;
  /** Total bytes (for fault-attributes: the bytes copied, packed). */
  readonly bytes: number;
  /** 64-byte cache lines the data occupies when read from a `vm_area_struct`. */
  readonly cacheLines: number;
  readonly fields: readonly StructField[];
  /** Where the layout comes from. */
  readonly source: string;
}

function build(
  name: VmaLayoutName,
  kernel: string,
  source: string,
  spec: ReadonlyArray<readonly [string, number]>,
): StructLayout {
  let offset = 0;
  const fields = spec.map(([field, size]) => {
    const f = { name: field, offset, size };
    offset += size;
    return f;
  });
  return { name, kernel, bytes: offset, cacheLines: Math.ceil(offset / CACHE_LINE_BYTES), fields, source };
}

/** v5.4 `vm_area_struct`: 200 bytes. */
export const RBTREE_ERA_LAYOUT: StructLayout = build(
  'rbtree-era',
  'v5.4',
  'include/linux/mm_types.h (v5.4); 200 B per lore 20210407153528.GF2531743@casper.infradead.org',
  [
    ['vm_start', 8],
    ['vm_end', 8],
    ['vm_next', 8],
    ['vm_prev', 8],
    ['vm_rb', 24],
    ['rb_subtree_gap', 8],
    ['vm_mm', 8],
    ['vm_page_prot', 8],
    ['vm_flags', 8],
    ['shared', 32],
    ['anon_vma_chain', 16],
    ['anon_vma', 8],
    ['vm_ops', 8],
    ['vm_pgoff', 8],
    ['vm_file', 8],
    ['vm_private_data', 8],
    ['swap_readahead_info', 8],
    ['vm_policy', 8],
    ['vm_userfaultfd_ctx', 8],
  ],
);

/** v6.1 `vm_area_struct`: 160 bytes. */
export const MAPLE_ERA_LAYOUT: StructLayout = build(
  'maple-era',
  'v6.1',
  'include/linux/mm_types.h (v6.1); "five pointers fewer ... just 160 bytes" (Wilcox, same thread)',
  [
    ['vm_start', 8],
    ['vm_end', 8],
    ['vm_mm', 8],
    ['vm_page_prot', 8],
    ['vm_flags', 8],
    ['shared', 32],
    ['anon_vma_chain', 16],
    ['anon_vma', 8],
    ['vm_ops', 8],
    ['vm_pgoff', 8],
    ['vm_file', 8],
    ['vm_private_data', 8],
    ['anon_name', 8],
    ['swap_readahead_info', 8],
    ['vm_policy', 8],
    ['vm_userfaultfd_ctx', 8],
  ],
);

/** The attributes a fault needs, packed: 80 bytes. */
export const FAULT_ATTRIBUTES_LAYOUT: StructLayout = build(
  'fault-attributes',
  'Lespinasse SPF RFC (2021): copy only what the fault path reads',
  'lore 20210407014502.24091-1-michel@lespinasse.org and its review thread',
  [
    ['vm_start', 8],
    ['vm_end', 8],
    ['vm_mm', 8],
    ['vm_page_prot', 8],
    ['vm_flags', 8],
    ['vm_ops', 8],
    ['vm_pgoff', 8],
    ['vm_file', 8],
    ['vm_private_data', 8],
    ['vm_policy', 8],
  ],
);

/** All layouts by name. */
export const VMA_LAYOUTS: Readonly<Record<VmaLayoutName, StructLayout>> = {
  'rbtree-era': RBTREE_ERA_LAYOUT,
  'maple-era': MAPLE_ERA_LAYOUT,
  'fault-attributes': FAULT_ATTRIBUTES_LAYOUT,
};

/**
 * The cache lines of a `vm_area_struct` with `layout` that hold the named fields: what a reader of
 * those fields pulls in. O(fields).
 */
export function cacheLinesOf(layout: StructLayout, fieldNames: readonly string[]): number[] {
  const lines = new Set<number>();
  for (const f of layout.fields) {
    if (!fieldNames.includes(f.name)) continue;
    const first = Math.floor(f.offset / CACHE_LINE_BYTES);
    const last = Math.floor((f.offset + f.size - 1) / CACHE_LINE_BYTES);
    for (let l = first; l <= last; l++) lines.add(l);
  }
  return [...lines].sort((a, b) => a - b);
}
