/**
 * The contract between the kernel's figure builder (kernel/src/plot) and this extension: every
 * payload the kernel makes passes the extension's validator unchanged and draws every series.
 */
import { describe, expect, it } from "vitest";
import { buildFigureWithRoles } from "../../extension/src/figure";
import * as ext from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import * as kernelPayload from "../../kernel/src/plot/payload";
import { type FigureSource, make_figure } from "../../kernel/src/plot/figure";

/** Buckets of one value per step, as the tracer's bounded series makes them before merging. */
function buckets(values: (number | null)[]) {
  return values.map((v, step) => ({
    first_step: step, last_step: step, pushes: 1, count: v === null ? 0 : 1, sum: v ?? 0,
    mean: v, min: v, max: v, last: v,
  }));
}

const steps = (n: number, f: (t: number) => number | null) => Array.from({ length: n }, (_, t) => f(t));

function source(name: string, lr: number, diverge?: number): FigureSource {
  return {
    name,
    series: [
      { metric: "lr", group: 0, buckets: buckets(steps(300, () => lr)) },
      { metric: "lr_projected", group: 0, buckets: buckets(steps(300, (t) => (t % 50 === 7 ? null : lr * (1 + 0.3 * Math.sin(t))))) },
      { metric: "lr_projected", group: 1, buckets: buckets(steps(300, (t) => lr / 10 + t * 1e-6)) },
      { metric: "loss", group: null, buckets: buckets(steps(300, (t) => (diverge !== undefined && t >= diverge ? null : 1 / (1 + t)))) },
    ],
    markers: diverge === undefined ? [] : [{ kind: "divergence", name, x: diverge, y: null, label: `diverged at step ${diverge} (lr ${lr})` }],
  };
}

describe("kernel payloads in the extension", () => {
  it("uses the same mime types and version", () => {
    expect(ext.PLOT_MIME).toBe(kernelPayload.PLOT_MIME);
    expect(ext.PLOTLY_MIME).toBe(kernelPayload.PLOTLY_MIME);
  });

  it("a trace and a compare figure validate unchanged and draw every series of a metric", () => {
    for (const [kind, sources] of [["trace", [source("run", 0.1)]], ["compare", [source("a", 0.1), source("b <i>", 3, 120)]]] as const) {
      const { payload } = make_figure(sources, { kind, default_metric: "lr_projected" });
      const v = ext.validatePayload(JSON.parse(JSON.stringify(payload)));
      expect(JSON.parse(JSON.stringify(v))).toEqual(JSON.parse(JSON.stringify(payload)));
      const f = buildFigureWithRoles(v, initialState(v), themeFrom(() => "", true));
      const want = payload.series.filter((s) => s.metric === "lr_projected").length;
      expect(f.roles.filter((r) => r === "line")).toHaveLength(want);
      if (kind === "compare") expect(f.roles).toContain("divergence");
    }
  });
});
