/**
 * VMA lookups as steps: the lookup runs against the index (locked) or a LocklessReader (RCU), with the
 * index's probe temporarily pointed at a collector so that the step can carry the cache lines the
 * lookup touched. Running the lookup and yielding its step happen without an interleaving in between:
 * the lookup is atomic at the step's start, its cost is charged by the step.
 */
import type { IndexProbe, LocklessReader, Vma } from '@vmakit/core';
import type { FaultEnv } from './env.js';
import type { LookupStep, StepGen } from './steps.js';

/** Records the (node, line) pairs a lookup reads. */
class LineCollector implements IndexProbe {
  readonly lines: number[] = [];
  read(node: number, line: number): void {
    this.lines.push(node, line);
  }
  write(node: number, line: number): void {
    this.lines.push(node, line);
  }
  alloc(): void {}
  retire(): void {}
}

const NO_LINES: readonly number[] = Object.freeze([]);

function run(env: FaultEnv, fn: () => Vma | null): { vma: Vma | null; lines: readonly number[] } {
  if (!env.config.collectLines) return { vma: fn(), lines: NO_LINES };
  const index = env.index;
  const collector = new LineCollector();
  const prev = index.probe;
  index.probe = collector;
  try {
    return { vma: fn(), lines: collector.lines };
  } finally {
    index.probe = prev;
  }
}

/**
 * find_vma() under the mmap lock (with the per-thread VMA cache where the index has one), performed
 * now; the caller yields the returned step and reads the VMA from `step.vma`.
 */
export function findVmaLockedStep(env: FaultEnv, addr: number, tid: number): LookupStep {
  const index = env.index;
  let vma: Vma | null;
  let lines = NO_LINES;
  if (env.config.collectLines) {
    const r = run(env, () => index.find(addr, tid));
    vma = r.vma;
    lines = r.lines;
  } else {
    vma = index.find(addr, tid);
  }
  return {
    op: 'lookup',
    lockless: false,
    addr,
    kind: 'find',
    lines,
    outcome: 'clean',
    semantics: index.semantics,
    found: vma === null ? -1 : vma.id,
    vma,
  };
}

/** find_vma() under the mmap lock, as a generator (yields the lookup step). */
export function* findVmaLocked(env: FaultEnv, addr: number, tid: number): StepGen<Vma | null> {
  const step = findVmaLockedStep(env, addr, tid);
  yield step;
  return step.vma;
}

/**
 * A lookup through a LocklessReader, performed now: `find` is find_vma() (Lespinasse's SPF), `lookup`
 * is mas_walk() (lock_vma_under_rcu()). The step reports the reader's outcome; the caller yields it and
 * reads the VMA from `step.vma`. Fast paths use this rather than locklessLookup() so that the lookup
 * costs no generator of its own (each generator level is paid again on every later step it relays).
 */
export function locklessLookupStep(
  env: FaultEnv,
  reader: LocklessReader<Vma>,
  addr: number,
  kind: 'find' | 'lookup',
): LookupStep {
  let vma: Vma | null;
  let lines = NO_LINES;
  if (env.config.collectLines) {
    const r = run(env, () => (kind === 'find' ? reader.find(addr) : reader.lookup(addr)));
    vma = r.vma;
    lines = r.lines;
  } else {
    // No closure and no result pair on the path that collects nothing (the fault benchmark's).
    vma = kind === 'find' ? reader.find(addr) : reader.lookup(addr);
  }
  return {
    op: 'lookup',
    lockless: true,
    addr,
    kind,
    lines,
    outcome: reader.outcome,
    semantics: env.index.semantics,
    found: vma === null ? -1 : vma.id,
    vma,
  };
}

/** locklessLookupStep() as a generator (yields the lookup step, returns the VMA). */
export function* locklessLookup(
  env: FaultEnv,
  reader: LocklessReader<Vma>,
  addr: number,
  kind: 'find' | 'lookup',
): StepGen<Vma | null> {
  const step = locklessLookupStep(env, reader, addr, kind);
  yield step;
  return step.vma;
}
