/**
 * Exact `unsigned long` arithmetic on JavaScript numbers for system-call arguments.
 *
 * Addresses of the model are below 2^47, where numbers are exact, but callers may pass any value a
 * C program could: negative lengths (which the kernel sees as huge unsigned values) or lengths near
 * 2^64. These helpers map such arguments to the value the kernel would see, as closely as a double
 * allows, so that the kernel's overflow checks give the kernel's answers. Never use the 32-bit
 * bitwise operators on these values.
 */
import { PAGE_SIZE } from '../constants.js';
import { VmakitError } from '../errors.js';
import { U64_WRAP } from './consts.js';

/**
 * The `unsigned long` the kernel receives for `x`: integers below 0 wrap modulo 2^64. Throws a
 * VmakitError naming `what` for NaN, infinities and non-integers, which no C caller can pass.
 */
export function u64(x: number, what: string): number {
  if (!Number.isFinite(x) || !Number.isInteger(x)) {
    throw new VmakitError(`${what}: ${x} is not an integer system-call argument`);
  }
  if (x < 0) return x + U64_WRAP;
  if (x >= U64_WRAP) throw new VmakitError(`${what}: ${x} does not fit in 64 bits`);
  return x;
}

/** PAGE_ALIGN() of an unsigned long: 0 when rounding up wraps past 2^64, as in C. */
export function pageAlignU64(x: number): number {
  const r = x % PAGE_SIZE;
  if (r === 0) return x;
  const y = x + (PAGE_SIZE - r);
  return y >= U64_WRAP ? 0 : y;
}

/** offset_in_page(). */
export function offsetInPage(x: number): number {
  return x % PAGE_SIZE;
}

/** `x & (m - 1)` for a power of two m, on unsigned semantics (x may be negative from a subtraction). */
export function modPow2(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** `(x) >> PAGE_SHIFT` without 32-bit truncation. */
export function pagesOf(bytes: number): number {
  return Math.floor(bytes / PAGE_SIZE);
}

/**
 * An `int` / `unsigned int` argument (prot, flags, advice, pkey): any integer, kept as the low 32 bits
 * read as unsigned when `unsigned`. Throws a VmakitError naming `what` for a non-integer.
 */
export function intArg(x: number, what: string, unsigned = true): number {
  if (!Number.isInteger(x)) throw new VmakitError(`${what}: ${x} is not an integer system-call argument`);
  return unsigned ? x >>> 0 : x | 0;
}
