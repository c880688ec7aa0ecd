import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync, inflateRawSync } from 'node:zlib';
import { ParseError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { formatMaps, formatMapsLine, parseMaps, parseMapsLine, parseMapsText } from '../src/index.js';
import {
  CAPTURES,
  chunked,
  expectParseError,
  expectParseErrorAsync,
  findSharedDir,
  sharedMissingMessage,
} from './helpers.js';

// Lines laid out by an independent script following show_map_vma(): header, pad to column 72, one
// space, name. Line 5's header is already 75 columns wide, so only the single seq_pad space follows.
const FIXTURE = [
  '00400000-00452000 r-xp 00000000 08:02 173521                             /usr/bin/dbus daemon (deleted)',
  '00651000-00652000 rw-p 00051000 08:02 173521                             /usr/bin/dbus daemon (deleted)',
  '00e03000-00e24000 rw-p 00000000 00:00 0                                  [heap]',
  '7f0000000000-7f0000001000 ---p 00000000 00:00 0 ',
  '7f0000001000-7f0000002000 rw-s 123456789abcd000 fff:fffff 9007199254740991  /dev/shm/x',
  '7f0000002000-7f0000003000 rw-p 00000000 00:00 0                          [anon:my name]',
  '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
]
  .map((l) => `${l}\n`)
  .join('');

describe('parseMapsText', () => {
  const m = parseMapsText(FIXTURE, 'fixture.maps');

  it('reads every field', () => {
    expect(m.entries).toHaveLength(7);
    expect(m.entries[0]).toEqual({
      start: 0x400000,
      end: 0x452000,
      read: true,
      write: false,
      exec: true,
      shared: false,
      offset: 0,
      dev: '08:02',
      inode: 173521,
      path: '/usr/bin/dbus daemon (deleted)',
      line: 1,
    });
    expect(m.entries[1]!.offset).toBe(0x51000);
    expect(m.entries[3]!.path).toBe('');
    expect(m.entries[3]!.read || m.entries[3]!.write || m.entries[3]!.exec).toBe(false);
    const shm = m.entries[4]!;
    expect(shm.shared).toBe(true);
    expect(BigInt(shm.offset)).toBe(0x123456789abcd000n);
    expect(shm.dev).toBe('fff:fffff');
    expect(shm.inode).toBe(Number.MAX_SAFE_INTEGER);
    expect(shm.path).toBe('/dev/shm/x');
    expect(m.entries[5]!.path).toBe('[anon:my name]');
  });

  it('keeps the vsyscall gate apart, exact above 2^63', () => {
    expect(m.gate).not.toBeNull();
    expect(m.gate!.start).toBe(Number(0xffffffffff600000n));
    expect(BigInt(m.gate!.start)).toBe(0xffffffffff600000n);
    expect(BigInt(m.gate!.end)).toBe(0xffffffffff601000n);
    expect(m.gate!.path).toBe('[vsyscall]');
    expect(m.gate!.line).toBe(8);
  });

  it('formats back byte for byte', () => {
    expect(formatMaps(m)).toBe(FIXTURE);
    expect(formatMaps([...m.entries, m.gate!])).toBe(FIXTURE);
  });

  it('keeps spaces that belong to the name', () => {
    const line = `${'7f0000000000-7f0000001000 r--p 00000000 08:01 12 '.padEnd(72)}   two leading spaces`;
    const e = parseMapsLine(line, 'f', 1);
    expect(e.path).toBe('  two leading spaces');
    expect(formatMapsLine(e)).toBe(line);
  });

  it('accepts single-space padding from other tools and normalises it', () => {
    const e = parseMapsLine('1000-2000 r--p 00000000 00:00 0 [heap]', 'f', 1);
    expect(e.path).toBe('[heap]');
    expect(formatMapsLine(e)).toBe(`${'00001000-00002000 r--p 00000000 00:00 0 '.padEnd(72)} [heap]`);
  });

  it('escapes a newline in a path like seq_path', () => {
    const e = parseMapsLine('00001000-00002000 r--p 00000000 00:00 0', 'f', 1);
    expect(formatMapsLine({ ...e, path: '/a\nb' }).endsWith(' /a\\012b')).toBe(true);
  });

  it('accepts an empty file (a kernel thread has no VMAs)', () => {
    expect(parseMapsText('', 'empty')).toEqual({ file: 'empty', entries: [], gate: null });
  });
});

describe('maps errors name the file and line', () => {
  const ok = '00001000-00002000 r--p 00000000 00:00 0 \n';
  const cases: Array<[string, string, number, string]> = [
    ['bad hex', `${ok}00003000-0000g000 r--p 00000000 00:00 0 \n`, 2, 'bad end address'],
    ['no range', 'hello\n', 1, "expected 'start-end'"],
    ['missing fields', `${ok}00003000-00004000 r--p\n`, 2, 'offset, device and inode'],
    ['missing perms', '00003000-00004000 r-\n', 1, 'bad permissions'],
    ['missing inode', '00003000-00004000 r--p 00000000 00:00\n', 1, 'expected device and inode'],
    ['bad perms', '00003000-00004000 rwzp 00000000 00:00 0 \n', 1, 'bad permissions'],
    ['bad dev', '00003000-00004000 r--p 00000000 0000 0 \n', 1, 'bad device'],
    ['bad inode', '00003000-00004000 r--p 00000000 00:00 12a \n', 1, 'bad inode'],
    ['huge inode', '00003000-00004000 r--p 00000000 00:00 9007199254740993 \n', 1, 'bad inode'],
    ['unaligned', '00003001-00004000 r--p 00000000 00:00 0 \n', 1, 'not page-aligned'],
    ['unaligned offset', '00003000-00004000 r--p 00000010 00:00 0 \n', 1, 'not a multiple of the page size'],
    ['empty range', '00004000-00004000 r--p 00000000 00:00 0 \n', 1, 'empty or reversed'],
    ['reversed', '00005000-00004000 r--p 00000000 00:00 0 \n', 1, 'empty or reversed'],
    ['too wide', '10000000000000000-10000000000001000 r--p 00000000 00:00 0 \n', 1, 'bad start address'],
    ['crosses TASK_SIZE', '7ffffffff000-800000001000 r--p 00000000 00:00 0 \n', 1, 'TASK_SIZE'],
    ['above TASK_SIZE, below 2^63', '800000000000-800000001000 r--p 00000000 00:00 0 \n', 1, 'TASK_SIZE'],
    ['out of order', `00005000-00006000 r--p 00000000 00:00 0 \n${ok}`, 2, 'out of order or overlapping'],
    ['overlap', `${ok}00001000-00003000 r--p 00000000 00:00 0 \n`, 2, 'below the end 0x2000 of line 1'],
    [
      'after gate',
      `ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 \n${ok}`,
      2,
      'entry after the gate area',
    ],
    ['truncated last line', `${ok}00003000-00004000 r--p 0000`, 2, 'not terminated by a newline'],
    ['blank line', `${ok}\n`, 2, "expected 'start-end'"],
  ];
  for (const [name, text, line, fragment] of cases) {
    it(name, () => {
      expectParseError(() => parseMapsText(text, 'x.maps'), 'x.maps', line, fragment);
    });
  }
});

describe('parseMaps (streaming)', () => {
  it('reads a stream split into 7-byte chunks like the in-memory parser', async () => {
    const m = await parseMaps(chunked(FIXTURE, 7), 'fixture.maps');
    expect(m).toEqual(parseMapsText(FIXTURE, 'fixture.maps'));
  });

  it('reads gzip by magic bytes, whatever the name', async () => {
    const gz = gzipSync(Buffer.from(FIXTURE));
    const m = await parseMaps(chunked(gz, 5), 'fixture.maps');
    expect(formatMaps(m)).toBe(FIXTURE);
  });

  it('reports a gzip stream without its trailer', async () => {
    const gz = gzipSync(Buffer.from(FIXTURE));
    const cut = gz.subarray(0, gz.length - 8);
    await expectParseErrorAsync(
      () => parseMaps(chunked(cut, 64), 'f.maps.gz'),
      'f.maps.gz',
      9,
      'gzip stream ends early',
    );
  });

  it('reports a gzip stream cut in the middle at the line being read', async () => {
    const gz = gzipSync(Buffer.from(FIXTURE.repeat(1)), { level: 0 });
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    // Independent count: what zlib can still inflate from the cut stream.
    const partial = inflateRawSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH }).toString(
      'utf8',
    );
    const complete = partial.split('\n').length - 1;
    expect(complete).toBeGreaterThan(0);
    expect(complete).toBeLessThan(8);
    await expectParseErrorAsync(
      () => parseMaps(chunked(cut, 16), 'f.maps.gz'),
      'f.maps.gz',
      complete + 1,
      'gzip stream ends early',
    );
  });

  it('refuses a .gz name without gzip magic', async () => {
    await expectParseErrorAsync(() => parseMaps(chunked(FIXTURE, 64), 'f.maps.gz'), 'f.maps.gz', 1, 'gzip');
  });

  it('reports the line of a bad entry in a stream', async () => {
    const text = FIXTURE.replace('00651000-00652000 rw-p', '00651000-00652000 rw-q');
    await expectParseErrorAsync(() => parseMaps(chunked(text, 3), 's.maps'), 's.maps', 2, 'bad permissions');
  });

  it('passes file-system errors through', async () => {
    await expect(parseMaps('/nonexistent/definitely/start.maps', 'start.maps')).rejects.toThrow(/ENOENT/);
    await expect(parseMaps('/nonexistent/definitely/start.maps', 'start.maps')).rejects.not.toBeInstanceOf(
      ParseError,
    );
  });
});

const traces = findSharedDir('traces');

/** Every `*.maps` file of every capture folder, so new captures are covered too. */
function mapsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const cap of readdirSync(dir, { withFileTypes: true })) {
    if (!cap.isDirectory()) continue;
    for (const f of readdirSync(join(dir, cap.name))) if (f.endsWith('.maps')) out.push(join(cap.name, f));
  }
  return out.sort();
}

describe.skipIf(traces === null)('real maps files round-trip byte for byte', () => {
  const files = traces === null ? [] : mapsFiles(traces);
  it('finds the README captures', () => {
    for (const cap of CAPTURES) expect(files).toContain(join(cap, 'start.maps'));
  });
  for (const rel of files) {
    it(rel, async () => {
      const path = join(traces!, rel);
      const text = readFileSync(path, 'utf8');
      const m = await parseMaps(path, rel);
      expect(m.entries.length + (m.gate === null ? 0 : 1)).toBe(text.split('\n').length - 1);
      expect(formatMaps(m)).toBe(text);
    });
  }
});

it.skipIf(traces !== null)('real maps files', () => {
  console.log(sharedMissingMessage('traces'));
});
