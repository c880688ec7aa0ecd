/**
 * @vmakit/report: the results.json schema (types, JSON Schema, validation, merging of shards),
 * the Markdown / HTML / text renderers with hand-written SVG charts, and run comparison.
 */
export type { BarChartSpec, BarSeries, BarValue } from './charts/bar-chart.js';
export { groupedBarChart } from './charts/bar-chart.js';
export type { AxisSpec } from './charts/frame.js';
export type { LineChartSpec, LinePoint, LineSeries } from './charts/line-chart.js';
export { lineChart } from './charts/line-chart.js';
export type {
  CompareOptions,
  Comparison,
  ComparisonRow,
  ComparisonTable,
  RunLabel,
  SampleSummary,
  Verdict,
} from './compare/compare-runs.js';
export { compareRuns, MIN_TEST_SAMPLES } from './compare/compare-runs.js';
export type { ComparisonFormat } from './compare/render-comparison.js';
export { renderComparison } from './compare/render-comparison.js';
export { buildReport } from './model/build.js';
export type { ReportModel } from './model/types.js';
export { renderHtml } from './render/html.js';
export type { MarkdownReport } from './render/markdown.js';
export { renderMarkdown } from './render/markdown.js';
export { renderText, TEXT_WIDTH } from './render/text.js';
export type { ReportFiles } from './render/write.js';
export { renderAll, writeFileAtomic, writeReport } from './render/write.js';
export type { FaultFigures, ReplayReportLike } from './schema/adapters.js';
export { replayRowFrom } from './schema/adapters.js';
export type { CellSection, LocatedCell } from './schema/cells.js';
export {
  benchmarkCell,
  bytesCopiedCell,
  cellsOf,
  faultPathCell,
  memoryCell,
  publishedCell,
  replayCell,
  scalingCell,
} from './schema/cells.js';
export type { NewResults } from './schema/create.js';
export { createResults } from './schema/create.js';
export { MergeError, mergeResults } from './schema/merge.js';
export type { SchemaNode } from './schema/schema.js';
export { RESULTS_SCHEMA, resultsSchemaJson } from './schema/schema.js';
export type {
  BenchmarkRow,
  BenchmarkRunner,
  BenchmarkSection,
  BytesCopiedRow,
  BytesCopiedSection,
  CellProgress,
  FaultPathRow,
  FaultPathSection,
  JsonValue,
  MemoryRow,
  MemorySection,
  MergedInput,
  ProtocolViolation,
  PublishedRow,
  PublishedSection,
  ReplayRow,
  ReplaySection,
  ResultsDocument,
  RunEnvironment,
  RunMetadata,
  ScalingPoint,
  ScalingSection,
  ShardInfo,
  VmaLockCounters,
} from './schema/types.js';
export { RESULTS_SCHEMA_VERSION } from './schema/types.js';
export { assertResults, parseResults, ResultsError, validateResults } from './schema/validate.js';
export type { MannWhitneyResult } from './stats/mann-whitney.js';
export { mannWhitneyU } from './stats/mann-whitney.js';
export type { MedianInterval } from './stats/median-ci.js';
export { medianInterval } from './stats/median-ci.js';
