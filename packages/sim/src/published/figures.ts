/**
 * Published measurements of Linux VMA indexing and fault concurrency, as data, each with its source
 * and the simulator runs that correspond to it. Every number is quoted from the team's fact sheets
 * (shared/reference/kernel-facts.md §§2.4, 3.1, 3.2, 4 and anchors-and-figures.md §3), which give
 * the primary source (lore message id or index id) — nothing here is estimated. Ratios derived from
 * quoted numbers say so in `text`.
 */

/** Where a figure comes from. */
export interface Citation {
  readonly who: string;
  readonly date: string;
  readonly title: string;
  /** Canonical address: lore message id, or another public URL. */
  readonly where: string;
  /** Section of the team's fact sheet quoting it. */
  readonly factSheet: string;
}

/** A fault-handling scheme and a VMA index, as the simulator names them. */
export interface Variant {
  readonly strategy: string;
  readonly index: string;
}

/** Which measured rate a figure compares. */
export type Metric = 'faults_per_sec' | 'ops_per_sec';

/** A published value: a number, or a range (inclusive), with how the source states it. */
export interface PublishedValue {
  readonly value?: number;
  readonly range?: readonly [number, number];
  readonly text: string;
}

/** Engine settings a figure needs beyond the defaults (a whole capture, a longer window). */
export interface EngineHints {
  /** Measured window in simulated ns. */
  readonly durationNs?: number;
  /** Warm-up before the window in simulated ns. */
  readonly warmupNs?: number;
}

/** One simulated workload configuration of a figure. */
export interface RunSpec {
  readonly workload: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly threads: number;
  readonly engine?: EngineHints;
}

/** A ratio variant / baseline at one configuration (speedups, regressions). */
export interface RatioItem extends RunSpec {
  readonly label: string;
  readonly metric: Metric;
  readonly baseline: Variant;
  readonly variant: Variant;
  /** variant / baseline. */
  readonly published: PublishedValue;
}

/** A published curve of baseline and variant against the thread count. */
export interface SeriesCheck {
  readonly kind: 'series';
  readonly workload: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly engine?: EngineHints;
  readonly metric: Metric;
  readonly baseline: Variant;
  readonly variant: Variant;
  readonly points: readonly {
    readonly threads: number;
    readonly baseline: number;
    readonly variant: number;
  }[];
  /** Shape properties the published curve has. */
  readonly shape: readonly ('ratio-increasing' | 'baseline-peaks-early')[];
}

/** Ratios at single configurations. */
export interface RatiosCheck {
  readonly kind: 'ratios';
  readonly items: readonly RatioItem[];
}

/** A variant's own scaling: rate at `threads` over rate at `fromThreads`. */
export interface ScalingCheck {
  readonly kind: 'scaling';
  readonly workload: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly engine?: EngineHints;
  readonly metric: Metric;
  readonly variant: Variant;
  readonly fromThreads: number;
  readonly threads: number;
  readonly published: PublishedValue;
}

/** A configuration of a benefit-fraction check. */
export interface BenefitItem extends RunSpec {
  readonly label: string;
}

/** (candidate / baseline - 1) / (reference / baseline - 1): how much of a gain a scheme keeps. */
export interface BenefitFractionCheck {
  readonly kind: 'benefit-fraction';
  readonly items: readonly BenefitItem[];
  readonly metric: Metric;
  readonly baseline: Variant;
  readonly reference: Variant;
  readonly candidate: Variant;
  readonly published: PublishedValue;
}

/** Fractions of faults: handled speculatively, or speculation attempts that aborted. */
export interface SpfRateItem extends RunSpec {
  readonly label: string;
  readonly variant: Variant;
  readonly quantity: 'speculative-share' | 'abort-rate';
  readonly published: PublishedValue;
}

/** SPF outcome fractions. */
export interface SpfRatesCheck {
  readonly kind: 'spf-rates';
  readonly items: readonly SpfRateItem[];
}

/** A published effect the simulator has no configuration for. */
export interface NotModelledCheck {
  readonly kind: 'not-modelled';
  readonly published: PublishedValue;
  /** What would be needed to run it. */
  readonly needs: string;
}

/** What is compared, by kind. */
export type FigureCheck =
  | SeriesCheck
  | RatiosCheck
  | ScalingCheck
  | BenefitFractionCheck
  | SpfRatesCheck
  | NotModelledCheck;

/** A published figure. */
export interface PublishedFigure {
  readonly id: string;
  readonly title: string;
  readonly citation: Citation;
  /** The machine and setup the numbers were measured on. */
  readonly machine: string;
  readonly check: FigureCheck;
  /** Why the simulation may disagree (model limits, machine differences). */
  readonly whyMayDisagree: string;
}

const BASE_RB: Variant = { strategy: 'mmap-lock', index: 'rbtree' };
const SPF_VMA_RB: Variant = { strategy: 'spf-copy-vma', index: 'rbtree' };
const SPF_ATTR_RB: Variant = { strategy: 'spf-copy-attrs', index: 'rbtree' };
const BASE_MAPLE: Variant = { strategy: 'mmap-lock', index: 'maple' };
const SPF_VMA_MAPLE: Variant = { strategy: 'spf-copy-vma', index: 'maple' };
const PVL_MAPLE: Variant = { strategy: 'per-vma-lock', index: 'maple' };

const RASMUSSEN: Citation = {
  who: 'Axel Rasmussen (Google)',
  date: '2021-06-28',
  title: 'pft results for speculative page faults (reply to the SPF series)',
  where: 'lore 20210628221454.651942-1-axelrasmussen@google.com',
  factSheet: 'kernel-facts.md §3.2 (index id 46566067678)',
};

const LESPINASSE_RFC: Citation = {
  who: 'Michel Lespinasse (Google)',
  date: '2021-04-06',
  title: '[RFC PATCH 00/37] Speculative page faults',
  where: 'lore 20210407014502.24091-1-michel@lespinasse.org',
  factSheet: 'kernel-facts.md §3.2 (index id 35383492777)',
};

const DUFOUR_V11: Citation = {
  who: 'Laurent Dufour (IBM)',
  date: '2018-05-17',
  title: '[PATCH v11 00/26] Speculative page faults',
  where: 'lore 1526555193-7242-1-git-send-email-ldufour@linux.vnet.ibm.com',
  factSheet: 'kernel-facts.md §3.1 (index id 30288664132); anchors-and-figures.md §3.2',
};

const DUFOUR_V12: Citation = {
  who: 'Laurent Dufour (IBM)',
  date: '2019-04-16',
  title: '[PATCH v12 00/31] Speculative page faults',
  where: 'lore 20190416134522.17540-1-ldufour@linux.ibm.com',
  factSheet: 'anchors-and-figures.md §3.2 (idx 19056951160, 34228408542, 14135620959)',
};

const HOWLETT_RFC: Citation = {
  who: 'Liam R. Howlett (Oracle)',
  date: '2021-01-12',
  title: '[PATCH v2 00/70] RFC mm: Introducing the Maple Tree',
  where: 'lore 20210112161240.2024684-1-Liam.Howlett@Oracle.com',
  factSheet: 'kernel-facts.md §2.4 (index id 45703084137)',
};

const HOWLETT_V4: Citation = {
  who: 'Liam R. Howlett (Oracle)',
  date: '2021-12-01',
  title: 'Maple tree v4 cover letter (v5.16-rc2)',
  where: 'lore 20211201142918.921493-1-Liam.Howlett@oracle.com',
  factSheet: 'anchors-and-figures.md §3.3 (idx 30304885078)',
};

const BAGHDASARYAN_V4: Citation = {
  who: 'Suren Baghdasaryan (Google)',
  date: '2023-02-27',
  title: '[PATCH v4 00/33] Per-VMA locks',
  where: 'lore 20230227173632.3292573-1-surenb@google.com',
  factSheet: 'kernel-facts.md §4 (index id 29563317824); anchors-and-figures.md §3.4',
};

const pct = (from: number, to: number) => to / from;

/**
 * Name under which a runner may provide spf-copy-vma with an atomic increment and decrement of one VMA
 * cache line around the VMA copy (Lespinasse's thought experiment). Not a registered strategy.
 */
export const ATOMIC_STRATEGY = 'spf-copy-vma+atomic';

/**
 * pft in its steady state: Rasmussen's runs faulted 38 GiB for seconds, long past the point where
 * every CPU's per-CPU page list runs its refill cycle. The pft workload starts its lists there
 * (pcpStart 'refill-cycle'), so the engine's default warm-up suffices; 16 MiB per thread (4096
 * faults) keeps every thread faulting through warm-up and window at every thread count.
 */
const PFT_STEADY = { bytes_per_thread: 16 * 1024 * 1024 } as const;

/**
 * ebizzy over many record cycles: -mTt threads start together and do identical records (128 faults,
 * then a munmap and an mmap), so they fault in step and then queue on the mmap_lock together. In the
 * model (skylake-2s, mmap-lock) one such cycle lasts about 0.8 ms at 12 threads, 1.1 ms at 16 and
 * 5 ms at 48 (1.8 ms of faulting, then the 48 munmap/mmap pairs one after another). ebizzy runs for
 * seconds; a 16 ms window spans three or more cycles at every thread count the figures use, so the
 * rates are the cycles' mix rather than one phase (the default 200 us window catches one phase only).
 */
const EBIZZY_ENGINE: EngineHints = { durationNs: 16_000_000 };

/**
 * will-it-scale's page_fault loops in steady state: the benchmark reports per-second averages over a
 * run of seconds, after its threads have started. In the model every thread begins with an mmap, so
 * a run starts with a convoy on the mmap_lock that lasts longer than the default warm-up at high
 * thread counts (48 threads of page_fault2: about 300 us on rbtree and 150 us on maple, against a
 * default warm-up of 290 us), and one loop of 256 faults and a munmap per thread takes 0.3-3 ms. A
 * 1 ms warm-up and a 2 ms window measure the loops, not the start.
 */
const WIS_STEADY: EngineHints = { warmupNs: 1_000_000, durationNs: 2_000_000 };

/** The published figures the simulator is compared with. */
export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  {
    id: 'rasmussen-2021-pft-spf',
    title: 'pft faults/s, v5.12 vs v5.12 + speculative page faults, by thread count',
    citation: RASMUSSEN,
    machine:
      '2x Intel Skylake, 56 cores / 112 threads, 192 GiB; pft threads mode, mapping MEMTOTAL/5, base pages, PFT_ITERATIONS=30',
    check: {
      kind: 'series',
      workload: 'pft',
      params: PFT_STEADY,
      metric: 'faults_per_sec',
      baseline: BASE_RB,
      variant: SPF_VMA_RB,
      points: [
        { threads: 1, baseline: 573625, variant: 580978 },
        { threads: 12, baseline: 4.703e6, variant: 5.36e6 },
        { threads: 21, baseline: 4.569e6, variant: 7.552e6 },
        { threads: 48, baseline: 3.821e6, variant: 6.457e6 },
        { threads: 112, baseline: 3.628e6, variant: 8.579e6 },
      ],
      shape: ['ratio-increasing', 'baseline-peaks-early'],
    },
    whyMayDisagree:
      "The simulated region is 2 MiB per thread, not 38 GiB, so zeroing and page allocation costs are the profile's constants rather than measured memory bandwidth; the baseline's decline past 12 threads comes from mmap_lock reader cache-line bouncing and zone/LRU lock contention, of which the model has only the lock cache lines; SMT (112 threads on 56 cores) is modelled only as far as the profile's CPU count and sharing; pft forks a launch child and measures wall time between the first start and the last finish, which the simulator approximates by its run end.",
  },
  {
    id: 'rasmussen-2021-rome-crossover',
    title:
      'pft on AMD Rome: speculative faults win at low thread counts, the baseline wins past 79-110 threads',
    citation: RASMUSSEN,
    machine: '2x AMD Rome, 256 threads; pft threads mode',
    check: {
      kind: 'not-modelled',
      published: {
        text: 'SPF wins at low thread counts but "Eventually (between 79 and 110 threads), baseline wins out"',
      },
      needs:
        'a machine profile of a 2-socket AMD Rome (256 hardware threads, its cache and interconnect costs)',
    },
    whyMayDisagree:
      'Not run: the crossover is a property of that machine (remote-cache costs of the mmap_seq and page-table lines across its chiplets), which a Skylake-like server profile cannot show.',
  },
  {
    id: 'lespinasse-2021-pft-48',
    title: 'pft with speculative faults at 48 threads: 24x one thread and 3.7x the baseline',
    citation: LESPINASSE_RFC,
    machine:
      'HP Z840, 2-socket Xeon E5-2690 v3, 24 cores / 48 threads; mmtests pft (raw data not stored, UNVERIFIED beyond the quote)',
    check: {
      kind: 'ratios',
      items: [
        {
          label: 'SPF vs baseline at 48 threads',
          workload: 'pft',
          params: PFT_STEADY,
          threads: 48,
          metric: 'faults_per_sec',
          baseline: BASE_RB,
          variant: SPF_VMA_RB,
          published: { value: 3.7, text: '"3.7x higher than when using the baseline kernel"' },
        },
      ],
    },
    whyMayDisagree:
      'Only the two ratios are published (no absolute rates); 24 cores with SMT give 48 hardware threads whose shared cores the profile may not model; the baseline at 48 threads is dominated by mmap_lock cache-line traffic, which the cost model prices per line transfer.',
  },
  {
    id: 'lespinasse-2021-pft-scaling',
    title: 'pft with speculative faults: 48-thread throughput is 24x single-threaded',
    citation: LESPINASSE_RFC,
    machine: 'HP Z840, 2-socket Xeon E5-2690 v3, 24 cores / 48 threads',
    check: {
      kind: 'scaling',
      workload: 'pft',
      params: PFT_STEADY,
      metric: 'faults_per_sec',
      variant: SPF_VMA_RB,
      fromThreads: 1,
      threads: 48,
      published: {
        value: 24,
        text: '"Throughput using all 48 threads (24 cores) is 24x that of single-threaded tests"',
      },
    },
    whyMayDisagree:
      'Perfect scaling would be 48x; the published 24x reflects 24 physical cores (SMT siblings share execution units) plus page allocator and zeroing costs shared through memory bandwidth — the simulator scales by its CPU count unless the profile models SMT sharing.',
  },
  {
    id: 'lespinasse-2021-atomic',
    title: 'One atomic per VMA in the SPF copy path costs 62% of 48-thread throughput',
    citation: LESPINASSE_RFC,
    machine: 'HP Z840, 2-socket Xeon E5-2690 v3, 24 cores / 48 threads; pft',
    check: {
      kind: 'ratios',
      items: [
        {
          label: 'pft, 48 threads: SPF with a per-VMA atomic around the copy, over SPF',
          workload: 'pft',
          params: PFT_STEADY,
          threads: 48,
          metric: 'faults_per_sec',
          baseline: SPF_VMA_RB,
          variant: { strategy: ATOMIC_STRATEGY, index: 'rbtree' },
          published: {
            value: 0.38,
            text: '"adding a single atomic variable per vma, which would be incremented and decremented before and after spf copies the vma, would decrease the 48-threads throughput by 62%" (0.38x, derived)',
          },
        },
      ],
    },
    whyMayDisagree: `Lespinasse's number is an estimate he states, not a published measurement. The strategy is not registered: the runner must resolve '${ATOMIC_STRATEGY}' (withAtomicPerVma(spf-copy-vma): a read-modify-write of one VMA line before and after the copy); otherwise the row is not run. pft puts all threads on one VMA, the worst case PeterZ described ("that vm_ref_count gets _very_ hot"); the loss depends on how the profile prices a contended line.`,
  },
  {
    id: 'baghdasaryan-2023-pvl-vs-spf',
    title: 'Per-VMA locks keep about 75% of the speculative-fault benefit',
    citation: BAGHDASARYAN_V4,
    machine:
      'not stated in the cover letter ("Performance benchmarks show similar although slightly smaller benefits as with SPF patchset (~75% of SPF benefits)")',
    check: {
      kind: 'benefit-fraction',
      items: [
        {
          label: 'pft, 48 threads (all faults in one VMA)',
          workload: 'pft',
          params: PFT_STEADY,
          threads: 48,
        },
        {
          label: 'mixed, 47 faulters with a VMA each + 1 writer at 10 calls/ms',
          workload: 'mixed',
          params: { per_thread_vmas: 1, writer_ops_per_ms: 10 },
          threads: 48,
        },
      ],
      metric: 'faults_per_sec',
      baseline: BASE_MAPLE,
      reference: SPF_VMA_MAPLE,
      candidate: PVL_MAPLE,
      published: { value: 0.75, text: '"~75% of SPF benefits"' },
    },
    whyMayDisagree:
      "The cover letter names no benchmark or machine; pft and mixed at 48 threads are our choice. Per-VMA locks still write the VMA's lock word (down_read_trylock) on every fault, which bounces like mmap_lock's when all threads fault in one VMA (pft's single region) — exactly where SPF, which writes nothing shared, keeps its advantage; with a VMA per thread (mixed, per_thread_vmas) the lock words stay local and the fraction should approach the published one.",
  },
  {
    id: 'lespinasse-2021-android-aborts',
    title: 'SPF abort rates are in the low single-digit percent on real workloads',
    citation: LESPINASSE_RFC,
    machine: 'Android phones, 5.10 backport of the series; app launches',
    check: {
      kind: 'spf-rates',
      items: [
        {
          label: 'c-arenas capture (3 threads of malloc/free)',
          workload: 'trace:c-arenas',
          threads: 4,
          // The whole 30 ms capture at its own pace: with compressed time, threads would run on stacks
          // their creator has not mapped yet.
          params: { time_scale: 1 },
          engine: { durationNs: 40_000_000, warmupNs: 0 },
          variant: SPF_VMA_RB,
          quantity: 'abort-rate',
          published: {
            range: [0.01, 0.09],
            text: '"SPF abort rates are in the low single digit percentage range"',
          },
        },
      ],
    },
    whyMayDisagree:
      "Android app launch is not our capture: c-arenas is a small malloc/free test whose arena growth is one mprotect per few faults, so its mmap_seq changes far more often per fault than an app launch; and a replayed capture runs at the capture's own pace, scaled.",
  },
  {
    id: 'dufour-2018-ebizzy-spf-share',
    title: 'ebizzy -mTt: share of faults handled speculatively (Dufour series)',
    citation: DUFOUR_V11,
    machine: '16-CPU x86 VM (v11 counters); 48-CPU x86 (v12 counters, anchors §3.2)',
    check: {
      kind: 'spf-rates',
      items: [
        {
          label: '16 CPUs: 1,674,599 of 1,706,379 faults speculative',
          workload: 'ebizzy',
          threads: 16,
          engine: EBIZZY_ENGINE,
          variant: SPF_ATTR_RB,
          quantity: 'speculative-share',
          published: { value: 1674599 / 1706379, text: 'faults 1706379, spf 1674599 (98.1%, derived)' },
        },
        {
          label: '48 CPUs: 10,886,706 of 11,846,569 faults speculative',
          workload: 'ebizzy',
          threads: 48,
          engine: EBIZZY_ENGINE,
          variant: SPF_ATTR_RB,
          quantity: 'speculative-share',
          published: {
            value: 10886706 / 11846569,
            text: '11,846,569 faults, 10,886,706 speculative (91.9%, derived)',
          },
        },
      ],
    },
    whyMayDisagree:
      "Dufour's series validated each fault against a per-VMA sequence count, so a thread's munmap of its own buffer aborted only faults on that VMA; the kit's SPF strategies follow Lespinasse's mm-wide mmap_seq, where any writer anywhere aborts every speculation in flight, so the simulated share should be lower. Most simulated aborts are failed PTE-lock trylocks: four threads' 512 KiB buffers share a PTE table, and a simulated fault takes 1-2 us where the published machines took 34-170 us per fault per CPU, so the lock is busy far more often.",
  },
  {
    id: 'dufour-2018-ebizzy-speedup',
    title: 'ebizzy -mTt <nrcpus> records/s, baseline vs speculative page faults (Dufour series)',
    citation: DUFOUR_V11,
    machine: 'x86: 16-CPU VM (v11), 24-CPU host (v12); POWER8 points (80 and 1024 CPUs) are not simulated',
    check: {
      kind: 'ratios',
      items: [
        {
          label: '16-CPU x86 VM (v11): 742.57 -> 1490.24 records/s',
          workload: 'ebizzy',
          threads: 16,
          engine: EBIZZY_ENGINE,
          // -mTt: every record faults 128 pages, so records/s = faults/s / 128; faults/s is the finer count.
          metric: 'faults_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(742.57, 1490.24), text: '+100.69%' },
        },
        {
          label: '24-CPU x86 (v12): 5492.69 -> 9383.07 records/s',
          workload: 'ebizzy',
          threads: 24,
          engine: EBIZZY_ENGINE,
          metric: 'faults_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(5492.69, 9383.07), text: `+70.83% (${DUFOUR_V12.where})` },
        },
      ],
    },
    whyMayDisagree:
      "Dufour's SPF took a read lock on mm_rb_lock and a per-VMA reference count for each speculative fault (both shared cache lines) and checked a per-VMA seqcount; the kit's attribute-copy strategy uses Lespinasse's mmap_seq instead. ebizzy's munmap per 128 faults keeps the baseline's mmap_lock writer-heavy, which the model captures; the VM of the 16-CPU run adds EPT fault costs the profile does not.",
  },
  {
    id: 'howlett-2021-maple-wis',
    title: 'Maple tree vs rbtree (5.10) on will-it-scale, still under mmap_lock',
    citation: HOWLETT_RFC,
    machine: '144-core x86, mmtests will-it-scale, Hmean',
    check: {
      kind: 'ratios',
      items: [
        {
          label: 'page_fault1-threads-141: 11314690.18 -> 13623989.67',
          workload: 'page_fault1',
          threads: 141,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(11314690.18, 13623989.67), text: '+20.41%' },
        },
        {
          label: 'page_fault2-threads-48: 605893.29 -> 1712174.51',
          workload: 'page_fault2',
          threads: 48,
          engine: WIS_STEADY,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(605893.29, 1712174.51), text: '+182.59%' },
        },
        {
          label: 'page_fault3-threads-8: 3214674.74 -> 2502612.56',
          workload: 'page_fault3',
          threads: 8,
          engine: WIS_STEADY,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(3214674.74, 2502612.56), text: '-22.15%' },
        },
        {
          label: 'malloc1-threads-2: 14119.77 -> 179149.22',
          workload: 'malloc1',
          threads: 2,
          // Each iteration is a few microseconds: a longer window gives hundreds of them.
          engine: { durationNs: 2_000_000 },
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(14119.77, 179149.22), text: '+1168.78%' },
        },
        {
          label: 'brk1-processes-2 (one process per mm: simulated as 1 thread): 4547264.11 -> 2711590.85',
          workload: 'brk1',
          threads: 1,
          // Each iteration is a few microseconds: a longer window gives hundreds of them.
          engine: { durationNs: 2_000_000 },
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(4547264.11, 2711590.85), text: '-40.37% ("testing insert of a VMA")' },
        },
        {
          label: 'page_fault3-processes-2 (simulated as 1 thread): 1528339.53 -> 1418181.17',
          workload: 'page_fault3',
          threads: 1,
          engine: WIS_STEADY,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { value: pct(1528339.53, 1418181.17), text: '-7.21%' },
        },
      ],
    },
    whyMayDisagree:
      "The RFC's maple tree differs from v6.1's and from the kit's model (node allocation per store, RCU freeing); brk1's loss is attributed to maple stores needing node allocations, so it depends on the profile's allocation cost; malloc1's +1168% at 2 threads is far beyond what tree costs alone explain (both trees are shallow for a ~20-VMA process) and likely includes effects of the series' other changes (vmacache removal, munmap path), which the model reproduces only in part; processes mode is approximated by one thread per mm.",
  },
  {
    id: 'howlett-2021-maple-ebizzy',
    title: 'Maple tree v4: ebizzy 13% to 32% slower than rbtree (longer mmap_lock hold)',
    citation: HOWLETT_V4,
    machine: 'x86 (v5.16-rc2 base); thread count not stated in the fact sheet',
    check: {
      kind: 'ratios',
      items: [
        {
          label: 'ebizzy -mTt 48',
          workload: 'ebizzy',
          threads: 48,
          engine: EBIZZY_ENGINE,
          metric: 'faults_per_sec',
          baseline: BASE_RB,
          variant: BASE_MAPLE,
          published: { range: [0.68, 0.87], text: '"ebizzy 13% to 32% slower" (0.68x-0.87x, derived)' },
        },
      ],
    },
    whyMayDisagree:
      'The cover letter attributes the loss to slower maple stores holding mmap_lock longer (58.95% vs 67.48% of time in native_queued_spin_lock_slowpath); the simulated difference depends on the relative store costs of the two index models and on how the profile prices the writer hold time. The ebizzy options and thread count are not in the fact sheet; -mTt 48 is our choice.',
  },
  {
    id: 'lkp-2018-spf-v9-wis',
    title: 'Intel LKP will-it-scale per_thread_ops, v4.16 vs SPF v9 (nr_task 100%)',
    citation: DUFOUR_V11,
    machine:
      'Skylake 4-socket, 192 CPUs, 768 GiB; LKP will-it-scale, nr_task 100%; THP as labelled; mode (threads/processes) not stated in the fact sheet — threads assumed',
    check: {
      kind: 'ratios',
      items: [
        {
          label: 'page_fault1, THP off: 8607 -> 11736',
          workload: 'page_fault1',
          threads: 192,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(8607, 11736), text: '+36.4%' },
        },
        {
          label: 'malloc1, THP off: 90.33 -> 467.33',
          workload: 'malloc1',
          threads: 192,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(90.33, 467.33), text: '+417.3%' },
        },
        {
          label: 'page_fault2, THP off: 8432 -> 6931',
          workload: 'page_fault2',
          threads: 192,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(8432, 6931), text: '-17.8%' },
        },
        {
          label: 'page_fault3, THP off: 10107 -> 8180',
          workload: 'page_fault3',
          threads: 192,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(10107, 8180), text: '-19.1%' },
        },
        {
          label: 'brk1, THP on: 957.67 -> 885',
          workload: 'brk1',
          threads: 192,
          metric: 'ops_per_sec',
          baseline: BASE_RB,
          variant: SPF_ATTR_RB,
          published: { value: pct(957.67, 885), text: '-7.6%' },
        },
      ],
    },
    whyMayDisagree:
      "SPF v9 is Dufour's design (mm_rb rwlock and per-VMA refcount taken on every speculative fault, per-VMA seqcount) — the regressions on page_fault2/3 come from those shared lines and from file faults that cannot be handled speculatively; the kit's attribute-copy strategy shares only the validation idea. 192 CPUs may exceed the profile; the LKP mode is not stated.",
  },
];

/** The figure `id`, or undefined. O(figures). */
export function figureById(id: string): PublishedFigure | undefined {
  return PUBLISHED_FIGURES.find((f) => f.id === id);
}
