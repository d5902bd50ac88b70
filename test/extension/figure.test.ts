import { describe, expect, it } from "vitest";
import {
  bandEdges, bandPolygon, buildFigureWithRoles, logBandFloor, DEFAULT_TITLES, forLogAxis, logTicks, markerY, tickLabels, MIN_RELATIVE_SPAN, plotTitle, seriesLabel, tickLabel, withAlpha, wrapTitle, Y_TITLE_LINE, yRangeFor,
} from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { panelsFor } from "../../kernel/src/plot/figure";
import { applyControl, type ControlEvent, initialState } from "../../extension/src/state";
import { DARK_PALETTE, LIGHT_PALETTE, themeFrom } from "../../extension/src/theme";
import { clone, fixture } from "./fixtures";

const light = themeFrom(() => "", true);
const count = (roles: string[], role: string) => roles.filter((r) => r === role).length;

describe("buildFigure: one run with two parameter groups", () => {
  const p = validatePayload(fixture("trace_two_groups"));

  it("draws one line per group of the default metric, each with its band", () => {
    const s = applyControl(initialState(p), { type: "log", on: true }, p);
    const { data, roles, layout } = buildFigureWithRoles(p, s, light);
    expect(s.metric).toBe("lr_projected");
    // then each group's configured lr, dotted, as a reference (userD_plots_figure.test.ts)
    // (and the band's legend entry, saying what is shaded: userpass16_figure.test.ts)
    // (two groups' colours: the configured lr's legend entry is a swatch of its own, userpass28)
    expect(roles).toEqual(["band-max", "band-min", "line", "band-max", "band-min", "line", "configured", "configured", "configured-legend", "band-legend"]);
    const lines = data.filter((_, i) => roles[i] === "line");
    const src = p.series.filter((t) => t.metric === "lr_projected");
    expect(lines.map((l) => l.name)).toEqual(["group 0", "group 1"]);
    // The log axis turns values <= 0 into gaps; this run has some (momentum steps uphill).
    expect(src.some((t) => t.mean.some((v) => v !== null && v <= 0))).toBe(true);
    expect(lines.map((l) => l.y)).toEqual(src.map((t) => t.mean.map((v) => (v !== null && v <= 0 ? null : v))));
    expect(lines.map((l) => l.x)).toEqual(src.map((t) => t.x));
    // The band fills from min up to the invisible max line, in the line's colour; on a log axis
    // a minimum <= 0 is clipped at the lowest positive value drawn (no slivers), and a point
    // whose maximum is <= 0 is a gap.
    expect(src[0].min!.some((v) => v !== null && v <= 0)).toBe(true);
    const { lo, hi } = bandEdges(src[0].min!, src[0].max!, logBandFloor(src));
    const both = lo.map((v, i) => v !== null && hi[i] !== null);
    expect(both.filter((b) => !b).length).toBe(src[0].max!.filter((v) => v === null || v <= 0).length);
    expect(data[0].y).toEqual(hi.map((v, i) => (both[i] ? v : null)));
    expect(data[1]).toMatchObject(bandPolygon(src[0].x, lo, hi));
    expect(data[1].fill).toBe("toself");
    expect(data[1].fillcolor).toBe(withAlpha(LIGHT_PALETTE[0], 0.2));
    expect((data[2].line as any).color).toBe(LIGHT_PALETTE[0]);
    expect((data[5].line as any).color).toBe(LIGHT_PALETTE[1]);
    expect(data.every((t) => t.connectgaps === false || t.mode === "markers")).toBe(true);
    expect(data.map((t) => t.uid)).toEqual(["line0-max", "line0-min", "line0-mean", "line1-max", "line1-min", "line1-mean", "configured-lr-0", "configured-lr-1", "configured-lr-legend", "band-legend"]);
    expect((layout.yaxis as any).type).toBe("log");
    expect((layout.yaxis as any).title.text).toBe("projected LR");
    expect((layout.xaxis as any).type).toBe("linear");
    expect((layout.xaxis as any).autorange).toBe(true);
  });

  it("switches metric, and loss (no group) is a single line", () => {
    let s = applyControl(initialState(p), { type: "metric", metric: "loss" }, p);
    const { data, roles, layout } = buildFigureWithRoles(p, s, light);
    expect(count(roles, "line")).toBe(1);
    expect(data[roles.indexOf("line")].name).toBe("sgd");
    expect((layout.yaxis as any).type).toBe("linear");
    s = applyControl(s, { type: "metric", metric: "nope" }, p);
    expect(s.metric).toBe("loss");
  });

  it("on a linear axis keeps values <= 0 as they are", () => {
    const s = applyControl(initialState(p), { type: "log", on: false }, p);
    const { data, roles } = buildFigureWithRoles(p, s, light);
    const src = p.series.filter((t) => t.metric === "lr_projected");
    expect(data.filter((_, i) => roles[i] === "line").map((l) => l.y)).toEqual(src.map((t) => t.mean));
    // The band polygon's lower edge is the min series itself, negative values included.
    expect(data[1]).toMatchObject(bandPolygon(src[0].x, src[0].min!, src[0].max!));
    expect(data[1].y.slice(0, src[0].x.length)).toEqual(src[0].min);
  });

  it("turns the band off", () => {
    const s = applyControl(initialState(p), { type: "band", on: false }, p);
    expect(buildFigureWithRoles(p, s, light).roles).toEqual(["line", "line", "configured", "configured", "configured-legend"]);
  });

  it("hides and shows parameter groups, keeping each group's colour", () => {
    let s = applyControl(initialState(p), { type: "group", group: 0, on: false }, p);
    let f = buildFigureWithRoles(p, s, light);
    expect(f.data.filter((_, i) => f.roles[i] === "line").map((l) => l.name)).toEqual(["group 1"]);
    expect((f.data[f.roles.indexOf("line")].line as any).color).toBe(LIGHT_PALETTE[1]);
    s = applyControl(s, { type: "group", group: 0, on: true }, p);
    f = buildFigureWithRoles(p, s, light);
    expect(count(f.roles, "line")).toBe(2);
  });

  it("log axis toggles per metric, defaulting to the metric's own choice", () => {
    let s = applyControl(initialState(p), { type: "log", on: false }, p);
    expect((buildFigureWithRoles(p, s, light).layout.yaxis as any).type).toBe("linear");
    s = applyControl(s, { type: "metric", metric: "lr" }, p);
    expect((buildFigureWithRoles(p, s, light).layout.yaxis as any).type).toBe("log");
    s = applyControl(s, { type: "metric", metric: "lr_projected" }, p);
    expect((buildFigureWithRoles(p, s, light).layout.yaxis as any).type).toBe("linear");
  });

  it("metric keys that name Object.prototype members are plain keys", () => {
    const raw = clone(fixture("range_test"));
    for (const key of ["__proto__", "constructor", "toString"]) {
      raw.metrics = [{ key, label: key, log: false }];
      raw.default_metric = key;
      raw.series[0].metric = key;
      raw.markers[0].metric = key;
      const q = validatePayload(raw);
      let s = initialState(q);
      // the default: log, as this loss spans decades (no choice read off Object.prototype)
      expect((buildFigureWithRoles(q, s, light).layout.yaxis as any).type).toBe("log");
      s = applyControl(s, { type: "log", on: false }, q);
      expect((buildFigureWithRoles(q, s, light).layout.yaxis as any).type).toBe("linear");
      s = applyControl(s, { type: "log", on: true }, q);
      expect((buildFigureWithRoles(q, s, light).layout.yaxis as any).type).toBe("log");
    }
  });

  it("zooms on a step range, and resets", () => {
    let s = applyControl(initialState(p), { type: "range", range: [30, 10] }, p);
    let x = buildFigureWithRoles(p, s, light).layout.xaxis as any;
    expect(x.range).toEqual([10, 30]);
    expect(x.autorange).toBe(false);
    const rev = (buildFigureWithRoles(p, s, light).layout as any).uirevision;
    s = applyControl(s, { type: "reset-zoom" }, p);
    x = buildFigureWithRoles(p, s, light).layout.xaxis as any;
    expect(x.autorange).toBe(true);
    expect(x.range).toBeUndefined();
    expect((buildFigureWithRoles(p, s, light).layout as any).uirevision).not.toBe(rev);
  });

  it("fits the y axis to the zoomed step range", () => {
    let s = applyControl(initialState(p), { type: "metric", metric: "lr" }, p);
    s = applyControl(s, { type: "band", on: false }, p);
    s = applyControl(s, { type: "group", group: 1, on: false }, p);
    s = applyControl(s, { type: "range", range: [20, 26] }, p);
    const { data, layout } = buildFigureWithRoles(p, s, light);
    const y = layout.yaxis as any;
    expect(y.autorange).toBe(false);
    // lr of group 0 is 0.05 until step 15, 0.025 until 31 (StepLR every 16 steps): the buckets
    // 16-19, 20-23, 24-27, 28-31, drawn at their middle steps 17, 21, 25, 29 (the segments 17-21
    // and 25-29 cross the range), are all 0.025.
    const xs = data[0].x;
    const inView = data[0].y.filter((_, i) => [17, 21, 25, 29].includes(xs[i] as number)) as number[];
    expect(new Set(inView)).toEqual(new Set([0.025]));
    expect(y.range[0]).toBeLessThan(Math.log10(0.025));
    expect(y.range[1]).toBeGreaterThan(Math.log10(0.025));
    expect(y.range[1] - y.range[0]).toBeLessThan(0.2);
    // Nothing drawn in the range: plotly's autorange decides.
    expect(yRangeFor(data, [1000, 2000], true)).toBeNull();
    // Linear axis, two points: exact span plus 5% on each side.
    const t = { type: "scatter" as const, mode: "lines" as const, name: "t", x: [0, 10, 20, 30], y: [100, 1, 3, 200] };
    expect(yRangeFor([t], [9, 21], false)).toEqual([1 - 0.05 * 199, 200 + 0.05 * 199]);
    expect(yRangeFor([t], [11, 19], false)).toEqual([1 - 0.1, 3 + 0.1]);
    // Log axis: -1 does not count, 4 (x=30) is beyond the segment 10-20; a single value gets ±0.05 decades.
    const one = yRangeFor([{ ...t, y: [null, -1, 2, 4] }], [11, 19], true)!;
    expect(one[0]).toBeCloseTo(Math.log10(2) - 0.05, 12);
    expect(one[1]).toBeCloseTo(Math.log10(2) + 0.05, 12);
  });

  it("a log axis over less than three decades labels 1, 2 and 5 of each decade, not every digit", () => {
    const flat = clone(p);
    for (const t of flat.series) if (t.metric === "lr") { t.mean = t.mean.map((v) => (v === null ? null : 0.05)); delete t.min; delete t.max; }
    // a flat line opens on a linear axis (state.ts nearlyFlat): log chosen by the user
    const s = applyControl(applyControl(initialState(flat), { type: "metric", metric: "lr" }, flat), { type: "log", on: true }, flat);
    const y = (q: typeof p, st: typeof s) => buildFigureWithRoles(q, st, light).layout.yaxis as Record<string, unknown>;
    expect(y(flat, s).type).toBe("log");
    // Whole numbers, never plotly's bare digits ("5" for 0.05).
    expect(y(flat, s).tickmode).toBe("array");
    expect((y(flat, s).tickvals as number[]).length).toBeGreaterThanOrEqual(3);
    expect((y(flat, s).ticktext as string[]).every((t) => Number(t) > 0.04 && Number(t) < 0.06)).toBe(true);
    // a wide range gets decades, in one notation (plotly's own mixed "1e−4" and "0.01": userpass16)
    const wide = clone(p);
    for (const t of wide.series) if (t.metric === "lr") t.mean = t.mean.map((v, i) => (v === null ? null : 10 ** -(i % 8)));
    const wy = y(wide, applyControl(initialState(wide), { type: "metric", metric: "lr" }, wide));
    expect((wy.tickvals as number[]).every((v) => Number.isInteger(Math.round(Math.log10(v) * 1e9) / 1e9))).toBe(true);
    expect((wy.ticktext as string[]).every((t) => t.includes("e"))).toBe(true);
  });

  it("log ticks: enough of them, each with its magnitude", () => {
    // The compare fixture spans about three decades: plotly alone labelled it "2", "5", "0.1".
    const q = validatePayload(fixture("compare"));
    const y = buildFigureWithRoles(q, initialState(q), light).layout.yaxis as any;
    expect(y.type).toBe("log");
    expect(y.ticktext).toEqual(tickLabels(y.tickvals));
    expect(y.ticktext).toContain("0.01");
    expect(y.ticktext).toContain("0.005");
    // 0.02 … 0.3: 1-2-5 of each decade (the 07-nb03 plot showed "5" and "0.1").
    expect(logTicks(Math.log10(0.02), Math.log10(0.3))).toEqual([0.02, 0.05, 0.1, 0.2]);
    expect(logTicks(-4, -1)).toEqual([1e-4, 1e-3, 0.01, 0.1]);
    // a range whose last digit tick is far below its top gets a tick up there (a user's pass: a
    // line at 0.014 on an axis labelled up to 0.01 only)
    expect(logTicks(Math.log10(0.0019), Math.log10(0.016))).toEqual([0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01, 0.015]);
    // Less than a decade: every digit, else round steps.
    expect(logTicks(Math.log10(0.011), Math.log10(0.05))).toEqual([0.02, 0.03, 0.04, 0.05]);
    expect(logTicks(Math.log10(0.0501), Math.log10(0.0599))).toEqual([0.052, 0.054, 0.056, 0.058]);
    // one minus sign everywhere, U+2212, as plotly writes it (userpassB)
    // (exponents without "+": "1e+0" topped a loss axis, a tester's pass)
    expect([0.05, 2e-5, 3.5e6, 100, -0.5].map(tickLabel)).toEqual(["0.05", "2e−5", "3.5e6", "100", "−0.5"]);
  });

  it("defaults to a linear y when the metric has values <= 0, and says what a log axis hides", () => {
    // lr_projected of this run goes negative (momentum steps uphill): a log axis would hide it.
    const s = initialState(p);
    let f = buildFigureWithRoles(p, s, light);
    expect((f.layout.yaxis as any).type).toBe("linear");
    expect((f.layout as any).annotations).toBeUndefined();
    // Chosen anyway: a note counts the hidden points of the lines shown.
    f = buildFigureWithRoles(p, applyControl(s, { type: "log", on: true }, p), light);
    const n = p.series.filter((t) => t.metric === "lr_projected").flatMap((t) => t.mean).filter((v) => v !== null && v <= 0).length;
    expect(n).toBeGreaterThan(0);
    // (and, since userpassB, where the band is cut at the axis: logAxisNote)
    expect((f.layout as any).annotations[0].text).toMatch(new RegExp(`^${n} point${n === 1 ? "" : "s"} ≤ 0 not shown on a log axis(;|$)`));
    // A converged run whose projected lr is exactly 0 everywhere: a line, not an empty frame.
    const zero = clone(p);
    for (const t of zero.series) if (t.metric === "lr_projected") { t.mean = t.mean.map(() => 0); delete t.min; delete t.max; }
    f = buildFigureWithRoles(zero, initialState(zero), light);
    expect((f.layout.yaxis as any).type).toBe("linear");
    expect(f.data.filter((_, i) => f.roles[i] === "line").every((l) => l.y.every((v) => v === 0))).toBe(true);
    // A metric with only positive values keeps its log default.
    expect((buildFigureWithRoles(p, applyControl(s, { type: "metric", metric: "lr" }, p), light).layout.yaxis as any).type).toBe("log");
  });

  it("a constant line on a linear axis gets a minimum span, not its rounding drawn as a sawtooth", () => {
    const flat = clone(p);
    for (const t of flat.series) if (t.metric === "lr") { t.mean = t.mean.map((_, i) => (i % 2 ? 7.812e-5 : 7.813e-5)); delete t.min; delete t.max; }
    let s = applyControl(initialState(flat), { type: "metric", metric: "lr" }, flat);
    s = applyControl(s, { type: "log", on: false }, flat);
    const y = buildFigureWithRoles(flat, s, light).layout.yaxis as any;
    expect(y.autorange).toBe(false);
    expect(y.range[1] - y.range[0]).toBeGreaterThanOrEqual(MIN_RELATIVE_SPAN * 7.813e-5);
    expect(y.range[0]).toBeLessThan(7.812e-5);
    expect(y.range[1]).toBeGreaterThan(7.813e-5);
    // Tick labels get the room they need.
    expect(y.automargin).toBe(true);
    // A line that varies keeps plotly's autorange.
    expect((buildFigureWithRoles(p, applyControl(s, { type: "metric", metric: "loss" }, p), light).layout.yaxis as any).autorange).toBe(true);
  });

  it("places the legend in pixels under the whole figure, so a resize cannot put it on the x title", () => {
    const layout = buildFigureWithRoles(p, initialState(p), light).layout as any;
    expect(layout.legend).toMatchObject({ orientation: "h", yref: "container", y: 0, yanchor: "bottom" });
    expect(layout.xaxis.automargin).toBe(true);
  });

  it("breaks a long y title into lines instead of running into the plot title", () => {
    const long = "element-wise lr −Δ/g (median, q05–q95)";
    const q = clone(p);
    q.metrics.find((m) => m.key === "lr_projected")!.label = long;
    const text = (buildFigureWithRoles(q, initialState(q), light).layout.yaxis as any).title.text as string;
    expect(text.split("<br>").length).toBe(2);
    expect(text.split("<br>").every((l) => l.length <= Y_TITLE_LINE)).toBe(true);
    expect(text.replace("<br>", " ")).toBe(long);
    expect(wrapTitle("loss")).toBe("loss");
  });

  it("reset restores every choice", () => {
    let s = initialState(p);
    for (const e of [
      { type: "metric", metric: "loss" }, { type: "band", on: false }, { type: "group", group: 1, on: false },
      { type: "log", on: true }, { type: "range", range: [1, 5] },
    ] as ControlEvent[]) s = applyControl(s, e, p);
    const r = applyControl(s, { type: "reset" }, p);
    expect({ ...r, revision: 0 }).toEqual(initialState(p));
    expect(r.revision).toBe(s.revision + 1);
  });
});

describe("buildFigure: compare view and markers", () => {
  const p = validatePayload(fixture("compare"));

  it("one line per run, named by run, and run toggles", () => {
    let s = applyControl(initialState(p), { type: "band", on: false }, p);
    let f = buildFigureWithRoles(p, s, light);
    expect(f.data.filter((_, i) => f.roles[i] === "line").map((l) => l.name)).toEqual(["sgd", "adam", "sgd lr=2"]);
    s = applyControl(s, { type: "run", name: "adam", on: false }, p);
    f = buildFigureWithRoles(p, s, light);
    expect(f.data.filter((_, i) => f.roles[i] === "line").map((l) => l.name)).toEqual(["sgd", "sgd lr=2"]);
  });

  it("marks the divergence on every metric, with its step and rate in the tooltip", () => {
    for (const metric of ["lr_projected", "loss", "update_ratio"]) {
      const s = applyControl(initialState(p), { type: "metric", metric }, p);
      const f = buildFigureWithRoles(p, s, light);
      const i = f.roles.indexOf("divergence");
      expect(i).toBeGreaterThan(-1);
      expect(f.data[i].x).toEqual([20]);
      expect(f.data[i].hovertext).toEqual(["diverged at step 20 (lr 2)"]);
      // Sits on the diverging run's curve: the last finite bucket mean at or before step 20.
      const line = p.series.find((t) => t.name === "sgd lr=2" && t.metric === metric)!;
      const before = line.mean.filter((v, k) => v !== null && line.x[k] <= 20);
      expect(f.data[i].y).toEqual([before[before.length - 1]]);
      const shapes = (f.layout as any).shapes;
      expect(shapes).toHaveLength(1);
      expect(shapes[0].x0).toBe(20);
      expect(shapes[0].line.color).toBe(light.danger);
    }
  });

  it("hides a hidden run's markers", () => {
    const s = applyControl(initialState(p), { type: "run", name: "sgd lr=2", on: false }, p);
    const f = buildFigureWithRoles(p, s, light);
    expect(f.roles).not.toContain("divergence");
    expect((f.layout as any).shapes).toHaveLength(0);
  });

  it("the divergence's legend entry switches its markers and its dashed line off and on together", () => {
    let s = applyControl(initialState(p), { type: "marker", kind: "divergence" }, p);
    let f = buildFigureWithRoles(p, s, light);
    // the entry stays, greyed, to click it back on; the dashed line (a shape) goes with it
    expect(f.data[f.roles.indexOf("divergence")]).toMatchObject({ name: "diverged", visible: "legendonly" });
    expect((f.layout as any).shapes).toHaveLength(0);
    s = applyControl(s, { type: "marker", kind: "divergence" }, p);
    f = buildFigureWithRoles(p, s, light);
    expect(f.data[f.roles.indexOf("divergence")].visible).toBeUndefined();
    expect((f.layout as any).shapes).toHaveLength(1);
  });

  it("a typed step range with no data in it says so, and where the data is", () => {
    const empty = buildFigureWithRoles(p, applyControl(initialState(p), { type: "range", range: [5000, 6000] }, p), light);
    const notes = ((empty.layout as any).annotations ?? []).map((a: any) => a.text);
    expect(notes).toEqual([expect.stringMatching(/^nothing between 5000 and 6000: the data spans \d+ to \d+ \(reset zoom shows it all\)$/)]);
    // a range with data in it has no such note
    const some = buildFigureWithRoles(p, applyControl(initialState(p), { type: "range", range: [2, 10] }, p), light);
    expect(((some.layout as any).annotations ?? []).map((a: any) => a.text)).not.toContainEqual(expect.stringMatching(/^nothing between/));
  });
});

describe("buildFigure: range test", () => {
  const p = validatePayload(fixture("range_test"));
  it("uses a log x axis in learning rates and places the suggestion on the loss curve", () => {
    const s = initialState(p);
    const f = buildFigureWithRoles(p, s, light);
    expect((f.layout.xaxis as any).type).toBe("log");
    expect((f.layout.xaxis as any).title.text).toBe("learning rate");
    const i = f.roles.indexOf("suggestion");
    expect(f.data[i].x).toEqual([p.markers[0].x]);
    expect(f.data[i].y).toEqual([markerY(p.markers[0], p, s)]);
    expect(f.data[i].y[0]).not.toBeNull();
    // A zoom given in learning rates becomes plotly's log10 range.
    const z = applyControl(s, { type: "range", range: [1e-3, 1e-1] }, p);
    expect((buildFigureWithRoles(p, z, light).layout.xaxis as any).range).toEqual([-3, -1]);
    expect(applyControl(s, { type: "range", range: [0, 1] }, p)).toBe(s);
  });

  it("opens on a log loss axis when the loss spans decades, as its static picture does", () => {
    // The run ends where the loss blew up (0.58 to 3.8e25 here): on a linear axis every point
    // but the last sat on the x axis, the suggestion marker with them.
    const s = initialState(p);
    expect((buildFigureWithRoles(p, s, light).layout.yaxis as any).type).toBe("log");
    expect(panelsFor(p as never).find((q) => q.metrics.includes("loss"))!.log).toBe(true);
    // the user's choice still wins
    expect((buildFigureWithRoles(p, applyControl(s, { type: "log", on: false }, p), light).layout.yaxis as any).type).toBe("linear");
    // a loss over less than three decades, or with a zero, stays linear (the kernel's rule too)
    for (const [lo, hi] of [[0.5, 400], [0, 3e25]]) {
      const q = clone(p);
      q.series[0].mean = q.series[0].mean.map((v, i) => (i === 0 ? lo : v === null ? null : Math.min(Math.max(v, 0.5), hi)));
      delete q.series[0].min;
      delete q.series[0].max;
      expect((buildFigureWithRoles(q, initialState(q), light).layout.yaxis as any).type).toBe("linear");
      expect(panelsFor(q as never).find((r) => r.metrics.includes("loss"))!.log).toBe(false);
    }
  });
});

describe("buildFigure: range test suggestions", () => {
  it("shows suggestions made on the smoothed loss in the default (loss) view, at their smoothed loss", () => {
    const raw = clone(fixture("range_test"));
    raw.metrics.push({ key: "smoothed_loss", label: "smoothed loss", log: false });
    raw.series.push({ ...clone(raw.series[0]), metric: "smoothed_loss" });
    raw.markers = [{ ...raw.markers[0], metric: "smoothed_loss", y: 1.5, label: "valley 0.02" }];
    const p = validatePayload(raw);
    const s = initialState(p);
    expect(s.metric).toBe("loss");
    let f = buildFigureWithRoles(p, s, light);
    const i = f.roles.indexOf("suggestion");
    expect(i).toBeGreaterThan(-1);
    // named beside its star and in the legend, its rate and loss in the hover
    expect(f.data[i].hovertext).toEqual(["suggested lr, valley 0.02 (found on the smoothed loss, 1.5 here)"]);
    expect(f.data[i].text).toEqual(["valley"]);
    expect(f.data[i].mode).toBe("markers+text");
    expect(f.data[i].name).toBe("suggested lr (on the smoothed loss): valley");
    expect(f.data[i].y).toEqual([1.5]);
    expect(markerY(p.markers[0], p, s)).toBe(1.5);
    // On its own metric it sits at its own y.
    f = buildFigureWithRoles(p, applyControl(s, { type: "metric", metric: "smoothed_loss" }, p), light);
    expect(f.data[f.roles.indexOf("suggestion")].y).toEqual([1.5]);
  });
});

describe("buildFigure: nothing to draw", () => {
  it("says so in the plot instead of drawing an empty frame", () => {
    const raw = clone(fixture("trace_two_groups"));
    raw.series = [];
    raw.metrics = [];
    const p = validatePayload(raw);
    const f = buildFigureWithRoles(p, initialState(p), light);
    expect(f.data).toEqual([]);
    expect((f.layout as any).annotations[0].text).toBe("no steps yet");
    const q = validatePayload(fixture("compare"));
    let s = initialState(q);
    for (const name of ["sgd", "adam", "sgd lr=2"]) s = applyControl(s, { type: "run", name, on: false }, q);
    expect((buildFigureWithRoles(q, s, light).layout as any).annotations[0].text).toMatch(/every line is switched off/);
  });
});

describe("colours follow runs across metrics", () => {
  const lineColours = (q: ReturnType<typeof validatePayload>, metric: string) => {
    const f = buildFigureWithRoles(q, applyControl(initialState(q), { type: "metric", metric }, q), light);
    return new Map(f.data.filter((_, i) => f.roles[i] === "line").map((l) => [l.name, (l.line as any).color as string]));
  };

  it("a run's loss (no group) has a colour of its own after its groups' in a trace of several groups, the run's in a one-group trace", () => {
    const p = validatePayload(fixture("trace_two_groups"));
    expect(lineColours(p, "lr_projected")).toEqual(new Map([["group 0", LIGHT_PALETTE[0]], ["group 1", LIGHT_PALETTE[1]]]));
    expect(lineColours(p, "loss")).toEqual(new Map([["sgd", LIGHT_PALETTE[2]]]));
    const one = clone(fixture("trace_two_groups"));
    one.series = one.series.filter((t: { group: number | null }) => t.group !== 1);
    expect(lineColours(validatePayload(one), "loss")).toEqual(new Map([["sgd", LIGHT_PALETTE[0]]]));
  });

  it("in a comparison each run has one colour on every metric, runs in order", () => {
    const q = validatePayload(fixture("compare"));
    const want = new Map([["sgd", LIGHT_PALETTE[0]], ["adam", LIGHT_PALETTE[1]], ["sgd lr=2", LIGHT_PALETTE[2]]]);
    for (const m of q.metrics) expect(lineColours(q, m.key)).toEqual(want);
    // Hiding a run repaints no other.
    const s = applyControl(applyControl(initialState(q), { type: "metric", metric: "loss" }, q), { type: "run", name: "sgd", on: false }, q);
    const f = buildFigureWithRoles(q, s, light);
    expect(f.data.filter((_, i) => f.roles[i] === "line").map((l) => (l.line as any).color)).toEqual([LIGHT_PALETTE[1], LIGHT_PALETTE[2]]);
  });

  it("runs with several groups: a group keeps its colour, the next run takes the next colours", () => {
    const raw = clone(fixture("trace_two_groups"));
    raw.kind = "compare";
    const other = clone(raw.series).map((t) => ({ ...t, name: "adam" }));
    raw.series.push(...other);
    const q = validatePayload(raw);
    expect(lineColours(q, "lr")).toEqual(new Map([
      ["sgd · group 0", LIGHT_PALETTE[0]], ["sgd · group 1", LIGHT_PALETTE[1]], ["adam · group 0", LIGHT_PALETTE[2]], ["adam · group 1", LIGHT_PALETTE[3]],
    ]));
    expect(lineColours(q, "loss")).toEqual(new Map([["sgd", LIGHT_PALETTE[0]], ["adam", LIGHT_PALETTE[2]]]));
  });
});

describe("the title fits the metric shown", () => {
  const titled = (q: ReturnType<typeof validatePayload>, metric: string) =>
    (buildFigureWithRoles(q, applyControl(initialState(q), { type: "metric", metric }, q), light).layout.title as any).text as string;

  it("a default title names a metric that is not a learning rate", () => {
    const raw = clone(fixture("trace_two_groups"));
    raw.title = DEFAULT_TITLES.trace;
    const p = validatePayload(raw);
    expect(titled(p, "lr_projected")).toBe("Effective learning rate");
    // the configured lr is no effective rate (session 21: test/extension/p21b_one_run_title.test.ts)
    expect(titled(p, "lr")).toBe("Configured learning rate");
    expect(titled(p, "loss")).toBe("Loss");
    // The metric's own label, escaped: "update ratio ‖Δ‖/‖θ‖" and the like.
    raw.metrics.find((m) => m.key === "update_ratio")!.label = "update ratio ‖Δ‖/‖θ‖";
    expect(titled(validatePayload(raw), "update_ratio")).toBe("Update ratio ‖Δ‖/‖θ‖");
    const c = clone(fixture("compare"));
    c.title = DEFAULT_TITLES.compare;
    const q = validatePayload(c);
    expect(titled(q, "lr_projected")).toBe("Effective learning rate: comparison");
    expect(titled(q, "loss")).toBe("Loss: comparison");
  });

  it("keeps a title the user gave, a range test's, and does not capitalise Greek", () => {
    const p = validatePayload(fixture("trace_two_groups"));
    expect(titled(p, "loss")).toBe("SGD momentum 0.9, StepLR");
    const r = validatePayload(fixture("range_test"));
    expect(plotTitle({ ...r, title: DEFAULT_TITLES.range_test }, "loss")).toBe("Learning-rate range test");
    const sched = { ...r, kind: "schedule" as const, title: DEFAULT_TITLES.schedule, metrics: [{ key: "momentum", label: "momentum (β1)", log: false }, { key: "beta2", label: "β2", log: false }] };
    expect(plotTitle(sched, "momentum")).toBe("Momentum (β1) schedule");
    expect(plotTitle({ ...sched, kind: "trace", title: DEFAULT_TITLES.trace }, "beta2")).toBe("β2");
    expect(plotTitle({ ...sched, title: DEFAULT_TITLES.schedule }, "lr")).toBe("Learning-rate schedule");
  });
});

describe("escaping", () => {
  it("escapes every payload string that plotly would read as markup", () => {
    const raw = clone(fixture("compare")) as any;
    const evil = `<img src=x onerror="window.__pwned=1">&amp;<b>`;
    raw.title = evil;
    raw.x_label = evil;
    raw.metrics[1].label = evil;
    for (const t of raw.series) if (t.name === "adam") t.name = evil;
    raw.markers[0].label = evil;
    const p = validatePayload(raw);
    const f = buildFigureWithRoles(p, initialState(p), light);
    const want = "&lt;img src=x onerror=\"window.__pwned=1\"&gt;&amp;amp;&lt;b&gt;";
    expect((f.layout.title as any).text).toBe(want);
    expect((f.layout.xaxis as any).title.text).toBe(want);
    expect((f.layout.yaxis as any).title.text.replace(/<br>/g, " ")).toBe(want);
    expect(f.data.filter((t) => t.name.includes("img")).every((t) => t.name.startsWith(want))).toBe(true);
    expect(f.data[f.roles.indexOf("divergence")].hovertext).toEqual([want]);
    expect(JSON.stringify(f)).not.toMatch(/<img|<b>/);
  });

  it("labels combine run, group and parameter only when they tell lines apart", () => {
    const p = validatePayload(fixture("trace_two_groups"));
    const loss = p.series.find((t) => t.metric === "loss")!;
    expect(seriesLabel(loss, p)).toBe("sgd");
    expect(seriesLabel({ ...p.series[0], param: "0.weight" }, p)).toBe("group 0 · 0.weight");
  });
});

describe("theme mapping", () => {
  it("reads JupyterLab's CSS variables into plotly colours", () => {
    const vars: Record<string, string> = {
      "--jp-layout-color0": "#111111", "--jp-ui-font-color1": "rgba(255, 255, 255, 1)", "--jp-ui-font-color2": "#aaaaaa",
      "--jp-border-color2": "#333333", "--jp-border-color1": "#555555", "--jp-ui-font-family": "Inter", "--jp-error-color1": "#ff0000",
    };
    const dark = themeFrom((n) => vars[n] ?? "", false);
    const p = validatePayload(fixture("trace_two_groups"));
    const { data, layout } = buildFigureWithRoles(p, initialState(p), dark);
    expect(layout.paper_bgcolor).toBe("#111111");
    expect(layout.plot_bgcolor).toBe("#111111");
    expect((layout.font as any).color).toBe("rgba(255, 255, 255, 1)");
    expect((layout.font as any).family).toBe("Inter");
    expect((layout.xaxis as any).gridcolor).toBe("#333333");
    expect((layout.xaxis as any).title.font.color).toBe("#aaaaaa");
    expect((data[2].line as any).color).toBe(DARK_PALETTE[0]);
  });

  it("falls back per side when a variable is missing", () => {
    expect(themeFrom(() => "", true).background).toBe("#ffffff");
    expect(themeFrom(() => "", false).background).toBe("#111111");
    expect(themeFrom(() => "", false).palette).toBe(DARK_PALETTE);
  });
});

describe("bandPolygon", () => {
  it("closes one shape per run of points with both edges, runs separated by null", () => {
    // Runs: steps 1-2 (both edges), step 3 has no lower edge (a gap), steps 4-5.
    const shape = bandPolygon([1, 2, 3, 4, 5], [0.1, 0.2, null, 0.4, 0.5], [1, 2, 3, 4, 5]);
    expect(shape.x).toEqual([1, 2, 2, 1, null, 4, 5, 5, 4]);
    expect(shape.y).toEqual([0.1, 0.2, 2, 1, null, 0.4, 0.5, 5, 4]);
    expect(bandPolygon([1, 2], [null, null], [1, 2])).toEqual({ x: [], y: [] });
  });
});
