/**
 * One replay of a prepared workload through runFault, as the benchmark times it: the fault segments
 * (runs of consecutive faults) are timed, the system calls between them and the seeding of
 * protection faults (an untraced read that made the page present before the capture, see
 * @vmakit/replay's README) are not. The verification runs this very function, so the path timed is
 * the path checked.
 */
import { type Fnv1a, seedPresentPage } from '@vmakit/replay';
import {
  type FaultRequest,
  type FaultStrategy,
  type RunFaultOptions,
  runFault,
  X86_PF_PROT,
  X86_PF_WRITE,
} from '@vmakit/x86-fault';
import { hrtimeNow } from 'tinybench';
import type { FaultWorkload, WorkloadState } from './workloads.js';

/** Timings of one replay, in milliseconds. */
export interface TimedReplay {
  /** Time in fault segments, seeding excluded: the sample. */
  readonly faultMs: number;
  /** Wall time of the whole replay (system calls included): tinybench's budget cost. */
  readonly totalMs: number;
  /** Pages seeded before a traced protection fault. */
  readonly seeded: number;
}

/** runFault's fastest path: no lock-protocol bookkeeping, no step hooks (the kernel has neither). */
export const FAST_RUN: RunFaultOptions = Object.freeze({ checkLocks: false });

const SEED_BITS = X86_PF_PROT | X86_PF_WRITE;

/**
 * Replays `w` on `st` with `strategy`. With `outcomes`, each fault's outcome, signal code and major
 * flag is folded into it (the only difference from a timed run). `options` default to FAST_RUN.
 * O(events + faults' steps).
 */
export function replayOnce(
  w: FaultWorkload,
  st: WorkloadState,
  strategy: FaultStrategy,
  outcomes: Fnv1a | null,
  options: RunFaultOptions = FAST_RUN,
): TimedReplay {
  const events = w.events;
  const n = events.length;
  const env = st.env;
  let faultMs = 0;
  let seedMs = 0;
  let seeded = 0;
  const t0 = hrtimeNow();
  let i = 0;
  while (i < n) {
    const e = events[i]!;
    if (typeof e === 'function') {
      e(st);
      i++;
      continue;
    }
    const s = hrtimeNow();
    let req: FaultRequest | ((s: WorkloadState) => void) = e;
    do {
      const r = req as FaultRequest;
      if ((r.errorCode & SEED_BITS) === SEED_BITS) {
        const a = hrtimeNow();
        if (seedPresentPage(strategy, env, r, options)) seeded++;
        seedMs += hrtimeNow() - a;
      }
      const res = runFault(strategy, env, r, options);
      if (outcomes !== null) outcomes.add(`${res.outcome}:${res.code}:${res.major ? 1 : 0};`);
      i++;
      if (i >= n) break;
      req = events[i]!;
    } while (typeof req !== 'function');
    faultMs += hrtimeNow() - s;
  }
  return { faultMs: faultMs - seedMs, totalMs: hrtimeNow() - t0, seeded };
}
