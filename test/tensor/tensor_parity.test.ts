/**
 * Fixes of a power user's report against PyTorch 2.13 (tensor_parity.json, from
 * test/fixtures/generate_tensor_parity.py): var / std / var_mean / std_mean's positional
 * `unbiased` (finding 1), var / std gradients at constant slices (3), a 0-dim value tensor's
 * gradient in masked_fill / masked_fill_ / fill_ (7), index()'s "None" new axis (8), norm(p < 1)
 * at zeros (9), bool masks over some dims in index() (10), topk's indices among ties (14),
 * sign / sgn of NaN (15) and the bool-subtraction errors (16). Values, shapes, dtypes, gradients
 * and messages are PyTorch's.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";
import type { IndexSpec } from "../../kernel/src/tensor/indexing";

interface T {
  shape: number[];
  dtype: DType;
  values: (number | string)[];
}
type Arg = number | boolean | null | number[] | Record<string, unknown>;
type Entry = number | string | { mask: unknown } | { long: number[] };

const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/tensor_parity.json"), "utf8")) as {
  X: Record<string, unknown>;
  var_std: {
    cases: { op: string; form: string; x: string; args: Arg[]; outs: T[]; weights: T[]; grad: T }[];
    errors: { op: string; args: Arg[]; message: string }[];
  };
  var_grad: { cases: { op: string; x: T; options: Record<string, unknown>; out: T; grad: T }[]; normalise: { x: T; grad: T } };
  fill: {
    x: T;
    w: T;
    mask: T;
    cases: { op: string; x_requires_grad: boolean; value_dtype: DType; out: T; grad_fn: string; value_grad: T; x_grad: T | null }[];
  };
  norm: { x: T; p: number; dim: number | null; out: T; grad: T }[];
  index: {
    cases: { x: string; shape: number[]; index: Entry[]; out: T; weights: T; grad: T }[];
    errors: { x: string; shape: number[]; index: Entry[]; message: string }[];
  };
  topk: {
    cases: { x: (number | string)[]; k: number; largest: boolean; sorted: boolean; values: T; indices: number[] }[];
    dim0: { x: T; values: T; indices: number[][]; grad: T };
  };
  sign: { cases: { x: T; sign: T; sgn: T; sign_signbit?: boolean[]; sgn_signbit?: boolean[] }[]; grad_sign: T; grad_sgn: T };
  sub_bool: { cases: { a: string | number | boolean; b: string | number | boolean; message: string }[]; inplace: { self: string; other: string; message: string }[] };
};

const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = dec(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad);
}

/** Same shape, dtype and values (NaN where NaN, +-inf where +-inf; float32 to rounding). */
function same(got: Tensor | null, want: T, what: string): void {
  expect(got, what).not.toBeNull();
  const g = got as Tensor;
  expect([...g.shape], `${what}: shape`).toEqual(want.shape);
  expect(g.dtype, `${what}: dtype`).toBe(want.dtype);
  want.values.forEach((w, i) => {
    const v = g.data[i];
    const e = dec(w);
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(v, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(v - e), `${what}[${i}]: ${v} vs ${e}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
  });
}

const fmask = (m: unknown): Tensor => torch.tensor(m as boolean[], { dtype: "bool" });
const entry = (e: Entry): IndexSpec => {
  if (typeof e === "object" && e !== null && "mask" in e) return fmask(e.mask);
  if (typeof e === "object" && e !== null && "long" in e) return torch.tensor(e.long, { dtype: "int64" });
  return e as IndexSpec;
};

describe("var / std / var_mean / std_mean: PyTorch's overloads (finding 1)", () => {
  it("a boolean after dim is unbiased, not keepdim: values, shapes and gradients as PyTorch", () => {
    const call = torch as unknown as Record<string, (...a: unknown[]) => Tensor | Tensor[]>;
    for (const c of fx.var_std.cases) {
      const x = torch.tensor(fx.X[c.x] as number[][], { requires_grad: true });
      const args = c.args.map((a) => (a === null ? null : a));
      const out = c.form === "function" ? call[c.op](x, ...args) : (x as unknown as Record<string, (...a: unknown[]) => Tensor>)[c.op](...args);
      const outs = Array.isArray(out) ? out : [out];
      const what = `${c.form} ${c.op}(${JSON.stringify(c.args)})`;
      outs.forEach((o, k) => same(o, c.outs[k], `${what} out ${k}`));
      outs.map((o, k) => o.double().mul(build(c.weights[k])).sum()).reduce((a, b) => a.add(b)).backward();
      same(x.grad, c.grad, `${what} grad`);
    }
  });

  it("the positional forms type-check as PyTorch's (dim, unbiased, keepdim) and (unbiased)", () => {
    const x = torch.tensor([[1, 2, 4], [3, 3, 9]]);
    expect(x.var(1, false).tolist()).toEqual([expect.closeTo(1.5556, 4), 8]);
    expect(x.std(1, true, true).shape).toEqual([2, 1]);
    expect(x.var(1, false, { keepdim: true }).shape).toEqual([2, 1]);
    expect(torch.var(x, false).item()).toBeCloseTo(6.5556, 4);
    expect(torch.std(x, [0, 1], false).item()).toBeCloseTo(2.5604, 4);
    expect(torch.var_mean(x, 1, false)[0].tolist()).toEqual([expect.closeTo(1.5556, 4), 8]);
    expect(torch.std_mean(x, 1, false, true)[1].shape).toEqual([2, 1]);
    expect(torch.std_mean(x, true)[0].item()).toBeCloseTo(2.8048, 4);
    expect(x.var(1, { correction: 0, keepdim: true }).shape).toEqual([2, 1]);
    // JavaScript's undefined for a positional unbiased is its default (true)
    const v = (x as unknown as { var: (...a: unknown[]) => Tensor }).var(1, undefined, true);
    expect(v.shape).toEqual([2, 1]);
    expect(v.flatten().tolist()).toEqual([expect.closeTo(2.3333, 4), 12]);
  });

  it("other combinations are PyTorch's 'invalid combination of arguments' TypeError", () => {
    const x = torch.tensor(fx.X.m as number[][]);
    const call = torch as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const e of fx.var_std.errors) {
      // PyTorch's function form names the input tensor first; lrlab's message is the method's (no "Tensor, ")
      const first = e.message.replace("got (Tensor, ", "got (");
      expect(() => call[e.op](x, ...e.args), `${e.op}(${JSON.stringify(e.args)})`).toThrow(TypeError);
      try {
        call[e.op](x, ...e.args);
      } catch (err) {
        expect((err as Error).message.split("\n")[0]).toBe(first);
        expect((err as Error).message).toMatch(/\(dim: number \| number\[\], unbiased: boolean = true, keepdim: boolean = false\)/);
      }
    }
  });
});

describe("var / std gradients at constant slices and dof <= 0 (finding 3)", () => {
  it("std of a constant slice has a zero gradient; NaN / inf where PyTorch has them", () => {
    const call = torch as unknown as Record<string, (...a: unknown[]) => Tensor>;
    for (const c of fx.var_grad.cases) {
      const x = build(c.x, true);
      const out = call[c.op](x, { ...c.options });
      const what = `${c.op}(${JSON.stringify(c.x.values)}, ${JSON.stringify(c.options)}) ${c.x.dtype}`;
      same(out, c.out, what);
      out.sum().backward();
      same(x.grad, c.grad, `${what} grad`);
    }
  });

  it("the report's normalisation with a constant row: no NaN, PyTorch's gradient", () => {
    const h = build(fx.var_grad.normalise.x, true);
    h.sub(h.mean(1, true)).div(h.std(1, { keepdim: true }).add(1e-5)).pow(2).sum().backward();
    same(h.grad, fx.var_grad.normalise.grad, "grad");
  });
});

describe("masked_fill / masked_fill_ / fill_ with a 0-dim value that requires grad (finding 7)", () => {
  it("the value gets its gradient (the sum of g where it was written), x keeps its own", () => {
    const w = build(fx.fill.w);
    const m = build(fx.fill.mask);
    for (const c of fx.fill.cases) {
      const x = build(fx.fill.x, c.x_requires_grad);
      const v = torch.tensor(7, { dtype: c.value_dtype, requires_grad: true });
      let y: Tensor;
      if (c.op === "masked_fill") y = x.masked_fill(m, v);
      else {
        y = x.mul(1);
        if (c.op === "masked_fill_") y.masked_fill_(x.gt(1.5), v);
        else y.fill_(v);
      }
      const what = `${c.op} x.requires_grad=${c.x_requires_grad} value ${c.value_dtype}`;
      same(y, c.out, what);
      expect(y.grad_fn?.name(), what).toBe(c.grad_fn);
      y.mul(w).sum().backward();
      same(v.grad, c.value_grad, `${what}: value grad`);
      if (c.x_grad === null) expect(x.grad, what).toBeNull();
      else same(x.grad, c.x_grad, `${what}: x grad`);
    }
  });
});

describe("norm(p) at zero elements (finding 9)", () => {
  it("p < 1 (and negative p, 1 < p < 2) gives a zero gradient at a zero element, as PyTorch", () => {
    for (const c of fx.norm) {
      for (const form of ["norm", "vector_norm"]) {
        const x = build(c.x, true);
        const out = form === "norm" ? (c.dim === null ? x.norm(c.p) : x.norm(c.p, c.dim)) : torch.linalg.vector_norm(x, c.p, c.dim);
        const what = `${form}(${JSON.stringify(c.x.values)}, ${c.p}, dim ${c.dim}) ${c.x.dtype}`;
        same(out, c.out, what);
        out.sum().backward();
        same(x.grad, c.grad, `${what} grad`);
      }
    }
  });
});

describe("index(): bool masks over some dims (finding 10) and \"None\" as a new axis (finding 8)", () => {
  it("values, shapes and gradients as PyTorch's x[...]", () => {
    for (const c of fx.index.cases) {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const x = torch.arange(n, { dtype: "float32" }).reshape(c.shape).requires_grad_();
      const out = x.index(...c.index.map(entry));
      const what = `x${JSON.stringify(c.shape)}.index(${JSON.stringify(c.index)})`;
      same(out, c.out, what);
      out.double().mul(build(c.weights)).sum().backward();
      same(x.grad, c.grad, `${what} grad`);
    }
  });

  it("a mask whose shape does not match gives PyTorch's message (no 'must be long or bool (got bool)')", () => {
    for (const e of fx.index.errors) {
      const n = e.shape.reduce((a, b) => a * b, 1);
      const x = torch.arange(n, { dtype: "float32" }).reshape(e.shape);
      expect(() => x.index(...e.index.map(entry)), JSON.stringify(e.index)).toThrow(e.message);
    }
    const X = torch.arange(6, { dtype: "float32" }).reshape([3, 2]);
    expect(() => X.index(torch.tensor([0.5]))).toThrow("tensors used as indices must be long, int, byte or bool tensors (got float32 at position 0)");
  });

  it("null stays a whole dim (':'); the report's rows: X[keep] and X[keep, 0]", () => {
    const X = torch.arange(12, { dtype: "float32" }).reshape([3, 4]);
    expect(X.index(null, 1).tolist()).toEqual([1, 5, 9]);
    expect(X.index("None", 1).tolist()).toEqual([[4, 5, 6, 7]]);
    const R = torch.arange(6, { dtype: "float32" }).reshape([3, 2]);
    const keep = torch.tensor([true, false, true], { dtype: "bool" });
    expect(R.index(keep).tolist()).toEqual([[0, 1], [4, 5]]);
    expect(R.index(keep, 0).tolist()).toEqual([0, 4]);
  });
});

describe("topk picks among ties as PyTorch's CPU kernel (finding 14)", () => {
  it("indices and values of tie-heavy slices (partial_sort and nth_element paths, NaN, sorted: false)", () => {
    for (const c of fx.topk.cases) {
      const x = torch.tensor(c.x.map(dec), { dtype: "float32" });
      const r = torch.topk(x, c.k, { largest: c.largest, sorted: c.sorted });
      const what = `topk(${JSON.stringify(c.x)}, ${c.k}, largest ${c.largest}, sorted ${c.sorted})`;
      expect(r.indices.tolist(), what).toEqual(c.indices);
      same(r.values, c.values, what);
    }
    // the positional form
    expect(torch.topk(torch.tensor([1, 3, 3, 2, 5]), 3).indices.tolist()).toEqual([4, 2, 1]);
    expect(torch.tensor([2, 2, 2, 2]).topk(3, -1, false).indices.tolist()).toEqual([2, 3, 0]);
  });

  it("along dim 0: indices, and the gradient lands at them", () => {
    const d = fx.topk.dim0;
    const x = build(d.x, true);
    const r = torch.topk(x, 2, 0);
    expect(r.indices.tolist()).toEqual(d.indices);
    same(r.values, d.values, "values");
    r.values.mul(torch.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    same(x.grad, d.grad, "grad");
  });
});

describe("sign / sgn (finding 15)", () => {
  it("sign(NaN) = 0 and sgn = sign on real tensors, as PyTorch's CPU kernels; zero gradients", () => {
    for (const c of fx.sign.cases) {
      const x = build(c.x);
      same(x.sign(), c.sign, `sign ${c.x.dtype}`);
      same(torch.sgn(x), c.sgn, `sgn ${c.x.dtype}`);
      if (c.sign_signbit) expect(torch.signbit(x.sign()).tolist()).toEqual(c.sign_signbit);
      if (c.sgn_signbit) expect(torch.signbit(x.sgn()).tolist()).toEqual(c.sgn_signbit);
    }
    const x = torch.tensor([NaN, 1, -0], { requires_grad: true });
    x.sign().sum().backward();
    same(x.grad, fx.sign.grad_sign, "sign grad");
    const z = torch.tensor([NaN, 1, -0], { requires_grad: true });
    z.sgn().sum().backward();
    same(z.grad, fx.sign.grad_sgn, "sgn grad");
  });
});

describe("subtraction with a bool operand (finding 16)", () => {
  it("refused with PyTorch's messages: xor for two bools, logical_not for one", () => {
    const t: Record<string, Tensor> = {
      b: torch.tensor([true, false], { dtype: "bool" }),
      f: torch.tensor([1, 2]),
      i: torch.tensor([2, 3], { dtype: "int64" }),
    };
    const arg = (v: string | number | boolean) => (typeof v === "string" ? t[v] : v);
    for (const c of fx.sub_bool.cases) {
      expect(() => torch.sub(arg(c.a) as Tensor, arg(c.b)), `${c.a} - ${c.b}`).toThrow(c.message);
    }
    for (const c of fx.sub_bool.inplace) {
      expect(() => t[c.self].clone().sub_(t[c.other]), `${c.self}.sub_(${c.other})`).toThrow(c.message);
    }
  });
});
