/**
 * Fixtures for strategy tests: an MmStruct over the reference index (optionally dressed up as another
 * era / lockless semantics, or with a reader that always misses), the fault model, and a driver that
 * lets a test decide what individual steps resolve to.
 */
import {
  type IndexEra,
  type LocklessReader,
  type LocklessSemantics,
  type MmConfig,
  MmStruct,
  type Vma,
  type VmaIndex,
} from '@vmakit/core';
import { createReferenceIndex } from '@vmakit/testkit';
import {
  createFaultEnv,
  type FaultConfig,
  type FaultEnv,
  type FaultRequest,
  type FaultResult,
  type FaultStrategy,
  type Step,
  type StepResult,
  uncontendedResult,
  X86_PF_USER,
  X86_PF_WRITE,
} from '@vmakit/x86-fault';

export const READ = X86_PF_USER;
export const WRITE = X86_PF_USER | X86_PF_WRITE;

/** Options of setup(). */
export interface SetupOptions {
  readonly fault?: FaultConfig;
  readonly mm?: MmConfig;
  /** Report this era instead of the reference index's maple era. */
  readonly era?: IndexEra;
  /** Report these lockless semantics instead of `snapshot`. */
  readonly semantics?: LocklessSemantics;
  /** Lockless readers that always miss (an 'unsafe' index caught mid-restructure). */
  readonly missingReader?: boolean;
}

/** The reference index, seen through a different era / semantics / reader. */
function dress(index: VmaIndex<Vma>, o: SetupOptions): VmaIndex<Vma> {
  if (o.era === undefined && o.semantics === undefined && o.missingReader !== true) return index;
  const missing = (): LocklessReader<Vma> => ({
    find: () => null,
    lookup: () => null,
    outcome: 'missed',
    path: [],
    close: () => {},
  });
  return new Proxy(index, {
    get(target, prop) {
      if (prop === 'era' && o.era !== undefined) return o.era;
      if (prop === 'semantics' && o.semantics !== undefined) return o.semantics;
      if (prop === 'openReader' && o.missingReader === true) return missing;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value, target);
    },
  });
}

/** An address space with the fault model attached. */
export function setup(o: SetupOptions = {}): { mm: MmStruct; env: FaultEnv } {
  const mm = new MmStruct(dress(createReferenceIndex<Vma>({ checked: true }), o), o.mm ?? {});
  return { mm, env: createFaultEnv(mm, o.fault ?? {}) };
}

/** Expect a system call to succeed. */
export function ok(v: number): number {
  if (v < 0) throw new Error(`system call failed with ${v}`);
  return v;
}

/**
 * Drive a fault with a test deciding step results: `decide` may return a value for a step (e.g.
 * `false` for a try-lock) or run a concurrent writer and return undefined for the default. Checks
 * that every lock taken is released and RCU sections are balanced.
 */
export function drive(
  strategy: FaultStrategy,
  env: FaultEnv,
  req: FaultRequest,
  decide: (step: Step, n: number) => StepResult | undefined = () => undefined,
): { result: FaultResult; steps: Step[] } {
  const gen = strategy.fault(env, req);
  const steps: Step[] = [];
  let held = 0;
  let rcu = 0;
  let n = 0;
  let r = gen.next();
  while (r.done !== true) {
    const step = r.value;
    steps.push({ ...step } as Step);
    const custom = decide(step, n++);
    const res = custom !== undefined ? custom : uncontendedResult(step, env.mm);
    if (step.op === 'acquire' && res === true) held++;
    if (step.op === 'release') held--;
    if (step.op === 'rcu') rcu += step.enter ? 1 : -1;
    r = gen.next(res);
  }
  if (held !== 0 || rcu !== 0) throw new Error(`unbalanced: ${held} locks held, ${rcu} RCU sections open`);
  return { result: r.value, steps };
}

/** The n-th (0-based) step matching `pred` as counted by a decide callback. */
export function nth(pred: (s: Step) => boolean, n: number, action: (s: Step) => StepResult | undefined) {
  let seen = 0;
  return (s: Step): StepResult | undefined => {
    if (!pred(s)) return undefined;
    return seen++ === n ? action(s) : undefined;
  };
}
