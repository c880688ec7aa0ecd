/**
 * Line-by-line reading of capture files, plain or gzip-compressed, with truncation reported as an
 * error: the kernel and perf end every line with '\n', so a last line without one means the file was
 * cut, and a gzip stream that ends before its trailer means the same.
 */
import { createReadStream } from 'node:fs';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import { ParseError } from '@vmakit/core';

/**
 * Where bytes come from: a file path, or any async iterable of chunks (a Node Readable, a
 * generator...). Chunks may be bytes or already-decoded text; text chunks are re-encoded as UTF-8
 * so gzip detection sees bytes.
 */
export type ByteSource = string | AsyncIterable<Uint8Array | string>;

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Longest accepted line in characters (default 1 MiB): protects against binary garbage. */
  readonly maxLineLength?: number;
}

const DEFAULT_MAX_LINE = 1 << 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function isGzipName(fileName: string): boolean {
  return fileName.endsWith('.gz');
}

/** Wraps zlib's failures (truncated or corrupt stream) in a ParseError at the line being read. */
function gzipError(err: unknown, fileName: string, line: number): unknown {
  if (err === null || typeof err !== 'object') return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return err;
  const msg = (err as { message?: unknown }).message;
  const detail =
    code === 'Z_BUF_ERROR'
      ? 'gzip stream ends early (truncated file): expected more compressed data and the gzip trailer'
      : `corrupt gzip data (${code}: ${String(msg)})`;
  return new ParseError(fileName, line, detail);
}

/** At most this many inflated chunks wait for the consumer before more compressed input is fed. */
const MAX_QUEUED = 16;

/**
 * Inflates a gzip byte stream so that every byte of a truncated stream that can be decoded is
 * delivered before the truncation is reported, which puts the error at the first line that really
 * is incomplete. zlib only releases the tail of a block when flushed, and a stream that finishes
 * with Z_FINISH fails on a missing trailer *without* releasing it, while one that finishes with
 * Z_SYNC_FLUSH releases it but never fails. So the data comes from a Z_SYNC_FLUSH inflater and the
 * verdict from a second, ordinary one fed the same bytes (this doubles the inflate work, which is
 * small next to parsing, and keeps multi-member files working). Memory stays bounded: input is fed
 * only while few inflated chunks are waiting.
 */
async function* gunzipChunks(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const data = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const checker = createGunzip();
  checker.resume();
  const verdict = new Promise<{ err: unknown } | null>((resolve) => {
    checker.on('end', () => resolve(null));
    checker.on('error', (err) => resolve({ err }));
  });
  const queue: Buffer[] = [];
  let failure: { err: unknown } | null = null;
  let ended = false;
  let stopped = false;
  // Held in an object so TypeScript does not narrow the callbacks the closures below assign.
  const wake: { consumer: (() => void) | null; feeder: (() => void) | null } = {
    consumer: null,
    feeder: null,
  };
  const notify = (): void => {
    const w = wake.consumer;
    wake.consumer = null;
    w?.();
  };
  data.on('data', (b: Buffer) => {
    queue.push(b);
    notify();
  });
  data.on('error', (err) => {
    failure ??= { err };
    notify();
    wake.feeder?.();
  });
  data.on('end', () => {
    ended = true;
    notify();
  });
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of input) {
        while (queue.length >= MAX_QUEUED && failure === null && !stopped) {
          await new Promise<void>((r) => {
            wake.feeder = r;
          });
          wake.feeder = null;
        }
        if (failure !== null || stopped) return;
        data.write(chunk);
        checker.write(chunk);
      }
      data.end();
      checker.end();
    } catch (err) {
      failure ??= { err };
      notify();
    }
  };
  const feeding = feed();
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        if (queue.length < MAX_QUEUED) wake.feeder?.();
        yield next;
        continue;
      }
      if (failure !== null) throw (failure as { err: unknown }).err;
      if (ended) {
        const v = await verdict;
        if (v !== null) throw v.err;
        return;
      }
      wake.feeder?.();
      await new Promise<void>((r) => {
        wake.consumer = r;
      });
    }
  } finally {
    stopped = true;
    wake.feeder?.();
    data.destroy();
    checker.destroy();
    await feeding;
  }
}

/**
 * Like {@link readLines} but yields the complete lines of each input chunk together, which saves
 * the parsers one asynchronous step per line. Batches are never empty.
 */
export async function* readLineBatches(
  source: ByteSource,
  fileName: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<string[], void, undefined> {
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const raw: AsyncIterable<Uint8Array | string> =
    typeof source === 'string' ? createReadStream(source) : source;
  const it = raw[Symbol.asyncIterator]();
  let lineNo = 0;
  try {
    // Peek at least two bytes to recognise gzip.
    const head: Uint8Array[] = [];
    let headLen = 0;
    let ended = false;
    while (headLen < 2) {
      const r = await it.next();
      if (r.done === true) {
        ended = true;
        break;
      }
      const b = toBytes(r.value);
      if (b.length === 0) continue;
      head.push(b);
      headLen += b.length;
    }
    const first = head.length > 0 ? Buffer.concat(head) : Buffer.alloc(0);
    const gz = first.length >= 2 && first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1;
    if (isGzipName(fileName) && !gz) {
      const found = first.length === 0 ? 'an empty file' : `bytes ${first.subarray(0, 2).toString('hex')}`;
      throw new ParseError(fileName, 1, `expected gzip data (magic 1f 8b) in a .gz file, found ${found}`);
    }
    async function* rest(): AsyncGenerator<Uint8Array> {
      if (first.length > 0) yield first;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield toBytes(r.value);
      }
    }
    const chunks: AsyncIterable<Uint8Array> = gz ? gunzipChunks(rest()) : rest();
    const decoder = new TextDecoder('utf-8');
    let pending = '';
    try {
      for await (const chunk of chunks) {
        pending += decoder.decode(chunk, { stream: true });
        let from = 0;
        const batch: string[] = [];
        for (;;) {
          const nl = pending.indexOf('\n', from);
          if (nl < 0) break;
          lineNo++;
          if (nl - from > maxLine) {
            // Earlier lines first, so an error in one of them is reported before this one.
            if (batch.length > 0) yield batch.splice(0);
            throw new ParseError(
              fileName,
              lineNo,
              `line longer than ${maxLine} characters (not a text capture?)`,
            );
          }
          batch.push(pending.slice(from, nl));
          from = nl + 1;
        }
        if (batch.length > 0) yield batch;
        pending = from === 0 ? pending : pending.slice(from);
        if (pending.length > maxLine) {
          throw new ParseError(
            fileName,
            lineNo + 1,
            `line longer than ${maxLine} characters (not a text capture?)`,
          );
        }
      }
    } catch (err) {
      throw gzipError(err, fileName, lineNo + 1);
    }
    pending += decoder.decode();
    if (pending.length > 0) {
      throw new ParseError(
        fileName,
        lineNo + 1,
        `last line is not terminated by a newline (file truncated?): found ${JSON.stringify(pending.slice(0, 60))}`,
      );
    }
  } finally {
    await it.return?.();
  }
}

/**
 * The decoded lines of `source`, without their '\n'. Gzip is recognised by its magic bytes (and a
 * `.gz` name demands them). Throws ParseError for a truncated gzip stream, for a last line without
 * '\n', and for over-long lines. Streams: memory is O(longest line + chunk). Stopping the
 * iteration early closes the underlying file.
 */
export async function* readLines(
  source: ByteSource,
  fileName: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<string, void, undefined> {
  for await (const batch of readLineBatches(source, fileName, options)) yield* batch;
}

/**
 * Splits in-memory text into lines with the same rules as {@link readLines} (every line, the last
 * included, must end with '\n'; empty text has no lines). O(length).
 */
export function splitLines(text: string, fileName: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  if (last.length > 0) {
    throw new ParseError(
      fileName,
      lines.length + 1,
      `last line is not terminated by a newline (file truncated?): found ${JSON.stringify(last.slice(0, 60))}`,
    );
  }
  return lines;
}
