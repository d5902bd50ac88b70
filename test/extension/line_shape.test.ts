import { describe, expect, it } from "vitest";
import { buildFigureWithRoles, lineShape } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { bundle, PLOT_MIME, type FigureSource, type Plottable } from "../../kernel/src/plot/index";
import { bucketsOf } from "../../kernel/src/plot/downsample";

const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("line shapes", () => {
  it("draws scheduler-set values (lr, momentum) as steps while each point is one step, measured metrics as lines", () => {
    expect(lineShape({ metric: "lr", x: steps(40) })).toBe("hv");
    expect(lineShape({ metric: "momentum", x: steps(40) })).toBe("hv");
    expect(lineShape({ metric: "lr_projected", x: steps(40) })).toBe("linear");
    expect(lineShape({ metric: "loss", x: steps(40) })).toBe("linear");
  });

  it("a point that merges several steps is drawn through, not as a tread of stairs", () => {
    // downsampled: the first, middle and last step of each merged run
    expect(lineShape({ metric: "lr", x: [0, 4, 7, 10, 13, 79] })).toBe("linear");
    expect(lineShape({ metric: "momentum", x: [0, 1, 2, 4, 6] })).toBe("linear");
    // a range test's x are learning rates, never steps
    expect(lineShape({ metric: "lr", x: [1e-7, 1e-6, 1e-5] })).toBe("linear");
  });

  it("a CosineAnnealingLR preview of 3000 steps, downsampled in its payload, is a line in the extension", () => {
    const lr = steps(3000).map((t) => 0.05 * (1 + Math.cos((Math.PI * t) / 3000)));
    const cosine: Plottable = {
      plot_kind: "schedule",
      to_figure_source: (): FigureSource => ({ name: "CosineAnnealingLR", series: [{ metric: "lr", group: 0, buckets: bucketsOf(steps(3000), lr) }] }),
    };
    // (merged by max_points: without it the preview now keeps all 3000 steps, a set lr carrying no band)
    const p = validatePayload(JSON.parse(JSON.stringify(bundle(cosine, { svg: false, max_points: 300 })[PLOT_MIME])));
    expect(p.series[0].x.length).toBeLessThan(3000);
    const light = themeFrom(() => "", true);
    const f = buildFigureWithRoles(p, applyControl(initialState(p), { type: "metric", metric: "lr" }, p), light);
    const line = f.data.find((_, i) => f.roles[i] === "line")!;
    expect((line.line as { shape: string }).shape).toBe("linear");
  });
});
