/**
 * Starting a results document: the metadata every document needs, so a command only adds the
 * sections it produced.
 */
import {
  type JsonValue,
  RESULTS_SCHEMA_VERSION,
  type ResultsDocument,
  type RunEnvironment,
  type ShardInfo,
} from './types.js';

/** What `createResults` needs to know about the run. */
export interface NewResults {
  readonly environment: RunEnvironment;
  /** Defaults to vmakit and this package's version line. */
  readonly tool?: { readonly name: string; readonly version: string };
  readonly seeds?: Readonly<Record<string, number>>;
  readonly options?: { readonly [k: string]: JsonValue };
  /** Defaults to now; pass a fixed time for reproducible documents. */
  readonly generatedAt?: Date | string;
  readonly shard?: ShardInfo;
  readonly planned?: readonly string[];
}

/**
 * A document holding only metadata (a valid, empty run). Add sections with object spread:
 * `{ ...createResults(...), scaling: { points, violations } }`. O(planned cells).
 */
export function createResults(run: NewResults): ResultsDocument {
  const at = run.generatedAt ?? new Date();
  return {
    schema_version: RESULTS_SCHEMA_VERSION,
    metadata: {
      generated_at: typeof at === 'string' ? at : at.toISOString(),
      tool: run.tool ?? { name: 'vmakit', version: '0.1.0' },
      environment: run.environment,
      seeds: run.seeds ?? {},
      options: run.options ?? {},
      ...(run.shard !== undefined ? { shard: run.shard } : {}),
      ...(run.planned !== undefined ? { cells: { planned: [...run.planned], finished: [] } } : {}),
    },
  };
}
