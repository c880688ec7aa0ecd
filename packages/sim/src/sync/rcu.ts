/**
 * RCU as the simulation needs it (Documentation/RCU/whatisRCU.rst; tree RCU's grace-period rule):
 * read-side critical sections per CPU (rcu_read_lock nesting), call_rcu() callbacks, and grace periods
 * that end once every CPU that was inside a read-side section when the grace period started has left
 * it (CPUs outside a section are in a quiescent state already), and no sooner than a minimum duration.
 * Callbacks queued while a grace period runs wait for the next one, as the kernel's segmented callback
 * lists do. Freed objects are reported through `onFree`.
 */

/** RCU state of the simulated machine. */
export class Rcu {
  /** rcu_read_lock() nesting per CPU. */
  readonly depth: Int32Array;
  private readonly mustReport: Uint8Array;
  private waitingCpus = 0;
  private active = false;
  private started = 0;
  private current: number[] = [];
  private next: number[] = [];
  /** Grace periods completed. */
  gracePeriods = 0;
  /** Objects queued with call_rcu(). */
  deferred = 0;
  /** Objects freed at the end of a grace period. */
  freed = 0;

  constructor(
    cpus: number,
    /** Minimum grace-period length (time units of the caller). */
    private readonly minDuration: number,
    private readonly onFree: (id: number) => void,
  ) {
    this.depth = new Int32Array(cpus);
    this.mustReport = new Uint8Array(cpus);
  }

  /** Callbacks not yet run. */
  get pending(): number {
    return this.current.length + this.next.length;
  }

  /** True while a grace period is in progress. */
  get inProgress(): boolean {
    return this.active;
  }

  /** rcu_read_lock() on `cpu`. */
  enter(cpu: number): void {
    this.depth[cpu]!++;
  }

  /**
   * rcu_read_unlock() on `cpu`; returns false when it was not inside a section (a protocol error the
   * caller reports).
   */
  exit(cpu: number): boolean {
    const d = this.depth[cpu]!;
    if (d <= 0) return false;
    this.depth[cpu] = d - 1;
    if (d === 1 && this.mustReport[cpu] === 1) {
      this.mustReport[cpu] = 0;
      this.waitingCpus--;
    }
    return true;
  }

  /** call_rcu() of object `id` at time `now`. */
  call(id: number, now: number): void {
    this.deferred++;
    if (this.active) this.next.push(id);
    else {
      this.current.push(id);
      this.start(now);
    }
  }

  private start(now: number): void {
    this.active = true;
    this.started = now;
    this.waitingCpus = 0;
    for (let c = 0; c < this.depth.length; c++) {
      const inside = this.depth[c]! > 0 ? 1 : 0;
      this.mustReport[c] = inside;
      this.waitingCpus += inside;
    }
  }

  /** End the grace period if it may end at `now`; returns the number of objects freed. O(1) if not. */
  poll(now: number): number {
    if (!this.active || this.waitingCpus > 0 || now < this.started + this.minDuration) return 0;
    const done = this.current;
    this.gracePeriods++;
    this.active = false;
    this.current = this.next;
    this.next = [];
    for (const id of done) {
      this.freed++;
      this.onFree(id);
    }
    if (this.current.length > 0) this.start(now);
    return done.length;
  }
}
