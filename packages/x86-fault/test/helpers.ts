/**
 * Test fixtures: an MmStruct over the reference index with a fault model attached, and the plain
 * mmap_lock strategy (the strategies package depends on this one, so tests here build their own).
 */
import { type MmConfig, MmStruct, type Vma } from '@vmakit/core';
import { createReferenceIndex } from '@vmakit/testkit';
import {
  createFaultEnv,
  doUserAddrFault,
  type FaultConfig,
  type FaultEnv,
  type FaultRequest,
  type FaultResult,
  type FaultStrategy,
  runFault,
  X86_PF_INSTR,
  X86_PF_USER,
  X86_PF_WRITE,
} from '../src/index.js';

/** The mmap_lock strategy, built from the shared fault core. */
export const mmapLock: FaultStrategy = {
  name: 'mmap-lock',
  description: 'test copy of the mmap_lock strategy',
  needs: { lookup: 'locked', rcuFreedVmas: false },
  mutations: [],
  bytesCopied: () => 0,
  fault: (env, req) => doUserAddrFault(env, req, null),
};

/** An address space over the reference index with the fault model attached. */
export function setup(config: FaultConfig = {}, mmConfig: MmConfig = {}): { mm: MmStruct; env: FaultEnv } {
  const mm = new MmStruct(createReferenceIndex<Vma>({ checked: true }), mmConfig);
  const env = createFaultEnv(mm, config);
  return { mm, env };
}

/** User-mode error codes for a not-present page. */
export const READ = X86_PF_USER;
export const WRITE = X86_PF_USER | X86_PF_WRITE;
export const EXEC = X86_PF_USER | X86_PF_INSTR;

/** Run one fault with the mmap_lock strategy. */
export function fault(
  env: FaultEnv,
  addr: number,
  errorCode: number,
  extra: Partial<FaultRequest> = {},
): FaultResult {
  return runFault(mmapLock, env, { addr, errorCode, ...extra });
}

/** Expect an mm call to succeed and return its value. */
export function ok(v: number): number {
  if (v < 0) throw new Error(`system call failed with ${v}`);
  return v;
}
