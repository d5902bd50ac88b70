/**
 * Element-wise special functions PyTorch has and a porter reaches for, with PyTorch's dtypes and
 * gradients: addcmul / addcdiv out of place (inplace.ts has the `_` forms), logit (with eps),
 * erfc, exp2, sinc, heaviside (recorded, not differentiable, as PyTorch), lgamma, digamma.
 * lgamma, digamma and their derivative trigamma are evaluated in double precision here (Lanczos
 * approximation; recurrence + asymptotic series), each result rounded once to the output dtype.
 * Kept apart from elementwise.ts and math_more.ts so those ops' code is untouched.
 */
import { Tensor, check_tensor, numelOf, storageFor } from "./tensor";
import { attach } from "./autograd";
import { saves } from "./version";
import { is_floating } from "./dtype";
import { TensorLike, ew, float_type, result_type } from "./operand";
import { sum_to } from "./sum_to";
import { erf_scalar } from "./activation";
import { RuntimeError } from "../errors";

// What PyTorch's derivative formulas save (version.ts)
const SAVES_SELF = saves("0");
const SAVES_OUT = saves("out");
const ADDCMUL_SAVES = saves("2 if 1, 1 if 2");
const ADDCDIV_SAVES = saves("2, 1 if 2");

function grad_of(g: Tensor, x: TensorLike): Tensor | null {
  return x instanceof Tensor ? sum_to(g, x.shape) : null;
}

/** Python's error for a non-tensor where PyTorch's signature takes a Tensor. */
function tensor_arg(x: unknown, op: string, arg: string, pos: number): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const t = x === null ? "NoneType" : typeof x === "number" ? (Number.isInteger(x) ? "int" : "float") : typeof x === "boolean" ? "bool" : Array.isArray(x) ? "list" : typeof x;
    throw new TypeError(`${op}(): argument '${arg}' (position ${pos}) must be Tensor, not ${t}`);
  }
}

/** `{ value }` (Python's keyword) checked; the default 1. */
function value_of(options: { value?: number } | undefined, op: string): number {
  if (options === undefined || options === null) return 1;
  if (typeof options !== "object") throw new TypeError(`${op}(): pass value as an options object: ${op}(input, tensor1, tensor2, { value: ${String(options)} })`);
  for (const k of Object.keys(options)) if (k !== "value") throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: value)`);
  const v = options.value ?? 1;
  if (typeof v !== "number") throw new TypeError(`${op}(): argument 'value' must be a number, not ${typeof v}`);
  return v;
}

/** input + value · tensor1 · tensor2 (all broadcast). d/dinput = 1, d/dt1 = value·t2, d/dt2 = value·t1. */
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
  check_tensor(input, "addcmul");
  tensor_arg(tensor1, "addcmul", "tensor1", 2);
  tensor_arg(tensor2, "addcmul", "tensor2", 3);
  const value = value_of(options, "addcmul");
  const dt = result_type(input, tensor1, tensor2);
  // An integer result takes value as an integer (PyTorch casts the scalar to the dtype).
  const v = is_floating(dt) ? value : dt === "bool" ? (value !== 0 ? 1 : 0) : Math.trunc(value);
  const out = ew(dt === "bool" ? "(a || (d && b && c)) ? 1 : 0" : "a + d * b * c", [input, tensor1, tensor2, v], dt);
  return attach(out, "AddcmulBackward0", [input, tensor1, tensor2], (g, need) => [
    need[0] ? grad_of(g, input) : null,
    need[1] ? grad_of(ew("a * c * b", [g, tensor2, v], g.dtype), tensor1) : null,
    need[2] ? grad_of(ew("a * c * b", [g, tensor1, v], g.dtype), tensor2) : null,
  ], true, ADDCMUL_SAVES);
}

/** input + value · tensor1 / tensor2 (floats; integer tensor1 and tensor2 are refused, as PyTorch). d/dt2 = -value·t1/t2². */
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
  check_tensor(input, "addcdiv");
  tensor_arg(tensor1, "addcdiv", "tensor1", 2);
  tensor_arg(tensor2, "addcdiv", "tensor2", 3);
  const value = value_of(options, "addcdiv");
  if (!is_floating(tensor1.dtype) && !is_floating(tensor2.dtype)) {
    throw new TypeError(
      "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. " +
        "The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs " +
        "and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
    );
  }
  const dt = result_type(input, tensor1, tensor2);
  const out = ew("a + d * b / c", [input, tensor1, tensor2, value], dt);
  return attach(out, "AddcdivBackward0", [input, tensor1, tensor2], (g, need) => [
    need[0] ? grad_of(g, input) : null,
    need[1] ? grad_of(ew("a * c / b", [g, tensor2, value], g.dtype), tensor1) : null,
    need[2] ? grad_of(ew("-a * d * b / (c * c)", [g, tensor1, tensor2, value], g.dtype), tensor2) : null,
  ], true, ADDCDIV_SAVES);
}

/**
 * log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given (`logit(x, 1e-6)` or `{ eps }`).
 * d/dp = 1 / (p (1 - p)); 0 outside [eps, 1 - eps] with eps, NaN outside [0, 1] without.
 */
export function logit(x: Tensor, eps?: number | null | { eps?: number | null }): Tensor {
  check_tensor(x, "logit");
  if (eps !== null && typeof eps === "object") {
    for (const k of Object.keys(eps)) if (k !== "eps") throw new TypeError(`logit() got an unexpected keyword argument '${k}' (allowed: eps)`);
    eps = eps.eps;
  }
  if (eps !== undefined && eps !== null && typeof eps !== "number") throw new TypeError(`logit(): argument 'eps' must be a number or null, not ${typeof eps}`);
  const dt = float_type(x.dtype);
  const e = eps ?? null;
  if (e === null) {
    const out = ew("Math.log(a / (1 - a))", [x], dt);
    return attach(out, "LogitBackward0", [x], (g) => [ew("(b < 0 || b > 1) ? NaN : a / (b * (1 - b))", [g, x], g.dtype)], true, SAVES_SELF);
  }
  // PyTorch clamps in the input's dtype (the scalars eps and 1 - eps are rounded to it).
  // As PyTorch's kernel: x < eps ? eps : (x > 1 - eps ? 1 - eps : x) (so eps > 0.5 gives ±log(eps / (1 - eps))).
  const out = ew("Math.log((a < b ? b : (a > c ? c : a)) / (1 - (a < b ? b : (a > c ? c : a))))", [x, e, 1 - e], dt);
  return attach(out, "LogitBackward0", [x], (g) => [ew("(b < c || b > d) ? 0 : a / (b * (1 - b))", [g, x, e, 1 - e], g.dtype)], true, SAVES_SELF);
}

/** erfc(x) = 1 - erf(x), with relative precision in the right tail (continued fraction from x = 2). */
export function erfc_scalar(x: number): number {
  if (x !== x) return x;
  if (x < 2) return 1 - erf_scalar(x);
  if (x > 27.3) return 0;
  // Lentz's method on erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    D = x + an * D;
    if (D === 0) D = tiny;
    C = x + an / C;
    if (C === 0) C = tiny;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** A float-valued unary op computed by `fn` per element; integer and bool inputs give the default float dtype. */
function map_unary(x: Tensor, fn: (v: number) => number): Tensor {
  const dt = float_type(x.dtype);
  const out = new Tensor(storageFor(dt, x.data.length), x.shape, dt);
  for (let i = 0; i < x.data.length; i++) out.data[i] = fn(x.data[i]);
  return out;
}

/** The complementary error function 1 - erf(x). d/dx = -2/√π · exp(-x²). */
export function erfc(x: Tensor): Tensor {
  check_tensor(x, "erfc");
  const out = map_unary(x, erfc_scalar);
  return attach(out, "ErfcBackward0", [x], (g) => [ew("-a * (2 / Math.sqrt(Math.PI)) * Math.exp(-b * b)", [g, x], g.dtype)], true, SAVES_SELF);
}

/** 2^x. d/dx = 2^x · ln 2. */
export function exp2(x: Tensor): Tensor {
  check_tensor(x, "exp2");
  const dt = float_type(x.dtype);
  const out = ew("Math.pow(2, a)", [x], dt);
  return attach(out, "Exp2Backward0", [x], (g) => [ew("a * b * Math.LN2", [g, out], g.dtype)], true, SAVES_OUT);
}

/** The normalized sinc: sin(πx)/(πx), 1 at 0. d/dx = (πx·cos(πx) - sin(πx)) / (πx²), 0 at 0. */
export function sinc(x: Tensor): Tensor {
  check_tensor(x, "sinc");
  const dt = float_type(x.dtype);
  const out = ew("a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a)", [x], dt);
  return attach(out, "SincBackward0", [x], (g) => [
    ew("b === 0 ? 0 : a * (Math.PI * b * Math.cos(Math.PI * b) - Math.sin(Math.PI * b)) / (Math.PI * b * b)", [g, x], g.dtype),
  ], true, SAVES_SELF);
}

/**
 * The Heaviside step: 0 where input < 0, `values` where input == 0, 1 where input > 0 (NaN gives
 * 0, as PyTorch's kernel). Input and values must have the same dtype. Recorded but not
 * differentiable: backward raises, as PyTorch's NotImplemented node.
 */
export function heaviside(x: Tensor, values: Tensor): Tensor {
  check_tensor(x, "heaviside");
  tensor_arg(values, "heaviside", "values", 2);
  if (x.dtype !== values.dtype) throw new TypeError("heaviside is not yet implemented for tensors with different dtypes.");
  const out = ew("a === 0 ? b : (a > 0 ? 1 : 0)", [x, values], x.dtype);
  return attach(out, "NotImplemented", [x, values], () => {
    throw RuntimeError("derivative for aten::heaviside is not implemented");
  }, false);
}

// Lanczos approximation (g = 7, n = 9): Γ(x + 1) ≈ √(2π) t^(x + 1/2) e^(-t) A(x), t = x + g + 1/2.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log|Γ(x)| in double precision: +inf at 0 and the negative integers and at ±inf. */
export function lgamma_scalar(x: number): number {
  if (x !== x) return x;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 - x) = π / sin(πx).
    // |sin(πx)| = |sin(π(x - round(x)))|, exact for tiny |x| too.
    const s = Math.abs(Math.sin(Math.PI * (x - Math.round(x))));
    return Math.log(Math.PI / s) - lgamma_scalar(1 - x);
  }
  if (x > 1e15) return x * (Math.log(x) - 1) - 0.5 * Math.log(x) + LOG_SQRT_2PI;
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let k = 1; k < LANCZOS.length; k++) a += LANCZOS[k] / (z + k);
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) = d/dx log Γ(x): -inf at +0, +inf at -0 (as PyTorch), NaN at the negative integers. */
export function digamma_scalar(x: number): number {
  if (x !== x) return x;
  if (x === 0) return 1 / x < 0 ? Infinity : -Infinity;
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return NaN;
  if (x < 0) {
    if (Number.isInteger(x)) return NaN;
    // Reflection: ψ(1 - x) - ψ(x) = π / tan(πx).
    const r = x - Math.round(x);
    return digamma_scalar(1 - x) - Math.PI / Math.tan(Math.PI * r);
  }
  let acc = 0;
  let v = x;
  while (v < 10) {
    acc -= 1 / v;
    v += 1;
  }
  // Asymptotic series: log v - 1/(2v) - Σ B_2k / (2k v^2k).
  const w = 1 / (v * v);
  const series = w * (1 / 12 - w * (1 / 120 - w * (1 / 252 - w * (1 / 240 - w * (1 / 132 - w * (691 / 32760 - w / 12))))));
  return acc + Math.log(v) - 0.5 / v - series;
}

/** ψ'(x) (trigamma), the derivative of digamma. */
export function trigamma_scalar(x: number): number {
  if (x !== x) return x;
  if (x === Infinity) return 0;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) {
    // Reflection: ψ'(1 - x) + ψ'(x) = π² / sin²(πx).
    const s = Math.sin(Math.PI * (x - Math.round(x)));
    return (Math.PI * Math.PI) / (s * s) - trigamma_scalar(1 - x);
  }
  let acc = 0;
  let v = x;
  while (v < 10) {
    acc += 1 / (v * v);
    v += 1;
  }
  // 1/v + 1/(2v²) + Σ B_2k / v^(2k+1).
  const w = 1 / (v * v);
  const series = (1 / v) * w * (1 / 6 - w * (1 / 30 - w * (1 / 42 - w * (1 / 30 - w * (5 / 66 - w * (691 / 2730 - w * (7 / 6)))))));
  return acc + 1 / v + 0.5 * w + series;
}

/** log|Γ(x)|. d/dx = ψ(x) (digamma). */
export function lgamma(x: Tensor): Tensor {
  check_tensor(x, "lgamma");
  const out = map_unary(x, lgamma_scalar);
  return attach(out, "LgammaBackward0", [x], (g) => {
    const gx = new Tensor(storageFor(g.dtype, numelOf(x.shape)), x.shape, g.dtype);
    for (let i = 0; i < gx.data.length; i++) gx.data[i] = g.data[i] * digamma_scalar(x.data[i]);
    return [gx];
  }, true, SAVES_SELF);
}

/** ψ(x) = Γ'(x)/Γ(x). d/dx = ψ'(x) (trigamma). */
export function digamma(x: Tensor): Tensor {
  check_tensor(x, "digamma");
  const out = map_unary(x, digamma_scalar);
  return attach(out, "DigammaBackward0", [x], (g) => {
    const gx = new Tensor(storageFor(g.dtype, numelOf(x.shape)), x.shape, g.dtype);
    for (let i = 0; i < gx.data.length; i++) gx.data[i] = g.data[i] * trigamma_scalar(x.data[i]);
    return [gx];
  }, true, SAVES_SELF);
}
