export { withAtomicPerVma } from './atomic-strategy.js';
export type {
  Agreement,
  CompareOptions,
  ComparisonRow,
  FigureComparison,
  FinishedRun,
  PublishedComparison,
  SimRunConfig,
  SimRunMetrics,
  SimRunner,
} from './compare.js';
export {
  comparePublished,
  DEFAULT_COMPARE_PROFILE,
  formatComparison,
  judgeAbsolute,
  judgeFraction,
  judgeRatio,
  publishedRuns,
  runKey,
} from './compare.js';
export type { EngineDeps } from './engine-runner.js';
export { engineRunner } from './engine-runner.js';
export type {
  BenefitFractionCheck,
  BenefitItem,
  Citation,
  EngineHints,
  FigureCheck,
  Metric,
  NotModelledCheck,
  PublishedFigure,
  PublishedValue,
  RatioItem,
  RatiosCheck,
  RunSpec,
  ScalingCheck,
  SeriesCheck,
  SpfRateItem,
  SpfRatesCheck,
  Variant,
} from './figures.js';
export { ATOMIC_STRATEGY, figureById, PUBLISHED_FIGURES } from './figures.js';
