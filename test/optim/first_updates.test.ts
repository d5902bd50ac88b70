/**
 * First updates computed by hand (TFJS style): the arithmetic is written out in a comment before
 * each assertion, in float64 so the numbers are exact to print.
 */
import { describe, expect, test } from "vitest";
import { Adam, SGD } from "../../kernel/src/optim/index";
import { tensorOf } from "./helpers";

const setGrad = (p: ReturnType<typeof tensorOf>, g: number[]) => {
  p.grad = tensorOf(g, p.shape, "float64");
};

describe("hand-computed first updates", () => {
  test("SGD(lr=0.1): θ ← θ − γ g", () => {
    const p = tensorOf([1, -2], [2], "float64", true);
    const opt = new SGD([p], { lr: 0.1 });
    setGrad(p, [0.5, -1]);
    opt.step();
    // θ = [1 − 0.1·0.5, −2 − 0.1·(−1)] = [0.95, −1.9]
    expect(p.data[0]).toBeCloseTo(0.95, 15);
    expect(p.data[1]).toBeCloseTo(-1.9, 15);
  });

  test("SGD(lr=0.1, momentum=0.9, dampening=0.5): first buffer is g, then μb + (1−τ)g", () => {
    const p = tensorOf([1], [1], "float64", true);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    setGrad(p, [2]);
    opt.step();
    // step 1: b = g = 2 (no dampening on the first buffer); θ = 1 − 0.1·2 = 0.8
    expect(p.data[0]).toBeCloseTo(0.8, 15);
    setGrad(p, [1]);
    opt.step();
    // step 2: b = 0.9·2 + (1 − 0.5)·1 = 2.3; θ = 0.8 − 0.1·2.3 = 0.57
    expect((opt.state.get(p)!.momentum_buffer.data as Float64Array)[0]).toBeCloseTo(2.3, 15);
    expect(p.data[0]).toBeCloseTo(0.57, 15);
  });

  test("SGD(lr=0.1, momentum=0.9, nesterov=True): step along g + μb", () => {
    const p = tensorOf([0], [1], "float64", true);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    setGrad(p, [1]);
    opt.step();
    // b = 1; g + μb = 1 + 0.9 = 1.9; θ = 0 − 0.1·1.9 = −0.19
    expect(p.data[0]).toBeCloseTo(-0.19, 15);
  });

  test("Adam(lr=0.01): the first step is −γ·sign(g) up to ε", () => {
    const p = tensorOf([1, 1], [2], "float64", true);
    const opt = new Adam([p], { lr: 0.01 });
    setGrad(p, [4, -0.25]);
    opt.step();
    // m = 0.1·g, v = 0.001·g²; m̂ = m/(1−0.9) = g, √v̂ = √(v/(1−0.999)) = |g|
    // θ = 1 − 0.01·g/(|g| + 1e-8): [1 − 0.01·4/4.00000001, 1 + 0.01·0.25/0.25000001]
    expect(p.data[0]).toBeCloseTo(1 - (0.01 * 4) / (4 + 1e-8), 14);
    expect(p.data[1]).toBeCloseTo(1 + (0.01 * 0.25) / (0.25 + 1e-8), 14);
    const st = opt.state.get(p)!;
    expect(st.step).toBe(1);
    // m = (1 − 0.9)·g = [0.4, −0.025]
    expect(st.exp_avg.data[0]).toBeCloseTo(0.4, 15);
    expect(st.exp_avg.data[1]).toBeCloseTo(-0.025, 15);
    // v = (1 − 0.999)·g² = [0.001·16, 0.001·0.0625]
    expect(st.exp_avg_sq.data[0]).toBeCloseTo(0.016, 15);
    expect(st.exp_avg_sq.data[1]).toBeCloseTo(0.0000625, 15);
  });

  test("Adam(lr=0.1, weight_decay=0.5): L2 decay enters the gradient before the moments", () => {
    const p = tensorOf([2], [1], "float64", true);
    const opt = new Adam([p], { lr: 0.1, weight_decay: 0.5 });
    setGrad(p, [0]);
    opt.step();
    // g = 0 + 0.5·2 = 1; first Adam step is −γ·g/(|g|+ε) = −0.1/(1+1e-8); θ ≈ 1.9
    expect(p.data[0]).toBeCloseTo(2 - 0.1 / (1 + 1e-8), 14);
  });
});
