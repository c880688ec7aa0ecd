/**
 * The VMA copies of speculative faults and what they cost: Lespinasse's whole-VMA copy (`pvma = *vma`,
 * all of vm_area_struct in the index era's layout: 200 B in the rbtree era, 160 B in the maple era)
 * and the fault-attribute copy (vm_start, vm_end, vm_mm, vm_page_prot, vm_flags, vm_ops, vm_pgoff,
 * vm_file, vm_private_data, vm_policy: FAULT_ATTRIBUTES_LAYOUT, 80 B, plus the anon_vma pointer,
 * 8 B: 88 B), whose cache lines are those the copied fields occupy in the era's vm_area_struct.
 *
 * Why anon_vma is copied: the anonymous and COW paths test it (vmf_anon_prepare). A speculative fault
 * holds no reference on the VMA once it leaves the RCU read section (the VMA may be freed after the
 * grace period that follows), so every field it reads later must come from the copy made inside the
 * section — reading `vma->anon_vma` from the live VMA after rcu_read_unlock() would be a
 * use-after-free in the kernel (mm/memory.c lock_vma_under_rcu() makes the same point for the
 * per-VMA-lock path, which keeps the VMA alive with its read lock instead).
 */
import {
  type AnonVma,
  cacheLinesOf,
  FAULT_ATTRIBUTES_LAYOUT,
  type FileRef,
  type IndexEra,
  type StructLayout,
  type Vma,
  type VmaKind,
  type VmaLayoutName,
} from '@vmakit/core';
import { layoutOfEra } from './env.js';
import type { FaultVma } from './vmf.js';

/** A VMA as copied at one instant; the live VMA may change afterwards. */
export class VmaSnapshot implements FaultVma {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly flags: number;
  readonly flagsHigh: number;
  readonly pageProt: number;
  readonly pgoff: number;
  readonly file: FileRef | null;
  readonly kind: VmaKind;
  /** Kept for special mappings, whose identity vm_private_data carries. */
  readonly name: string | null;
  /** anon_vma as it was when the copy was taken (both copy kinds include it). */
  readonly anonVma: AnonVma | null;

  /** Copy `vma` (inside the RCU read section: the live VMA must not be read after it). O(1). */
  constructor(vma: Vma) {
    this.id = vma.id;
    this.start = vma.start;
    this.end = vma.end;
    this.flags = vma.flags;
    this.flagsHigh = vma.flagsHigh;
    this.pageProt = vma.pageProt;
    this.pgoff = vma.pgoff;
    this.file = vma.file;
    this.kind = vma.kind;
    this.name = vma.name;
    this.anonVma = vma.anonVma;
  }
}

/** How a speculative fault copies a VMA. */
export type VmaCopyKind = 'whole' | 'attributes';

/** The layout a copy reads from and the bytes it moves. */
export interface VmaCopyCost {
  readonly layout: VmaLayoutName;
  readonly bytes: number;
  /** Cache lines of the era's vm_area_struct the copy reads. */
  readonly lines: readonly number[];
}

function allFields(layout: StructLayout): string[] {
  return layout.fields.map((f) => f.name);
}

/** The fields of the attribute copy: the fault attributes and the anon_vma pointer. */
const ATTRIBUTE_COPY_FIELDS: readonly string[] = [...allFields(FAULT_ATTRIBUTES_LAYOUT), 'anon_vma'];

/** Bytes of the anon_vma pointer the attribute copy adds to FAULT_ATTRIBUTES_LAYOUT. */
export const ANON_VMA_POINTER_BYTES = 8;

const costs = new Map<string, VmaCopyCost>();

/**
 * What a copy of `kind` costs for an index of `era`: whole = the era's vm_area_struct; attributes =
 * FAULT_ATTRIBUTES_LAYOUT + anon_vma (88 B; `layout` names the attribute layout, `bytes` includes the
 * pointer). O(1) after the first call.
 */
export function vmaCopyCost(kind: VmaCopyKind, era: IndexEra): VmaCopyCost {
  const key = `${kind}/${era}`;
  let c = costs.get(key);
  if (c === undefined) {
    const layout = layoutOfEra(era);
    c =
      kind === 'whole'
        ? Object.freeze({
            layout: layout.name,
            bytes: layout.bytes,
            lines: Object.freeze(cacheLinesOf(layout, allFields(layout))),
          })
        : Object.freeze({
            layout: FAULT_ATTRIBUTES_LAYOUT.name,
            bytes: FAULT_ATTRIBUTES_LAYOUT.bytes + ANON_VMA_POINTER_BYTES,
            lines: Object.freeze(cacheLinesOf(layout, ATTRIBUTE_COPY_FIELDS)),
          });
    costs.set(key, c);
  }
  return c;
}
