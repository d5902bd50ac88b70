import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, AdamW, Adamax, RMSprop, Adagrad, Rprop, LBFGS } from "../../kernel/src/optim/index";
import { Optimizer } from "../../kernel/src/optim/optimizer";
import { StepLR } from "../../kernel/src/optim/lr_scheduler/index";
import { trace, trace_all, Trace, METRIC_NAMES } from "../../kernel/src/trace/index";
import { PLOT_MIME, SVG_MIME, TEXT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("trace: results of EFFECTIVE_LR.md", () => {
  it("plain SGD: lr_projected = lr_realized = γ and every ρ = γ", () => {
    const p = param([1, -2, 3, 0.5]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    for (let i = 0; i < 3; i++) {
      p.grad = grad([0.3, -1.2, 2.5, 1e-3]);
      opt.step();
    }
    const m = t.latest()!;
    expect(m.step).toBe(2);
    expect(m.lr).toBe(0.1);
    expect(rel(m.lr_projected!, 0.1)).toBeLessThan(1e-12);
    expect(rel(m.lr_realized!, 0.1)).toBeLessThan(1e-12);
    for (const k of ["min", "q05", "q25", "q50", "q75", "q95", "max"] as const) {
      expect(rel(m.lr_elementwise![k], 0.1)).toBeLessThan(1e-9);
      // SGD's own factor is γ for every element (PyTorch SGD docs)
      expect(m.lr_preconditioned![k]).toBe(0.1);
    }
    expect(m.lr_momentum_steady).toBe(0.1);
    expect(t.errors).toEqual([]);
  });

  it("step(closure): g_t is the gradient the closure's first call computes, from the first step on", () => {
    // f(θ) = ½‖θ − c‖²: ∇f = θ − c, changing every step. Plain SGD: Δ = −γ∇f(θ_t), so
    // lr_projected = γ exactly, if and only if g_t is ∇f(θ_t) (the pre-hook sees the last step's
    // gradient, or none at the first step).
    const c = [0.5, -1, 2];
    const p = param([3, 1, -1]);
    const closure = () => {
      p.grad = new Tensor(Float64Array.from(c.map((ci, i) => p.data[i] - ci)), [3], "float64");
      return 0;
    };
    for (const global of [false, true]) { // trace(optimizer), and %%lr_trace's trace_all
      const opt = new SGD([p], { lr: 0.1 });
      const t = global ? null : trace(opt);
      const all = global ? trace_all({ name: "all" }) : null;
      for (let i = 0; i < 4; i++) opt.step(closure);
      all?.stop();
      const tr = t ?? all!.single();
      expect(tr.steps).toBe(4);
      expect(tr.errors).toEqual([]);
      // every step recorded (one bucket per step here), each with lr_projected = γ
      const s = tr.to_json().groups[0].lr_projected;
      expect(s.count.reduce((a, b) => a + b, 0)).toBe(4);
      for (const v of [...s.min, ...s.max]) expect(rel(v!, 0.1)).toBeLessThan(1e-12);
    }
    // LBFGS calls the closure again during its step: only the first call is g_t; the first step is measured
    const q = param([3, 1, -1]);
    const lbfgs = new LBFGS([q], { lr: 1, max_iter: 5 });
    const t2 = trace(lbfgs);
    const closure2 = () => {
      q.grad = new Tensor(Float64Array.from(c.map((ci, i) => q.data[i] - ci)), [3], "float64");
      return 0.5 * c.reduce((s, ci, i) => s + (q.data[i] - ci) ** 2, 0);
    };
    lbfgs.step(closure2);
    const m = t2.latest()!;
    expect(t2.errors).toEqual([]);
    // first iteration: d = −g (lr 1, no line search; first step scaled by min(1, 1/‖g‖₁)), then
    // quasi-Newton steps: on a quadratic with H = I, θ lands on c: Δ = c − θ_0 = −g_0, so lr_projected = 1
    expect(rel(m.lr_projected!, 1)).toBeLessThan(1e-9);
  });

  it("a step given a closure it never calls is not measured, and says so", () => {
    class Lazy extends Optimizer {
      constructor(ps: Tensor[]) { super(ps, { lr: 0.1 }); }
      step(_closure?: () => number): undefined {
        for (const p of this.param_groups[0].params as Tensor[]) p.data[0] -= 0.1;
        return undefined;
      }
    }
    const p = param([1, 2]);
    const opt = new Lazy([p]);
    const t = trace(opt);
    p.grad = grad([1, 1]);
    opt.step(() => 0);
    expect(t.steps).toBe(1);
    expect(t.latest()).toBeNull();
    expect(t.errors.map((e) => e.message)).toEqual(["trace: step 0 was given a closure that it never called: no gradient at θ_t, step not measured"]);
    // the next step without a closure is measured as usual
    opt.step();
    expect(t.latest()?.step).toBe(1);
  });

  it("SGD with momentum μ and dampening τ under a constant gradient: lr_projected → γ(1−τ)/(1−μ)", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.01, momentum: 0.9, dampening: 0.5 });
    const t = trace(opt);
    for (let i = 0; i < 400; i++) {
      p.grad = grad([0.5, -0.25]);
      opt.step();
    }
    // 0.01 · (1 − 0.5) / (1 − 0.9) = 0.05
    const m = t.latest()!;
    expect(rel(m.lr_projected!, 0.05)).toBeLessThan(1e-9);
    expect(rel(m.lr_momentum_steady!, 0.05)).toBeLessThan(1e-12);
    expect(m.momentum).toBe(0.9);
  });

  it("Adam, first step, ε small: |Δ_k| ≈ γ, so ρ_k ≈ γ/|g_k|", () => {
    const g = [0.5, -2, 4, 1e-2];
    const p = param([0, 0, 0, 0]);
    const opt = new Adam([p], { lr: 1e-3, eps: 1e-12 });
    const t = trace(opt);
    p.grad = grad(g);
    opt.step();
    for (let k = 0; k < 4; k++) expect(rel(Math.abs(p.data[k]), 1e-3)).toBeLessThan(1e-8);
    const rho = g.map((x) => 1e-3 / Math.abs(x)).sort((a, b) => a - b);
    const m = t.latest()!;
    expect(rel(m.lr_elementwise!.min, rho[0])).toBeLessThan(1e-8);
    expect(rel(m.lr_elementwise!.max, rho[3])).toBeLessThan(1e-8);
    // q50 of 4 values: halfway between the 2nd and 3rd (linear interpolation)
    expect(rel(m.lr_elementwise!.q50, (rho[1] + rho[2]) / 2)).toBeLessThan(1e-8);
  });

  it("mean reduction over B identical samples: lr_per_sample = γ/B; doubling B and γ keeps it", () => {
    const per = (B: number, lr: number) => {
      const p = param([1, 1]);
      const opt = new SGD([p], { lr });
      const t = trace(opt, { batch_size: B });
      // B identical samples with gradient s each, mean reduction: g = (1/B)·Σ s = s
      const s = [0.2, -0.4];
      p.grad = grad(s.map((x) => (x * B) / B));
      opt.step();
      return t.latest()!.lr_per_sample!;
    };
    expect(rel(per(32, 0.1), 0.1 / 32)).toBeLessThan(1e-12);
    expect(rel(per(64, 0.2), per(32, 0.1))).toBeLessThan(1e-12);
    // sum reduction: each sample's rate is γ
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.3 });
    const t = trace(opt, { batch_size: 8, reduction: "sum" });
    p.grad = grad([1]);
    opt.step();
    expect(rel(t.latest()!.lr_per_sample!, 0.3)).toBeLessThan(1e-12);
  });

  it("StepLR(step_size=5, gamma=0.5) from 0.1: the rate in force is 0.1, 0.05, 0.025 by epoch", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    const sched = new StepLR(opt, { step_size: 5, gamma: 0.5 });
    const t = trace(opt);
    const inForce: number[] = [];
    const lastLr: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      p.grad = grad([1]);
      opt.step();
      inForce.push(t.latest()!.lr_projected!);
      sched.step();
      lastLr.push(sched.get_last_lr()[0]);
    }
    const expected = [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025];
    inForce.forEach((v, i) => expect(rel(v, expected[i])).toBeLessThan(1e-12));
    expect(lastLr.slice(0, 10)).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025]);
  });
});

describe("trace: lr_preconditioned of each optimizer against a hand computation", () => {
  const g1 = [0.5, -1, 2];
  const g2 = [1, 0.25, -3];
  /** Two steps with g1 then g2; returns the trace's lr_preconditioned (3 elements: min, q50, max exact). */
  function run(opt: { step(): unknown }, p: Tensor) {
    const t = trace(opt as never);
    p.grad = grad(g1);
    opt.step();
    p.grad = grad(g2);
    opt.step();
    return t.latest()!.lr_preconditioned!;
  }
  const check = (q: { min: number; q50: number; max: number }, f: number[]) => {
    const s = [...f].sort((a, b) => a - b);
    expect(rel(q.min, s[0])).toBeLessThan(1e-12);
    expect(rel(q.q50, s[1])).toBeLessThan(1e-12);
    expect(rel(q.max, s[2])).toBeLessThan(1e-12);
  };

  it("Adam: (γ/(1−β1^t)) / (√v_t/√(1−β2^t) + ε)", () => {
    // t = 2: v_2 = β2(1−β2)g1² + (1−β2)g2²;  f = (γ/(1−β1²)) / (√v_2/√(1−β2²) + ε)
    const [lr, b1, b2, eps] = [0.01, 0.8, 0.9, 1e-3];
    const p = param([1, 1, 1]);
    const q = run(new Adam([p], { lr, betas: [b1, b2], eps }), p);
    check(q, g1.map((a, k) => {
      const v = b2 * (1 - b2) * a * a + (1 - b2) * g2[k] ** 2;
      return lr / (1 - b1 ** 2) / (Math.sqrt(v) / Math.sqrt(1 - b2 ** 2) + eps);
    }));
  });

  it("Adam amsgrad and AdamW: v_t replaced by its running max", () => {
    // v_1 = (1−β2)g1², v_2 as above; vmax = max(v_1, v_2)
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.5, 1e-8];
    const hand = g1.map((a, k) => {
      const v1 = (1 - b2) * a * a;
      const v2 = b2 * v1 + (1 - b2) * g2[k] ** 2;
      return lr / (1 - b1 ** 2) / (Math.sqrt(Math.max(v1, v2)) / Math.sqrt(1 - b2 ** 2) + eps);
    });
    const p = param([1, 1, 1]);
    check(run(new Adam([p], { lr, betas: [b1, b2], eps, amsgrad: true }), p), hand);
    const p2 = param([1, 1, 1]);
    check(run(new AdamW([p2], { lr, betas: [b1, b2], eps, amsgrad: true, weight_decay: 0.1 }), p2), hand);
  });

  it("Adamax: (γ/(1−β1^t)) / u_t with u_t = max(β2·u_{t−1}, |g_t| + ε)", () => {
    const [lr, b1, b2, eps] = [0.002, 0.9, 0.999, 1e-8];
    const p = param([1, 1, 1]);
    const q = run(new Adamax([p], { lr, betas: [b1, b2], eps }), p);
    check(q, g1.map((a, k) => {
      const u1 = Math.abs(a) + eps;
      const u2 = Math.max(b2 * u1, Math.abs(g2[k]) + eps);
      return lr / (1 - b1 ** 2) / u2;
    }));
  });

  it("RMSprop centered with momentum: γ/(√(v_t − ḡ_t²) + ε) · 1/(1−μ)", () => {
    const [lr, alpha, eps, mu] = [0.01, 0.9, 1e-8, 0.5];
    const p = param([1, 1, 1]);
    const q = run(new RMSprop([p], { lr, alpha, eps, momentum: mu, centered: true }), p);
    check(q, g1.map((a, k) => {
      const v = alpha * (1 - alpha) * a * a + (1 - alpha) * g2[k] ** 2;
      const gb = alpha * (1 - alpha) * a + (1 - alpha) * g2[k];
      return lr / (Math.sqrt(v - gb * gb) + eps) / (1 - mu);
    }));
  });

  it("Adagrad: γ/(1 + (t−1)·lr_decay) / (√sum_t + ε)", () => {
    const [lr, lr_decay, eps, init] = [0.1, 0.5, 1e-10, 0.2];
    const p = param([1, 1, 1]);
    const q = run(new Adagrad([p], { lr, lr_decay, eps, initial_accumulator_value: init }), p);
    check(q, g1.map((a, k) => lr / (1 + lr_decay) / (Math.sqrt(init + a * a + g2[k] ** 2) + eps)));
  });

  it("optimizers without a closed form (Rprop; NAdam's is in factor_more_optimizers.test.ts) report only the measured lr_elementwise", () => {
    const p = param([1, 1, 1]);
    const opt = new Rprop([p], { lr: 0.01 });
    const t = trace(opt);
    p.grad = grad(g1);
    opt.step();
    expect(t.latest()!.lr_preconditioned).toBeNull();
    expect(t.latest()!.lr_elementwise!.q50).toBeGreaterThan(0);
  });
});

describe("trace: behaviour", () => {
  it("divergence with a huge lr is recorded at the right step and nothing throws", () => {
    // f(θ) = θ², g = 2θ, γ = 1e150, θ0 = 1:
    //   step 0: loss 1, θ1 = 1 − 2e150 ≈ −2e150
    //   step 1: loss 4e300, θ2 = −2e150 + 4e300 ≈ 4e300
    //   step 2: loss 1.6e601 = Infinity → diverged_at = { step: 2, lr: 1e150 }
    const p = param([1]);
    const opt = new SGD([p], { lr: 1e150 });
    const t = trace(opt);
    for (let i = 0; i < 6; i++) {
      const th = p.data[0];
      t.log_loss(th * th);
      p.grad = grad([2 * th]);
      opt.step();
    }
    expect(t.diverged_at).toMatchObject({ step: 2, lr: 1e150 });
    expect(t.errors).toEqual([]);
    const b = t._repr_mimebundle_();
    const payload = b[PLOT_MIME] as PlotPayload;
    expect(payload.markers).toEqual([expect.objectContaining({ kind: "divergence", x: 2 })]);
    expect(b[TEXT_MIME]).toContain("diverged at step 2");
  });

  it("Adam over a diverged model (NaN parameters, NaN state) keeps stepping: NaN lr_preconditioned, no hang", () => {
    // Found in a notebook: after a run diverged, a traced Adam cell on the same model never
    // finished (the quantile selection looped on NaN factors). Here: one step with finite
    // gradients, then NaN gradients, so v_t (and the factor γ/(√v̂ + ε)) turns NaN partway.
    const p = param(Array.from({ length: 40 }, (_, i) => i / 40));
    const opt = new Adam([p], { lr: 1e-3 });
    const t = trace(opt, { per_param: true });
    for (let s = 0; s < 4; s++) {
      p.grad = grad(Array.from({ length: 40 }, (_, i) => (s === 0 || i % 3 ? 0.1 * (i + 1) : NaN)));
      if (s >= 2) p.grad = grad(new Array(40).fill(NaN));
      opt.step();
    }
    expect(t.steps).toBe(4);
    expect(t.errors).toEqual([]);
    // step 1: 27 of 40 factors finite, the rest NaN: quantiles of the finite ones
    // step 3: every factor NaN
    const q = t.latest()?.lr_preconditioned;
    expect(q && Object.values(q).every((v) => Number.isNaN(v))).toBe(true);
    expect(t.diverged_at?.step).toBe(1);
  });

  it("zero gradients give gaps, not NaN; an optimizer without gradients gives gaps", () => {
    const p = param([1, 2]);
    const q = param([3]);
    const opt = new SGD([p, q], { lr: 0.1 });
    const t = trace(opt);
    p.grad = grad([0, 0]);
    opt.step();
    let m = t.latest()!;
    expect(m.lr_projected).toBeNull();
    expect(m.lr_realized).toBeNull();
    expect(m.lr_elementwise).toBeNull();
    expect(m.grad_norm).toBe(0);
    opt.zero_grad();
    opt.step(); // no parameter has a gradient
    m = t.latest()!;
    expect(m.grad_norm).toBeNull();
    expect(m.lr_projected).toBeNull();
    p.grad = grad([1, 1]);
    opt.step();
    const s = t.series("lr_projected")!.columns();
    expect(s.mean).toEqual([null, null, expect.closeTo(0.1, 12)]);
    expect(JSON.stringify(t.to_json())).not.toContain("NaN");
  });

  it("unknown metric names and bad options are clear errors", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    expect(() => trace(opt, { metrics: ["lr", "lr_magic"] })).toThrow(`unknown metric "lr_magic"; valid names: ${METRIC_NAMES.join(", ")}`);
    // a misspelt name is named with the close one, as the magics and series() do
    expect(() => trace(opt, { metrics: ["lr_projectd", "grad_nrom"] }))
      .toThrow(`unknown metrics "lr_projectd" (did you mean lr_projected?), "grad_nrom" (did you mean grad_norm?); valid names: ${METRIC_NAMES.join(", ")}`);
    expect(() => trace(opt, { reduction: "max" as never })).toThrow(/reduction must be "mean" or "sum"/);
    expect(() => trace(opt, { batch_size: 0 })).toThrow(/batch_size must be a positive integer, got 0/);
    expect(() => trace(opt, { lr: 1 } as never)).toThrow(/unknown option "lr"; valid options: batch_size/);
    expect(() => trace({} as never)).toThrow(/expected a torch.optim optimizer/);
  });

  it("series(): an unknown metric, group or parameter is an error naming it and what there is (it returned undefined)", () => {
    const w = param([1, 2]);
    const b = param([0.5]);
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
    const t = trace(opt, { per_param: true, named_parameters: [["fc.weight", w], ["fc.bias", b]] });
    const names = "lr, lr_projected, lr_realized, lr_per_sample, update_ratio, angular_update, grad_norm, param_norm, lr_momentum_steady, "
      + "momentum, beta2, weight_decay, lr_elementwise.q05, lr_elementwise.q50, lr_elementwise.q95, "
      + "lr_preconditioned.q05, lr_preconditioned.q50, lr_preconditioned.q95, loss, val_loss, grad_norm_raw, clip_factor"; // (val_loss: s21 f1)
    // a valid name with no data yet (before the first step): undefined, as documented
    expect(t.series("lr_projected")).toBeUndefined();
    expect(() => t.series("lr_projectd", 0)).toThrow(new RangeError(`trace.series: unknown metric "lr_projectd" (did you mean lr_projected?); valid names: ${names}`));
    // a quantile metric's series are its levels
    expect(() => t.series("lr_elementwise")).toThrow(/^trace\.series: unknown metric "lr_elementwise" \(did you mean lr_elementwise\.q05 or lr_elementwise\.q50 or lr_elementwise\.q95\?\); valid names: lr, /);
    expect(() => t.series("nonsense")).toThrow(/^trace\.series: unknown metric "nonsense"; valid names: lr, /);
    // a level latest() has but the series do not keep: said so (it read "unknown metric")
    expect(() => t.series("lr_elementwise.q25")).toThrow(new RangeError("trace.series: lr_elementwise.q25 is not kept as a series: the series of "
      + "lr_elementwise are its q05, q50 and q95 (lr_elementwise.q05, .q50, .q95); latest() and latest_param() have every level "
      + "(min, q05, q25, q50, q75, q95, max) of the last step"));
    for (let i = 0; i < 2; i++) {
      w.grad = grad([1, -1]);
      b.grad = grad([2]);
      opt.step();
    }
    expect(t.series("lr_projected", 1)!.steps).toBe(2);
    expect(t.series("lr", 1, "fc.bias")!.steps).toBe(2);
    expect(t.series("lr", undefined, "fc.bias")!.steps).toBe(2);
    // a group that does not hold the parameter is an error naming the group that does
    expect(() => t.series("lr", 0, "fc.bias")).toThrow(new RangeError('trace.series: parameter "fc.bias" is in group 1, not group 0: series("lr", 1, "fc.bias") (or series("lr", undefined, "fc.bias"))'));
    expect(() => t.series("lr", 2)).toThrow(new RangeError("trace.series: group 2 out of range (the optimizer has 2 parameter groups)"));
    expect(() => t.series("lr", -1)).toThrow(new RangeError("trace.series: group must be a non-negative integer, got -1"));
    expect(() => t.series("lr", "0" as never)).toThrow(new RangeError('trace.series: group must be a non-negative integer, got "0"'));
    expect(() => t.series("lr", 0, "fc.wieght")).toThrow(new RangeError('trace.series: no parameter named "fc.wieght" (did you mean fc.weight?); traced: fc.weight, fc.bias'));
    const plain = trace(opt);
    expect(() => plain.series("lr", 0, "fc.weight")).toThrow("trace.series: this trace was made without per_param: true (param names a per-parameter series)");
    // a trace saved before any step, its optimizer gone: group 0 is still a group (no data: undefined)
    const empty = Trace.from_json(trace(new SGD([param([1])], { lr: 0.1 })).to_json());
    expect(empty.series("lr")).toBeUndefined();
    expect(empty.latest()).toBeNull();
    expect(empty.series("loss")!.length).toBe(0);
    t.stop();
    plain.stop();
  });

  it("per group and per named parameter; several tracers and optimizers at once; stop()", () => {
    const w = param([1, 2]);
    const b = param([0.5]);
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
    const t1 = trace(opt, { per_param: true, named_parameters: [["fc.weight", w], ["fc.bias", b]], name: "a" });
    const t2 = trace(opt, { metrics: ["lr_projected"] });
    const p = param([1]);
    const adam = new Adam([p], { lr: 0.001 });
    const t3 = trace(adam);
    for (let i = 0; i < 3; i++) {
      w.grad = grad([1, -1]);
      b.grad = grad([2]);
      p.grad = grad([3]);
      opt.step();
      adam.step();
    }
    expect(rel(t1.latest(0)!.lr_projected!, 0.1)).toBeLessThan(1e-12);
    expect(rel(t1.latest(1)!.lr_projected!, 0.01)).toBeLessThan(1e-12);
    expect(rel(t1.latest_param("fc.bias")!.lr_projected!, 0.01)).toBeLessThan(1e-12);
    expect(t1.param_names()).toEqual(["fc.weight", "fc.bias"]);
    expect(() => t1.latest_param("fc.bais")).toThrow(new RangeError('trace.latest_param: no parameter named "fc.bais" (did you mean fc.bias?); traced: fc.weight, fc.bias'));
    expect(() => t1.latest_param("conv")).toThrow(new RangeError('trace.latest_param: no parameter named "conv"; traced: fc.weight, fc.bias'));
    // names may also come from a function of the optimizer, called when the trace starts
    const seen: unknown[] = [];
    const opt4 = new SGD([{ params: [w] }, { params: [b] }], { lr: 0.1 });
    const t4 = trace(opt4, { per_param: true, named_parameters: (o) => { seen.push(o); return [["w", w]]; } });
    opt4.step();
    t4.stop();
    expect(seen).toEqual([opt4]);
    expect(t4.param_names()).toEqual(["w", "1.0"]); // b: the default group.index name
    // all default names (the optimizer got model.parameters()): the error says how to get the model's
    const opt5 = new SGD([w, b], { lr: 0.1 });
    const t5 = trace(opt5, { per_param: true });
    w.grad = grad([1, -1]);
    b.grad = grad([2]);
    opt5.step();
    expect(() => t5.latest_param("fc.weight")).toThrow(/traced: 0\.0, 0\.1\. These are default names \(group\.index\).*model\.named_parameters\(\)/);
    expect(() => t5.latest_param("0.7")).toThrow(/traced: 0\.0, 0\.1$/);
    // a metric left out of `metrics` is not recorded; the configured lr always is (userpass17_metrics_zero)
    expect(t2.series("grad_norm")).toBeUndefined();
    expect(t2.series("lr")!.steps).toBe(3);
    expect(t2.series("lr_projected")!.steps).toBe(3);
    expect(t3.steps).toBe(3);
    expect(() => t1.latest(2)).toThrow(/group 2 out of range \(the optimizer has 2 parameter groups\)/);
    t1.stop();
    w.grad = grad([1, -1]);
    opt.step();
    expect(t1.steps).toBe(3);
    expect(t2.steps).toBe(4);
    const payload = t1.bundle({ svg: false })[PLOT_MIME] as PlotPayload;
    // the group's lines, and each parameter's (for the extension's parameter selector)
    expect(new Set(payload.series.map((s) => s.param))).toEqual(new Set([undefined, "fc.weight", "fc.bias"]));
    expect(payload.param_info).toEqual({ total: 2, omitted: 0, criterion: "mean update ratio ‖Δ‖/‖θ‖" });
  });

  it("loss logged before or after step() belongs to that step; on_step listeners", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    const seen: number[] = [];
    const off = t.on_step((tr, ms) => seen.push(ms[0].step));
    t.log_loss(5); // before step 0
    p.grad = grad([1]);
    opt.step();
    expect(t.latest()!.loss).toBe(5);
    p.grad = grad([1]);
    opt.step();
    t.record({ loss: new Tensor(Float64Array.from([4]), [], "float64") }); // after step 1
    expect(t.latest()!.loss).toBe(4);
    off();
    opt.step();
    expect(seen).toEqual([0, 1]);
    expect(t.series("loss")!.columns().x).toEqual([0, 1]);
    expect(() => t.record({ los: 1 } as never)).toThrow(/unknown key "los"; valid keys: loss/);
  });

  it("to_json / from_json round trip", () => {
    const p = param([1, 2]);
    const opt = new Adam([p], { lr: 0.01 });
    const t = trace(opt, { name: "run", batch_size: 4 });
    for (let i = 0; i < 30; i++) {
      p.grad = grad([Math.sin(i), Math.cos(i)]);
      t.log_loss(1 / (i + 1));
      opt.step();
    }
    const j = JSON.parse(JSON.stringify(t.to_json()));
    const u = Trace.from_json(j);
    expect(u.latest()).toEqual(t.latest());
    expect(u.steps).toBe(30);
    expect(u.series("lr_elementwise.q50")!.buckets()).toEqual(t.series("lr_elementwise.q50")!.buckets());
    expect(u.summary()).toEqual(t.summary());
    expect(u.active).toBe(false);
  });

  it("trace_all traces every optimizer stepped, through the global hooks", () => {
    const a = param([1]);
    const b = param([1]);
    const all = trace_all({ name: "cell" });
    const steps: string[] = [];
    all.on_step((tr) => steps.push(tr.name));
    const sgd = new SGD([a], { lr: 0.1 });
    const adam = new Adam([b], { lr: 0.01 });
    a.grad = grad([1]);
    b.grad = grad([1]);
    sgd.step();
    adam.step();
    sgd.step();
    all.stop();
    sgd.step();
    expect(all.traces.map((t) => [t.name, t.steps])).toEqual([["cell:SGD", 2], ["cell:Adam", 1]]);
    expect(steps).toEqual(["cell", "cell:Adam", "cell:SGD"]);
    const bundle = all._repr_mimebundle_();
    expect((bundle[PLOT_MIME] as PlotPayload).kind).toBe("compare");
    expect(bundle[SVG_MIME] as string).toContain("cell:Adam");
    // latest() is for a run of one optimizer; with two it says how to pick one
    expect(() => all.latest()).toThrow("cell traced 2 optimizers (cell:SGD, cell:Adam): take one with .traces[i] or .get(optimizer)");
    expect(all.get(adam)?.latest()?.lr).toBe(0.01);
    expect(all.summary().join("\n")).toMatch(/cell:SGD[\s\S]*cell:Adam/);
  });

  it("a trace_all run of one optimizer reads like its trace: latest(), summary(), diverged_at, series, ...", () => {
    const p = param([1, 2]);
    const none = trace_all({ name: "empty" });
    // before any optimizer stepped: null, as a trace's latest() before its first step
    expect(none.latest()).toBeNull();
    expect(none.steps).toBe(0);
    expect(none.diverged_at).toBeNull();
    expect(() => none.summary()).not.toThrow();
    none.stop();
    const all = trace_all({ name: "one" });
    const opt = new SGD([p], { lr: 0.5 });
    p.grad = grad([1, -1]);
    opt.step();
    all.stop();
    expect(all.single()).toBe(all.traces[0]);
    expect(all.latest()).toEqual(all.traces[0].latest());
    expect(all.latest()?.lr_projected).toBe(0.5);
    expect(all.summary()).toEqual(all.traces[0].summary());
    // ... and the rest of a trace's API: divergence, steps, series, JSON, errors
    const t = all.traces[0];
    expect(all.diverged_at).toBeNull();
    expect(all.steps).toBe(1);
    expect(all.series("lr_projected")).toBe(t.series("lr_projected"));
    expect(all.to_json()).toEqual(t.to_json());
    expect(all.param_names()).toEqual(t.param_names());
    expect(all.errors).toEqual([]);
    const boom = trace_all({ name: "boom" });
    const q = param([1, 2]);
    const big = new SGD([q], { lr: 1e308 });
    q.grad = grad([1e10, 1]);
    big.step();
    boom.stop();
    expect(boom.diverged_at).toEqual(boom.traces[0].diverged_at);
    expect(boom.diverged_at).not.toBeNull();
  });
});

describe("the text summary says what lr_per_sample needs", () => {
  it("hints at batch_size under mean reduction without one, and not once it is given", () => {
    const make = (opts: Record<string, unknown>) => {
      const p = new Tensor(Float64Array.from([1, 2]), [2], "float64", true);
      const opt = new SGD([p], { lr: 0.1 });
      const t = trace(opt, opts as any);
      p.grad = new Tensor(Float64Array.from([0.5, -1]), [2], "float64");
      opt.step();
      t.stop();
      return t.summary().join("\n");
    };
    expect(make({})).toContain("lr_per_sample needs the batch size");
    expect(make({ batch_size: 8 })).not.toContain("needs the batch size");
    expect(make({ reduction: "sum" })).not.toContain("needs the batch size");
  });
});
