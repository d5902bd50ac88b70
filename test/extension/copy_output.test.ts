// @vitest-environment jsdom
/**
 * A copy of the whole plot (JupyterLab's "Copy Output to Clipboard", finding B of a JupyterLab
 * power user's pass) gives the output's summary and picture (extension/src/copy.ts); any other
 * selection is the browser's. The real command in a real JupyterLab: copy_output_chromium.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
// jsdom has no DragEvent, which @lumino/dragdrop (loaded by @lumino/widgets) subclasses at import.
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Widget } from "@lumino/widgets";
import { base64Utf8, copyContent, selectsWhole, watchCopy } from "../../extension/src/copy";
import { PLOT_MIME } from "../../extension/src/payload";
import type { PlotlyApi } from "../../extension/src/plotly";
import { LrlabPlotRenderer } from "../../extension/src/renderer";
import { fixture } from "./fixtures";

const SUMMARY = "Effective learning rate\nadam (Adam): 40 steps\n  group 0: lr 0.01, lr_projected 0.02992";
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>−⟨Δ,g⟩ & "q"</text></svg>`;

/** The SVG inside copyContent's <img>, decoded. */
function imgSvg(html: string): string {
  const m = /^<img alt="[^"]*" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)">$/.exec(html);
  expect(m, html).not.toBeNull();
  return Buffer.from(m![1], "base64").toString("utf8");
}

describe("copyContent", () => {
  it("is the bundle's text/plain, and its SVG as a picture in HTML with the summary as its alt text", () => {
    const c = copyContent({ "text/plain": SUMMARY, "image/svg+xml": SVG, [PLOT_MIME]: {} }, "title");
    expect(c.text).toBe(SUMMARY);
    expect(imgSvg(c.html!)).toBe(SVG);
    expect(c.html).toMatch(/^<img [^>]*>$/);
    expect(c.html).toContain(`alt="${SUMMARY}"`);
  });

  it("joins nbformat's lists of lines", () => {
    const c = copyContent({ "text/plain": ["a\n", "b"], "image/svg+xml": ["<svg>", "</svg>"] }, "t");
    expect(c.text).toBe("a\nb");
    expect(imgSvg(c.html!)).toBe("<svg></svg>");
  });

  it("is the summary alone without an SVG (a live run's updates carry none) or with one that is not an SVG", () => {
    expect(copyContent({ "text/plain": SUMMARY }, "t")).toEqual({ text: SUMMARY });
    expect(copyContent({ "text/plain": SUMMARY, "image/svg+xml": "<img src=x onerror=alert(1)>" }, "t")).toEqual({ text: SUMMARY });
    expect(copyContent({ "text/plain": SUMMARY, "image/svg+xml": 3 }, "t")).toEqual({ text: SUMMARY });
    // an XML declaration may come first
    expect(copyContent({ "text/plain": "s", "image/svg+xml": `<?xml version="1.0"?>\n${SVG}` }, "t").html).toBeDefined();
  });

  it("falls back to the plot's title when the bundle has no text", () => {
    expect(copyContent({}, "Effective learning rate").text).toBe("Effective learning rate");
    expect(copyContent({ "text/plain": "  " }, "T").text).toBe("T");
  });

  it("escapes the summary: a run named like markup stays text in the HTML", () => {
    const evil = `<img src=x onerror="window.__x=1"> & "b"`;
    const c = copyContent({ "text/plain": evil, "image/svg+xml": SVG }, "t");
    expect(c.text).toBe(evil);
    expect(c.html).toContain(`alt="&lt;img src=x onerror=&quot;window.__x=1&quot;&gt; &amp; &quot;b&quot;"`);
    // exactly one element: the picture, its alt the summary's text
    const div = document.createElement("div");
    div.innerHTML = c.html!;
    expect([...div.querySelectorAll("*")].map((e) => e.tagName)).toEqual(["IMG"]);
    expect(div.querySelector("img")!.alt).toBe(evil);
    expect(div.querySelector("img")!.getAttributeNames()).toEqual(["alt", "src"]);
  });

  it("base64Utf8 encodes UTF-8 (btoa alone throws on U+2212) and long strings", () => {
    expect(() => btoa("−")).toThrow();
    for (const s of ["−⟨Δ,g⟩/‖g‖²", "x".repeat(100_000) + "é"]) expect(Buffer.from(base64Utf8(s), "base64").toString("utf8")).toBe(s);
  });
});

/** A plot-like node between two paragraphs: toolbar text and a figure. */
function page(): { node: HTMLElement; before: Text; after: Text; label: Text } {
  document.body.innerHTML = `<p>before</p><div id="plot"><div><label>log y</label> <label>reset</label></div><div>fig</div></div>  <p>after</p>`;
  const node = document.getElementById("plot")!;
  return {
    node,
    before: document.body.firstChild!.firstChild as Text,
    after: document.body.lastChild!.firstChild as Text,
    label: node.querySelector("label")!.firstChild as Text,
  };
}

function select(setup: (r: Range) => void): Selection {
  const r = document.createRange();
  setup(r);
  const s = document.getSelection()!;
  s.removeAllRanges();
  s.addRange(r);
  return s;
}

describe("selectsWhole", () => {
  it("is true for the node's contents selected (what Copy Output to Clipboard selects)", () => {
    const { node } = page();
    expect(selectsWhole(select((r) => r.selectNodeContents(node)), node)).toBe(true);
    // the node itself, from its parent's offsets
    expect(selectsWhole(select((r) => r.selectNode(node)), node)).toBe(true);
  });

  it("is true for a selection reaching past the node over white space only", () => {
    const { node, before, after } = page();
    expect(selectsWhole(select((r) => { r.setStart(before, 6); r.setEnd(after, 0); }), node)).toBe(true);
  });

  it("is false for a part of the node (a label selected by hand)", () => {
    const { node, label } = page();
    expect(selectsWhole(select((r) => r.selectNodeContents(label)), node)).toBe(false);
    expect(selectsWhole(select((r) => { r.setStart(node, 0); r.setEnd(label, 3); }), node)).toBe(false);
  });

  it("is false for a selection that takes text outside the node too", () => {
    const { node, before, after } = page();
    expect(selectsWhole(select((r) => { r.setStart(before, 0); r.setEnd(after, 0); }), node)).toBe(false);
    expect(selectsWhole(select((r) => { r.setStart(node, 0); r.setEnd(after, 2); }), node)).toBe(false);
    expect(selectsWhole(select((r) => r.selectNodeContents(document.body)), node)).toBe(false);
  });

  it("is false without a selection", () => {
    const { node } = page();
    document.getSelection()!.removeAllRanges();
    expect(selectsWhole(document.getSelection(), node)).toBe(false);
    expect(selectsWhole(null, node)).toBe(false);
  });
});

/** A copy event as the browser fires it, with a recording clipboardData; returns what was set. */
function copy(target: Node): { data: Record<string, string>; prevented: boolean } {
  const data: Record<string, string> = {};
  const ev = new Event("copy", { bubbles: true, cancelable: true });
  Object.defineProperty(ev, "clipboardData", { value: { setData: (t: string, v: string) => void (data[t] = v) } });
  target.dispatchEvent(ev);
  return { data, prevented: ev.defaultPrevented };
}

describe("watchCopy", () => {
  it("puts the content on the clipboard for a copy of the whole node, and nothing for a part of it", () => {
    const { node, label } = page();
    const stop = watchCopy(node, () => ({ text: "summary", html: "<img>" }));
    select((r) => r.selectNodeContents(node));
    expect(copy(node)).toEqual({ data: { "text/plain": "summary", "text/html": "<img>" }, prevented: true });
    select((r) => r.selectNodeContents(label));
    expect(copy(label)).toEqual({ data: {}, prevented: false });
    stop();
    select((r) => r.selectNodeContents(node));
    expect(copy(node)).toEqual({ data: {}, prevented: false });
  });

  it("sets no HTML without a picture, and leaves the copy alone when there is no content", () => {
    const { node } = page();
    let content: { text: string } | null = { text: "summary" };
    const stop = watchCopy(node, () => content);
    select((r) => r.selectNodeContents(node));
    expect(copy(node)).toEqual({ data: { "text/plain": "summary" }, prevented: true });
    content = null;
    expect(copy(node)).toEqual({ data: {}, prevented: false });
    stop();
  });
});

class StubPlotly implements PlotlyApi {
  Plots = { resize: () => undefined };
  async newPlot(el: HTMLElement) {
    (el as any).on = () => undefined;
    return el;
  }
  async react(el: HTMLElement) {
    return el;
  }
  purge() {}
}

describe("the renderer", () => {
  let r: LrlabPlotRenderer;
  beforeEach(() => {
    document.body.innerHTML = "";
    r = new LrlabPlotRenderer({ mimeType: PLOT_MIME } as any, async () => new StubPlotly());
    Widget.attach(r, document.body);
  });
  afterEach(() => {
    if (!r.isDisposed) r.dispose();
  });
  const model = (data: Record<string, unknown>) => ({ data: data as any, metadata: {}, trusted: false, setData: () => {} });

  it("copies the bundle of the output on screen: its summary and its SVG, not the toolbar", async () => {
    await r.renderModel(model({ [PLOT_MIME]: fixture("trace_two_groups"), "text/plain": SUMMARY, "image/svg+xml": SVG }));
    select((range) => range.selectNodeContents(r.node));
    const { data, prevented } = copy(r.node);
    expect(prevented).toBe(true);
    expect(data["text/plain"]).toBe(SUMMARY);
    expect(imgSvg(data["text/html"])).toBe(SVG);
    // a later payload (a live update) brings its own summary
    await r.renderModel(model({ [PLOT_MIME]: { ...fixture("trace_two_groups"), live: true }, "text/plain": "later" }));
    expect(copy(r.node).data).toEqual({ "text/plain": "later" });
  });

  it("leaves the copy to the browser while an error box stands in for the plot, and after dispose", async () => {
    await r.renderModel(model({ [PLOT_MIME]: fixture("trace_two_groups"), "text/plain": SUMMARY }));
    await r.renderModel(model({ [PLOT_MIME]: { version: 99 }, "text/plain": "bad" }));
    select((range) => range.selectNodeContents(r.node));
    expect(copy(r.node)).toEqual({ data: {}, prevented: false });
    await r.renderModel(model({ [PLOT_MIME]: fixture("trace_two_groups"), "text/plain": SUMMARY }));
    expect(copy(r.node).data["text/plain"]).toBe(SUMMARY);
    const node = r.node;
    r.dispose();
    document.body.append(node);
    select((range) => range.selectNodeContents(node));
    expect(copy(node)).toEqual({ data: {}, prevented: false });
  });
});
