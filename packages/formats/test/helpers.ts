/** Test helpers: the shared-folder locator from testkit. */
import { Readable } from 'node:stream';
import { ParseError } from '@vmakit/core';
import { expect } from 'vitest';

export { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';

/** The capture folders the traces README describes. */
export const CAPTURES = ['py-sqlite', 'c-arenas'] as const;

/** A stream that yields `data` in chunks of `size` bytes (exercises chunk boundaries). */
export function chunked(data: Uint8Array | string, size: number): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

/** Asserts that `fn` throws a ParseError for `file` at `line` whose detail contains `fragment`. */
export function expectParseError(
  fn: () => unknown,
  file: string,
  line: number,
  fragment?: string,
): ParseError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return checkParseError(caught, file, line, fragment);
}

/** Async form of {@link expectParseError}. */
export async function expectParseErrorAsync(
  fn: () => Promise<unknown>,
  file: string,
  line: number,
  fragment?: string,
): Promise<ParseError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  return checkParseError(caught, file, line, fragment);
}

function checkParseError(caught: unknown, file: string, line: number, fragment?: string): ParseError {
  expect(caught, 'expected a ParseError to be thrown').toBeInstanceOf(ParseError);
  const e = caught as ParseError;
  expect(e.message.startsWith(`${file}:${line}: `), `message was: ${e.message}`).toBe(true);
  expect(e.file).toBe(file);
  expect(e.line).toBe(line);
  if (fragment !== undefined) expect(e.detail).toContain(fragment);
  return e;
}

/** Drains an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
