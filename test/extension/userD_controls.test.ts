// @vitest-environment jsdom
/**
 * A teacher's pass (userD, finding 8): in the dark theme the disabled "spread band" checkbox
 * looked enabled. Its label is greyed with it (index.css .lrlab-mod-disabled) and says why.
 */
import { describe, expect, it } from "vitest";
import { Controls } from "../../extension/src/controls";
import { validatePayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";

const steps = [0, 1, 2, 3];
const p = validatePayload({
  version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, live: false, markers: [], default_metric: "lr_projected",
  metrics: [{ key: "lr", label: "configured lr", log: true }, { key: "lr_projected", label: "projected lr", log: true }],
  series: [
    { name: "r", metric: "lr", group: 0, x: steps, mean: [0.1, 0.1, 0.1, 0.1] },
    { name: "r", metric: "lr_projected", group: 0, x: steps, mean: [0.1, 0.2, 0.1, 0.2], min: [0.05, 0.1, 0.05, 0.1], max: [0.2, 0.3, 0.2, 0.3] },
  ],
});

describe("the spread band checkbox", () => {
  it("is greyed with its label, with a title saying why, when the metric has no band", () => {
    const c = new Controls(document, () => undefined);
    const box = c.node.querySelector<HTMLInputElement>('[data-control="band"]')!;
    c.update(p, initialState(p));
    expect(box.disabled).toBe(false);
    expect(box.parentElement!.classList.contains("lrlab-mod-disabled")).toBe(false);
    c.update(p, applyControl(initialState(p), { type: "metric", metric: "lr" }, p));
    expect(box.disabled).toBe(true);
    expect(box.parentElement!.classList.contains("lrlab-mod-disabled")).toBe(true);
    expect(box.parentElement!.title).toContain("no band");
  });
});
