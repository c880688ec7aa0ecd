/**
 * /proc/PID/smaps: parser (streaming and in-memory) and writer.
 *
 * A record is what fs/proc/task_mmu.c show_smap() prints (v6.12): the maps header line, `Key: N kB`
 * counters (seq_put_decimal_ull_width, right-aligned to end at column 24), `THPeligible:` and, when
 * the CPU has protection keys, `ProtectionKey:` (both without unit), and last `VmFlags:` with the
 * mnemonics of show_smap_vma_flags(). The VmFlags line closes a record; a record without one means
 * the file was cut and is an error.
 */
import { ParseError } from '@vmakit/core';
import { type ByteSource, readLineBatches, splitLines } from './line-source.js';
import { formatMapsLine, MapsAccumulator, type MapsEntry, parseMapsLine } from './maps.js';
import { decimalToNumber, quote } from './numbers.js';
import { decodeVmFlagMnemonics } from './vmflags-mnemonics.js';

/** One smaps record. */
export interface SmapsEntry extends MapsEntry {
  /**
   * Every counter in file order: `kB` values for lines ending in ` kB`, plain numbers for the others
   * (THPeligible, ProtectionKey).
   */
  readonly counters: Readonly<Record<string, number>>;
  /** Counter keys printed without ` kB`. */
  readonly unitlessKeys: readonly string[];
  /** The `VmFlags:` mnemonics as printed. */
  readonly vmFlags: readonly string[];
  /** vm_flags bits 0-31 decoded from the mnemonics (x86 meanings). */
  readonly flags: number;
  /** vm_flags bits 32-63. */
  readonly flagsHigh: number;
  /** `bt`/`mt` (arm64 mnemonics), accepted and decoded to nothing. */
  readonly otherArchMnemonics: readonly string[];
  /** Mnemonics in no table; non-empty only with `allowUnknownFlags`. */
  readonly unknownMnemonics: readonly string[];
  /** Line of the `VmFlags:` line. */
  readonly vmFlagsLine: number;
}

/** A parsed smaps file. */
export interface SmapsFile {
  /** File name used in error messages. */
  readonly file: string;
  /** The mm's VMAs, ascending. */
  readonly entries: SmapsEntry[];
  /** The `[vsyscall]` gate area, printed last; not a VMA of the mm. */
  readonly gate: SmapsEntry | null;
}

/** Options of the smaps parsers. */
export interface SmapsOptions {
  /**
   * Accept mnemonics missing from the v6.12 x86 table (including the kernel's `??` for an unnamed
   * bit) and report them in `unknownMnemonics` instead of throwing. Default false.
   */
  readonly allowUnknownFlags?: boolean;
}

interface OpenRecord {
  header: MapsEntry;
  counters: Record<string, number>;
  unitless: string[];
}

function isHeaderLine(text: string): boolean {
  // A header starts with hex digits and '-'; counter keys start with a letter and reach ':' first.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 45) return i > 0;
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!hex) return false;
  }
  return false;
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Line-driven smaps state machine shared by the streaming and in-memory parsers. */
class SmapsParser {
  private readonly acc: MapsAccumulator<SmapsEntry>;
  private open: OpenRecord | null = null;
  private openLine = 0;

  constructor(
    private readonly file: string,
    private readonly options: SmapsOptions,
  ) {
    this.acc = new MapsAccumulator<SmapsEntry>(file);
  }

  push(text: string, line: number): void {
    if (isHeaderLine(text)) {
      if (this.open !== null) {
        this.fail(
          line,
          `new record starts but the record of line ${this.openLine} has no VmFlags line (truncated record)`,
        );
      }
      this.open = { header: parseMapsLine(text, this.file, line), counters: {}, unitless: [] };
      this.openLine = line;
      return;
    }
    if (this.open === null) {
      this.fail(
        line,
        `expected a maps header line 'start-end perms offset dev inode [path]', found ${quote(text)}`,
      );
    }
    if (text.startsWith('VmFlags:')) {
      this.closeWith(text, line);
      return;
    }
    this.counter(text, line, this.open);
  }

  finish(lastLine: number): SmapsFile {
    if (this.open !== null) {
      this.fail(
        lastLine + 1,
        `file ends inside the record of line ${this.openLine}: expected its VmFlags line (truncated file?)`,
      );
    }
    return { file: this.file, entries: this.acc.entries, gate: this.acc.gate };
  }

  private fail(line: number, detail: string): never {
    throw new ParseError(this.file, line, detail);
  }

  private counter(text: string, line: number, rec: OpenRecord): void {
    const colon = text.indexOf(':');
    if (colon <= 0) this.fail(line, `expected 'Key: value' or 'VmFlags: ...', found ${quote(text)}`);
    for (let i = 0; i < colon; i++) {
      if (!isKeyChar(text.charCodeAt(i))) this.fail(line, `bad counter name ${quote(text.slice(0, colon))}`);
    }
    const key = text.slice(0, colon);
    let i = colon + 1;
    while (i < text.length && text.charCodeAt(i) === 32) i++;
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const value = decimalToNumber(text.slice(i, j));
    if (value === null || i === colon + 1) {
      this.fail(line, `${key}: expected spaces and a decimal value, found ${quote(text.slice(colon + 1))}`);
    }
    const unit = text.slice(j);
    if (unit !== '' && unit !== ' kB')
      this.fail(line, `${key}: expected ' kB' or nothing after the value, found ${quote(unit)}`);
    if (Object.hasOwn(rec.counters, key))
      this.fail(line, `counter ${key} appears twice in the record of line ${this.openLine}`);
    if (key === 'Size' && unit === ' kB' && value * 1024 !== rec.header.end - rec.header.start) {
      this.fail(
        line,
        `Size: ${value} kB does not match the range of line ${this.openLine} (${(rec.header.end - rec.header.start) / 1024} kB)`,
      );
    }
    rec.counters[key] = value;
    if (unit === '') rec.unitless.push(key);
  }

  private closeWith(text: string, line: number): void {
    const rec = this.open!;
    const body = text.slice('VmFlags:'.length);
    if (body.length > 0 && body.charCodeAt(0) !== 32)
      this.fail(line, `expected a space after 'VmFlags:', found ${quote(body)}`);
    const mnemonics = body.split(' ').filter((m) => m.length > 0);
    const decoded = decodeVmFlagMnemonics(mnemonics);
    if (decoded.duplicates.length > 0)
      this.fail(line, `VmFlags mnemonic repeated: ${decoded.duplicates.join(' ')}`);
    if (decoded.unknown.length > 0 && this.options.allowUnknownFlags !== true) {
      this.fail(
        line,
        `unknown VmFlags mnemonic ${decoded.unknown.map((m) => quote(m)).join(', ')} (not in the x86 table of show_smap_vma_flags, v6.12)`,
      );
    }
    const h = rec.header;
    const want =
      `${h.read ? 'rd ' : ''}${h.write ? 'wr ' : ''}${h.exec ? 'ex ' : ''}${h.shared ? 'ms' : ''}`.trim();
    const got = ['rd', 'wr', 'ex', 'ms'].filter((m) => mnemonics.includes(m)).join(' ');
    if (want !== got) {
      this.fail(
        line,
        `VmFlags (${got || 'none of rd wr ex ms'}) disagree with the permissions of line ${this.openLine}`,
      );
    }
    this.acc.add({
      ...h,
      counters: rec.counters,
      unitlessKeys: rec.unitless,
      vmFlags: mnemonics,
      flags: decoded.flags,
      flagsHigh: decoded.flagsHigh,
      otherArchMnemonics: decoded.otherArch,
      unknownMnemonics: decoded.unknown,
      vmFlagsLine: line,
    });
    this.open = null;
  }
}

/**
 * Parses /proc/PID/smaps from a file path or a stream (plain or gzip). Unknown VmFlags mnemonics,
 * malformed counters, a Size that disagrees with the range, VmFlags that disagree with the
 * permissions, and records without VmFlags are ParseErrors. O(lines).
 */
export async function parseSmaps(
  source: ByteSource,
  fileName: string,
  options: SmapsOptions = {},
): Promise<SmapsFile> {
  const p = new SmapsParser(fileName, options);
  let line = 0;
  for await (const batch of readLineBatches(source, fileName)) {
    for (const text of batch) {
      line++;
      p.push(text, line);
    }
  }
  return p.finish(line);
}

/** {@link parseSmaps} for text already in memory (synchronous). */
export function parseSmapsText(text: string, fileName: string, options: SmapsOptions = {}): SmapsFile {
  const p = new SmapsParser(fileName, options);
  const lines = splitLines(text, fileName);
  for (let i = 0; i < lines.length; i++) p.push(lines[i]!, i + 1);
  return p.finish(lines.length);
}

/**
 * The smaps text of parsed records, in the kernel's layout (values right-aligned to column 24).
 * Round-trips what {@link parseSmaps} read. O(total length).
 */
export function formatSmaps(input: readonly SmapsEntry[] | SmapsFile): string {
  const list: readonly SmapsEntry[] = Array.isArray(input)
    ? (input as readonly SmapsEntry[])
    : (input as SmapsFile).gate !== null
      ? [...(input as SmapsFile).entries, (input as SmapsFile).gate!]
      : (input as SmapsFile).entries;
  let out = '';
  for (const e of list) {
    out += `${formatMapsLine(e)}\n`;
    const unitless = new Set(e.unitlessKeys);
    for (const [key, value] of Object.entries(e.counters)) {
      // Values end at column 24: keys pad to 16 columns and values to 8, except that the kernel
      // narrows the value to 7 after the 17-column `Private_Hugetlb: ` (__show_smap()).
      const head = `${key}: `.padEnd(16);
      out += `${head}${String(value).padStart(Math.max(0, 24 - head.length))}${unitless.has(key) ? '' : ' kB'}\n`;
    }
    out += `VmFlags: ${e.vmFlags.map((m) => `${m} `).join('')}\n`;
  }
  return out;
}
