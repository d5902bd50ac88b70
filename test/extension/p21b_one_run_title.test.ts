/**
 * The extension's title of one run's configured lr (`%lr_compare seq --metric lr`, a trace's
 * figure opened on lr; or a trace's "configured lr" chosen in the metric menu, which draws it
 * alone): "Configured learning rate", as the static pictures now say (kernel/src/plot/figure.ts
 * figureTitle, test/magics/p21b_compare_one_lr.test.ts), not "Effective learning rate" (a
 * teacher's pass, userV finding 2). The first case failed before the change; the second guards
 * what stays (the rates, another metric, a title given). The kernel's payload is read by the
 * extension's own functions, as JupyterLab would.
 */
import { describe, expect, it } from "vitest";
import { CONFIGURED_TRACE_TITLE, make_figure } from "../../kernel/src/plot/figure";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { buildFigureWithRoles, plotTitle } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

/** One run's trace (configured lr, projected lr, loss), opened on `metric`. */
function oneRun(metric: string, title?: string): PlotPayload {
  const x = Array.from({ length: 32 }, (_, i) => i);
  const lr = x.map((i) => 0.05 * (1 + Math.cos((Math.PI * i) / 32)));
  const series = [
    { metric: "lr", group: 0, buckets: bucketsOf(x, lr) },
    { metric: "lr_projected", group: 0, buckets: bucketsOf(x, lr.map((v, i) => v * (0.8 + 0.1 * Math.sin(i)))) },
    { metric: "loss", group: null, buckets: bucketsOf(x, x.map((i) => 1 / (1 + i))) },
  ];
  const raw = make_figure([{ name: "seq", series }], { kind: "trace", default_metric: metric, ...(title ? { title } : {}) }).payload;
  return validatePayload(JSON.parse(JSON.stringify(raw)));
}

describe("the extension's title of one run's configured lr", () => {
  it("opened on lr (and so drawn): Configured learning rate", () => {
    const p = oneRun("lr");
    expect(plotTitle(p, "lr")).toBe(CONFIGURED_TRACE_TITLE);
    const f = buildFigureWithRoles(p, initialState(p), themeFrom(() => "", true));
    expect(JSON.stringify(f.layout.title)).toContain("Configured learning rate");
    expect(JSON.stringify(f.layout.title)).not.toContain("Effective");
  });

  it("the projected lr, the loss and a title given keep theirs", () => {
    const p = oneRun("lr");
    expect(plotTitle(p, "lr_projected")).toBe("Effective learning rate");
    expect(plotTitle(p, "loss")).toBe("Loss");
    expect(plotTitle(oneRun("lr", "mine"), "lr")).toBe("mine");
  });
});
