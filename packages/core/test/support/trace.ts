/**
 * Just enough parsing of the captured traces in ../shared/traces (see its README) for core's replay
 * test: /proc/PID/maps and smaps snapshots, and the perf-script lines of the memory system calls and
 * user page faults. The project's real parsers live in @vmakit/formats; these are test helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vmFlags } from '../../src/index.js';

/** One VMA of a maps/smaps snapshot. */
export interface MapsEntry {
  readonly start: number;
  readonly end: number;
  readonly perms: string;
  readonly offset: number;
  readonly dev: string;
  readonly inode: number;
  readonly path: string;
  /** smaps only: VmFlags mnemonics. */
  vmFlags?: string[];
  /** smaps only: `Anonymous:` in kB. */
  anonymousKb?: number;
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/;

/** Parse a maps or smaps file; entries above 2^63 (the vsyscall gate) are left out. */
export function parseMaps(file: string): MapsEntry[] {
  const out: MapsEntry[] = [];
  let cur: MapsEntry | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = MAPS_LINE.exec(line);
    if (m !== null) {
      const start = Number.parseInt(m[1]!, 16);
      cur =
        start >= 2 ** 63
          ? null
          : {
              start,
              end: Number.parseInt(m[2]!, 16),
              perms: m[3]!,
              offset: Number.parseInt(m[4]!, 16),
              dev: m[5]!,
              inode: Number(m[6]),
              path: m[7]!.trim(),
            };
      if (cur !== null) out.push(cur);
      continue;
    }
    if (cur === null) continue;
    if (line.startsWith('VmFlags:')) cur.vmFlags = line.slice(8).trim().split(/\s+/).filter(Boolean);
    else if (line.startsWith('Anonymous:')) cur.anonymousKb = Number.parseInt(line.slice(10), 10);
  }
  return out;
}

/** VmFlags mnemonics of fs/proc/task_mmu.c show_smap_vma_flags(), low word. */
const MNEMONICS: Record<string, number> = {
  rd: vmFlags.VM_READ,
  wr: vmFlags.VM_WRITE,
  ex: vmFlags.VM_EXEC,
  sh: vmFlags.VM_SHARED,
  mr: vmFlags.VM_MAYREAD,
  mw: vmFlags.VM_MAYWRITE,
  me: vmFlags.VM_MAYEXEC,
  ms: vmFlags.VM_MAYSHARE,
  gd: vmFlags.VM_GROWSDOWN,
  pf: vmFlags.VM_PFNMAP,
  lo: vmFlags.VM_LOCKED,
  io: vmFlags.VM_IO,
  sr: vmFlags.VM_SEQ_READ,
  rr: vmFlags.VM_RAND_READ,
  dc: vmFlags.VM_DONTCOPY,
  de: vmFlags.VM_DONTEXPAND,
  lf: vmFlags.VM_LOCKONFAULT,
  ac: vmFlags.VM_ACCOUNT,
  nr: vmFlags.VM_NORESERVE,
  ht: vmFlags.VM_HUGETLB,
  sf: vmFlags.VM_SYNC,
  ar: vmFlags.VM_ARCH_1,
  wf: vmFlags.VM_WIPEONFORK,
  dd: vmFlags.VM_DONTDUMP,
  sd: vmFlags.VM_SOFTDIRTY,
  mm: vmFlags.VM_MIXEDMAP,
  hg: vmFlags.VM_HUGEPAGE,
  nh: vmFlags.VM_NOHUGEPAGE,
  mg: vmFlags.VM_MERGEABLE,
  um: vmFlags.VM_UFFD_MISSING,
  uw: vmFlags.VM_UFFD_WP,
};

/** The low vm_flags word a VmFlags line stands for. */
export function flagsFromMnemonics(names: readonly string[]): number {
  let f = 0;
  for (const n of names) {
    const bit = MNEMONICS[n];
    if (bit === undefined) throw new Error(`unknown VmFlags mnemonic '${n}'`);
    f |= bit;
  }
  return f >>> 0;
}

/** VmFlags mnemonics of a low vm_flags word, in the kernel's bit order. */
export function mnemonicsOf(flags: number): string[] {
  return Object.entries(MNEMONICS)
    .filter(([, bit]) => (flags & bit) !== 0)
    .sort((a, b) => a[1] - b[1])
    .map(([n]) => n);
}

/** One trace event. */
export type TraceEvent =
  | {
      readonly kind: 'enter';
      readonly tid: number;
      readonly call: string;
      readonly args: Record<string, number>;
    }
  | { readonly kind: 'exit'; readonly tid: number; readonly call: string; readonly ret: number }
  | { readonly kind: 'fault'; readonly tid: number; readonly address: number; readonly errorCode: number };

const TRACE_LINE = /^\s*\S+\s+(\d+)\s+\[\d+\]\s+[\d.]+:\s+(\S+):\s*(.*)$/;

/** A 64-bit hex return value as the kernel's signed long. */
function signedHex(h: string): number {
  const v = BigInt(h);
  return Number(v >= 2n ** 63n ? v - 2n ** 64n : v);
}

/** Parse trace.txt into events, in file (time) order. */
export function parseTrace(dir: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const line of readFileSync(join(dir, 'trace.txt'), 'utf8').split('\n')) {
    const m = TRACE_LINE.exec(line);
    if (m === null) continue;
    const tid = Number(m[1]);
    const event = m[2]!;
    const rest = m[3]!;
    if (event === 'exceptions:page_fault_user') {
      const f = Object.fromEntries(rest.split(/\s+/).map((kv) => kv.split('=')));
      out.push({
        kind: 'fault',
        tid,
        address: Number(BigInt(f.address)),
        errorCode: Number(BigInt(f.error_code)),
      });
    } else if (event.startsWith('syscalls:sys_enter_')) {
      const args: Record<string, number> = {};
      for (const kv of rest.split(',')) {
        const [k, v] = kv.split(':').map((x) => x.trim());
        if (k !== undefined && v !== undefined && k !== '') args[k] = signedHex(v);
      }
      out.push({ kind: 'enter', tid, call: event.slice('syscalls:sys_enter_'.length), args });
    } else if (event.startsWith('syscalls:sys_exit_')) {
      out.push({
        kind: 'exit',
        tid,
        call: event.slice('syscalls:sys_exit_'.length),
        ret: signedHex(rest.trim()),
      });
    }
  }
  return out;
}
