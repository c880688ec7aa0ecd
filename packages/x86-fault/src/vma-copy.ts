/**
 * The VMA copies of speculative faults and what they cost: Lespinasse's whole-VMA copy (`pvma = *vma`,
 * all of vm_area_struct in the index era's layout: 200 B in the rbtree era, 160 B in the maple era)
 * and the fault-attribute copy (vm_start, vm_end, vm_mm, vm_page_prot, vm_flags, vm_ops, vm_pgoff,
 * vm_file, vm_private_data, vm_policy: FAULT_ATTRIBUTES_LAYOUT, 80 B), whose cache lines are those the
 * attributes occupy in the era's vm_area_struct.
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
  /** anon_vma, or null when only the fault attributes were copied. */
  readonly anonVma: AnonVma | null;

  constructor(vma: Vma, attrsOnly: boolean) {
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
    this.anonVma = attrsOnly ? null : vma.anonVma;
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

const costs = new Map<string, VmaCopyCost>();

/** What a copy of `kind` costs for an index of `era`. O(1) after the first call. */
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
            bytes: FAULT_ATTRIBUTES_LAYOUT.bytes,
            lines: Object.freeze(cacheLinesOf(layout, allFields(FAULT_ATTRIBUTES_LAYOUT))),
          });
    costs.set(key, c);
  }
  return c;
}
