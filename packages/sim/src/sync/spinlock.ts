/**
 * A queued spinlock (qspinlock, kernel/locking/qspinlock.c): waiters are served in arrival order (the
 * MCS queue), a trylock fails while the lock is held or contended. Used for the split PTE locks, the
 * mm's page_table_lock, zone->lock and the lruvec lock. The engine prices the hand-off (the lock word's
 * cache line moving to the next waiter).
 */
export class SpinLock {
  /** CPU holding it, or -1. */
  holder = -1;
  private readonly queue: number[] = [];
  private head = 0;

  /** Queued waiters. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** spin_lock(): true when taken now; otherwise `cpu` is queued. */
  lock(cpu: number): boolean {
    if (this.holder < 0 && this.head === this.queue.length) {
      this.holder = cpu;
      return true;
    }
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.queue.push(cpu);
    return false;
  }

  /** spin_trylock(). */
  tryLock(cpu: number): boolean {
    if (this.holder < 0 && this.head === this.queue.length) {
      this.holder = cpu;
      return true;
    }
    return false;
  }

  /**
   * spin_unlock() by `cpu`: returns the next holder (-1 when nobody waits), or -2 when `cpu` did not
   * hold it.
   */
  unlock(cpu: number): number {
    if (this.holder !== cpu) return -2;
    if (this.head === this.queue.length) {
      this.holder = -1;
      return -1;
    }
    const next = this.queue[this.head++]!;
    this.holder = next;
    return next;
  }
}
