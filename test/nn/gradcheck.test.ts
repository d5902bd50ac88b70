/**
 * Gradients of the fused ops against central finite differences (float64), on shapes the PyTorch
 * fixtures do not cover (4-D inputs, broadcast weights, 3-D normalized shapes). For a random
 * projection r, L(x) = Σ r ⊙ op(x); dL/dx_i ≈ (L(x + h e_i) - L(x - h e_i)) / 2h with h = 1e-6,
 * whose truncation and rounding errors are about 1e-9 relative: the check uses 1e-6.
 */
import { describe, expect, it } from "vitest";
import { functional as F } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

let seed = 12345;
function rnd(): number {
  // Small LCG: deterministic inputs without touching the global generator.
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}
const t = (shape: readonly number[], scale = 2, rg = false) =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * scale), shape, "float64", rg);

function gradcheck(name: string, inputs: Tensor[], op: (...xs: Tensor[]) => Tensor): void {
  const out = op(...inputs);
  const r = t(out.shape, 2);
  const L = (): number => {
    const o = op(...inputs.map((x) => new Tensor(x.data, x.shape, x.dtype, false)));
    let s = 0;
    for (let i = 0; i < o.data.length; i++) s += o.data[i] * r.data[i];
    return s;
  };
  out.backward(r);
  const h = 1e-6;
  inputs.forEach((x, k) => {
    if (!x.requires_grad) return;
    const g = x.grad!;
    expect(g, `${name}: input ${k} has no grad`).toBeTruthy();
    let scale = 0;
    for (let i = 0; i < g.data.length; i++) scale = Math.max(scale, Math.abs(g.data[i]));
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i];
      x.data[i] = v + h;
      const up = L();
      x.data[i] = v - h;
      const down = L();
      x.data[i] = v;
      const num = (up - down) / (2 * h);
      expect(Math.abs(num - g.data[i]), `${name}: d/dinput${k}[${i}] numeric ${num} analytic ${g.data[i]}`).toBeLessThanOrEqual(
        1e-6 * (Math.abs(num) + scale + 1e-3),
      );
    }
  });
}

describe("fused ops vs finite differences", () => {
  it("linear on a 4-D input", () => gradcheck("linear", [t([2, 2, 3, 5], 2, true), t([4, 5], 1, true), t([4], 1, true)], F.linear));
  it("cross_entropy on [N, C, H, W] with weights, smoothing and an ignored position", () => {
    const target = new Tensor(Float64Array.from([0, 2, 1, -100, 2, 0, 1, 1]), [2, 2, 2], "int64");
    const w = t([3], 1).data.map((v) => v + 1.5);
    gradcheck("ce4d", [t([2, 3, 2, 2], 3, true)], (x) =>
      F.cross_entropy(x, target, { weight: new Tensor(w, [3], "float64"), label_smoothing: 0.15, reduction: "mean" }),
    );
  });
  it("binary_cross_entropy_with_logits with weight [C] and pos_weight [C] broadcast over [N, C]", () => {
    const y = new Tensor(Float64Array.from([1, 0, 0.3, 0, 1, 0.8]), [2, 3], "float64", true);
    gradcheck("bcel", [t([2, 3], 4, true), y], (x, yy) =>
      F.binary_cross_entropy_with_logits(x, yy, {
        weight: new Tensor(Float64Array.from([0.5, 1, 2]), [3], "float64"),
        pos_weight: new Tensor(Float64Array.from([3, 0.5, 1]), [3], "float64"),
        reduction: "sum",
      }),
    );
  });
  it("mse_loss broadcasting target [3] against input [2, 1] (both get gradients)", () => {
    const prev = console.warn;
    console.warn = () => {};
    try {
      gradcheck("mse_bcast", [t([2, 1], 2, true), t([3], 2, true)], (x, y) => F.mse_loss(x, y));
    } finally {
      console.warn = prev;
    }
  });
  it("batch_norm (training) on [N, C, L] with affine parameters", () => {
    gradcheck("bn3d", [t([3, 2, 4], 3, true), t([2], 1, true), t([2], 1, true)], (x, w, b) =>
      F.batch_norm(x, null, null, { weight: w, bias: b, training: true }),
    );
  });
  it("layer_norm over a 2-D normalized shape of a 3-D input", () => {
    gradcheck("ln", [t([2, 3, 4], 3, true), t([3, 4], 1, true), t([3, 4], 1, true)], (x, w, b) =>
      F.layer_norm(x, [3, 4], { weight: w, bias: b }),
    );
  });
  it("softmax and log_softmax along a middle dim; gelu; nll_loss on 3-D input", () => {
    gradcheck("softmax", [t([2, 3, 4], 3, true)], (x) => F.softmax(x, 1));
    gradcheck("log_softmax", [t([2, 3, 4], 3, true)], (x) => F.log_softmax(x, -2));
    gradcheck("gelu", [t([7], 6, true)], (x) => F.gelu(x));
    const target = new Tensor(Float64Array.from([0, 2, 1, 1]), [2, 2], "int64");
    gradcheck("nll3d", [t([2, 3, 2], 3, true)], (x) => F.nll_loss(x, target, { reduction: "sum" }));
  });
});
