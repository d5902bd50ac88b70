// @vitest-environment jsdom
/**
 * A teacher's pass on `%%lr_trace --per-param`: the plot opened on the group lines, its parameter
 * selector on "none (group lines)", beside a note "4 of 4, by mean update ratio ‖Δ‖/‖θ‖, weights
 * (2 or more dims) first" that said neither what a parameter's lines are nor how to see them; the
 * static picture drew them last, under the loss. A user who asked for per-parameter lines now sees
 * them first: the extension opens on the first parameter of the list (the kernel's ranking) beside
 * its group's line, with a note in plain words; the static picture's per-parameter panel comes
 * first. The run is README's Adam model traced with per_param (test/plot/u1_adam_run.ts).
 */
import { describe, expect, it, vi } from "vitest";
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Controls } from "../../extension/src/controls";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applySavedView, readSavedView, savedViewOf, withSavedView } from "../../extension/src/saved_view";
import { applyControl, initialState, reconcile } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { figure } from "../../kernel/src/plot/bundle";
import { panelsFor } from "../../kernel/src/plot/figure";
import { adamPerParamRun } from "../plot/u1_adam_run";

const light = themeFrom(() => "", true);
const run = adamPerParamRun(4);
const raw = figure(run, {}).payload;
const payload = validatePayload(JSON.parse(JSON.stringify(raw))) as PlotPayload;
const live = validatePayload(JSON.parse(JSON.stringify(figure(run, { live: true }).payload))) as PlotPayload;
const first = payload.param_info ? [...new Set(payload.series.filter((s) => s.param).map((s) => s.param))][0]! : "";

const drawn = (p: PlotPayload, s: ReturnType<typeof initialState>) => {
  const f = buildFigureWithRoles(p, s, light);
  return f.data.filter((_, i) => f.roles[i] === "line").map((t) => t.name);
};
const note = (c: Controls) => c.node.querySelector('[data-control="param-note"]')!.textContent;

describe("a --per-param plot opens on per-parameter lines", () => {
  it("the extension draws the first parameter's own line beside its group's, and the selector shows it", () => {
    expect(first).toBe("2.weight");
    const s = initialState(payload);
    expect(s.param).toBe(first);
    expect(drawn(payload, s)).toEqual(["adam", `adam · ${first}`]);
    const c = new Controls(document, () => {});
    c.update(payload, s);
    expect(c.node.querySelector<HTMLSelectElement>('[data-control="param"]')!.value).toBe(first);
  });

  it("its hint says in plain words what the lines are and what choosing does", () => {
    const c = new Controls(document, () => {});
    c.update(payload, initialState(payload));
    const label = c.node.querySelector('[data-control="param"]')!.parentElement!.textContent!;
    expect(label.startsWith("per-parameter lines ")).toBe(true);
    expect(note(c)).toBe("drawn beside its group's line (4 of 4 tensors)");
    // their order, in the tooltip: in the toolbar it took three lines (test/extension/userpass16b_chromium)
    expect(c.node.querySelector<HTMLElement>('[data-control="param-note"]')!.title).toBe("listed by mean update ratio ‖Δ‖/‖θ‖, weights (2 or more dims) first");
    const none = applyControl(initialState(payload), { type: "param", param: null }, payload);
    c.update(payload, none);
    expect(note(c)).toBe("choose one to draw its own lines beside its group's (4 of 4 tensors)");
    expect(c.node.querySelector<HTMLSelectElement>('[data-control="param"]')!.selectedOptions[0].textContent).toBe("none (group lines only)");
  });

  it("a choice holds: none stays none over live updates and in the saved view", () => {
    const none = applyControl(initialState(live), { type: "param", param: null }, live);
    expect(reconcile(none, live).param).toBeNull();
    expect(reconcile(none, payload).param).toBeNull();
    const saved = readSavedView(withSavedView({}, "m", savedViewOf(none)), "m")!;
    expect(applySavedView(initialState(payload), saved, payload).param).toBeNull();
    // no choice saved: the first parameter, as a new plot opens
    expect(applySavedView(initialState(payload), {}, payload).param).toBe(first);
    // a live run's first update without per-parameter lines: the first to come is shown then
    const bare = { ...live, series: live.series.filter((t) => !t.param) };
    expect(reconcile(initialState(bare), live).param).toBe(first);
  });

  it("the static picture's per-parameter panel comes first, its note in plain words", () => {
    const panels = panelsFor(raw);
    expect(panels[0].params).toEqual(["2.weight", "0.weight", "0.bias", "2.bias"]);
    expect(panels[0].note).toBe("4 of 4 parameters, by mean update ratio ‖Δ‖/‖θ‖, weights (2 or more dims) first: one line per parameter tensor (its group's lines: the panels below)");
  });
});
