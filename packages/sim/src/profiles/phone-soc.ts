/**
 * A phone SoC: 8 ARMv8/v9 cores in one DynamIQ cluster — 1 prime, 3 big, 4 little cores sharing an L3
 * in the DSU — the kind of machine the SPF Android figures and the per-VMA lock app-launch figures
 * come from (Snapdragon 845/8-series class; kernel-facts.md §3.1, §4).
 *
 * Simplifications, stated: one coherence domain (all transfers priced as same-socket through the DSU),
 * no DVFS or thermal limits, the little cores modelled as slower at fixed work (workScale) but with
 * the same cache-transfer latencies, no PTI (arm64 without KPTI on these cores), 4 KiB pages. Values
 * are converted at 2.8 GHz for the prime core.
 */
import type { MachineProfile } from '../profile.js';

const CYCLE = 1 / 2.8;
const DSU = 'Arm DynamIQ Shared Unit: private L1/L2 per core, shared L3 and snoop filter in the DSU';

/** The phone profile (`phone-8c`). */
export const phone8c: MachineProfile = Object.freeze({
  name: 'phone-8c',
  description: 'phone SoC, 1 prime + 3 big + 4 little cores in one DynamIQ cluster (big.LITTLE)',
  ghz: 2.8,
  topology: {
    sockets: 1,
    coresPerSocket: 8,
    threadsPerCore: 1,
    coreClasses: [
      { name: 'prime', cores: 1, workScale: 1, source: 'Cortex-X class core at about 2.8-3 GHz: reference' },
      {
        name: 'big',
        cores: 3,
        workScale: 1.25,
        source: 'estimate: Cortex-A7xx class at about 2.4 GHz, somewhat lower IPC than the prime core',
      },
      {
        name: 'little',
        cores: 4,
        workScale: 2.6,
        source: 'estimate: in-order Cortex-A5xx class at about 1.8 GHz, roughly 2.5x slower on kernel code',
      },
    ],
    order:
      'CPU 0 is the prime core, 1-3 the big cores, 4-7 the little cores (EAS places busy threads on big ' +
      'cores first); CPUs beyond 8 are extra little cores (oversubscribed)',
  },
  cache: {
    l1Hit: { value: 4 * CYCLE, unit: 'ns', source: 'Cortex-A7x/X L1D load-to-use 4 cycles (Arm TRMs)' },
    llcHit: { value: 30, unit: 'ns', source: `${DSU}; an L3 hit costs roughly 30 ns on phone SoCs` },
    smtTransfer: { value: 30, unit: 'ns', source: 'no SMT on these cores; never used (same as llcHit)' },
    sameSocketTransfer: {
      value: 45,
      unit: 'ns',
      source: `${DSU}; a core-to-core line bounce through the DSU snoop filter, estimate 45 ns`,
    },
    crossSocketTransfer: {
      value: 45,
      unit: 'ns',
      source: 'single coherence domain: never used (same as sameSocketTransfer)',
    },
    memory: { value: 110, unit: 'ns', source: 'LPDDR4X/LPDDR5 load latency on phone SoCs, about 100-120 ns' },
    atomicRmw: {
      value: 10 * CYCLE,
      unit: 'ns',
      source: 'ARMv8.1 LSE atomic (LDADD) on an owned line, about 10 cycles',
    },
    copyPerLine: { value: 3 * CYCLE, unit: 'ns', source: 'copying 64 B in L1 with LDP/STP pairs' },
  },
  work: {
    'fault-entry': {
      value: 150,
      unit: 'ns',
      source: 'estimate: el0 data abort entry, do_page_fault() prologue (no KPTI on these cores)',
    },
    'fault-exit': { value: 100, unit: 'ns', source: 'estimate: return to EL0' },
    'page-alloc': { value: 150, unit: 'ns', source: 'estimate: pcp allocation and memcg charge' },
    'page-free': { value: 100, unit: 'ns', source: 'estimate: one page of a zap batch' },
    'page-zero': {
      value: 350,
      unit: 'ns',
      source: 'estimate: clear_page() with DC ZVA, 4 KiB at about 12 GB/s on a big core',
    },
    'page-copy': { value: 600, unit: 'ns', source: 'estimate: copy_page() of 4 KiB' },
    'pte-install': { value: 150, unit: 'ns', source: 'estimate: rmap, counters, set_pte_at' },
    'tlb-flush': { value: 150, unit: 'ns', source: 'estimate: TLBI VALE1IS broadcast + DSB' },
    'pgtable-alloc': { value: 500, unit: 'ns', source: 'estimate: allocate and zero a table page' },
    'io-read': { value: 120_000, unit: 'ns', source: 'estimate: one 4 KiB read from UFS storage' },
    'page-mkwrite': { value: 500, unit: 'ns', source: 'estimate: f2fs/ext4 ->page_mkwrite without I/O' },
    'anon-vma-prepare': { value: 500, unit: 'ns', source: 'estimate: two slab allocations and a lock' },
    'stack-expand': { value: 600, unit: 'ns', source: 'estimate: expand_downwards()' },
    signal: { value: 4000, unit: 'ns', source: 'estimate: signal delivery setup' },
    'vsyscall-emulate': { value: 300, unit: 'ns', source: 'no vsyscall page on arm64; never used' },
    oops: { value: 60_000, unit: 'ns', source: 'estimate: an oops; only with bad input' },
  },
  kernel: {
    syscallEntry: { value: 80, unit: 'ns', source: 'estimate: SVC entry to el0_svc' },
    syscallExit: { value: 60, unit: 'ns', source: 'estimate: ERET path' },
    userAccess: { value: 1, unit: 'ns', source: 'a store that hits the TLB' },
    mmapBody: {
      value: 900,
      unit: 'ns',
      source: 'estimate: do_mmap() fixed part (slower cores than a server)',
    },
    munmapBody: { value: 800, unit: 'ns', source: 'estimate: do_vmi_munmap() fixed part' },
    mprotectBody: { value: 650, unit: 'ns', source: 'estimate: do_mprotect_pkey() fixed part' },
    madviseBody: { value: 300, unit: 'ns', source: 'estimate: do_madvise() fixed part' },
    brkBody: { value: 650, unit: 'ns', source: 'estimate: brk() fixed part' },
    mremapBody: { value: 1200, unit: 'ns', source: 'estimate: mremap() fixed part' },
    perVma: { value: 150, unit: 'ns', source: 'estimate: VMA alloc/free/init per VMA touched' },
    indexNodeAlloc: { value: 100, unit: 'ns', source: 'estimate: slab allocation of a tree node' },
    callRcu: { value: 40, unit: 'ns', source: 'estimate: call_rcu() enqueue' },
    rcuGracePeriod: {
      value: 4_000_000,
      unit: 'ns',
      source: 'estimate: Android kernels use HZ=250; a grace period spans about one jiffy: 4 ms',
    },
    tlbIpiSend: {
      value: 300,
      unit: 'ns',
      source: 'arm64 broadcasts TLBI in hardware: no IPIs; the initiator waits for the DSB (estimate)',
    },
    tlbIpiPerTarget: { value: 0, unit: 'ns', source: 'broadcast TLBI: no per-target IPI cost' },
    tlbIpiTarget: {
      value: 50,
      unit: 'ns',
      source: 'estimate: broadcast invalidation disturbs other cores only slightly (no interrupt)',
    },
    rwsemWakeup: { value: 5000, unit: 'ns', source: 'estimate: waking a sleeping task on a phone, a few us' },
    pcpBatch: { value: 31, unit: 'count', source: 'zone_batchsize() of a smaller (8-12 GiB) zone, estimate' },
    pcpHigh: { value: 186, unit: 'count', source: 'pcp->high = 6 * batch' },
    zonePerPage: { value: 120, unit: 'ns', source: 'estimate: per page under zone->lock' },
    lruBatch: { value: 15, unit: 'count', source: 'PAGEVEC_SIZE / folio_batch: 15 pages' },
    lruPerPage: { value: 50, unit: 'ns', source: 'estimate: per page under the lruvec lock' },
  },
} satisfies MachineProfile);
