/**
 * The synchronous driver: runs one fault of a strategy to completion on one CPU. Locks are free unless
 * the fault itself holds them (or, for mmap_lock, the mm's write lock is held outside the fault), so
 * blocking acquisitions succeed at once and try-locks fail only on a self-conflict; sequence counts
 * are read from the mm. The driver also checks the lock protocol: no release of what is not held, no
 * self-deadlock, nothing held and no RCU section open when the fault returns.
 *
 * A `beforeStep` hook sees each step before it is resolved: tests use it to play a concurrent writer
 * (bump mmap_seq, write-mark a VMA) at a chosen point of the protocol.
 */
import { VmakitError } from '@vmakit/core';
import { uncontendedResult } from './drain.js';
import type { FaultEnv } from './env.js';
import type { FaultRequest, FaultResult } from './result.js';
import type { Step, StepResult } from './steps.js';
import { checkPairing, type FaultStrategy, type PairingVerdict } from './strategy.js';

/** Thrown when a strategy is run over an index it is not safe with (see checkPairing). */
export class UnsafePairingError extends VmakitError {
  override readonly name = 'UnsafePairingError';
  constructor(readonly verdict: PairingVerdict) {
    super(`unsafe pairing refused: ${verdict.reason} (pass allowUnsafe to run it flagged)`);
  }
}

/** Options of runFault(). */
export interface RunFaultOptions {
  /**
   * Run a pairing checkPairing() calls unsafe anyway. The result then carries `unsafePairing`.
   * Default false: refuse with UnsafePairingError.
   */
  readonly allowUnsafe?: boolean;
  /** Called before each step is resolved, with its 0-based number. */
  readonly beforeStep?: (step: Step, n: number) => void;
  /** Called after each step is resolved, with the value the generator is resumed with. */
  readonly afterStep?: (step: Step, result: StepResult, n: number) => void;
  /** Check the lock protocol (default true). */
  readonly checkLocks?: boolean;
}

/** A fault result from a pairing run in flagged mode. */
export interface FlaggedFaultResult extends FaultResult {
  /** Why the pairing is unsafe. */
  readonly unsafePairing: string;
}

const verdicts = new WeakMap<FaultStrategy, Map<string, PairingVerdict>>();

/** The last answer of verdictFor(): a replay asks the same question for every fault. */
let lastStrategy: FaultStrategy | null = null;
let lastSemantics = '';
let lastVerdict: PairingVerdict | null = null;

/** checkPairing(), cached per strategy and semantics. */
function verdictFor(strategy: FaultStrategy, env: FaultEnv): PairingVerdict {
  const sem = env.index.semantics;
  if (strategy === lastStrategy && sem === lastSemantics) return lastVerdict!;
  let m = verdicts.get(strategy);
  if (m === undefined) {
    m = new Map();
    verdicts.set(strategy, m);
  }
  let v = m.get(sem);
  if (v === undefined) {
    v = checkPairing(strategy, sem);
    m.set(sem, v);
  }
  lastStrategy = strategy;
  lastSemantics = sem;
  lastVerdict = v;
  return v;
}

/** Lock bookkeeping of one fault (pooled: a fault allocates nothing here). */
class HeldLocks {
  private readonly kinds: string[] = [];
  private readonly ids: number[] = [];
  private readonly modes: string[] = [];
  private n = 0;
  rcu = 0;
  env: FaultEnv | null = null;

  reset(env: FaultEnv): void {
    this.env = env;
    this.n = 0;
    this.rcu = 0;
  }

  private find(kind: string, id: number): number {
    for (let i = 0; i < this.n; i++) if (this.kinds[i] === kind && this.ids[i] === id) return i;
    return -1;
  }

  private remove(i: number): void {
    const last = --this.n;
    this.kinds[i] = this.kinds[last]!;
    this.ids[i] = this.ids[last]!;
    this.modes[i] = this.modes[last]!;
  }

  resolve(step: Step): StepResult {
    const env = this.env!;
    switch (step.op) {
      case 'acquire': {
        const tryOnly = step.mode === 'read-try' || step.mode === 'spin-try';
        const i = this.find(step.lock, step.id);
        const externallyWriteLocked = step.lock === 'mmap_lock' && env.mm.writeLocked;
        if (i >= 0 || externallyWriteLocked) {
          if (tryOnly) return false;
          const who = i >= 0 ? 'the fault already holds it' : 'the mmap write lock is held outside the fault';
          throw new VmakitError(
            `runFault: ${step.lock}#${step.id} ${step.mode} would never be granted: ${who}`,
          );
        }
        const k = this.n++;
        this.kinds[k] = step.lock;
        this.ids[k] = step.id;
        this.modes[k] = step.mode === 'read-try' ? 'read' : step.mode === 'spin-try' ? 'spin' : step.mode;
        return true;
      }
      case 'release': {
        const i = this.find(step.lock, step.id);
        if (i < 0 || this.modes[i] !== step.mode) {
          throw new VmakitError(
            `runFault: release of ${step.lock}#${step.id} ${step.mode}, which is not held`,
          );
        }
        this.remove(i);
        return undefined;
      }
      case 'downgrade': {
        const i = this.find(step.lock, step.id);
        if (i < 0 || this.modes[i] !== 'write') {
          throw new VmakitError(`runFault: downgrade of ${step.lock}#${step.id}, which is not write-held`);
        }
        this.modes[i] = 'read';
        return undefined;
      }
      case 'rcu':
        this.rcu += step.enter ? 1 : -1;
        if (this.rcu < 0) throw new VmakitError('runFault: rcu_read_unlock() without rcu_read_lock()');
        return undefined;
      default:
        return uncontendedResult(step, env.mm);
    }
  }

  assertClean(strategy: string): void {
    if (this.n > 0 || this.rcu !== 0) {
      const held: string[] = [];
      for (let i = 0; i < this.n; i++) held.push(`${this.kinds[i]}#${this.ids[i]} ${this.modes[i]}`);
      throw new VmakitError(
        `runFault: ${strategy} returned holding [${held.join(', ')}]${this.rcu !== 0 ? ` with ${this.rcu} RCU section(s) open` : ''}`,
      );
    }
  }
}

/** Bookkeepers not in use (runFault may nest when a hook runs another fault). */
const pool: HeldLocks[] = [];

/**
 * Run one fault of `strategy` in `env` to completion. Deterministic. Throws UnsafePairingError for an
 * unsafe pairing unless `allowUnsafe`, and VmakitError when the strategy breaks the lock protocol.
 * O(steps).
 */
export function runFault(
  strategy: FaultStrategy,
  env: FaultEnv,
  req: FaultRequest,
  options: RunFaultOptions = {},
): FaultResult | FlaggedFaultResult {
  const verdict = verdictFor(strategy, env);
  if (!verdict.safe && options.allowUnsafe !== true) throw new UnsafePairingError(verdict);
  const gen = strategy.fault(env, req);
  const before = options.beforeStep;
  const after = options.afterStep;
  let n = 0;
  let r = gen.next();
  if (options.checkLocks === false && before === undefined && after === undefined) {
    const mm = env.mm;
    while (r.done !== true) r = gen.next(uncontendedResult(r.value, mm));
  } else {
    const held = pool.pop() ?? new HeldLocks();
    held.reset(env);
    try {
      while (r.done !== true) {
        const step = r.value;
        before?.(step, n);
        const res = held.resolve(step);
        after?.(step, res, n);
        n++;
        r = gen.next(res);
      }
      if (options.checkLocks !== false) held.assertClean(strategy.name);
    } finally {
      held.env = null;
      pool.push(held);
    }
  }
  return verdict.safe ? r.value : { ...r.value, unsafePairing: verdict.reason };
}

/** A step as recorded by recordFault() (a copy: the generator may reuse its step objects). */
export interface RecordedStep {
  readonly step: Step;
  readonly result: StepResult;
}

/** Run one fault like runFault() and return its steps with the values they resolved to. */
export function recordFault(
  strategy: FaultStrategy,
  env: FaultEnv,
  req: FaultRequest,
  options: Omit<RunFaultOptions, 'afterStep'> = {},
): { result: FaultResult; steps: RecordedStep[] } {
  const steps: RecordedStep[] = [];
  const result = runFault(strategy, env, req, {
    ...options,
    afterStep: (step, res) => {
      const copy = { ...step } as Step;
      if (copy.op === 'lookup' || copy.op === 'vma-copy')
        (copy as { lines: readonly number[] }).lines = [...copy.lines];
      steps.push({ step: copy, result: res });
    },
  });
  return { result, steps };
}
