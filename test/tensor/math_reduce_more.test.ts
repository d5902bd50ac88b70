/**
 * math_more.ts, reduce_more.ts, logspace.ts and bitwise.ts against PyTorch 2.13 (math_reduce_more.json, from
 * test/fixtures/generate_math_reduce_more.py): every output's values, shape and dtype, the grad_fn
 * name, the gradient of sum_k sum(out_k * w_k) w.r.t. every floating input (and none for the
 * others), PyTorch's errors for bad arguments; then gradchecks in float64 and API checks (method
 * forms, named tuples, options objects).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { DType, Tensor } from "../../kernel/src/tensor/tensor";
import { gradcheck, rng, uniform } from "./gradcheck";
import { introsort, nth_element } from "../../kernel/src/tensor/select_order";

interface T {
  shape: number[];
  dtype: DType;
  values: (number | string)[];
}
interface Case {
  name: string;
  outs: T[];
  grad_fn: string | null;
  projs?: T[];
  grads?: Record<string, T>;
}
interface ErrorCase {
  name: string;
  type: string;
  message: string;
}
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/math_reduce_more.json"), "utf8")) as {
  inputs: Record<string, T>;
  cases: Case[];
  errors: ErrorCase[];
};

const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));

function build(t: T, requires_grad = false): Tensor {
  const data = t.dtype === "float32" ? new Float32Array(t.values.length) : new Float64Array(t.values.length);
  t.values.forEach((v, i) => (data[i] = dec(v)));
  return new Tensor(data, t.shape, t.dtype, requires_grad && (t.dtype === "float32" || t.dtype === "float64"));
}

type X = Record<string, Tensor>;
type Out = Tensor | Iterable<Tensor>;
const f64 = (v: number[]) => torch.tensor(v, { dtype: "float64" });

const OPS: Record<string, (x: X) => Out> = {
  tan: (x) => torch.tan(x.a),
  tan_f64: (x) => x.d.tan(),
  tan_int: (x) => torch.tan(x.i),
  asin: (x) => torch.asin(x.u),
  arcsin_f64: (x) => torch.arcsin(x.du),
  acos: (x) => x.du.acos(),
  atan: (x) => torch.atan(x.d),
  arctan_f32: (x) => x.a.arctan(),
  sinh: (x) => torch.sinh(x.d),
  cosh: (x) => torch.cosh(x.a),
  asinh: (x) => torch.asinh(x.d),
  acosh: (x) => torch.acosh(x.dp),
  acosh_nan: (x) => torch.acosh(x.d),
  atanh: (x) => torch.atanh(x.du),
  arctanh_f32: (x) => torch.arctanh(x.u),
  sinh_bool: (x) => torch.sinh(x.k),
  atan2: (x) => torch.atan2(x.a, x.b),
  atan2_f64_f32: (x) => torch.atan2(x.d, x.a),
  arctan2_int: (x) => torch.arctan2(x.i, x.j),
  atan2_zeros: (x) => torch.atan2(x.z2, x.z),
  deg2rad: (x) => torch.deg2rad(x.d),
  rad2deg_f32: (x) => x.a.rad2deg(),
  deg2rad_int: (x) => torch.deg2rad(x.i),
  hypot: (x) => torch.hypot(x.d, x.e),
  hypot_bcast: (x) => torch.hypot(x.a, x.b),
  trunc: (x) => torch.trunc(x.d.mul(3)),
  fix_f32: (x) => torch.fix(x.a.mul(3)),
  trunc_int: (x) => torch.trunc(x.i),
  frac: (x) => torch.frac(x.d.mul(3)),
  frac_special: (x) => torch.frac(x.z),
  erfinv: (x) => torch.erfinv(x.ein),
  erfinv_f32: (x) => torch.erfinv(x.u),
  erfinv_f64_grad: (x) => torch.erfinv(x.du),
  signbit: (x) => torch.signbit(x.z),
  signbit_f32: (x) => x.zf.signbit(),
  signbit_int: (x) => torch.signbit(x.i),
  nan_to_num: (x) => torch.nan_to_num(x.z),
  nan_to_num_f32: (x) => torch.nan_to_num(x.zf),
  nan_to_num_args: (x) => torch.nan_to_num(x.z, { nan: 7.0, posinf: 100.0, neginf: -50.0 }),
  nan_to_num_kw_posinf: (x) => x.zf.nan_to_num({ posinf: 1e39 }),
  nan_to_num_int: (x) => torch.nan_to_num(x.i),
  fmod: (x) => torch.fmod(x.d.mul(4), x.e),
  fmod_scalar: (x) => torch.fmod(x.a.mul(4), 1.5),
  fmod_int: (x) => torch.fmod(x.i, x.j),
  fmod_int_scalar: (x) => torch.fmod(x.i, 3),
  fmod_int_float: (x) => torch.fmod(x.i, 2.5),
  float_power: (x) => torch.float_power(x.c, x.a),
  float_power_scalar: (x) => torch.float_power(x.a, 2),
  float_power_int: (x) => torch.float_power(x.i, 2),
  float_power_base: (x) => torch.float_power(2.5, x.a),
  fmax: (x) => torch.fmax(x.z, x.z2),
  fmin: (x) => torch.fmin(x.z, x.z2),
  fmax_bcast: (x) => torch.fmax(x.a, x.b),
  fmin_ties: (x) => torch.fmin(x.d, x.d.round()),
  fmax_int: (x) => x.i.fmax(x.j),
  logaddexp: (x) => torch.logaddexp(x.d, x.e),
  logaddexp_f32: (x) => torch.logaddexp(x.a.mul(30), x.b),
  logaddexp_inf: (x) => torch.logaddexp(x.z, x.z2),
  logaddexp2: (x) => torch.logaddexp2(x.d, x.e),
  logaddexp2_f32: (x) => x.a.logaddexp2(x.b),
  copysign: (x) => torch.copysign(x.d, x.e),
  copysign_zero: (x) => torch.copysign(x.z2, x.z),
  copysign_scalar: (x) => torch.copysign(x.a, -1),
  copysign_int: (x) => torch.copysign(x.i, x.j),
  xlogy: (x) => torch.xlogy(x.d, x.dp),
  xlogy_zero: (x) => torch.xlogy(x.z2, x.z),
  xlogy_scalar_self: (x) => torch.xlogy(2, x.c),
  xlogy_scalar_other: (x) => torch.xlogy(x.a, 3),
  xlogy_int: (x) => torch.xlogy(x.i, x.j),
  // reductions
  median_all: (x) => torch.median(x.t),
  median_all_nan: (x) => x.n.median(),
  median_dim: (x) => torch.median(x.t, 1),
  median_dim0_keep: (x) => torch.median(x.t, 0, { keepdim: true }),
  median_nan_dim: (x) => torch.median(x.n, 1),
  median_f32: (x) => x.sf.median(0),
  median_int: (x) => x.i.median(1),
  median_int_all: (x) => x.i.median(),
  median_empty: () => torch.median(torch.tensor([])),
  median_empty_dim: () => torch.median(torch.zeros(0, 3), 1),
  nanmedian_all: (x) => torch.nanmedian(x.n),
  nanmedian_dim: (x) => torch.nanmedian(x.n, 1),
  nanmedian_dim0: (x) => x.n.nanmedian(0, true),
  mode: (x) => torch.mode(x.t),
  mode_dim0: (x) => x.tf.mode(0),
  mode_keep: (x) => torch.mode(x.tf, 1, { keepdim: true }),
  mode_int: (x) => x.i.mode(0),
  quantile: (x) => torch.quantile(x.s, 0.3),
  quantile_dim: (x) => torch.quantile(x.s, 0.3, { dim: 1 }),
  quantile_q_tensor: (x) => torch.quantile(x.s, x.qv, { dim: 0 }),
  quantile_keep: (x) => torch.quantile(x.s, x.qv, { dim: 1, keepdim: true }),
  quantile_all_keep: (x) => torch.quantile(x.p3, 0.7, { keepdim: true }),
  quantile_lower: (x) => torch.quantile(x.t, x.qv, { dim: 1, interpolation: "lower" }),
  quantile_higher: (x) => torch.quantile(x.t, x.qv, 1, false, { interpolation: "higher" }),
  quantile_nearest: (x) => torch.quantile(x.t, x.qv, 1, { interpolation: "nearest" }),
  quantile_midpoint: (x) => torch.quantile(x.t, x.qv, { dim: 1, interpolation: "midpoint" }),
  quantile_linear_ties: (x) => torch.quantile(x.t, f64([0.4, 0.6]), 1),
  quantile_f32: (x) => x.sf.quantile(x.qf, 1),
  quantile_f32_nearest: (x) => x.sf.quantile(0.5, 0, { interpolation: "nearest" }),
  quantile_nan: (x) => torch.quantile(x.n, 0.5, 1),
  quantile_p3_dim: (x) => torch.quantile(x.p3, 0.25, -2),
  nanquantile: (x) => torch.nanquantile(x.n, x.qv, 1),
  nanquantile_all: (x) => torch.nanquantile(x.n, 0.4),
  nanquantile_lower: (x) => x.n.nanquantile(0.6, 1, { interpolation: "lower" }),
  nansum: (x) => torch.nansum(x.n),
  nansum_dim: (x) => torch.nansum(x.n, 1),
  nansum_dims_keep: (x) => x.n.nansum([0, 1], { keepdim: true }),
  nansum_int: (x) => torch.nansum(x.i, 0),
  nansum_f32: (x) => x.zf.nansum(),
  nanmean: (x) => torch.nanmean(x.n),
  nanmean_dim: (x) => torch.nanmean(x.n, 1),
  nanmean_dim0_keep: (x) => x.n.nanmean(0, { keepdim: true }),
  var_mean: (x) => torch.var_mean(x.s),
  var_mean_dim: (x) => torch.var_mean(x.s, 1),
  var_mean_corr: (x) => torch.var_mean(x.p3, { dim: [0, 2], correction: 0, keepdim: true }),
  var_mean_unbiased: (x) => torch.var_mean(x.sf, 0, { unbiased: false }),
  std_mean: (x) => torch.std_mean(x.s),
  std_mean_dim: (x) => torch.std_mean(x.sf, 1, { keepdim: true }),
  std_mean_corr2: (x) => torch.std_mean(x.s, { dim: 0, correction: 2 }),
  aminmax: (x) => torch.aminmax(x.t),
  aminmax_dim: (x) => torch.aminmax(x.t, { dim: 1 }),
  aminmax_keep: (x) => x.sf.aminmax({ dim: 0, keepdim: true }),
  aminmax_int: (x) => x.i.aminmax({ dim: -1 }),
  aminmax_nan: (x) => torch.aminmax(x.n, { dim: 1 }),
  cummax: (x) => torch.cummax(x.t, 1),
  cummin: (x) => torch.cummin(x.t, 1),
  cummax_nan: (x) => torch.cummax(x.n, 1),
  cummin_nan0: (x) => x.n.cummin(0),
  cummax_f32: (x) => x.sf.cummax(0),
  cummin_int: (x) => x.i.cummin(1),
  diff: (x) => torch.diff(x.s),
  diff_n2_dim0: (x) => torch.diff(x.s, { n: 2, dim: 0 }),
  diff_prepend_append: (x) => torch.diff(x.d, { dim: 1, prepend: x.e.index(null, ":2"), append: x.dp.index(null, ":1") }),
  diff_int: (x) => x.i.diff(),
  diff_bool: (x) => x.k.diff({ dim: 0 }),
  diff_n0: (x) => torch.diff(x.a, 0),
  diff_big_n: (x) => torch.diff(x.b, 3),
  logspace: () => torch.logspace(0, 2, 5),
  logspace_base2_f64: () => torch.logspace(-1, 1, 4, 2, { dtype: "float64" }),
  logspace_int: () => torch.logspace(0, 3, 7, { dtype: "int64" }),
  logspace_one: () => torch.logspace(1.5, 3, 1),
  logspace_frac: () => torch.logspace(-2.3, 1.7, 9),
  // bitwise
  bitwise_and: (x) => torch.bitwise_and(x.bi, x.bj),
  bitwise_or: (x) => torch.bitwise_or(x.bi, x.bj),
  bitwise_xor: (x) => x.bi.bitwise_xor(x.bj),
  bitwise_not: (x) => torch.bitwise_not(x.bi),
  bitwise_not_bool: (x) => x.bk.bitwise_not(),
  bitwise_and_bool: (x) => torch.bitwise_and(x.bk, x.bk.flip(0)),
  bitwise_xor_bool_int: (x) => torch.bitwise_xor(x.bk, x.bi),
  bitwise_or_scalar: (x) => torch.bitwise_or(x.bi, 5),
  bitwise_and_scalar_self: (x) => torch.bitwise_and(6, x.bi),
  bitwise_and_bool_scalar: (x) => torch.bitwise_and(x.bk, true),
  left_shift: (x) => torch.bitwise_left_shift(x.bi, x.bs),
  right_shift: (x) => torch.bitwise_right_shift(x.bi, x.bs),
  right_shift_neg: (x) => torch.bitwise_right_shift(x.bi.neg(), x.bs),
  left_shift_scalar: (x) => x.bi.bitwise_left_shift(3),
  left_shift_wrap: () => torch.bitwise_left_shift(torch.tensor([2 ** 62, 3, -(2 ** 45)], { dtype: "int64" }), 1),
  left_shift_bool: (x) => torch.bitwise_left_shift(x.bk, 2),
  gcd: (x) => torch.gcd(x.bi, x.bj),
  gcd_zeros: () => torch.gcd(torch.tensor([-4, 0, -6, 0], { dtype: "int64" }), torch.tensor([6, 5, 0, 0], { dtype: "int64" })),
  lcm: (x) => x.i.lcm(x.j),
  lcm_zeros: () => torch.lcm(torch.tensor([-4, 0, 6], { dtype: "int64" }), torch.tensor([6, 5, -4], { dtype: "int64" })),
};

const ERRORS: Record<string, (x: X) => unknown> = {
  frac_int: (x) => torch.frac(x.i),
  hypot_int: (x) => torch.hypot(x.i, x.j),
  logaddexp_int: (x) => torch.logaddexp(x.i, x.j),
  atan2_scalar: (x) => torch.atan2(x.a, 2 as unknown as Tensor),
  fmax_scalar: (x) => torch.fmax(x.a, 2 as unknown as Tensor),
  fmod_int_zero: (x) => torch.fmod(x.i, 0),
  quantile_int: (x) => torch.quantile(x.i, 0.5),
  quantile_q_range: (x) => torch.quantile(x.s, 1.5),
  quantile_q_2d: (x) => torch.quantile(x.s, x.s),
  quantile_q_dtype: (x) => torch.quantile(x.s, x.qf),
  quantile_interp: (x) => torch.quantile(x.s, 0.5, { interpolation: "cubic" as "linear" }),
  quantile_empty: () => torch.quantile(torch.tensor([]), 0.5),
  nanmean_int: (x) => torch.nanmean(x.i),
  diff_0dim: () => torch.diff(torch.tensor(1.0)),
  diff_neg_n: (x) => torch.diff(x.a, -1),
  diff_prepend_dims: (x) => torch.diff(x.a, { prepend: x.b }),
  aminmax_empty: () => torch.aminmax(torch.tensor([])),
  bitwise_and_float: (x) => torch.bitwise_and(x.a, x.a),
  bitwise_and_int_float_scalar: (x) => torch.bitwise_and(x.bi, 1.5),
  bitwise_not_float: (x) => torch.bitwise_not(x.d),
  left_shift_float: (x) => torch.bitwise_left_shift(x.bi, 1.5),
  right_shift_bool: (x) => torch.bitwise_right_shift(x.bk, x.bk),
  gcd_float: (x) => torch.gcd(x.a, x.a),
  gcd_bool: (x) => torch.gcd(x.bk, x.bk),
  gcd_scalar: (x) => torch.gcd(x.bi, 4 as unknown as Tensor),
  lcm_float: (x) => torch.lcm(x.d, x.i),
};

function close(actual: Tensor, expected: T, what: string, f32: boolean): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  const exact = expected.dtype === "int64" || expected.dtype === "bool";
  const [atol, rtol] = f32 ? [2e-6, 1e-5] : [1e-11, 1e-9];
  expected.values.forEach((v, i) => {
    const e = dec(v);
    const a = actual.data[i];
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${what}[${i}]: ${a} vs NaN`).toBe(true);
    else if (exact || !Number.isFinite(e)) expect(a, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}

const outs_of = (r: Out): Tensor[] => (r instanceof Tensor ? [r] : [...r]);

describe("math_more / reduce_more against PyTorch 2.13", () => {
  it("covers every fixture case and error", () => {
    expect(fx.cases.map((c) => c.name).filter((n) => !(n in OPS))).toEqual([]);
    expect(fx.errors.map((c) => c.name).filter((n) => !(n in ERRORS))).toEqual([]);
  });
  for (const c of fx.cases) {
    it(c.name, () => {
      const x: X = {};
      for (const [k, v] of Object.entries(fx.inputs)) x[k] = build(v, true);
      const outs = outs_of(OPS[c.name](x));
      expect(outs.length, "outputs").toBe(c.outs.length);
      // float32 results get float32's tolerance; float64 ones (even from float32 inputs) 1e-9.
      const uses_f32 = (t: T) => t.dtype === "float32";
      outs.forEach((o, k) => close(o, c.outs[k], `output ${k}`, uses_f32(c.outs[k])));
      expect(outs[0].grad_fn?.name() ?? null, "grad_fn").toBe(c.grad_fn);
      if (c.grads) {
        let loss: Tensor | null = null;
        outs.forEach((o, k) => {
          if (!o.requires_grad) return;
          const term = torch.sum(torch.mul(o, build(c.projs![k])));
          loss = loss === null ? term : torch.add(loss, term);
        });
        (loss as unknown as Tensor).backward();
        for (const [k, g] of Object.entries(c.grads)) {
          expect(x[k].grad, `grad of ${k}`).not.toBeNull();
          close(x[k].grad!, g, `grad of ${k}`, uses_f32(g));
        }
        for (const k of Object.keys(x)) if (!(k in c.grads)) expect(x[k].grad, `no grad for ${k}`).toBeNull();
      } else {
        for (const o of outs) expect(o.requires_grad, "no gradient").toBe(false);
      }
    });
  }
  for (const e of fx.errors) {
    it(`error: ${e.name}`, () => {
      const x: X = {};
      for (const [k, v] of Object.entries(fx.inputs)) x[k] = build(v, false);
      expect(() => ERRORS[e.name](x)).toThrow(e.message);
    });
  }
});

describe("gradients by finite differences (float64)", () => {
  const r = rng(5);
  it("element-wise ops", () => {
    gradcheck((a) => torch.tan(a), [uniform([3, 4], r, -1, 1)]);
    gradcheck((a) => torch.asin(a).add(torch.acos(a)).add(torch.atanh(a)), [uniform([3, 4], r, -0.9, 0.9)]);
    gradcheck((a) => torch.acosh(a), [uniform([5], r, 1.2, 4)]);
    gradcheck((a) => torch.sinh(a).mul(torch.cosh(a)).add(torch.asinh(a)).add(torch.atan(a)), [uniform([3, 4], r, -2, 2)]);
    gradcheck((a, b) => torch.atan2(a, b), [uniform([3, 4], r, -2, 2), uniform([4], r, 0.5, 2)]);
    gradcheck((a, b) => torch.hypot(a, b), [uniform([3, 4], r, -2, 2), uniform([3, 1], r, 0.5, 2)]);
    gradcheck((a, b) => torch.logaddexp(a, b).add(torch.logaddexp2(a, b)), [uniform([3, 4], r, -3, 3), uniform([4], r, -3, 3)]);
    gradcheck((a, b) => torch.xlogy(a, b), [uniform([3, 4], r, -2, 2), uniform([3, 4], r, 0.5, 3)]);
    gradcheck((a, b) => torch.fmod(a, b), [uniform([6], r, 0.1, 0.9).mul(7).detach().requires_grad_(), uniform([6], r, 1.1, 1.9)]);
    gradcheck((a) => torch.erfinv(a), [uniform([8], r, -0.95, 0.95)]);
    gradcheck((a, b) => torch.float_power(a, b), [uniform([4], r, 0.5, 2), uniform([4], r, -1, 1)]);
  });
  it("reductions", () => {
    gradcheck((a) => torch.quantile(a, f64([0.1, 0.5, 0.77]), 1), [uniform([3, 7], r, -2, 2)]);
    gradcheck((a) => torch.var_mean(a, 1)[0].add(torch.std_mean(a, 0)[1].sum()), [uniform([3, 4], r, -2, 2)]);
    gradcheck((a) => torch.diff(a, { n: 2, dim: 0 }), [uniform([5, 3], r, -2, 2)]);
    gradcheck((a) => torch.nanmean(a, 1), [uniform([3, 4], r, -2, 2)]);
  });
});

describe("API", () => {
  it("named tuples index, destructure and print as PyTorch", () => {
    const x = torch.tensor([[3, 1, 2]]);
    const m = torch.aminmax(x);
    expect(m.min.item()).toBe(1);
    const [lo, hi] = m;
    expect([lo.item(), hi.item(), m[1].item()]).toEqual([1, 3, 3]);
    expect(String(m)).toBe("torch.return_types.aminmax(\nmin=tensor(1.),\nmax=tensor(3.))");
    const c = x.cummax(1);
    expect(String(c)).toBe("torch.return_types.cummax(\nvalues=tensor([[3., 3., 3.]]),\nindices=tensor([[0, 0, 0]]))");
    expect(String(x.median(1))).toContain("torch.return_types.median(");
    expect(String(torch.nanmedian(x, 1))).toContain("torch.return_types.nanmedian(");
    const [v, i] = torch.var_mean(x);
    expect(v.item()).toBeCloseTo(1, 6);
    expect(i.item()).toBeCloseTo(2, 6);
  });
  it("erfinv inverts erf to double precision", () => {
    const y = f64([-0.9999999999, -0.99, -0.4, 1e-300, 0.1, 0.6, 0.93, 0.9999999]);
    const back = torch.erf(torch.erfinv(y));
    y.data.forEach((v, k) => expect(Math.abs(back.data[k] - v)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(v)) + 1e-300));
  });
  it("signbit reads -0 and negative NaN", () => {
    const t = torch.tensor([-0, 0, NaN, -NaN], { dtype: "float64" });
    t.data[3] = -NaN;
    const bits = new DataView(t.data.buffer);
    bits.setFloat64(24, NaN, true);
    bits.setUint8(31, bits.getUint8(31) | 0x80);
    expect(Array.from(torch.signbit(t).data)).toEqual([1, 0, 0, 1]);
  });
  it("std::sort / std::nth_element ports order correctly (random sizes, many ties, NaN last)", () => {
    const r = rng(9);
    for (let t = 0; t < 300; t++) {
      const n = Math.floor(r() * 120);
      const v = Array.from({ length: n }, () => (r() < 0.1 ? NaN : Math.floor(r() * 6)));
      const less = (p: number, q: number) => (v[p] === v[p] && v[q] !== v[q]) || v[p] < v[q];
      const key = (k: number) => (v[k] !== v[k] ? Infinity : v[k]);
      const ord = Array.from({ length: n }, (_, k) => k);
      introsort(ord, less);
      expect([...ord].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, k) => k));
      for (let k = 1; k < n; k++) expect(key(ord[k - 1]) <= key(ord[k])).toBe(true);
      if (n === 0) continue;
      const nth = Math.floor(r() * n);
      const sel = Array.from({ length: n }, (_, k) => k);
      nth_element(sel, nth, less);
      for (let k = 0; k < n; k++) expect(k < nth ? key(sel[k]) <= key(sel[nth]) : key(sel[k]) >= key(sel[nth])).toBe(true);
    }
  });
  it("rejects unknown options", () => {
    const x = torch.tensor([1, 2, 3]);
    expect(() => torch.median(x, { dim: 0, keep: true } as never)).toThrow("unexpected keyword argument 'keep'");
    expect(() => torch.nan_to_num(x, { inf: 1 } as never)).toThrow("unexpected keyword argument 'inf'");
    expect(() => torch.diff(x, { order: 1 } as never)).toThrow("unexpected keyword argument 'order'");
    expect(() => torch.cummax(x, undefined as never)).toThrow("'dim'");
  });
});
