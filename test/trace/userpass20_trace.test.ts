/**
 * Session 20's user passes (userU findings 1, 3, 4; userV finding 3):
 * - `diverged_at` and the summary's "diverged at step k (lr x)" did not say which group: a
 *   non-finite loss gave group 0's lr where only group 1 blew up, a group gone non-finite was not
 *   named. Now `cause`, `group`, `groups`, `lrs` and `loss` say it, in the summary and the plot's
 *   divergence marker too, and to_json/from_json keep them (older JSON without them still loads);
 * - `latest_param(name)` after a step that gave that parameter no gradient returned its previous
 *   step's record, while `latest(group)` gives this step with null rates: now the same;
 * - `latest_param`/`series` of a parameter of the optimizer that had no gradient yet (frozen) said
 *   "no parameter named": now null/undefined, as `latest()`/`series()` before the first step;
 * - OneCycleLR (cycle_momentum) on an SGD built with momentum 0 set momentum 0.85..0.95 without a
 *   word in the summary, where lr_per_sample went negative: a summary line now says it.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, Trace, type Trace as TraceT } from "../../kernel/src/trace/index";
import { PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

const payloadOf = (b: Record<string, unknown>) => b[PLOT_MIME] as PlotPayload;

/**
 * userU's div case: w's quadratic stays finite, b's cubic (group 1, lr 0.05) sends the loss to
 * −∞ at step 7 and b to non-finite at step 8.
 */
function twoGroupRun(logLoss: boolean): TraceT {
  torch.manual_seed(0);
  const w = new torch.nn.Parameter(torch.randn([20])), b = new torch.nn.Parameter(torch.randn([5]));
  const opt = new torch.optim.SGD([{ params: [w] }, { params: [b], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
  const t = trace(opt, { name: "dv" });
  for (let i = 0; i < 12; i++) {
    opt.zero_grad();
    const l = w.pow(2).sum().add(b.pow(3).sum()).mul(1 + i);
    l.backward();
    if (logLoss) t.log_loss(l);
    opt.step();
  }
  t.stop();
  return t;
}

describe("diverged_at says whose divergence it was", () => {
  it("a non-finite loss: no group, every group's lr (lr: group 0's, as before)", () => {
    const t = twoGroupRun(true);
    expect(t.diverged_at).toEqual({ step: 7, lr: 0.1, cause: "loss", group: null, groups: [], lrs: [0.1, 0.05], loss: -Infinity });
    expect(t.summary().at(-1)).toBe("  diverged at step 7 (loss -Infinity; lr 0.1 in group 0, 0.05 in group 1)");
    const marker = payloadOf(t.bundle()).markers.find((m) => m.kind === "divergence");
    expect(marker?.label).toBe("diverged at step 7 (loss -Infinity; lr 0.1 in group 0, 0.05 in group 1)");
  });

  it("a group's non-finite step: that group and its lr", () => {
    const t = twoGroupRun(false);
    expect(t.diverged_at).toEqual({ step: 8, lr: 0.05, cause: "step", group: 1, groups: [1], lrs: [0.1, 0.05], loss: null });
    expect(t.summary().at(-1)).toBe("  diverged at step 8 (group 1: update or parameters not finite; lr 0.05)");
  });

  it("several groups non-finite at one step: each one named, with its lr", () => {
    const a = new torch.nn.Parameter(torch.ones([2])), b = new torch.nn.Parameter(torch.ones([2]));
    const opt = new torch.optim.SGD([{ params: [a] }, { params: [b], lr: 0.2 }], { lr: 0.1 });
    const t = trace(opt);
    a.grad = torch.tensor([Infinity, 0]);
    b.grad = torch.tensor([NaN, 1]);
    opt.step();
    t.stop();
    expect(t.diverged_at).toMatchObject({ step: 0, lr: 0.1, cause: "step", group: 0, groups: [0, 1], lrs: [0.1, 0.2] });
    expect(t.summary().at(-1)).toBe("  diverged at step 0 (groups 0, 1: update or parameters not finite; lr 0.1 in group 0, 0.2 in group 1)");
  });

  it("one group: the line as before", () => {
    const p = new torch.nn.Parameter(torch.ones([2]));
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const t = trace(opt);
    p.grad = torch.tensor([Infinity, 0]);
    opt.step();
    t.stop();
    expect(t.diverged_at).toMatchObject({ step: 0, lr: 0.1, cause: "step", group: 0 });
    expect(t.summary().at(-1)).toBe("  diverged at step 0 (lr 0.1)");
  });

  it("to_json/from_json keep it (a JSON string's null loss reads 'not finite'); older JSON without the fields loads", () => {
    const t = twoGroupRun(true);
    const j = t.to_json();
    expect(Trace.from_json(j).diverged_at).toEqual(t.diverged_at);
    const viaText = Trace.from_json(JSON.parse(JSON.stringify(j)));
    expect(viaText.summary().at(-1)).toBe("  diverged at step 7 (loss not finite; lr 0.1 in group 0, 0.05 in group 1)");
    const old = Trace.from_json({ ...j, diverged_at: { step: 7, lr: 0.1 } });
    expect(old.diverged_at).toEqual({ step: 7, lr: 0.1 });
    expect(old.summary().at(-1)).toBe("  diverged at step 7 (lr 0.1)");
    // the JSON is a copy: the trace does not change it afterwards
    expect(j.diverged_at).not.toBe(t.diverged_at);
  });
});

/** a always has a gradient, `sometimes` on even steps only, `frozen` never (requires_grad false). */
function perParamRun(steps: number): { t: TraceT; seen: { step: number; lr_projected: number | null }[] } {
  torch.manual_seed(0);
  const a = new torch.nn.Parameter(torch.randn([4])), s = new torch.nn.Parameter(torch.randn([3])), f = new torch.nn.Parameter(torch.randn([2]));
  f.requires_grad_(false);
  const opt = new torch.optim.SGD([{ params: [a, s] }, { params: [f] }], { lr: 0.1 });
  const t = trace(opt, { per_param: true, named_parameters: [["a", a], ["sometimes", s], ["frozen", f]] });
  const seen: { step: number; lr_projected: number | null }[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    let l = a.pow(2).sum();
    if (i % 2 === 0) l = l.add(s.pow(2).sum());
    l.backward();
    opt.step();
    const m = t.latest_param("sometimes")!;
    seen.push({ step: m.step, lr_projected: m.lr_projected });
  }
  return { t, seen };
}

describe("latest_param of a parameter without a gradient", () => {
  it("at this step: this step with null rates, as latest(group); its series has a null there", () => {
    const { t, seen } = perParamRun(4);
    expect(seen.map((x) => x.step)).toEqual([0, 1, 2, 3]);
    expect(seen.map((x) => x.lr_projected === null)).toEqual([false, true, false, true]);
    const m = t.latest_param("sometimes")!;
    expect(m).toMatchObject({ step: 3, group: 0, param: "sometimes", lr: 0.1, lr_realized: null, update_ratio: null, grad_norm: null, lr_elementwise: null });
    expect(t.latest_param("a")!.step).toBe(3);
    const c = t.series("lr_projected", 0, "sometimes")!.columns();
    expect(c.x).toEqual([0, 1, 2, 3]);
    expect(c.mean.map((v) => v === null)).toEqual([false, true, false, true]);
    // the same in a saved trace
    expect(Trace.from_json(t.to_json()).latest_param("sometimes")).toEqual(m);
    t.stop();
  });

  it("never yet (frozen): null and undefined, as before the first step; a misspelt name still errs, naming it", () => {
    const { t } = perParamRun(2);
    expect(t.latest_param("frozen")).toBeNull();
    expect(t.series("lr_projected", undefined, "frozen")).toBeUndefined();
    expect(t.series("lr_projected", 1, "frozen")).toBeUndefined();
    expect(() => t.series("lr_projected", 0, "frozen")).toThrow('trace.series: parameter "frozen" is in group 1, not group 0');
    expect(() => t.latest_param("frozn")).toThrow(
      'trace.latest_param: no parameter named "frozn" (did you mean frozen?); traced: a, sometimes; no gradient yet (nothing measured): frozen');
    t.stop();
  });

  it("before the optimizer's first step too", () => {
    const p = new torch.nn.Parameter(torch.ones([2]));
    const t = trace(new torch.optim.SGD([p], { lr: 0.1 }), { per_param: true, named_parameters: [["w", p]] });
    expect(t.latest_param("w")).toBeNull();
    expect(t.series("lr", undefined, "w")).toBeUndefined();
    t.stop();
  });
});

/** An SGD built with `momentum`, under OneCycleLR (cycle_momentum: PyTorch's default, or as given). */
function oneCycleRun(momentum: number, cycle_momentum = true): TraceT {
  torch.manual_seed(0);
  const w = new torch.nn.Parameter(torch.randn([20]));
  const opt = new torch.optim.SGD([w], { lr: 0.1, momentum });
  const s = new torch.optim.lr_scheduler.OneCycleLR(opt, { max_lr: 0.1, total_steps: 20, cycle_momentum });
  const t = trace(opt, { batch_size: 4 });
  for (let i = 0; i < 20; i++) {
    opt.zero_grad();
    const l = w.pow(2).sum();
    l.backward();
    opt.step();
    s.step();
  }
  t.stop();
  return t;
}

describe("momentum a cycling scheduler set on an optimizer built with momentum 0", () => {
  const LINE = "  momentum 0.85..0.95 set by a scheduler cycling momentum (OneCycleLR/CyclicLR cycle_momentum, on by default) on SGD built with momentum 0: "
    + "the rates include it (lr_projected, lr_per_sample can go negative); cycle_momentum: false keeps it 0";

  it("is said in the summary, and kept by to_json/from_json", () => {
    const t = oneCycleRun(0);
    expect(t.summary()).toContain(LINE);
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).summary()).toContain(LINE);
  });

  it("not for an SGD built with momentum, nor with cycle_momentum false", () => {
    expect(oneCycleRun(0.9).summary().some((l) => l.includes("cycling momentum"))).toBe(false);
    expect(oneCycleRun(0, false).summary().some((l) => l.includes("cycling momentum"))).toBe(false);
  });

  it("by each group's own momentum, not the optimizer's default", () => {
    // group 1 given momentum 0.9 under a default of 0, group 0 given 0 under a default of 0.9:
    // only group 0 got its momentum from the scheduler
    const run = (defaults: number, own: [number | undefined, number | undefined]) => {
      const a = new torch.nn.Parameter(torch.ones([3])), b = new torch.nn.Parameter(torch.ones([3]));
      const group = (p: unknown, m: number | undefined) => (m === undefined ? { params: [p] } : { params: [p], momentum: m });
      const opt = new torch.optim.SGD([group(a, own[0]), group(b, own[1])] as never, { lr: 0.1, momentum: defaults });
      const s = new torch.optim.lr_scheduler.OneCycleLR(opt, { max_lr: 0.1, total_steps: 10 });
      const t = trace(opt);
      for (let i = 0; i < 4; i++) {
        a.grad = torch.ones([3]);
        b.grad = torch.ones([3]);
        opt.step();
        s.step();
      }
      t.stop();
      return t.summary().find((l) => l.includes("cycling momentum")) ?? null;
    };
    expect(run(0, [undefined, 0.9])).toMatch(/^ {2}momentum [\d.]+\.\.0\.95 \(group 0\) set by a scheduler cycling momentum/);
    expect(run(0.9, [0, undefined])).toMatch(/^ {2}momentum [\d.]+\.\.0\.95 \(group 0\) set by a scheduler cycling momentum/);
    expect(run(0.9, [undefined, undefined])).toBe(null);
  });

  it("CyclicLR on RMSprop: per group when the groups differ", () => {
    const a = new torch.nn.Parameter(torch.ones([3])), b = new torch.nn.Parameter(torch.ones([3]));
    const opt = new torch.optim.RMSprop([{ params: [a] }, { params: [b] }], { lr: 0.01 });
    const s = new torch.optim.lr_scheduler.CyclicLR(opt, { base_lr: 0.001, max_lr: 0.01, step_size_up: 2, base_momentum: [0.8, 0.5], max_momentum: 0.9 });
    const t = trace(opt);
    for (let i = 0; i < 4; i++) {
      a.grad = torch.ones([3]);
      b.grad = torch.ones([3]);
      opt.step();
      s.step();
    }
    t.stop();
    expect(t.summary().find((l) => l.includes("cycling momentum"))).toMatch(/^ {2}momentum 0\.8\.\.0\.9 \(group 0\), 0\.5\.\.0\.9 \(group 1\) set by a scheduler cycling momentum .* on RMSprop built with momentum 0: /);
  });
});
