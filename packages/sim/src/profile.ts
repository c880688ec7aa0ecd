/**
 * Machine profiles: what every step of the simulation costs on a given machine, and its topology.
 *
 * A profile is plain data in which every constant carries its value and where it comes from (a
 * published measurement, a kernel constant, or the reasoning behind an estimate), so that a report can
 * print the whole cost model. `compileProfile()` turns it into integer picosecond tables the engine
 * indexes in its hot loop, and lays out N simulated CPUs on the topology.
 */
import { UnknownNameError, VmakitError } from '@vmakit/core';
import type { WorkUnit } from '@vmakit/x86-fault';
import type { WorkloadPlacement } from './workload.js';

/** A cost constant: nanoseconds (or a count for batch sizes) and its source. */
export interface CostValue {
  readonly value: number;
  readonly unit: 'ns' | 'count';
  readonly source: string;
}

/** Cache-coherence costs (see cache.ts for how they combine). */
export type CacheCostName =
  /** A line already held by this CPU (M, E or S). */
  | 'l1Hit'
  /** A clean line another core of the same socket holds: served by the shared LLC. */
  | 'llcHit'
  /** A line the SMT sibling modified (shared L1/L2). */
  | 'smtTransfer'
  /** A line another core of the same socket modified (cache-to-cache transfer, or invalidation round trip). */
  | 'sameSocketTransfer'
  /** A line a core of another socket holds (remote transfer over the socket interconnect). */
  | 'crossSocketTransfer'
  /** A line nobody caches: DRAM. */
  | 'memory'
  /** Extra cost of a locked read-modify-write on a line already owned. */
  | 'atomicRmw'
  /** Copying one cache line into a local buffer (the VMA copy of speculative faults). */
  | 'copyPerLine';

/** Kernel costs that are not fault-path work units. */
export type KernelCostName =
  | 'syscallEntry'
  | 'syscallExit'
  /** A user-mode load/store that hits in the TLB and the page table allows. */
  | 'userAccess'
  /** The body of each write-side system call beyond what the index, VMA lines and page tables cost. */
  | 'mmapBody'
  | 'munmapBody'
  | 'mprotectBody'
  | 'madviseBody'
  | 'brkBody'
  | 'mremapBody'
  /** Per VMA a system call creates, changes or frees (kmem_cache alloc/free, init, accounting). */
  | 'perVma'
  /** Allocating one index node (kmem_cache_alloc of a maple node or tree node). */
  | 'indexNodeAlloc'
  /** call_rcu() of one object. */
  | 'callRcu'
  /** Minimum length of an RCU grace period. */
  | 'rcuGracePeriod'
  /** TLB shootdown: the initiator's fixed cost (IPI send and wait). */
  | 'tlbIpiSend'
  /** TLB shootdown: the initiator's cost per target CPU. */
  | 'tlbIpiPerTarget'
  /** TLB shootdown: what each target CPU loses (interrupt, flush, return). */
  | 'tlbIpiTarget'
  /** A sleeping rwsem waiter's wake-up latency (try_to_wake_up + schedule in). */
  | 'rwsemWakeup'
  /** Per-CPU page list refill / drain batch (pcp->batch). */
  | 'pcpBatch'
  /** Pages a per-CPU list may hold before it drains a batch (pcp->high). */
  | 'pcpHigh'
  /** Work per page done under zone->lock when a per-CPU list is refilled or drained. */
  | 'zonePerPage'
  /** Pages added to the LRU per lruvec lock round trip (the per-CPU LRU batch). */
  | 'lruBatch'
  /** Work per page done under the lruvec lock. */
  | 'lruPerPage';

/** One kind of core (big.LITTLE machines have several). */
export interface CoreClass {
  readonly name: string;
  /** Cores of this class per socket. */
  readonly cores: number;
  /** Multiplier on fixed work (work units and kernel costs) relative to the reference core. */
  readonly workScale: number;
  readonly source: string;
}

/** The machine's shape. */
export interface MachineTopology {
  readonly sockets: number;
  readonly coresPerSocket: number;
  readonly threadsPerCore: number;
  /** Core classes in the order CPUs are assigned (sum of `cores` = coresPerSocket). */
  readonly coreClasses: readonly CoreClass[];
  /** How simulated CPUs are numbered onto the machine (for the README and reports). */
  readonly order: string;
}

/** A machine the simulator can run on. */
export interface MachineProfile {
  readonly name: string;
  readonly description: string;
  /** Nominal clock used to convert cycle counts (documentation only). */
  readonly ghz: number;
  readonly topology: MachineTopology;
  readonly cache: Readonly<Record<CacheCostName, CostValue>>;
  readonly work: Readonly<Record<WorkUnit, CostValue>>;
  readonly kernel: Readonly<Record<KernelCostName, CostValue>>;
}

/** Work units in table order (x86-fault's WorkUnit). */
export const WORK_UNITS = [
  'fault-entry',
  'fault-exit',
  'page-alloc',
  'page-free',
  'page-zero',
  'page-copy',
  'pte-install',
  'tlb-flush',
  'pgtable-alloc',
  'io-read',
  'page-mkwrite',
  'anon-vma-prepare',
  'stack-expand',
  'signal',
  'vsyscall-emulate',
  'oops',
] as const satisfies readonly WorkUnit[];

/** Index of each work unit in the compiled tables. */
export const WORK_INDEX: Readonly<Record<WorkUnit, number>> = Object.freeze(
  Object.fromEntries(WORK_UNITS.map((u, i) => [u, i])) as Record<WorkUnit, number>,
);

const CACHE_NAMES: readonly CacheCostName[] = [
  'l1Hit',
  'llcHit',
  'smtTransfer',
  'sameSocketTransfer',
  'crossSocketTransfer',
  'memory',
  'atomicRmw',
  'copyPerLine',
];

const KERNEL_NAMES: readonly KernelCostName[] = [
  'syscallEntry',
  'syscallExit',
  'userAccess',
  'mmapBody',
  'munmapBody',
  'mprotectBody',
  'madviseBody',
  'brkBody',
  'mremapBody',
  'perVma',
  'indexNodeAlloc',
  'callRcu',
  'rcuGracePeriod',
  'tlbIpiSend',
  'tlbIpiPerTarget',
  'tlbIpiTarget',
  'rwsemWakeup',
  'pcpBatch',
  'pcpHigh',
  'zonePerPage',
  'lruBatch',
  'lruPerPage',
];

/** Most simulated CPUs a run may have. */
export const MAX_CPUS = 1024;

/** Picoseconds per nanosecond: the engine's time unit is the picosecond (integers, exact below 2^53). */
export const PS_PER_NS = 1000;

/** The cache costs of a compiled profile, in picoseconds. */
export interface CompiledCache {
  readonly l1Hit: number;
  readonly llcHit: number;
  readonly smtTransfer: number;
  readonly sameSocketTransfer: number;
  readonly crossSocketTransfer: number;
  readonly memory: number;
  readonly atomicRmw: number;
  readonly copyPerLine: number;
}

/** A profile laid out for `cpus` simulated CPUs, with integer picosecond costs. */
export interface CompiledProfile {
  readonly profile: MachineProfile;
  readonly cpus: number;
  /** Socket (NUMA node) of each CPU. */
  readonly socketOf: Int32Array;
  /** Physical core of each CPU (SMT siblings share it). */
  readonly coreOf: Int32Array;
  /** Core class name of each CPU. */
  readonly classOf: readonly string[];
  /** More CPUs than the machine has hardware threads: the extra ones are extra cores (flagged). */
  readonly oversubscribed: boolean;
  /** How the CPUs were laid out on the machine. */
  readonly placement: WorkloadPlacement;
  readonly sockets: number;
  readonly cache: CompiledCache;
  /** Work-unit cost per CPU: `work[cpu * WORK_UNITS.length + WORK_INDEX[unit]]`. */
  readonly work: Float64Array;
  /** Kernel costs per CPU: `kernel(cpu, name)`. */
  kernel(cpu: number, name: KernelCostName): number;
  /** Unscaled kernel constants (counts stay counts, times in ps). */
  readonly kernelBase: Readonly<Record<KernelCostName, number>>;
}

function checkValue(profile: string, where: string, v: CostValue | undefined): number {
  if (v === undefined || typeof v.value !== 'number' || !Number.isFinite(v.value) || v.value < 0) {
    throw new VmakitError(`machine profile ${profile}: ${where} must be a finite number >= 0`);
  }
  if (typeof v.source !== 'string' || v.source.length === 0) {
    throw new VmakitError(`machine profile ${profile}: ${where} has no source`);
  }
  return v.value;
}

/** ns → integer ps. */
function ps(ns: number): number {
  return Math.round(ns * PS_PER_NS);
}

/**
 * Lay `cpus` simulated CPUs out on `profile` and convert its costs to integer picoseconds.
 *
 * `'pinned-fill'` (default): CPUs fill the physical cores first (socket 0's cores in class order, then
 * socket 1's, ...), then the SMT siblings in the same order — hwloc's order, which will-it-scale pins
 * tasks in. `'spread'`: the physical cores are taken round-robin over the sockets (CPU i on socket
 * i mod sockets), then the SMT siblings in the same order — where the Linux load balancer puts the
 * threads of an unpinned benchmark: it balances the number of running tasks between NUMA nodes
 * (kernel/sched/fair.c, calculate_imbalance() at an SD_NUMA level; it tolerates an imbalance of at
 * most a couple of tasks, adjust_numa_imbalance()) and prefers idle cores to busy SMT siblings
 * (select_idle_core(), SD_PREFER_SIBLING). On a one-socket machine both orders are the same.
 *
 * CPUs beyond the hardware threads become extra cores spread over the sockets (a machine that does
 * not exist; the result says `oversubscribed`). Throws VmakitError for a malformed profile, CPU count
 * or placement. O(cpus).
 */
export function compileProfile(
  profile: MachineProfile,
  cpus: number,
  placement: WorkloadPlacement = 'pinned-fill',
): CompiledProfile {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) {
    throw new VmakitError(`cpus must be an integer from 1 to ${MAX_CPUS}, got ${String(cpus)}`);
  }
  if (placement !== 'pinned-fill' && placement !== 'spread') {
    throw new VmakitError(
      `placement must be 'pinned-fill' or 'spread', got ${JSON.stringify(placement as unknown)}`,
    );
  }
  const name = typeof profile?.name === 'string' ? profile.name : '(unnamed)';
  const topo = profile.topology;
  if (
    topo === undefined ||
    !Number.isInteger(topo.sockets) ||
    topo.sockets < 1 ||
    topo.sockets > 32 ||
    !Number.isInteger(topo.coresPerSocket) ||
    topo.coresPerSocket < 1 ||
    !Number.isInteger(topo.threadsPerCore) ||
    topo.threadsPerCore < 1
  ) {
    throw new VmakitError(`machine profile ${name}: topology needs integer sockets (1-32), cores, threads`);
  }
  const classes = topo.coreClasses;
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new VmakitError(`machine profile ${name}: topology.coreClasses is empty`);
  }
  let classCores = 0;
  for (const c of classes) {
    if (!Number.isInteger(c.cores) || c.cores < 1 || !(c.workScale > 0)) {
      throw new VmakitError(
        `machine profile ${name}: core class ${c.name} needs cores >= 1 and workScale > 0`,
      );
    }
    classCores += c.cores;
  }
  if (classCores !== topo.coresPerSocket) {
    throw new VmakitError(
      `machine profile ${name}: core classes have ${classCores} cores, coresPerSocket is ${topo.coresPerSocket}`,
    );
  }
  const cache = {} as Record<CacheCostName, number>;
  for (const n of CACHE_NAMES) cache[n] = ps(checkValue(name, `cache.${n}`, profile.cache?.[n]));
  const workNs = WORK_UNITS.map((u) => checkValue(name, `work.${u}`, profile.work?.[u]));
  const kernelRaw = {} as Record<KernelCostName, number>;
  for (const n of KERNEL_NAMES) {
    const v = profile.kernel?.[n];
    const value = checkValue(name, `kernel.${n}`, v);
    kernelRaw[n] = v!.unit === 'count' ? Math.round(value) : ps(value);
  }
  for (const n of ['pcpBatch', 'pcpHigh', 'lruBatch'] as const) {
    if (kernelRaw[n] < 1) throw new VmakitError(`machine profile ${name}: kernel.${n} must be >= 1`);
  }

  const socketOf = new Int32Array(cpus);
  const coreOf = new Int32Array(cpus);
  const scale = new Float64Array(cpus);
  const classOf: string[] = [];
  const physical = topo.sockets * topo.coresPerSocket;
  const hwThreads = physical * topo.threadsPerCore;
  // Class of the k-th core of a socket.
  const classByCore: CoreClass[] = [];
  for (const c of classes) for (let i = 0; i < c.cores; i++) classByCore.push(c);
  const spread = placement === 'spread' && topo.sockets > 1;
  for (let cpu = 0; cpu < cpus; cpu++) {
    let core: number;
    if (cpu < hwThreads) {
      const k = cpu % physical;
      // Spread: the k-th core taken is core k / sockets of socket k mod sockets.
      core = spread ? (k % topo.sockets) * topo.coresPerSocket + Math.floor(k / topo.sockets) : k;
    } else core = physical + (cpu - hwThreads);
    const socket = core < physical ? Math.floor(core / topo.coresPerSocket) : core % topo.sockets;
    const local = core < physical ? core % topo.coresPerSocket : topo.coresPerSocket - 1;
    const cls = classByCore[local]!;
    socketOf[cpu] = socket;
    coreOf[cpu] = core;
    scale[cpu] = cls.workScale;
    classOf.push(cls.name);
  }
  const nw = WORK_UNITS.length;
  const work = new Float64Array(cpus * nw);
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (let u = 0; u < nw; u++) work[cpu * nw + u] = Math.round(ps(workNs[u]!) * scale[cpu]!);
  }
  const scaledKernel = new Float64Array(cpus * KERNEL_NAMES.length);
  const kIndex = new Map<KernelCostName, number>(KERNEL_NAMES.map((n, i) => [n, i]));
  for (let cpu = 0; cpu < cpus; cpu++) {
    KERNEL_NAMES.forEach((n, i) => {
      const v = profile.kernel[n];
      // Counts and the grace period (a global clock, not per-CPU work) are not scaled.
      const raw = kernelRaw[n];
      const fixed = v.unit === 'count' || n === 'rcuGracePeriod';
      scaledKernel[cpu * KERNEL_NAMES.length + i] = fixed ? raw : Math.round(raw * scale[cpu]!);
    });
  }
  const nk = KERNEL_NAMES.length;
  return {
    profile,
    cpus,
    socketOf,
    coreOf,
    classOf,
    oversubscribed: cpus > hwThreads,
    placement,
    sockets: topo.sockets,
    cache,
    work,
    kernel: (cpu, n) => scaledKernel[cpu * nk + kIndex.get(n)!]!,
    kernelBase: kernelRaw,
  };
}

/**
 * Every constant of `profile` as rows (group, name, value, unit, source), for reports and the README.
 * O(constants).
 */
export function describeProfile(
  profile: MachineProfile,
): { group: string; name: string; value: number; unit: string; source: string }[] {
  const rows: { group: string; name: string; value: number; unit: string; source: string }[] = [];
  for (const n of CACHE_NAMES) rows.push({ group: 'cache', name: n, ...profile.cache[n] });
  for (const n of WORK_UNITS) rows.push({ group: 'work', name: n, ...profile.work[n] });
  for (const n of KERNEL_NAMES) rows.push({ group: 'kernel', name: n, ...profile.kernel[n] });
  return rows;
}

/** Look a profile up among `profiles`; UnknownNameError lists the names. */
export function findProfile(profiles: readonly MachineProfile[], name: string): MachineProfile {
  const p = profiles.find((x) => x.name === name);
  if (p === undefined) {
    throw new UnknownNameError(
      'machine profile',
      name,
      profiles.map((x) => x.name),
    );
  }
  return p;
}
