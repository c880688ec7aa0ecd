/**
 * Checking what a workload is created with: the thread count, the seed and the numeric parameters.
 * Every plug-in declares its parameters with a default and a rule; unknown keys, non-numbers and
 * values outside the rule are errors that name the workload, the key and what is allowed.
 */
import { PAGE_SIZE, VmakitError } from '@vmakit/core';
import type { WorkloadOptions } from '../workload.js';

/** A workload was given options it cannot run with. */
export class WorkloadParamError extends VmakitError {
  override readonly name = 'WorkloadParamError';
}

/** A thread program met a result the real benchmark would have died on (its `assert`). */
export class WorkloadAbortError extends VmakitError {
  override readonly name = 'WorkloadAbortError';
}

/** What values a parameter accepts. */
export type ParamRule =
  /** An integer >= min (default 0). */
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  /** 0 or 1. */
  | { readonly kind: 'flag' }
  /** A positive multiple of the page size (4096), at most `max` when given. */
  | { readonly kind: 'pages'; readonly allowZero?: boolean; readonly max?: number }
  /** A finite number >= min (default 0). */
  | { readonly kind: 'number'; readonly min?: number };

/** One declared parameter. */
export interface ParamSpec {
  readonly default: number;
  readonly rule: ParamRule;
  /** Unit and meaning, for error messages and `vmakit list`. */
  readonly doc: string;
}

/** Declared parameters of a workload, by key. */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The defaults of `specs` (what WorkloadPlugin.defaults shows). */
export function defaultsOf(specs: ParamSpecs): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(specs)) out[k] = s.default;
  return Object.freeze(out);
}

function describeRule(r: ParamRule): string {
  switch (r.kind) {
    case 'int':
      return `an integer >= ${r.min ?? 0}${r.max !== undefined ? ` and <= ${r.max}` : ''}`;
    case 'flag':
      return '0 or 1';
    case 'pages':
      return `a ${r.allowZero === true ? 'non-negative' : 'positive'} multiple of ${PAGE_SIZE}${r.max !== undefined ? ` <= ${r.max}` : ''}`;
    case 'number':
      return `a finite number >= ${r.min ?? 0}`;
  }
}

function satisfies(v: number, r: ParamRule): boolean {
  if (!Number.isFinite(v)) return false;
  switch (r.kind) {
    case 'int':
      return Number.isInteger(v) && v >= (r.min ?? 0) && (r.max === undefined || v <= r.max);
    case 'flag':
      return v === 0 || v === 1;
    case 'pages':
      return (
        Number.isInteger(v) &&
        v % PAGE_SIZE === 0 &&
        (r.allowZero === true ? v >= 0 : v > 0) &&
        (r.max === undefined || v <= r.max)
      );
    case 'number':
      return v >= (r.min ?? 0);
  }
}

/** Largest thread count a workload accepts (will-it-scale's MAX_TASKS). */
export const MAX_THREADS = 1024;

/**
 * Validates `options` for workload `name` and returns every parameter resolved (defaults filled in).
 * Throws WorkloadParamError naming the first problem. O(number of parameters).
 */
export function resolveOptions(
  name: string,
  specs: ParamSpecs,
  options: WorkloadOptions,
): { threads: number; seed: number; params: Readonly<Record<string, number>> } {
  const { threads, seed } = options;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new WorkloadParamError(
      `workload ${name}: threads must be an integer in [1, ${MAX_THREADS}], got ${String(threads)}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new WorkloadParamError(`workload ${name}: seed must be a safe integer, got ${String(seed)}`);
  }
  const given = options.params ?? {};
  const known = Object.keys(specs);
  const out: Record<string, number> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(specs, key)) {
      throw new WorkloadParamError(
        `workload ${name}: unknown parameter '${key}'; known: ${known.length > 0 ? known.join(', ') : '(none)'}`,
      );
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const raw: unknown = Object.hasOwn(given, key) ? given[key] : spec.default;
    if (typeof raw !== 'number' || !satisfies(raw, spec.rule)) {
      throw new WorkloadParamError(
        `workload ${name}: parameter ${key} must be ${describeRule(spec.rule)} (${spec.doc}), got ${String(raw)}`,
      );
    }
    out[key] = raw;
  }
  return { threads, seed, params: Object.freeze(out) };
}

/** Documentation line of every parameter, `key=default: doc`. */
export function describeParams(specs: ParamSpecs): string[] {
  return Object.entries(specs).map(([k, s]) => `${k}=${s.default}: ${s.doc}`);
}
