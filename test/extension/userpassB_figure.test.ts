/**
 * The plot findings of a teacher's pass ("what your learning rate really does", userpassB), in
 * the extension's figure and state (pure: no browser; userpassB_chromium.test.ts draws them):
 * - F1: a metric a trace recorded and a plot was asked for is in the menu and shown;
 * - F2: SGD momentum's steady-state rate γ(1−τ)/(1−μ) is a dashed, named reference line on the
 *   projected-lr view, in its run's colour and legend group;
 * - F3: a min–max band of steps reaching <= 0 opens on a linear axis; on a log axis chosen anyway
 *   the note says where the band is cut;
 * - F6: schedule previews open on a linear axis unless they span more than two decades over most
 *   of their steps (the static panels' rule); tick labels write U+2212;
 * - F7: hovers name the axes ("step 12 · loss 2.054 · b128") and keep whole names;
 * - F9: suggestion labels do not overlap, and the legend says they come from the smoothed loss;
 * - F10: a line of steps ends on a segment one step wide; F11: the step boxes show whole steps.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { preview, trace, type Trace } from "../../kernel/src/trace/index";
import { bucketsOf, bundle, make_figure, panelsFor, PLOT_MIME, type PlotPayload as KernelPayload } from "../../kernel/src/plot/index";
import { buildFigureWithRoles, labelPositions, logAxisNote, stepTail, tickLabel } from "../../extension/src/figure";
import { type PlotPayload, validatePayload } from "../../extension/src/payload";
import { applyControl, initialState, isLogY, rangeText, wideSchedule } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { trainLogged } from "../plot/saved";

const light = themeFrom(() => "", true);
const ext = (p: unknown): PlotPayload => validatePayload(JSON.parse(JSON.stringify(p)));

function run(name: string, make: (params: torch.nn.Parameter[]) => torch.optim.Optimizer, steps = 30): Trace {
  torch.manual_seed(0);
  const X = torch.randn(16, 4);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(4, 1);
  const o = make(m.parameters());
  return trainLogged(m, o, trace(o, { batch_size: 16, name }), X, Y, steps);
}
const mom = () => run("mom", (p) => new torch.optim.SGD(p, { lr: 0.05, momentum: 0.9 }));
const sgd = () => run("sgd", (p) => new torch.optim.SGD(p, { lr: 0.05 }));

describe("F1: recorded metrics in the menu", () => {
  it("a comparison asked for angular_update opens on it, its lines drawn", () => {
    const p = ext(bundle({ sgd: sgd(), mom: mom() }, { default_metric: "angular_update", svg: false })[PLOT_MIME]);
    const s = initialState(p);
    expect(s.metric).toBe("angular_update");
    const f = buildFigureWithRoles(p, s, light);
    expect(f.roles.filter((r) => r === "line")).toHaveLength(2);
  });
});

describe("F2: the steady-state reference line", () => {
  const p = ext(mom().bundle({ svg: false })[PLOT_MIME]);

  it("is drawn dashed and named on the projected-lr view, at γ/(1−μ) = 0.5", () => {
    const s = initialState(p);
    expect(s.metric).toBe("lr_projected");
    const f = buildFigureWithRoles(p, s, light);
    const i = f.roles.indexOf("reference");
    expect(i).toBeGreaterThan(-1);
    const t = f.data[i];
    expect((t.line as any).dash).toBe("dash");
    expect(t.name).toMatch(/steady-state lr γ\(1−τ\)\/\(1−μ\)$/);
    expect(t.y.every((v) => v === 0.5)).toBe(true);
    // its run's colour and legend group: the legend entry of the run hides both
    const line = f.data[f.roles.indexOf("line")];
    expect(t.legendgroup).toBe(line.legendgroup);
    expect((t.line as any).color).toBe((line.line as any).color);
    // the y range holds it (the measured rate stays far below)
    const range = (f.layout.yaxis as any).range as [number, number] | undefined;
    if (range) expect(range[1]).toBeGreaterThanOrEqual(0.5);
  });

  it("not on other views, nor for plain SGD; a line switched off takes it along", () => {
    const lr = applyControl(initialState(p), { type: "metric", metric: "lr" }, p);
    expect(buildFigureWithRoles(p, lr, light).roles).not.toContain("reference");
    const plain = ext(sgd().bundle({ svg: false })[PLOT_MIME]);
    expect(buildFigureWithRoles(plain, initialState(plain), light).roles).not.toContain("reference");
    const off = { ...initialState(p), hiddenGroups: [0] };
    expect(buildFigureWithRoles(p, off, light).roles).not.toContain("reference");
  });

  it("a payload naming a metric it lacks keeps the line, without the reference", () => {
    const raw = JSON.parse(JSON.stringify(p));
    raw.metrics = raw.metrics.filter((m: any) => m.key !== "lr_projected");
    raw.series = raw.series.filter((t: any) => t.metric !== "lr_projected");
    raw.default_metric = "lr";
    const q = validatePayload(raw);
    expect(q.series.find((t) => t.metric === "lr_momentum_steady")!.reference_for).toBeUndefined();
  });
});

describe("F3: a band of steps that reaches <= 0", () => {
  const n = 40;
  const x = Array.from({ length: n }, (_, i) => i * 4);
  const payload = (metric: string, min: number) => ext({
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, live: false, markers: [], default_metric: metric,
    metrics: [{ key: metric, label: metric, log: true }],
    series: [{ name: "m", metric, group: 0, x, mean: x.map(() => 0.01), min: x.map((_, i) => (i % 2 ? min : 1.666e-9)), max: x.map(() => 0.05) }],
  });

  it("opens on a linear axis (the static panels' rule), log when every minimum is positive", () => {
    const p = payload("lr_projected", -0.07);
    expect(isLogY(initialState(p), p)).toBe(false);
    expect(panelsFor(p as unknown as KernelPayload)[0].log).toBe(false);
    const pos = payload("lr_projected", 0.004);
    expect(isLogY(initialState(pos), pos)).toBe(true);
  });

  it("on a log axis chosen anyway, the note says where the band is cut", () => {
    const p = payload("lr_projected", -0.07);
    const s = applyControl(initialState(p), { type: "log", on: true }, p);
    expect(logAxisNote(p, s, true)).toBe("band cut at the axis where its minimum is ≤ 0 (20 points)");
    const f = buildFigureWithRoles(p, s, light);
    expect((f.layout.annotations as any[])[0].text).toBe("band cut at the axis where its minimum is ≤ 0 (20 points)");
    expect(logAxisNote(p, s, false)).toBeNull();
    // an element-wise band opens on log, clipped, and says so
    const q = payload("lr_elementwise", -1);
    const qs = initialState(q);
    expect(isLogY(qs, q)).toBe(true);
    expect(logAxisNote(q, qs, true)).toBe("band cut at the axis where its q05 is ≤ 0 (20 points)");
  });
});

describe("F6: schedule previews", () => {
  const sched = torch.optim.lr_scheduler as any;
  const open = (pv: { bundle(o: object): Record<string, unknown> }) => {
    const p = ext(pv.bundle({ svg: false })[PLOT_MIME]);
    return { p, log: isLogY(initialState(p), p), panel: panelsFor(p as unknown as KernelPayload).find((q) => q.metrics.includes("lr"))!.log };
  };

  it("CosineAnnealingLR and OneCycleLR open linear, ExponentialLR log, in the extension as in the static panels", () => {
    const cases: [string, unknown, boolean][] = [
      ["cosine", preview((o: any) => new sched.CosineAnnealingLR(o, { T_max: 100 }), { steps: 100, lr: 0.1 }), false],
      ["onecycle", preview((o: any) => new sched.OneCycleLR(o, { max_lr: 0.1, total_steps: 100 }), { steps: 100 }), false],
      ["exponential", preview((o: any) => new sched.ExponentialLR(o, { gamma: 0.9 }), { steps: 100, lr: 0.1 }), true],
      ["steplr 0.1", preview((o: any) => new sched.StepLR(o, { step_size: 25, gamma: 0.1 }), { steps: 100, lr: 0.1 }), true],
      ["steplr 0.5", preview((o: any) => new sched.StepLR(o, { step_size: 25, gamma: 0.5 }), { steps: 100, lr: 0.1 }), false],
    ];
    for (const [name, pv, log] of cases) {
      const o = open(pv as any);
      expect(o.log, name).toBe(log);
      expect(o.panel, name).toBe(log);
    }
    expect(wideSchedule({ series: [] }, "lr")).toBe(false);
  });

  it("tick labels write one minus sign, U+2212", () => {
    expect([1e-4, -0.05, 2e-7].map(tickLabel)).toEqual(["1e−4", "−0.05", "2e−7"]);
  });
});

describe("F7: hovers name the axes", () => {
  it("step, metric and run: 'step 12 · loss 2.054 · b128'; whole names in the hover label", () => {
    const p = ext(bundle({ b128: sgd(), ReduceLROnPlateau_run_name: mom() }, { default_metric: "loss", svg: false })[PLOT_MIME]);
    const f = buildFigureWithRoles(p, initialState(p), light);
    const line = f.data[f.roles.indexOf("line")];
    expect(line.hovertemplate).toBe("%{meta[0]} %{customdata[0]} · %{meta[1]} %{customdata[1]} · %{fullData.name}<extra></extra>");
    expect(line.meta).toEqual(["step", "loss"]);
    expect((f.layout.hoverlabel as any).namelength).toBe(-1);
  });
});

describe("F9: range-test suggestion labels", () => {
  it("three stars a few pixels apart get labels that do not overlap (the model labelPositions places them by)", () => {
    const lrs = Array.from({ length: 100 }, (_, i) => 1e-4 * 10 ** (5 * i / 99));
    const x = (lr: number) => Math.log10(lr / 1e-4) / 5;
    const fx = [x(0.04751), x(0.07565), x(0.08697)];
    const fy = [0.14, 0.12, 0.12];
    const texts = ["steepest", "valley", "minimum/10"];
    const pos = labelPositions(fx, fy, texts);
    const box = (i: number) => {
      const w = 6.5 * texts[i].length, cx = fx[i] * 900, cy = (1 - fy[i]) * 290;
      const [v, h] = pos[i].split(" ");
      const x0 = h === "center" ? cx - w / 2 : h === "right" ? cx + 8 : cx - 8 - w;
      const y0 = v === "top" ? cy - 23 : v === "bottom" ? cy + 9 : cy - 7;
      return [x0, y0, x0 + w, y0 + 14];
    };
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const [a, b] = [box(i), box(j)];
        const overlap = Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);
        expect(overlap, `${texts[i]} ${pos[i]} / ${texts[j]} ${pos[j]}`).toBe(false);
      }
    }
    expect(lrs).toHaveLength(100);
  });
});

describe("F10, F11: the last step, and the step boxes", () => {
  it("a schedule's line of steps ends on a segment one step wide, the hover skipping it", () => {
    const x = Array.from({ length: 15 }, (_, i) => i);
    const lr = x.map((i) => (i < 6 ? 0.1 : i < 10 ? 0.05 : i < 14 ? 0.025 : 0.0125));
    const p = ext(make_figure([{ name: "ReduceLROnPlateau", series: [{ metric: "lr", group: 0, buckets: bucketsOf(x, lr) }] }], { kind: "schedule", default_metric: "lr" }).payload);
    const f = buildFigureWithRoles(p, initialState(p), light);
    const tail = f.data[f.roles.indexOf("tail")];
    expect([tail.x, tail.y, tail.hoverinfo, tail.showlegend]).toEqual([[14, 15], [0.0125, 0.0125], "skip", false]);
    expect(stepTail({ metric: "loss", x, mean: lr })).toBeNull();
  });

  it("a drag-zoom's range shows whole steps: from rounded down, to up; learning rates keep their digits", () => {
    expect([rangeText(18.9358, 0, false), rangeText(37.9786, 1, false)]).toEqual(["18", "38"]);
    expect([rangeText(18, 0, false), rangeText(40.0000001, 1, false), rangeText(null, 0, false)]).toEqual(["18", "40", ""]);
    expect(rangeText(0.00123456789, 0, true)).toBe("0.00123457");
  });
});
