/**
 * Runs a step generator to completion where nothing can interleave: every lock is granted, sequence
 * counts come from the mm. Used for work the kernel does inside a system call the mm layer performs
 * atomically (populate after mmap / mlock) and by the synchronous fault driver's fast variant.
 */
import type { MmApi } from '@vmakit/core';
import type { Step, StepGen, StepResult } from './steps.js';

/** The value a step is resumed with when nothing contends. */
export function uncontendedResult(step: Step, mm: MmApi): StepResult {
  switch (step.op) {
    case 'acquire':
      return true;
    case 'seq-read':
      return step.seq === 'mmap_seq' ? mm.mmapSeq : mm.mmLockSeq;
    case 'seq-check':
      return (step.seq === 'mmap_seq' ? mm.mmapSeq : mm.mmLockSeq) === step.expected;
    default:
      return undefined;
  }
}

/** Run `gen` to completion without contention; returns its result. O(steps). */
export function drain<R>(gen: StepGen<R>, mm: MmApi): R {
  let r = gen.next();
  while (r.done !== true) r = gen.next(uncontendedResult(r.value, mm));
  return r.value;
}
