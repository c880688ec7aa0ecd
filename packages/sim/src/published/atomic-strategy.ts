/**
 * Lespinasse's thought experiment as a runnable strategy (SPF RFC cover letter, 2021: "adding a single
 * atomic variable per vma, which would be incremented and decremented before and after spf copies the
 * vma, would decrease the 48-threads throughput by 62%"): a speculative strategy whose VMA copy is
 * bracketed by a read-modify-write of one line of the VMA, as a per-VMA reference count would be. The
 * published-figures comparison names it ATOMIC_STRATEGY; runners resolve that name with this wrapper.
 */
import type { FaultResult, FaultStrategy, StepGen } from '@vmakit/x86-fault';

/**
 * Line of the VMA the reference count would live on: a line of its own next to the fields the copy
 * reads, so that only the atomics — not the copy — contend for it.
 */
const REFCOUNT_LINE = 3;

/**
 * `base` with an atomic increment before and an atomic decrement after each `vma-copy` step; every
 * other step passes through unchanged, so the strategy's validation is untouched. O(1) per step.
 */
export function withAtomicPerVma(base: FaultStrategy): FaultStrategy {
  return {
    ...base,
    name: `${base.name}+atomic`,
    fault(env, req) {
      const inner = base.fault(env, req);
      return (function* (): StepGen<FaultResult> {
        let r = inner.next();
        while (r.done !== true) {
          const s = r.value;
          if (s.op === 'vma-copy') {
            yield { op: 'mem', access: 'rmw', obj: s.vma, line: REFCOUNT_LINE, what: 'vma' };
            const res = yield s;
            yield { op: 'mem', access: 'rmw', obj: s.vma, line: REFCOUNT_LINE, what: 'vma' };
            r = inner.next(res);
          } else {
            r = inner.next(yield s);
          }
        }
        return r.value;
      })();
    },
  };
}
