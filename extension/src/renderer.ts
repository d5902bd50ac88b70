/**
 * The mime renderer widget for `application/vnd.lrlab.plot+json`.
 *
 * One widget per output. `renderModel` validates the payload (untrusted: it comes from a notebook
 * file), then draws with plotly: `newPlot` the first time, `Plotly.react` afterwards. JupyterLab
 * calls `renderModel` again on the same widget for `update_display_data`, so a live run redraws
 * in place; the user's view state (metric, axis, groups, band, zoom) is kept across payloads.
 * Draws are chained so that overlapping calls never interleave, and coalesced (see `draw`).
 *
 * The view the user chose is written into the output's metadata (saved_view.ts), so the notebook
 * saves it, and read back from there: a notebook opened again, or a second view of the output
 * ("Create New View for Output", which shares the output's model), shows it. JupyterLab answers a
 * metadata write (IMimeModel.setData) by calling `renderModel` again on every renderer of the
 * output, synchronously (the output model's `changed`, through the output area's `_setOutput`);
 * the writer ignores its own echo (`writingView`), the others apply the view. Nothing is written
 * while the run is live: each update replaces the output's model (and its metadata); the final
 * payload gets the view.
 *
 * A copy of the whole output ("Copy Output to Clipboard") gives the output's summary and picture,
 * not the toolbar's labels (copy.ts).
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { Controls } from "./controls";
import { copyContent, watchCopy } from "./copy";
import { createErrorBox } from "./errorbox";
import { BAND_LEGEND, buildFigure, legendLine, titleUnderModebar } from "./figure";
import { MARKER_KINDS, PLOT_MIME, type PlotPayload, validatePayload } from "./payload";
import { DOUBLE_CLICK_DELAY, loadPlotly, PLOTLY_CONFIG, type PlotlyApi, type PlotlyGraphDiv, type PlotlyLoader } from "./plotly";
import { applySavedView, isDefaultView, readSavedView, sameView, savedViewOf, withSavedView } from "./saved_view";
import { applyControl, type ControlEvent, initialState, rangeFromRelayout, reconcile, type ViewState } from "./state";
import { currentTheme, watchTheme } from "./theme";

export const RENDERER_CLASS = "lrlab-Plot";

export class LrlabPlotRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  private readonly controls: Controls;
  private readonly plotNode: PlotlyGraphDiv;
  private errorNode: HTMLElement | null = null;
  private payload: PlotPayload | null = null;
  /** Whether the figure on screen has its title under the modebar (figure.ts titleUnderModebar). */
  private titleBelow = false;
  /** The payload of the figure on screen: what its legend groups refer to (figure.ts legendLine). */
  private drawnPayload: PlotPayload | null = null;
  /** A legend click waiting to see whether a second click makes it a double click. */
  private legendTimer: ReturnType<typeof setTimeout> | undefined;
  private state: ViewState | null = null;
  /** The output's model last rendered: where the view is saved (saveView). */
  private model: IRenderMime.IMimeModel | null = null;
  /** True while saveView writes the model's metadata: the renderModel calls that come back are its echo. */
  private writingView = false;
  private plotly: PlotlyApi | null = null;
  private plotted = false;
  private drawing: Promise<void> = Promise.resolve();
  private queued = false;
  private readonly unwatchTheme: () => void;
  private readonly unwatchCopy: () => void;
  private readonly sizeObserver: ResizeObserver | null = null;
  private lastWidth = -1;

  constructor(options: IRenderMime.IRendererOptions, private readonly load: PlotlyLoader = loadPlotly) {
    super();
    this.mimeType = options.mimeType || PLOT_MIME;
    this.addClass(RENDERER_CLASS);
    const doc = this.node.ownerDocument;
    this.controls = new Controls(doc, (e) => this.onControl(e));
    this.plotNode = doc.createElement("div");
    this.plotNode.className = "lrlab-Plot-figure";
    this.node.append(this.controls.node, this.plotNode);
    this.unwatchTheme = watchTheme(doc.body, () => void this.draw());
    // the bundle of the payload on screen; nothing of ours while an error box stands in for it
    this.unwatchCopy = watchCopy(this.node, () => (this.model && this.payload && !this.errorNode ? copyContent(this.model.data, this.payload.title) : null));
    // Lumino resize messages do not cover every case (a notebook's windowing can lay a cell out
    // after it was attached, a side panel can narrow the notebook), so the width is watched too.
    if (typeof ResizeObserver !== "undefined") {
      this.sizeObserver = new ResizeObserver(() => {
        const w = this.node.clientWidth;
        if (w !== this.lastWidth && w > 0) this.resize();
      });
      this.sizeObserver.observe(this.node);
    }
  }

  /** The current view state (for tests and debugging); null before the first valid payload. */
  get viewState(): ViewState | null {
    return this.state;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    // our own metadata write coming back: the payload and the view are the ones on screen
    if (this.writingView) return;
    let p: PlotPayload;
    try {
      p = validatePayload(model.data[this.mimeType]);
    } catch (err) {
      this.showError(err);
      return;
    }
    this.payload = p;
    this.model = model;
    const state = this.state ? reconcile(this.state, p) : initialState(p);
    const saved = readSavedView(model.metadata, this.mimeType);
    // a view saved with the notebook, or written by another view of this output
    this.state = saved && !sameView(saved, savedViewOf(state)) ? applySavedView(state, saved, p) : state;
    // A model without a saved view is the kernel's (the final payload of a run replaced the live
    // one): the view chosen meanwhile is written to it, once this call's caller is done.
    if (!saved && !isDefaultView(savedViewOf(this.state))) queueMicrotask(() => this.saveView(model));
    this.node.classList.toggle("lrlab-mod-live", p.live);
    await this.draw();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.unwatchTheme();
    this.unwatchCopy();
    this.sizeObserver?.disconnect();
    clearTimeout(this.legendTimer);
    if (this.plotly && this.plotted) this.plotly.purge(this.plotNode);
    this.plotted = false;
    super.dispose();
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.resize();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.resize();
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.resize();
  }

  private resize(): void {
    if (!this.plotly || !this.plotted || !this.isVisible) return;
    this.lastWidth = this.node.clientWidth;
    this.plotly.Plots.resize(this.plotNode);
    // the title's row depends on the width (figure.ts titleUnderModebar): redraw when it moves
    if (this.payload && this.state && titleUnderModebar(this.payload, this.state, this.plotNode.clientWidth || this.node.clientWidth) !== this.titleBelow) void this.draw();
  }

  private onControl(e: ControlEvent): void {
    if (!this.payload || !this.state) return;
    this.state = applyControl(this.state, e, this.payload);
    this.saveView(this.model);
    void this.draw();
  }

  /**
   * Writes the view into `model`'s metadata when it differs from the one saved there, unless the
   * run is live (the next update replaces the model) or `model` is no longer this output's.
   */
  private saveView(model: IRenderMime.IMimeModel | null): void {
    if (!model || model !== this.model || this.isDisposed || !this.state || !this.payload || this.payload.live) return;
    const view = savedViewOf(this.state);
    const saved = readSavedView(model.metadata, this.mimeType);
    if (saved ? sameView(saved, view) : isDefaultView(view)) return;
    this.writingView = true;
    try {
      model.setData({ metadata: withSavedView(model.metadata, this.mimeType, view) as IRenderMime.IMimeModel["metadata"] });
    } finally {
      this.writingView = false;
    }
  }

  /**
   * Queues a redraw from the latest payload, state and theme. At most one redraw waits behind the
   * one in progress: it reads the state when it starts, so a burst of live updates costs two
   * draws, not one per update.
   */
  private draw(): Promise<void> {
    if (this.queued) return this.drawing;
    this.queued = true;
    this.drawing = this.drawing
      .then(() => {
        this.queued = false;
        return this.drawNow();
      })
      .catch((err) => this.showError(err));
    return this.drawing;
  }

  private async drawNow(): Promise<void> {
    if (this.isDisposed || !this.payload || !this.state) return;
    this.clearError();
    this.controls.update(this.payload, this.state);
    this.plotly ??= await this.load();
    if (this.isDisposed) return;
    const width = this.plotNode.clientWidth || this.node.clientWidth || undefined;
    this.titleBelow = titleUnderModebar(this.payload, this.state, width);
    const fig = buildFigure(this.payload, this.state, currentTheme(this.node), width);
    this.drawnPayload = this.payload;
    if (!this.plotted) {
      await this.plotly.newPlot(this.plotNode, fig.data, fig.layout, PLOTLY_CONFIG);
      if (this.isDisposed) {
        // Disposed while plotly was drawing: dispose() found nothing to purge yet.
        this.plotly.purge(this.plotNode);
        return;
      }
      this.plotted = true;
      this.plotNode.on?.("plotly_relayout", (ev) => this.onRelayout(ev));
      this.plotNode.on?.("plotly_legendclick", (ev) => this.onLegendClick(ev, false));
      this.plotNode.on?.("plotly_legenddoubleclick", (ev) => this.onLegendClick(ev, true));
    } else {
      await this.plotly.react(this.plotNode, fig.data, fig.layout, PLOTLY_CONFIG);
    }
  }

  /** Plotly's own zoom (drag, double click) lands in the state, so redraws keep it. */
  private onRelayout(ev: Record<string, unknown>): void {
    if (!this.payload || !this.state) return;
    const range = rangeFromRelayout(ev, this.payload.x_log);
    if (range === undefined) return;
    this.state = { ...this.state, xrange: range };
    this.saveView(this.model);
    // Plotly has already moved the x axis; the redraw fits y to the new step range.
    void this.draw();
  }

  /**
   * A click on a line's legend entry goes through the view state, as a toolbar checkbox does
   * (state.ts legendClick), and plotly's own toggle is cancelled (false): it hid the line in
   * plotly alone, so a run hidden from the legend kept its runs checkbox ticked, and a checkbox
   * had no say over a line the legend had hidden. Plotly reports each click of a double click
   * before the double click, and acts on a single click only once the double-click delay has
   * passed without a second one; so does this. A marker kind's entry (diverged, suggested) goes
   * through the state too (its single click): plotly's toggle hid the markers but left each
   * divergence's dashed line, a layout shape. Its double click (which would hide every line
   * behind the state's back) does nothing.
   */
  private onLegendClick(ev: Record<string, unknown>, isolate: boolean): boolean | undefined {
    const trace = (ev.data as { legendgroup?: unknown; uid?: unknown }[] | undefined)?.[ev.curveNumber as number];
    const kind = MARKER_KINDS.find((k) => k === trace?.uid);
    if (kind !== undefined) {
      if (!isolate) this.onControl({ type: "marker", kind });
      return false;
    }
    if (trace?.uid === BAND_LEGEND) {
      // the spread band's entry (figure.ts bandLegend): its click turns the band off, as the
      // toolbar's box does (which turns it back on)
      if (!isolate) this.onControl({ type: "band", on: false });
      return false;
    }
    const line = this.drawnPayload && trace ? legendLine(this.drawnPayload, trace.legendgroup) : undefined;
    if (line === undefined) return isolate ? false : undefined;
    clearTimeout(this.legendTimer);
    this.legendTimer = undefined;
    if (isolate) this.onControl({ type: "legend", line, isolate: true });
    else this.legendTimer = setTimeout(() => this.onControl({ type: "legend", line, isolate: false }), DOUBLE_CLICK_DELAY);
    return false;
  }

  private showError(err: unknown): void {
    this.clearError();
    this.errorNode = createErrorBox(this.node.ownerDocument, err);
    this.node.prepend(this.errorNode);
    this.controls.node.hidden = true;
    this.plotNode.hidden = true;
  }

  private clearError(): void {
    if (!this.errorNode) return;
    this.errorNode.remove();
    this.errorNode = null;
    this.controls.node.hidden = false;
    this.plotNode.hidden = false;
  }
}
