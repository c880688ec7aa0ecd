/**
 * Options of describeVmaIndex and how the operation budget is resolved (VMAKIT_CONFORMANCE_OPS).
 */
import type { LocklessSemantics } from '@vmakit/core';

/** Options of describeVmaIndex. */
export interface ConformanceOptions {
  /** Base seed of every random check (default 0x5eed). Each check derives its own seed from it. */
  readonly seed?: number;
  /**
   * Total operations of the differential tests (default 30,000), spread over the profiles.
   * VMAKIT_CONFORMANCE_OPS overrides it (e.g. 1000000 for a long soak run).
   */
  readonly ops?: number;
  /** Do not replay the kernel vectors even when ../shared/kernel-vectors is present. */
  readonly skipVectors?: boolean;
  /**
   * The lockless-reader semantics the package promises; the suite fails if `index.semantics`
   * differs, and checks readers against it. Default: whatever the index declares.
   */
  readonly semantics?: LocklessSemantics;
  /** Skip the probe checks (for an index that does not model memory traffic, like the reference). */
  readonly skipProbe?: boolean;
  /** Size of the big sequential scenario (default 65,530 VMAs, 20,000 churn updates). */
  readonly big?: { readonly count?: number; readonly churn?: number };
  /** validate() cadence of the kernel-vector replay (default 1: after every operation). */
  readonly vectorsValidateEvery?: number;
}

/** Default total of differential operations per index. */
export const DEFAULT_OPS = 30_000;

/** Default base seed. */
export const DEFAULT_SEED = 0x5eed;

/**
 * The differential budget: VMAKIT_CONFORMANCE_OPS when set, else options.ops, else DEFAULT_OPS.
 * Throws on a malformed environment value rather than silently running the default.
 */
export function resolveOps(options: ConformanceOptions, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VMAKIT_CONFORMANCE_OPS;
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw.trim().replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`VMAKIT_CONFORMANCE_OPS must be a positive integer, got '${raw}'`);
    }
    return n;
  }
  const ops = options.ops ?? DEFAULT_OPS;
  if (!Number.isSafeInteger(ops) || ops < 1)
    throw new RangeError(`options.ops must be a positive integer, got ${ops}`);
  return ops;
}

/** A per-check seed derived from the base seed (stable, distinct per check). */
export function deriveSeed(base: number, salt: number): number {
  return (Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(salt + 1, 0xc2b2ae35)) | 0;
}

/** A generous vitest timeout for a check of `ops` operations (never asserts on time). */
export function timeoutFor(ops: number): number {
  return 120_000 + ops * 4;
}
