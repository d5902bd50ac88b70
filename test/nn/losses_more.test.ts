/**
 * The losses beyond regression and cross-entropy against real PyTorch 2.13
 * (test/fixtures/generate_losses_more.py): kl_div, poisson_nll_loss, gaussian_nll_loss,
 * margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss,
 * triplet_margin_loss, multilabel_soft_margin_loss, multi_margin_loss, multilabel_margin_loss:
 * values and gradients of every tensor PyTorch differentiates, float64 and float32, every
 * reduction, functional and module forms, reprs and PyTorch's error messages.
 */
import { describe, expect, it, vi } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { functional as F } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import * as torch from "../../kernel/src/index";
import { expectClose, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

interface Case {
  name: string;
  fn: string;
  args: (FixtureTensor | number)[];
  kwargs: Record<string, FixtureTensor | number | boolean | string>;
  upstream: FixtureTensor;
  out: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

interface Fixture {
  cases: Case[];
  errors: Record<string, { type: string; message: string }>;
  reprs: { name: string; repr: string; state_dict: string[]; attrs: Record<string, unknown> }[];
  kl_mean_warning: string;
}

const data = fixture<Fixture>("losses_more.json");

/** The module (class name) that wraps each functional loss. */
const MODULES: Record<string, string> = {
  kl_div: "KLDivLoss",
  poisson_nll_loss: "PoissonNLLLoss",
  gaussian_nll_loss: "GaussianNLLLoss",
  margin_ranking_loss: "MarginRankingLoss",
  hinge_embedding_loss: "HingeEmbeddingLoss",
  soft_margin_loss: "SoftMarginLoss",
  cosine_embedding_loss: "CosineEmbeddingLoss",
  triplet_margin_loss: "TripletMarginLoss",
  multilabel_soft_margin_loss: "MultiLabelSoftMarginLoss",
  multi_margin_loss: "MultiMarginLoss",
  multilabel_margin_loss: "MultiLabelMarginLoss",
  ctc_loss: "CTCLoss",
};

const isTensor = (v: unknown): v is FixtureTensor => typeof v === "object" && v !== null && "shape" in v;

/** A case's arguments as lrlab tensors (those PyTorch differentiated require grad) and its options. */
function build(c: Case) {
  const args = c.args.map((a, i) => (isTensor(a) ? fromFixture(a, String(i) in c.grads && isFloat(a)) : a));
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kwargs)) kwargs[k] = isTensor(v) ? fromFixture(v, k in c.grads) : v === "inf" ? Infinity : v;
  return { args, kwargs };
}
const isFloat = (a: FixtureTensor) => a.dtype === "float32" || a.dtype === "float64";

/**
 * |a − e| ≤ rtol·(|e| + max|e|) with a looser rtol: PyTorch runs ctc_loss's recursions in float32
 * for float32 input, so its float32 gradient is itself ~1.5e-6 (relative) away from its float64
 * one on the same numbers (checked in the generator's inputs); ours are computed in double.
 */
function expectWithin(actual: Tensor | null, expected: FixtureTensor, rtol: number, what: string): void {
  expect(actual, what).toBeTruthy();
  expect(actual!.shape, what).toEqual(expected.shape);
  const scale = Math.max(0, ...expected.data.map(Math.abs));
  expected.data.forEach((e, i) => {
    const v = actual!.data[i];
    if (!(Math.abs(v - e) <= rtol * (Math.abs(e) + scale))) throw new Error(`${what}: element ${i} is ${v}, PyTorch has ${e}`);
  });
}

function check(c: Case, out: Tensor, args: unknown[], kwargs: Record<string, unknown>, what: string): void {
  expectClose(out, c.out, `${c.name} ${what} value`);
  out.backward(fromFixture(c.upstream));
  for (const [k, g] of Object.entries(c.grads)) {
    const t = (/^\d+$/.test(k) ? args[Number(k)] : kwargs[k]) as Tensor;
    if (c.fn === "ctc_loss" && g.dtype === "float32") expectWithin(t.grad, g, 1e-5, `${c.name} ${what} grad ${k}`);
    else expectClose(t.grad, g, `${c.name} ${what} grad ${k}`);
  }
  // Tensors PyTorch does not differentiate get no gradient.
  args.forEach((a, i) => {
    if (a instanceof Tensor && !(String(i) in c.grads)) expect(a.grad, `${c.name}: arg ${i} has no grad`).toBeNull();
  });
}

describe("functional losses match PyTorch (values and gradients)", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  it.each(data.cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const { args, kwargs } = build(c);
    const fn = (F as unknown as Record<string, (...a: unknown[]) => Tensor>)[c.fn];
    check(c, fn(...args, kwargs), args, kwargs, "F");
  });
});

describe("loss modules match PyTorch", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  it.each(data.cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const { args, kwargs } = build(c);
    const Cls = (nn as unknown as Record<string, new (o: Record<string, unknown>) => { forward(...a: unknown[]): Tensor }>)[MODULES[c.fn]];
    const m = new Cls(kwargs);
    check(c, m.forward(...args), args, kwargs, "module");
  });
});

describe("positional forms (PyTorch's positional-or-keyword parameters)", () => {
  const get = (name: string) => data.cases.find((c) => c.name === name)!;
  it("triplet_margin_loss(a, p, n, margin, p, eps, swap, { reduction }) and new TripletMarginLoss(margin, p, eps, swap)", () => {
    const c = get("triplet_swap");
    const { args } = build(c);
    const [a, p, n] = args as Tensor[];
    expectClose(F.triplet_margin_loss(a, p, n, 1.5, 2, 1e-6, true, { reduction: "none" }), c.out, "positional");
    expectClose(new nn.TripletMarginLoss(1.5, 2, 1e-6, true, { reduction: "none" }).forward(a, p, n), c.out, "module positional");
  });
  it("multi_margin_loss(x, y, p, margin) and new MultiMarginLoss(p, margin, null, { reduction })", () => {
    const c = get("mmargin_p2_sum");
    const { args } = build(c);
    const [x, y] = args as Tensor[];
    expectClose(F.multi_margin_loss(x, y, 2, 0.7, { reduction: "sum" }), c.out, "positional");
    expectClose(new nn.MultiMarginLoss(2, 0.7, null, { reduction: "sum" }).forward(x, y), c.out, "module positional");
  });
  it("poisson_nll_loss(x, t, log_input, full, { eps }) and gaussian_nll_loss(x, t, var, full)", () => {
    const c = get("pnll_rate_full_mean");
    const { args } = build(c);
    expectClose(F.poisson_nll_loss(args[0] as Tensor, args[1] as Tensor, false, true, { eps: 0.01 }), c.out, "poisson positional");
    expectClose(new nn.PoissonNLLLoss(false, true, { eps: 0.01 }).forward(args[0] as Tensor, args[1] as Tensor), c.out, "module positional");
    const g = get("gnll_full");
    const b = build(g).args as Tensor[];
    expectClose(F.gaussian_nll_loss(b[0], b[1], b[2], true), g.out, "gaussian positional");
  });
  it("margin losses take margin positionally; weight too", () => {
    const c = get("mrank_margin_sum");
    const [a, b, y] = build(c).args as Tensor[];
    expectClose(F.margin_ranking_loss(a, b, y, 0.5, { reduction: "sum" }), c.out, "margin_ranking");
    expectClose(new nn.MarginRankingLoss(0.5, { reduction: "sum" }).forward(a, b, y), c.out, "MarginRankingLoss");
    const h = get("hinge_margin_none");
    const [x, t] = build(h).args as Tensor[];
    expectClose(new nn.HingeEmbeddingLoss(0.4, { reduction: "none" }).forward(x, t), h.out, "HingeEmbeddingLoss");
    const w = get("mlsm_weight_mean");
    const bw = build(w);
    expectClose(F.multilabel_soft_margin_loss(bw.args[0] as Tensor, bw.args[1] as Tensor, bw.kwargs.weight as Tensor), w.out, "weight positional");
  });
  it("bad arguments: too many, unknown keyword, wrong type, given twice", () => {
    const x = torch.randn(3, 4);
    const y = torch.tensor([0, 1, 2], { dtype: "int64" });
    expect(() => (F.multi_margin_loss as any)(x, y, 1, 1.0, null, 5)).toThrow("multi_margin_loss() takes at most 3 optional positional arguments (p, margin, weight) but 4 were given");
    expect(() => F.multi_margin_loss(x, y, { margn: 1 } as any)).toThrow(/unexpected keyword argument 'margn'.*did you mean 'margin'/);
    expect(() => F.multi_margin_loss(x, y, { p: "2" } as any)).toThrow("multi_margin_loss(): argument 'p' must be a number, not string");
    expect(() => (F.multi_margin_loss as any)(x, y, 2, { p: 2 })).toThrow("multi_margin_loss() got multiple values for argument 'p'");
    expect(() => F.kl_div(x, x, { size_average: true } as any)).toThrow(/unexpected keyword argument 'size_average'/);
    expect(() => new nn.SoftMarginLoss({ reduction: "avg" as any })).toThrow(/avg is not a valid value for reduction/);
  });
});

describe("reprs, attributes and buffers as PyTorch's", () => {
  const make: Record<string, () => nn.Module> = {
    KLDivLoss: () => new nn.KLDivLoss({ reduction: "batchmean", log_target: true }),
    PoissonNLLLoss: () => new nn.PoissonNLLLoss({ log_input: false }),
    GaussianNLLLoss: () => new nn.GaussianNLLLoss({ full: true }),
    MarginRankingLoss: () => new nn.MarginRankingLoss(0.5),
    HingeEmbeddingLoss: () => new nn.HingeEmbeddingLoss(),
    SoftMarginLoss: () => new nn.SoftMarginLoss(),
    CosineEmbeddingLoss: () => new nn.CosineEmbeddingLoss(0.1),
    TripletMarginLoss: () => new nn.TripletMarginLoss(2.0, 1, { swap: true }),
    MultiLabelSoftMarginLoss: () => new nn.MultiLabelSoftMarginLoss({ weight: torch.ones(3) }),
    MultiMarginLoss: () => new nn.MultiMarginLoss(2, 0.5),
    MultiLabelMarginLoss: () => new nn.MultiLabelMarginLoss(),
    CTCLoss: () => new nn.CTCLoss(3, { zero_infinity: true }),
  };
  it.each(data.reprs.map((r) => [r.name, r] as const))("%s", (name, r) => {
    const m = make[name]();
    expect(String(m)).toBe(r.repr);
    expect(Object.keys(m.state_dict())).toEqual(r.state_dict);
    for (const [k, v] of Object.entries(r.attrs)) expect((m as unknown as Record<string, unknown>)[k], `${name}.${k}`).toBe(v);
  });
});

describe("errors with PyTorch's messages", () => {
  const r = (...s: number[]) => torch.randn(s);
  const L = (v: unknown, dtype: "int64" | "float32" = "int64") => torch.tensor(v as number[], { dtype });
  const f = (v: unknown) => torch.tensor(v as number[]);
  const calls: Record<string, () => unknown> = {
    kl_reduction: () => F.kl_div(r(2, 3), torch.rand(2, 3), { reduction: "avg" as any }),
    kl_integral: () => F.kl_div(r(3), L([1, 0, 2])),
    pnll_reduction: () => F.poisson_nll_loss(r(2), r(2), { reduction: "x" as any }),
    gnll_size: () => F.gaussian_nll_loss(r(2, 3), r(2, 3), torch.rand(3)),
    gnll_size2: () => F.gaussian_nll_loss(r(2, 3), r(2, 3), torch.rand(1, 1)),
    gnll_negative: () => F.gaussian_nll_loss(r(2, 3), r(2, 3), torch.rand(2).neg()),
    gnll_negative_float: () => F.gaussian_nll_loss(r(2, 3), r(2, 3), -0.5),
    gnll_reduction: () => F.gaussian_nll_loss(r(2, 3), r(2, 3), torch.rand(2, 3), { reduction: "x" as any }),
    mrank_dims: () => F.margin_ranking_loss(r(3), r(3), r(3, 1)),
    softm_shape: () => F.soft_margin_loss(r(3, 1), f([1, -1, 1])),
    softm_target_grad: () => F.soft_margin_loss(r(3), torch.tensor([1, -1, 1], { requires_grad: true })),
    cos_0d: () => F.cosine_embedding_loss(r(2, 3), r(2, 3), torch.tensor(1.0)),
    cos_1d: () => F.cosine_embedding_loss(r(3), r(3), f([1])),
    cos_2d: () => F.cosine_embedding_loss(r(2, 3), r(2, 3), f([[1, -1]])),
    cos_size: () => F.cosine_embedding_loss(r(2, 3), r(2, 4), f([1, -1])),
    triplet_dims: () => F.triplet_margin_loss(r(2, 3), r(2, 3), r(3)),
    triplet_margin: () => F.triplet_margin_loss(r(2, 3), r(2, 3), r(2, 3), { margin: 0 }),
    triplet_module_margin: () => new nn.TripletMarginLoss({ margin: -1 }),
    mlsm_reduction: () => F.multilabel_soft_margin_loss(r(2, 3), r(2, 3), { reduction: "x" as any }),
    mm_p: () => F.multi_margin_loss(r(2, 3), L([1, 0]), { p: 3 }),
    mm_module_p: () => new nn.MultiMarginLoss({ p: 3 }),
    mm_weight_dim: () => F.multi_margin_loss(r(2, 3), L([1, 0]), { weight: torch.ones(3, 1) }),
    mm_module_weight_dim: () => new nn.MultiMarginLoss({ weight: torch.ones(2, 2) }),
    mm_weight_grad: () => F.multi_margin_loss(r(2, 3), L([1, 0]), { weight: torch.ones(3, { requires_grad: true }) }),
    mm_range: () => F.multi_margin_loss(r(2, 3), L([1, 3])),
    mm_float_target: () => F.multi_margin_loss(r(2, 3), L([1, 0], "float32")),
    mm_target_size: () => F.multi_margin_loss(r(2, 3), L([1, 0, 1])),
    mm_weight_size: () => F.multi_margin_loss(r(2, 3), L([1, 0]), { weight: torch.ones(2) }),
    mm_3d: () => F.multi_margin_loss(r(2, 3, 4), L([1, 0])),
    mm_reduction: () => F.multi_margin_loss(r(2, 3), L([1, 0]), { reduction: "bad" as any }),
    ml_range: () => F.multilabel_margin_loss(r(2, 3), L([[1, 3, 0], [0, 1, 2]])),
    ml_target_size: () => F.multilabel_margin_loss(r(2, 3), L([1, 0, 2])),
    ml_target_size_1d: () => F.multilabel_margin_loss(r(3), L([[1, -1, 0]])),
    ml_float_target: () => F.multilabel_margin_loss(r(2, 3), L([[1, 0, 2], [0, 1, 2]], "float32")),
    ctc_input_length: () => F.ctc_loss(r(5, 2, 4).log_softmax(2), L([[1, 2], [1, 1]]), L([6, 5]), L([2, 2])),
    ctc_target_length: () => F.ctc_loss(r(5, 2, 4).log_softmax(2), L([[1, 2], [1, 1]]), L([5, 5]), L([3, 2])),
    ctc_blank: () => F.ctc_loss(r(5, 2, 4).log_softmax(2), L([[1, 2], [1, 1]]), L([5, 5]), L([2, 2]), 4),
    ctc_batch: () => F.ctc_loss(r(5, 2, 4).log_softmax(2), L([[1, 2]]), L([5, 5]), L([2, 2])),
    ctc_lengths: () => F.ctc_loss(r(5, 2, 4).log_softmax(2), L([[1, 2], [1, 1]]), L([5]), L([2, 2])),
    ml_3d: () => F.multilabel_margin_loss(r(2, 3, 1), L([1, 0])),
  };
  it("every PyTorch error case has a call here", () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(data.errors).sort());
  });
  it.each(Object.entries(data.errors))("%s", (key, e) => {
    let thrown: Error | null = null;
    try {
      calls[key]();
    } catch (err) {
      thrown = err as Error;
    }
    expect(thrown, `${key} threw`).not.toBeNull();
    // lrlab may add what is allowed after PyTorch's message.
    expect(thrown!.message.startsWith(e.message), `${key}: "${thrown!.message}" starts with "${e.message}"`).toBe(true);
    if (e.type === "ValueError" || e.type === "RuntimeError") {
      if (!key.startsWith("cos_size")) expect(thrown!.name).toBe(e.type);
    }
  });
  it("kl_div with reduction 'mean' warns as PyTorch (once)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const mod = await import("../../kernel/src/nn/functional/probabilistic");
    mod.kl_div(torch.randn(2), torch.rand(2));
    const all = warn.mock.calls.map(([m]) => String(m));
    // The warning may have been issued by an earlier test in this file (it is shown once).
    expect(all.some((m) => m.includes(data.kl_mean_warning)) || all.length === 0).toBe(true);
  });
});

describe("edge cases", () => {
  it("kl_div's target gradient is NaN at t = 0 (PyTorch's xlogy gradient), the input's is -t", () => {
    // x = torch.tensor([0.5, -1.0], requires_grad=True); t = torch.tensor([0.0, 0.3], requires_grad=True)
    // F.kl_div(x, t, reduction='sum').backward() -> x.grad [-0, -0.3], t.grad [nan, 0.7960]
    const x = torch.tensor([0.5, -1.0], { dtype: "float64", requires_grad: true });
    const t = torch.tensor([0.0, 0.3], { dtype: "float64", requires_grad: true });
    F.kl_div(x, t, { reduction: "sum" }).backward();
    expect(Number.isNaN(t.grad!.data[0])).toBe(true);
    expect(t.grad!.data[1]).toBeCloseTo(Math.log(0.3) + 1 + 1, 12);
    expect(x.grad!.data[0] === 0 && x.grad!.data[1] === -0.3).toBe(true);
  });
  it("soft_margin_loss stays finite where PyTorch's log1p(exp(z)) overflows (documented deviation)", () => {
    const out = F.soft_margin_loss(torch.tensor([1000, -1000], { dtype: "float64" }), torch.tensor([-1, 1], { dtype: "float64" }), { reduction: "none" });
    expect(Array.from(out.data)).toEqual([1000, 1000]);
  });
  it("gradients flow only where the margin is active", () => {
    const a = torch.tensor([3, 0], { requires_grad: true });
    const b = torch.tensor([0, 3], { requires_grad: true });
    F.margin_ranking_loss(a, b, torch.tensor([1, 1]), { reduction: "sum" }).backward();
    expect(Array.from(a.grad!.data)).toEqual([0, -1]);
    expect(Array.from(b.grad!.data)).toEqual([0, 1]);
  });
});
