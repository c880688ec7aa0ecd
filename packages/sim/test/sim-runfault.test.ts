/**
 * On one CPU nothing can interleave, so the engine must do exactly what x86-fault's synchronous
 * driver does: the same fault outcomes and the same page-table end state (PTE bits and frames) for
 * the same sequence of system calls and accesses, for every strategy and index.
 */
import { type FileRef, MmStruct, PAGE_SIZE, uapi, type Vma } from '@vmakit/core';
import { builtinStrategies } from '@vmakit/strategies';
import {
  ACCESS_OK,
  type AccessKind,
  createFaultEnv,
  type FaultEnv,
  type FaultStrategy,
  hardwareAccess,
  runFault,
  X86_PF_USER,
} from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { compileProfile, Engine, skylake2s, type ThreadProgram, type WorkloadOp } from '../src/index.js';
import { tempFile } from '../src/workloads/index.js';
import { INDEXES, scriptWorkload } from './sim-helpers.js';

const { MADV_DONTNEED, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } = uapi;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const P = PAGE_SIZE;

/** The scenario: a program over a results log, written so that both drivers can run it. */
function* scenario(file: FileRef, log: number[]): Generator<WorkloadOp, void, number> {
  const r = (v: number) => {
    log.push(v);
    return v;
  };
  const a = r(yield { op: 'mmap', addr: 0, len: 64 * P, prot: RW, flags: ANON });
  for (let p = 0; p < 64; p++) r(yield { op: 'access', addr: a + p * P, write: true });
  const b = r(yield { op: 'mmap', addr: 0, len: 16 * P, prot: RW, flags: ANON });
  // Reads map the zero page; writes then copy it.
  for (let p = 0; p < 16; p++) r(yield { op: 'access', addr: b + p * P, write: false });
  for (let p = 0; p < 8; p++) r(yield { op: 'access', addr: b + p * P, write: true });
  r(yield { op: 'mprotect', addr: a, len: 32 * P, prot: PROT_READ });
  r(yield { op: 'access', addr: a, write: true });
  r(yield { op: 'access', addr: a + P, write: false });
  r(yield { op: 'munmap', addr: a + 48 * P, len: 16 * P });
  r(yield { op: 'access', addr: a + 50 * P, write: false });
  r(yield { op: 'madvise', addr: a + 32 * P, len: 8 * P, advice: MADV_DONTNEED });
  r(yield { op: 'access', addr: a + 33 * P, write: false });
  r(yield { op: 'access', addr: a + 34 * P, write: true });
  const f = r(
    yield { op: 'mmap', addr: 0, len: 16 * P, prot: PROT_READ, flags: MAP_PRIVATE, file, pgoff: 0 },
  );
  for (let p = 0; p < 16; p += 3) r(yield { op: 'access', addr: f + p * P, write: false });
  r(yield { op: 'mprotect', addr: b, len: 16 * P, prot: PROT_READ });
  r(yield { op: 'mprotect', addr: b, len: 16 * P, prot: RW });
  r(yield { op: 'access', addr: b + 9 * P, write: true });
  r(yield { op: 'access', addr: 0x1000, write: false });
}

/** Every PTE of every VMA: address, bits, frame. */
function pageTableState(env: FaultEnv, vmas: readonly Vma[]): string[] {
  const out: string[] = [];
  for (const v of vmas) {
    for (let a = v.start; a < v.end; a += P) {
      const flags = env.pt.pteFlagsAt(a);
      if (flags !== 0) out.push(`${a.toString(16)} ${flags.toString(16)} ${env.pt.pteFrameAt(a)}`);
    }
  }
  return out;
}

/** Run the scenario with x86-fault's synchronous driver. */
function synchronous(strategy: FaultStrategy, createIndex: () => MmStruct['index'], file: FileRef) {
  const mm = new MmStruct(createIndex());
  const env = createFaultEnv(mm, { mmUsers: 2 });
  const log: number[] = [];
  const prog = scenario(file, log);
  let res = 0;
  for (let r = prog.next(); r.done !== true; r = prog.next(res)) {
    const op = r.value;
    switch (op.op) {
      case 'access': {
        const kind: AccessKind = op.write ? 'write' : 'read';
        let err = hardwareAccess(env, op.addr, kind);
        res = 0;
        for (let tries = 0; err !== ACCESS_OK && tries <= 64; tries++) {
          const f = runFault(strategy, env, { addr: op.addr, errorCode: err, tid: 0 }, { allowUnsafe: true });
          if (f.signal !== 0) {
            res = f.signal;
            break;
          }
          err = hardwareAccess(env, op.addr, kind);
        }
        break;
      }
      case 'mmap':
        res = mm.mmap(op.addr, op.len, op.prot, op.flags, op.file ?? null, op.pgoff ?? 0);
        break;
      case 'munmap':
        res = mm.munmap(op.addr, op.len);
        break;
      case 'mprotect':
        res = mm.mprotect(op.addr, op.len, op.prot);
        break;
      case 'madvise':
        res = mm.madvise(op.addr, op.len, op.advice);
        break;
      default:
        throw new Error(`scenario op ${op.op}`);
    }
  }
  return { log, state: pageTableState(env, mm.vmas()), stats: env.vmstat.nonZero() };
}

describe('one CPU agrees with runFault', () => {
  for (const strategy of builtinStrategies) {
    for (const index of INDEXES) {
      it(`${strategy.meta.name} over ${index.meta.name}`, () => {
        const file = tempFile('agree', 64 * P, false);
        const want = synchronous(strategy.strategy, () => index.create(), file);
        const log: number[] = [];
        const workload = scriptWorkload('agree', () => scenario(file, log) as ThreadProgram).create({
          threads: 1,
          seed: 1,
        });
        const e = new Engine({
          workload,
          strategy: strategy.strategy,
          createIndex: () => index.create(),
          profile: compileProfile(skylake2s, 1),
          seed: 1,
          warmupPs: 0,
          durationPs: 1e12,
          maxOps: Number.POSITIVE_INFINITY,
          checker: true,
          freeWithoutRcu: false,
          maxSteps: 10_000_000,
        });
        const r = e.run();
        expect(r.stoppedBy).toBe('threads-exited');
        expect(r.checker!.total).toBe(0);
        expect(log).toEqual(want.log);
        expect(pageTableState(e.env, e.mm.vmas())).toEqual(want.state);
        // The same faults were resolved the same way.
        const got = e.env.vmstat.nonZero();
        for (const k of [
          'pgfault',
          'anon_faults',
          'zero_page_faults',
          'cow_faults',
          'file_read_faults',
          'sigsegv_accerr',
          'sigsegv_maperr',
        ] as const) {
          expect(got[k] ?? 0, k).toBe(want.stats[k] ?? 0);
        }
        // Sanity: the scenario exercised what it meant to.
        expect(want.log.filter((x) => x === 11)).toHaveLength(3);
        expect(want.state.length).toBeGreaterThan(60);
        void X86_PF_USER;
      });
    }
  }
});
