/**
 * A reader-writer semaphore with the kernel's queueing rules (kernel/locking/rwsem.c, v6.12), as the
 * mmap_lock and the per-VMA lock (vma->vm_lock->lock) use it:
 *
 * - a reader gets the lock at once only when no writer holds it and nobody waits: a queued writer
 *   blocks new readers (RWSEM_FLAG_WAITERS sends them to rwsem_down_read_slowpath);
 * - down_read_trylock() fails when a writer holds the lock or anybody waits (RWSEM_READ_FAILED_MASK
 *   includes the waiters and handoff bits);
 * - a writer gets it when it is free and nobody waits;
 * - on release, rwsem_mark_wake(): a writer at the head of the queue is handed the lock; a reader at
 *   the head wakes every queued reader (up to MAX_READERS_WAKEUP = 256), writers staying queued;
 * - downgrade_write() turns the write hold into a read hold and wakes the queued readers the same way
 *   when a reader heads the queue.
 *
 * Simplification: strict FIFO hand-off — the behaviour the kernel switches to once a waiter has set
 * the handoff bit; optimistic spinning and lock stealing before that are not modelled. The engine
 * decides how long a hand-off takes (readers sleep, writers spin).
 */

/** MAX_READERS_WAKEUP of kernel/locking/rwsem.c. */
export const MAX_READERS_WAKEUP = 256;

/** A CPU the lock was handed to, and in which mode. */
export interface Grant {
  readonly cpu: number;
  readonly write: boolean;
}

/** No grants (shared, never mutated). */
const NONE: Grant[] = [];

/** rw_semaphore state. */
export class RwSem {
  /** Active readers. */
  readers = 0;
  /** CPU holding it for writing, or -1. */
  writer = -1;
  private readonly qCpu: number[] = [];
  private readonly qWrite: boolean[] = [];
  private head = 0;
  /** CPUs holding it for reading, by count (for diagnostics and the checker). */
  private readonly readHolders = new Map<number, number>();

  /** Nobody waits. */
  get idle(): boolean {
    return this.head === this.qCpu.length;
  }

  /** Queued waiters. */
  get waiting(): number {
    return this.qCpu.length - this.head;
  }

  /** True when `cpu` holds it for reading. */
  readHeldBy(cpu: number): boolean {
    return (this.readHolders.get(cpu) ?? 0) > 0;
  }

  private addReader(cpu: number): void {
    this.readers++;
    this.readHolders.set(cpu, (this.readHolders.get(cpu) ?? 0) + 1);
  }

  /** down_read(): true when granted now; otherwise `cpu` is queued. */
  read(cpu: number): boolean {
    if (this.writer < 0 && this.idle) {
      this.addReader(cpu);
      return true;
    }
    this.enqueue(cpu, false);
    return false;
  }

  /** down_read_trylock(). */
  tryRead(cpu: number): boolean {
    if (this.writer < 0 && this.idle) {
      this.addReader(cpu);
      return true;
    }
    return false;
  }

  /** down_write(): true when granted now; otherwise `cpu` is queued. */
  write(cpu: number): boolean {
    if (this.writer < 0 && this.readers === 0 && this.idle) {
      this.writer = cpu;
      return true;
    }
    this.enqueue(cpu, true);
    return false;
  }

  /** down_write_trylock(). */
  tryWrite(cpu: number): boolean {
    if (this.writer < 0 && this.readers === 0 && this.idle) {
      this.writer = cpu;
      return true;
    }
    return false;
  }

  private enqueue(cpu: number, write: boolean): void {
    if (this.head > 64 && this.head * 2 > this.qCpu.length) {
      this.qCpu.splice(0, this.head);
      this.qWrite.splice(0, this.head);
      this.head = 0;
    }
    this.qCpu.push(cpu);
    this.qWrite.push(write);
  }

  /** up_read(); returns the CPUs now granted. Returns null when `cpu` did not hold it. */
  releaseRead(cpu: number): Grant[] | null {
    const n = this.readHolders.get(cpu) ?? 0;
    if (n === 0) return null;
    if (n === 1) this.readHolders.delete(cpu);
    else this.readHolders.set(cpu, n - 1);
    this.readers--;
    return this.readers === 0 ? this.wake() : NONE;
  }

  /** up_write(); returns the CPUs now granted, or null when `cpu` did not hold it. */
  releaseWrite(cpu: number): Grant[] | null {
    if (this.writer !== cpu) return null;
    this.writer = -1;
    return this.wake();
  }

  /** downgrade_write(); returns the readers woken, or null when `cpu` did not hold it for writing. */
  downgrade(cpu: number): Grant[] | null {
    if (this.writer !== cpu) return null;
    this.writer = -1;
    this.addReader(cpu);
    if (this.idle || this.qWrite[this.head]) return NONE;
    return this.wakeReaders();
  }

  /** rwsem_mark_wake() with the lock free of writers. */
  private wake(): Grant[] {
    if (this.idle) return NONE;
    if (this.qWrite[this.head]) {
      if (this.readers > 0) return NONE;
      const cpu = this.qCpu[this.head++]!;
      this.writer = cpu;
      return [{ cpu, write: true }];
    }
    return this.wakeReaders();
  }

  /** Grant every queued reader (up to MAX_READERS_WAKEUP), keeping the writers queued in order. */
  private wakeReaders(): Grant[] {
    const out: Grant[] = [];
    const keepCpu: number[] = [];
    const keepWrite: boolean[] = [];
    for (let i = this.head; i < this.qCpu.length; i++) {
      if (!this.qWrite[i] && out.length < MAX_READERS_WAKEUP) {
        const cpu = this.qCpu[i]!;
        this.addReader(cpu);
        out.push({ cpu, write: false });
      } else {
        keepCpu.push(this.qCpu[i]!);
        keepWrite.push(this.qWrite[i]!);
      }
    }
    this.qCpu.length = 0;
    this.qWrite.length = 0;
    this.head = 0;
    for (let i = 0; i < keepCpu.length; i++) {
      this.qCpu.push(keepCpu[i]!);
      this.qWrite.push(keepWrite[i]!);
    }
    return out;
  }
}
