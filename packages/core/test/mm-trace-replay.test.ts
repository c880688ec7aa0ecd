/**
 * Replays the real captures of ../shared/traces against MmStruct: the address space is loaded from
 * start.maps / start.smaps, every system call is applied at its exit line with its entry arguments,
 * and every user page fault resolves its VMA (growing a stack VMA when the kernel would) and, for a
 * write to private memory, gives the VMA its anon_vma as the fault handler does. Every system call
 * must return what the kernel returned — addresses included, so placement (top-down search, THP
 * alignment of large anonymous and file mappings) is checked too — and the final address space must
 * equal end.maps: same VMA boundaries, permissions, offsets and files, and the same VmFlags as
 * end.smaps.
 *
 * The captures come from a 6.18 kernel with ASLR; mmap_base is taken as the end of the highest VMA
 * below the stack in start.maps (where the dynamic loader was placed), brk as the heap's end.
 * A VMA of start.smaps with anonymous pages is given its own anon_vma.
 */
import { describe, expect, it } from 'vitest';
import {
  type FileRef,
  MmStruct,
  PAGE_SIZE,
  VM_GROWSDOWN,
  VM_SHARED,
  type Vma,
  type VmaInit,
  type VmaKind,
  vmFlags,
} from '../src/index.js';
import { findSharedDir, ReferenceIndex, sharedMissingMessage } from './support/reference.js';
import { flagsFromMnemonics, type MapsEntry, mnemonicsOf, parseMaps, parseTrace } from './support/trace.js';

const tracesDir = findSharedDir('traces');
const SPECIAL_NAMES = new Set(['[vvar]', '[vvar_vclock]', '[vdso]', '[vsyscall]']);

function fileFor(files: Map<string, FileRef>, e: MapsEntry): FileRef {
  let f = files.get(e.path);
  if (f === undefined) {
    f = { id: 3_000_000 + files.size, path: e.path, dev: e.dev, inode: e.inode };
    files.set(e.path, f);
  }
  return f;
}

function load(dir: string): { mm: MmStruct; files: Map<string, FileRef> } {
  const start = parseMaps(`${dir}/start.smaps`);
  const stack = start.find((e) => e.path === '[stack]');
  const heap = start.find((e) => e.path === '[heap]');
  const belowStack = start.filter((e) => stack === undefined || e.end < stack.start);
  const mmapBase = Math.max(...belowStack.map((e) => e.end));
  const brkEntry = parseTrace(dir).find((e) => e.kind === 'exit' && e.call === 'brk');
  const startBrk = heap?.start ?? (brkEntry?.kind === 'exit' ? brkEntry.ret : 0);
  const mm = new MmStruct(new ReferenceIndex<Vma>({ checked: true }), {
    mmapBase,
    startBrk,
    brk: heap?.end ?? startBrk,
  });
  const files = new Map<string, FileRef>();
  let anonId = 4_000_000;
  for (const e of start) {
    const flags = flagsFromMnemonics(e.vmFlags ?? []);
    const anonymousMemory = e.inode === 0 && !e.path.startsWith('/');
    const kind: VmaKind = SPECIAL_NAMES.has(e.path) ? 'special' : anonymousMemory ? 'anon' : 'file';
    const init: VmaInit = {
      start: e.start,
      end: e.end,
      flags,
      pgoff: kind === 'anon' ? e.start / PAGE_SIZE : e.offset / PAGE_SIZE,
      file: kind === 'file' ? fileFor(files, e) : null,
      kind,
      name: e.path.startsWith('[') ? e.path : null,
      anonVma: (e.anonymousKb ?? 0) > 0 ? { id: anonId++ } : null,
    };
    const r = mm.installVma(init);
    expect(typeof r, `install ${e.start.toString(16)}`).not.toBe('number');
  }
  return { mm, files };
}

function replay(dir: string): { mm: MmStruct; mismatches: string[]; calls: number; faults: number } {
  const { mm, files } = load(dir);
  const pending = new Map<number, { call: string; args: Record<string, number> }>();
  const mismatches: string[] = [];
  let calls = 0;
  let faults = 0;
  const fdFile = (fd: number): FileRef => {
    const key = `fd:${fd}`;
    let f = files.get(key);
    if (f === undefined) {
      f = { id: 3_500_000 + fd, path: key };
      files.set(key, f);
    }
    return f;
  };
  for (const ev of parseTrace(dir)) {
    if (ev.kind === 'enter') {
      pending.set(ev.tid, { call: ev.call, args: ev.args });
      continue;
    }
    if (ev.kind === 'fault') {
      faults++;
      let vma = mm.findVma(ev.address);
      if (vma === null) {
        mismatches.push(`fault at 0x${ev.address.toString(16)}: no VMA`);
        continue;
      }
      if (vma.start > ev.address) {
        if ((vma.flags & VM_GROWSDOWN) === 0 || mm.expandStack(vma, ev.address) !== 0) {
          mismatches.push(`fault at 0x${ev.address.toString(16)}: below [0x${vma.start.toString(16)}, ...)`);
          continue;
        }
        vma = mm.findVma(ev.address)!;
      }
      const write = (ev.errorCode & 0x2) !== 0;
      if (write && (vma.flags & VM_SHARED) === 0) mm.anonVmaPrepare(vma);
      continue;
    }
    const enter = pending.get(ev.tid);
    pending.delete(ev.tid);
    if (enter === undefined || enter.call !== ev.call) continue;
    calls++;
    const a = enter.args;
    let got: number;
    switch (ev.call) {
      case 'mmap': {
        const anon = (a.flags! & 0x20) !== 0;
        got = mm.mmap(
          a.addr!,
          a.len!,
          a.prot!,
          a.flags!,
          anon ? null : fdFile(a.fd!),
          Math.floor(a.off! / PAGE_SIZE),
        );
        break;
      }
      case 'munmap':
        got = mm.munmap(a.addr!, a.len!);
        break;
      case 'mprotect':
        got = mm.mprotect(a.start!, a.len!, a.prot!);
        break;
      case 'madvise':
        got = mm.madvise(a.start!, a.len_in ?? a.len!, a.behavior!);
        break;
      case 'brk':
        got = mm.brk(a.brk!);
        break;
      case 'mremap':
        got = mm.mremap(a.addr!, a.old_len!, a.new_len!, a.flags!, a.new_addr!);
        break;
      default:
        mismatches.push(`unsupported system call ${ev.call}`);
        continue;
    }
    if (got !== ev.ret) {
      mismatches.push(
        `${ev.call}(${JSON.stringify(a)}) returned ${got.toString(16)}, kernel ${ev.ret.toString(16)}`,
      );
    }
  }
  return { mm, mismatches, calls, faults };
}

/** A VMA as maps/smaps show it. */
function show(
  start: number,
  end: number,
  perms: string,
  offset: number,
  path: string,
  flags: string[],
): string {
  return `${start.toString(16)}-${end.toString(16)} ${perms} ${offset.toString(16)} ${path} [${flags.join(' ')}]`;
}

function showVma(v: Vma): string {
  const f = v.flags;
  const perms = `${f & vmFlags.VM_READ ? 'r' : '-'}${f & vmFlags.VM_WRITE ? 'w' : '-'}${f & vmFlags.VM_EXEC ? 'x' : '-'}${f & vmFlags.VM_MAYSHARE ? 's' : 'p'}`;
  const offset = v.kind === 'file' ? v.pgoff * PAGE_SIZE : 0;
  const path = v.file?.path ?? v.name ?? '';
  return show(v.start, v.end, perms, offset, path, mnemonicsOf(f));
}

describe.skipIf(tracesDir === null)('replay of the captured traces', () => {
  if (tracesDir === null) {
    it.skip(sharedMissingMessage('traces'), () => {});
    return;
  }
  for (const name of ['py-sqlite', 'c-arenas']) {
    it(`${name}: every result and the final address space match the kernel's`, () => {
      const dir = `${tracesDir}/${name}`;
      const { mm, mismatches, calls, faults } = replay(dir);
      expect(calls).toBeGreaterThan(0);
      expect(faults).toBeGreaterThan(0);
      expect(mismatches).toEqual([]);
      const want = parseMaps(`${dir}/end.smaps`).map((e) =>
        show(e.start, e.end, e.perms, e.offset, e.path, e.vmFlags ?? []),
      );
      // The heap keeps its [heap] name; file ids of descriptors mapped during the trace print as fd:N.
      const got = mm.vmas().map(showVma);
      expect(got).toEqual(want);
    });
  }
});
