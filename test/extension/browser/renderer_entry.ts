/**
 * The extension's renderer for a bare chromium page, without JupyterLab (bundled by
 * renderer_page.ts): plotly comes from the page's own <script>, and `window.lrlab` mounts a
 * renderer in a container and hands it payloads, as JupyterLab does for display and
 * update_display_data.
 */
import { Widget } from "@lumino/widgets";
import { PLOT_MIME } from "../../../extension/src/payload";
import type { PlotlyApi } from "../../../extension/src/plotly";
import { LrlabPlotRenderer } from "../../../extension/src/renderer";

let renderer: LrlabPlotRenderer | null = null;
const model = (data: unknown) => ({ data: { [PLOT_MIME]: data } as any, metadata: {}, trusted: false, setData: () => {} });

(window as any).lrlab = {
  async mount(host: HTMLElement, payload: unknown): Promise<void> {
    renderer?.dispose();
    renderer = new LrlabPlotRenderer({ mimeType: PLOT_MIME } as any, () => Promise.resolve((window as any).Plotly as PlotlyApi));
    Widget.attach(renderer, host);
    await renderer.renderModel(model(payload));
  },
  async update(payload: unknown): Promise<void> {
    await renderer!.renderModel(model(payload));
  },
};
