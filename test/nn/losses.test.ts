/** Losses against real PyTorch: every loss and reduction, values and gradients (input and target). */
import { describe, expect, it, vi } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { functional as F } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

interface LossCase {
  name: string;
  fn: string;
  reduction: "mean" | "sum" | "none";
  options: Record<string, number | FixtureTensor>;
  x: FixtureTensor;
  target: FixtureTensor;
  upstream: FixtureTensor;
  out: FixtureTensor;
  grad_x: FixtureTensor;
  grad_target?: FixtureTensor;
}

const FNS: Record<string, (x: Tensor, t: Tensor, o: any) => Tensor> = {
  mse_loss: F.mse_loss,
  l1_loss: F.l1_loss,
  huber_loss: F.huber_loss,
  smooth_l1_loss: F.smooth_l1_loss,
  binary_cross_entropy: F.binary_cross_entropy,
  binary_cross_entropy_with_logits: F.binary_cross_entropy_with_logits,
  cross_entropy: F.cross_entropy,
  nll_loss: F.nll_loss,
};

const cases = fixture<LossCase[]>("losses.json");

function options(c: LossCase): Record<string, unknown> {
  const o: Record<string, unknown> = { reduction: c.reduction };
  for (const [k, v] of Object.entries(c.options)) o[k] = typeof v === "object" ? fromFixture(v) : v;
  return o;
}

describe("functional losses match PyTorch", () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const x = fromFixture(c.x, true);
    const t = fromFixture(c.target, c.grad_target !== undefined);
    const out = FNS[c.fn](x, t, options(c));
    expectClose(out, c.out, `${c.name} value`);
    out.backward(fromFixture(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name} grad input`);
    if (c.grad_target) expectClose(t.grad, c.grad_target, `${c.name} grad target`);
  });
  it("warned about the broadcast target size (PyTorch's UserWarning)", () => {
    expect(warn.mock.calls.some(([m]) => String(m).includes("Using a target size (torch.Size([4])) that is different to the input size (torch.Size([4, 1]))"))).toBe(true);
  });
});

describe("loss modules", () => {
  const c = cases.find((k) => k.name === "ce_all_mean")!;
  it("CrossEntropyLoss forwards its options (weight, ignore_index, label_smoothing)", () => {
    const loss_fn = new nn.CrossEntropyLoss({
      weight: fromFixture(c.options.weight as FixtureTensor),
      ignore_index: 2,
      label_smoothing: 0.2,
    });
    const x = fromFixture(c.x, true);
    const out = loss_fn.forward(x, fromFixture(c.target));
    expectClose(out, c.out, "module value");
    expect(Object.keys(loss_fn.state_dict())).toEqual(["weight"]);
    expect(String(loss_fn)).toBe("CrossEntropyLoss()");
  });

  it.each([
    ["MSELoss", () => new nn.MSELoss({ reduction: "sum" }), "mse_sum"],
    ["L1Loss", () => new nn.L1Loss({ reduction: "none" }), "l1_none"],
    ["HuberLoss", () => new nn.HuberLoss({ delta: 0.5 }), "huber_delta_mean"],
    ["SmoothL1Loss", () => new nn.SmoothL1Loss({ beta: 0.5, reduction: "sum" }), "smooth_l1_beta_sum"],
    ["BCELoss", () => new nn.BCELoss(), "bce_mean"],
    ["NLLLoss", () => new nn.NLLLoss({ reduction: "sum" }), "nll_sum"],
  ] as const)("%s", (_n, make, name) => {
    const k = cases.find((q) => q.name === name)!;
    const out = make().forward(fromFixture(k.x), fromFixture(k.target));
    expectClose(out, k.out, name);
  });

  it("BCEWithLogitsLoss with pos_weight and weight", () => {
    const k = cases.find((q) => q.name === "bce_logits_pw_mean")!;
    const m = new nn.BCEWithLogitsLoss({
      pos_weight: fromFixture(k.options.pos_weight as FixtureTensor),
      weight: fromFixture(k.options.weight as FixtureTensor),
    });
    expectClose(m.forward(fromFixture(k.x), fromFixture(k.target)), k.out, "bce logits module");
    expect(Object.keys(m.state_dict())).toEqual(["weight", "pos_weight"]);
  });
});

describe("loss errors", () => {
  const f64 = (data: number[], shape: number[]) => new Tensor(Float64Array.from(data), shape, "float64");
  const i64 = (data: number[], shape: number[]) => new Tensor(Float64Array.from(data), shape, "int64");

  it("bad reduction names the allowed values", () => {
    expect(() => new nn.MSELoss({ reduction: "avg" as any })).toThrow('avg is not a valid value for reduction (allowed: "mean", "sum", "none")');
    expect(() => F.l1_loss(f64([1], [1]), f64([1], [1]), { reduction: "average" as any })).toThrow(/not a valid value for reduction/);
  });
  it("non-broadcastable shapes: PyTorch's message", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(() => F.mse_loss(f64([1, 2, 3], [3]), f64([1, 2, 3, 4], [4]))).toThrow(
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
    );
  });
  it("cross_entropy: batch size mismatch, out-of-range class, float target of the wrong shape", () => {
    const x = f64([0, 1, 2, 3, 4, 5], [2, 3]);
    expect(() => F.cross_entropy(x, i64([0, 1, 2], [3]))).toThrow("Expected input batch_size (2) to match target batch_size (3).");
    expect(() => F.cross_entropy(x, i64([0, 3], [2]))).toThrow("Target 3 is out of bounds.");
    expect(() => F.cross_entropy(x, f64([0, 1], [2]))).toThrow(/expected target dtype to be Long or Byte, but got Double/);
    expect(() => F.cross_entropy(x, i64([0, 1], [2]), { weight: f64([1, 2], [2]) })).toThrow(
      "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
    );
    expect(() => F.cross_entropy(x, i64([0, 1], [2]), { label_smoothing: 1.5 })).toThrow("label_smoothing must be between 0.0 and 1.0. Got: 1.5");
  });
  it("binary losses: size mismatch and probabilities outside [0, 1]", () => {
    expect(() => F.binary_cross_entropy(f64([0.5, 0.5], [2]), f64([1, 0], [2, 1]))).toThrow(
      "Using a target size (torch.Size([2, 1])) that is different to the input size (torch.Size([2])) is deprecated. Please ensure they have the same size.",
    );
    expect(() => F.binary_cross_entropy(f64([1.5], [1]), f64([1], [1]))).toThrow("all elements of input should be between 0 and 1");
    expect(() => F.binary_cross_entropy_with_logits(f64([1, 2], [2]), f64([1], [1]))).toThrow(
      "Target size (torch.Size([1])) must be the same as input size (torch.Size([2]))",
    );
  });
  it("cross_entropy: mean over an all-ignored batch is NaN (0/0), as PyTorch", () => {
    const out = F.cross_entropy(f64([0, 1, 2, 3], [2, 2]), i64([-100, -100], [2]));
    expect(Number.isNaN(out.data[0])).toBe(true);
  });
});
