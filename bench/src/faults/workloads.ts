/**
 * What the fault-path benchmark replays: captures (their whole trace in memory: faults and the system
 * calls between them) and a synthetic page_fault1 (mmap anonymous memory, write one byte per page,
 * munmap — the loop the kernel's rate is measured with). Each run starts from a fresh address space
 * (built outside the timed part) and times only the faults.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type IndexPlugin, type MmApi, MmStruct, UnknownNameError, uapi, type Vma } from '@vmakit/core';
import type { PairedFdCall, PairedSyscall } from '@vmakit/formats';
import {
  applySyscall,
  buildInitialState,
  createReplayFaultEnv,
  FileTable,
  faultRequestOf,
  type LoadedCapture,
  loadCaptureEvents,
} from '@vmakit/replay';
import { createReferenceIndex, findRepoRoot, findSharedDir } from '@vmakit/testkit';
import type { FaultEnv, FaultRequest } from '@vmakit/x86-fault';
import { X86_PF_USER, X86_PF_WRITE } from '@vmakit/x86-fault';

/** The synthetic workload's name. */
export const PAGE_FAULT1 = 'synthetic:page_fault1';

/** One event of a prepared workload: a fault request, or a system call applied to the state. */
export type PreparedEvent = FaultRequest | ((s: WorkloadState) => void);

/** A fresh address space with its fault model. */
export interface WorkloadState {
  readonly mm: MmApi;
  readonly env: FaultEnv;
  readonly files: FileTable;
}

/** A workload ready to be replayed many times. */
export interface FaultWorkload {
  readonly name: string;
  readonly kind: 'capture' | 'synthetic';
  /** The capture folder (the reference replay reads it again), null for a synthetic workload. */
  readonly source: string | null;
  readonly faults: number;
  readonly syscalls: number;
  readonly threads: number;
  /** Events in order; faults are FaultRequest objects (shared across runs: runFault never mutates them). */
  readonly events: readonly PreparedEvent[];
  /** A fresh state over `index` (not timed). */
  fresh(index: IndexPlugin): WorkloadState;
}

/** A capture loaded for repeated replays. */
export function captureWorkload(loaded: LoadedCapture): FaultWorkload {
  // The timeline, not `events`: the fd calls give each file mmap its descriptor's open mode, as the
  // reference replay does (a read-only descriptor's MAP_SHARED mapping cannot become writable).
  const events: PreparedEvent[] = loaded.timeline.map((ev) => {
    if (ev.kind === 'fault') return faultRequestOf(ev);
    if (ev.kind === 'fdcall') {
      const c: PairedFdCall = ev;
      return (st: WorkloadState) => {
        st.files.applyFdCall(c);
      };
    }
    const s: PairedSyscall = ev;
    return (st: WorkloadState) => {
      applySyscall(st.mm as MmStruct, st.files, s);
    };
  });
  return {
    name: loaded.name,
    kind: 'capture',
    source: loaded.capture.dir,
    faults: loaded.faults,
    syscalls: loaded.syscalls,
    threads: loaded.threads,
    events,
    fresh(index: IndexPlugin): WorkloadState {
      const { capture } = loaded;
      const { mm, files } = buildInitialState(
        index,
        capture.startMaps,
        capture.startSmaps,
        loaded.initialOptions,
      );
      const { env } = createReplayFaultEnv(mm, { threads: loaded.threads });
      return { mm, env, files };
    },
  };
}

/**
 * page_fault1 on one thread: `iterations` rounds of mmap(`megabytes` MiB, private anonymous), a
 * write fault on every page, munmap. The mapping's address is the one a fresh mm gives (checked).
 */
export function pageFault1Workload(megabytes: number, iterations = 1): FaultWorkload {
  const len = megabytes * 1024 * 1024;
  const probe = new MmStruct(createReferenceIndex<Vma>());
  const addr = probe.mmap(0, len, uapi.PROT_READ | uapi.PROT_WRITE, uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS);
  if (addr < 0) throw new Error(`page_fault1: mmap of ${megabytes} MiB failed (${addr})`);
  const events: PreparedEvent[] = [];
  const ec = X86_PF_USER | X86_PF_WRITE;
  for (let it = 0; it < iterations; it++) {
    events.push((st) => {
      const a = st.mm.mmap(0, len, uapi.PROT_READ | uapi.PROT_WRITE, uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS);
      if (a !== addr)
        throw new Error(`page_fault1: mmap returned 0x${a.toString(16)}, expected 0x${addr.toString(16)}`);
    });
    for (let off = 0; off < len; off += 4096)
      events.push({ addr: addr + off, errorCode: ec, userMode: true, tid: 1 });
    events.push((st) => {
      st.mm.munmap(addr, len);
    });
  }
  return {
    name: PAGE_FAULT1,
    kind: 'synthetic',
    source: null,
    faults: (len / 4096) * iterations,
    syscalls: 2 * iterations,
    threads: 1,
    events,
    fresh(index: IndexPlugin): WorkloadState {
      const mm = new MmStruct(index.create<Vma>());
      const { env } = createReplayFaultEnv(mm, { threads: 1 });
      return { mm, env, files: new FileTable() };
    },
  };
}

/** Capture folders in `dir` (sub-folders holding a start.maps). */
function captureDirsIn(dir: string | null): string[] {
  if (dir === null) return [];
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory())
    .filter((p) => {
      try {
        return statSync(join(p, 'start.maps')).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

/** The default captures: ../shared/traces (when present) and the repository's fixtures/captures. */
export function defaultCaptureDirs(): string[] {
  const root = findRepoRoot();
  const fixtures = root === null ? null : join(root, 'fixtures', 'captures');
  let fixtureDirs: string[] = [];
  try {
    fixtureDirs = captureDirsIn(fixtures);
  } catch {
    fixtureDirs = [];
  }
  return [...captureDirsIn(findSharedDir('traces')), ...fixtureDirs];
}

/**
 * Resolves workload names: `synthetic:page_fault1`, a capture folder path, or the name of a folder
 * among the default captures. UnknownNameError lists the known names.
 */
export function resolveCaptureDir(name: string, defaults: readonly string[]): string | typeof PAGE_FAULT1 {
  if (name === PAGE_FAULT1) return PAGE_FAULT1;
  const byName = defaults.find((d) => basename(d) === name);
  if (byName !== undefined) return byName;
  const p = resolve(name);
  try {
    if (statSync(join(p, 'start.maps')).isFile()) return p;
  } catch {
    // fall through to the error
  }
  throw new UnknownNameError('capture', name, [PAGE_FAULT1, ...defaults.map((d) => basename(d))]);
}

/** Loads a capture folder as a workload. */
export async function loadCaptureWorkload(dir: string): Promise<FaultWorkload> {
  return captureWorkload(await loadCaptureEvents(dir));
}
