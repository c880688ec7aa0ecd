/**
 * Mutants: seeded protocol bugs. Each removes one check a fault-concurrency protocol relies on; the
 * safety checker must catch every one of them on a standard workload (see test/mutants.test.ts and
 * each mutant's `catches`), which is how we know the checker can see the failures the checks prevent.
 * Strategy mutants switch off a check through the strategies' own options (spfMutations,
 * perVmaLockMutations); engine mutants change what the simulated kernel does around the fault.
 */
import { UnknownNameError, VmakitError } from '@vmakit/core';
import {
  createPerVmaLockStrategy,
  createSpfCopyAttrsStrategy,
  createSpfCopyVmaStrategy,
} from '@vmakit/strategies';
import type { FaultStrategy } from '@vmakit/x86-fault';

/** A workload configuration a mutant is caught on. */
export interface MutantCatch {
  readonly strategy: string;
  readonly index: string;
  readonly workload: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly cpus: number;
  readonly seed: number;
  readonly durationNs: number;
}

/** A seeded protocol bug. */
export interface MutantInfo {
  readonly name: string;
  readonly description: string;
  /** `strategy`: a strategy option; `engine`: the simulated kernel around the fault. */
  readonly kind: 'strategy' | 'engine';
  /** Strategies it applies to. */
  readonly appliesTo: readonly string[];
  /** A small run that catches it (used by the tests). */
  readonly catches: MutantCatch;
}

const SPF = ['spf-copy-vma', 'spf-copy-attrs'] as const;
const LOCKLESS = ['spf-copy-vma', 'spf-copy-attrs', 'per-vma-lock'] as const;

/** Every mutant, in listing order. */
export const MUTANTS: readonly MutantInfo[] = Object.freeze([
  {
    name: 'spf-skip-copy-check',
    description:
      'speculative fault: no mmap_seq check after copying the VMA, so a copy of a VMA a writer changed is used',
    kind: 'strategy',
    appliesTo: SPF,
    catches: {
      strategy: 'spf-copy-vma',
      index: 'maple',
      workload: 'ebizzy',
      cpus: 12,
      seed: 1,
      durationNs: 4_000_000,
    },
  },
  {
    name: 'spf-skip-pte-check',
    description:
      'speculative fault: pte_map_lock() commits without re-checking mmap_seq, so a PTE lands after a writer changed the VMA',
    kind: 'strategy',
    appliesTo: SPF,
    catches: {
      strategy: 'spf-copy-vma',
      index: 'maple',
      workload: 'ebizzy',
      cpus: 8,
      seed: 1,
      durationNs: 1_000_000,
    },
  },
  {
    name: 'spf-accept-odd-seq',
    description: 'speculative fault: starts while a writer holds the mmap lock (odd mmap_seq)',
    kind: 'strategy',
    appliesTo: SPF,
    catches: {
      strategy: 'spf-copy-vma',
      index: 'maple',
      workload: 'ebizzy',
      cpus: 8,
      seed: 1,
      durationNs: 400_000,
    },
  },
  {
    name: 'free-without-rcu',
    description:
      'detached VMAs are freed as soon as the tree update is published, without an RCU grace period',
    kind: 'engine',
    appliesTo: LOCKLESS,
    catches: {
      strategy: 'per-vma-lock',
      index: 'cow-btree',
      workload: 'mixed',
      cpus: 16,
      seed: 1,
      durationNs: 1_000_000,
    },
  },
  {
    name: 'vma-lock-skip-seq-check',
    description:
      'per-VMA lock: vma_start_read() without comparing vm_lock_seq to mm_lock_seq, so a write-marked VMA is read-locked',
    kind: 'strategy',
    appliesTo: ['per-vma-lock'],
    catches: {
      strategy: 'per-vma-lock',
      index: 'maple',
      workload: 'ebizzy',
      cpus: 8,
      seed: 1,
      durationNs: 400_000,
    },
  },
  {
    name: 'unvalidated-unsafe-lookup',
    description:
      "lockless lookup trusted without validation: a walk that found nothing delivers SIGSEGV; wrong on an 'unsafe' index mid-update",
    kind: 'strategy',
    appliesTo: LOCKLESS,
    catches: {
      strategy: 'per-vma-lock',
      index: 'rbtree',
      workload: 'ebizzy',
      cpus: 8,
      seed: 1,
      durationNs: 1_000_000,
    },
  },
] satisfies MutantInfo[]);

/** The mutant called `name`; UnknownNameError lists them. O(mutants). */
export function mutantByName(name: string): MutantInfo {
  const m = MUTANTS.find((x) => x.name === name);
  if (m === undefined) {
    throw new UnknownNameError(
      'mutant',
      name,
      MUTANTS.map((x) => x.name),
    );
  }
  return m;
}

/** A strategy with the mutant applied, and the engine switches it needs. */
export interface AppliedMutant {
  readonly strategy: FaultStrategy;
  readonly freeWithoutRcu: boolean;
}

/**
 * Apply mutant `m` to the strategy called `strategyName` (or the given strategy instance for engine
 * mutants). Throws VmakitError when the mutant does not apply to that strategy.
 */
export function applyMutant(m: MutantInfo, base: FaultStrategy): AppliedMutant {
  if (!m.appliesTo.includes(base.name)) {
    throw new VmakitError(
      `mutant ${m.name} applies to ${m.appliesTo.join(', ')}, not to strategy ${base.name}`,
    );
  }
  const spf = (o: object): FaultStrategy =>
    base.name === 'spf-copy-attrs' ? createSpfCopyAttrsStrategy(o) : createSpfCopyVmaStrategy(o);
  switch (m.name) {
    case 'spf-skip-copy-check':
      return { strategy: spf({ skipVmaCopySeqCheck: true }), freeWithoutRcu: false };
    case 'spf-skip-pte-check':
      return { strategy: spf({ skipPteSeqCheck: true }), freeWithoutRcu: false };
    case 'spf-accept-odd-seq':
      return { strategy: spf({ acceptOddSeq: true }), freeWithoutRcu: false };
    case 'free-without-rcu':
      return { strategy: base, freeWithoutRcu: true };
    case 'vma-lock-skip-seq-check':
      return { strategy: createPerVmaLockStrategy({ skipVmLockSeqCheck: true }), freeWithoutRcu: false };
    case 'unvalidated-unsafe-lookup':
      return {
        strategy:
          base.name === 'per-vma-lock'
            ? createPerVmaLockStrategy({ trustLocklessMiss: true })
            : spf({ trustLocklessMiss: true }),
        freeWithoutRcu: false,
      };
    default:
      throw new VmakitError(`mutant ${m.name} has no implementation`);
  }
}
