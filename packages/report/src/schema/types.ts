/**
 * TypeScript types of results.json (version: RESULTS_SCHEMA_VERSION). The JSON Schema in `./schema.ts` (written out
 * as packages/report/schema/results.schema.json) is the normative description; these types mirror
 * it field for field, which the sample fixture's generator and schema tests check.
 *
 * Units: every number's unit is fixed by its field (`ns_*` nanoseconds, `*_per_sec` per second of
 * wall clock or simulated time, `bytes*` bytes, `rme` percent, `*_fraction` a ratio in [0, 1],
 * counts otherwise) and recorded as `x-unit` in the schema. Published-results rows carry their
 * unit in a `unit` field because it varies per figure.
 */

/** The schema version these types describe. A reader refuses other versions. */
export const RESULTS_SCHEMA_VERSION = 3;

/** Any JSON value (the free-form `options`). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/** The whole results.json document. Only `metadata` is required so partial runs and shards validate. */
export interface ResultsDocument {
  readonly schema_version: typeof RESULTS_SCHEMA_VERSION;
  readonly metadata: RunMetadata;
  readonly benchmarks?: BenchmarkSection;
  readonly memory?: MemorySection;
  readonly replay?: ReplaySection;
  readonly scaling?: ScalingSection;
  readonly bytes_copied?: BytesCopiedSection;
  readonly published?: PublishedSection;
  readonly fault_path?: FaultPathSection;
}

/** Where and with what a run happened (the same shape the CLI's `runEnvironment()` returns). */
export interface RunEnvironment {
  /** `process.version`, e.g. "v20.19.0". */
  readonly node: string;
  /** `os.platform()`. */
  readonly platform: string;
  /** `os.release()` of the machine that ran the benchmarks. */
  readonly kernel: string;
  readonly cpu_model: string;
  /** Logical CPUs of the machine (not the simulated CPU count). */
  readonly cpus: number;
  /** `git rev-parse HEAD`, or null outside a repository. */
  readonly git_revision: string | null;
  /** Whether the working tree had uncommitted changes; null when unknown. */
  readonly git_dirty: boolean | null;
}

/** Which part of a sharded run a document holds: shard `index` of `count` (0-based). */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
}

/**
 * Matrix cells (see `cellKey`) this run was asked for and those it finished, so an interrupted
 * run can resume and a partial report can say what is missing.
 */
export interface CellProgress {
  readonly planned: readonly string[];
  readonly finished: readonly string[];
}

/** One input of a merged document, as recorded by `mergeResults`. */
export interface MergedInput {
  readonly shard: ShardInfo | null;
  readonly generated_at: string;
  readonly environment: RunEnvironment;
}

/** Run metadata: always present. */
export interface RunMetadata {
  /** ISO 8601 UTC time the document was written. */
  readonly generated_at: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly environment: RunEnvironment;
  /** Every seed the run used, by purpose (`sim`, `workload`, `bench`, ...): integers. */
  readonly seeds: Readonly<Record<string, number>>;
  /** The options the run was started with (free-form JSON; must match for shards to merge). */
  readonly options: { readonly [k: string]: JsonValue };
  readonly shard?: ShardInfo;
  readonly cells?: CellProgress;
  /** Present on a document made by `mergeResults`: its inputs, in shard order. */
  readonly merged_from?: readonly MergedInput[];
  /** Free-text remarks for the reader of the report (warnings, caveats). */
  readonly notes?: readonly string[];
}

/** The benchmark runner and its settings. */
export interface BenchmarkRunner {
  /** e.g. "tinybench". */
  readonly name: string;
  readonly version: string;
  /** Runner settings as given (e.g. time_ms, iterations, warmup_ms, repetitions). */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

/**
 * One micro-benchmark: operation `op` on index `index` holding the `vmas` VMAs of address-space
 * layout `layout` (the shape `vmakit bench` writes). Baseline rows (`kind: 'baseline'`) use the
 * index names `limit` (a sorted array searched by bisection: the floor), `raw:sorted-btree` and
 * `raw:functional-red-black-tree` (the libraries without the VMA layer).
 */
export interface BenchmarkRow {
  /** Address-space layout: `synthetic-<n>` or `capture:<folder>/<start|end>`. */
  readonly layout: string;
  readonly vmas: number;
  readonly index: string;
  /** Operation, e.g. find-random, lookup-random, iterate-all, gap-topdown, churn-mmap. */
  readonly op: string;
  /** 'baseline' for limit and raw:* rows; absent means 'index'. */
  readonly kind?: 'index' | 'baseline';
  /** Operations per runner sample (latencies are sample time / this), count. */
  readonly ops_per_sample?: number;
  /** Median latency per operation, ns. */
  readonly ns_p50: number;
  /** 99th-percentile latency per operation, ns. */
  readonly ns_p99: number;
  /** Mean latency per operation, ns. */
  readonly ns_mean?: number;
  /** Relative margin of error of the mean at 95 % (tinybench `rme`), percent. */
  readonly rme: number;
  /** Operations per second (throughput). */
  readonly ops_per_sec: number;
  /** Samples the runner took (count). */
  readonly samples: number;
  /** ns_p50 over the p50 of `limit` for the same layout and op; null when not applicable. */
  readonly ratio_vs_limit?: number | null;
  /**
   * Per-operation ns of the samples compare-runs tests: the runner's retained samples (each a
   * batch of `ops_per_sample` operations; `vmakit bench` keeps them sorted and evenly thinned) or
   * independent repetitions of the whole measurement. compare-runs needs at least 4 per side for
   * a U test and 6 for a 95 % interval of the median.
   */
  readonly samples_ns?: readonly number[];
}

/** Index micro-benchmarks. */
export interface BenchmarkSection {
  readonly runner: BenchmarkRunner;
  readonly rows: readonly BenchmarkRow[];
}

/** Memory an index (or baseline structure) uses per VMA when holding `vmas` VMAs. */
export interface MemoryRow {
  readonly index: string;
  /** 'baseline' for limit and raw:* rows; absent means 'index'. */
  readonly kind?: 'index' | 'baseline';
  readonly vmas: number;
  /** Address-space layout measured, when not the default synthetic one. */
  readonly layout?: string;
  /** Measured heap + ArrayBuffer growth per VMA after full garbage collections, bytes. */
  readonly heap_bytes_per_vma: number;
  /** Of which ArrayBuffer backing stores (typed-array node pools), bytes. */
  readonly array_buffer_bytes_per_vma?: number;
  /** The index's own estimate with the kernel's struct sizes (stats().bytes / vmas), bytes; null for baselines. */
  readonly model_bytes_per_vma: number | null;
}

/** Memory per VMA per index. */
export interface MemorySection {
  readonly rows: readonly MemoryRow[];
}

/** A captured process replayed over one index with one fault strategy. */
export interface ReplayRow {
  readonly capture: string;
  readonly index: string;
  /** Null when faults were only counted (no strategy resolved them). */
  readonly strategy: string | null;
  /** Page faults in the trace (count). */
  readonly faults: number;
  /** Faults the model resolved without a signal (count). */
  readonly faults_handled: number;
  /** Faults the model answered with SIGSEGV or SIGBUS (count). */
  readonly signals: number;
  /** Fault-core event counters by name (vmstat-like: pgfault, spf_attempt, ...), counts. */
  readonly counters: Readonly<Record<string, number>>;
  /** Bytes the strategy copied out of VMAs while handling the faults. */
  readonly bytes_copied: number;
  /** Memory system calls replayed (count). */
  readonly syscalls: number;
  /** System calls whose result differed from the kernel's (count). */
  readonly syscalls_disagreed: number;
  /** 4 KiB pages whose mapping or permissions differ from end.maps; null without end.maps. */
  readonly page_mismatches: number | null;
  /** maps lines present on one side only; null without end.maps. */
  readonly vma_mismatches: number | null;
  /** True when the final maps equal end.maps exactly; null without end.maps. */
  readonly exact_match: boolean | null;
}

/** Replay of captured processes per capture × index × strategy. */
export interface ReplaySection {
  readonly rows: readonly ReplayRow[];
}

/**
 * Outcomes of `lock_vma_under_rcu()` (mm/memory.c) and the x86 fault path as the kernel's
 * CONFIG_PER_VMA_LOCK_STATS counters count them (include/linux/vm_event_item.h).
 */
export interface VmaLockCounters {
  /** VMA_LOCK_SUCCESS: fault handled under the VMA lock (count). */
  readonly success: number;
  /** VMA_LOCK_ABORT: VMA absent, being written, or the address moved out; fell back (count). */
  readonly abort: number;
  /** VMA_LOCK_RETRY: the handler asked for a retry under mmap_lock (count). */
  readonly retry: number;
  /** VMA_LOCK_MISS: the VMA was detached after lookup; lookup repeated (count). */
  readonly miss: number;
}

/**
 * One simulated point: `workload` on `cpus` simulated CPUs under cost profile `profile`, with
 * fault strategy `strategy` over index `index`. Deterministic for a given seed.
 */
export interface ScalingPoint {
  readonly workload: string;
  readonly profile: string;
  readonly cpus: number;
  readonly strategy: string;
  readonly index: string;
  /** Page faults handled (count). */
  readonly faults: number;
  /** Workload operations completed (count). */
  readonly ops: number;
  /** Faults per simulated second. */
  readonly faults_per_sec: number;
  /** Workload operations per simulated second. */
  readonly ops_per_sec: number;
  /** Speculative fault attempts (count). */
  readonly spf_attempt: number;
  /** Speculative faults aborted (count). */
  readonly spf_abort: number;
  /** Aborts by reason (SPF_ABORT_ODD, _UNMAPPED, _VMA_COPY, ...), counts. */
  readonly abort_reasons: Readonly<Record<string, number>>;
  readonly vma_lock: VmaLockCounters;
  /** Faults that were retried under mmap_lock after a failed fast path (count). */
  readonly fallbacks: number;
  /** Share of CPU time spent waiting for mmap_lock, in [0, 1]. */
  readonly mmap_lock_wait_fraction: number;
  /** Total simulated cost (cost units of the profile). */
  readonly cost_units: number;
  /** `cost_units / faults` (cost units). */
  readonly cost_units_per_fault?: number;
  /** Cache lines moved between simulated CPUs (count). */
  readonly cacheline_transfers?: number;
  /** Bytes copied out of VMAs by the fault path. */
  readonly bytes_copied?: number;
  /**
   * The workload's own metric, the one its tables and charts lead with: `ops_per_sec` for
   * will-it-scale (iterations per second), `faults_per_sec` (also when absent) for pft and the others.
   */
  readonly metric?: ScalingMetric;
  /** Simulated warm-up before the measured window (ns). */
  readonly warmup_ns?: number;
  /** Length of the measured window (simulated ns). */
  readonly window_ns?: number;
}

/** A workload's own throughput metric. */
export type ScalingMetric = 'ops_per_sec' | 'faults_per_sec';

/** A protocol-safety violation the simulator's checker found (must be none for a correct strategy). */
export interface ProtocolViolation {
  readonly workload: string;
  readonly profile: string;
  readonly cpus: number;
  readonly strategy: string;
  readonly index: string;
  /** Machine-readable class, e.g. "stale-vma-used", "lock-order". */
  readonly kind: string;
  readonly detail: string;
  /** Simulator step at which it was detected (count); absent when unknown. */
  readonly step?: number;
}

/** Simulated scaling and the simulator's protocol violations. */
export interface ScalingSection {
  readonly points: readonly ScalingPoint[];
  readonly violations: readonly ProtocolViolation[];
}

/** Bytes the fault path copies per fault, per strategy × index on a workload. */
export interface BytesCopiedRow {
  readonly strategy: string;
  readonly index: string;
  readonly workload: string;
  /** Faults measured (count). */
  readonly faults: number;
  /** Bytes copied in total. */
  readonly bytes_copied: number;
  /** `bytes_copied / faults`, bytes. */
  readonly bytes_per_fault: number;
  /** Distinct 64-byte cache lines read per fault (count, may be fractional on average). */
  readonly cache_lines_per_fault?: number;
}

/** Bytes copied per fault. */
export interface BytesCopiedSection {
  readonly rows: readonly BytesCopiedRow[];
}

/** A published figure next to the simulator's value for the same experiment. */
export interface PublishedRow {
  /** Short name of the source, e.g. "SPF v12 cover letter". */
  readonly source: string;
  /** Where to find it: lore message id, URL or paper reference. */
  readonly citation: string;
  /** The figure, table or experiment, e.g. "ebizzy -mTt N, records/s". */
  readonly figure: string;
  /** What is compared, e.g. "speedup over mmap_lock". */
  readonly metric: string;
  /** The x value (e.g. CPU count), in `x_unit`. */
  readonly x: number;
  readonly x_unit: string;
  /** The published value, in `unit`. */
  readonly published: number;
  /** The simulated value, in `unit`; null when not simulated. */
  readonly simulated: number | null;
  /** Unit of `published` and `simulated`, e.g. "%" or "records/s". */
  readonly unit: string;
  readonly note: string;
}

/** Published results compared with simulated ones. */
export interface PublishedSection {
  readonly rows: readonly PublishedRow[];
}

/**
 * The fault core's one-CPU fault rate for one workload × strategy × index (`vmakit bench faults`),
 * next to the real kernel's page_fault1 rate measured in the same run. Wall-clock figures of the
 * machine in the Run section.
 */
export interface FaultPathRow {
  /** A capture's folder name, or `synthetic:page_fault1`. */
  readonly workload: string;
  readonly kind: 'capture' | 'synthetic';
  readonly strategy: string;
  readonly index: string;
  /** Faults per runner sample (the workload's faults), count. */
  readonly faults: number;
  /** Median over samples of sample time / faults, ns per fault. */
  readonly ns_p50: number;
  /** 99th percentile of the same, ns per fault. */
  readonly ns_p99: number;
  /** Mean of the same, ns per fault. */
  readonly ns_mean: number;
  /** Relative margin of error of the mean sample at 95 %, percent. */
  readonly rme: number;
  /** Faults over time pooled across samples (faults × samples / total time), per second. */
  readonly faults_per_sec: number;
  /** The fastest sample's rate, per second. */
  readonly faults_per_sec_best: number;
  /** Samples the runner took (count). */
  readonly samples: number;
  /** The kernel's page_fault1 rate measured in the same run (write loop only), per second; null when not measured. */
  readonly kernel_faults_per_sec: number | null;
  /** faults_per_sec ÷ kernel_faults_per_sec; null without the kernel. */
  readonly ratio_vs_kernel: number | null;
  /** faults_per_sec_best ÷ the kernel's fastest round; null without the kernel. */
  readonly ratio_best_vs_kernel_best: number | null;
  /** Per-fault ns of retained samples, for compare-runs (see BenchmarkRow.samples_ns). */
  readonly samples_ns?: readonly number[];
}

/** One-CPU fault rates of the fault core per workload × strategy × index. */
export interface FaultPathSection {
  readonly runner: BenchmarkRunner;
  readonly rows: readonly FaultPathRow[];
}
