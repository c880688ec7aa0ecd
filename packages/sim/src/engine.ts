/**
 * The deterministic multi-CPU engine. N simulated CPUs share one address space (an MmStruct over the
 * chosen VmaIndex, with x86-fault's page tables attached); each CPU runs one workload thread program.
 *
 * Execution model. Every CPU executes actions: the steps of a fault (x86-fault's step protocol, from
 * the strategy's generator), the steps of a system call (writer.ts), and the engine's own actions.
 * Code between two yields of a generator runs atomically at the instant the previous action completed;
 * an action is resolved at the instant it is issued (a lock granted or queued, a sequence count read,
 * a cache line moved) and the CPU resumes when the action's cost has elapsed. The scheduler is an
 * event queue keyed by virtual time (picoseconds) with ties broken by queueing order, so a run is a
 * pure function of its inputs and seed: nothing reads the wall clock, Maps iterate in insertion
 * order, and object ids are only ever compared for identity.
 *
 * Locks are owned by the engine: rwsems (mmap_lock, per-VMA locks), queued spinlocks (split PTE
 * locks, page_table_lock, zone->lock, lruvec lock), RCU, and the sequence counts read from the mm.
 * A blocked CPU leaves the event queue until the lock is handed to it. Costs come from the machine
 * profile and the MESI-like cache model (cache.ts): every lock word, sequence count, VMA line, index
 * node line and page-table line an action touches moves between CPUs as the accesses dictate, so
 * contention emerges from the accesses rather than being assigned to strategies.
 */
import {
  type IndexProbe,
  type MmObserver,
  MmStruct,
  type Vma,
  type VmaIndex,
  VmakitError,
} from '@vmakit/core';
import {
  ACCESS_OK,
  type AccessKind,
  createFaultEnv,
  EV,
  type FaultEnv,
  type FaultRequest,
  type FaultResult,
  type FaultStrategy,
  hardwareAccess,
  PTRS_PER_TABLE,
  SIGKILL,
  type Step,
  type StepResult,
  VMSTAT_NAMES,
  ZERO_FRAME,
} from '@vmakit/x86-fault';
import {
  type Action,
  CAT,
  COST_CATEGORIES,
  LOCK_KIND,
  LOCK_KIND_NAMES,
  MM_LINE,
  PTL_LINE,
  type SimLines,
  type SimLock,
  type SimWork,
  simLines,
  VMA_LOCK_LINE,
  VMA_MARK_LINE,
} from './actions.js';
import { CacheModel, lineKey, READ, RMW, WRITE } from './cache.js';
import { SafetyChecker } from './checker.js';
import { EventQueue } from './heap.js';
import { planSyscall, type WritePlan } from './predict.js';
import { type CompiledProfile, type KernelCostName, WORK_INDEX, WORK_UNITS } from './profile.js';
import { randomStream } from './rng.js';
import { Rcu } from './sync/rcu.js';
import { RwSem } from './sync/rwsem.js';
import { readSeq } from './sync/seqcount.js';
import { SpinLock } from './sync/spinlock.js';
import { applySyscallOp, type SyscallOp } from './syscall-op.js';
import type { ThreadContext, ThreadProgram, Workload, WorkloadOp } from './workload.js';
import { initialStateOf, installInitialState } from './workloads/initial-state.js';
import { syscallProgram, type WriterEffects, type WriterHost } from './writer.js';

/** Options of one engine run (validated by runSim). */
export interface EngineOptions {
  readonly workload: Workload;
  readonly strategy: FaultStrategy;
  readonly createIndex: () => VmaIndex<Vma>;
  readonly profile: CompiledProfile;
  readonly seed: number;
  /** Warm-up before the measured window (ps). */
  readonly warmupPs: number;
  /** Measured window (ps). */
  readonly durationPs: number;
  /** Stop after this many workload operations in the window (Infinity: no limit). */
  readonly maxOps: number;
  readonly checker: boolean;
  /** Engine mutant: free detached VMAs when the update is published, without a grace period. */
  readonly freeWithoutRcu: boolean;
  /** Safety valve against runaway runs. */
  readonly maxSteps: number;
  /** Shared map handed to the thread contexts. */
  readonly shared?: Map<string, number>;
  /** Bucket width (ps) of the fault timeline from the threads' start (0: no timeline). */
  readonly timelinePs?: number;
}

/** Raw counters of a run (run-sim.ts turns them into a SimPoint). */
export interface EngineResult {
  readonly windowPs: number;
  readonly steps: number;
  readonly setupSteps: number;
  readonly faults: number;
  readonly faultsByPath: Record<string, number>;
  readonly faultsByOutcome: Record<string, number>;
  readonly iterations: number;
  readonly workloadOps: number;
  readonly syscalls: number;
  readonly aborts: Record<string, number>;
  /** VMA lookups in the window: under a lock, and lockless ones by outcome. */
  readonly lookups: { locked: number; clean: number; restarted: number; missed: number };
  readonly vmstat: Record<string, number>;
  readonly lockWaitPs: Record<string, number>;
  readonly costPs: Record<string, number>;
  readonly cache: Record<string, number>;
  readonly rcu: { gracePeriods: number; deferred: number; freed: number; pending: number };
  readonly tlbShootdowns: number;
  readonly engineConflicts: number;
  readonly placementMispredictions: number;
  readonly accessRetryLimit: number;
  readonly checker: SafetyChecker | null;
  readonly stoppedBy: 'duration' | 'max-ops' | 'threads-exited';
  readonly cacheLines: number;
  /** Faults completed per timeline bucket since the threads started (empty without a timeline). */
  readonly timeline: readonly number[];
}

/** A blocked action's result marker. */
const BLOCKED = -1;
/** A fault that keeps re-faulting on the same access gives up after this many attempts. */
const ACCESS_RETRY_LIMIT = 64;
/** Actions a CPU may run at one instant before the engine calls it a livelock. */
const ZERO_TIME_LIMIT = 1_000_000;

/** Stream number of the per-CPU page-list start levels (thread streams are 1..cpus, the scheduler 0). */
const PCP_STREAM = 0x40000000;

const GEN_NONE = 0;
const GEN_FAULT = 1;
const GEN_SYSCALL = 2;

/**
 * The fast-path counters (vmstat indices) that are counted with their fault, in the window it
 * completes in: the per-VMA lock outcomes and the speculative attempts and aborts.
 */
const FAST_PATH_COUNTERS: readonly number[] = [
  EV.vma_lock_success,
  EV.vma_lock_abort,
  EV.vma_lock_retry,
  EV.vma_lock_miss,
  EV.spf_attempt,
  EV.spf_abort,
];

/** Per-CPU state. */
class Cpu {
  prog: ThreadProgram | null = null;
  /** What the thread program is resumed with next. */
  progRes = 0;
  done = true;
  gen: Generator<Action, unknown, StepResult> | null = null;
  genKind = GEN_NONE;
  res: StepResult = undefined;
  readonly queue: Action[] = [];
  qHead = 0;
  extraPs = 0;
  penaltyPs = 0;
  blockedAt = -1;
  blockedKind = -1;
  /** Locks held (lock-table keys), for protocol checks. */
  readonly held: number[] = [];
  heldAtFault = 0;
  accessAddr = 0;
  accessKind: AccessKind | null = null;
  accessRetries = 0;
  faultReq: FaultRequest | null = null;
  /** FAST_PATH_COUNTERS counted so far by the fault in flight (see Engine.withoutInFlight). */
  readonly faultCounters = new Float64Array(FAST_PATH_COUNTERS.length);
  /** Abort reasons of the fault in flight, counted with it when it completes in the window. */
  readonly faultAbortReasons: string[] = [];
  pcp = 0;
  lruAdd = 0;
  lruFree = 0;
  started = false;
  constructor(readonly id: number) {}
}

/** Records the index traffic of a writer's system call. */
class ProbeRecorder implements IndexProbe {
  reads: number[] = [];
  writes: number[] = [];
  allocs = 0;
  retired: number[] = [];
  retiredDeferred: boolean[] = [];
  read(node: number, line: number): void {
    this.reads.push(node, line);
  }
  write(node: number, line: number): void {
    this.writes.push(node, line);
  }
  alloc(node: number, bytes: number): void {
    this.allocs++;
    for (let l = 0; l < Math.ceil(bytes / 64); l++) this.writes.push(node, l);
  }
  retire(node: number, deferred: boolean): void {
    this.retired.push(node);
    this.retiredDeferred.push(deferred);
  }
  reset(): void {
    this.reads = [];
    this.writes = [];
    this.allocs = 0;
    this.retired = [];
    this.retiredDeferred = [];
  }
}

/** The engine's view of mm changes; registered before the page-table observer. */
class SimObserver implements MmObserver {
  constructor(private readonly e: Engine) {}
  vmaStartWrite(vma: Vma): void {
    this.e.onVmaMarked(vma);
  }
  vmaDetached(vma: Vma): void {
    this.e.onVmaDetached(vma);
  }
  zapRange(start: number, end: number): void {
    this.e.onPteRange(start, end, true);
  }
  changeProtection(start: number, end: number): void {
    this.e.onPteRange(start, end, false);
  }
  movePageTables(oldStart: number, _newStart: number, len: number): void {
    this.e.onPteRange(oldStart, oldStart + len, false);
  }
}

/** One simulation. Create, call run() once. */
export class Engine implements WriterHost {
  readonly mm: MmStruct;
  readonly env: FaultEnv;
  readonly index: VmaIndex<Vma>;
  readonly mmObj: number;
  readonly cpus: number;
  readonly freeChunk: number;
  private readonly cpu: Cpu[];
  private readonly q: EventQueue;
  private readonly cache: CacheModel;
  private readonly rcu: Rcu;
  private readonly chk: SafetyChecker | null;
  private readonly p: CompiledProfile;
  private readonly nw = WORK_UNITS.length;
  private readonly locks = new Map<number, RwSem | SpinLock>();
  private readonly mmapLock = new RwSem();
  private readonly zoneLock: SpinLock[];
  private readonly lruLock: SpinLock[];
  private readonly zoneKey: number[];
  private readonly lruKey: number[];
  /** Per-CPU preallocated lock-section actions. */
  private readonly zoneSection: Action[][];
  private readonly lruSection: Action[][];
  private readonly userAccess: SimWork[];
  private readonly recorder = new ProbeRecorder();
  /** Start of each CPU's current RCU read-side section (ps). */
  private readonly rcuSince: Float64Array;
  /** Objects handed to RCU: when they were unlinked (ps) and what they are. */
  private readonly unlinked = new Map<number, { readonly at: number; readonly what: string }>();
  private now = 0;
  private cur = -1;
  private steps = 0;
  private warmStart = Number.POSITIVE_INFINITY;
  private windowEnd = Number.POSITIVE_INFINITY;
  private inWindow = false;
  private stopped = false;
  private stoppedBy: EngineResult['stoppedBy'] = 'duration';
  // Window counters.
  private faults = 0;
  private iterations = 0;
  private workloadOps = 0;
  private syscalls = 0;
  private readonly faultsByPath: Record<string, number> = {};
  private readonly faultsByOutcome: Record<string, number> = {};
  private readonly aborts: Record<string, number> = {};
  private readonly lookups = { locked: 0, clean: 0, restarted: 0, missed: 0 };
  private readonly lockWait = new Float64Array(LOCK_KIND_NAMES.length);
  private readonly cost = new Float64Array(COST_CATEGORIES.length);
  private vmstatAtWarm: Float64Array | null = null;
  private readonly fastPathSnap = new Float64Array(FAST_PATH_COUNTERS.length);
  private rcuAtWarm = { gracePeriods: 0, deferred: 0, freed: 0 };
  private cacheAtWarm: Record<string, number> | null = null;
  private tlbShootdowns = 0;
  private engineConflicts = 0;
  private placementMispredictions = 0;
  private accessRetryLimit = 0;
  private threadsStart = -1;
  private readonly timeline: number[] = [];
  // Writer state.
  private premarking = false;
  private bracketOpen = false;
  private readonly detachedQueue: Vma[] = [];
  private readonly markedDuring: Vma[] = [];
  private pteLines: number[] = [];
  private pagesFreed = 0;
  private ptesChanged = 0;
  private readonly freeWithoutRcu: boolean;
  private readonly rbtreeEra: boolean;

  constructor(private readonly o: EngineOptions) {
    const p = o.profile;
    this.p = p;
    this.cpus = p.cpus;
    this.freeWithoutRcu = o.freeWithoutRcu;
    const initial = initialStateOf(o.workload);
    this.index = o.createIndex();
    this.rbtreeEra = this.index.era === 'rbtree-era';
    this.mm = new MmStruct(this.index, initial?.config ?? {});
    // The engine's observer first: it must see a zap before the page-table observer performs it.
    this.mm.observe(new SimObserver(this));
    this.env = createFaultEnv(this.mm, { mmUsers: Math.max(2, this.cpus) });
    this.mmObj = this.env.mmObj;
    this.index.probe = null;
    this.wrapSetPte();
    if (initial !== null) installInitialState(this.mm, initial);
    this.cpu = Array.from({ length: this.cpus }, (_, i) => new Cpu(i));
    // Per-CPU page lists start in the steady state of the workload's measured phase. 'high'
    // (pcp->high): a thread that frees what it allocates (page_fault*, mixed, ebizzy, malloc1).
    // 'refill-cycle': an allocation-only thread (pft) empties its list and refills it one batch at a
    // time (rmqueue_bulk under zone->lock), so in steady state each list holds between 0 and
    // pcp->batch - 1 pages, independently of the other CPUs; a seeded level per CPU starts the run
    // there. Starting every list at the same level would make all CPUs refill at the same moment, a
    // transient real runs leave behind within their first milliseconds.
    if (o.workload.pcpStart === 'refill-cycle') {
      const r = randomStream(o.seed, PCP_STREAM);
      for (const c of this.cpu) c.pcp = Math.floor(r() * p.kernelBase.pcpBatch);
    } else {
      for (const c of this.cpu) c.pcp = p.kernelBase.pcpHigh;
    }
    this.q = new EventQueue(this.cpus);
    this.cache = new CacheModel(p.socketOf, p.coreOf, p.cache);
    this.rcuSince = new Float64Array(this.cpus);
    this.rcu = new Rcu(this.cpus, p.kernelBase.rcuGracePeriod, (id) => {
      const u = this.unlinked.get(id);
      this.unlinked.delete(id);
      this.freeNow(id, u?.what ?? 'object', u?.at ?? this.now);
    });
    this.freeChunk = p.kernelBase.pcpBatch;
    this.chk = o.checker
      ? new SafetyChecker({
          mm: this.mm,
          env: this.env,
          cpus: this.cpus,
          now: () => this.now,
          inRcu: (c) => this.rcu.depth[c]! > 0,
          rcuSince: (c) => this.rcuSince[c]!,
          readHolders: (id) => this.readHolders(id),
        })
      : null;
    this.zoneLock = [];
    this.lruLock = [];
    this.zoneKey = [];
    this.lruKey = [];
    for (let s = 0; s < p.sockets; s++) {
      this.zoneLock.push(new SpinLock());
      this.lruLock.push(new SpinLock());
      // Distinct objects per node: negative keys cannot collide with allocId() objects.
      this.zoneKey.push(lineKey(-(2 * s + 1), 0));
      this.lruKey.push(lineKey(-(2 * s + 2), 0));
    }
    this.zoneSection = [];
    this.lruSection = [];
    this.userAccess = [];
    for (let c = 0; c < this.cpus; c++) {
      const node = p.socketOf[c]!;
      const batch = p.kernelBase.pcpBatch;
      const lruBatch = p.kernelBase.lruBatch;
      this.zoneSection.push(
        this.section(
          this.zoneLock[node]!,
          this.zoneKey[node]!,
          LOCK_KIND.zone,
          batch * p.kernel(c, 'zonePerPage'),
          CAT['zone-lock'],
        ),
      );
      this.lruSection.push(
        this.section(
          this.lruLock[node]!,
          this.lruKey[node]!,
          LOCK_KIND.lru,
          lruBatch * p.kernel(c, 'lruPerPage'),
          CAT['lru-lock'],
        ),
      );
      this.userAccess.push({ op: 'sim-work', ps: p.kernel(c, 'userAccess'), cat: CAT.user });
    }
  }

  private section(lock: SpinLock, key: number, kind: number, ps: number, cat: number): Action[] {
    const acq: SimLock = { op: 'sim-lock', lock, key, acquire: true, kind };
    const rel: SimLock = { op: 'sim-lock', lock, key, acquire: false, kind };
    return [acq, { op: 'sim-work', ps, cat }, rel];
  }

  /** Every set_pte_at() goes through the checker (PageTables has no hook; the instance is wrapped). */
  private wrapSetPte(): void {
    const pt = this.env.pt;
    const orig = pt.setPte.bind(pt);
    pt.setPte = (slot: number, frame: number, flags: number): void => {
      orig(slot, frame, flags);
      if (this.chk !== null && this.cur >= 0) {
        const c = this.cpu[this.cur]!;
        this.chk.pteSet(this.cur, slot, frame, flags, c.genKind === GEN_FAULT);
      }
    };
  }

  // ---- WriterHost --------------------------------------------------------------------------

  kernelPs(cpu: number, name: KernelCostName): number {
    return this.p.kernel(cpu, name);
  }

  plan(cpu: number, op: SyscallOp): WritePlan {
    this.recorder.reset();
    this.index.probe = this.recorder;
    let plan: WritePlan;
    try {
      plan = planSyscall(this.mm, op);
    } finally {
      this.index.probe = null;
    }
    const r = this.recorder.reads;
    let ps = 0;
    for (let i = 0; i < r.length; i += 2)
      ps += this.cache.access(cpu, lineKey(r[i]!, r[i + 1]!), READ, this.now);
    this.cpu[cpu]!.extraPs += ps;
    this.addCost(CAT.cache, ps);
    return plan;
  }

  premark(v: Vma): void {
    this.premarking = true;
    try {
      this.mm.vmaStartWrite(v);
    } finally {
      this.premarking = false;
    }
  }

  tables(ranges: readonly number[]): number[] {
    const out: number[] = [];
    const pt = this.env.pt;
    const PMD = 2 * 1024 * 1024;
    for (let i = 0; i < ranges.length; i += 2) {
      const start = ranges[i]!;
      const end = ranges[i + 1]!;
      // Ranges wider than the user half only happen with bad input; the call itself rejects them.
      if (!(end > start) || end - start > 2 ** 47) continue;
      for (let a = Math.floor(start / PMD) * PMD; a < end; a += PMD) {
        const t = pt.pteTableOf(a);
        if (t !== 0) {
          const id = pt.objId[t]!;
          if (!out.includes(id)) out.push(id);
        }
      }
    }
    return out;
  }

  execute(cpu: number, op: SyscallOp, plan: WritePlan): WriterEffects {
    const snap = plan.vmas.map((v) => [v.start, v.end, v.flags, v.flagsHigh, v.pageProt, v.pgoff] as const);
    const files = plan.vmas.map((v) => v.file);
    const counts = this.env.vmstat.counts;
    const tablesBefore = counts[EV.pgtable_alloc]!;
    const populateBefore = counts[EV.populate_faults]!;
    this.recorder.reset();
    this.pteLines = [];
    this.pagesFreed = 0;
    this.ptesChanged = 0;
    this.markedDuring.length = 0;
    if (plan.write) {
      this.index.beginUpdate();
      this.bracketOpen = true;
    }
    this.index.probe = this.recorder;
    let result: number;
    try {
      result = applySyscallOp(this.mm, op);
    } finally {
      this.index.probe = null;
    }
    let touched = this.markedDuring.length;
    plan.vmas.forEach((v, i) => {
      const s = snap[i]!;
      const changed =
        v.detached ||
        v.start !== s[0] ||
        v.end !== s[1] ||
        v.flags !== s[2] ||
        v.flagsHigh !== s[3] ||
        v.pageProt !== s[4] ||
        v.pgoff !== s[5] ||
        v.file !== files[i];
      if (!changed) return;
      touched++;
      this.chk?.modified(v, cpu);
      const holders = this.readHolders(v.id);
      if (holders.length > 0) this.chk?.modifiedWhileLocked(v, holders);
      this.recorder.writes.push(v.id, VMA_MARK_LINE);
    });
    if (op.op === 'mmap' && plan.placement >= 0 && result >= 0 && result !== plan.placement) {
      this.placementMispredictions++;
    }
    const r = this.recorder;
    const rcuCalls = r.retired.length + this.detachedQueue.length;
    return {
      result,
      reads: r.reads,
      writes: r.writes,
      nodeAllocs: r.allocs,
      rcuCalls,
      vmasTouched: touched,
      pteLines: this.pteLines,
      pagesFreed: this.pagesFreed,
      ptesChanged: this.ptesChanged,
      populated: counts[EV.populate_faults]! - populateBefore,
      tablesAllocated: counts[EV.pgtable_alloc]! - tablesBefore,
    };
  }

  publish(_cpu: number): void {
    if (this.bracketOpen) {
      this.bracketOpen = false;
      this.index.publish();
    }
    // Objects become unreachable only now: hand them to RCU.
    for (const v of this.detachedQueue) this.retire(v.id, true, describeVma(v));
    this.detachedQueue.length = 0;
    const r = this.recorder;
    if (!this.rbtreeEra) {
      // In the rbtree era the tree links live in the VMA: its lifetime is the VMA's.
      for (let i = 0; i < r.retired.length; i++)
        this.retire(r.retired[i]!, r.retiredDeferred[i]!, 'index node');
    }
    r.retired = [];
    r.retiredDeferred = [];
  }

  private retire(id: number, deferred: boolean, what: string): void {
    const vma = what.startsWith('VMA');
    if (deferred && !(this.freeWithoutRcu && vma)) {
      if (this.chk !== null) this.unlinked.set(id, { at: this.now, what });
      this.rcu.call(id, this.now);
    } else {
      this.freeNow(id, what, this.now);
    }
  }

  private freeNow(id: number, what: string, unlinkedAt: number): void {
    this.chk?.freedNow(id, what, unlinkedAt);
  }

  // ---- observer callbacks -----------------------------------------------------------------

  /** vma_start_write() by MmStruct (not the engine's premarking). */
  onVmaMarked(v: Vma): void {
    if (this.premarking) return;
    this.chk?.modified(v, this.cur);
    this.markedDuring.push(v);
    const holders = this.readHolders(v.id);
    if (holders.some((c) => c !== this.cur)) this.engineConflicts++;
  }

  /** A VMA left the tree. */
  onVmaDetached(v: Vma): void {
    this.chk?.modified(v, this.cur);
    if (this.bracketOpen) this.detachedQueue.push(v);
    // Outside the engine's bracket (a fault's stack expansion) MmStruct has published already.
    else this.retire(v.id, true, describeVma(v));
  }

  /** PTEs of [start, end) are about to be cleared (`zap`) or changed: record their lines. */
  onPteRange(start: number, end: number, zap: boolean): void {
    const pt = this.env.pt;
    const PMD = 2 * 1024 * 1024;
    if (!(end > start) || end - start > 2 ** 47) return;
    for (let a = Math.floor(start / PMD) * PMD; a < end; a += PMD) {
      const t = pt.pteTableOf(a);
      if (t === 0) continue;
      const from = Math.max(start, a);
      const to = Math.min(end, a + PMD);
      const i0 = Math.floor((from % PMD) / 4096);
      const i1 = to === a + PMD ? PTRS_PER_TABLE : Math.floor((to % PMD) / 4096);
      const obj = pt.objId[t]!;
      let lastLine = -1;
      for (let i = i0; i < i1; i++) {
        const slot = t * PTRS_PER_TABLE + i;
        const flags = pt.pteFlags[slot]!;
        if (flags === 0) continue;
        this.ptesChanged++;
        if (zap) {
          const frame = pt.entries[slot]!;
          if (frame !== ZERO_FRAME && this.env.phys.refcount[frame] === 1) this.pagesFreed++;
        }
        const line = i >> 3;
        if (line !== lastLine) {
          this.pteLines.push(obj, line);
          lastLine = line;
        }
      }
    }
  }

  // ---- locks ------------------------------------------------------------------------------

  private rwsem(kind: number, id: number): RwSem {
    if (kind === LOCK_KIND.mmap_lock) return this.mmapLock;
    const key = id * 8 + kind;
    let l = this.locks.get(key);
    if (l === undefined) {
      l = new RwSem();
      this.locks.set(key, l);
    }
    return l as RwSem;
  }

  private spin(kind: number, id: number): SpinLock {
    const key = id * 8 + kind;
    let l = this.locks.get(key);
    if (l === undefined) {
      l = new SpinLock();
      this.locks.set(key, l);
    }
    return l as SpinLock;
  }

  /** CPUs holding VMA `id`'s lock for reading. */
  readHolders(id: number): number[] {
    const l = this.locks.get(id * 8 + LOCK_KIND.vma_lock) as RwSem | undefined;
    if (l === undefined || l.readers === 0) return [];
    const out: number[] = [];
    for (let c = 0; c < this.cpus; c++) if (l.readHeldBy(c)) out.push(c);
    return out;
  }

  private lockLine(kind: number, id: number): number {
    switch (kind) {
      case LOCK_KIND.mmap_lock:
        return lineKey(id, MM_LINE.mmapLockCount);
      case LOCK_KIND.vma_lock:
        return lineKey(id, VMA_LOCK_LINE);
      case LOCK_KIND.page_table_lock:
        return lineKey(id, MM_LINE.pageTableLock);
      default:
        return lineKey(id, PTL_LINE);
    }
  }

  private holdPush(c: Cpu, key: number): void {
    c.held.push(key);
  }

  private holdDrop(c: Cpu, key: number, what: string): void {
    const i = c.held.lastIndexOf(key);
    if (i < 0) throw this.protocolError(c, `release of ${what}, which it does not hold`);
    c.held.splice(i, 1);
  }

  private protocolError(c: Cpu, msg: string): VmakitError {
    const who =
      c.genKind === GEN_FAULT ? `fault at 0x${(c.faultReq?.addr ?? 0).toString(16)}` : 'system call';
    return new VmakitError(
      `simulation: CPU ${c.id} (${who}, ${this.o.strategy.name}) at ${Math.floor(this.now / 1000)} ns: ${msg}`,
    );
  }

  /**
   * Account a wait that ended now, and hand `cpu` the lock: it resumes once the lock word's line has
   * reached it (`lineCost`) and, for a sleeping waiter, once it has been woken.
   */
  private grant(cpu: number, lineCost: number, sleeper: boolean): void {
    const c = this.cpu[cpu]!;
    this.endWait(c);
    c.res = true;
    let t = lineCost;
    if (sleeper) t += this.p.kernel(cpu, 'rwsemWakeup');
    if (this.inWindow) this.cost[CAT.cache] += lineCost;
    this.q.push(cpu, this.now + t);
  }

  private startWait(c: Cpu, kind: number): void {
    c.blockedAt = this.now;
    c.blockedKind = kind;
  }

  private endWait(c: Cpu): void {
    if (c.blockedAt < 0) return;
    const from = Math.max(c.blockedAt, this.warmStart);
    const to = Math.min(this.now, this.windowEnd);
    if (to > from) this.lockWait[c.blockedKind]! += to - from;
    c.blockedAt = -1;
    c.blockedKind = -1;
  }

  private grantRw(kind: number, id: number, grants: readonly { cpu: number; write: boolean }[]): void {
    const key = this.lockLine(kind, id);
    const lk = id * 8 + kind;
    for (const g of grants) {
      const c = this.cpu[g.cpu]!;
      this.holdPush(c, lk);
      let cost = this.cache.access(g.cpu, key, RMW, this.now);
      if (kind === LOCK_KIND.mmap_lock)
        cost += this.cache.access(g.cpu, lineKey(id, MM_LINE.mmapLockOwner), WRITE, this.now);
      // Readers sleep in rwsem_down_read_slowpath; writers spin on the owner (rwsem_optimistic_spin).
      this.grant(g.cpu, cost, !g.write);
      if (c.genKind === GEN_FAULT) this.onFaultLockGranted(g.cpu, kind, id);
    }
  }

  private onFaultLockGranted(cpu: number, kind: number, id: number): void {
    if (this.chk === null) return;
    if (kind === LOCK_KIND.mmap_lock) this.chk.validationStart(cpu);
    else if (kind === LOCK_KIND.vma_lock) {
      this.chk.touchVma(cpu, id);
      this.chk.validationStart(cpu);
    }
  }

  private execAcquire(c: Cpu, s: Extract<Step, { op: 'acquire' }>): number {
    const cpu = c.id;
    const kind = LOCK_KIND[s.lock];
    const lk = s.id * 8 + kind;
    const key = this.lockLine(kind, s.id);
    if (s.lock === 'mmap_lock' || s.lock === 'vma_lock') {
      const l = this.rwsem(kind, s.id);
      let ok: boolean;
      // A fault takes the mmap_lock with down_read_trylock() first (get_mmap_lock_carefully(),
      // mm/memory.c v6.12; v5.x do_user_addr_fault() likewise), and only when that fails with
      // down_read()'s single fetch-and-add; the per-VMA lock is only ever trylocked.
      const trylock =
        s.mode === 'read-try' ||
        (s.mode === 'read' && kind === LOCK_KIND.mmap_lock && c.genKind === GEN_FAULT);
      if (trylock) return this.execTryRead(c, l, s.mode === 'read', kind, s.id, key, lk);
      switch (s.mode) {
        case 'read':
          ok = l.read(cpu);
          break;
        case 'write':
          ok = l.write(cpu);
          break;
        default:
          throw this.protocolError(c, `acquire of ${s.lock} in mode ${s.mode}`);
      }
      if (!ok) {
        this.startWait(c, kind);
        return BLOCKED;
      }
      this.holdPush(c, lk);
      c.res = true;
      let cost = this.lineCost(cpu, key, RMW);
      if (kind === LOCK_KIND.mmap_lock)
        cost += this.lineCost(cpu, lineKey(s.id, MM_LINE.mmapLockOwner), WRITE);
      if (c.genKind === GEN_FAULT) this.onFaultLockGranted(cpu, kind, s.id);
      return cost;
    }
    const l = this.spin(kind, s.id);
    if (s.mode === 'spin-try') {
      if (!l.tryLock(cpu)) {
        c.res = false;
        return this.lineCost(cpu, key, READ);
      }
    } else if (s.mode === 'spin') {
      if (!l.lock(cpu)) {
        this.startWait(c, kind);
        return BLOCKED;
      }
    } else {
      throw this.protocolError(c, `acquire of ${s.lock} in mode ${s.mode}`);
    }
    this.holdPush(c, lk);
    c.res = true;
    return this.lineCost(cpu, key, RMW);
  }

  /**
   * down_read_trylock() of rwsem `l` (then down_read() when `fallback`, as a fault's mmap_lock
   * acquisition does). v6.12's __down_read_trylock() (kernel/locking/rwsem.c) reads the count, then
   * cmpxchg()es it: two accesses to the count line, the second queued as a follow-up so that another
   * CPU's access can take the line in between, as it can on hardware. (v5.1-v5.16 — commit
   * ddb20d1d3aed until commit 14c240488411 — cmpxchg()ed first assuming the lock free, which fails
   * whenever other readers hold it, and then cmpxchg()ed again: "most threads almost need to run at
   * least 2 times of cmpxchg"; under contention that is the same two line acquisitions.) A reader then
   * records itself as owner (rwsem_set_reader_owned()): a separate line for the mmap_lock (mm_struct
   * layout, v6.12 comment above mmap_lock), the same 40-byte object for the per-VMA lock.
   */
  private execTryRead(
    c: Cpu,
    l: RwSem,
    fallback: boolean,
    kind: number,
    id: number,
    key: number,
    lk: number,
  ): number {
    const cpu = c.id;
    let cost = this.lineCost(cpu, key, READ);
    const ok = fallback ? l.read(cpu) : l.tryRead(cpu);
    if (!ok) {
      if (!fallback) {
        c.res = false;
        return cost;
      }
      // down_read()'s fetch-and-add is priced when the lock is handed over; the failed trylock's read
      // is paid once the CPU runs again.
      c.extraPs += cost;
      this.startWait(c, kind);
      return BLOCKED;
    }
    this.holdPush(c, lk);
    c.res = true;
    if (c.qHead === c.queue.length) {
      c.queue.length = 0;
      c.qHead = 0;
    }
    c.queue.push(kind === LOCK_KIND.mmap_lock ? this.countRmw(id) : simLines(RMW, [id, VMA_LOCK_LINE]));
    if (kind === LOCK_KIND.mmap_lock) cost += this.lineCost(cpu, lineKey(id, MM_LINE.mmapLockOwner), WRITE);
    if (c.genKind === GEN_FAULT) this.onFaultLockGranted(cpu, kind, id);
    return cost;
  }

  private countRmwAction: SimLines | null = null;

  /** The cmpxchg on the mm's mmap_lock count line (one shared action: the mm never changes). */
  private countRmw(mmObj: number): SimLines {
    if (this.countRmwAction === null) this.countRmwAction = simLines(RMW, [mmObj, MM_LINE.mmapLockCount]);
    return this.countRmwAction;
  }

  private execRelease(c: Cpu, s: Extract<Step, { op: 'release' }>): number {
    const cpu = c.id;
    const kind = LOCK_KIND[s.lock];
    const lk = s.id * 8 + kind;
    const key = this.lockLine(kind, s.id);
    this.holdDrop(c, lk, `${s.lock}#${s.id}`);
    if (s.lock === 'mmap_lock' || s.lock === 'vma_lock') {
      const l = this.rwsem(kind, s.id);
      const grants = s.mode === 'write' ? l.releaseWrite(cpu) : l.releaseRead(cpu);
      if (grants === null) throw this.protocolError(c, `release of ${s.lock}#${s.id} ${s.mode}, not held so`);
      let cost = this.lineCost(cpu, key, RMW);
      if (kind === LOCK_KIND.mmap_lock && s.mode === 'write') {
        cost += this.lineCost(cpu, lineKey(s.id, MM_LINE.mmapLockOwner), WRITE);
      }
      if (grants.length > 0) this.grantRw(kind, s.id, grants);
      return cost;
    }
    const l = this.spin(kind, s.id);
    const next = l.unlock(cpu);
    if (next === -2) throw this.protocolError(c, `release of ${s.lock}#${s.id}, not held`);
    const cost = this.lineCost(cpu, key, WRITE);
    if (next >= 0) {
      this.holdPush(this.cpu[next]!, lk);
      this.grant(next, this.cache.access(next, key, RMW, this.now), false);
    }
    return cost;
  }

  private execSimLock(c: Cpu, a: SimLock): number {
    const cpu = c.id;
    if (a.acquire) {
      if (!a.lock.lock(cpu)) {
        this.startWait(c, a.kind);
        return BLOCKED;
      }
      return this.lineCost(cpu, a.key, RMW);
    }
    const next = a.lock.unlock(cpu);
    if (next === -2) throw this.protocolError(c, `engine lock released while not held`);
    const cost = this.lineCost(cpu, a.key, WRITE);
    if (next >= 0) this.grant(next, this.cache.access(next, a.key, RMW, this.now), false);
    return cost;
  }

  private lineCost(cpu: number, key: number, access: number): number {
    const ps = this.cache.access(cpu, key, access, this.now);
    if (this.inWindow) this.cost[CAT.cache] += ps;
    return ps;
  }

  private addCost(cat: number, ps: number): void {
    if (this.inWindow) this.cost[cat] += ps;
  }

  // ---- step execution -----------------------------------------------------------------------

  /** Execute action `a` on `c` at `now`: its cost in ps, or BLOCKED. Sets `c.res`. */
  private exec(c: Cpu, a: Action): number {
    const cpu = c.id;
    const chk = this.chk;
    switch (a.op) {
      // The engine's own actions leave the last step's result alone: a follow-up a step queued (the
      // cmpxchg of a trylock) runs before the generator resumes with that result.
      case 'sim-work':
        this.addCost(a.cat, a.ps);
        return a.ps;
      case 'sim-lines': {
        const pairs = a.pairs;
        let ps = 0;
        for (let i = 0; i < pairs.length; i += 2)
          ps += this.cache.access(cpu, lineKey(pairs[i]!, pairs[i + 1]!), a.access, this.now);
        this.addCost(CAT.cache, ps);
        return ps;
      }
      case 'sim-lock':
        return this.execSimLock(c, a);
      case 'sim-shootdown':
        return this.shootdown(c);
    }
    c.res = undefined;
    switch (a.op) {
      case 'acquire':
        return this.execAcquire(c, a);
      case 'release':
        return this.execRelease(c, a);
      case 'downgrade': {
        const grants = this.mmapLock.downgrade(cpu);
        if (grants === null) throw this.protocolError(c, 'downgrade of an mmap_lock not held for writing');
        if (grants.length > 0) this.grantRw(LOCK_KIND.mmap_lock, a.id, grants);
        return this.lineCost(cpu, lineKey(a.id, MM_LINE.mmapLockCount), RMW);
      }
      case 'rcu':
        if (a.enter) {
          if (this.rcu.depth[cpu] === 0) this.rcuSince[cpu] = this.now;
          this.rcu.enter(cpu);
        } else {
          if (!this.rcu.exit(cpu))
            throw this.protocolError(c, 'rcu_read_unlock() outside a read-side section');
          if (this.rcu.depth[cpu] === 0) chk?.rcuExit(cpu);
        }
        return 0;
      case 'seq-read': {
        const v = readSeq(this.mm, a.seq);
        c.res = v;
        if (chk !== null && a.seq === 'mmap_seq' && c.genKind === GEN_FAULT) chk.validationStart(cpu);
        return this.lineCost(
          cpu,
          lineKey(a.id, a.seq === 'mmap_seq' ? MM_LINE.mmapSeq : MM_LINE.mmLockSeq),
          READ,
        );
      }
      case 'seq-check': {
        c.res = readSeq(this.mm, a.seq) === a.expected;
        if (chk !== null && c.res && a.seq === 'mmap_seq' && c.genKind === GEN_FAULT) chk.seqValidated(cpu);
        return this.lineCost(
          cpu,
          lineKey(a.id, a.seq === 'mmap_seq' ? MM_LINE.mmapSeq : MM_LINE.mmLockSeq),
          READ,
        );
      }
      case 'lookup': {
        chk?.lookup(cpu, a);
        if (this.inWindow) {
          if (!a.lockless) this.lookups.locked++;
          else this.lookups[a.outcome]++;
        }
        const lines = a.lines;
        let ps = 0;
        for (let i = 0; i < lines.length; i += 2)
          ps += this.cache.access(cpu, lineKey(lines[i]!, lines[i + 1]!), READ, this.now);
        this.addCost(CAT.cache, ps);
        return ps;
      }
      case 'vma-copy': {
        chk?.vmaCopy(cpu, a.vma);
        const lines = a.lines;
        let ps = 0;
        for (let i = 0; i < lines.length; i++)
          ps += this.cache.access(cpu, lineKey(a.vma, lines[i]!), READ, this.now);
        this.addCost(CAT.cache, ps);
        const copy = Math.ceil(a.bytes / 64) * this.p.cache.copyPerLine;
        this.addCost(CAT['vma-copy'], copy);
        return ps + copy;
      }
      case 'mem': {
        if (chk !== null) {
          if (a.what === 'vma') chk.touchVma(cpu, a.obj);
          else chk.proceed(cpu);
        }
        return this.lineCost(
          cpu,
          lineKey(a.obj, a.line),
          a.access === 'read' ? READ : a.access === 'write' ? WRITE : RMW,
        );
      }
      case 'work':
        chk?.proceed(cpu);
        return this.execWork(c, WORK_INDEX[a.unit], a.count);
      case 'abort':
        chk?.abort(cpu);
        if (c.faultReq !== null) c.faultAbortReasons.push(a.reason);
        else if (this.inWindow) this.aborts[a.reason] = (this.aborts[a.reason] ?? 0) + 1;
        return 0;
    }
  }

  private execWork(c: Cpu, unit: number, count: number): number {
    const cpu = c.id;
    const base = this.p.work[cpu * this.nw + unit]! * count;
    this.addCost(unit, base);
    const kb = this.p.kernelBase;
    if (unit === WORK_INDEX['page-alloc']) {
      for (let i = 0; i < count; i++) {
        if (c.pcp === 0) {
          // rmqueue_bulk(): refill the per-CPU list under zone->lock.
          this.pushSection(c, this.zoneSection[cpu]!);
          c.pcp += kb.pcpBatch;
        }
        c.pcp--;
      }
    } else if (unit === WORK_INDEX['page-free']) {
      c.pcp += count;
      while (c.pcp > kb.pcpHigh) {
        // free_pcppages_bulk(): drain a batch to the buddy lists under zone->lock.
        this.pushSection(c, this.zoneSection[cpu]!);
        c.pcp -= kb.pcpBatch;
      }
      c.lruFree += count;
      while (c.lruFree >= kb.lruBatch) {
        this.pushSection(c, this.lruSection[cpu]!);
        c.lruFree -= kb.lruBatch;
      }
    } else if (unit === WORK_INDEX['pte-install']) {
      c.lruAdd += count;
      while (c.lruAdd >= kb.lruBatch) {
        this.pushSection(c, this.lruSection[cpu]!);
        c.lruAdd -= kb.lruBatch;
      }
    }
    return base;
  }

  private pushSection(c: Cpu, section: readonly Action[]): void {
    if (c.qHead === c.queue.length) {
      c.queue.length = 0;
      c.qHead = 0;
    }
    for (const a of section) c.queue.push(a);
  }

  private shootdown(c: Cpu): number {
    const cpu = c.id;
    let targets = 0;
    const hit = this.p.kernel(cpu, 'tlbIpiTarget');
    for (const o of this.cpu) {
      if (o.id === cpu || !o.started || o.done) continue;
      targets++;
      o.penaltyPs += hit;
      if (this.inWindow) this.cost[CAT['tlb-ipi']] += hit;
    }
    if (this.inWindow) this.tlbShootdowns++;
    const ps = this.p.kernel(cpu, 'tlbIpiSend') + targets * this.p.kernel(cpu, 'tlbIpiPerTarget');
    this.addCost(CAT['tlb-shootdown'], ps);
    return ps;
  }

  // ---- thread driver ------------------------------------------------------------------------

  /** The next action of `c`, or null when its thread program has ended. */
  private nextAction(c: Cpu): Action | null {
    for (;;) {
      if (c.qHead < c.queue.length) return c.queue[c.qHead++]!;
      if (c.gen !== null) {
        const fault = c.genKind === GEN_FAULT;
        if (fault) this.snapFastPath();
        const r = c.gen.next(c.res);
        if (fault) this.addFastPath(c.faultCounters);
        c.res = undefined;
        if (r.done !== true) return r.value;
        const kind = c.genKind;
        c.gen = null;
        c.genKind = GEN_NONE;
        if (kind === GEN_FAULT) this.faultDone(c, r.value as FaultResult);
        else this.syscallDone(c, r.value as number);
        continue;
      }
      if (c.done || c.prog === null) return null;
      const r = c.prog.next(c.progRes);
      c.progRes = 0;
      if (r.done === true) {
        c.done = true;
        return null;
      }
      if (this.inWindow) this.workloadOps++;
      const a = this.startOp(c, r.value);
      if (a !== null) return a;
    }
  }

  /** Begin workload operation `op`: returns an action to run, or null when a generator was started. */
  private startOp(c: Cpu, op: WorkloadOp): Action | null {
    switch (op.op) {
      case 'access': {
        const kind: AccessKind = op.exec === true ? 'exec' : op.write ? 'write' : 'read';
        const err = hardwareAccess(this.env, op.addr, kind);
        if (err === ACCESS_OK) return this.userAccess[c.id]!;
        c.accessAddr = op.addr;
        c.accessKind = kind;
        c.accessRetries = 0;
        this.startFault(c, op.addr, err);
        return null;
      }
      case 'fault':
        c.accessKind = null;
        this.startFault(c, op.addr, op.errorCode);
        return null;
      case 'think':
        if (!(op.ns >= 0) || !Number.isFinite(op.ns)) throw this.workloadError(c, `think of ${op.ns} ns`);
        return { op: 'sim-work', ps: Math.round(op.ns * 1000), cat: CAT.user };
      case 'iteration': {
        const n = op.count ?? 1;
        if (!Number.isFinite(n) || n < 0) throw this.workloadError(c, `iteration count ${n}`);
        if (this.inWindow) this.iterations += n;
        return this.userAccess[c.id]!;
      }
      case 'mmap':
      case 'munmap':
      case 'mprotect':
      case 'madvise':
      case 'brk':
      case 'mremap':
        if (this.inWindow) this.syscalls++;
        c.gen = syscallProgram(this, c.id, op);
        c.genKind = GEN_SYSCALL;
        return null;
      default:
        throw this.workloadError(c, `unknown operation ${JSON.stringify(op)}`);
    }
  }

  private workloadError(c: Cpu, what: string): VmakitError {
    return new VmakitError(`workload ${this.o.workload.name}, thread ${c.id}: ${what}`);
  }

  private startFault(c: Cpu, addr: number, errorCode: number): void {
    const req: FaultRequest = { addr, errorCode, tid: c.id };
    c.faultReq = req;
    c.faultAbortReasons.length = 0;
    c.heldAtFault = c.held.length;
    this.chk?.faultStart(c.id);
    c.faultCounters.fill(0);
    this.snapFastPath();
    c.gen = this.o.strategy.fault(this.env, req) as Generator<Action, unknown, StepResult>;
    this.addFastPath(c.faultCounters);
    c.genKind = GEN_FAULT;
  }

  private faultDone(c: Cpu, r: FaultResult): void {
    if (c.held.length !== c.heldAtFault || this.rcu.depth[c.id] !== 0) {
      throw this.protocolError(
        c,
        `fault returned holding ${c.held.length - c.heldAtFault} lock(s) / RCU depth ${this.rcu.depth[c.id]}`,
      );
    }
    this.chk?.faultEnd(c.id, r);
    const tl = this.o.timelinePs ?? 0;
    if (tl > 0 && this.threadsStart >= 0 && this.now >= this.threadsStart) {
      const b = Math.floor((this.now - this.threadsStart) / tl);
      while (this.timeline.length <= b) this.timeline.push(0);
      this.timeline[b]!++;
    }
    if (this.inWindow) {
      this.faults++;
      this.faultsByPath[r.path] = (this.faultsByPath[r.path] ?? 0) + 1;
      this.faultsByOutcome[r.outcome] = (this.faultsByOutcome[r.outcome] ?? 0) + 1;
      for (const reason of c.faultAbortReasons) this.aborts[reason] = (this.aborts[reason] ?? 0) + 1;
    }
    c.faultAbortReasons.length = 0;
    c.faultReq = null;
    if (r.signal !== 0) {
      c.progRes = r.signal;
      c.accessKind = null;
      return;
    }
    if (r.outcome === 'oom') {
      // pagefault_out_of_memory(): the OOM killer picks the task.
      c.progRes = SIGKILL;
      c.accessKind = null;
      return;
    }
    if (c.accessKind === null) {
      c.progRes = 0;
      return;
    }
    // The instruction is restarted: it may fault again (another CPU unmapped or changed the page).
    const err = hardwareAccess(this.env, c.accessAddr, c.accessKind);
    if (err === ACCESS_OK) {
      c.progRes = 0;
      c.accessKind = null;
      return;
    }
    if (++c.accessRetries > ACCESS_RETRY_LIMIT) {
      this.accessRetryLimit++;
      c.progRes = 0;
      c.accessKind = null;
      return;
    }
    this.startFault(c, c.accessAddr, err);
  }

  private syscallDone(c: Cpu, result: number): void {
    c.progRes = result;
  }

  /** Run `c` from `now` until it blocks or ends (-1), or its next event is due: returns that time. */
  private advance(c: Cpu): number {
    this.cur = c.id;
    let zero = 0;
    for (;;) {
      const a = this.nextAction(c);
      if (a === null) {
        this.cur = -1;
        return -1;
      }
      this.steps++;
      let cost = this.exec(c, a);
      if (cost === BLOCKED) {
        this.cur = -1;
        return -1;
      }
      if (c.extraPs > 0) {
        cost += c.extraPs;
        c.extraPs = 0;
      }
      if (cost > 0) {
        this.cur = -1;
        return this.now + cost;
      }
      if (++zero > ZERO_TIME_LIMIT) {
        throw this.workloadError(c, `${ZERO_TIME_LIMIT} actions without simulated time passing (livelock)`);
      }
    }
  }

  /**
   * Process events until `until` (exclusive) or the queue empties. A CPU whose next event is strictly
   * earlier than every queued one runs on without a round trip through the queue (the queue would
   * hand it back next anyway, so the order of events is the same).
   */
  private loop(until: number, onlySetup: boolean): void {
    const q = this.q;
    const maxSteps = this.o.maxSteps;
    let nextId = -1;
    let nextT = 0;
    const schedule = (id: number, t: number): void => {
      if (q.size === 0 || t < q.timeOf(q.peek())) {
        nextId = id;
        nextT = t;
      } else {
        q.push(id, t);
      }
    };
    while (!this.stopped) {
      let id: number;
      let t: number;
      if (nextId >= 0) {
        id = nextId;
        t = nextT;
        nextId = -1;
        if (t >= until) {
          q.push(id, t);
          this.now = until;
          break;
        }
      } else {
        if (q.size === 0) break;
        id = q.peek();
        t = q.timeOf(id);
        if (t >= until) {
          this.now = until;
          break;
        }
        q.pop();
      }
      this.now = t;
      if (!this.inWindow && !onlySetup && t >= this.warmStart) this.openWindow();
      this.rcu.poll(t);
      const c = this.cpu[id]!;
      if (c.penaltyPs > 0) {
        const p = c.penaltyPs;
        c.penaltyPs = 0;
        schedule(id, t + p);
        continue;
      }
      const next = this.advance(c);
      if (next >= 0) schedule(id, next);
      if (this.steps > maxSteps) {
        throw new VmakitError(`simulation exceeded ${maxSteps} steps (workload ${this.o.workload.name})`);
      }
      if (this.inWindow && this.workloadOps >= this.o.maxOps) {
        this.stopped = true;
        this.stoppedBy = 'max-ops';
      }
    }
    if (nextId >= 0) q.push(nextId, nextT);
    if (q.size === 0 && !this.stopped && !onlySetup) {
      const blocked = this.cpu.filter((c) => c.blockedAt >= 0);
      if (blocked.length > 0) {
        throw new VmakitError(
          `simulation deadlock at ${Math.floor(this.now / 1000)} ns: CPUs ${blocked.map((c) => `${c.id} (${LOCK_KIND_NAMES[c.blockedKind]})`).join(', ')} wait forever`,
        );
      }
    }
  }

  /** Remembers the fast-path counters before a step of a fault generator. O(1). */
  private snapFastPath(): void {
    const counts = this.env.vmstat.counts;
    for (let i = 0; i < FAST_PATH_COUNTERS.length; i++)
      this.fastPathSnap[i] = counts[FAST_PATH_COUNTERS[i]!]!;
  }

  /** Adds what the fast-path counters gained since snapFastPath to `into`. O(1). */
  private addFastPath(into: Float64Array): void {
    // Steps run one CPU at a time, so what the counters gained belongs to this CPU's fault.
    const counts = this.env.vmstat.counts;
    for (let i = 0; i < FAST_PATH_COUNTERS.length; i++)
      into[i] = into[i]! + counts[FAST_PATH_COUNTERS[i]!]! - this.fastPathSnap[i]!;
  }

  /**
   * Takes the fast-path counters of the faults in flight out of `counts`. A fault is counted when
   * it completes (faultDone), but the strategies count a speculative attempt or a per-VMA lock
   * outcome when it happens (spf_attempt before the lockless walk, as Lespinasse's series does);
   * so that the window's counters are those of the faults it counts, a fault in flight at the warm
   * snapshot has all its counters in the window and one still in flight at its end has none
   * (abort reasons likewise, in faultDone). Keeps spf_abort <= spf_attempt per window. O(CPUs).
   */
  private withoutInFlight(counts: Float64Array): void {
    for (const c of this.cpu) {
      if (c.faultReq === null || c.genKind !== GEN_FAULT) continue;
      for (let i = 0; i < FAST_PATH_COUNTERS.length; i++) {
        const k = FAST_PATH_COUNTERS[i]!;
        counts[k] = counts[k]! - c.faultCounters[i]!;
      }
    }
  }

  private openWindow(): void {
    this.inWindow = true;
    this.vmstatAtWarm = Float64Array.from(this.env.vmstat.counts);
    this.withoutInFlight(this.vmstatAtWarm);
    this.cacheAtWarm = { ...this.cache.stats };
    this.rcuAtWarm = {
      gracePeriods: this.rcu.gracePeriods,
      deferred: this.rcu.deferred,
      freed: this.rcu.freed,
    };
  }

  private context(tid: number, shared: Map<string, number>): ThreadContext {
    return { tid, threads: this.cpus, random: randomStream(this.o.seed, tid + 1), shared, mm: this.mm };
  }

  /** Run the simulation. */
  run(): EngineResult {
    const w = this.o.workload;
    const shared = this.o.shared ?? new Map<string, number>();
    // Setup on CPU 0, before the measured threads start.
    let setupSteps = 0;
    if (w.setup !== undefined) {
      const c0 = this.cpu[0]!;
      c0.prog = w.setup(this.context(0, shared));
      c0.done = false;
      c0.started = true;
      this.q.push(0, 0);
      this.loop(Number.POSITIVE_INFINITY, true);
      if (this.cpu.some((c) => c.blockedAt >= 0)) {
        throw new VmakitError(`workload ${w.name}: the setup program deadlocked`);
      }
      setupSteps = this.steps;
    }
    const start = this.now;
    this.threadsStart = start;
    const sched = randomStream(this.o.seed, 0);
    for (const c of this.cpu) {
      c.prog = w.thread(this.context(c.id, shared));
      c.progRes = 0;
      c.done = false;
      c.started = true;
      // Threads start within a microsecond of each other (seeded), not in lock step.
      this.q.push(c.id, start + Math.floor(sched() * 1_000_000));
    }
    this.warmStart = start + this.o.warmupPs;
    this.windowEnd = this.warmStart + this.o.durationPs;
    if (this.o.warmupPs === 0) this.openWindow();
    this.loop(this.windowEnd, false);
    if (!this.inWindow) this.openWindow();
    let end = this.now;
    if (this.stoppedBy === 'duration' && this.q.size === 0 && this.cpu.every((c) => c.done)) {
      this.stoppedBy = 'threads-exited';
    }
    if (end > this.windowEnd) end = this.windowEnd;
    if (end < this.warmStart) end = this.warmStart;
    for (const c of this.cpu) if (c.blockedAt >= 0) this.endWaitAt(c, end);
    return this.result(end - this.warmStart, setupSteps);
  }

  private endWaitAt(c: Cpu, end: number): void {
    const from = Math.max(c.blockedAt, this.warmStart);
    const to = Math.min(end, this.windowEnd);
    if (to > from) this.lockWait[c.blockedKind]! += to - from;
  }

  private result(windowPs: number, setupSteps: number): EngineResult {
    const vmstat: Record<string, number> = {};
    const base = this.vmstatAtWarm!;
    const counts = Float64Array.from(this.env.vmstat.counts);
    this.withoutInFlight(counts);
    for (let i = 0; i < VMSTAT_NAMES.length; i++) {
      const d = counts[i]! - base[i]!;
      if (d !== 0) vmstat[VMSTAT_NAMES[i]!] = d;
    }
    const lockWaitPs: Record<string, number> = {};
    LOCK_KIND_NAMES.forEach((n, i) => {
      lockWaitPs[n] = this.lockWait[i]!;
    });
    const costPs: Record<string, number> = {};
    COST_CATEGORIES.forEach((n, i) => {
      if (this.cost[i]! !== 0) costPs[n] = this.cost[i]!;
    });
    const cacheNow = this.cache.stats;
    const cacheBase = this.cacheAtWarm!;
    const cache: Record<string, number> = {};
    for (const k of Object.keys(cacheNow) as (keyof typeof cacheNow)[])
      cache[k] = cacheNow[k] - cacheBase[k]!;
    return {
      windowPs,
      steps: this.steps,
      setupSteps,
      faults: this.faults,
      faultsByPath: sortKeys(this.faultsByPath),
      faultsByOutcome: sortKeys(this.faultsByOutcome),
      iterations: this.iterations,
      workloadOps: this.workloadOps,
      syscalls: this.syscalls,
      aborts: sortKeys(this.aborts),
      lookups: { ...this.lookups },
      vmstat,
      lockWaitPs,
      costPs,
      cache,
      rcu: {
        gracePeriods: this.rcu.gracePeriods - this.rcuAtWarm.gracePeriods,
        deferred: this.rcu.deferred - this.rcuAtWarm.deferred,
        freed: this.rcu.freed - this.rcuAtWarm.freed,
        pending: this.rcu.pending,
      },
      tlbShootdowns: this.tlbShootdowns,
      engineConflicts: this.engineConflicts,
      placementMispredictions: this.placementMispredictions,
      accessRetryLimit: this.accessRetryLimit,
      checker: this.chk,
      stoppedBy: this.stoppedBy,
      cacheLines: this.cache.lines,
      timeline: this.timeline,
    };
  }
}

/** A VMA as messages name it (by range: object ids differ between runs). */
function describeVma(v: Vma): string {
  return `VMA [0x${v.start.toString(16)}, 0x${v.end.toString(16)})`;
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}
