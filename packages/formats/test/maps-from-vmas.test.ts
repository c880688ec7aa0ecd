import { join } from 'node:path';
import {
  type FileRef,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  Vma,
} from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import { mapsFromVmas, parseMaps, parseMapsText, vmaToMapsEntry } from '../src/index.js';
import { CAPTURES, findSharedDir, sharedMissingMessage } from './helpers.js';

const libc: FileRef = { id: 1, path: '/usr/lib/libc.so.6', dev: 'fe:00', inode: 339380 };

describe('mapsFromVmas', () => {
  it('renders permissions, offsets and names like show_map_vma', () => {
    const vmas = [
      new Vma({
        start: 0x7f0000000000,
        end: 0x7f0000026000,
        flags: VM_READ | VM_MAYREAD,
        pgoff: 0,
        file: libc,
      }),
      new Vma({
        start: 0x7f0000026000,
        end: 0x7f000017c000,
        flags: VM_READ | VM_EXEC,
        pgoff: 0x26,
        file: libc,
      }),
      new Vma({
        start: 0x7f0000200000,
        end: 0x7f0000201000,
        flags: VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE,
        pgoff: 0,
        file: { id: 2, path: '/dev/shm/x', dev: '0:1a', inode: 5, shmem: true },
      }),
      new Vma({
        start: 0x7f0000300000,
        end: 0x7f0000301000,
        flags: VM_READ | VM_MAYSHARE,
        pgoff: 9,
        file: null,
        name: '[anon:x]',
      }),
      new Vma({
        start: 0x7f0000400000,
        end: 0x7f0000402000,
        flags: VM_READ | VM_EXEC,
        kind: 'special',
        name: '[vdso]',
        pgoff: 12345,
      }),
      new Vma({
        start: 0x7ffc00000000,
        end: 0x7ffc00021000,
        flags: VM_READ | VM_WRITE | VM_GROWSDOWN,
        name: '[stack]',
        pgoff: 0x7ffc00000,
      }),
    ];
    const text = mapsFromVmas(vmas);
    const m = parseMapsText(text, 'model');
    expect(
      m.entries.map((e) => [e.read, e.write, e.exec, e.shared, e.offset, e.dev, e.inode, e.path]),
    ).toEqual([
      [true, false, false, false, 0, 'fe:00', 339380, '/usr/lib/libc.so.6'],
      [true, false, true, false, 0x26000, 'fe:00', 339380, '/usr/lib/libc.so.6'],
      [true, true, false, true, 0, '00:1a', 5, '/dev/shm/x'],
      // An anonymous VMA shows offset 0 whatever its pgoff (only file VMAs print vm_pgoff).
      [true, false, false, true, 0, '00:00', 0, '[anon:x]'],
      [true, false, true, false, 0, '00:00', 0, '[vdso]'],
      [true, true, false, false, 0, '00:00', 0, '[stack]'],
    ]);
    expect(text.split('\n')[1]).toBe(
      '7f0000026000-7f000017c000 r-xp 00026000 fe:00 339380                     /usr/lib/libc.so.6',
    );
  });

  it('names [heap] and [stack] by the mm layout when given (vma_is_initial_heap/stack)', () => {
    const heap = new Vma({ start: 0x555555559000, end: 0x55555557a000, flags: VM_READ | VM_WRITE });
    const stack = new Vma({
      start: 0x7ffc00000000,
      end: 0x7ffc00021000,
      flags: VM_READ | VM_WRITE | VM_GROWSDOWN,
      name: '[stack]',
    });
    const naming = { startBrk: 0x555555559000, brk: 0x55555557a000, startStack: 0x7ffc00020f00 };
    expect(vmaToMapsEntry(heap, naming).path).toBe('[heap]');
    expect(vmaToMapsEntry(stack, naming).path).toBe('[stack]');
    // An empty heap (brk == start_brk) is not named; a stale model label is dropped.
    const stale = new Vma({ start: 0x555555559000, end: 0x55555557a000, flags: VM_READ, name: '[heap]' });
    expect(vmaToMapsEntry(stale, { startBrk: 0x555555559000, brk: 0x555555559000 }).path).toBe('');
    expect(vmaToMapsEntry(stale).path).toBe('[heap]');
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('a model built from a real maps file renders it back', () => {
  for (const cap of CAPTURES) {
    it(`${cap}/start.maps`, async () => {
      const m = await parseMaps(join(traces!, cap, 'start.maps'), 'start.maps');
      const files = new Map<string, FileRef>();
      const vmas = m.entries.map((e) => {
        const isFile = e.inode !== 0;
        let file: FileRef | null = null;
        if (isFile) {
          const key = `${e.dev}:${e.inode}`;
          if (!files.has(key))
            files.set(key, { id: files.size + 1, path: e.path, dev: e.dev, inode: e.inode });
          file = files.get(key)!;
        }
        const flags =
          (e.read ? VM_READ : 0) |
          (e.write ? VM_WRITE : 0) |
          (e.exec ? VM_EXEC : 0) |
          (e.shared ? VM_MAYSHARE : 0);
        const special = !isFile && e.path.startsWith('[v');
        return new Vma({
          start: e.start,
          end: e.end,
          flags,
          pgoff: e.offset / 4096,
          file,
          kind: special ? 'special' : isFile ? 'file' : 'anon',
          name: isFile || e.path === '' ? null : e.path,
        });
      });
      const { readFileSync } = await import('node:fs');
      expect(mapsFromVmas(vmas, {}, m.gate)).toBe(readFileSync(join(traces!, cap, 'start.maps'), 'utf8'));
    });
  }
});

it.skipIf(traces !== null)('model round trip', () => {
  console.log(sharedMissingMessage('traces'));
});
