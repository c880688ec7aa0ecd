/**
 * The scheduler's event queue: each runnable CPU appears once, keyed by the virtual time at which its
 * current step completes. Ties are broken by insertion order (a global sequence number), so the order
 * of simultaneous events is a pure function of the run's inputs. A binary heap over CPU numbers with
 * the keys in typed arrays: push and pop are O(log CPUs) and allocate nothing.
 */
export class EventQueue {
  private readonly heap: Int32Array;
  private readonly time: Float64Array;
  private readonly order: Float64Array;
  private readonly queued: Uint8Array;
  private n = 0;
  private seq = 0;

  constructor(cpus: number) {
    this.heap = new Int32Array(cpus);
    this.time = new Float64Array(cpus);
    this.order = new Float64Array(cpus);
    this.queued = new Uint8Array(cpus);
  }

  /** CPUs queued. */
  get size(): number {
    return this.n;
  }

  /** True when `cpu` is queued. */
  has(cpu: number): boolean {
    return this.queued[cpu] === 1;
  }

  /** The time `cpu` was queued for (valid while queued). */
  timeOf(cpu: number): number {
    return this.time[cpu]!;
  }

  private less(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.order[a]! < this.order[b]!);
  }

  /** Queue `cpu` to run at `time`. It must not be queued already. */
  push(cpu: number, time: number): void {
    if (this.queued[cpu] === 1) throw new Error(`EventQueue: CPU ${cpu} is already queued`);
    this.queued[cpu] = 1;
    this.time[cpu] = time;
    this.order[cpu] = this.seq++;
    const h = this.heap;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pc = h[p]!;
      if (!this.less(cpu, pc)) break;
      h[i] = pc;
      i = p;
    }
    h[i] = cpu;
  }

  /** The CPU with the earliest event, or -1. */
  peek(): number {
    return this.n === 0 ? -1 : this.heap[0]!;
  }

  /** Remove and return the CPU with the earliest event (-1 when empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const h = this.heap;
    const top = h[0]!;
    this.queued[top] = 0;
    const last = h[--this.n]!;
    if (this.n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.n) break;
        const r = l + 1;
        const c = r < this.n && this.less(h[r]!, h[l]!) ? r : l;
        if (!this.less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
