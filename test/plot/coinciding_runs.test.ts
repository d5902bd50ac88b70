/**
 * Two runs of a comparison whose lines are equal at every point draw one line over the other, and
 * the legend named a run the plot seemed not to show (session 21's list of what users met). The
 * payload now carries a note on the views where runs coincide, naming them; the static picture
 * and the plotly figure show it with the panel.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, panelsFor, PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";
import { coincidenceNote } from "../../kernel/src/plot/notes";
import { trainLogged } from "./saved";

/** A 12-step traced run of Linear(3, 1) with optimizer `make`, same data and seed every time. */
function run(name: string, make: (ps: torch.Tensor[]) => torch.optim.Optimizer) {
  torch.manual_seed(0);
  const m = new torch.nn.Linear(3, 1);
  const o = make(m.parameters());
  const X = torch.randn(8, 3), Y = torch.randn(8, 1);
  return trainLogged(m, o, trace(o as never, { name, batch_size: 8 }), X, Y, 12);
}

const noteOf = (b: Record<string, unknown>) => ((b[PLOT_MIME] as PlotPayload).notes ?? []).find((n) => n.text.includes("coincide"));

describe("coinciding runs in a comparison", () => {
  it("the same run twice: every view of the plot says which run hides which", () => {
    const a = run("a", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const b = run("b", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const out = bundle({ a, b });
    const note = noteOf(out)!;
    expect(note.text).toBe("b coincides with a: the same value at every point, so one line is drawn over the other");
    const payload = out[PLOT_MIME] as PlotPayload;
    for (const m of ["lr", "lr_projected", "loss"]) expect(note.metrics).toContain(m);
    // the static picture's panels carry it
    expect(panelsFor(payload).some((p) => (p.note ?? "").includes("b coincides with a"))).toBe(true);
    expect(out["image/svg+xml"] as string).toContain("b coincides with a");
  });

  it("runs that coincide in some metrics only: the note names those, and is shown on their views alone", () => {
    // plain SGD and SGD with momentum at the same lr: the configured lr is the same line, the
    // measured rates and the loss differ
    const a = run("plain", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const b = run("heavy", (ps) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9 }));
    const note = noteOf(bundle({ plain: a, heavy: b }))!;
    expect(note.text).toMatch(/^heavy coincides with plain: /);
    expect(note.metrics).toContain("lr");
    expect(note.metrics).not.toContain("lr_projected");
    expect(note.metrics).not.toContain("loss");
  });

  it("different runs: no note; three alike: named together", () => {
    const a = run("x", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const b = run("y", (ps) => new torch.optim.SGD(ps, { lr: 0.05 }));
    expect(noteOf(bundle({ x: a, y: b }))).toBeUndefined();
    const c = run("z", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const d = run("w", (ps) => new torch.optim.SGD(ps, { lr: 0.1 }));
    const n = noteOf(bundle({ x: a, y: b, z: c, w: d }))!;
    expect(n.text).toMatch(/^z, w coincide with x: /);
  });

  it("a single run, a preview's dashed line, per-parameter lines and lines of other lengths are not coincidences", () => {
    const line = (name: string, extra: object = {}) => ({ name, metric: "lr", group: 0, x: [0, 1, 2], mean: [0.1, 0.1, 0.05], ...extra });
    expect(coincidenceNote({ kind: "trace", series: [line("a"), line("a")] })).toBeNull();
    expect(coincidenceNote({ kind: "compare", series: [line("a"), line("pv (preview)", { preview: true })] })).toBeNull();
    expect(coincidenceNote({ kind: "compare", series: [line("a", { param: "w" }), line("b", { param: "w" })] })).toBeNull();
    expect(coincidenceNote({ kind: "compare", series: [line("a"), line("b", { x: [0, 1, 3] })] })).toBeNull();
    expect(coincidenceNote({ kind: "compare", series: [line("a"), line("b", { mean: [0.1, null, 0.05] })] })).toBeNull();
    // two groups: said per group
    const two = coincidenceNote({ kind: "compare", series: [line("a"), line("b"), line("a", { group: 1 }), line("b", { group: 1, mean: [1, 2, 3] })] });
    expect(two?.text).toMatch(/^group 0: b coincides with a: /);
  });
});
