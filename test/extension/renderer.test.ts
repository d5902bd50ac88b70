// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
// jsdom has no DragEvent, which @lumino/dragdrop (loaded by @lumino/widgets) subclasses at import.
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Widget } from "@lumino/widgets";
import { ERROR_CLASS } from "../../extension/src/errorbox";
import { PLOT_MIME } from "../../extension/src/payload";
import { DOUBLE_CLICK_DELAY, type PlotlyApi } from "../../extension/src/plotly";
import { LrlabPlotRenderer } from "../../extension/src/renderer";
import extension, { RANK, rendererFactory } from "../../extension/src/index";
import { clone, fixture, upTo } from "./fixtures";

/** Records what the renderer asks of plotly; the real plotly is exercised by browser.test.ts. */
class RecordingPlotly implements PlotlyApi {
  calls: { fn: string; data: any[]; layout: any }[] = [];
  handlers = new Map<string, (ev: Record<string, unknown>) => unknown>();
  Plots = { resize: (_el: HTMLElement) => void this.calls.push({ fn: "resize", data: [], layout: {} }) };
  async newPlot(el: HTMLElement, data: unknown[], layout: Record<string, unknown>) {
    this.calls.push({ fn: "newPlot", data, layout });
    (el as any).on = (ev: string, h: (ev: Record<string, unknown>) => unknown) => this.handlers.set(ev, h);
    return el;
  }
  async react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>) {
    this.calls.push({ fn: "react", data, layout });
    return el;
  }
  purge(_el: HTMLElement) {
    this.calls.push({ fn: "purge", data: [], layout: {} });
  }
  get last() {
    return this.calls.filter((c) => c.fn === "newPlot" || c.fn === "react").at(-1)!;
  }
}

const model = (data: unknown) => ({ data: { [PLOT_MIME]: data } as any, metadata: {}, trusted: false, setData: () => {} });
const settle = () => new Promise((r) => setTimeout(r, 0));

let plotly: RecordingPlotly;
let r: LrlabPlotRenderer;

function control<T extends HTMLElement>(name: string): T {
  return r.node.querySelector<T>(`[data-control="${name}"]`)!;
}
function fire(el: HTMLElement, type = "change") {
  el.dispatchEvent(new Event(type, { bubbles: true }));
}

/** Types `v` into a range input as a user does (focus, then an input event). */
function type(el: HTMLInputElement, v: string): void {
  el.focus();
  el.value = v;
  fire(el, "input");
}

/** Enter in an input. */
function enter(el: HTMLInputElement): void {
  el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

beforeEach(() => {
  plotly = new RecordingPlotly();
  r = new LrlabPlotRenderer({ mimeType: PLOT_MIME } as any, async () => plotly);
  Widget.attach(r, document.body);
});
afterEach(() => {
  if (!r.isDisposed) r.dispose();
  document.body.removeAttribute("data-jp-theme-light");
  document.head.replaceChildren();
});

describe("the extension", () => {
  it("registers a safe renderer for the lrlab mime type that outranks plotly (0) and SVG (80)", () => {
    expect(extension.rendererFactory).toBe(rendererFactory);
    expect(rendererFactory.mimeTypes).toEqual([PLOT_MIME]);
    expect(rendererFactory.safe).toBe(true);
    expect(RANK).toBeLessThan(0);
    expect(extension.rank).toBe(RANK);
    expect(extension.dataType).toBe("json");
  });
});

describe("LrlabPlotRenderer", () => {
  it("draws the payload with newPlot and fills the controls", async () => {
    await r.renderModel(model(fixture("trace_two_groups")));
    expect(plotly.calls.map((c) => c.fn)).toEqual(["newPlot"]);
    // the two groups, and the configured lr's reference lines under one entry
    // (and the band's entry, "shaded: ...": userpass16_figure.test.ts)
    expect(plotly.last.data.filter((t) => t.mode === "lines" && t.showlegend !== false && t.uid !== "band-legend")).toHaveLength(3);
    const select = control<HTMLSelectElement>("metric");
    expect([...select.options].map((o) => o.textContent)).toEqual(["lr", "projected LR", "realized LR", "per-sample LR", "update ratio", "loss"]);
    expect(select.value).toBe("lr_projected");
    // A log metric, but this run's projected lr goes negative: linear by default (figure.test.ts).
    expect(control<HTMLInputElement>("log").checked).toBe(false);
    expect(r.node.querySelectorAll('[data-control="groups"] input')).toHaveLength(2);
    expect(control<HTMLElement>("runs").hidden).toBe(true);
  });

  it("each control redraws with Plotly.react", async () => {
    await r.renderModel(model(fixture("trace_two_groups")));
    const select = control<HTMLSelectElement>("metric");
    select.value = "loss";
    fire(select);
    await settle();
    expect(plotly.last.fn).toBe("react");
    expect(plotly.last.layout.yaxis.title.text).toBe("loss");
    expect(plotly.last.layout.yaxis.type).toBe("linear");

    const log = control<HTMLInputElement>("log");
    log.checked = true;
    fire(log);
    await settle();
    expect(plotly.last.layout.yaxis.type).toBe("log");

    select.value = "lr";
    fire(select);
    const band = control<HTMLInputElement>("band");
    band.checked = false;
    fire(band);
    await settle();
    expect(plotly.last.data.map((t) => t.name)).toEqual(["group 0", "group 1"]);

    const g1 = r.node.querySelector<HTMLInputElement>('[data-control="groups"] input[data-id="1"]')!;
    g1.checked = false;
    fire(g1);
    await settle();
    // group 1's line is gone; its legend entry stays, greyed (a legend-only trace), to click it back
    expect(plotly.last.data.map((t) => [t.name, t.visible ?? true])).toEqual([["group 0", true], ["group 1", "legendonly"]]);

    const from = control<HTMLInputElement>("from");
    const to = control<HTMLInputElement>("to");
    from.value = "8";
    to.value = "24";
    fire(to);
    await settle();
    expect(plotly.last.layout.xaxis.range).toEqual([8, 24]);

    control<HTMLButtonElement>("reset-zoom").click();
    await settle();
    expect(plotly.last.layout.xaxis.autorange).toBe(true);
    expect(from.value).toBe("");

    control<HTMLButtonElement>("reset").click();
    await settle();
    expect(select.value).toBe("lr_projected");
    expect(plotly.last.data.filter((t) => t.showlegend !== false).map((t) => t.name)).toEqual(["group 0", "group 1", "configured lr", "shaded: min–max of the steps a point merges"]);
    expect(band.checked).toBe(true);
    expect(g1.checked).toBe(true);
  });

  it("a legend click goes through the view state: plotly's own toggle is cancelled, the runs checkbox follows", async () => {
    await r.renderModel(model(fixture("compare")));
    const box = r.node.querySelector<HTMLInputElement>('[data-control="runs"] input[data-id="adam"]')!;
    /** What plotly reports for a click on the legend entry of run `name` (its drawn line). */
    const entryOf = (name: string) => ({ data: plotly.last.data, curveNumber: plotly.last.data.findIndex((t) => t.name === name && t.showlegend !== false) });
    // (the configured lr's reference entry left aside: plotly's own toggle, figure.ts configuredTraces)
    const visibility = () => Object.fromEntries(plotly.last.data.filter((t) => t.showlegend !== false && t.mode !== "markers" && t.name !== "configured lr" && t.uid !== "band-legend").map((t) => [t.name, t.visible ?? true]));
    // a marker kind's entry goes through the state too: its markers and each divergence's dashed
    // line (a layout shape, which plotly's own toggle left drawn) go and come back together; its
    // double click (plotly's would hide every line behind the state's back) does nothing
    const markerEntry = () => ({ data: plotly.last.data, curveNumber: plotly.last.data.findIndex((t) => t.name === "diverged") });
    const dashed = () => ((plotly.last.layout as { shapes?: unknown[] }).shapes ?? []).length;
    expect(markerEntry().curveNumber).toBeGreaterThan(-1);
    expect(dashed()).toBe(1);
    expect(plotly.handlers.get("plotly_legendclick")!(markerEntry())).toBe(false);
    await settle();
    expect(r.viewState!.hiddenMarkers).toEqual(["divergence"]);
    expect(plotly.last.data[markerEntry().curveNumber].visible).toBe("legendonly");
    expect(dashed()).toBe(0);
    expect(plotly.handlers.get("plotly_legenddoubleclick")!(markerEntry())).toBe(false);
    expect(plotly.handlers.get("plotly_legendclick")!(markerEntry())).toBe(false);
    await settle();
    expect(r.viewState!.hiddenMarkers).toEqual([]);
    expect(plotly.last.data[markerEntry().curveNumber].visible).toBeUndefined();
    expect(dashed()).toBe(1);
    expect(plotly.handlers.get("plotly_legendclick")!(entryOf("adam"))).toBe(false);
    // a single click waits out the double-click delay, as plotly's own does
    expect(box.checked).toBe(true);
    await new Promise((done) => setTimeout(done, DOUBLE_CLICK_DELAY + 50));
    await settle();
    expect(box.checked).toBe(false);
    expect(r.viewState!.hiddenRuns).toEqual(["adam"]);
    expect(visibility()).toEqual({ sgd: true, adam: "legendonly", "sgd lr=2": true });
    // a double click (plotly reports its two clicks, then the double click) isolates a run
    const ev = entryOf("sgd");
    plotly.handlers.get("plotly_legendclick")!(ev);
    plotly.handlers.get("plotly_legendclick")!(ev);
    expect(plotly.handlers.get("plotly_legenddoubleclick")!(ev)).toBe(false);
    await settle();
    expect(r.viewState!.hiddenRuns).toEqual(["adam", "sgd lr=2"]);
    await new Promise((done) => setTimeout(done, DOUBLE_CLICK_DELAY + 50));
    expect(r.viewState!.hiddenRuns).toEqual(["adam", "sgd lr=2"]);
  });

  it("the step range commits on Enter or on leaving it, keeps what is typed until then, and shows what is drawn", async () => {
    const p = fixture("trace_two_groups");
    await r.renderModel(model(p));
    const from = control<HTMLInputElement>("from");
    const to = control<HTMLInputElement>("to");
    const drawn = () => plotly.last.layout.xaxis.range;
    type(from, "10");
    type(to, "20");
    enter(to);
    await settle();
    expect(drawn()).toEqual([10, 20]);
    // "from" past "to", then on to "to": nothing is reordered or overwritten on the way, not
    // even by a live update.
    type(from, "30");
    fire(from);
    type(to, "");
    await r.renderModel(model(p));
    expect(from.value).toBe("30");
    expect(drawn()).toEqual([10, 20]);
    type(to, "40");
    enter(to);
    await settle();
    expect(drawn()).toEqual([30, 40]);
    expect([from.value, to.value]).toEqual(["30", "40"]);
    // Reversed ends are drawn sorted, and the inputs say so.
    type(from, "50");
    enter(from);
    await settle();
    expect(drawn()).toEqual([40, 50]);
    expect([from.value, to.value]).toEqual(["40", "50"]);
    // One end alone reaches the end of the data; the empty end stays empty (it follows the data).
    const last = Math.max(...p.series.flatMap((t) => t.x));
    type(from, "5");
    type(to, "");
    enter(to);
    await settle();
    expect(drawn()).toEqual([5, last]);
    expect(to.value).toBe("");
    // Leaving the pair commits too.
    type(from, "7");
    from.blur();
    await settle();
    expect(drawn()).toEqual([7, last]);
  });

  it("an empty 'to' keeps following a live run's last step, through every update and the final plot", async () => {
    const p = fixture("trace_two_groups");
    const lastOf = (q: typeof p) => Math.max(...q.series.flatMap((t) => t.x));
    const first = upTo(p, 6, true);
    await r.renderModel(model(first));
    const from = control<HTMLInputElement>("from");
    const to = control<HTMLInputElement>("to");
    type(from, "2");
    enter(from);
    await settle();
    expect(plotly.last.layout.xaxis.range).toEqual([2, lastOf(first)]);
    expect(to.value).toBe("");
    const second = upTo(p, 9, true);
    await r.renderModel(model(second));
    await settle();
    expect(lastOf(second)).toBeGreaterThan(lastOf(first));
    expect(plotly.last.layout.xaxis.range).toEqual([2, lastOf(second)]);
    await r.renderModel(model(p));
    await settle();
    expect(plotly.last.layout.xaxis.range).toEqual([2, lastOf(p)]);
    expect([from.value, to.value]).toEqual(["2", ""]);
  });

  it("moving from 'from' to 'to' commits nothing, though Chromium fires from's change before focus lands", async () => {
    const p = fixture("trace_two_groups");
    await r.renderModel(model(p));
    const from = control<HTMLInputElement>("from");
    const to = control<HTMLInputElement>("to");
    const calls = plotly.calls.length;
    from.focus();
    from.value = "10";
    fire(from, "input");
    // Chromium's order for a focus move: change (activeElement is <body>), blur, focusout, focus.
    from.addEventListener("blur", () => {
      expect(document.activeElement).not.toBe(from);
      fire(from, "change");
    }, { once: true });
    to.focus();
    await settle();
    expect(plotly.calls.length).toBe(calls);
    expect([from.value, to.value]).toEqual(["10", ""]);
    to.value = "30";
    fire(to, "input");
    to.blur();
    await settle();
    expect(plotly.last.layout.xaxis.range).toEqual([10, 30]);
    expect([from.value, to.value]).toEqual(["10", "30"]);
  });

  it("a live update redraws in place and keeps the user's choices and plotly zoom", async () => {
    const p = fixture("trace_two_groups");
    const first = clone(p);
    for (const s of first.series) for (const k of ["x", "mean", "min", "max"] as const) (s as any)[k] = (s as any)[k].slice(0, 6);
    first.live = true;
    await r.renderModel(model(first));
    expect(r.node.classList.contains("lrlab-mod-live")).toBe(true);
    const select = control<HTMLSelectElement>("metric");
    select.value = "update_ratio";
    fire(select);
    await settle();
    // The user zooms with plotly's own box zoom: plotly reports it with plotly_relayout.
    plotly.handlers.get("plotly_relayout")!({ "xaxis.range[0]": 4, "xaxis.range[1]": 40 });
    expect(r.viewState!.xrange).toEqual([4, 40]);
    await settle();
    expect(control<HTMLInputElement>("from").value).toBe("4");
    // The redraw after a plotly zoom fits y to the zoomed range.
    expect(plotly.last.layout.yaxis.autorange).toBe(false);

    await r.renderModel(model(p));
    expect(plotly.calls.filter((c) => c.fn === "newPlot")).toHaveLength(1);
    expect(plotly.last.fn).toBe("react");
    expect(plotly.last.layout.yaxis.title.text).toBe("update ratio");
    expect(plotly.last.layout.xaxis.range).toEqual([4, 40]);
    expect(plotly.last.data.find((t) => t.name === "group 0").x).toHaveLength(12);
    expect(r.node.classList.contains("lrlab-mod-live")).toBe(false);

    // Double click (autoscale) in plotly clears the zoom in the state too.
    plotly.handlers.get("plotly_relayout")!({ "xaxis.autorange": true });
    expect(r.viewState!.xrange).toBeNull();
  });

  it("coalesces a burst of live updates and draws the latest", async () => {
    const p = fixture("trace_two_groups");
    await r.renderModel(model(p));
    const burst = [];
    for (let n = 1; n <= 10; n++) {
      const q = clone(p);
      for (const s of q.series) for (const k of ["x", "mean", "min", "max"] as const) (s as any)[k] = (s as any)[k].slice(0, n);
      burst.push(r.renderModel(model(q)));
    }
    await Promise.all(burst);
    const reacts = plotly.calls.filter((c) => c.fn === "react");
    expect(reacts.length).toBeGreaterThanOrEqual(1);
    expect(reacts.length).toBeLessThanOrEqual(2);
    expect(plotly.last.data.find((t) => t.name === "group 0").x).toHaveLength(10);
  });

  it("a live update leaves the controls' DOM alone (no focus lost, no options rebuilt)", async () => {
    const p = fixture("trace_two_groups");
    await r.renderModel(model(p));
    const option = control<HTMLSelectElement>("metric").options[2];
    const box = r.node.querySelector('[data-control="groups"] input[data-id="0"]');
    const from = control<HTMLInputElement>("from");
    from.focus();
    from.value = "1";
    const next = clone(p);
    next.series[0].mean[0] = 0.5;
    await r.renderModel(model(next));
    expect(plotly.last.fn).toBe("react");
    expect(control<HTMLSelectElement>("metric").options[2]).toBe(option);
    expect(r.node.querySelector('[data-control="groups"] input[data-id="0"]')).toBe(box);
    expect(document.activeElement).toBe(from);
    expect(from.value).toBe("1");
    // New runs or groups do rebuild them.
    const more = clone(p);
    more.series.push({ ...clone(p.series[0]), group: 2 });
    await r.renderModel(model(more));
    expect(r.node.querySelectorAll('[data-control="groups"] input')).toHaveLength(3);
  });

  it("shows a readable error box for a malformed payload, and recovers", async () => {
    const bad = clone(fixture("compare")) as any;
    bad.series[3].mean[0] = "1e-3";
    await r.renderModel(model(bad));
    const box = r.node.querySelector(`.${ERROR_CLASS}`)!;
    expect(box).not.toBeNull();
    expect(box.textContent).toContain("invalid lrlab plot payload: payload.series[3].mean[0]: expected a finite number, got string");
    expect(plotly.calls).toHaveLength(0);
    await r.renderModel(model({ version: 7 }));
    expect(r.node.querySelectorAll(`.${ERROR_CLASS}`)).toHaveLength(1);
    await r.renderModel(model(fixture("compare")));
    expect(r.node.querySelector(`.${ERROR_CLASS}`)).toBeNull();
    expect(plotly.calls.map((c) => c.fn)).toEqual(["newPlot"]);
  });

  it("an error from plotly also lands in the box, not in the page", async () => {
    plotly.newPlot = async () => {
      throw new Error("WebGL exploded");
    };
    await r.renderModel(model(fixture("compare")));
    expect(r.node.querySelector(`.${ERROR_CLASS}`)!.textContent).toContain("could not draw this lrlab plot: WebGL exploded");
  });

  it("payload text never becomes HTML in the controls or the error box", async () => {
    const p = clone(fixture("compare")) as any;
    const evil = '<img src=x onerror="window.__pwned=1">';
    for (const s of p.series) if (s.name === "adam") s.name = evil;
    p.metrics[0].label = evil;
    await r.renderModel(model(p));
    expect(r.node.querySelector("img")).toBeNull();
    const runs = [...r.node.querySelectorAll('[data-control="runs"] label')].map((l) => l.textContent!.trim());
    expect(runs).toEqual(["sgd", evil, "sgd lr=2"]);
    expect(control<HTMLSelectElement>("metric").options[0].textContent).toBe(evil);
    p.default_metric = evil;
    await r.renderModel(model(p));
    expect(r.node.querySelector("img")).toBeNull();
    expect(r.node.querySelector(`.${ERROR_CLASS}`)!.textContent).toContain(evil);
  });

  it("follows the theme when JupyterLab switches it", async () => {
    const style = document.createElement("style");
    style.textContent = `.lrlab-Plot { --jp-layout-color0: #fafafa; --jp-ui-font-color1: #222222; }
      body[data-jp-theme-light="false"] .lrlab-Plot { --jp-layout-color0: #111111; --jp-ui-font-color1: #eeeeee; }`;
    document.head.append(style);
    document.body.setAttribute("data-jp-theme-light", "true");
    await r.renderModel(model(fixture("compare")));
    expect(plotly.last.layout.paper_bgcolor).toBe("#fafafa");
    document.body.setAttribute("data-jp-theme-light", "false");
    await settle();
    await settle();
    expect(plotly.last.fn).toBe("react");
    expect(plotly.last.layout.paper_bgcolor).toBe("#111111");
    expect(plotly.last.layout.font.color).toBe("#eeeeee");
  });

  it("purges a plot whose widget was disposed while plotly was still drawing it", async () => {
    let finish!: () => void;
    const slow = plotly.newPlot.bind(plotly);
    plotly.newPlot = async (el, data, layout) => {
      await new Promise<void>((ok) => (finish = ok));
      return slow(el, data, layout);
    };
    const drawing = r.renderModel(model(fixture("compare")));
    await settle();
    r.dispose();
    finish();
    await drawing;
    expect(plotly.calls.map((c) => c.fn)).toEqual(["newPlot", "purge"]);
  });

  it("resizes on show and on resize, and purges plotly on dispose", async () => {
    await r.renderModel(model(fixture("compare")));
    r.hide();
    r.show();
    expect(plotly.calls.some((c) => c.fn === "resize")).toBe(true);
    const n = plotly.calls.filter((c) => c.fn === "resize").length;
    r.processMessage(new Widget.ResizeMessage(800, 400));
    expect(plotly.calls.filter((c) => c.fn === "resize").length).toBe(n + 1);
    r.dispose();
    expect(plotly.calls.at(-1)!.fn).toBe("purge");
    // No redraw after dispose, even when the theme changes.
    const before = plotly.calls.length;
    document.body.setAttribute("data-jp-theme-light", "false");
    await settle();
    expect(plotly.calls.length).toBe(before);
  });
});
