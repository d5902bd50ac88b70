/**
 * A live plot's y axis does not flip under the user's eyes (a JupyterLab power user's pass,
 * finding C): the automatic choice (state.ts isLogY) re-applied on every update went log → linear
 * → log within two seconds as Adam's projected rate touched 0. While the run is live the axis
 * shown is held (state.ts holdLiveAxis), its note says what a held log axis leaves off, and the
 * final payload applies the documented rule once. The user's "log y" always wins; a static plot
 * is unchanged.
 */
import { describe, expect, it } from "vitest";
import { buildFigure, logAxisNote } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState, isLogY, reconcile, type ViewState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

/** A trace payload whose projected lr (a log metric) has the given points, and a flat lr. */
function payload(values: number[], live: boolean): PlotPayload {
  const x = values.map((_, i) => i + 1);
  return validatePayload({
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false,
    metrics: [{ key: "lr_projected", label: "projected lr", log: true }, { key: "lr", label: "lr", log: true }],
    default_metric: "lr_projected",
    series: [
      { name: "run", metric: "lr_projected", group: 0, x, mean: values },
      { name: "run", metric: "lr", group: 0, x, mean: values.map(() => 0.003) },
    ],
    markers: [], live,
  });
}

/** The renderer's path: the first payload makes the state, each later one reconciles it. */
function run(payloads: PlotPayload[]): { states: ViewState[]; logs: boolean[] } {
  const states: ViewState[] = [];
  let s: ViewState | null = null;
  for (const p of payloads) {
    s = s ? reconcile(s, p) : initialState(p);
    states.push(s);
  }
  return { states, logs: states.map((st, i) => isLogY(st, payloads[i])) };
}

const yType = (p: PlotPayload, s: ViewState) => (buildFigure(p, s, light).layout.yaxis as { type: string }).type;

describe("a live plot's automatic y axis", () => {
  // the user's run 2: log at 1.4 s (0.003..0.015), then a projected rate ≤ 0 came in
  const spread = [0.004, 0.012, 0.003, 0.015];
  const negative = [...spread, -0.02, 0.03];

  it("stays log once shown when values ≤ 0 come in, and the final payload applies the rule", () => {
    const seq = [payload([], true), payload(spread, true), payload(negative, true), payload([...negative, 0.01], true), payload([...negative, 0.01], false)];
    const { states, logs } = run(seq);
    expect(logs).toEqual([true, true, true, true, false]);
    // (the rule itself says linear from the third payload on: what flipped the axis before)
    expect(isLogY(initialState(payload(negative, false)), payload(negative, false))).toBe(false);
    expect(yType(seq[2], states[2])).toBe("log");
    expect(yType(seq[4], states[4])).toBe("linear");
    expect(states[4].liveLog).toEqual({});
  });

  it("says in its note that points ≤ 0 are left off and that log y switches, while held", () => {
    const p = payload(negative, true);
    const s = reconcile(initialState(payload(spread, true)), p);
    const note = logAxisNote(p, s, s.band);
    expect(note).toContain("1 point ≤ 0 not shown on a log axis");
    expect(note).toContain("untick log y");
    const annotations = (buildFigure(p, s, light).layout.annotations ?? []) as { text: string }[];
    expect(annotations.some((a) => a.text.includes("untick log y"))).toBe(true);
    // the user's own log axis has the plain note: nothing is held there
    const chosen = applyControl(initialState(p), { type: "log", on: true }, p);
    expect(logAxisNote(p, chosen, chosen.band)).toBe("1 point ≤ 0 not shown on a log axis");
  });

  it("stays linear once shown for a value ≤ 0, when later points are all positive", () => {
    const seq = [payload([0.004, -0.001], true), payload([0.004, 0.001, 0.012, 0.003, 0.015], true), payload([0.004, 0.001, 0.012, 0.003, 0.015], false)];
    expect(run(seq).logs).toEqual([false, false, true]);
  });

  it("opens linear on nearly flat first points and turns log once, when the data spreads, then holds it", () => {
    const seq = [payload([0.004], true), payload([0.004, 0.005], true), payload(spread, true), payload(negative, true)];
    expect(run(seq).logs).toEqual([false, false, true, true]);
  });

  it("never overrides the user's log y, either way", () => {
    let p = payload(spread, true);
    let s = applyControl(initialState(p), { type: "log", on: false }, p);
    expect(isLogY(s, p)).toBe(false);
    p = payload([...spread, 0.5], true);
    s = reconcile(s, p);
    expect(isLogY(s, p)).toBe(false);
    s = applyControl(s, { type: "log", on: true }, p);
    p = payload(negative, true);
    s = reconcile(s, p);
    expect(isLogY(s, p)).toBe(true);
    p = payload(negative, false);
    expect(isLogY(reconcile(s, p), p)).toBe(true);
  });

  it("holds the axis of a metric picked during the run from when it is shown", () => {
    let p = payload(spread, true);
    let s = initialState(p);
    s = applyControl(s, { type: "metric", metric: "lr" }, p);
    expect(isLogY(s, p)).toBe(false); // a flat lr: linear, not held
    s = applyControl(s, { type: "metric", metric: "lr_projected" }, p);
    p = payload(negative, true);
    s = reconcile(s, p);
    expect(isLogY(s, p)).toBe(true);
  });

  it("leaves a static plot to the rule", () => {
    const p = payload(negative, false);
    const s = initialState(p);
    expect(s.liveLog).toEqual({});
    expect(isLogY(s, p)).toBe(false);
    expect(logAxisNote(p, s, s.band)).toBe("1 point ≤ 0 not shown on a log axis");
  });
});
