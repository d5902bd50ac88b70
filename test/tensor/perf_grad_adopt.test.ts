/**
 * AccumulateGrad adopting fresh gradients (autograd.ts `fresh_grad`, used by F.linear's backward):
 * a leaf's first `.grad` takes over the storage the backward computed instead of copying it. These
 * check that adoption never lets two tensors share storage that one of them later changes.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { linear } from "../../kernel/src/nn/functional/linear";

function t(data: number[], shape: number[], requires_grad = false): Tensor {
  return new Tensor(Float64Array.from(data), shape, "float64", requires_grad);
}

const X = [1, 2, 3, -1, 0.5, 4];
const W = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6];
const B = [0.01, -0.02];

/** dL/dW and dL/db of sum(linear(x, W, b) * up), computed by hand: gW = upᵀ x, gb = Σ_n up. */
function expected(up: number[]): { gw: number[]; gb: number[] } {
  const gw = new Array(6).fill(0);
  const gb = [0, 0];
  for (let n = 0; n < 2; n++) {
    for (let o = 0; o < 2; o++) {
      gb[o] += up[n * 2 + o];
      for (let i = 0; i < 3; i++) gw[o * 3 + i] += up[n * 2 + o] * X[n * 3 + i];
    }
  }
  return { gw, gb };
}

describe("adopted gradients", () => {
  it("accumulate correctly over two backward passes", () => {
    const w = t(W, [2, 3], true), b = t(B, [2], true), x = t(X, [2, 3]);
    const up = [1, 2, 3, 4];
    linear(x, w, b).backward(t(up, [2, 2]));
    linear(x, w, b).backward(t(up, [2, 2]));
    const e = expected(up);
    expect(Array.from(w.grad!.data)).toEqual(e.gw.map((v) => 2 * v));
    expect(Array.from(b.grad!.data)).toEqual(e.gb.map((v) => 2 * v));
  });

  it("a weight used twice in one graph gets the sum, and the parts stay separate", () => {
    const w = t(W, [2, 3], true), x = t(X, [2, 3]);
    const y = torch.add(linear(x, w), linear(x, w));
    y.backward(t([1, 1, 1, 1], [2, 2]));
    const e = expected([1, 1, 1, 1]);
    expect(Array.from(w.grad!.data)).toEqual(e.gw.map((v) => 2 * v));
  });

  it("a gradient seen by a hook is not adopted (later accumulation must not change it)", () => {
    const w = t(W, [2, 3], true), x = t(X, [2, 3]);
    const seen: Tensor[] = [];
    w.register_hook((g: Tensor) => {
      seen.push(g);
    });
    linear(x, w).backward(t([1, 0, 0, 1], [2, 2]));
    const first = Array.from(seen[0].data);
    linear(x, w).backward(t([1, 0, 0, 1], [2, 2]));
    expect(Array.from(seen[0].data)).toEqual(first);
    expect(w.grad!.data).not.toBe(seen[0].data);
  });

  it("the caller's gradient tensor is never adopted", () => {
    // matmul's backward is not marked fresh; the root gradient passes through untouched.
    const w = t([1, 2, 3], [3], true);
    const g = t([1, 1, 1], [3]);
    torch.mul(w, 1).backward(g);
    torch.mul(w, 1).backward(g);
    expect(Array.from(g.data)).toEqual([1, 1, 1]);
    expect(Array.from(w.grad!.data)).toEqual([2, 2, 2]);
  });

  it("a leaf's adopted .grad is independent of the next step's gradient", () => {
    const w = t(W, [2, 3], true), x = t(X, [2, 3]);
    linear(x, w).backward(t([1, 2, 3, 4], [2, 2]));
    const g1 = w.grad!;
    const v1 = Array.from(g1.data);
    w.grad = null;
    linear(x, w).backward(t([-1, 0, 0, 0], [2, 2]));
    expect(Array.from(g1.data)).toEqual(v1);
    expect(w.grad!.data).not.toBe(g1.data);
  });
});
