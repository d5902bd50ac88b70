// @vitest-environment jsdom
/**
 * The parameter selector during a live per_param run. Each update of the plot ranks the
 * parameters afresh (largest mean update ratio so far first), and that ranking moves while the
 * run trains: the selector must not re-sort with it (the entry under the user's pointer moved),
 * but keep its order while the run is live, append newcomers, keep in place (unavailable) one
 * an update leaves out, and take the ranking again once the run has ended, on reset, or in a
 * plot opened anew. Payloads are the kernel's own (make_figure), validated as the extension
 * validates them.
 */
import { describe, expect, it, vi } from "vitest";
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Controls } from "../../extension/src/controls";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState, paramOrder, paramsOf, reconcile, type ViewState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { make_figure, type FigureSource } from "../../kernel/src/plot/figure";

const light = themeFrom(() => "", true);
const steps = (n: number, f: (t: number) => number) =>
  Array.from({ length: n }, (_, t) => ({ first_step: t, last_step: t, pushes: 1, count: 1, sum: f(t), mean: f(t), min: f(t), max: f(t), last: f(t) }));

/**
 * One update of a per_param run: the group's lines and those of `ranked` (the tracer's ranking
 * at that moment, largest mean update ratio first), `n` steps in.
 */
function update(ranked: string[], n: number, live = true): PlotPayload {
  const series: FigureSource["series"] = [];
  for (const metric of ["lr_projected", "update_ratio"]) series.push({ metric, group: 0, param: null, buckets: steps(n, (t) => 0.01 / (1 + t)) });
  ranked.forEach((name, k) => {
    for (const metric of ["lr_projected", "update_ratio"]) series.push({ metric, group: 0, param: name, buckets: steps(n, (t) => (ranked.length - k) * 1e-3 / (1 + t)) });
  });
  const src: FigureSource = { name: "deep", series, params: { names: ranked, criterion: "mean update ratio ‖Δ‖/‖θ‖" } };
  const p = make_figure([src], { kind: "trace", default_metric: "update_ratio", live }).payload;
  // a large model's plot carries part of the parameters: say so as the tracer does
  p.param_info = { total: 6, omitted: 6 - ranked.length, criterion: "mean update ratio ‖Δ‖/‖θ‖" };
  return validatePayload(JSON.parse(JSON.stringify(p)));
}

/** The selector as a user sees it: each entry's value and whether it can be chosen. */
function entries(c: Controls): string[] {
  const select = c.node.querySelector<HTMLSelectElement>('[data-control="param"]')!;
  return [...select.options].slice(1).map((o) => (o.disabled ? `(${o.value})` : o.value));
}

describe("the selector's order (state.ts paramOrder)", () => {
  it("holds while the run is live, appends newcomers, and re-ranks with the final payload", () => {
    const first = update(["a", "b", "c"], 4);
    let order = paramOrder(null, first);
    expect(order).toEqual(["a", "b", "c"]);
    // the ranking turns over: the list does not
    order = paramOrder(order, update(["c", "a", "b"], 8));
    expect(order).toEqual(["a", "b", "c"]);
    // a parameter comes in at the top of the ranking: appended, below the others
    order = paramOrder(order, update(["d", "c", "a", "b"], 12));
    expect(order).toEqual(["a", "b", "c", "d"]);
    // one is left out of an update: it keeps its place
    order = paramOrder(order, update(["d", "c", "a"], 16));
    expect(order).toEqual(["a", "b", "c", "d"]);
    // the run has ended: the final ranking, once
    order = paramOrder(order, update(["d", "c", "a", "b"], 20, false));
    expect(order).toEqual(["d", "c", "a", "b"]);
  });

  it("a plot opened on a live run starts from the ranking it is given", () => {
    expect(paramOrder(null, update(["c", "a", "b"], 8))).toEqual(["c", "a", "b"]);
    expect(initialState(update(["c", "a", "b"], 8)).params).toEqual(["c", "a", "b"]);
  });
});

describe("the selector in a live run (Controls, state and figure together)", () => {
  /** The renderer's path for each payload: reconcile the state, update the toolbar. */
  function run(payloads: PlotPayload[]): { c: Controls; seen: string[][] } {
    const c = new Controls(document, () => {});
    let s: ViewState | null = null;
    const seen: string[][] = [];
    for (const p of payloads) {
      s = s ? reconcile(s, p) : initialState(p);
      c.update(p, s);
      seen.push(entries(c));
    }
    return { c, seen };
  }

  it("keeps each entry where it is, the same option element, while the ranking changes", () => {
    const c = new Controls(document, () => {});
    const p0 = update(["a", "b", "c"], 4);
    let s = initialState(p0);
    c.update(p0, s);
    const select = c.node.querySelector<HTMLSelectElement>('[data-control="param"]')!;
    const under = select.options[2]; // "b", say, under the pointer
    expect(under.value).toBe("b");
    for (const [ranked, n] of [[["c", "a", "b"], 8], [["b", "c", "a"], 12], [["c", "b", "a"], 16]] as const) {
      const p = update([...ranked], n);
      s = reconcile(s, p);
      c.update(p, s);
      expect(entries(c)).toEqual(["a", "b", "c"]);
      expect(select.options[2]).toBe(under);
    }
    // the note says the order is held, and what it will be
    const note = c.node.querySelector<HTMLElement>('[data-control="param-note"]')!;
    expect(note.textContent).toBe("drawn beside its group's line (3 of 6 tensors); 3 more: trace.bundle({ params: [name] })");
    expect(note.title).toBe("listed as they came while the run is live (by mean update ratio ‖Δ‖/‖θ‖ once it ends)");
  });

  it("appends a newcomer, keeps one left out in place but unavailable, re-ranks at the end", () => {
    const { seen, c } = run([
      update(["a", "b", "c"], 4),
      update(["d", "a", "b", "c"], 8),
      update(["d", "a", "c"], 12),
      update(["d", "b", "a", "c"], 16),
      update(["d", "b", "a", "c"], 20, false),
    ]);
    expect(seen).toEqual([
      ["a", "b", "c"],
      ["a", "b", "c", "d"],
      ["a", "(b)", "c", "d"],
      ["a", "b", "c", "d"],
      ["d", "b", "a", "c"],
    ]);
    expect(c.node.querySelector('[data-control="param-note"]')!.textContent).toBe("drawn beside its group's line (4 of 6 tensors); 2 more: trace.bundle({ params: [name] })");
    expect(c.node.querySelector<HTMLElement>('[data-control="param-note"]')!.title).toBe("listed by mean update ratio ‖Δ‖/‖θ‖");
  });

  it("a chosen parameter an update leaves out stays chosen, said on the plot, and is drawn again when it comes back", () => {
    const p0 = update(["a", "b", "c"], 4);
    let s = applyControl(initialState(p0), { type: "param", param: "b" }, p0);
    const without = update(["a", "c"], 8);
    s = reconcile(s, without);
    expect(s.param).toBe("b");
    const f = buildFigureWithRoles(without, s, light);
    expect(f.data.filter((_, i) => f.roles[i] === "line").map((t) => t.name)).toEqual(["deep"]);
    expect((f.layout.annotations as any[]).map((a) => a.text)).toEqual(["b: not in this live update (it carries 2 of 6 parameters)"]);
    const back = update(["b", "a", "c"], 12);
    s = reconcile(s, back);
    const g = buildFigureWithRoles(back, s, light);
    expect(g.data.filter((_, i) => g.roles[i] === "line").map((t) => t.name)).toEqual(["deep", "deep · b"]);
    // the run ends without it: nothing left to choose
    s = reconcile(s, update(["a", "c"], 16, false));
    expect(s.param).toBeNull();
    expect(paramsOf(update(["a", "c"], 16, false))).toEqual(s.params);
  });

  it("reset takes the payload's ranking again", () => {
    let s = initialState(update(["a", "b", "c"], 4));
    const p = update(["c", "a", "b"], 8);
    s = reconcile(s, p);
    expect(s.params).toEqual(["a", "b", "c"]);
    expect(applyControl(s, { type: "reset" }, p).params).toEqual(["c", "a", "b"]);
  });
});
