/**
 * A 2-socket Intel Skylake-SP server, 2 x 28 cores x 2 threads = 112 hardware threads: the shape of
 * the machine Axel Rasmussen measured pft on ("2x Skylake 56c/112t 192 GiB", lore
 * 20210628221454.651942-1-axelrasmussen@google.com; kernel-facts.md §3.2).
 *
 * Cycle counts are converted at 2.5 GHz (0.4 ns per cycle), an all-core turbo clock typical of the
 * 28-core Xeon Scalable parts. Values marked "estimate" are chosen so that the single-thread pft rate
 * comes out near Rasmussen's 1-thread figure (573,625 faults/s, i.e. about 1.74 us per fault) with a
 * plausible split between exception entry, page allocation, zeroing and PTE installation; the README
 * shows the resulting single-fault cost breakdown.
 */
import type { MachineProfile } from '../profile.js';

const CYCLE = 0.4;
const SKX = 'Skylake-SP (wikichip "Skylake (server)": 32 KiB L1D, 1 MiB L2, 1.375 MiB L3 per core, mesh)';

/** The 2-socket Skylake-SP profile (`skylake-2s`). */
export const skylake2s: MachineProfile = Object.freeze({
  name: 'skylake-2s',
  description: '2-socket Intel Skylake-SP, 2 x 28 cores x 2 SMT = 112 threads (Rasmussen pft machine shape)',
  ghz: 2.5,
  topology: {
    sockets: 2,
    coresPerSocket: 28,
    threadsPerCore: 2,
    coreClasses: [{ name: 'skx', cores: 28, workScale: 1, source: SKX }],
    order:
      'CPUs 0-27 are socket 0 cores, 28-55 socket 1 cores, 56-111 their SMT siblings in the same order ' +
      "(hwloc's order, in which will-it-scale pins tasks); CPUs beyond 112 are extra cores (oversubscribed)",
  },
  cache: {
    l1Hit: {
      value: 4 * CYCLE,
      unit: 'ns',
      source: 'Intel optimization manual: 4-5 cycle L1D load-to-use latency; 4 cycles at 2.5 GHz',
    },
    llcHit: {
      value: 60 * CYCLE,
      unit: 'ns',
      source: `${SKX}; the mesh L3 serves a clean line in about 50-70 cycles (Intel Xeon performance guides); 60 cycles`,
    },
    smtTransfer: {
      value: 4 * CYCLE,
      unit: 'ns',
      source:
        'SMT siblings share the L1D, so a line the sibling wrote is an L1 hit (4 cycles); with atomicRmw a ' +
        'compare-and-exchange bounce between siblings costs 8.8 ns, against 7.4-7.6 ns measured on Cascade Lake ' +
        '(github.com/nviennot/core-to-core-latency README, Xeon Gold 6242 and Platinum 8275CL). Was 14 cycles ' +
        '(an L2 hit), which gave 12.8 ns',
    },
    sameSocketTransfer: {
      value: 42,
      unit: 'ns',
      source:
        'core-to-core line transfer within one socket: a compare-and-exchange bounce measures 47-48 ns median ' +
        'on Cascade Lake-SP (github.com/nviennot/core-to-core-latency README: Xeon Gold 6242 48 ns, Platinum ' +
        '8275CL 47 ns — the 28-core XCC die and mesh of Skylake-SP), of which about 7 ns is the locked ' +
        'operation itself (atomicRmw): 42 ns for the transfer. Was 50 ns (an estimate; a CAS bounce then cost 57 ns)',
    },
    crossSocketTransfer: {
      value: 130,
      unit: 'ns',
      source:
        'the same bounce between the two sockets over UPI measures 134-136 ns median on 2-socket Cascade Lake ' +
        '(github.com/nviennot/core-to-core-latency README, "Dual sockets results": Xeon Gold 6242 136 ns, ' +
        'Platinum 8275CL 134 ns; results/Dual Intel(R) Xeon Gold 6242 @ 2.8GHz.csv: 134-146 ns), minus the ' +
        'locked operation (atomicRmw, ~7 ns): 130 ns',
    },
    memory: {
      value: 90,
      unit: 'ns',
      source: 'local DRAM load latency of Skylake-SP, about 80-90 ns (qdpma.com "Memory Latency II", 2018)',
    },
    atomicRmw: {
      value: 18 * CYCLE,
      unit: 'ns',
      source: 'a LOCK-prefixed add on an owned line costs about 18-20 cycles on Skylake (Agner Fog tables)',
    },
    copyPerLine: {
      value: 2 * CYCLE,
      unit: 'ns',
      source: 'copying 64 B into a stack buffer already in L1: two 32-byte load/store pairs, about 2 cycles',
    },
  },
  work: {
    'fault-entry': {
      value: 300,
      unit: 'ns',
      source:
        'estimate: #PF exception entry with PTI (CR3 switch), register save, do_user_addr_fault() prologue; ' +
        'Skylake is Meltdown-affected so PTI is on',
    },
    'fault-exit': {
      value: 200,
      unit: 'ns',
      source: 'estimate: return to user space with PTI (CR3 switch back, IRET)',
    },
    'page-alloc': {
      value: 120,
      unit: 'ns',
      source:
        'estimate: alloc_pages() from the per-CPU list plus memcg charge from the per-CPU stock; refills ' +
        'under zone->lock are priced separately (kernel.zonePerPage)',
    },
    'page-free': {
      value: 80,
      unit: 'ns',
      source:
        'estimate: one page of a zap batch (rmap removal, release_pages, uncharge) without the lock work',
    },
    'page-zero': {
      value: 450,
      unit: 'ns',
      source:
        'estimate: clear_page_erms() of 4 KiB of cold memory, about 9 GB/s per core (a single core of a ' +
        'many-core Xeon is bounded by its outstanding-miss concurrency over the mesh latency, not by DRAM); ' +
        'clear_page is the largest single item of a page_fault1 profile. No per-socket bandwidth limit is ' +
        'modelled: 8.6 M faults/s (the fastest published pft point) clear 35 GB/s over two sockets, a ' +
        "fraction of one socket's six DDR4-2666 channels (128 GB/s peak)",
    },
    'page-copy': {
      value: 650,
      unit: 'ns',
      source: 'estimate: copy_page() of 4 KiB, one cold read stream and one write stream',
    },
    'pte-install': {
      value: 130,
      unit: 'ns',
      source:
        'estimate: folio_add_new_anon_rmap, counters, set_pte_at; the LRU add is priced per batch ' +
        '(kernel.lruBatch / lruPerPage)',
    },
    'tlb-flush': {
      value: 120,
      unit: 'ns',
      source: 'estimate: local INVLPG / flush_tlb_page() of one page with PTI (two PCIDs)',
    },
    'pgtable-alloc': {
      value: 600,
      unit: 'ns',
      source: 'estimate: allocating and zeroing a 4 KiB page-table page (page-alloc + page-zero)',
    },
    'io-read': {
      value: 80_000,
      unit: 'ns',
      source: 'estimate: one 4 KiB read from an NVMe SSD, about 80 us',
    },
    'page-mkwrite': {
      value: 400,
      unit: 'ns',
      source: 'estimate: a file system ->page_mkwrite (block reservation, dirtying), without I/O',
    },
    'anon-vma-prepare': {
      value: 400,
      unit: 'ns',
      source: 'estimate: anon_vma_prepare(): two slab allocations and the anon_vma lock',
    },
    'stack-expand': {
      value: 500,
      unit: 'ns',
      source: 'estimate: expand_downwards() accounting and the VMA tree update',
    },
    signal: {
      value: 3000,
      unit: 'ns',
      source: 'estimate: force_sig_fault() and signal frame setup',
    },
    'vsyscall-emulate': {
      value: 300,
      unit: 'ns',
      source: 'estimate: emulate_vsyscall() of one call',
    },
    oops: {
      value: 50_000,
      unit: 'ns',
      source: 'estimate: an oops (printing, task kill); only ever seen with bad input',
    },
  },
  kernel: {
    syscallEntry: {
      value: 150,
      unit: 'ns',
      source: 'estimate: SYSCALL entry with PTI and speculation mitigations',
    },
    syscallExit: { value: 100, unit: 'ns', source: 'estimate: SYSRET path with PTI' },
    userAccess: {
      value: 1,
      unit: 'ns',
      source: 'a store to a mapped page that hits the TLB, plus the loop around it (a few cycles)',
    },
    mmapBody: {
      value: 700,
      unit: 'ns',
      source:
        'estimate: do_mmap() beyond the tree walk and line traffic the model prices separately; ' +
        'will-it-scale mmap1 runs one mmap+munmap pair in a few us on one thread',
    },
    munmapBody: { value: 600, unit: 'ns', source: 'estimate: do_vmi_munmap() fixed part, mmu_gather setup' },
    mprotectBody: { value: 500, unit: 'ns', source: 'estimate: do_mprotect_pkey() fixed part' },
    madviseBody: { value: 250, unit: 'ns', source: 'estimate: do_madvise() fixed part' },
    brkBody: { value: 500, unit: 'ns', source: 'estimate: brk() fixed part' },
    mremapBody: { value: 900, unit: 'ns', source: 'estimate: mremap() fixed part' },
    perVma: {
      value: 120,
      unit: 'ns',
      source: 'estimate: vm_area_alloc/free (kmem_cache), VMA init and accounting per VMA touched',
    },
    indexNodeAlloc: {
      value: 80,
      unit: 'ns',
      source: 'estimate: kmem_cache_alloc of a 256-byte maple node (or tree node) from the per-CPU slab',
    },
    callRcu: { value: 30, unit: 'ns', source: 'estimate: call_rcu() enqueues on the per-CPU callback list' },
    rcuGracePeriod: {
      value: 2_000_000,
      unit: 'ns',
      source:
        'estimate: a normal (not expedited) grace period on a busy HZ=1000 kernel takes a few jiffies; 2 ms',
    },
    tlbIpiSend: {
      value: 1500,
      unit: 'ns',
      source: 'estimate: flush_tlb_mm_range() sending IPIs and waiting for the acknowledgements (a few us)',
    },
    tlbIpiPerTarget: {
      value: 30,
      unit: 'ns',
      source: 'estimate: per-target cost of smp_call_function_many_cond() (cpumask walk, CSD, x2APIC send)',
    },
    tlbIpiTarget: {
      value: 1200,
      unit: 'ns',
      source: 'estimate: what a target CPU loses: interrupt entry, flush_tlb_func(), return',
    },
    rwsemWakeup: {
      value: 3000,
      unit: 'ns',
      source: 'estimate: waking a sleeping rwsem waiter (try_to_wake_up, IPI, schedule in) takes a few us',
    },
    pcpBatch: {
      value: 63,
      unit: 'count',
      source: 'mm/page_alloc.c zone_batchsize(): 63 pages for large zones (v5.x/v6.x)',
    },
    pcpHigh: {
      value: 378,
      unit: 'count',
      source: 'pcp->high = 6 * batch (mm/page_alloc.c, pageset_set_batch in v5.x)',
    },
    zonePerPage: {
      value: 170,
      unit: 'ns',
      source:
        'estimate: per page of rmqueue_bulk()/free_pcppages_bulk() under zone->lock, dominated by cache ' +
        'misses on cold struct pages — Aaron Lu (Intel), page_fault1 on a 2-socket Skylake with 112 CPUs: ' +
        '"CPU spend 80% of its time spinning on zone->lock. Perf profile shows the most time consuming part ' +
        'under zone->lock is the cache miss on struct page" (lore 20181017063330.15384-1-aaron.lu@intel.com); ' +
        "two local DRAM misses (memory, ~85 ns each) per page: the page's own struct page and a free-list " +
        'neighbour or buddy. No published per-page hold time was found; kept at 170 ns',
    },
    lruBatch: {
      value: 15,
      unit: 'count',
      source: 'PAGEVEC_SIZE / the folio_batch of lru_add: 15 pages per lruvec lock round trip',
    },
    lruPerPage: {
      value: 40,
      unit: 'ns',
      source: 'estimate: per page of lru_add_fn() under the lruvec lock',
    },
  },
} satisfies MachineProfile);
