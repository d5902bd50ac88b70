/**
 * lrlab's learning-rate tools: `import * as lrlab from "lrlab/tools"` (preloaded as `lrlab`).
 *
 *   trace(optimizer, options)     effective-LR tracer (Trace: latest(), diverged_at, log_loss, ...)
 *   trace_all(options)            trace every optimizer stepped (global hooks; %%lr_trace)
 *   run(name), run_names()        the runs recorded by %%lr_trace --name
 *   preview(scheduler, options)   simulate a schedule without a model
 *   find(optimizer, step_fn, o)   learning-rate range test with suggestions
 *   scale(options)                batch-size scaling rules
 *   bundle(x, options)            the display bundle (lrlab payload, plotly, SVG, text) of a
 *                                 Trace, preview, range test, or an array/record of them
 */
export * from "./trace/index";
export * from "./plot/index";
