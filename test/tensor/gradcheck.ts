/**
 * Test helpers: a seeded RNG (mulberry32 + Box-Muller; independent of torch.manual_seed, which
 * belongs to the random module) and `gradcheck`, which compares autograd's gradients with central
 * finite differences in float64.
 *
 * gradcheck projects the output on a fixed random tensor w (L = sum(f(x) * w)), so every output
 * element contributes, then checks dL/dx_i against (L(x_i + eps) - L(x_i - eps)) / (2 eps).
 */
import { expect } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import * as torch from "../../kernel/src/tensor/index";

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn_like_shape(shape: number[], r: () => number, opts: { lo?: number; hi?: number; normal?: boolean } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (opts.normal === false) d[i] = (opts.lo ?? 0) + r() * ((opts.hi ?? 1) - (opts.lo ?? 0));
    else {
      const u = Math.max(r(), 1e-12);
      const v = r();
      d[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }
  return new Tensor(d, shape, "float64", true);
}

/** Float64 leaf with values in [lo, hi). */
export function uniform(shape: number[], r: () => number, lo = -1, hi = 1): Tensor {
  return randn_like_shape(shape, r, { normal: false, lo, hi });
}

export function randn(shape: number[], r: () => number): Tensor {
  return randn_like_shape(shape, r);
}

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): void {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const r = rng(options.seed ?? 1234);
  for (const x of inputs) {
    x.grad = null;
    expect(x.dtype).toBe("float64");
  }
  const y = fn(...inputs);
  expect(y.dtype).toBe("float64");
  const w = randn_like_shape([...y.shape], r);
  w.requires_grad = false;
  const L = torch.sum(torch.mul(y, w));
  L.backward();
  const loss = (): number => torch.no_grad(() => torch.sum(torch.mul(fn(...inputs), w)).item());
  inputs.forEach((x, k) => {
    if (!x.requires_grad) return;
    const g = x.grad;
    expect(g, `input ${k} got no gradient`).not.toBeNull();
    expect(g!.shape).toEqual(x.shape);
    for (let i = 0; i < x.data.length; i++) {
      const old = x.data[i];
      x.data[i] = old + eps;
      const lp = loss();
      x.data[i] = old - eps;
      const lm = loss();
      x.data[i] = old;
      const num = (lp - lm) / (2 * eps);
      const ana = g!.data[i];
      const tol = atol + rtol * Math.abs(num);
      if (!(Math.abs(num - ana) <= tol)) {
        throw new Error(`gradcheck: input ${k} element ${i}: analytic ${ana} vs numeric ${num} (shape [${x.shape}])`);
      }
    }
  });
}
