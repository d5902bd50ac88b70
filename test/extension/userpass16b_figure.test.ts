// @vitest-environment jsdom
/**
 * Plot findings of userpass16 (userE 5, userF 4), in the extension (the kernel's side is
 * test/plot/userpass16b_plots.test.ts):
 * - a line's hover takes the digits that keep its neighbouring points apart (ExponentialLR(γ =
 *   0.99999) read 0.1 at every step at four digits);
 * - the configured lr drawn under a measured rate says its value in that line's hover and takes
 *   none itself (it took the hover from the line it lies on);
 * - an exact set line (payload `exact`) hovers "step k", not "mean of steps";
 * - a range test's ✖ where its loss left the scale is named so, not "diverged" (the summary's
 *   "stopped: loss diverged at lr 1.556" named another rate);
 * - a suggestion's label goes where it covers no line ("minimum/10" printed over the loss).
 */
import { describe, expect, it } from "vitest";
import { buildFigureWithRoles, configuredAt, hoverData, hoverDigits, hoverTexts, labelPositions } from "../../extension/src/figure";
import { type PlotPayload, validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);
const metrics = [
  { key: "lr", label: "configured lr", log: true },
  { key: "lr_projected", label: "projected lr −⟨Δ,g⟩/‖g‖²", log: true },
];

describe("hover digits", () => {
  it("a slow schedule's steps read apart, a plain line keeps four digits", () => {
    const ys = [0, 1, 2, 3].map((k) => Number((0.1 * 0.99999 ** k).toPrecision(7)));
    expect(hoverDigits(ys)).toBe(5);
    const texts = hoverData([0, 1, 2, 3], ys).map((r) => r[1]);
    expect(new Set(texts).size).toBe(4);
    expect(hoverDigits([0.05, 0.04, 0.0312345])).toBe(4);
    expect(hoverData([0], [0.0312345])[0][1]).toBe("0.03123");
  });
});

describe("the configured lr under a measured line", () => {
  // an exact CyclicLR-like ramp (corners only) and a projected rate at every step
  const steps = Array.from({ length: 11 }, (_, i) => i);
  const p: PlotPayload = validatePayload({
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, live: false, markers: [], default_metric: "lr_projected", metrics,
    series: [
      { name: "cyc", metric: "lr", group: 0, x: [0, 5, 10], mean: [0.001, 0.1, 0.001], spans: [2, 5, 1, 1], exact: true },
      { name: "cyc", metric: "lr_projected", group: 0, x: steps, mean: steps.map((k) => 0.0009 + 0.01 * k) },
    ],
  });

  it("the payload keeps `exact`; its hover says the step, not a mean", () => {
    const lr = p.series[0];
    expect(lr.exact).toBe(true);
    expect(hoverTexts(lr)).toEqual(["step 0", "step 5", "step 10"]);
    expect(hoverTexts({ ...lr, exact: undefined })).toEqual(["mean of steps 0–4", "mean of steps 5–9", "step 10"]);
  });

  it("configuredAt: on an exact line's straight segments, on held values, and not between means", () => {
    expect(configuredAt(p.series[0], 5)).toBe(0.1);
    expect(configuredAt(p.series[0], 2)).toBeCloseTo(0.001 + (0.099 * 2) / 5, 12);
    expect(configuredAt(p.series[0], 11)).toBe(0.001);
    expect(configuredAt({ x: [0, 5], mean: [0.1, 0.2] }, 2)).toBeNull();
    expect(configuredAt({ x: [0, 5], mean: [0.1, 0.1] }, 2)).toBe(0.1);
  });

  it("the measured line's hover carries it; the dotted line takes no hover", () => {
    const f = buildFigureWithRoles(p, initialState(p), light);
    const line = f.data[f.roles.indexOf("line")];
    expect(line.hovertemplate).toContain("%{customdata[1]}%{customdata[2]}");
    const cd = line.customdata as string[][];
    expect(cd[5][2]).toBe(" · configured 0.1");
    expect(cd[2][2]).toBe(" · configured 0.0406");
    const conf = f.data.filter((_, i) => f.roles[i] === "configured");
    expect(conf).toHaveLength(1);
    expect(conf[0].hoverinfo).toBe("skip");
    expect(conf[0].hovertemplate).toBeUndefined();
  });
});

describe("a range test's markers", () => {
  const lrs = Array.from({ length: 30 }, (_, i) => 1e-4 * 10 ** (i / 7));
  const loss = lrs.map((_, i) => 2 - 1.5 * Math.sin((Math.PI * i) / 40));
  const base = (label: string): PlotPayload => validatePayload({
    version: 1, kind: "range_test", title: "t", x_label: "learning rate", x_log: true, live: false, default_metric: "loss",
    metrics: [{ key: "loss", label: "loss", log: false }, { key: "smoothed_loss", label: "smoothed loss", log: false }],
    series: [
      { name: "rt", metric: "loss", group: null, x: lrs, mean: loss },
      { name: "rt", metric: "smoothed_loss", group: null, x: lrs, mean: loss },
    ],
    markers: [
      { kind: "divergence", name: "rt", x: lrs[29], y: null, label },
      { kind: "suggestion", name: "rt", metric: "smoothed_loss", x: lrs[12], y: loss[12], label: "minimum/10 0.005" },
    ],
  });

  it("the ✖ where the loss left the scale is named so; a divergence keeps \"diverged\"", () => {
    const names = (p: PlotPayload) => {
      const f = buildFigureWithRoles(p, initialState(p), light);
      return f.data.filter((_, i) => f.roles[i] === "divergence").map((t) => t.name);
    };
    expect(names(base("loss off the scale from lr 1.385 (29.66, up to 131.9)"))).toEqual(["loss off the scale"]);
    expect(names(base("diverged at lr 1.556 (loss 131.9)"))).toEqual(["diverged"]);
  });

  it("a star's label goes where no line runs", () => {
    // a star on a line falling left to right: above or below it the line runs through the label
    const line: [number, number][] = Array.from({ length: 50 }, (_, i) => [i / 49, 1 - i / 49]);
    const [pos] = labelPositions([0.5], [0.5], ["minimum/10"], 900, 290, [line]);
    expect(["top center", "bottom center"]).not.toContain(pos);
    // without the line the first choice stays
    expect(labelPositions([0.5], [0.5], ["minimum/10"])[0]).toBe("top center");
  });
});
