/** The effective-learning-rate tracer and its tools: trace, trace_all, preview, find, scale. */
export { BoundedSeries, DEFAULT_CAPACITY, type Bucket, type SeriesColumns, type SeriesJSON } from "./series";
export { quantiles, QUANTILE_KEYS, SAMPLE_SIZE, type Quantiles } from "./quantiles";
export { METRIC_NAMES, SCALAR_METRICS, QUANTILE_METRICS, type StepMetrics } from "./metrics";
export { optimizerKind, type PreconditionedKind } from "./preconditioned";
export {
  Trace, trace, type TraceOptions, type TraceJSON, type Divergence, type StepListener, type TraceableOptimizer,
} from "./trace";
export { GlobalTrace, trace_all } from "./global";
export { run, run_names, drop_run, clear_runs, MAX_RUNS } from "./runs";
export { preview, SchedulePreview, PREVIEW_OPTIMIZERS, type PreviewOptions, type PreviewOptimizer } from "./preview";
export { find, RangeTest, steepestIndex, valleyIndex, type FindOptions, type Suggestions } from "./find";
export { range_test, record_range_test } from "./range_tests";
export { scale, SCALE_RULES, type ScaleOptions, type ScaleResult, type ScaleRule } from "./scale";
