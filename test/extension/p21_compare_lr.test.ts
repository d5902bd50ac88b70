/**
 * The extension's view of `%lr_compare a b --metric lr` (and of runs with a schedule preview) agrees
 * with the static pictures (test/plot/p21_lr_panel.test.ts): the configured lr opens on a preview's
 * axis (linear for a warm-up + cosine; log when the rates span more than two decades) and is titled
 * "Configured learning rate: comparison", not "Effective learning rate: comparison" (a teacher's
 * pass, userV finding 2). The first and third cases failed before the change (log; the effective
 * title); the second guards that wide rates still open log. The kernel's payload of the comparison
 * is read by the extension's own functions, as JupyterLab would. (Here, not under test/plot: the
 * extension's figure.ts needs the DOM types of test/extension's tsconfig.)
 */
import { describe, expect, it } from "vitest";
import { CONFIGURED_COMPARE_TITLE, make_figure } from "../../kernel/src/plot/figure";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { plotTitle } from "../../extension/src/figure";
import { autoLogY } from "../../extension/src/state";
import type { PlotPayload } from "../../extension/src/payload";

/** A comparison of two runs' configured lr, each step's rate from `lr(i)`. */
function compare(lr: (i: number) => number, steps = 64): PlotPayload {
  const x = Array.from({ length: steps }, (_, i) => i);
  const source = (name: string) => ({ name, series: [{ metric: "lr", group: 0, buckets: bucketsOf(x, x.map(lr)) }] });
  return make_figure([source("a"), source("b")], { kind: "compare", default_metric: "lr" }).payload as unknown as PlotPayload;
}

const warmCosine = (i: number) => 0.1 * (i < 8 ? (i + 1) / 8 : 0.5 * (1 + Math.cos((Math.PI * (i - 8)) / 56)));

describe("the extension's comparison of configured rates", () => {
  it("a warm-up + cosine opens linear, as its preview", () => {
    expect(autoLogY("lr", compare(warmCosine))).toBe(false);
  });

  it("rates over more than two decades (ExponentialLR γ = 0.9 over 64 steps) open log, as their preview", () => {
    expect(autoLogY("lr", compare((i) => 0.1 * 0.9 ** i))).toBe(true);
  });

  it("is titled configured over lr, and by its metric elsewhere; a title the user gave stays", () => {
    const p = compare(warmCosine);
    expect(plotTitle(p, "lr")).toBe(CONFIGURED_COMPARE_TITLE);
    expect(plotTitle(p, "lr_projected")).toBe("Effective learning rate: comparison");
    expect(plotTitle({ ...p, title: "mine" }, "lr")).toBe("mine");
  });
});
