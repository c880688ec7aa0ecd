/**
 * The JSON Schema (draft 2020-12) of results.json, as a plain object. It is the one description
 * both `validateResults` (through the small validator in ./validator.ts) and the published file
 * packages/report/schema/results.schema.json come from; a test checks the file equals
 * `resultsSchemaJson()`.
 *
 * Every number carries an `x-unit` annotation: ns, bytes, count, per_sec, percent, fraction,
 * cost, cpus, ratio, plain (no unit: seeds, settings), or `$unit` / `$x_unit` when the unit is given by a sibling field of the row.
 */
import { RESULTS_SCHEMA_VERSION } from './types.js';

/** A JSON Schema node of the subset ./validator.ts implements. */
export interface SchemaNode {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, SchemaNode>>;
  readonly title?: string;
  readonly description?: string;
  readonly 'x-unit'?: string;
  readonly type?: SchemaType | readonly SchemaType[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly format?: 'date-time';
}

/** JSON types the schema names. */
export type SchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const name = (description: string): SchemaNode => ({ type: 'string', minLength: 1, description });
const text = (description: string): SchemaNode => ({ type: 'string', description });
const count = (description: string): SchemaNode => ({
  type: 'integer',
  minimum: 0,
  'x-unit': 'count',
  description,
});
const nonNeg = (unit: string, description: string): SchemaNode => ({
  type: 'number',
  minimum: 0,
  'x-unit': unit,
  description,
});
const nonNegOrNull = (unit: string, description: string): SchemaNode => ({
  type: ['number', 'null'],
  minimum: 0,
  'x-unit': unit,
  description,
});
const counters = (description: string): SchemaNode => ({
  type: 'object',
  description,
  additionalProperties: count('Events of this name.'),
});
const ref = (def: string): SchemaNode => ({ $ref: `#/$defs/${def}` });
const obj = (
  description: string,
  properties: Record<string, SchemaNode>,
  optional: readonly string[] = [],
): SchemaNode => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});
const rows = (def: string, description: string): SchemaNode =>
  obj(description, { rows: { type: 'array', items: ref(def), description: 'One entry per matrix cell.' } });

const cpusField: SchemaNode = {
  type: 'integer',
  minimum: 1,
  'x-unit': 'cpus',
  description: 'Simulated CPUs.',
};

const SHARD: SchemaNode = obj('Shard `index` of `count` (0-based).', {
  index: { type: 'integer', minimum: 0, 'x-unit': 'count', description: '0-based shard number (< count).' },
  count: { type: 'integer', minimum: 1, 'x-unit': 'count', description: 'Number of shards.' },
});

const RUNNER: SchemaNode = obj('The benchmark runner.', {
  name: name('Runner name, e.g. tinybench.'),
  version: text('Runner version.'),
  settings: {
    type: 'object',
    description: 'Runner settings as given.',
    additionalProperties: {
      type: ['string', 'number', 'boolean'],
      'x-unit': 'plain',
      description: 'Setting.',
    },
  },
});

const DEFS: Record<string, SchemaNode> = {
  Environment: obj('Where and with what the run happened.', {
    node: name('Node.js version (process.version).'),
    platform: name('os.platform().'),
    kernel: text('os.release() of the machine that ran the benchmarks.'),
    cpu_model: text('CPU model of that machine.'),
    cpus: { type: 'integer', minimum: 0, 'x-unit': 'cpus', description: 'Logical CPUs of that machine.' },
    git_revision: {
      type: ['string', 'null'],
      description: 'git rev-parse HEAD, or null outside a repository.',
    },
    git_dirty: {
      type: ['boolean', 'null'],
      description: 'Uncommitted changes in the working tree; null if unknown.',
    },
  }),
  Shard: SHARD,
  Metadata: obj(
    'Run metadata (always present).',
    {
      generated_at: {
        type: 'string',
        format: 'date-time',
        description: 'ISO 8601 time the document was written.',
      },
      tool: obj('The program that wrote the document.', {
        name: name('Tool name.'),
        version: text('Tool version.'),
      }),
      environment: ref('Environment'),
      seeds: {
        type: 'object',
        description: 'Every seed the run used, by purpose.',
        additionalProperties: { type: 'integer', 'x-unit': 'plain', description: 'Seed value.' },
      },
      options: { type: 'object', description: 'Options the run was started with (free-form JSON).' },
      shard: ref('Shard'),
      cells: obj('Matrix cells (cell keys) planned and finished, for resume and partial reports.', {
        planned: {
          type: 'array',
          items: name('Cell key.'),
          uniqueItems: true,
          description: 'Cells asked for.',
        },
        finished: { type: 'array', items: name('Cell key.'), uniqueItems: true, description: 'Cells done.' },
      }),
      merged_from: {
        type: 'array',
        minItems: 1,
        description: 'Inputs of a merged document, in shard order.',
        items: obj('One merged input.', {
          shard: { ...SHARD, type: ['object', 'null'], description: "The input's shard, or null." },
          generated_at: { type: 'string', format: 'date-time', description: 'When that input was written.' },
          environment: ref('Environment'),
        }),
      },
      notes: { type: 'array', items: text('A remark.'), description: 'Remarks for the reader.' },
    },
    ['shard', 'cells', 'merged_from', 'notes'],
  ),
  BenchmarkRow: obj(
    'One micro-benchmark cell: op on index holding the vmas VMAs of an address-space layout.',
    {
      layout: name('Address-space layout: synthetic-<n> or capture:<folder>/<start|end>.'),
      vmas: count('VMAs in the index.'),
      index: name('Index name, or a baseline: limit, raw:sorted-btree, raw:functional-red-black-tree.'),
      op: name('Operation (find-random, lookup-random, iterate-all, gap-topdown, churn-mmap, ...).'),
      kind: {
        enum: ['index', 'baseline'],
        description: "'baseline' for limit and raw:* rows; absent means index.",
      },
      ops_per_sample: {
        type: 'integer',
        minimum: 1,
        'x-unit': 'count',
        description: 'Operations per runner sample (latencies are sample time / this).',
      },
      ns_p50: nonNeg('ns', 'Median latency per operation.'),
      ns_p99: nonNeg('ns', '99th-percentile latency per operation.'),
      ns_mean: nonNeg('ns', 'Mean latency per operation.'),
      rme: nonNeg('percent', 'Relative margin of error of the mean at 95 % (tinybench rme).'),
      ops_per_sec: nonNeg('per_sec', 'Operations per second.'),
      samples: count('Samples the runner took.'),
      ratio_vs_limit: {
        type: ['number', 'null'],
        minimum: 0,
        'x-unit': 'ratio',
        description: 'ns_p50 over the p50 of limit for the same layout and op; null when not applicable.',
      },
      samples_ns: {
        type: 'array',
        description:
          "Per-operation ns of the samples compare-runs tests: the runner's retained samples (each a batch of ops_per_sample operations) or independent repetitions of the whole measurement. At least 4 per side for a Mann-Whitney U test, 6 for a 95 % interval of the median.",
        items: nonNeg('ns', 'ns per operation in one sample.'),
      },
    },
    ['kind', 'ops_per_sample', 'ns_mean', 'ratio_vs_limit', 'samples_ns'],
  ),
  MemoryRow: obj(
    'Memory an index (or baseline structure) uses per VMA when holding vmas VMAs.',
    {
      index: name('Index or baseline name.'),
      kind: {
        enum: ['index', 'baseline'],
        description: "'baseline' for limit and raw:* rows; absent means index.",
      },
      vmas: { type: 'integer', minimum: 1, 'x-unit': 'count', description: 'VMAs stored.' },
      layout: name('Address-space layout measured, when not the default synthetic one.'),
      heap_bytes_per_vma: nonNeg('bytes', 'Measured heap + ArrayBuffer growth per VMA after full GCs.'),
      array_buffer_bytes_per_vma: nonNeg('bytes', 'Of which ArrayBuffer backing stores.'),
      model_bytes_per_vma: {
        type: ['number', 'null'],
        minimum: 0,
        'x-unit': 'bytes',
        description:
          "The index's estimate with the kernel's struct sizes (stats().bytes / vmas); null for baselines.",
      },
    },
    ['kind', 'layout', 'array_buffer_bytes_per_vma'],
  ),
  ReplayRow: obj('A capture replayed over one index with one strategy.', {
    capture: name('Capture directory name.'),
    index: name('Index name.'),
    strategy: {
      type: ['string', 'null'],
      minLength: 1,
      description: 'Fault strategy; null if faults were only counted.',
    },
    faults: count('Page faults in the trace.'),
    faults_handled: count('Faults resolved without a signal.'),
    signals: count('Faults answered with SIGSEGV or SIGBUS.'),
    counters: counters('Fault-core event counters by name.'),
    bytes_copied: {
      type: 'integer',
      minimum: 0,
      'x-unit': 'bytes',
      description: 'Bytes copied out of VMAs.',
    },
    syscalls: count('Memory system calls replayed.'),
    syscalls_disagreed: count('System calls whose result differed from the kernel.'),
    page_mismatches: {
      type: ['integer', 'null'],
      minimum: 0,
      'x-unit': 'count',
      description: '4 KiB pages differing from end.maps; null without end.maps.',
    },
    vma_mismatches: {
      type: ['integer', 'null'],
      minimum: 0,
      'x-unit': 'count',
      description: 'maps lines on one side only; null without end.maps.',
    },
    exact_match: {
      type: ['boolean', 'null'],
      description: 'Final maps equal end.maps; null without end.maps.',
    },
  }),
  VmaLock: obj('CONFIG_PER_VMA_LOCK_STATS counters (include/linux/vm_event_item.h).', {
    success: count('VMA_LOCK_SUCCESS.'),
    abort: count('VMA_LOCK_ABORT.'),
    retry: count('VMA_LOCK_RETRY.'),
    miss: count('VMA_LOCK_MISS.'),
  }),
  ScalingPoint: obj(
    'One simulated point: workload on cpus simulated CPUs, profile, strategy, index.',
    {
      workload: name('Workload name.'),
      profile: name('Cost profile name.'),
      cpus: cpusField,
      strategy: name('Fault strategy.'),
      index: name('Index name.'),
      faults: count('Page faults handled.'),
      ops: count('Workload operations completed.'),
      faults_per_sec: nonNeg('per_sec', 'Faults per simulated second.'),
      ops_per_sec: nonNeg('per_sec', 'Operations per simulated second.'),
      spf_attempt: count('Speculative fault attempts.'),
      spf_abort: count('Speculative faults aborted.'),
      abort_reasons: counters('Aborts by reason.'),
      vma_lock: ref('VmaLock'),
      fallbacks: count('Faults retried under mmap_lock after a failed fast path.'),
      mmap_lock_wait_fraction: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        'x-unit': 'fraction',
        description: 'Share of CPU time spent waiting for mmap_lock.',
      },
      cost_units: nonNeg('cost', 'Total simulated cost.'),
      cost_units_per_fault: nonNeg('cost', 'cost_units / faults.'),
      cacheline_transfers: count('Cache lines moved between simulated CPUs.'),
      bytes_copied: {
        type: 'integer',
        minimum: 0,
        'x-unit': 'bytes',
        description: 'Bytes copied out of VMAs.',
      },
      metric: {
        type: 'string',
        enum: ['ops_per_sec', 'faults_per_sec'],
        description:
          "The workload's own metric: ops_per_sec for will-it-scale (iterations per second), faults_per_sec for pft and the others; absent means faults_per_sec.",
      },
      warmup_ns: nonNeg('ns', 'Simulated warm-up before the measured window.'),
      window_ns: nonNeg('ns', 'Length of the measured window (simulated).'),
    },
    ['cost_units_per_fault', 'cacheline_transfers', 'bytes_copied', 'metric', 'warmup_ns', 'window_ns'],
  ),
  Violation: obj(
    "A protocol-safety violation found by the simulator's checker.",
    {
      workload: name('Workload name.'),
      profile: name('Cost profile name.'),
      cpus: cpusField,
      strategy: name('Fault strategy.'),
      index: name('Index name.'),
      kind: name('Violation class.'),
      detail: text('What happened.'),
      step: count('Simulator step at detection.'),
    },
    ['step'],
  ),
  BytesCopiedRow: obj(
    'Bytes copied per fault for a strategy and index on a workload.',
    {
      strategy: name('Fault strategy.'),
      index: name('Index name.'),
      workload: name('Workload name.'),
      faults: count('Faults measured.'),
      bytes_copied: { type: 'integer', minimum: 0, 'x-unit': 'bytes', description: 'Bytes copied in total.' },
      bytes_per_fault: nonNeg('bytes', 'bytes_copied / faults.'),
      cache_lines_per_fault: nonNeg('count', 'Distinct 64-byte cache lines read per fault (average).'),
    },
    ['cache_lines_per_fault'],
  ),
  FaultPathRow: obj(
    "One-CPU fault rate of the fault core for a workload, strategy and index, next to the kernel's page_fault1 rate of the same run.",
    {
      workload: name('A capture folder name, or synthetic:page_fault1.'),
      kind: { enum: ['capture', 'synthetic'], description: 'What the workload is.' },
      strategy: name('Fault strategy.'),
      index: name('Index name.'),
      faults: count('Faults per runner sample.'),
      ns_p50: nonNeg('ns', 'Median over samples of sample time / faults.'),
      ns_p99: nonNeg('ns', '99th percentile of the same.'),
      ns_mean: nonNeg('ns', 'Mean of the same.'),
      rme: nonNeg('percent', 'Relative margin of error of the mean sample at 95 %.'),
      faults_per_sec: nonNeg('per_sec', 'Faults over time pooled across samples.'),
      faults_per_sec_best: nonNeg('per_sec', "The fastest sample's rate."),
      samples: count('Samples the runner took.'),
      kernel_faults_per_sec: nonNegOrNull(
        'per_sec',
        "The kernel's page_fault1 rate measured in the same run; null when not measured.",
      ),
      ratio_vs_kernel: nonNegOrNull(
        'ratio',
        'faults_per_sec / kernel_faults_per_sec; null without the kernel.',
      ),
      ratio_best_vs_kernel_best: nonNegOrNull(
        'ratio',
        "faults_per_sec_best / the kernel's fastest round; null without the kernel.",
      ),
      samples_ns: {
        type: 'array',
        description: 'Per-fault ns of retained samples, for compare-runs.',
        items: nonNeg('ns', 'ns per fault in one sample.'),
      },
    },
    ['samples_ns'],
  ),
  PublishedRow: obj('A published figure next to the simulated value.', {
    source: name('Short name of the source.'),
    citation: name('Lore message id, URL or paper reference.'),
    figure: name('Figure, table or experiment.'),
    metric: name('What is compared.'),
    x: { type: 'number', 'x-unit': '$x_unit', description: 'x value, in x_unit.' },
    x_unit: name('Unit of x.'),
    published: { type: 'number', 'x-unit': '$unit', description: 'Published value, in unit.' },
    simulated: {
      type: ['number', 'null'],
      'x-unit': '$unit',
      description: 'Simulated value, in unit; null if none.',
    },
    unit: name('Unit of published and simulated.'),
    note: text('Caveats.'),
  }),
};

/** The results.json schema object (JSON Schema draft 2020-12, subset: see ./validator.ts). */
export const RESULTS_SCHEMA: SchemaNode = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:vmakit:results:${RESULTS_SCHEMA_VERSION}`,
  title: 'vmakit results',
  description:
    'Results of `vmakit compare`: run metadata plus optional sections (benchmarks, memory, replay, scaling, bytes_copied, published, fault_path). Every number has a fixed unit, given as x-unit.',
  type: 'object',
  additionalProperties: false,
  required: ['schema_version', 'metadata'],
  properties: {
    schema_version: { const: RESULTS_SCHEMA_VERSION, description: 'Version of this schema.' },
    metadata: ref('Metadata'),
    benchmarks: obj('Index micro-benchmarks.', {
      runner: RUNNER,
      rows: { type: 'array', items: ref('BenchmarkRow'), description: 'One entry per matrix cell.' },
    }),
    memory: rows('MemoryRow', 'Memory per VMA per index.'),
    replay: rows('ReplayRow', 'Replay of captured processes per capture × index × strategy.'),
    scaling: obj('Simulated scaling and protocol violations.', {
      points: { type: 'array', items: ref('ScalingPoint'), description: 'One entry per matrix cell.' },
      violations: { type: 'array', items: ref('Violation'), description: 'Empty for a correct strategy.' },
    }),
    bytes_copied: rows('BytesCopiedRow', 'Bytes copied per fault per strategy × index.'),
    published: rows('PublishedRow', 'Published results next to simulated ones.'),
    fault_path: obj("One-CPU fault rates of the fault core (vmakit bench faults) next to the kernel's.", {
      runner: RUNNER,
      rows: { type: 'array', items: ref('FaultPathRow'), description: 'One entry per matrix cell.' },
    }),
  },
  $defs: DEFS,
};

/** The schema as the text of packages/report/schema/results.schema.json (2-space JSON, final newline). */
export function resultsSchemaJson(): string {
  return `${JSON.stringify(RESULTS_SCHEMA, null, 2)}\n`;
}
