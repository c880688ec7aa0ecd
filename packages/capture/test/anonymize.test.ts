import { formatMapsLine, type MapsEntry, parseMapsText, parseSmapsText } from '@vmakit/formats';
import { describe, expect, it } from 'vitest';
import { anonymizeProcText, PathAnonymizer } from '../src/index.js';

function line(
  start: number,
  end: number,
  perms: string,
  path: string,
  inode = path.startsWith('/') ? 42 : 0,
): string {
  const e: Omit<MapsEntry, 'line'> = {
    start,
    end,
    read: perms[0] === 'r',
    write: perms[1] === 'w',
    exec: perms[2] === 'x',
    shared: perms[3] === 's',
    offset: 0,
    dev: inode === 0 ? '00:00' : 'fe:00',
    inode,
    path,
  };
  return formatMapsLine(e);
}

const P = 0x1000;
const MAPS = `${[
  line(0x400000, 0x401000, 'r--p', '/usr/local/bin/my app'),
  line(0x401000, 0x402000, 'r-xp', '/usr/local/bin/my app'),
  line(0x600000, 0x601000, 'rw-p', '[heap]'),
  line(0x7f0000000000, 0x7f0000000000 + P, 'r--p', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
  line(0x7f0000010000, 0x7f0000010000 + P, 'rw-s', '/tmp/secret-name (deleted)'),
  line(0x7f0000020000, 0x7f0000020000 + P, 'rw-s', '/memfd:my-buffer (deleted)'),
  line(0x7f0000030000, 0x7f0000030000 + P, 'rw-s', '/dev/zero (deleted)'),
  line(0x7f0000040000, 0x7f0000040000 + P, 'rw-s', '/SYSV00000000 (deleted)'),
  line(0x7f0000050000, 0x7f0000050000 + P, 'rw-p', '[anon:my arena]'),
  line(0x7f0000060000, 0x7f0000060000 + P, 'rw-p', ''),
  line(0x7f0000070000, 0x7f0000070000 + P, 'r--p', '/tmp/secret-name'),
  line(0x7ffc00000000, 0x7ffc00021000, 'rw-p', '[stack]'),
  line(0xffffffffff600000, 0xffffffffff601000, '--xp', '[vsyscall]'),
].join('\n')}\n`;

describe('path anonymization', () => {
  it('renames file paths to /opt/app/fileN in order of first appearance, stable per file', () => {
    const anon = new PathAnonymizer();
    const out = anonymizeProcText(MAPS, 'start.maps', anon);
    const paths = parseMapsText(out, 'start.maps').entries.map((e) => e.path);
    expect(paths).toEqual([
      '/opt/app/file1',
      '/opt/app/file1',
      '[heap]',
      '/opt/app/file2',
      '/opt/app/file3 (deleted)',
      '/memfd:file1 (deleted)',
      '/dev/zero (deleted)',
      '/SYSV00000000 (deleted)',
      '[anon:my arena]',
      '',
      '/opt/app/file3',
      '[stack]',
    ]);
    expect(parseMapsText(out, 'start.maps').gate?.path).toBe('[vsyscall]');
    expect(out).not.toMatch(/secret|my app|libc|my-buffer/);
  });

  it('changes nothing but the path: addresses, inode, padding are byte for byte', () => {
    const out = anonymizeProcText(MAPS, 'start.maps', new PathAnonymizer());
    const before = MAPS.split('\n');
    const after = out.split('\n');
    expect(after).toHaveLength(before.length);
    const one = (text: string): MapsEntry => {
      const f = parseMapsText(`${text}\n`, 'x');
      return (f.entries[0] ?? f.gate)!;
    };
    for (let i = 0; i < before.length; i++) {
      if (before[i] === '') continue;
      const b = one(before[i]!);
      const a = one(after[i]!);
      expect({ ...a, path: '' }).toEqual({ ...b, path: '' });
      // The name still starts in the kernel's column.
      if (b.path !== '') expect(after[i]!.indexOf(a.path)).toBe(before[i]!.indexOf(b.path));
    }
  });

  it('one anonymizer across files keeps names consistent; smaps counters untouched', () => {
    const anon = new PathAnonymizer();
    anonymizeProcText(MAPS, 'start.maps', anon);
    const smaps = [
      line(0x7f0000070000, 0x7f0000070000 + P, 'r--p', '/tmp/secret-name'),
      'Size:                  4 kB',
      'Anonymous:             0 kB',
      'THPeligible:           0',
      'VmFlags: rd mr mw me ',
      line(0x7f0000080000, 0x7f0000080000 + P, 'r--p', '/usr/share/new-file'),
      'Size:                  4 kB',
      'VmFlags: rd mr mw me ',
      '',
    ].join('\n');
    const out = anonymizeProcText(smaps, 'end.smaps', anon);
    const parsed = parseSmapsText(out, 'end.smaps');
    expect(parsed.entries.map((e) => e.path)).toEqual(['/opt/app/file3', '/opt/app/file4']);
    expect(parsed.entries[0]!.counters).toEqual({ Size: 4, Anonymous: 0, THPeligible: 0 });
    expect(out.split('\n').filter((l) => !/^[0-9a-f]+-/.test(l))).toEqual(
      smaps.split('\n').filter((l) => !/^[0-9a-f]+-/.test(l)),
    );
    expect([...anon.mapping().keys()]).toEqual([
      '/usr/local/bin/my app',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/tmp/secret-name',
      '/memfd:my-buffer',
      '/usr/share/new-file',
    ]);
  });

  it('a custom prefix; bracketed and empty names unchanged', () => {
    const anon = new PathAnonymizer('/x');
    expect(anon.rename('/a/b')).toBe('/x/file1');
    expect(anon.rename('/a/b (deleted)')).toBe('/x/file1 (deleted)');
    expect(anon.rename('[vdso]')).toBe('[vdso]');
    expect(anon.rename('')).toBe('');
  });

  it('a malformed header is a ParseError naming the file and line', () => {
    expect(() =>
      anonymizeProcText('00400000-00401000 r--p zz fe:00 1 /a\n', 'start.maps', new PathAnonymizer()),
    ).toThrow(/start\.maps:1: bad offset/);
  });
});
