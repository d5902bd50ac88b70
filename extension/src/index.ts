/**
 * lrlab-jupyterlab: a JupyterLab mime renderer extension for lrlab's effective-learning-rate plots
 * (`application/vnd.lrlab.plot+json`).
 *
 * lrlab sends each plot as one bundle: our payload, plotly JSON, SVG and text. JupyterLab shows
 * the mime type whose renderer has the lowest rank; plotly's renderer registers at rank 0 and the
 * SVG one at 80, so ours takes -10 to win whenever this extension is installed. It is `safe`: it
 * validates the payload and never interprets its strings as HTML, so it also renders in
 * untrusted notebooks.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { PLOT_MIME } from "./payload";
import { LrlabPlotRenderer } from "./renderer";

export const RANK = -10;

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PLOT_MIME],
  defaultRank: RANK,
  createRenderer: (options) => new LrlabPlotRenderer(options),
};

const extension: IRenderMime.IExtension = {
  id: "lrlab-jupyterlab:plot",
  rendererFactory,
  rank: RANK,
  dataType: "json",
};

export default extension;
export { LrlabPlotRenderer } from "./renderer";
export { PLOT_MIME, validatePayload } from "./payload";
export type { PlotPayload } from "./payload";
