/**
 * A MESI-like cache-coherence cost model: every cache line the simulation touches has an owner (the
 * CPU that last wrote it and holds it Modified/Exclusive) or a set of sharers; each access is priced by
 * where the line currently is.
 *
 * - read by a CPU holding it (owner or sharer): an L1 hit;
 * - read of a line another CPU modified: a cache-to-cache transfer (SMT sibling, same socket or cross
 *   socket); the line becomes shared by both;
 * - read of a clean line cached elsewhere: an LLC hit when a sharer is on the same socket, a remote
 *   transfer otherwise; never cached at all: DRAM;
 * - write or atomic read-modify-write: the line is pulled exclusive — a transfer from the owner, or an
 *   invalidation round trip to the sharers (cross-socket when any sharer is on another socket), free
 *   when the writer is already the only holder; sharers are invalidated. Atomics add the locked-op
 *   cost on top.
 *
 * Occupancy: a line can be pulled exclusive by one CPU at a time. An exclusive access (write, atomic)
 * starts no earlier than the previous exclusive access to the line has finished, and occupies the line
 * for its own latency; a read that needs the line from elsewhere waits for an exclusive access in
 * flight. A read of a line another CPU holds Modified occupies the line for its transfer too (the
 * owner is snooped and forwards the line: one transaction at a time at the line's home agent); a read
 * of a clean copy does not (readers of a shared line fan out). This is what makes a line many CPUs
 * update (a lock word, a reference count) a serialization point: N CPUs hammering it get one transfer
 * each per transfer latency, and the waiting shows up as `stallPs`.
 *
 * No capacity: a line stays cached until another CPU writes it (the run windows are short and the
 * contended lines are few and hot). Lines are keyed `object id * 128 + line` (object ids come from
 * core's allocId, lines are < 128). Memory grows with the distinct lines touched.
 */
import type { CompiledCache } from './profile.js';

/** Access kinds. */
export const READ = 0;
export const WRITE = 1;
export const RMW = 2;

/** Lines per object in the key space. */
export const LINES_PER_OBJECT = 128;

/** The key of line `line` of object `obj`. */
export function lineKey(obj: number, line: number): number {
  return obj * LINES_PER_OBJECT + line;
}

/** Counters of the cache model. */
export interface CacheStats {
  /** Time accesses waited for a line another CPU's exclusive access occupied (ps). */
  stallPs: number;
  hits: number;
  llcHits: number;
  smtTransfers: number;
  sameSocketTransfers: number;
  crossSocketTransfers: number;
  memory: number;
}

/** The coherence state of every line touched, and the cost of each access. */
export class CacheModel {
  private readonly slots = new Map<number, number>();
  private owner: Int32Array;
  private sockMask: Uint32Array;
  private sharers: Uint32Array;
  private readonly words: number;
  private used = 0;
  private busy: Float64Array;
  readonly stats: CacheStats = {
    stallPs: 0,
    hits: 0,
    llcHits: 0,
    smtTransfers: 0,
    sameSocketTransfers: 0,
    crossSocketTransfers: 0,
    memory: 0,
  };

  constructor(
    private readonly socketOf: Int32Array,
    private readonly coreOf: Int32Array,
    private readonly c: CompiledCache,
  ) {
    this.words = Math.max(1, Math.ceil(socketOf.length / 32));
    const cap = 1024;
    this.owner = new Int32Array(cap).fill(-1);
    this.sockMask = new Uint32Array(cap);
    this.sharers = new Uint32Array(cap * this.words);
    this.busy = new Float64Array(cap);
  }

  /** Distinct lines tracked. */
  get lines(): number {
    return this.used;
  }

  private slot(key: number): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.used++;
      if (s >= this.owner.length) this.grow();
      this.slots.set(key, s);
    }
    return s;
  }

  private grow(): void {
    const cap = this.owner.length * 2;
    const o = new Int32Array(cap).fill(-1);
    o.set(this.owner);
    this.owner = o;
    const m = new Uint32Array(cap);
    m.set(this.sockMask);
    this.sockMask = m;
    const sh = new Uint32Array(cap * this.words);
    sh.set(this.sharers);
    this.sharers = sh;
    const b = new Float64Array(cap);
    b.set(this.busy);
    this.busy = b;
  }

  /** Cost of moving a line `from` → `to` (both CPUs). */
  private transfer(from: number, to: number): number {
    if (this.coreOf[from] === this.coreOf[to]) {
      this.stats.smtTransfers++;
      return this.c.smtTransfer;
    }
    if (this.socketOf[from] === this.socketOf[to]) {
      this.stats.sameSocketTransfers++;
      return this.c.sameSocketTransfer;
    }
    this.stats.crossSocketTransfers++;
    return this.c.crossSocketTransfer;
  }

  /**
   * Price access `kind` (READ, WRITE, RMW) by `cpu` to line `key`, issued at time `now`, and update
   * the line's state: the time until the access completes, waiting included. O(words).
   */
  access(cpu: number, key: number, kind: number, now: number): number {
    const s = this.slot(key);
    const busy = this.busy[s]!;
    const wait = busy > now ? busy - now : 0;
    const o = this.owner[s]!;
    const w = this.words;
    const base = s * w;
    const word = base + (cpu >> 5);
    const bit = 1 << (cpu & 31);
    const sockBit = 1 << this.socketOf[cpu]!;
    if (kind === READ) {
      if (o === cpu || (this.sharers[word]! & bit) !== 0) {
        this.stats.hits++;
        return this.c.l1Hit;
      }
      this.stats.stallPs += wait;
      let cost = wait;
      if (o >= 0) {
        cost += this.transfer(o, cpu);
        this.owner[s] = -1;
        this.sharers[base + (o >> 5)]! |= 1 << (o & 31);
        this.sockMask[s]! |= 1 << this.socketOf[o]!;
        // Fetching a line another core holds Modified needs that core snooped and the line
        // forwarded; the line's home agent runs one such transaction at a time, so the read occupies
        // the line like an exclusive access does (reads of a clean shared copy fan out).
        this.busy[s] = now + cost;
      } else if (this.sockMask[s] !== 0) {
        if ((this.sockMask[s]! & sockBit) !== 0) {
          this.stats.llcHits++;
          cost += this.c.llcHit;
        } else {
          this.stats.crossSocketTransfers++;
          cost += this.c.crossSocketTransfer;
        }
      } else {
        this.stats.memory++;
        cost += this.c.memory;
      }
      this.sharers[word]! |= bit;
      this.sockMask[s]! |= sockBit;
      return cost;
    }
    let cost: number;
    if (o === cpu && wait === 0) {
      this.stats.hits++;
      cost = this.c.l1Hit;
    } else if (o === cpu) {
      // Still ours, but another CPU's request is queued on it: the line leaves and comes back.
      this.stats.sameSocketTransfers++;
      cost = this.c.sameSocketTransfer;
    } else {
      if (o >= 0) cost = this.transfer(o, cpu);
      else if (this.sockMask[s] !== 0) {
        let others = false;
        for (let i = 0; i < w; i++) {
          const v = this.sharers[base + i]!;
          if ((base + i === word ? v & ~bit : v) !== 0) {
            others = true;
            break;
          }
        }
        if (!others) {
          // Only this CPU holds it: a silent upgrade (E/S → M).
          this.stats.hits++;
          cost = this.c.l1Hit;
        } else if ((this.sockMask[s]! & ~sockBit) !== 0) {
          this.stats.crossSocketTransfers++;
          cost = this.c.crossSocketTransfer;
        } else {
          this.stats.sameSocketTransfers++;
          cost = this.c.sameSocketTransfer;
        }
      } else {
        this.stats.memory++;
        cost = this.c.memory;
      }
      this.owner[s] = cpu;
      this.sharers.fill(0, base, base + w);
      this.sockMask[s] = sockBit;
    }
    if (kind === RMW) cost += this.c.atomicRmw;
    this.stats.stallPs += wait;
    this.busy[s] = now + wait + cost;
    return wait + cost;
  }

  /** The CPU holding `key` modified, or -1 (tests). */
  ownerOf(key: number): number {
    const s = this.slots.get(key);
    return s === undefined ? -1 : this.owner[s]!;
  }
}
