import { describe, expect, it } from "vitest";
import { buildFigure, visibleSeries } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState, lineKey, reconcile, type ViewState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

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

/**
 * A click on a legend entry goes through the state, so the toolbar's checkboxes show what the
 * legend shows (the chromium side: browser.test.ts, "stay in sync").
 */
describe("legend clicks (applyControl 'legend')", () => {
  /** A comparison: run "two" of groups 0 and 1, runs "one" and "three" of group 0; loss per run. */
  const p = validatePayload({
    version: 1, kind: "compare", title: "t", x_label: "step", x_log: false,
    metrics: [{ key: "lr_projected", label: "projected lr", log: true }, { key: "loss", label: "loss", log: false }],
    default_metric: "lr_projected",
    series: [
      ...[["two", 0], ["two", 1], ["one", 0], ["three", 0]].map(([name, group]) => ({ name, metric: "lr_projected", group, x: [1], mean: [0.1] })),
      ...["two", "one", "three"].map((name) => ({ name, metric: "loss", group: null, x: [1], mean: [1] })),
    ],
    markers: [], live: false,
  });
  const line = (name: string, group: number | null) => lineKey({ name, group } as PlotPayload["series"][number]);
  const click = (s: ViewState, name: string, group: number | null, isolate = false) => applyControl(s, { type: "legend", line: line(name, group), isolate }, p);
  const shown = (s: ViewState) => visibleSeries(p, s).map((t) => lineKey(t));
  const hidden = (s: ViewState) => ({ runs: s.hiddenRuns, groups: s.hiddenGroups, lines: s.hiddenLines });

  it("a run's only line switches the run off (its runs checkbox), and back on", () => {
    let s = click(initialState(p), "one", 0);
    expect(hidden(s)).toEqual({ runs: ["one"], groups: [], lines: [] });
    expect(shown(s)).toEqual([line("two", 0), line("two", 1), line("three", 0)]);
    s = click(s, "one", 0);
    expect(hidden(s)).toEqual({ runs: [], groups: [], lines: [] });
  });

  it("a group's only line switches the group off (its groups checkbox); a group shared by runs only that line", () => {
    let s = click(initialState(p), "two", 1);
    expect(hidden(s)).toEqual({ runs: [], groups: [1], lines: [] });
    s = click(s, "two", 0);
    expect(hidden(s)).toEqual({ runs: [], groups: [1], lines: [line("two", 0)] });
    expect(shown(s)).toEqual([line("one", 0), line("three", 0)]);
    // on the loss, each run is one line: its entry is the run
    s = applyControl(initialState(p), { type: "metric", metric: "loss" }, p);
    s = click(s, "two", null);
    expect(hidden(s)).toEqual({ runs: ["two"], groups: [], lines: [] });
  });

  it("a line switched off by a checkbox comes back from the legend, its checkbox with it", () => {
    let s = applyControl(initialState(p), { type: "run", name: "three", on: false }, p);
    s = click(s, "three", 0);
    expect(hidden(s)).toEqual({ runs: [], groups: [], lines: [] });
  });

  it("a double click shows that line alone, as runs and groups where it can; again, everything", () => {
    let s = applyControl(initialState(p), { type: "run", name: "one", on: false }, p);
    s = click(s, "one", 0, true);
    expect(shown(s)).toEqual([line("one", 0)]);
    expect(hidden(s)).toEqual({ runs: ["two", "three"], groups: [], lines: [] });
    s = click(s, "one", 0, true);
    expect(hidden(s)).toEqual({ runs: [], groups: [], lines: [] });
    s = click(s, "two", 1, true);
    expect(shown(s)).toEqual([line("two", 1)]);
    expect(hidden(s)).toEqual({ runs: ["one", "three"], groups: [0], lines: [] });
  });

  it("a line not in the view changes nothing", () => {
    const s = initialState(p);
    expect(click(s, "nobody", 0)).toBe(s);
  });
});

describe("a step range with an empty end, across live updates", () => {
  // A live run's payload grows: steps 0-5, then 0-9, then the final one (every step).
  const steps = (n: number, live: boolean) => validatePayload({
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false,
    metrics: [{ key: "lr", label: "lr", log: false }], default_metric: "lr",
    series: [{ name: "run", metric: "lr", group: 0, x: [...Array(n).keys()], mean: Array.from({ length: n }, (_, i) => 0.1 + i) }],
    markers: [], live,
  });
  const drawn = (p: PlotPayload, s: ViewState) => (buildFigure(p, s, light).layout.xaxis as any).range;

  it("an empty 'to' follows the data's last step, live and final; a typed 'from' stays", () => {
    const first = steps(6, true);
    let s = applyControl(initialState(first), { type: "range", range: [2, null] }, first);
    // The state keeps what was typed, not the data's end at that moment.
    expect(s.xrange).toEqual([2, null]);
    expect(drawn(first, s)).toEqual([2, 5]);
    const second = steps(10, true);
    s = reconcile(s, second);
    expect(drawn(second, s)).toEqual([2, 9]);
    const final = steps(160, false);
    s = reconcile(s, final);
    expect(drawn(final, s)).toEqual([2, 159]);
  });

  it("an empty 'from' follows the data's first step; a typed 'to' stays", () => {
    const first = steps(6, true);
    let s = applyControl(initialState(first), { type: "range", range: [null, 40] }, first);
    expect(s.xrange).toEqual([null, 40]);
    expect(drawn(first, s)).toEqual([0, 40]);
    s = reconcile(s, steps(160, false));
    expect(drawn(steps(160, false), s)).toEqual([0, 40]);
  });

  it("typed ends are sorted; ends that cannot make a range are refused", () => {
    const p = steps(6, true);
    const s = initialState(p);
    expect(applyControl(s, { type: "range", range: [30, 10] }, p).xrange).toEqual([10, 30]);
    expect(applyControl(s, { type: "range", range: [3, 3] }, p)).toBe(s);
    expect(applyControl(s, { type: "range", range: [Number.NaN, null] }, p)).toBe(s);
  });
});
