/**
 * The part of plotly.js the renderer uses, and its lazy loader. plotly.js is 4 MB, so it is
 * fetched with a dynamic import: the bundler makes it a separate chunk that the browser only
 * downloads when the first lrlab plot is drawn. Tests pass their own `PlotlyApi`.
 */

export interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): unknown };
}

/**
 * A graph div after `newPlot`: plotly adds an event emitter to it. A handler of some events
 * (plotly_legendclick, plotly_legenddoubleclick) returns false to cancel plotly's own action.
 */
export interface PlotlyGraphDiv extends HTMLElement {
  on?(event: string, handler: (ev: Record<string, unknown>) => unknown): void;
}

export type PlotlyLoader = () => Promise<PlotlyApi>;

let loading: Promise<PlotlyApi> | null = null;

export const loadPlotly: PlotlyLoader = () => {
  loading ??= import("plotly.js-dist-min").then((mod) => {
    const m = mod as unknown as { default?: PlotlyApi } & PlotlyApi;
    return m.default ?? m;
  });
  return loading;
};

/**
 * How long plotly waits for a second click (its default, set here so that the renderer's legend
 * handling waits as long: renderer.ts onLegendClick).
 */
export const DOUBLE_CLICK_DELAY = 300;

/**
 * The plots' plotly config. No "send to cloud" button: the bundled plotly showed one ("This chart
 * will be uploaded to Plotly Cloud"), which would send a user's training data to a third party
 * from a button beside the zoom controls (a JupyterLab power user's pass); nothing of lrlab's
 * leaves the machine.
 */
export const PLOTLY_CONFIG: Record<string, unknown> = {
  displaylogo: false,
  showSendToCloud: false,
  doubleClickDelay: DOUBLE_CLICK_DELAY,
  responsive: false,
  doubleClick: "reset",
  modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "sendDataToCloud"],
};
