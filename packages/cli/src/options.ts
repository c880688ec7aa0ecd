/**
 * Parsing option values. Each parser names the option and says what it accepts, so a bad value is
 * one clear line (UsageError, exit status 2) instead of a wrong run.
 */
import { UsageError } from './errors.js';

/** A comma-separated list, trimmed, without empty items. */
export function parseList(option: string, value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${option} needs at least one name (got '${value}')`);
  return items;
}

/** A non-negative safe integer. */
export function parseInteger(option: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const trimmed = value.trim();
  const n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be an integer ${range}, not '${value}'`);
  }
  return n;
}

/** A positive finite number (durations, times). */
export function parsePositive(option: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${option} must be a positive number, not '${value}'`);
  return n;
}

/** A seed: any safe integer. */
export function parseSeed(value: string): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed must be an integer, not '${value}'`);
  return n;
}

/**
 * A CPU list such as `1,12,21,48,112`: positive integers, duplicates removed, in the given order.
 * The simulator's own limits (MAX_CPUS, a workload's thread rules) are checked by the caller.
 */
export function parseCpus(value: string, max: number): number[] {
  const out: number[] = [];
  for (const item of parseList('--cpus', value)) {
    const n = /^\d+$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max)
      throw new UsageError(`--cpus: '${item}' is not a CPU count (an integer from 1 to ${max})`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A shard `i/n` (1-based on the command line, as in `--shard 1/2`), returned 0-based. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `--shard i/n` with 1 <= i <= n. */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const i = m === null ? Number.NaN : Number(m[1]);
  const n = m === null ? Number.NaN : Number(m[2]);
  if (!Number.isSafeInteger(i) || !Number.isSafeInteger(n) || n < 1 || i < 1 || i > n)
    throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 1/2), not '${value}'`);
  return { index: i - 1, count: n };
}

/** `k=v,k=v` workload parameters: numbers only (the workload checks keys and ranges). */
export function parseParams(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of parseList('--params', value)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    const raw = eq < 0 ? '' : item.slice(eq + 1).trim();
    const n = raw === '' ? Number.NaN : Number(raw);
    if (key === '' || !Number.isFinite(n))
      throw new UsageError(`--params: '${item}' is not key=number (e.g. memsize_bytes=1048576)`);
    if (Object.hasOwn(out, key)) throw new UsageError(`--params: '${key}' is given twice`);
    out[key] = n;
  }
  return out;
}

/** Whether an item of `list` in position `pos` belongs to shard `shard`. */
export function inShard(pos: number, shard: Shard | null): boolean {
  return shard === null || pos % shard.count === shard.index;
}
