/** Forward values, result dtypes, grad_fn names and float32 gradients against PyTorch 2.13 (ops.json). */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";

interface T {
  shape: number[];
  dtype: DType;
  values: (number | string)[];
}
interface Case {
  name: string;
  out: T;
  grad_fn: string | null;
  proj?: T;
  grads?: Record<string, T>;
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/ops.json"), "utf8")) as { inputs: Record<string, T>; cases: Case[] };

const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = dec(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad && (t.dtype === "float32" || t.dtype === "float64"));
}

type X = Record<string, Tensor>;
const L = (v: number[]) => torch.tensor(v, { dtype: "int64" });
const OPS: Record<string, (x: X) => Tensor> = {
  add: (x) => torch.add(x.a, x.b),
  add_alpha: (x) => torch.add(x.a, x.b, { alpha: 0.3 }),
  sub: (x) => torch.sub(x.a, x.c),
  mul: (x) => torch.mul(x.a, x.b),
  div: (x) => torch.div(x.a, x.c),
  div_scalar: (x) => x.a.div(3),
  add_scalar: (x) => x.a.add(0.1),
  pow_scalar: (x) => torch.pow(x.c, 1.5),
  pow_tensor: (x) => torch.pow(x.c, x.b),
  maximum: (x) => torch.maximum(x.a, x.b),
  exp: (x) => torch.exp(x.a),
  log: (x) => torch.log(x.c),
  sqrt: (x) => torch.sqrt(x.c),
  rsqrt: (x) => torch.rsqrt(x.c),
  sigmoid: (x) => torch.sigmoid(x.a),
  tanh: (x) => torch.tanh(x.a),
  relu: (x) => torch.relu(x.a),
  gelu: (x) => torch.gelu(x.a),
  gelu_tanh: (x) => torch.gelu(x.a, { approximate: "tanh" }),
  softmax1: (x) => torch.softmax(x.a, 1),
  log_softmax0: (x) => torch.log_softmax(x.a, 0),
  logsumexp1: (x) => torch.logsumexp(x.a, 1),
  sum: (x) => x.a.sum(),
  sum1: (x) => x.a.sum(1),
  mean0k: (x) => x.a.mean(0, true),
  var1: (x) => x.a.var(1),
  std: (x) => x.a.std(),
  var_c0: (x) => x.p.var({ dim: [0, 2], correction: 0 }),
  norm: (x) => x.a.norm(),
  norm1_dim: (x) => x.a.norm(1, 0),
  prod1: (x) => x.c.prod(1),
  max1: (x) => x.a.max(1).values,
  max1_idx: (x) => x.a.max(1).indices,
  argmin0: (x) => x.a.argmin(0),
  amax: (x) => x.p.amax([0, 2]),
  mm: (x) => x.a.matmul(x.m),
  mv: (x) => x.a.matmul(x.b),
  vm: (x) => x.b.matmul(x.m),
  bmm: (x) => x.p.matmul(x.q),
  batched_2d: (x) => x.p.matmul(x.m),
  t_mm: (x) => x.a.t().matmul(x.a),
  clamp: (x) => x.a.clamp(-0.5, 0.5),
  where: (x) => torch.where(x.a.gt(0), x.a, x.b),
  lerp: (x) => torch.lerp(x.a, x.c, 0.3),
  abs: (x) => x.a.abs(),
  cat1: (x) => torch.cat([x.a, x.c], 1),
  stack: (x) => torch.stack([x.a, x.c]),
  transpose: (x) => x.p.transpose(0, 2),
  permute: (x) => x.p.permute(1, 2, 0),
  expand: (x) => x.b.expand(2, 3, 4),
  index_slice: (x) => x.p.index(1, "0:2", "::2"),
  gather: (x) => x.a.gather(1, L([0, 3, 1, 1, 2, 0]).reshape(3, 2)),
  index_select: (x) => x.a.index_select(1, L([3, 0, 3])),
  masked_fill: (x) => x.a.masked_fill(x.a.gt(0.5), -1.0),
  int_add_float: (x) => x.i.add(x.a),
  int_mul_int_scalar: (x) => x.i.mul(2),
  int_add_float_scalar: (x) => x.i.add(2.5),
  int_div_int: (x) => x.i.div(2),
  float_add_f64_0dim: (x) => x.a.add(x.s64),
  float_add_f64: (x) => x.a.add(x.d),
  int_add_f64_0dim: (x) => x.i.add(x.s64),
  bool_mul_int: (x) => x.k.mul(x.i),
  bool_add_bool: (x) => x.k.add(x.k),
  bool_add_float: (x) => x.k.add(x.w),
  int_sum: (x) => x.i.sum(1),
  int_max: (x) => x.i.max(),
  int_floor_div: (x) => torch.div(x.i, 3, { rounding_mode: "floor" }),
  int_trunc_div: (x) => torch.div(x.i, 3, { rounding_mode: "trunc" }),
  float_remainder: (x) => torch.remainder(x.a, 0.3),
  gt: (x) => x.a.gt(x.b),
  eq_int: (x) => x.i.eq(3),
  isfinite: () => torch.isfinite(torch.tensor([1, Infinity, NaN])),
  all1: (x) => x.a.gt(-1).all(1),
  any0: (x) => x.a.gt(1).any(0),
  linspace: () => torch.linspace(-1, 1, 7),
  arange_float: () => torch.arange(0, 1, 0.1),
  arange_int: () => torch.arange(2, 11, 3),
  linspace_f64: () => torch.linspace(0, 1, 11, { dtype: "float64" }),
  cumsum1: (x) => x.a.cumsum(1),
  cumprod0: (x) => x.c.cumprod(0),
  sort1: (x) => x.a.sort(1).values,
  sort_desc_idx: (x) => x.a.sort(0, true).indices,
  topk2: (x) => x.a.topk(2).values,
  flip: (x) => x.p.flip(0, 2),
  repeat: (x) => x.b.repeat(2, 2),
  tril: (x) => x.a.tril(),
  triu1: (x) => x.a.triu(1),
  index_tensor: (x) => x.a.index(L([2, 0, 2])),
  index_mask: (x) => x.a.index(x.a.gt(0)),
  masked_select: (x) => x.a.masked_select(x.a.gt(0)),
  split_last: (x) => x.a.split(3, 1)[1],
  chunk0: (x) => x.p.chunk(2, 0)[0],
  unbind1: (x) => x.a.unbind(1)[2],
  std_keep: (x) => x.p.std(1, { keepdim: true }),
  norm_inf: (x) => x.a.norm(Infinity, 1),
  softplus: (x) => torch.softplus(x.a),
  silu: (x) => torch.silu(x.a),
  leaky_relu: (x) => torch.leaky_relu(x.a, 0.1),
  expm1: (x) => torch.expm1(x.a),
  log1p: (x) => torch.log1p(x.c),
  reciprocal: (x) => x.c.reciprocal(),
  square: (x) => x.a.square(),
  minimum: (x) => torch.minimum(x.a, x.c),
  where_scalar: (x) => torch.where(x.a.gt(0), x.a, 0.0),
  scatter_add: (x) => x.a.scatter_add(1, L([0, 0, 1, 3, 2, 2]).reshape(3, 2), x.c.index(null, ":2")),
  clamp_tensor: (x) => x.a.clamp({ min: x.c.neg().add(1), max: x.c.sub(0.5) }),
  clamp_min: (x) => torch.clamp_min(x.a, 0.1),
  pow_base: (x) => torch.pow(2.0, x.a),
  rsub: (x) => torch.rsub(x.a, 1),
  sin: (x) => x.a.sin(),
  mean_dims: (x) => x.p.mean([0, 2]),
  sum_keep: (x) => x.p.sum(-1, true),
  prod_all: (x) => x.c.prod(),
  min_all: (x) => x.a.min(),
  logsumexp_dims: (x) => torch.logsumexp(x.p, [1, 2]),
  outer: (x) => torch.outer(x.b, x.w),
  dot: (x) => torch.dot(x.b, x.w),
  squeeze_unsqueeze: (x) => x.b.unsqueeze(0).unsqueeze(2).squeeze(),
  view_flatten: (x) => x.p.flatten(1).view(-1, 2),
  narrow: (x) => x.a.narrow(1, 1, 2),
  select: (x) => x.p.select(2, -1),
  T: (x) => x.a.T,
  mT: (x) => x.p.mT,
  to_f64: (x) => x.a.double(),
  clone: (x) => x.a.clone(),
  hstack: (x) => torch.hstack([x.b, x.w]),
  vstack: (x) => torch.vstack([x.b, x.w]),
  isclose: (x) => torch.isclose(x.a, x.a.add(1e-6)),
  logical_not: (x) => torch.logical_not(x.k),
  round_half_even: () => torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])),
};

function close(actual: Tensor, expected: T, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  const exact = expected.dtype === "int64" || expected.dtype === "bool";
  expected.values.forEach((v, i) => {
    const e = dec(v);
    const a = actual.data[i];
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${what}[${i}]`).toBe(true);
    else if (exact) expect(a, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(2e-6 + 1e-5 * Math.abs(e));
  });
}

describe("ops against PyTorch", () => {
  it("covers every fixture case", () => {
    expect(fx.cases.map((c) => c.name).filter((n) => !(n in OPS))).toEqual([]);
  });
  for (const c of fx.cases) {
    it(c.name, () => {
      const x: X = {};
      for (const [k, v] of Object.entries(fx.inputs)) x[k] = build(v, true);
      const out = OPS[c.name](x);
      close(out, c.out, "output");
      expect(out.grad_fn?.name() ?? null, "grad_fn").toBe(c.grad_fn);
      if (c.grads) {
        torch.sum(torch.mul(out, build(c.proj!))).backward();
        for (const [k, g] of Object.entries(c.grads)) {
          expect(x[k].grad, `grad of ${k}`).not.toBeNull();
          close(x[k].grad!, g, `grad of ${k}`);
        }
        for (const k of Object.keys(x)) if (!(k in c.grads)) expect(x[k].grad, `no grad for ${k}`).toBeNull();
      }
    });
  }
});
