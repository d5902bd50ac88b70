// @vitest-environment jsdom
/**
 * The plot's view saved with the notebook (a JupyterLab power user's pass, finding B2): the view
 * chosen (metric, log y, lines off, band, zoom) goes into the output's metadata, a renderer opened
 * on such an output shows it, and a second view of the same output follows. The model here does
 * what JupyterLab's OutputModel and OutputArea do on `setData` (outputmodel.ts, outputarea
 * widget.ts `_setOutput`): store the metadata, then call `renderModel` on every renderer of the
 * output, twice (the output area model's `stateChanged` and `changed`), synchronously. The real
 * JupyterLab round trip (save, reload) is in saved_view_chromium.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Widget } from "@lumino/widgets";
import { PLOT_MIME } from "../../extension/src/payload";
import type { PlotlyApi } from "../../extension/src/plotly";
import { LrlabPlotRenderer } from "../../extension/src/renderer";
import { readSavedView, savedViewOf, withSavedView } from "../../extension/src/saved_view";
import { initialState } from "../../extension/src/state";
import { fixture, upTo } from "./fixtures";

class CountingPlotly implements PlotlyApi {
  draws: { data: any[]; layout: any }[] = [];
  handlers = new Map<string, (ev: Record<string, unknown>) => unknown>();
  Plots = { resize: () => undefined };
  async newPlot(el: HTMLElement, data: unknown[], layout: Record<string, unknown>) {
    this.draws.push({ data, layout });
    (el as any).on = (ev: string, h: (ev: Record<string, unknown>) => unknown) => this.handlers.set(ev, h);
    return el;
  }
  async react(_el: HTMLElement, data: unknown[], layout: Record<string, unknown>) {
    this.draws.push({ data, layout });
    return _el;
  }
  purge() {}
  get last() {
    return this.draws.at(-1)!;
  }
}

/** An output's model as JupyterLab's: data copied on each read, metadata written by setData, renderers told at once. */
class OutputModelLike {
  renderers: LrlabPlotRenderer[] = [];
  writes = 0;
  constructor(private payload: unknown, public metadata: Record<string, unknown> = {}) {}
  readonly trusted = false;
  get data() {
    return { [PLOT_MIME]: JSON.parse(JSON.stringify(this.payload)) };
  }
  setData(options: { data?: unknown; metadata?: Record<string, unknown> }) {
    this.writes++;
    if (options.metadata) this.metadata = options.metadata;
    for (const r of this.renderers) {
      void r.renderModel(this as any);
      void r.renderModel(this as any);
    }
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const renderers: LrlabPlotRenderer[] = [];

function open(model: OutputModelLike, plotly: CountingPlotly): LrlabPlotRenderer {
  const r = new LrlabPlotRenderer({ mimeType: PLOT_MIME } as any, async () => plotly);
  Widget.attach(r, document.body);
  model.renderers.push(r);
  renderers.push(r);
  return r;
}

function pick(r: LrlabPlotRenderer, name: string, value: string | boolean): void {
  const el = r.node.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-control="${name}"]`)!;
  if (typeof value === "boolean") (el as HTMLInputElement).checked = value;
  else el.value = value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

let plotly: CountingPlotly;
beforeEach(() => {
  plotly = new CountingPlotly();
});
afterEach(() => {
  for (const r of renderers.splice(0)) if (!r.isDisposed) r.dispose();
});

describe("the view in the output's metadata", () => {
  it("is written once per change the user makes, with no draw more than the change's", async () => {
    const model = new OutputModelLike(fixture("trace_two_groups"));
    const r = open(model, plotly);
    await r.renderModel(model as any);
    expect(model.metadata).toEqual({});
    pick(r, "metric", "loss");
    await settle();
    pick(r, "log", true);
    await settle();
    expect(model.writes).toBe(2);
    expect(readSavedView(model.metadata, PLOT_MIME)).toEqual({ metric: "loss", log: { loss: true } });
    // two user changes, two draws after the first: the four echoed renderModel calls drew nothing
    expect(plotly.draws).toHaveLength(3);
    expect(plotly.last.layout.yaxis.type).toBe("log");
  });

  it("opens a saved notebook's output on the view saved, from its first draw", async () => {
    const p = fixture("trace_two_groups");
    const view = { metric: "loss", log: { loss: true }, hiddenGroups: [1], band: false as const, xrange: [10, 30] as [number, number] };
    const model = new OutputModelLike(p, withSavedView({ isolated: false }, PLOT_MIME, view));
    const r = open(model, plotly);
    await r.renderModel(model as any);
    expect(plotly.draws).toHaveLength(1);
    expect(plotly.last.layout.yaxis.title.text).toBe("loss");
    expect(plotly.last.layout.yaxis.type).toBe("log");
    expect(plotly.last.layout.xaxis.range).toEqual([10, 30]);
    expect(savedViewOf(r.viewState!)).toEqual(view);
    // reading it wrote nothing, and other metadata is kept by a later write
    expect(model.writes).toBe(0);
    pick(r, "band", true);
    expect(model.metadata.isolated).toBe(false);
  });

  it("carries the view to a second view of the same output, which writes nothing back", async () => {
    const model = new OutputModelLike(fixture("trace_two_groups"));
    const a = open(model, plotly);
    const other = new CountingPlotly();
    const b = open(model, other);
    await a.renderModel(model as any);
    await b.renderModel(model as any);
    pick(b, "metric", "update_ratio");
    await settle();
    expect(a.viewState!.metric).toBe("update_ratio");
    expect(plotly.last.layout.yaxis.title.text).toBe("update ratio");
    expect(model.writes).toBe(1);
    // a reset in one view resets the other (the default view is written, not left out)
    a.node.querySelector<HTMLButtonElement>('[data-control="reset"]')!.click();
    await settle();
    expect(readSavedView(model.metadata, PLOT_MIME)).toEqual({});
    expect(b.viewState!.metric).toBe("lr_projected");
    expect(model.writes).toBe(2);
  });

  it("is not written while the run is live; the final payload gets the view chosen meanwhile", async () => {
    const full = fixture("trace_two_groups");
    const first = new OutputModelLike(upTo(full, 4, true));
    const r = open(first, plotly);
    await r.renderModel(first as any);
    pick(r, "metric", "loss");
    await settle();
    expect(first.writes).toBe(0);
    // each update_display_data is a new model, with the kernel's (empty) metadata
    const update = new OutputModelLike(upTo(full, 8, true));
    update.renderers.push(r);
    await r.renderModel(update as any);
    await settle();
    expect(update.writes).toBe(0);
    const final = new OutputModelLike(full);
    final.renderers.push(r);
    await r.renderModel(final as any);
    await settle();
    expect(final.writes).toBe(1);
    expect(readSavedView(final.metadata, PLOT_MIME)).toEqual({ metric: "loss" });
    expect(r.viewState!.metric).toBe("loss");
  });

  it("leaves an output with the default view as the kernel sent it", async () => {
    const model = new OutputModelLike(fixture("compare"));
    const r = open(model, plotly);
    await r.renderModel(model as any);
    await settle();
    expect(model.writes).toBe(0);
    expect(model.metadata).toEqual({});
  });

  it("saves a drag-zoom", async () => {
    const model = new OutputModelLike(fixture("trace_two_groups"));
    const r = open(model, plotly);
    await r.renderModel(model as any);
    plotly.handlers.get("plotly_relayout")!({ "xaxis.range[0]": 5, "xaxis.range[1]": 25 });
    expect(readSavedView(model.metadata, PLOT_MIME)).toEqual({ xrange: [5, 25] });
  });
});

describe("readSavedView (the notebook file is untrusted)", () => {
  it("keeps the well-formed fields and drops the rest", () => {
    const md = { [PLOT_MIME]: { view: {
      metric: 3, log: { loss: true, lr: "yes", __proto__: true }, hiddenGroups: [1, -1], hiddenRuns: ["a"], hiddenMarkers: ["divergence", "bogus"],
      param: "0.weight", band: true, xrange: [1, "x"],
    } } };
    expect(readSavedView(md, PLOT_MIME)).toEqual({ log: { loss: true }, hiddenRuns: ["a"], param: "0.weight" });
    expect(readSavedView(JSON.parse('{"application/vnd.lrlab.plot+json":{"view":{"log":{"__proto__":true}}}}'), PLOT_MIME)!.log).toEqual(JSON.parse('{"__proto__":true}'));
    for (const bad of [null, [], "x", { [PLOT_MIME]: [] }, { [PLOT_MIME]: { view: [] } }, { other: { view: {} } }]) expect(readSavedView(bad, PLOT_MIME)).toBeNull();
  });

  it("applies only what fits the payload: a metric or parameter it lacks stays the default", async () => {
    const p = fixture("trace_two_groups");
    const model = new OutputModelLike(p, withSavedView({}, PLOT_MIME, { metric: "lr_elementwise", param: "nope", hiddenGroups: [1] }));
    const r = open(model, plotly);
    await r.renderModel(model as any);
    expect(r.viewState!.metric).toBe(initialState(p).metric);
    expect(r.viewState!.metricChosen).toBe(false);
    expect(r.viewState!.param).toBeNull();
    expect(r.viewState!.hiddenGroups).toEqual([1]);
  });
});
