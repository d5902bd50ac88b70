/**
 * lrlab's learning-rate tools: `import * as lrlab from "lrlab/tools"` (preloaded as `lrlab`).
 *
 *   trace(optimizer, options)     effective-LR tracer (Trace: latest(), diverged_at, log_loss, ...)
 *   trace_all(options)            trace every optimizer stepped (global hooks; %%lr_trace)
 *   run(name), run_names()        the runs recorded by %%lr_trace --name
 *   drop_run(name), clear_runs()  delete recorded runs (MAX_RUNS are kept, the oldest dropped)
 *   preview(scheduler, options)   simulate a schedule without a model
 *   find(optimizer, step_fn, o)   learning-rate range test with suggestions
 *   range_test(name)              the RangeTest of a %lr_find (by --name; default the last)
 *   scale(options)                batch-size scaling rules
 *   bundle(x, options)            the display bundle (lrlab payload, plotly, SVG, text) of a
 *                                 Trace, preview, range test, or an array/record of them
 *   figure(x, options)            the figure spec a bundle is drawn from
 *
 * Only these (with the classes they return, the lists of names their options take, and their
 * types) are the namespace a user tabs through; the tracer's and the plots' internals stay in
 * their own modules (./trace, ./plot), which the library's code and tests import directly.
 */
export {
  Trace, trace, type TraceOptions, type TraceJSON, type Divergence, type StepListener, type TraceableOptimizer,
  GlobalTrace, trace_all, run, run_names, drop_run, clear_runs, MAX_RUNS,
  preview, SchedulePreview, PREVIEW_OPTIMIZERS, type PreviewOptions, type PreviewOptimizer,
  find, RangeTest, range_test, type FindOptions, type Suggestions,
  scale, SCALE_RULES, type ScaleOptions, type ScaleResult, type ScaleRule,
  METRIC_NAMES, type StepMetrics, type Quantiles,
} from "./trace/index";
export { bundle, figure, type BundleOptions, type BundleInput, type MimeBundle } from "./plot/index";
