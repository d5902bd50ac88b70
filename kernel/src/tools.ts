/**
 * lrlab's learning-rate tools: `import * as lrlab from "lrlab/tools"` (preloaded as `lrlab`).
 * trace(), preview(), find(), scale() and the figure builders.
 */
export * from "./trace/index";
export * from "./plot/index";
