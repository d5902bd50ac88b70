import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam, lr_scheduler } from "../../kernel/src/optim/index";
import { find, preview, scale, valleyIndex, steepestIndex } from "../../kernel/src/trace/index";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import { PLOT_MIME, PLOTLY_MIME, SVG_MIME, TEXT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

/**
 * A problem whose best rate is known: f(θ) = ½ Σ a_k θ_k² with curvatures a_k in [1, 4].
 * Gradient descent contracts every coordinate iff γ < 2/max a = 0.5 and diverges above it;
 * the fastest single-step contraction of the stiffest coordinate is at γ = 1/4.
 */
function quadratic() {
  const a = [1, 2, 3, 4];
  const p = new Tensor(Float64Array.from([1, -1, 1, -1]), [4], "float64", true);
  const step_fn = () => {
    let loss = 0;
    const g = new Float64Array(4);
    for (let k = 0; k < 4; k++) {
      loss += 0.5 * a[k] * p.data[k] ** 2;
      g[k] = a[k] * p.data[k];
    }
    p.grad = new Tensor(g, [4], "float64");
    return loss;
  };
  return { p, step_fn };
}

describe("find: learning-rate range test", () => {
  it("suggests rates below the divergence threshold 2/max(a) = 0.5, stops at divergence, restores everything", () => {
    const { p, step_fn } = quadratic();
    const opt = new SGD([p], { lr: 0.01, momentum: 0.9 });
    // a momentum buffer to restore
    step_fn();
    opt.step();
    const before = Array.from(p.data);
    const bufBefore = Array.from((opt.state.get(p)!.momentum_buffer as Tensor).data);
    // plain SGD for the test itself: momentum changes the stability limit
    opt.param_groups[0].momentum = 0;
    const r = find(opt, step_fn, { start_lr: 1e-4, end_lr: 10, num_iter: 120 });
    opt.param_groups[0].momentum = 0.9;
    expect(r.diverged_at).not.toBeNull();
    // divergence needs γ > 0.5 (then |1 − 4γ| > 1) plus some steps to grow five-fold
    expect(r.lrs[r.diverged_at!]).toBeGreaterThan(0.5);
    for (const k of ["steepest", "valley", "minimum/10"] as const) {
      const s = r.suggestions[k]!;
      expect(s, k).toBeGreaterThan(1e-3);
      expect(s, k).toBeLessThan(0.5);
    }
    expect(Array.from(p.data)).toEqual(before);
    expect(Array.from((opt.state.get(p)!.momentum_buffer as Tensor).data)).toEqual(bufBefore);
    expect(opt.param_groups[0].lr).toBe(0.01);
    const b = r._repr_mimebundle_();
    const payload = b[PLOT_MIME] as PlotPayload;
    expect(payload.kind).toBe("range_test");
    expect(payload.x_log).toBe(true);
    // the suggestions, and a divergence marker where the blow-up leaves the plot (find.ts: its
    // losses are off the scale of the curve; the marker says how high they went)
    // (in the text's order: the recommended one first and flagged, then the others by rate)
    const suggested = payload.markers.filter((m) => m.kind === "suggestion");
    expect(new Set(suggested.map((m) => m.label.split(" ")[0]))).toEqual(new Set(["steepest", "valley", "minimum/10"]));
    expect(suggested.map((m) => m.label.split(" ")[0])).toEqual(/suggestions: (.*)/.exec(String(b[TEXT_MIME]))![1].split(", ").map((t) => t.split(" ")[0]));
    expect(suggested.map((m) => m.recommended ?? false)).toEqual([true, false, false]);
    expect(payload.markers.filter((m) => m.kind === "divergence").map((m) => m.label)).toEqual([expect.stringMatching(/^(loss off the scale from lr \S+ \(\S+(, up to \S+)?\)|diverged at lr \S+ \(loss \S+\))$/)]);
    expect((b[PLOTLY_MIME] as any).layout.xaxis.type).toBe("log");
    expect(b[SVG_MIME] as string).toContain("smoothed loss");
    // the recommended one first (find_order.ts), then the others by rate
    expect(b[TEXT_MIME]).toMatch(/suggestions: valley [\d.e-]+ \(recommended\), (steepest [\d.e-]+, minimum\/10 [\d.e-]+|minimum\/10 [\d.e-]+, steepest [\d.e-]+)/);
  });

  it("restores the model's buffers too (BatchNorm2d running stats), not only its parameters", () => {
    // state_dict() shares the module's tensors (as PyTorch's): taken before and loaded after
    // without a copy, the running stats the test's forward passes updated stayed changed.
    torch.manual_seed(0);
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 2));
    const x = torch.randn([4, 1, 4, 4]);
    const y = torch.tensor([0, 1, 1, 0], { dtype: "int64" });
    const loss_fn = new nn.CrossEntropyLoss();
    const opt = new SGD(model.parameters(), { lr: 0.01 });
    const before = Object.fromEntries(Object.entries(model.state_dict()).map(([k, v]) => [k, Array.from((v as Tensor).data)]));
    find(opt, () => {
      opt.zero_grad();
      const loss = loss_fn.forward(model.forward(x), y);
      loss.backward();
      return loss;
    }, { num_iter: 5, end_lr: 1, model });
    const after = Object.fromEntries(Object.entries(model.state_dict()).map(([k, v]) => [k, Array.from((v as Tensor).data)]));
    expect(after).toEqual(before);
    expect(Number((model.state_dict()["1.num_batches_tracked"] as Tensor).item())).toBe(0);
  });

  it("linear sweep and bad input", () => {
    const { p, step_fn } = quadratic();
    const opt = new SGD([p], { lr: 0.01 });
    const r = find(opt, step_fn, { start_lr: 0.01, end_lr: 0.1, num_iter: 10, step_mode: "linear" });
    expect(r.lrs[1] - r.lrs[0]).toBeCloseTo(0.01, 12);
    expect(r.diverged_at).toBeNull();
    expect(() => find(opt, step_fn, { start_lr: 1, end_lr: 0.1 })).toThrow(/end_lr must be finite and greater than start_lr \(1\), got 0.1/);
    expect(() => find(opt, step_fn, { step_mode: "log" as never })).toThrow(/step_mode must be "exp" or "linear"/);
    expect(() => find(opt, () => "x", {})).toThrow(/step_fn must return the loss/);
  });

  it("valley and steepest on hand-made curves", () => {
    // longest decreasing subsequence: 6,5,4,3,2,1 ending at index 6 with length 6, so (fastai)
    // start = 6 − 6 = 0, sections = (6 − 0)/3 = 2, valley = 0 + 2 + floor(2/2) = 3
    expect(valleyIndex([5, 6, 5, 4, 3, 2, 1, 3, 9])).toBe(3);
    // the steepest drop per unit log-lr is between indices 2 and 3
    const lrs = [1e-3, 1e-2, 1e-1, 1, 10];
    expect(steepestIndex(lrs, [1, 0.99, 0.9, 0.2, 5])).toBe(2);
  });
});

describe("preview", () => {
  it("matches stepping the scheduler on a real optimizer, and restores an instance", () => {
    const p = new Tensor(new Float64Array(1), [1], "float64", true);
    const opt = new Adam([p], { lr: 0.01 });
    const sched = new lr_scheduler.CosineAnnealingLR(opt, { T_max: 10, eta_min: 0.001 });
    const pv = preview(sched, { steps: 25 });
    // by hand: η_t = η_min + (η_max − η_min)(1 + cos(πt/T_max))/2 for t ≤ T_max
    for (let t = 0; t <= 10; t++) {
      expect(pv.lr[t]).toBeCloseTo(0.001 + (0.009 * (1 + Math.cos((Math.PI * t) / 10))) / 2, 12);
    }
    expect(opt.param_groups[0].lr).toBe(0.01);
    expect(sched.last_epoch).toBe(0);
    const b = pv._repr_mimebundle_();
    expect((b[PLOT_MIME] as PlotPayload).kind).toBe("schedule");
    expect(b[TEXT_MIME]).toContain("CosineAnnealingLR: 25 steps, lr 0.01");
  });

  it("bad input", () => {
    const f = (o: any) => new lr_scheduler.StepLR(o, { step_size: 2 });
    expect(() => preview(f, { steps: 0 })).toThrow(/steps must be a positive integer, got 0/);
    expect(() => preview(f, { steps: 5, optimizer: "Lion" as never })).toThrow(/unknown optimizer "Lion"; valid: SGD, Adam/);
    expect(() => preview((o: any) => new lr_scheduler.ReduceLROnPlateau(o), { steps: 5 })).toThrow(/ReduceLROnPlateau needs metrics: one number per step \(5\), got 0/);
  });
});

describe("scale", () => {
  it("linear, square root, Adam square-root (Malladi et al.), noise scale", () => {
    expect(scale({ rule: "linear", lr: 0.1, batch_size: 256, new_batch_size: 1024 }).lr).toBeCloseTo(0.4, 15);
    expect(scale({ rule: "sqrt", lr: 0.1, batch_size: 256, new_batch_size: 1024 }).lr).toBeCloseTo(0.2, 15);
    // κ = 4: γ → 2γ, 1−β1 = 0.1 → 0.4, 1−β2 = 0.001 → 0.004, ε → ε/2
    const a = scale({ rule: "adam_sqrt", lr: 1e-3, batch_size: 64, new_batch_size: 256, betas: [0.9, 0.999], eps: 1e-8 });
    expect(a.lr).toBeCloseTo(2e-3, 15);
    expect(a.betas![0]).toBeCloseTo(0.6, 12);
    expect(a.betas![1]).toBeCloseTo(0.996, 12);
    expect(a.eps).toBeCloseTo(5e-9, 20);
    // g = γN/(B(1−μ)) = 0.1·50000/(128·0.1) = 390.625, kept by γ → κγ
    const n = scale({ rule: "noise", lr: 0.1, batch_size: 128, new_batch_size: 512, momentum: 0.9, dataset_size: 50000 });
    expect(n.noise_scale).toBeCloseTo(390.625, 9);
    expect(n.new_noise_scale).toBeCloseTo(390.625, 9);
    expect(n.lr).toBeCloseTo(0.4, 15);
  });

  it("nonsense input is a clear error", () => {
    expect(() => scale({ rule: "cubic" as never, lr: 0.1, batch_size: 1, new_batch_size: 2 })).toThrow(/unknown rule "cubic"; valid rules: linear, sqrt, adam_sqrt, noise/);
    expect(() => scale({ rule: "linear", lr: -1, batch_size: 1, new_batch_size: 2 })).toThrow(/lr must be a finite number > 0, got -1/);
    expect(() => scale({ rule: "linear", lr: 1, batch_size: 1.5, new_batch_size: 2 })).toThrow(/batch_size must be a positive integer, got 1.5/);
    expect(() => scale({ rule: "adam_sqrt", lr: 1, batch_size: 1, new_batch_size: 20, betas: [0.9, 0.999] })).toThrow(/1 − beta1 would become/);
    expect(() => scale({ rule: "noise", lr: 1, batch_size: 1, new_batch_size: 2 })).toThrow(/dataset_size must be a positive integer/);
  });
});

describe("tracers ignore preview and range-test steps", () => {
  it("a Trace on the range-tested optimizer and trace_all see none of find()/preview() steps", async () => {
    const { trace_all, trace } = await import("../../kernel/src/trace/index");
    const { p, step_fn } = quadratic();
    const opt = new SGD([p], { lr: 0.01 });
    const t = trace(opt);
    const all = trace_all();
    find(opt, step_fn, { num_iter: 20 });
    preview((o: any) => new lr_scheduler.StepLR(o, { step_size: 2 }), { steps: 10 });
    step_fn();
    opt.step();
    all.stop();
    t.stop();
    expect(t.steps).toBe(1);
    expect(all.traces.map((x) => x.steps)).toEqual([1]);
  });
});

describe("steepestIndex skips the noisy start of a long sweep", () => {
  it("ignores a drop among the first tenth of the points", () => {
    // 40 points: a noise drop between points 0 and 1 (slope -0.5 per log step) is steeper than
    // the real descent around point 20 (-0.3 per step), but lies in the skipped first 4 points.
    const lrs = Array.from({ length: 40 }, (_, i) => 1e-4 * Math.exp(i * 0.25));
    const s = lrs.map((_, i) => (i === 0 ? 1.125 : i < 18 ? 1 : i < 23 ? 1 - (i - 17) * 0.075 : 0.625));
    const i = steepestIndex(lrs, s)!;
    expect(i).toBeGreaterThanOrEqual(18);
    expect(i).toBeLessThanOrEqual(22);
  });
});
