/**
 * `{ dim, keepdim }` (Python's keywords) work for every op that reduces or scans along a dim, as
 * they do for sum and mean. Values from PyTorch 2.13:
 *   x = torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]])
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

const x = () => torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]]);

function close(a: unknown, e: number[] | number[][], what: string): void {
  const av = (a as number[]).flat() as number[];
  const ev = e.flat() as number[];
  expect(av.length, what).toBe(ev.length);
  av.forEach((v, i) => expect(Math.abs(v - ev[i]), `${what}[${i}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(ev[i]))));
}

describe("{ dim, keepdim } options", () => {
  it("max and min", () => {
    // x.max(dim=1) -> values [2., 3.], indices [2, 0]; x.max(1, keepdim=True).values -> [[2.], [3.]]
    // x.min(dim=0) -> values [0.5, -1., -2.], indices [0, 0, 1]
    const m = x().max({ dim: 1 });
    expect(m.values.tolist()).toEqual([2, 3]);
    expect(m.indices.tolist()).toEqual([2, 0]);
    expect(x().max(1, { keepdim: true }).values.tolist()).toEqual([[2], [3]]);
    expect(x().max({ dim: 1, keepdim: true }).indices.tolist()).toEqual([[2], [0]]);
    const n = torch.min(x(), { dim: 0 });
    expect(n.values.tolist()).toEqual([0.5, -1, -2]);
    expect(n.indices.tolist()).toEqual([0, 0, 1]);
  });

  it("argmax and argmin", () => {
    // x.argmax(dim=1, keepdim=True) -> [[2], [0]]; x.argmin(dim=1) -> [1, 2]
    expect(x().argmax({ dim: 1, keepdim: true }).tolist()).toEqual([[2], [0]]);
    expect(x().argmin({ dim: 1 }).tolist()).toEqual([1, 2]);
    expect(torch.argmax(x(), 1, { keepdim: true }).tolist()).toEqual([[2], [0]]);
  });

  it("logsumexp, amax and amin", () => {
    // x.logsumexp(dim=1) -> [2.2413113117218018, 3.0682806968688965]; x.logsumexp(dim=[0, 1], keepdim=True) -> [[3.4310977458953857]]
    // x.amax(dim=0) -> [3., 0.25, 2.]; x.amin(dim=[0, 1]) -> -2.
    close(x().logsumexp({ dim: 1 }).tolist(), [2.2413113117218018, 3.0682806968688965], "logsumexp");
    const l = x().logsumexp({ dim: [0, 1], keepdim: true });
    expect(l.shape).toEqual([1, 1]);
    close(l.tolist(), [[3.4310977458953857]], "logsumexp all");
    expect(x().amax({ dim: 0 }).tolist()).toEqual([3, 0.25, 2]);
    expect(x().amin({ dim: [0, 1] }).tolist()).toEqual(-2);
  });

  it("cumsum, cumprod and softmax", () => {
    // x.cumsum(dim=1) -> [[0.5, -0.5, 1.5], [3., 3.25, 1.25]]; x.cumsum(1, dtype=torch.float64).dtype -> float64
    // x.cumprod(dim=0) -> [[0.5, -1., 2.], [1.5, -0.25, -4.]]
    // x.softmax(dim=1) -> [[0.17529039084911346, 0.03911257162690163, 0.785597026348114], [0.9339982271194458, 0.05970850586891174, 0.006293230690062046]]
    expect(x().cumsum({ dim: 1 }).tolist()).toEqual([[0.5, -0.5, 1.5], [3, 3.25, 1.25]]);
    expect(x().cumsum(1, { dtype: "float64" }).dtype).toBe("float64");
    expect(x().cumsum({ dim: 1, dtype: "float64" }).dtype).toBe("float64");
    expect(torch.cumprod(x(), { dim: 0 }).tolist()).toEqual([[0.5, -1, 2], [1.5, -0.25, -4]]);
    close(x().softmax({ dim: 1 }).tolist(), [[0.17529039084911346, 0.03911257162690163, 0.785597026348114], [0.9339982271194458, 0.05970850586891174, 0.006293230690062046]], "softmax");
    close(torch.log_softmax(x(), { dim: 1 }).exp().tolist(), [[0.17529039084911346, 0.03911257162690163, 0.785597026348114], [0.9339982271194458, 0.05970850586891174, 0.006293230690062046]], "log_softmax");
  });

  it("a bad option says what is allowed", () => {
    // x.max(dim=[0, 1]) -> TypeError (max takes one int dim); x.max(dims=1) -> unexpected keyword argument 'dims'
    expect(() => x().max({ dim: [0, 1] } as never)).toThrow("max(): argument 'dim' must be an int");
    expect(() => x().max({ dims: 1 } as never)).toThrow("max() got an unexpected keyword argument 'dims' (allowed: dim, keepdim)");
    expect(() => x().cumsum({ dims: 1 } as never)).toThrow("cumsum() got an unexpected keyword argument 'dims' (allowed: dim, dtype)");
    expect(() => x().cumsum({} as never)).toThrow('cumsum() missing 1 required positional arguments: "dim"');
    expect(() => x().logsumexp({} as never)).toThrow("logsumexp() missing required argument 'dim'");
  });
});
