/**
 * Hand-written number scanners for the capture formats. They check every character instead of using
 * regular expressions, so a hostile line cannot trigger backtracking, and they return `null` rather
 * than throwing: the callers know the file and line and build the ParseError.
 */

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;
const PAGE_OFFSET_MASK = 0xfffn;

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Hex digits (no prefix) to a 64-bit unsigned value; null when empty, not hex, or wider than 64 bits.
 * Leading zeros do not count towards the width. O(length).
 */
export function hexToBigInt(s: string): bigint | null {
  if (s.length === 0) return null;
  let firstSignificant = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isHexCode(c)) return null;
    if (firstSignificant < 0 && c !== 48) firstSignificant = i;
  }
  if (firstSignificant < 0) return 0n;
  if (s.length - firstSignificant > 16) return null;
  return BigInt(`0x${s.slice(firstSignificant)}`);
}

/** A 64-bit value read from hex: its Number value and its exact page / in-page split. */
export interface Hex64 {
  /** The value; exact below 2^53 and when page-aligned, else the nearest double. */
  readonly value: number;
  /** The value rounded down to a 4 KiB page: exact for every 64-bit value. */
  readonly page: number;
  /** The value modulo 4096. */
  readonly offset: number;
}

/**
 * `0x`-prefixed hex to a {@link Hex64}; null when not hex or wider than 64 bits. Values of at most
 * 13 significant digits (52 bits) take a Number-only path, the common case for user addresses.
 */
export function prefixedHexToHex64(s: string): Hex64 | null {
  if (s.length < 3 || s.charCodeAt(0) !== 48 || (s.charCodeAt(1) !== 120 && s.charCodeAt(1) !== 88))
    return null;
  let firstSignificant = -1;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isHexCode(c)) return null;
    if (firstSignificant < 0 && c !== 48) firstSignificant = i;
  }
  if (firstSignificant < 0) return { value: 0, page: 0, offset: 0 };
  const digits = s.length - firstSignificant;
  if (digits <= 13) {
    const value = Number.parseInt(s.slice(firstSignificant), 16);
    const offset = value % 4096;
    return { value, page: value - offset, offset };
  }
  if (digits > 16) return null;
  const big = BigInt(`0x${s.slice(firstSignificant)}`);
  return { value: Number(big), page: pagePart(big), offset: offsetPart(big) };
}

/** `0x`-prefixed hex (as perf and the tracepoints print it) to a 64-bit value; null otherwise. */
export function prefixedHexToBigInt(s: string): bigint | null {
  if (s.length < 3 || s.charCodeAt(0) !== 48 || (s.charCodeAt(1) !== 120 && s.charCodeAt(1) !== 88))
    return null;
  return hexToBigInt(s.slice(2));
}

/** Unsigned decimal digits to a Number; null when empty, not decimal, or above 2^53 - 1. */
export function decimalToNumber(s: string): number | null {
  if (s.length === 0 || s.length > 16) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * A 64-bit value as a Number. Exact below 2^53 and for every page-aligned value below 2^64 (such a
 * value needs at most 52 significant bits); otherwise the nearest double.
 */
export function u64ToNumber(v: bigint): number {
  return Number(v);
}

/** The page-aligned part of a 64-bit address, exact as a Number. */
export function pagePart(v: bigint): number {
  return Number(v & ~PAGE_OFFSET_MASK);
}

/** The offset within its page (0..4095) of a 64-bit address. */
export function offsetPart(v: bigint): number {
  return Number(v & PAGE_OFFSET_MASK);
}

/** Reinterpret a 64-bit unsigned value as `long` (two's complement). */
export function toSigned64(v: bigint): bigint {
  return v >= TWO_63 ? v - TWO_64 : v;
}

/** Reinterpret the low 32 bits as a C `int`, as the syscall wrappers' casts do. */
export function toSigned32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** A non-negative integer Number as lowercase hex, at least `width` digits (the kernel's seq_put_hex_ll). */
export function hexPadded(n: number, width: number): string {
  return BigInt(n).toString(16).padStart(width, '0');
}

/** A short, printable excerpt of untrusted text for error messages. */
export function quote(s: string, max = 40): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(cut);
}
