/**
 * The extension's view of `%lr_compare run pv`: the preview's line is dashed and drawn after (over)
 * the run's, as in the kernel's static pictures, so a run the preview agrees with stays visible
 * under it (it was hidden: one line in the preview's colour, a lecturer's pass, session 21). The
 * kernel's payload goes through the extension's own validation, as JupyterLab reads it.
 */
import { describe, expect, it } from "vitest";
import { make_figure } from "../../kernel/src/plot/figure";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { previewAsRun } from "../../kernel/src/plot/schedule_overlay";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

describe("a preview among runs in the extension", () => {
  it("is dashed and over the run's line", () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const lrs = x.map((i) => 0.05 * 0.5 * (1 + Math.cos((Math.PI * i) / 20)));
    const pv = previewAsRun({ plot_kind: "schedule", name: "pv", lrs: [lrs], first_step: 0 }, "pv (preview)").to_figure_source();
    // the preview named first: still drawn last
    const payload = make_figure([pv, { name: "cos", series: [{ metric: "lr", group: 0, buckets: bucketsOf(x, lrs) }] }], { kind: "compare", default_metric: "lr" }).payload;
    const p = validatePayload(JSON.parse(JSON.stringify(payload)));
    expect(p.series.find((s) => s.name === "pv (preview)")?.preview).toBe(true);
    const f = buildFigureWithRoles(p, initialState(p), light);
    const lines = f.data.filter((d, i) => f.roles[i] === "line");
    expect(lines.map((d) => d.name)).toEqual(["cos", "pv (preview)"]);
    expect((lines[1].line as Record<string, unknown>).dash).toBe("dash");
    expect((lines[0].line as Record<string, unknown>).dash).toBeUndefined();
  });
});
