/**
 * A capture directory (see the traces README): `start.maps` and the trace are required; `end.maps`,
 * `start.smaps` and `end.smaps` are optional. Each file may also be stored gzip-compressed under the
 * same name plus `.gz`. Writers replace files atomically (temporary file in the same directory, then
 * rename), so a reader never sees half a file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { VmakitError } from '@vmakit/core';
import { formatMaps, type MapsFile, parseMaps } from './maps.js';
import { formatSmaps, parseSmaps, type SmapsFile, type SmapsOptions } from './smaps.js';

/** A capture directory is missing a file, holds it twice (plain and .gz), or is not a directory. */
export class CaptureDirError extends VmakitError {
  override readonly name = 'CaptureDirError';
}

/** File names of a capture directory. */
export const CAPTURE_FILES = {
  startMaps: 'start.maps',
  endMaps: 'end.maps',
  startSmaps: 'start.smaps',
  endSmaps: 'end.smaps',
  trace: 'trace.txt',
} as const;

/** A capture directory with its maps and smaps parsed; the trace stays on disk to be streamed. */
export interface CaptureDir {
  /** The directory as given. */
  readonly dir: string;
  /** `start.maps`: the address space when tracing began. */
  readonly startMaps: MapsFile;
  /** `end.maps`: the address space when tracing ended, when captured. */
  readonly endMaps: MapsFile | null;
  /** `start.smaps`, when captured. */
  readonly startSmaps: SmapsFile | null;
  /** `end.smaps`, when captured. */
  readonly endSmaps: SmapsFile | null;
  /** Path of `trace.txt` or `trace.txt.gz`; stream it with parseTrace. */
  readonly tracePath: string;
  /** Path of every file found. */
  readonly paths: {
    readonly startMaps: string;
    readonly endMaps: string | null;
    readonly startSmaps: string | null;
    readonly endSmaps: string | null;
    readonly trace: string;
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The path of `name` or `name.gz` in `dir`, null when neither exists; an error when both do. */
async function locate(dir: string, name: string): Promise<string | null> {
  const plain = join(dir, name);
  const gz = `${plain}.gz`;
  const [hasPlain, hasGz] = await Promise.all([isFile(plain), isFile(gz)]);
  if (hasPlain && hasGz) {
    throw new CaptureDirError(`capture directory ${dir}: both ${name} and ${name}.gz exist; keep one`);
  }
  return hasPlain ? plain : hasGz ? gz : null;
}

const REQUIRED_WHY: Record<string, string> = {
  [CAPTURE_FILES.startMaps]: '/proc/PID/maps read before tracing began',
  [CAPTURE_FILES.trace]: 'the perf script text of the traced events',
};

async function required(dir: string, name: string): Promise<string> {
  const p = await locate(dir, name);
  if (p === null) {
    throw new CaptureDirError(
      `capture directory ${dir}: missing ${name} (or ${name}.gz): ${REQUIRED_WHY[name]}`,
    );
  }
  return p;
}

/**
 * Reads a capture directory: parses start/end maps and smaps (ParseErrors name the file and line)
 * and locates the trace. Throws CaptureDirError naming a missing file. O(size of maps and smaps).
 */
export async function readCaptureDir(dir: string, options: SmapsOptions = {}): Promise<CaptureDir> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(dir);
  } catch {
    throw new CaptureDirError(`capture directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new CaptureDirError(`capture directory ${dir} is not a directory`);
  const startMapsPath = await required(dir, CAPTURE_FILES.startMaps);
  const tracePath = await required(dir, CAPTURE_FILES.trace);
  const endMapsPath = await locate(dir, CAPTURE_FILES.endMaps);
  const startSmapsPath = await locate(dir, CAPTURE_FILES.startSmaps);
  const endSmapsPath = await locate(dir, CAPTURE_FILES.endSmaps);
  return {
    dir,
    startMaps: await parseMaps(startMapsPath, startMapsPath),
    endMaps: endMapsPath === null ? null : await parseMaps(endMapsPath, endMapsPath),
    startSmaps: startSmapsPath === null ? null : await parseSmaps(startSmapsPath, startSmapsPath, options),
    endSmaps: endSmapsPath === null ? null : await parseSmaps(endSmapsPath, endSmapsPath, options),
    tracePath,
    paths: {
      startMaps: startMapsPath,
      endMaps: endMapsPath,
      startSmaps: startSmapsPath,
      endSmaps: endSmapsPath,
      trace: tracePath,
    },
  };
}

let tempCounter = 0;

/**
 * Writes `data` to `path` atomically: into a temporary file next to it, then rename(2) over the
 * target. A `.gz` path is gzip-compressed. Streams async iterables chunk by chunk. On failure the
 * temporary file is removed and the target is untouched.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${++tempCounter}`;
  const gz = path.endsWith('.gz');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await writeFile(temp, gz ? gzipSync(bytes) : bytes, { flag: 'wx' });
    } else {
      const out = createWriteStream(temp, { flags: 'wx' });
      const input = Readable.from(data);
      if (gz) await pipeline(input, createGzip(), out);
      else await pipeline(input, out);
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** What {@link writeCaptureDir} writes; each part is text as-is or a parsed file to format. */
export interface CaptureParts {
  readonly startMaps?: string | MapsFile;
  readonly endMaps?: string | MapsFile;
  readonly startSmaps?: string | SmapsFile;
  readonly endSmaps?: string | SmapsFile;
  /** The perf script text, whole or streamed. */
  readonly trace?: string | AsyncIterable<string | Uint8Array>;
  /** Write `trace.txt.gz` instead of `trace.txt`. */
  readonly gzipTrace?: boolean;
}

/**
 * Writes the given parts into `dir` (created if needed), each file atomically. Returns the paths
 * written. Parts not given are left alone.
 */
export async function writeCaptureDir(dir: string, parts: CaptureParts): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, data: string | AsyncIterable<string | Uint8Array>): Promise<void> => {
    const p = join(dir, name);
    await writeFileAtomic(p, data);
    written.push(p);
  };
  const mapsText = (m: string | MapsFile): string => (typeof m === 'string' ? m : formatMaps(m));
  const smapsText = (m: string | SmapsFile): string => (typeof m === 'string' ? m : formatSmaps(m));
  if (parts.startMaps !== undefined) await put(CAPTURE_FILES.startMaps, mapsText(parts.startMaps));
  if (parts.endMaps !== undefined) await put(CAPTURE_FILES.endMaps, mapsText(parts.endMaps));
  if (parts.startSmaps !== undefined) await put(CAPTURE_FILES.startSmaps, smapsText(parts.startSmaps));
  if (parts.endSmaps !== undefined) await put(CAPTURE_FILES.endSmaps, smapsText(parts.endSmaps));
  if (parts.trace !== undefined) {
    const gz = parts.gzipTrace === true;
    await put(gz ? `${CAPTURE_FILES.trace}.gz` : CAPTURE_FILES.trace, parts.trace);
    // The other variant would make the directory ambiguous for readCaptureDir; it is the same file.
    await unlink(join(dir, gz ? CAPTURE_FILES.trace : `${CAPTURE_FILES.trace}.gz`)).catch(() => {});
  }
  return written;
}
