/**
 * The merge / split / expand scenarios of the kernel's own VMA tests (tools/testing/vma/vma.c,
 * v6.12), transcribed as data: the VMAs each test links, the operation it performs, and the VMA
 * boundaries, page offsets, anon_vmas, map_count and write-lock marks it asserts. The runner below
 * drives src/mm/merge.ts through the same entry points (vma_merge_new_range, vma_merge_existing_range,
 * vma_expand, vma_shrink, vma_modify_flags, vma_merge_extend, copy_vma).
 *
 * Transcription notes:
 * - A VMA with a vm_ops->close hook is written `close: true` and built as a `special` VMA (the model
 *   gives close hooks to special mappings only); its flags stay those of the test.
 * - The tests' vmg.anon_vma is always NULL (they set anon_vma on the VMAs, not on the request); the
 *   runner builds requests the same way.
 * - test_vmi_prealloc_fail (allocation failure injection) has no counterpart: the model cannot fail
 *   allocations.
 */

import { ReferenceIndex } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import {
  type AnonVma,
  MmStruct,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
  Vma,
  vmFlags,
} from '../src/index.js';
import {
  copyVma,
  type VmaMergeState,
  vmaExpand,
  vmaMergeExistingRange,
  vmaMergeExtend,
  vmaMergeNewRange,
  vmaModifyFlags,
  vmaShrink,
} from '../src/mm/merge.js';

const FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;
const SPECIAL_FLAGS = [vmFlags.VM_IO, vmFlags.VM_DONTEXPAND, vmFlags.VM_PFNMAP, vmFlags.VM_MIXEDMAP];

/** A VMA the test links: name, range, pgoff, anon_vma label, close hook, extra flags. */
interface Link {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly pgoff: number;
  readonly anon?: string;
  readonly close?: boolean;
  readonly flags?: number;
}

/** A VMA the test expects: range and pgoff, optionally anon_vma label. */
interface Want {
  readonly start: number;
  readonly end: number;
  readonly pgoff: number;
  readonly anon?: string | null;
}

type Op =
  /** merge_new(): vmg_set_range() then prev/next around start, vma_merge_new_range(). */
  | {
      readonly op: 'mergeNew';
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
      readonly flags?: number;
    }
  /** try_merge_new_vma(): merge_new(), else link a new VMA under `as`. */
  | {
      readonly op: 'mergeNewOrLink';
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
      readonly as: string;
    }
  /** merge_existing() with vmg.vma / vmg.prev as named (prev null when omitted). */
  | {
      readonly op: 'mergeExisting';
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
      readonly vma: string;
      readonly prev?: string;
      readonly flags?: number;
    }
  | {
      readonly op: 'expand';
      readonly vma: string;
      readonly next?: string;
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
    }
  | {
      readonly op: 'shrink';
      readonly vma: string;
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
    }
  | {
      readonly op: 'modifyFlags';
      readonly vma: string;
      readonly prev: string;
      readonly start: number;
      readonly end: number;
      readonly flags: number;
    }
  | { readonly op: 'mergeExtend'; readonly vma: string; readonly delta: number }
  | {
      readonly op: 'copyVma';
      readonly vma: string;
      readonly addr: number;
      readonly len: number;
      readonly pgoff: number;
      readonly as: string;
    }
  /** vmg_set_range() with prev/next found, vmg.prev overridden, VMG_FLAG_JUST_EXPAND. */
  | {
      readonly op: 'justExpand';
      readonly start: number;
      readonly end: number;
      readonly pgoff: number;
      readonly prev: string;
    }
  | {
      readonly op: 'set';
      readonly vma: string;
      readonly anon?: string | null;
      readonly close?: boolean;
      readonly flags?: number;
    };

interface Expect {
  /** Name of the VMA returned (null: none; 'new': a VMA not named before). */
  readonly result?: string | null;
  readonly state?: 'success' | 'nomerge';
  /** Return code (expand / shrink). */
  readonly rc?: number;
  /** All VMAs in address order. */
  readonly vmas?: readonly Want[];
  /** Named VMAs' ranges. */
  readonly named?: Readonly<Record<string, Want>>;
  readonly mapCount?: number;
  /** vma_write_started() of each named VMA (the mark is reset after each check, as the test does). */
  readonly written?: Readonly<Record<string, boolean>>;
}

interface Step {
  readonly do: Op;
  readonly expect: Expect;
}

interface Scenario {
  readonly name: string;
  readonly link: readonly Link[];
  readonly steps: readonly Step[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'test_simple_merge',
    link: [
      { name: 'left', start: 0, end: 0x1000, pgoff: 0 },
      { name: 'right', start: 0x2000, end: 0x3000, pgoff: 2 },
    ],
    steps: [
      {
        do: { op: 'mergeNew', start: 0x1000, end: 0x2000, pgoff: 1 },
        expect: { result: 'left', vmas: [{ start: 0, end: 0x3000, pgoff: 0 }] },
      },
    ],
  },
  {
    name: 'test_simple_modify',
    link: [{ name: 'init', start: 0, end: 0x3000, pgoff: 0 }],
    steps: [
      {
        do: {
          op: 'modifyFlags',
          vma: 'init',
          prev: 'init',
          start: 0x1000,
          end: 0x2000,
          flags: VM_READ | VM_MAYREAD,
        },
        expect: {
          result: 'init',
          named: { init: { start: 0x1000, end: 0x2000, pgoff: 1 } },
          vmas: [
            { start: 0, end: 0x1000, pgoff: 0 },
            { start: 0x1000, end: 0x2000, pgoff: 1 },
            { start: 0x2000, end: 0x3000, pgoff: 2 },
          ],
        },
      },
    ],
  },
  {
    name: 'test_simple_expand',
    link: [{ name: 'vma', start: 0, end: 0x1000, pgoff: 0 }],
    steps: [
      {
        do: { op: 'expand', vma: 'vma', start: 0, end: 0x3000, pgoff: 0 },
        expect: { rc: 0, vmas: [{ start: 0, end: 0x3000, pgoff: 0 }] },
      },
    ],
  },
  {
    name: 'test_simple_shrink',
    link: [{ name: 'vma', start: 0, end: 0x3000, pgoff: 0 }],
    steps: [
      {
        do: { op: 'shrink', vma: 'vma', start: 0, end: 0x1000, pgoff: 0 },
        expect: { rc: 0, vmas: [{ start: 0, end: 0x1000, pgoff: 0 }] },
      },
    ],
  },
  {
    name: 'test_merge_new',
    link: [
      { name: 'a', start: 0, end: 0x2000, pgoff: 0 },
      { name: 'b', start: 0x3000, end: 0x4000, pgoff: 3 },
      { name: 'c', start: 0xb000, end: 0xc000, pgoff: 0xb },
    ],
    steps: [
      {
        do: { op: 'mergeNewOrLink', start: 0x7000, end: 0x9000, pgoff: 7, as: 'd' },
        expect: { result: null, mapCount: 4 },
      },
      { do: { op: 'set', vma: 'a', close: true }, expect: {} },
      { do: { op: 'set', vma: 'b', anon: 'dummy' }, expect: {} },
      {
        do: { op: 'mergeNewOrLink', start: 0x2000, end: 0x3000, pgoff: 2, as: 'x' },
        expect: {
          result: 'a',
          named: { a: { start: 0, end: 0x4000, pgoff: 0, anon: 'dummy' } },
          written: { a: true },
          mapCount: 3,
        },
      },
      {
        do: { op: 'mergeNewOrLink', start: 0x4000, end: 0x5000, pgoff: 4, as: 'x' },
        expect: {
          result: 'a',
          named: { a: { start: 0, end: 0x5000, pgoff: 0, anon: 'dummy' } },
          written: { a: true },
          mapCount: 3,
        },
      },
      { do: { op: 'set', vma: 'd', anon: 'dummy', close: true }, expect: {} },
      {
        do: { op: 'mergeNewOrLink', start: 0x6000, end: 0x7000, pgoff: 6, as: 'x' },
        expect: {
          result: 'd',
          named: { d: { start: 0x6000, end: 0x9000, pgoff: 6, anon: 'dummy' } },
          written: { d: true },
          mapCount: 3,
        },
      },
      { do: { op: 'set', vma: 'd', close: false }, expect: {} },
      {
        do: { op: 'mergeNewOrLink', start: 0x5000, end: 0x6000, pgoff: 5, as: 'x' },
        expect: {
          result: 'a',
          named: { a: { start: 0, end: 0x9000, pgoff: 0, anon: 'dummy' } },
          written: { a: true },
          mapCount: 2,
        },
      },
      { do: { op: 'set', vma: 'c', anon: 'dummy' }, expect: {} },
      {
        do: { op: 'mergeNewOrLink', start: 0xa000, end: 0xb000, pgoff: 0xa, as: 'x' },
        expect: {
          result: 'c',
          named: { c: { start: 0xa000, end: 0xc000, pgoff: 0xa, anon: 'dummy' } },
          written: { c: true },
          mapCount: 2,
        },
      },
      {
        do: { op: 'mergeNewOrLink', start: 0x9000, end: 0xa000, pgoff: 0x9, as: 'x' },
        expect: {
          result: 'a',
          named: { a: { start: 0, end: 0xc000, pgoff: 0, anon: 'dummy' } },
          written: { a: true },
          mapCount: 1,
          vmas: [{ start: 0, end: 0xc000, pgoff: 0, anon: 'dummy' }],
        },
      },
    ],
  },
  ...SPECIAL_FLAGS.map(
    (special): Scenario => ({
      name: `test_vma_merge_special_flags (${vmFlags.describeVmFlags(special)})`,
      link: [{ name: 'left', start: 0, end: 0x3000, pgoff: 0, flags: FLAGS | special }],
      steps: [
        {
          do: { op: 'mergeNew', start: 0x3000, end: 0x4000, pgoff: 3, flags: FLAGS | special },
          expect: { result: null, state: 'nomerge' },
        },
        {
          do: { op: 'mergeNewOrLink', start: 0x3000, end: 0x4000, pgoff: 3, as: 'vma' },
          expect: { result: null },
        },
        {
          do: {
            op: 'mergeExisting',
            start: 0x3000,
            end: 0x4000,
            pgoff: 3,
            vma: 'vma',
            prev: 'left',
            flags: FLAGS | special,
          },
          expect: { result: null, state: 'nomerge' },
        },
      ],
    }),
  ),
  {
    name: 'test_vma_merge_with_close: new range, next has close',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'next', start: 0x5000, end: 0x9000, pgoff: 5, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeNew', start: 0x3000, end: 0x5000, pgoff: 3 },
        expect: {
          result: 'prev',
          state: 'success',
          vmas: [
            { start: 0, end: 0x5000, pgoff: 0 },
            { start: 0x5000, end: 0x9000, pgoff: 5 },
          ],
        },
      },
    ],
  },
  {
    name: 'test_vma_merge_with_close: vma with close cannot be deleted (merge with prev)',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: { result: null, state: 'nomerge', mapCount: 2 },
      },
    ],
  },
  {
    name: 'test_vma_merge_with_close: vma with close cannot be deleted (merge with next)',
    link: [
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3, close: true },
      { name: 'next', start: 0x5000, end: 0x9000, pgoff: 5 },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma' },
        expect: { result: null, state: 'nomerge', mapCount: 2 },
      },
    ],
  },
  {
    name: 'test_vma_merge_with_close: vma with close between prev and next',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3, close: true },
      { name: 'next', start: 0x5000, end: 0x9000, pgoff: 5 },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: { result: null, state: 'nomerge', mapCount: 3 },
      },
    ],
  },
  {
    name: 'test_vma_merge_with_close: next with close reduces to a merge with prev',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3 },
      { name: 'next', start: 0x5000, end: 0x9000, pgoff: 5, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x5000, pgoff: 0 } },
          mapCount: 2,
        },
      },
    ],
  },
  {
    name: 'test_vma_merge_new_with_close',
    link: [
      { name: 'prev', start: 0, end: 0x2000, pgoff: 0, close: true },
      { name: 'next', start: 0x5000, end: 0x7000, pgoff: 5, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeNew', start: 0x2000, end: 0x5000, pgoff: 2 },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x5000, pgoff: 0 } },
          written: { prev: true },
          mapCount: 2,
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: merge right, partial span',
    link: [
      { name: 'vma', start: 0x2000, end: 0x6000, pgoff: 2, close: true, anon: 'dummy' },
      { name: 'next', start: 0x6000, end: 0x9000, pgoff: 6, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x6000, pgoff: 3, vma: 'vma', prev: 'vma' },
        expect: {
          result: 'next',
          state: 'success',
          named: {
            next: { start: 0x3000, end: 0x9000, pgoff: 3, anon: 'dummy' },
            vma: { start: 0x2000, end: 0x3000, pgoff: 2 },
          },
          written: { vma: true, next: true },
          mapCount: 2,
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: merge right, full span',
    link: [
      { name: 'vma', start: 0x2000, end: 0x6000, pgoff: 2, anon: 'dummy' },
      { name: 'next', start: 0x6000, end: 0x9000, pgoff: 6, close: true },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x2000, end: 0x6000, pgoff: 2, vma: 'vma' },
        expect: {
          result: 'next',
          state: 'success',
          named: { next: { start: 0x2000, end: 0x9000, pgoff: 2, anon: 'dummy' } },
          written: { next: true },
          mapCount: 1,
          vmas: [{ start: 0x2000, end: 0x9000, pgoff: 2 }],
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: merge left, partial span',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0, close: true },
      { name: 'vma', start: 0x3000, end: 0x7000, pgoff: 3, close: true, anon: 'dummy' },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x6000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: {
            prev: { start: 0, end: 0x6000, pgoff: 0, anon: 'dummy' },
            vma: { start: 0x6000, end: 0x7000, pgoff: 6 },
          },
          written: { prev: true, vma: true },
          mapCount: 2,
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: merge left, full span',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0, close: true },
      { name: 'vma', start: 0x3000, end: 0x7000, pgoff: 3, anon: 'dummy' },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x7000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x7000, pgoff: 0, anon: 'dummy' } },
          written: { prev: true },
          mapCount: 1,
          vmas: [{ start: 0, end: 0x7000, pgoff: 0 }],
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: merge both',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0, close: true },
      { name: 'vma', start: 0x3000, end: 0x7000, pgoff: 3, anon: 'dummy' },
      { name: 'next', start: 0x7000, end: 0x9000, pgoff: 7 },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x7000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x9000, pgoff: 0, anon: 'dummy' } },
          written: { prev: true },
          mapCount: 1,
          vmas: [{ start: 0, end: 0x9000, pgoff: 0 }],
        },
      },
    ],
  },
  {
    name: 'test_merge_existing: ranges inside the VMA do not merge',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x8000, pgoff: 3 },
      { name: 'next', start: 0x8000, end: 0xa000, pgoff: 8 },
    ],
    steps: (
      [
        [0x4000, 0x5000, 4],
        [0x5000, 0x6000, 5],
        [0x6000, 0x7000, 6],
        [0x4000, 0x7000, 4],
        [0x4000, 0x6000, 4],
        [0x5000, 0x6000, 5],
      ] as const
    ).map(
      ([start, end, pgoff]): Step => ({
        do: { op: 'mergeExisting', start, end, pgoff, vma: 'vma', prev: 'vma' },
        expect: { result: null, state: 'nomerge', mapCount: 3 },
      }),
    ),
  },
  {
    name: 'test_anon_vma_non_mergeable: existing range between incompatible anon_vmas merges left only',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0, anon: 'one' },
      { name: 'vma', start: 0x3000, end: 0x7000, pgoff: 3 },
      { name: 'next', start: 0x7000, end: 0x9000, pgoff: 7, anon: 'two' },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x7000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x7000, pgoff: 0 } },
          written: { prev: true, next: false },
          vmas: [
            { start: 0, end: 0x7000, pgoff: 0 },
            { start: 0x7000, end: 0x9000, pgoff: 7 },
          ],
        },
      },
    ],
  },
  {
    name: 'test_anon_vma_non_mergeable: new range between incompatible anon_vmas merges left only',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0, anon: 'one' },
      { name: 'next', start: 0x7000, end: 0x9000, pgoff: 7, anon: 'two' },
    ],
    steps: [
      {
        do: { op: 'mergeNew', start: 0x3000, end: 0x7000, pgoff: 3 },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x7000, pgoff: 0 } },
          written: { prev: true, next: false },
          vmas: [
            { start: 0, end: 0x7000, pgoff: 0 },
            { start: 0x7000, end: 0x9000, pgoff: 7 },
          ],
        },
      },
    ],
  },
  {
    name: 'test_dup_anon_vma: expanding over next takes its anon_vma',
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'next', start: 0x3000, end: 0x5000, pgoff: 3, anon: 'dummy' },
    ],
    steps: [
      {
        do: { op: 'expand', vma: 'prev', next: 'next', start: 0, end: 0x5000, pgoff: 0 },
        expect: { rc: 0, named: { prev: { start: 0, end: 0x5000, pgoff: 0, anon: 'dummy' } } },
      },
    ],
  },
  {
    name: "test_dup_anon_vma: merge both, next's anon_vma goes to prev",
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3 },
      { name: 'next', start: 0x5000, end: 0x8000, pgoff: 5, anon: 'dummy' },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x8000, pgoff: 0, anon: 'dummy' } },
        },
      },
    ],
  },
  {
    name: "test_dup_anon_vma: merge both, vma's anon_vma goes to prev",
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3, anon: 'dummy' },
      { name: 'next', start: 0x5000, end: 0x8000, pgoff: 5 },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x8000, pgoff: 0, anon: 'dummy' } },
        },
      },
    ],
  },
  {
    name: "test_dup_anon_vma: merge left, vma's anon_vma goes to prev",
    link: [
      { name: 'prev', start: 0, end: 0x3000, pgoff: 0 },
      { name: 'vma', start: 0x3000, end: 0x8000, pgoff: 3, anon: 'dummy' },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0, end: 0x5000, pgoff: 0, anon: 'dummy' } },
        },
      },
    ],
  },
  {
    name: "test_dup_anon_vma: merge right, vma's anon_vma goes to next",
    link: [
      { name: 'vma', start: 0, end: 0x5000, pgoff: 0, anon: 'dummy' },
      { name: 'next', start: 0x5000, end: 0x8000, pgoff: 5 },
    ],
    steps: [
      {
        do: { op: 'mergeExisting', start: 0x3000, end: 0x5000, pgoff: 3, vma: 'vma', prev: 'vma' },
        expect: {
          result: 'next',
          state: 'success',
          named: { next: { start: 0x3000, end: 0x8000, pgoff: 3, anon: 'dummy' } },
        },
      },
    ],
  },
  {
    name: 'test_merge_extend',
    link: [
      { name: 'vma', start: 0, end: 0x1000, pgoff: 0 },
      { name: 'other', start: 0x3000, end: 0x4000, pgoff: 3 },
    ],
    steps: [
      {
        do: { op: 'mergeExtend', vma: 'vma', delta: 0x2000 },
        expect: {
          result: 'vma',
          named: { vma: { start: 0, end: 0x4000, pgoff: 0 } },
          written: { vma: true },
          mapCount: 1,
        },
      },
    ],
  },
  {
    name: 'test_copy_vma: move backwards, no merge',
    link: [{ name: 'vma', start: 0x3000, end: 0x5000, pgoff: 3 }],
    steps: [
      {
        do: { op: 'copyVma', vma: 'vma', addr: 0, len: 0x2000, pgoff: 0, as: 'copy' },
        expect: { result: 'new', named: { copy: { start: 0, end: 0x2000, pgoff: 0 } } },
      },
    ],
  },
  {
    name: 'test_copy_vma: move next to another VMA and merge',
    link: [
      { name: 'vma', start: 0, end: 0x2000, pgoff: 0 },
      { name: 'next', start: 0x6000, end: 0x8000, pgoff: 6 },
    ],
    steps: [
      {
        do: { op: 'copyVma', vma: 'vma', addr: 0x4000, len: 0x2000, pgoff: 4, as: 'copy' },
        expect: { result: 'next' },
      },
    ],
  },
  {
    name: 'test_expand_only_mode',
    link: [
      { name: 'first', start: 0, end: 0x2000, pgoff: 0 },
      { name: 'prev', start: 0x3000, end: 0x5000, pgoff: 3 },
    ],
    steps: [
      {
        do: { op: 'justExpand', start: 0x5000, end: 0x9000, pgoff: 5, prev: 'prev' },
        expect: {
          result: 'prev',
          state: 'success',
          named: { prev: { start: 0x3000, end: 0x9000, pgoff: 3 } },
          written: { prev: true },
        },
      },
    ],
  },
];

/** A request as vmg_set_range() leaves it: no anon_vma, file, policy or name. */
function request(start: number, end: number, pgoff: number, flags: number): VmaMergeState {
  return {
    prev: null,
    next: null,
    vma: null,
    start,
    end,
    pgoff,
    flags,
    flagsHigh: 0,
    file: null,
    anonVma: null,
    policy: 0,
    anonName: null,
    justExpand: false,
    state: 'start',
  };
}

function runScenario(sc: Scenario): void {
  const mm = new MmStruct(new ReferenceIndex<Vma>());
  const anons = new Map<string, AnonVma>();
  const anon = (label: string): AnonVma => {
    let a = anons.get(label);
    if (a === undefined) {
      a = { id: 100_000 + anons.size };
      anons.set(label, a);
    }
    return a;
  };
  const named = new Map<string, Vma>();
  const linkVma = (l: Link): Vma => {
    const v = new Vma({
      start: l.start,
      end: l.end,
      flags: l.flags ?? FLAGS,
      pgoff: l.pgoff,
      anonVma: l.anon !== undefined ? anon(l.anon) : null,
      kind: l.close === true ? 'special' : 'anon',
      mm,
    });
    mm.index.insert(v.start, v.end, v);
    mm.mapCount++;
    // alloc_and_link_vma() resets the mark vma_link() left.
    v.lockSeq = -1;
    named.set(l.name, v);
    return v;
  };
  const get = (name: string): Vma => {
    const v = named.get(name);
    if (v === undefined) throw new Error(`${sc.name}: no VMA named ${name}`);
    return v;
  };
  mm.writeLock();
  for (const l of sc.link) linkVma(l);

  sc.steps.forEach((step, i) => {
    const where = `${sc.name}, step ${i}`;
    const before = new Set(named.values());
    let result: Vma | null | undefined;
    let state: string | undefined;
    let rc: number | undefined;
    const d = step.do;
    switch (d.op) {
      case 'mergeNew':
      case 'mergeNewOrLink': {
        const vmg = request(d.start, d.end, d.pgoff, ('flags' in d ? d.flags : undefined) ?? FLAGS);
        vmg.next = mm.index.find(d.start);
        vmg.prev = mm.index.prevOf(d.start);
        result = vmaMergeNewRange(mm, vmg);
        state = vmg.state;
        if (result === null && d.op === 'mergeNewOrLink') {
          linkVma({ name: d.as, start: d.start, end: d.end, pgoff: d.pgoff });
        }
        break;
      }
      case 'mergeExisting': {
        const vmg = request(d.start, d.end, d.pgoff, d.flags ?? FLAGS);
        vmg.vma = get(d.vma);
        vmg.prev = d.prev !== undefined ? get(d.prev) : null;
        result = vmaMergeExistingRange(mm, vmg);
        state = vmg.state;
        break;
      }
      case 'expand': {
        const vmg = request(d.start, d.end, d.pgoff, FLAGS);
        vmg.vma = get(d.vma);
        vmg.next = d.next !== undefined ? get(d.next) : null;
        rc = vmaExpand(mm, vmg);
        break;
      }
      case 'shrink':
        rc = vmaShrink(mm, get(d.vma), d.start, d.end, d.pgoff);
        break;
      case 'modifyFlags': {
        const r = vmaModifyFlags(mm, get(d.prev), get(d.vma), d.start, d.end, d.flags, 0);
        result = typeof r === 'number' ? null : r;
        break;
      }
      case 'mergeExtend':
        result = vmaMergeExtend(mm, get(d.vma), d.delta);
        break;
      case 'copyVma': {
        const r = copyVma(mm, get(d.vma), d.addr, d.len, d.pgoff, false);
        result = r?.newVma ?? null;
        if (r !== null) named.set(d.as, r.newVma);
        break;
      }
      case 'justExpand': {
        const vmg = request(d.start, d.end, d.pgoff, FLAGS);
        vmg.prev = get(d.prev);
        vmg.justExpand = true;
        result = vmaMergeNewRange(mm, vmg);
        state = vmg.state;
        break;
      }
      case 'set': {
        const v = get(d.vma);
        if (d.anon !== undefined) v.anonVma = d.anon === null ? null : anon(d.anon);
        if (d.close !== undefined) v.kind = d.close ? 'special' : 'anon';
        if (d.flags !== undefined) v.setFlags(d.flags);
        break;
      }
    }

    const e = step.expect;
    if (e.result !== undefined) {
      if (e.result === null) expect(result, where).toBeNull();
      else if (e.result === 'new')
        expect(result !== null && result !== undefined && !before.has(result), where).toBe(true);
      else expect(result, where).toBe(get(e.result));
    }
    if (e.state !== undefined) expect(state, where).toBe(e.state);
    if (e.rc !== undefined) expect(rc, where).toBe(e.rc);
    const label = (a: AnonVma | null): string | null => {
      for (const [k, v] of anons) if (v === a) return k;
      return null;
    };
    const shape = (v: Vma, w: Want) =>
      w.anon !== undefined
        ? { start: v.start, end: v.end, pgoff: v.pgoff, anon: label(v.anonVma) }
        : { start: v.start, end: v.end, pgoff: v.pgoff };
    if (e.vmas !== undefined) {
      const all = mm.vmas();
      expect(
        all.map((v, k) => shape(v, e.vmas![k] ?? { start: 0, end: 0, pgoff: 0 })),
        where,
      ).toEqual(e.vmas.map((w) => ({ ...w })));
    }
    if (e.named !== undefined) {
      for (const [name, w] of Object.entries(e.named))
        expect(shape(get(name), w), `${where}: ${name}`).toEqual({ ...w });
    }
    if (e.mapCount !== undefined) expect(mm.mapCount, where).toBe(e.mapCount);
    expect(mm.mapCount, `${where}: map_count against the index`).toBe(mm.index.size);
    mm.index.validate();
    for (const v of mm.vmas()) {
      expect(mm.index.lookup(v.start), where).toBe(v);
      expect(v.detached, where).toBe(false);
    }
    if (e.written !== undefined) {
      for (const [name, want] of Object.entries(e.written)) {
        const v = get(name);
        // vma_write_started(): report and reset the mark.
        expect(v.lockSeq === mm.mmLockSeq, `${where}: write-started ${name}`).toBe(want);
        v.lockSeq = -1;
      }
    }
  });
  mm.writeUnlock();
}

describe('VMA merge scenarios of tools/testing/vma/vma.c (v6.12)', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, () => runScenario(sc));
  }
});
