/**
 * The contract every fault strategy implements, what a strategy needs from a VMA index to be safe,
 * and the pairing check that keeps an unsafe combination from running silently.
 */
import type { IndexEra, LocklessSemantics, PluginMeta } from '@vmakit/core';
import type { FaultEnv } from './env.js';
import type { FaultRequest, FaultResult } from './result.js';
import type { StepGen } from './steps.js';

/**
 * How a strategy looks VMAs up:
 * - `locked`: only under the mmap lock — any index is fine;
 * - `lockless-validated`: without the lock, then validated by a sequence count covering the walk and
 *   the copy (Lespinasse's mmap_seq), so even an index restructured in place (`unsafe`) is usable, as
 *   latched rbtrees are;
 * - `lockless-unvalidated`: without the lock and without validating the walk (lock_vma_under_rcu()
 *   trusts mas_walk()), so the index must give RCU (`rcu`) or snapshot (`snapshot`) semantics.
 */
export type LookupNeed = 'locked' | 'lockless-validated' | 'lockless-unvalidated';

/** What a strategy needs from the index and the mm to be safe. */
export interface StrategyNeeds {
  readonly lookup: LookupNeed;
  /**
   * A VMA found without the lock may be freed concurrently: it must stay readable until an RCU grace
   * period has passed (vm_area_free() through call_rcu, Lespinasse's "mm: rcu safe vma freeing").
   */
  readonly rcuFreedVmas: boolean;
}

/** A page-fault concurrency strategy. */
export interface FaultStrategy {
  /** Registered name, e.g. `per-vma-lock`. */
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  readonly needs: StrategyNeeds;
  /**
   * Protocol checks this instance has switched off (seeded bugs for the simulator's safety checker);
   * empty for a faithful strategy.
   */
  readonly mutations: readonly string[];
  /** Bytes of VMA data a fault copies for an index of `era` (0 when the strategy copies nothing). */
  bytesCopied(era: IndexEra): number;
  /** The fault as a step generator (see steps.ts); returns how it ended. */
  fault(env: FaultEnv, req: FaultRequest): StepGen<FaultResult>;
}

/** A strategy plug-in: identification, needs, and a factory taking the strategy's options. */
export interface StrategyPlugin<O = object> {
  readonly meta: PluginMeta<'strategy'>;
  readonly needs: StrategyNeeds;
  /** The faithful strategy (no mutations). */
  readonly strategy: FaultStrategy;
  /** A strategy with options (mutant switches). */
  create(options?: O): FaultStrategy;
}

/** Identity function that type-checks a strategy plug-in. */
export function defineStrategyPlugin<O>(plugin: StrategyPlugin<O>): StrategyPlugin<O> {
  return plugin;
}

/** The verdict of checkPairing(). */
export interface PairingVerdict {
  readonly safe: boolean;
  /** Why (always filled; for unsafe pairings it says what can go wrong). */
  readonly reason: string;
}

/** What the environment provides beside the index semantics. */
export interface PairingOptions {
  /** VMAs are freed through RCU (default true: CONFIG_PER_VMA_LOCK frees them with call_rcu). */
  readonly rcuFreedVmas?: boolean;
}

/**
 * Whether `strategy` is safe over an index with lockless semantics `semantics`. Mutated strategies
 * are always unsafe (that is their point). O(1).
 */
export function checkPairing(
  strategy: FaultStrategy,
  semantics: LocklessSemantics,
  options: PairingOptions = {},
): PairingVerdict {
  if (strategy.mutations.length > 0) {
    return {
      safe: false,
      reason: `${strategy.name}: protocol checks disabled (${strategy.mutations.join(', ')})`,
    };
  }
  const need = strategy.needs;
  if (need.lookup === 'locked') {
    return { safe: true, reason: `${strategy.name}: lookups run under the mmap lock` };
  }
  if (need.rcuFreedVmas && options.rcuFreedVmas === false) {
    return {
      safe: false,
      reason: `${strategy.name}: reads VMAs found without the mmap lock, but VMAs are freed without an RCU grace period`,
    };
  }
  if (need.lookup === 'lockless-unvalidated' && semantics === 'unsafe') {
    return {
      safe: false,
      reason:
        `${strategy.name}: walks the VMA index without the mmap lock and trusts the walk, but an ` +
        `'unsafe' index restructures nodes in place (a concurrent update can make the walk miss or ` +
        `go astray); it needs 'rcu' or 'snapshot' semantics`,
    };
  }
  if (need.lookup === 'lockless-validated' && semantics === 'unsafe') {
    return {
      safe: true,
      reason: `${strategy.name}: lockless walk of an 'unsafe' index, validated by the mmap_seq check after the copy`,
    };
  }
  return { safe: true, reason: `${strategy.name}: lockless lookups over a '${semantics}' index` };
}
