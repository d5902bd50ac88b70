/** Figures and display bundles: figure spec → lrlab payload, plotly JSON, SVG, text. */
export * from "./payload";
export * from "./figure";
export * from "./downsample";
export { toPlotly, escapeText, type PlotlyFigure } from "./plotly";
export { toVegaLite, toSvg, toSvgSync } from "./svg";
export { toText } from "./text";
export * from "./bundle";
export { isScheduleLike, previewAsRun, previewLabel, agreementLines, pictureNote, type ScheduleLike } from "./schedule_overlay";
