import { describe, expect, it } from "vitest";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState, reconcile } from "../../extension/src/state";

function payload(metrics: string[], default_metric: string): PlotPayload {
  return validatePayload({
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false,
    metrics: metrics.map((key) => ({ key, label: key, log: true })),
    default_metric,
    series: metrics.map((metric) => ({ name: "run", metric, group: 0, x: [1], mean: [0.1] })),
    markers: [], live: true,
  });
}

describe("the shown metric across live updates", () => {
  it("follows the payload's default until the user picks one", () => {
    // A live run's first payload comes before any step: it can only suggest "lr".
    const first = payload(["lr"], "lr");
    let s = initialState(first);
    expect(s.metric).toBe("lr");
    const later = payload(["lr", "lr_projected"], "lr_projected");
    s = reconcile(s, later);
    expect(s.metric).toBe("lr_projected");
  });

  it("keeps the user's pick on later updates, and falls back when it disappears", () => {
    const p = payload(["lr", "lr_projected", "loss"], "lr_projected");
    let s = applyControl(initialState(p), { type: "metric", metric: "loss" }, p);
    s = reconcile(s, p);
    expect(s.metric).toBe("loss");
    s = reconcile(s, payload(["lr", "lr_projected"], "lr_projected"));
    expect(s.metric).toBe("lr_projected");
  });
});
