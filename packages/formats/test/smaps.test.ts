import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  vmFlags,
} from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  decodeVmFlagMnemonics,
  formatSmaps,
  parseMaps,
  parseSmaps,
  parseSmapsText,
  VM_FLAG_MNEMONICS,
  vmFlagsToMnemonics,
} from '../src/index.js';
import {
  CAPTURES,
  chunked,
  expectParseError,
  expectParseErrorAsync,
  findSharedDir,
  sharedMissingMessage,
} from './helpers.js';

const HEAP_HEADER = `${'5607890d4000-5607890f5000 rw-p 00000000 00:00 0 '.padEnd(72)} [heap]`;
const STACK_HEADER = `${'7ffe6549b000-7ffe654bc000 rw-p 00000000 00:00 0 '.padEnd(72)} [stack]`;

function record(header: string, sizeKb: number, flags: string, extra: string[] = []): string {
  return [
    header,
    `Size:           ${String(sizeKb).padStart(8)} kB`,
    'KernelPageSize:        4 kB',
    'MMUPageSize:           4 kB',
    'Rss:                  12 kB',
    'Anonymous:            12 kB',
    'Private_Hugetlb:       0 kB',
    'THPeligible:           1',
    ...extra,
    `VmFlags: ${flags}`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}

const FIXTURE =
  record(HEAP_HEADER, 132, 'rd wr mr mw me ac ') +
  record(STACK_HEADER, 132, 'rd wr mr mw me gd ac ', ['ProtectionKey:         0']);

describe('parseSmapsText', () => {
  const s = parseSmapsText(FIXTURE, 'f.smaps');

  it('reads headers, counters and flags', () => {
    expect(s.entries).toHaveLength(2);
    const heap = s.entries[0]!;
    expect(heap.path).toBe('[heap]');
    expect(heap.counters).toEqual({
      Size: 132,
      KernelPageSize: 4,
      MMUPageSize: 4,
      Rss: 12,
      Anonymous: 12,
      Private_Hugetlb: 0,
      THPeligible: 1,
    });
    expect(heap.unitlessKeys).toEqual(['THPeligible']);
    expect(heap.flags).toBe(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT);
    expect(heap.flagsHigh).toBe(0);
    expect(heap.vmFlagsLine).toBe(9);
    const stack = s.entries[1]!;
    expect(stack.line).toBe(10);
    expect(stack.flags & VM_GROWSDOWN).toBe(VM_GROWSDOWN);
    expect(stack.counters.ProtectionKey).toBe(0);
    expect(stack.unitlessKeys).toEqual(['THPeligible', 'ProtectionKey']);
  });

  it('formats back byte for byte', () => {
    expect(formatSmaps(s)).toBe(FIXTURE);
  });

  it('reads the same from a gzip stream in small chunks', async () => {
    const g = await parseSmaps(chunked(gzipSync(Buffer.from(FIXTURE)), 11), 'f.smaps.gz');
    expect(g).toEqual({ ...s, file: 'f.smaps.gz' });
  });

  it('decodes high-word flags and other-arch mnemonics', () => {
    const r = parseSmapsText(record(HEAP_HEADER, 132, 'rd wr mr mw me ac ss sl bt mt '), 'h.smaps');
    const e = r.entries[0]!;
    expect(e.flagsHigh).toBe((vmFlags.VMH_SHADOW_STACK | vmFlags.VMH_SEALED) >>> 0);
    expect(e.otherArchMnemonics).toEqual(['bt', 'mt']);
    expect(e.flags).toBe(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT);
  });

  it('keeps unknown mnemonics only when asked', () => {
    const text = record(HEAP_HEADER, 132, 'rd wr mr mw me ?? ?? zz ');
    expectParseError(() => parseSmapsText(text, 'u.smaps'), 'u.smaps', 9, 'unknown VmFlags mnemonic');
    const r = parseSmapsText(text, 'u.smaps', { allowUnknownFlags: true });
    expect(r.entries[0]!.unknownMnemonics).toEqual(['??', '??', 'zz']);
  });
});

describe('smaps errors name the file and line', () => {
  const one = record(HEAP_HEADER, 132, 'rd wr mr mw me ac ');
  const withoutFlags = one.slice(0, one.lastIndexOf('VmFlags'));
  const cases: Array<[string, string, number, string]> = [
    ['record without VmFlags at end of file', withoutFlags, 9, 'expected its VmFlags line'],
    ['record without VmFlags before the next one', withoutFlags + one, 9, 'has no VmFlags line'],
    ['counter before any header', `Rss: 4 kB\n${one}`, 1, 'expected a maps header'],
    [
      'bad counter value',
      one.replace('Rss:                  12 kB', 'Rss:                  1x kB'),
      5,
      'Rss',
    ],
    ['bad unit', one.replace('Rss:                  12 kB', 'Rss:                  12 MB'), 5, "' kB'"],
    ['no value', one.replace('Rss:                  12 kB', 'Rss:'), 5, 'decimal value'],
    ['duplicate counter', one.replace('Anonymous:   ', 'Rss:         '), 6, 'appears twice'],
    ['Size disagrees with range', one.replace('     132 kB', '     128 kB'), 2, 'does not match the range'],
    [
      'flags disagree with perms',
      one.replace('VmFlags: rd wr', 'VmFlags: rd'),
      9,
      'disagree with the permissions',
    ],
    ['repeated mnemonic', one.replace('VmFlags: rd wr', 'VmFlags: rd rd wr'), 9, 'repeated'],
    ['bad header', one.replace('5607890d4000-', '5607890d4000-zz'), 1, 'bad end address'],
    ['out of order', one + one, 10, 'out of order or overlapping'],
    ['truncated last line', one.slice(0, -4), 9, 'not terminated by a newline'],
  ];
  for (const [name, text, line, fragment] of cases) {
    it(name, () => {
      expectParseError(() => parseSmapsText(text, 'x.smaps'), 'x.smaps', line, fragment);
    });
  }

  it('reports a truncated gzip smaps', async () => {
    const gz = gzipSync(
      Buffer.from(one + one.replace('5607890d4000-5607890f5000', '5607890f5000-560789116000')),
    );
    await expectParseErrorAsync(
      () => parseSmaps(chunked(gz.subarray(0, gz.length - 8), 50), 't.smaps.gz'),
      't.smaps.gz',
      19,
      'gzip stream ends early',
    );
  });
});

describe('mnemonic table', () => {
  it('round-trips every bit through vmFlagsToMnemonics and decodeVmFlagMnemonics', () => {
    for (const m of VM_FLAG_MNEMONICS) {
      const flags = m.bit < 32 ? (1 << m.bit) >>> 0 : 0;
      const high = m.bit >= 32 ? (1 << (m.bit - 32)) >>> 0 : 0;
      expect(vmFlagsToMnemonics(flags, high)).toEqual([m.mnemonic]);
      const d = decodeVmFlagMnemonics([m.mnemonic]);
      expect([d.flags, d.flagsHigh]).toEqual([flags, high]);
    }
  });

  it('matches core constants for the bits core names', () => {
    const byName = new Map(VM_FLAG_MNEMONICS.map((m) => [m.mnemonic, m.bit]));
    expect(2 ** byName.get('ms')!).toBe(VM_MAYSHARE);
    expect(2 ** byName.get('sh')!).toBe(VM_SHARED);
    expect(2 ** byName.get('mg')!).toBe(vmFlags.VM_MERGEABLE);
    expect(2 ** byName.get('ar')!).toBe(vmFlags.VM_PAT);
    expect(2 ** byName.get('sd')!).toBe(vmFlags.VM_SOFTDIRTY);
    expect(2 ** (byName.get('ui')! - 32)).toBe(vmFlags.VMH_UFFD_MINOR);
    expect(2 ** (byName.get('dp')! - 32)).toBe(vmFlags.VMH_DROPPABLE);
  });

  it('prints ?? for an unnamed bit but never the pkey bits', () => {
    expect(vmFlagsToMnemonics(1 << 11, 0)).toEqual(['??']);
    expect(vmFlagsToMnemonics(VM_READ, vmFlags.withPkey(0, 15))).toEqual(['rd']);
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('real smaps files', () => {
  for (const cap of CAPTURES) {
    for (const when of ['start', 'end']) {
      it(`${cap}/${when}.smaps decodes, matches ${when}.maps and round-trips`, async () => {
        const path = join(traces!, cap, `${when}.smaps`);
        const text = readFileSync(path, 'utf8');
        const smaps = await parseSmaps(path, `${cap}/${when}.smaps`);
        const maps = await parseMaps(join(traces!, cap, `${when}.maps`), `${cap}/${when}.maps`);
        // The maps file is an independent reading of the same VMAs: same ranges, names and the
        // permissions the kernel printed from the same vm_flags.
        expect(smaps.entries.length).toBe(maps.entries.length);
        for (let i = 0; i < maps.entries.length; i++) {
          const s = smaps.entries[i]!;
          const m = maps.entries[i]!;
          expect([s.start, s.end, s.path, s.inode, s.dev, s.offset]).toEqual([
            m.start,
            m.end,
            m.path,
            m.inode,
            m.dev,
            m.offset,
          ]);
          expect((s.flags & VM_READ) !== 0).toBe(m.read);
          expect((s.flags & VM_WRITE) !== 0).toBe(m.write);
          expect((s.flags & VM_EXEC) !== 0).toBe(m.exec);
          expect((s.flags & VM_MAYSHARE) !== 0).toBe(m.shared);
          expect(s.unknownMnemonics).toEqual([]);
          expect(s.otherArchMnemonics).toEqual([]);
          expect(s.counters.Size! * 1024).toBe(s.end - s.start);
          // Re-encoding the decoded flags gives the kernel's own list back.
          expect(vmFlagsToMnemonics(s.flags, s.flagsHigh)).toEqual(s.vmFlags);
        }
        expect(smaps.gate?.path).toBe('[vsyscall]');
        expect(smaps.gate?.flags).toBe(VM_EXEC);
        expect(formatSmaps(smaps)).toBe(text);
      });
    }
  }

  it('the stack is VM_GROWSDOWN and the only such VMA', async () => {
    for (const cap of CAPTURES) {
      const s = await parseSmaps(join(traces!, cap, 'start.smaps'), 'start.smaps');
      const growsDown = s.entries.filter((e) => (e.flags & VM_GROWSDOWN) !== 0).map((e) => e.path);
      expect(growsDown).toEqual(['[stack]']);
    }
  });
});

it.skipIf(traces !== null)('real smaps files', () => {
  console.log(sharedMissingMessage('traces'));
});
