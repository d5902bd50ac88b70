/**
 * Gradients of many slices of one tensor (slice_grad.ts, and the engine's in-place sums in
 * autograd.ts): select, narrow, basic index (with steps: non-contiguous), split, chunk and unbind
 * give their input's gradient as a SliceGrad, which autograd adds at the slice's positions into one
 * buffer (or into a leaf's `.grad`) instead of building a full-size tensor per slice.
 *
 * Reference, computed by hand: for loss = Σ_k sum(slice_k(x) · w_k), dloss/dx = Σ_k w_k scattered
 * to the positions slice_k reads; those positions are found by applying the same slice to a tensor
 * holding each element's flat index. Checked on leaves and non-leaves, with overlapping slices,
 * across two backward passes (retain_graph), with hooks and retain_grad, through autograd.grad,
 * and in both float dtypes.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import type { DType } from "../../kernel/src/tensor/tensor";

type Slicer = (x: Tensor) => Tensor[];

/** The slicing patterns under test, each a list of slices of a [6, 5, 4] tensor. */
const CASES: Record<string, Slicer> = {
  "select every step (dim 0)": (x) => Array.from({ length: x.shape[0] }, (_, t) => x.select(0, t)),
  "select along a middle dim, twice each": (x) => [0, 1, 2, 3, 4, 4, 2].map((i) => x.select(1, i)),
  "overlapping narrow windows": (x) => Array.from({ length: x.shape[0] - 2 }, (_, t) => x.narrow(0, t, 3)),
  "non-contiguous index with steps": (x) => [x.index(null, "::2"), x.index("1::3", null, "1:"), x.index("...", "::3"), x.index(2, "1:4", "::2")],
  "unbind dim 0": (x) => x.unbind(0),
  "unbind last dim": (x) => x.unbind(2),
  "chunk dim 1, uneven": (x) => x.chunk(2, 1),
  "split with sizes dim 2, and unbind of one piece": (x) => {
    const [a, b] = x.split([1, 3], 2);
    return [a, ...b.unbind(0)];
  },
  "only some pieces used": (x) => [x.chunk(3, 0)[1], x.unbind(1)[3]],
};

function flatIndex(shape: number[], dtype: DType): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, { dtype }).reshape(shape);
}

/** Random weights per slice, and the gradient Σ_k w_k at slice_k's positions, by hand. */
function reference(slicer: Slicer, shape: number[], dtype: DType, scale = 1): { ws: Tensor[]; grad: number[] } {
  const pos = slicer(flatIndex(shape, "float64"));
  const ws = pos.map((p) => torch.randn(p.shape, { dtype }));
  const grad = new Array(shape.reduce((a, b) => a * b, 1)).fill(0);
  pos.forEach((p, k) => p.data.forEach((at, j) => (grad[at] += scale * ws[k].data[j])));
  return { ws, grad };
}

function loss(slices: Tensor[], ws: Tensor[]): Tensor {
  let l = slices[0].mul(ws[0]).sum();
  for (let k = 1; k < slices.length; k++) l = l.add(slices[k].mul(ws[k]).sum());
  return l;
}

function expectGrad(g: Tensor | null, want: number[], dtype: DType): void {
  expect(g).not.toBeNull();
  expect(g!.dtype).toBe(dtype);
  const got = Array.from(g!.data);
  const tol = dtype === "float32" ? 1e-5 : 1e-12;
  got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]))));
}

const SHAPE = [6, 5, 4];

describe.each(["float64", "float32"] as DType[])("gradients of many slices (%s)", (dtype) => {
  for (const [name, slicer] of Object.entries(CASES)) {
    it(`${name}: of a leaf`, () => {
      const x = torch.randn(SHAPE, { dtype, requires_grad: true });
      const { ws, grad } = reference(slicer, SHAPE, dtype);
      loss(slicer(x), ws).backward();
      expectGrad(x.grad, grad, dtype);
    });

    it(`${name}: of a non-leaf, whose other uses add to it`, () => {
      const x = torch.randn(SHAPE, { dtype, requires_grad: true });
      const { ws, grad } = reference(slicer, SHAPE, dtype, 3);
      const y = x.mul(3);
      // y is also used whole (a dense gradient of 1·3 per element) before and after its slices.
      const l = y.sum().add(loss(slicer(y), ws)).add(y.mul(2).sum());
      l.backward();
      expectGrad(x.grad, grad.map((v) => v + 9), dtype);
    });
  }

  it("accumulates into an existing .grad over two backward passes (retain_graph)", () => {
    const x = torch.randn(SHAPE, { dtype, requires_grad: true });
    const slicer = CASES["overlapping narrow windows"];
    const { ws, grad } = reference(slicer, SHAPE, dtype);
    const l = loss(slicer(x), ws);
    l.backward(undefined, { retain_graph: true });
    l.backward();
    expectGrad(x.grad, grad.map((v) => 2 * v), dtype);
  });

  it("a hook on a sliced leaf sees full-size gradients that add up to .grad, and may replace them", () => {
    const x = torch.randn(SHAPE, { dtype, requires_grad: true });
    const slicer = CASES["select every step (dim 0)"];
    const { ws, grad } = reference(slicer, SHAPE, dtype);
    const seen: Tensor[] = [];
    const handle = x.register_hook((g) => {
      seen.push(g.clone());
      return g.mul(2);
    });
    loss(slicer(x), ws).backward();
    handle.remove();
    expect(seen.length).toBeGreaterThan(0);
    for (const g of seen) expect(g.shape).toEqual(SHAPE);
    let total = seen[0];
    for (const g of seen.slice(1)) total = total.add(g);
    expectGrad(total, grad, dtype);
    expectGrad(x.grad, grad.map((v) => 2 * v), dtype);
  });

  it("a hook and retain_grad on a sliced non-leaf see the summed gradient once", () => {
    const x = torch.randn(SHAPE, { dtype, requires_grad: true });
    const slicer = CASES["unbind dim 0"];
    const { ws, grad } = reference(slicer, SHAPE, dtype);
    const y = x.mul(1);
    y.retain_grad();
    const seen: Tensor[] = [];
    y.register_hook((g) => void seen.push(g.clone()));
    loss(slicer(y), ws).backward();
    expect(seen.length).toBe(1);
    expectGrad(seen[0], grad, dtype);
    expectGrad(y.grad, grad, dtype);
    expectGrad(x.grad, grad, dtype);
  });

  it("autograd.grad returns the summed gradient of a leaf and of a non-leaf, leaving .grad alone", () => {
    const x = torch.randn(SHAPE, { dtype, requires_grad: true });
    const slicer = CASES["non-contiguous index with steps"];
    const { ws, grad } = reference(slicer, SHAPE, dtype);
    const y = x.mul(1);
    const [gx] = torch.autograd.grad(loss(slicer(x), ws), [x]);
    expectGrad(gx, grad, dtype);
    const [gy] = torch.autograd.grad(loss(slicer(y), ws).add(loss(slicer(x), ws)), [y]);
    expectGrad(gy, grad, dtype);
    expect(x.grad).toBeNull();
  });

  it("grad_fn.backward called directly still returns full-size tensors", () => {
    const x = torch.randn(SHAPE, { dtype, requires_grad: true });
    for (const s of [x.select(1, 2), x.narrow(0, 1, 2), x.index(null, "::2"), x.chunk(2, 2)[1], x.split([2, 4], 0)[1]]) {
      const g = torch.ones(s.shape, { dtype });
      const [gx] = s.grad_fn!.backward(g);
      expect(gx).toBeInstanceOf(Tensor);
      expect(gx!.shape).toEqual(SHAPE);
      expect(gx!.sum().item()).toBe(s.numel());
    }
  });
});

it("many slices of a long sequence: the gradient of each step, as a loop over select would give", () => {
  // The pattern of an RNN reading its input step by step; 400 steps of [8, 16].
  const L = 400;
  const x = torch.randn([L, 8, 16], { dtype: "float64", requires_grad: true });
  const w = torch.randn([8, 16], { dtype: "float64" });
  let h = torch.zeros([8, 16], { dtype: "float64" });
  for (let t = 0; t < L; t++) h = h.mul(0.5).add(x.select(0, t).mul(w));
  h.sum().backward();
  // dh_L/dx_t = w · 0.5^(L-1-t)
  const g = x.grad!.data;
  for (let t = L - 1; t >= L - 40; t--) {
    const f = Math.pow(0.5, L - 1 - t);
    for (let j = 0; j < 128; j++) expect(g[t * 128 + j]).toBeCloseTo(w.data[j] * f, 14);
  }
});
