/**
 * One notation per axis, in both renderers (a tester's pass): a live loss axis was topped by
 * "1e+0", a range test's x axis read "1e−4, 1e−3, 0.01, 0.1, 1", the SVG's log axes "1e+3, 10,
 * 0.1, 1e−3". The extension (extension/src/figure.ts tickLabels) and the static SVG
 * (kernel/src/plot/ticks.ts tickLabels) label an axis alike: plain decimals while every tick lies
 * in [1e-3, 1e5), else exponents for all, without "+". A log axis of decades or of 1-2-5 gets no
 * extra tick at its top ("7.5e−1" after "1e−1").
 */
import { describe, expect, it } from "vitest";
import { tickLabels as kernelLabels } from "../../kernel/src/plot/ticks";
import { make_figure } from "../../kernel/src/plot/figure";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { buildFigure, tickLabels } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const AXES: number[][] = [
  [1e-4, 1e-3, 0.01, 0.1, 1],
  [1e3, 10, 0.1, 1e-3],
  [0.02, 0.05, 0.1, 0.2, 0.5],
  [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.55],
  [0, 5e4, 1e5, 1.5e5],
];

describe("one notation per axis", () => {
  it("the extension and the SVG label every axis alike, with no \"+\" and no mix", () => {
    for (const ticks of AXES) {
      const labels = tickLabels(ticks);
      expect(kernelLabels(ticks), ticks.join(" ")).toEqual(labels);
      expect(labels.join(" ")).not.toContain("+");
      const exp = labels.filter((l) => l.includes("e")).length;
      expect([0, labels.filter((l) => l !== "0").length], labels.join(" ")).toContain(exp);
    }
    expect(tickLabels([1e-4, 1e-3, 0.01, 0.1, 1])).toEqual(["1e−4", "1e−3", "1e−2", "1e−1", "1e0"]);
    expect(tickLabels([0.02, 0.05, 0.1])).toEqual(["0.02", "0.05", "0.1"]);
  });

  it("a range test's learning-rate axis: explicit decades in one notation", () => {
    const lrs = Array.from({ length: 60 }, (_, i) => 1e-5 * 10 ** (i / 10));
    const raw = make_figure([{ name: "rt", series: [{ metric: "loss", group: null, buckets: bucketsOf(lrs, lrs.map((v) => 1 + v)) }] }], { kind: "range_test" }).payload;
    const p = validatePayload(JSON.parse(JSON.stringify(raw)));
    const x = buildFigure(p, initialState(p), themeFrom(() => "", true)).layout.xaxis as { tickvals?: number[]; ticktext?: string[] };
    expect(x.tickvals).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(x.ticktext).toEqual(["1e−5", "1e−4", "1e−3", "1e−2", "1e−1", "1e0"]);
  });
});
