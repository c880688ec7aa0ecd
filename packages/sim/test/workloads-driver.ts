/**
 * A tiny stand-in for the simulator engine, for the workload tests: it runs thread programs one at a
 * time and answers their operations either from a trivial fake (mmap returns the next free address of
 * a bump allocator) or from a real MmStruct over the reference index, checking that every access
 * lands in a VMA that allows it.
 */
import { type MmApi, MmStruct, PAGE_SIZE, uapi, VM_READ, VM_WRITE, type Vma } from '@vmakit/core';
import { createReferenceIndex } from '@vmakit/testkit';
import { applySyscallOp } from '../src/syscall-op.js';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOp } from '../src/workload.js';
import { initialStateOf, installInitialState } from '../src/workloads/index.js';

/** A deterministic per-thread stream in [0, 1) (mulberry32 of the mixed seed). */
export function stream(seed: number, tid: number): () => number {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(tid + 1, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Answers operations. */
export type Responder = (op: WorkloadOp, tid: number) => number;

/** A fake kernel: top-down bump allocation for mmap, success for everything else. */
export function fakeResponder(): Responder {
  let next = 0x7f0000000000;
  return (op) => {
    switch (op.op) {
      case 'mmap': {
        if ((op.flags & (uapi.MAP_FIXED | uapi.MAP_FIXED_NOREPLACE)) !== 0) return op.addr;
        const len = Math.ceil(op.len / PAGE_SIZE) * PAGE_SIZE;
        next -= len;
        return next;
      }
      case 'brk':
        return op.brk;
      case 'mremap':
        return op.newAddr ?? op.addr;
      default:
        return 0;
    }
  };
}

/** Why a checked access failed. */
export interface AccessProblem {
  readonly tid: number;
  readonly addr: number;
  readonly write: boolean;
  readonly why: string;
}

/** A responder over a real MmStruct; accesses and faults are checked against the VMAs. */
export function mmResponder(mm: MmApi, problems: AccessProblem[]): Responder {
  const check = (tid: number, addr: number, write: boolean) => {
    const v: Vma | null = mm.findVma(addr);
    if (v === null || v.start > addr) problems.push({ tid, addr, write, why: 'no VMA' });
    else if ((v.flags & (write ? VM_WRITE : VM_READ)) === 0) {
      problems.push({
        tid,
        addr,
        write,
        why: `VMA [${v.start.toString(16)}, ${v.end.toString(16)}) denies it`,
      });
    }
  };
  return (op, tid) => {
    switch (op.op) {
      case 'mmap':
      case 'munmap':
      case 'mprotect':
      case 'madvise':
      case 'brk':
      case 'mremap':
        return applySyscallOp(mm, op);
      case 'access':
        check(tid, op.addr, op.write);
        return 0;
      case 'fault':
        check(tid, op.addr, (op.errorCode & 2) !== 0);
        return 0;
      default:
        return 0;
    }
  };
}

/** An MmStruct prepared as an engine would: the workload's initial state installed. */
export function mmFor(w: Workload): MmStruct {
  const state = initialStateOf(w);
  const mm = new MmStruct(createReferenceIndex<Vma>(), state?.config ?? {});
  if (state !== null) installInitialState(mm, state);
  return mm;
}

/** Contexts for `threads` threads sharing one `shared` map. */
export function contexts(threads: number, seed: number, mm: MmApi): ThreadContext[] {
  const shared = new Map<string, number>();
  const out: ThreadContext[] = [];
  for (let tid = 0; tid < threads; tid++) {
    out.push({ tid, threads, random: stream(seed, tid), shared, mm });
  }
  return out;
}

/** Runs `program` until it ends or `limit` operations were yielded; returns them. */
export function drain(
  program: ThreadProgram,
  respond: Responder,
  tid: number,
  limit = Number.POSITIVE_INFINITY,
): WorkloadOp[] {
  const ops: WorkloadOp[] = [];
  let r = program.next(0);
  while (!r.done && ops.length < limit) {
    const op = r.value;
    ops.push(op);
    r = program.next(respond(op, tid));
  }
  return ops;
}

/** Runs setup (when any) on thread 0, then each thread for up to `limit` operations, round-robin. */
export function runAll(
  w: Workload,
  ctxs: ThreadContext[],
  respond: Responder,
  limit: number,
  quantum = 64,
): { setup: WorkloadOp[]; threads: WorkloadOp[][] } {
  const setup = w.setup !== undefined ? drain(w.setup(ctxs[0]!), respond, 0) : [];
  const programs = ctxs.map((c) => w.thread(c));
  const out: WorkloadOp[][] = ctxs.map(() => []);
  const pending: (IteratorResult<WorkloadOp, void> | null)[] = programs.map((p) => p.next(0));
  let live = true;
  while (live) {
    live = false;
    for (let t = 0; t < programs.length; t++) {
      for (let q = 0; q < quantum; q++) {
        const cur = pending[t];
        if (cur === null || cur === undefined || cur.done === true || out[t]!.length >= limit) break;
        live = true;
        out[t]!.push(cur.value);
        pending[t] = programs[t]!.next(respond(cur.value, t));
      }
    }
  }
  return { setup, threads: out };
}
