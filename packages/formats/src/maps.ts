/**
 * /proc/PID/maps: parser (streaming and in-memory) and writer.
 *
 * The line layout is the one fs/proc/task_mmu.c show_vma_header_prefix() and show_map_vma() print
 * (v6.12): `start-end perms offset major:minor inode `, hex fields at least 8 digits wide (dev 2+2),
 * then — when the VMA has a name — space padding up to column 72 (seq_setwidth(25 + 6 *
 * sizeof(void *) - 1)) and one more space (seq_pad) before the path or name.
 */
import { ParseError, TASK_SIZE } from '@vmakit/core';
import { type ByteSource, readLineBatches, splitLines } from './line-source.js';
import { decimalToNumber, hexPadded, hexToBigInt, quote } from './numbers.js';

/** One line of /proc/PID/maps. */
export interface MapsEntry {
  /** vm_start. Page-aligned, so exact as a Number even above 2^53. */
  readonly start: number;
  /** vm_end (exclusive). */
  readonly end: number;
  /** VM_READ. */
  readonly read: boolean;
  /** VM_WRITE. */
  readonly write: boolean;
  /** VM_EXEC. */
  readonly exec: boolean;
  /** VM_MAYSHARE: `s` rather than `p`. */
  readonly shared: boolean;
  /** File offset in bytes (vm_pgoff << PAGE_SHIFT for file VMAs, 0 otherwise). */
  readonly offset: number;
  /** Device as printed, `major:minor` in hex, e.g. `fe:00`. */
  readonly dev: string;
  /** Inode number (exact: the parser refuses inodes above 2^53 - 1). */
  readonly inode: number;
  /** Path or name (`[heap]`, `[stack]`, `[vdso]`, `[anon:x]`...); '' when the VMA has none. */
  readonly path: string;
  /** 1-based line in the source file (0 for entries built in memory). */
  readonly line: number;
}

/** A parsed maps file: the VMAs of the mm, in address order, and the gate area apart. */
export interface MapsFile {
  /** File name used in error messages. */
  readonly file: string;
  /** The mm's VMAs, ascending and non-overlapping. */
  readonly entries: MapsEntry[];
  /**
   * The x86-64 `[vsyscall]` gate area (printed after the VMAs but not one of them: get_gate_vma()),
   * or null when absent.
   */
  readonly gate: MapsEntry | null;
}

/** Column where the kernel starts the name: seq_setwidth(m, 25 + sizeof(void *) * 6 - 1). */
const NAME_COLUMN = 25 + 8 * 6 - 1;
const PAGE_MASK_BIG = 0xfffn;
/** Gate areas live in the top half of the address space (0xffffffffff600000 for vsyscall). */
const GATE_MIN = 1n << 63n;
const TASK_SIZE_BIG = BigInt(TASK_SIZE);

function fail(file: string, line: number, detail: string): never {
  throw new ParseError(file, line, detail);
}

/**
 * Parses one maps line (without '\n'). Checks every field's syntax, page alignment, start < end and
 * that a user range stays below TASK_SIZE; ordering is checked by {@link MapsAccumulator}. O(length).
 */
export function parseMapsLine(text: string, file: string, line: number): MapsEntry {
  const dash = text.indexOf('-');
  if (dash <= 0) fail(file, line, `expected 'start-end' hex address range, found ${quote(text)}`);
  const startBig = hexToBigInt(text.slice(0, dash));
  if (startBig === null)
    fail(file, line, `bad start address: expected hex, found ${quote(text.slice(0, dash))}`);
  let sp = text.indexOf(' ', dash + 1);
  if (sp < 0)
    fail(file, line, `expected a space and permissions after the address range, found ${quote(text)}`);
  const endBig = hexToBigInt(text.slice(dash + 1, sp));
  if (endBig === null)
    fail(file, line, `bad end address: expected hex, found ${quote(text.slice(dash + 1, sp))}`);
  if ((startBig & PAGE_MASK_BIG) !== 0n || (endBig & PAGE_MASK_BIG) !== 0n) {
    fail(file, line, `range ${text.slice(0, sp)} is not page-aligned`);
  }
  if (startBig >= endBig)
    fail(file, line, `range ${text.slice(0, sp)} is empty or reversed (start must be < end)`);
  if (startBig < GATE_MIN && endBig > TASK_SIZE_BIG) {
    fail(
      file,
      line,
      `range ${text.slice(0, sp)} reaches above TASK_SIZE (0x${TASK_SIZE.toString(16)}, 4-level paging) but lies below the gate area at 2^63`,
    );
  }

  const p = sp + 1;
  const perms = text.slice(p, p + 4);
  if (
    perms.length !== 4 ||
    (perms[0] !== 'r' && perms[0] !== '-') ||
    (perms[1] !== 'w' && perms[1] !== '-') ||
    (perms[2] !== 'x' && perms[2] !== '-') ||
    (perms[3] !== 's' && perms[3] !== 'p') ||
    (text.length > p + 4 && text[p + 4] !== ' ')
  ) {
    fail(
      file,
      line,
      `bad permissions: expected [r-][w-][x-][sp] and a space, found ${quote(text.slice(p, p + 5))}`,
    );
  }

  const o = p + 5;
  sp = o > text.length ? -1 : text.indexOf(' ', o);
  if (sp < 0)
    fail(
      file,
      line,
      `expected offset, device and inode after the permissions, found ${quote(text.slice(o))}`,
    );
  const offsetBig = hexToBigInt(text.slice(o, sp));
  if (offsetBig === null) fail(file, line, `bad offset: expected hex, found ${quote(text.slice(o, sp))}`);
  if ((offsetBig & PAGE_MASK_BIG) !== 0n) {
    fail(file, line, `offset 0x${offsetBig.toString(16)} is not a multiple of the page size`);
  }

  const d = sp + 1;
  sp = text.indexOf(' ', d);
  if (sp < 0) fail(file, line, `expected device and inode, found ${quote(text.slice(d))}`);
  const dev = text.slice(d, sp);
  const colon = dev.indexOf(':');
  if (colon <= 0 || hexToBigInt(dev.slice(0, colon)) === null || hexToBigInt(dev.slice(colon + 1)) === null) {
    fail(file, line, `bad device: expected hex major:minor like fe:00, found ${quote(dev)}`);
  }

  const n = sp + 1;
  let inodeEnd = text.indexOf(' ', n);
  if (inodeEnd < 0) inodeEnd = text.length;
  const inode = decimalToNumber(text.slice(n, inodeEnd));
  if (inode === null) {
    fail(
      file,
      line,
      `bad inode: expected a decimal number below 2^53, found ${quote(text.slice(n, inodeEnd))}`,
    );
  }

  // Path: the kernel pads the header to NAME_COLUMN then writes one space (seq_pad). Spaces beyond
  // that belong to the name itself; fewer spaces (hand-written input) are accepted as padding.
  let path = '';
  const headerLen = inodeEnd + 1;
  if (headerLen < text.length) {
    let i = headerLen;
    while (i < text.length && text.charCodeAt(i) === 32) i++;
    if (i < text.length) {
      const kernelStart = Math.max(headerLen, NAME_COLUMN) + 1;
      path = i >= kernelStart ? text.slice(kernelStart) : text.slice(i);
    }
  }

  return {
    start: Number(startBig),
    end: Number(endBig),
    read: perms[0] === 'r',
    write: perms[1] === 'w',
    exec: perms[2] === 'x',
    shared: perms[3] === 's',
    offset: Number(offsetBig),
    dev,
    inode,
    path,
    line,
  };
}

/** True for the gate area: a range in the kernel half of the address space. */
export function isGateEntry(e: Pick<MapsEntry, 'start'>): boolean {
  return e.start >= 2 ** 63;
}

/**
 * Collects parsed lines and checks the file-level rules: ascending, non-overlapping ranges, at most
 * one gate area and nothing after it. Shared by the maps and smaps parsers.
 */
export class MapsAccumulator<E extends MapsEntry> {
  /** The mm's VMAs accepted so far, ascending. */
  readonly entries: E[] = [];
  /** The gate area once seen. */
  gate: E | null = null;
  private prevEnd = 0;
  private prevLine = 0;

  /** @param file file name used in error messages */
  constructor(readonly file: string) {}

  /** Adds one entry; O(1). */
  add(e: E): void {
    if (this.gate !== null) {
      fail(this.file, e.line, `entry after the gate area of line ${this.gate.line}: the gate must come last`);
    }
    if (this.prevLine > 0 && e.start < this.prevEnd) {
      fail(
        this.file,
        e.line,
        `out of order or overlapping: starts at 0x${e.start.toString(16)}, below the end 0x${this.prevEnd.toString(16)} of line ${this.prevLine}`,
      );
    }
    this.prevEnd = e.end;
    this.prevLine = e.line;
    if (isGateEntry(e)) this.gate = e;
    else this.entries.push(e);
  }
}

/**
 * Parses /proc/PID/maps from a file path or a stream (plain or gzip), line by line. Every malformed
 * line is a ParseError naming `fileName` and the line. O(lines).
 */
export async function parseMaps(source: ByteSource, fileName: string): Promise<MapsFile> {
  const acc = new MapsAccumulator<MapsEntry>(fileName);
  let line = 0;
  for await (const batch of readLineBatches(source, fileName)) {
    for (const text of batch) {
      line++;
      acc.add(parseMapsLine(text, fileName, line));
    }
  }
  return { file: fileName, entries: acc.entries, gate: acc.gate };
}

/** {@link parseMaps} for text already in memory (synchronous). */
export function parseMapsText(text: string, fileName: string): MapsFile {
  const acc = new MapsAccumulator<MapsEntry>(fileName);
  const lines = splitLines(text, fileName);
  for (let i = 0; i < lines.length; i++) acc.add(parseMapsLine(lines[i]!, fileName, i + 1));
  return { file: fileName, entries: acc.entries, gate: acc.gate };
}

function formatDev(dev: string): string {
  const colon = dev.indexOf(':');
  const major = colon > 0 ? hexToBigInt(dev.slice(0, colon)) : null;
  const minor = colon > 0 ? hexToBigInt(dev.slice(colon + 1)) : null;
  if (major === null || minor === null)
    throw new RangeError(`bad device ${JSON.stringify(dev)}: expected hex major:minor`);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

function checkU64(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 64)
    throw new RangeError(`${name} ${n} is not a 64-bit unsigned integer`);
}

/**
 * One maps line (without '\n') exactly as the kernel prints it; a '\n' inside the path is escaped as
 * `\012` like seq_path(). Throws RangeError for values the kernel could not print. O(length).
 */
export function formatMapsLine(e: Omit<MapsEntry, 'line'>): string {
  checkU64('start', e.start);
  checkU64('end', e.end);
  checkU64('offset', e.offset);
  if (!Number.isSafeInteger(e.inode) || e.inode < 0) throw new RangeError(`inode ${e.inode} is not exact`);
  const header =
    `${hexPadded(e.start, 8)}-${hexPadded(e.end, 8)} ` +
    `${e.read ? 'r' : '-'}${e.write ? 'w' : '-'}${e.exec ? 'x' : '-'}${e.shared ? 's' : 'p'} ` +
    `${hexPadded(e.offset, 8)} ${formatDev(e.dev)} ${e.inode} `;
  if (e.path === '') return header;
  return `${header.padEnd(NAME_COLUMN)} ${e.path.replaceAll('\n', '\\012')}`;
}

/**
 * A whole maps file: each entry's line followed by '\n'. Accepts a list of entries or a parsed
 * {@link MapsFile} (its gate area is printed last, as the kernel does). O(total length).
 */
export function formatMaps(input: readonly MapsEntry[] | MapsFile): string {
  const list: readonly MapsEntry[] = Array.isArray(input)
    ? (input as readonly MapsEntry[])
    : (input as MapsFile).gate !== null
      ? [...(input as MapsFile).entries, (input as MapsFile).gate!]
      : (input as MapsFile).entries;
  let out = '';
  for (const e of list) out += `${formatMapsLine(e)}\n`;
  return out;
}
