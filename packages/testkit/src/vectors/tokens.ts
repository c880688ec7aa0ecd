/**
 * Strict tokenising helpers shared by the vector-file parsers: every malformed token becomes a
 * ParseError naming the file, the 1-based line and what was expected.
 */
import { ParseError } from '@vmakit/core';

/** Where a token came from, for error messages. */
export interface LineRef {
  readonly file: string;
  readonly line: number;
}

const DECIMAL = /^\d+$/;
const SIGNED_DECIMAL = /^-?\d+$/;

/** A non-negative decimal below 2^53 (addresses, page numbers, sizes). */
export function parseSafe(at: LineRef, token: string | undefined, what: string): number {
  if (token === undefined) throw new ParseError(at.file, at.line, `missing ${what}`);
  if (!DECIMAL.test(token)) {
    throw new ParseError(at.file, at.line, `${what} must be a non-negative decimal integer, got '${token}'`);
  }
  const n = Number(token);
  if (!Number.isSafeInteger(n)) {
    throw new ParseError(at.file, at.line, `${what} ${token} does not fit below 2^53`);
  }
  return n;
}

/** A signed decimal below 2^53 in magnitude (return codes such as -16). */
export function parseSigned(at: LineRef, token: string | undefined, what: string): number {
  if (token === undefined) throw new ParseError(at.file, at.line, `missing ${what}`);
  if (!SIGNED_DECIMAL.test(token)) {
    throw new ParseError(at.file, at.line, `${what} must be a decimal integer, got '${token}'`);
  }
  const n = Number(token);
  if (!Number.isSafeInteger(n)) throw new ParseError(at.file, at.line, `${what} ${token} is out of range`);
  return n;
}

/** An unsigned 64-bit decimal (raw C values such as ULONG_MAX), exactly. */
export function parseU64(at: LineRef, token: string | undefined, what: string): bigint {
  if (token === undefined) throw new ParseError(at.file, at.line, `missing ${what}`);
  if (!DECIMAL.test(token)) {
    throw new ParseError(at.file, at.line, `${what} must be a non-negative decimal integer, got '${token}'`);
  }
  const n = BigInt(token);
  if (n >= 1n << 64n) throw new ParseError(at.file, at.line, `${what} ${token} exceeds 64 bits`);
  return n;
}

/** Splits `key=value` tokens into a map; rejects unknown or repeated keys and non-pairs. */
export function parseKeyValues(
  at: LineRef,
  tokens: readonly string[],
  known: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new ParseError(at.file, at.line, `expected key=value, got '${t}'`);
    const key = t.slice(0, eq);
    if (!known.includes(key)) {
      throw new ParseError(at.file, at.line, `unknown key '${key}' (known: ${known.join(', ')})`);
    }
    if (out.has(key)) throw new ParseError(at.file, at.line, `key '${key}' given twice`);
    out.set(key, t.slice(eq + 1));
  }
  return out;
}

/** Requires exactly `n` tokens, naming them in the error. */
export function expectCount(at: LineRef, tokens: readonly string[], n: number, shape: string): void {
  if (tokens.length !== n) {
    throw new ParseError(at.file, at.line, `expected '${shape}' (${n} fields), got ${tokens.length}`);
  }
}

/** Splits a text into lines (LF or CRLF) without the terminators. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Whitespace-separated fields of a line. */
export function fields(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}
