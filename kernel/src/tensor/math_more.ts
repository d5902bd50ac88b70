/**
 * More element-wise math with PyTorch's names, dtypes and gradients, beyond elementwise.ts:
 *   trigonometric and hyperbolic: tan asin acos atan sinh cosh asinh acosh atanh (+ arc* aliases),
 *     atan2 (arctan2), deg2rad rad2deg, hypot;
 *   rounding and remainders: trunc (fix), frac, fmod (sign of the dividend, C's fmod);
 *   powers and logs: float_power (in float64), logaddexp logaddexp2, xlogy, erfinv;
 *   NaN-aware and sign ops: fmax fmin (a NaN loses), signbit, copysign, nan_to_num.
 * Each op records the node PyTorch records (TanBackward0, Atan2Backward0, ...); gradients of
 * broadcast operands are summed back to the operand's shape. Integer inputs of float-valued ops
 * give the default float dtype, and ops PyTorch refuses for integers (frac, hypot, logaddexp)
 * refuse them with PyTorch's message. Kept apart from elementwise.ts so those ops' code is untouched.
 */
import { DType, Tensor, check_tensor, numelOf, storageFor } from "./tensor";
import { attach } from "./autograd";
import { saves, type SaveSpec } from "./version";
import { is_floating, SCALAR_TYPE_NAME } from "./dtype";
import { TensorLike, check_operand, ew, float_type, result_type } from "./operand";
import { kernel } from "./kernels";
import { sum_to } from "./sum_to";
import { erf_scalar } from "./activation";
import { pow } from "./elementwise";
import { NotImplementedTypeError, RuntimeRangeError } from "../errors";

// What PyTorch's derivative formulas save (version.ts)
const SAVES_SELF = saves("0");
const SAVES_OUT = saves("out");
const BOTH_SAVES = saves("0, 1");
const HYPOT_SAVES = saves("0 if 0, 1 if 1, out");
const FMOD_SAVES = saves("0 if 1, 1 if 1");
const COPYSIGN_SAVES = saves("0 if 0, out");

/** PyTorch's name of a dtype in kernel errors ("Long", "Bool", ...). */
function cname(d: DType): string {
  return SCALAR_TYPE_NAME[d];
}

function grad_of(g: Tensor, x: TensorLike): Tensor | null {
  return x instanceof Tensor ? sum_to(g, x.shape) : null;
}

function zeros_for(g: Tensor, x: TensorLike): Tensor | null {
  return x instanceof Tensor ? new Tensor(storageFor(g.dtype, numelOf(x.shape)), x.shape, g.dtype) : null;
}

/** PyTorch's error for a kernel it has no integer version of: `"hypot_cpu" not implemented for 'Long'`. */
function float_only(op: string, dt: DType): void {
  if (!is_floating(dt)) throw NotImplementedTypeError(`"${op}_cpu" not implemented for '${cname(dt)}'`);
}

/** Python's error for a number where PyTorch's signature takes only a Tensor. */
function tensor_arg(x: unknown, op: string, arg: string, pos: number): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const t = x === null ? "NoneType" : typeof x === "number" ? (Number.isInteger(x) ? "int" : "float") : typeof x === "boolean" ? "bool" : Array.isArray(x) ? "list" : typeof x;
    throw new TypeError(`${op}(): argument '${arg}' (position ${pos}) must be Tensor, not ${t}`);
  }
}

/**
 * A float-valued unary op: `fwd` over `a`; `bwd` over (a = grad, b = input, c = output).
 * Integer and bool inputs give the default float dtype.
 */
function unary(x: Tensor, op: string, name: string, fwd: string, bwd: string, saved?: SaveSpec): Tensor {
  check_tensor(x, op);
  const dt = float_type(x.dtype);
  const out = ew(fwd, [x], dt, dt);
  return attach(out, name, [x], (g) => [ew(bwd, [g, x, out], g.dtype)], saved !== undefined, saved);
}

/** tan(x); d/dx = 1 + tan(x)^2. */
export function tan(x: Tensor): Tensor {
  return unary(x, "tan", "TanBackward0", "Math.tan(a)", "a * (1 + c * c)", SAVES_OUT);
}

/** asin(x); d/dx = 1 / sqrt(1 - x^2). */
export function asin(x: Tensor): Tensor {
  return unary(x, "asin", "AsinBackward0", "Math.asin(a)", "a / Math.sqrt(1 - b * b)", SAVES_SELF);
}

/** acos(x); d/dx = -1 / sqrt(1 - x^2). */
export function acos(x: Tensor): Tensor {
  return unary(x, "acos", "AcosBackward0", "Math.acos(a)", "-a / Math.sqrt(1 - b * b)", SAVES_SELF);
}

/** atan(x); d/dx = 1 / (1 + x^2). */
export function atan(x: Tensor): Tensor {
  return unary(x, "atan", "AtanBackward0", "Math.atan(a)", "a / (1 + b * b)", SAVES_SELF);
}

/** sinh(x); d/dx = cosh(x). */
export function sinh(x: Tensor): Tensor {
  return unary(x, "sinh", "SinhBackward0", "Math.sinh(a)", "a * Math.cosh(b)", SAVES_SELF);
}

/** cosh(x); d/dx = sinh(x). */
export function cosh(x: Tensor): Tensor {
  return unary(x, "cosh", "CoshBackward0", "Math.cosh(a)", "a * Math.sinh(b)", SAVES_SELF);
}

/** asinh(x); d/dx = 1 / sqrt(x^2 + 1). */
export function asinh(x: Tensor): Tensor {
  return unary(x, "asinh", "AsinhBackward0", "Math.asinh(a)", "a / Math.sqrt(b * b + 1)", SAVES_SELF);
}

/** acosh(x) (NaN below 1); d/dx = 1 / sqrt(x^2 - 1). */
export function acosh(x: Tensor): Tensor {
  return unary(x, "acosh", "AcoshBackward0", "Math.acosh(a)", "a / Math.sqrt(b * b - 1)", SAVES_SELF);
}

/** atanh(x) (NaN outside [-1, 1]); d/dx = 1 / (1 - x^2). */
export function atanh(x: Tensor): Tensor {
  return unary(x, "atanh", "AtanhBackward0", "Math.atanh(a)", "a / (1 - b * b)", SAVES_SELF);
}

export const arcsin = asin;
export const arccos = acos;
export const arctan = atan;
export const arcsinh = asinh;
export const arccosh = acosh;
export const arctanh = atanh;

/** x · π/180 (integers give the default float dtype); d/dx = π/180. */
export function deg2rad(x: Tensor): Tensor {
  return unary(x, "deg2rad", "Deg2RadBackward0", "a * (Math.PI / 180)", "a * (Math.PI / 180)");
}

/** x · 180/π (integers give the default float dtype); d/dx = 180/π. */
export function rad2deg(x: Tensor): Tensor {
  return unary(x, "rad2deg", "Rad2DegBackward0", "a * (180 / Math.PI)", "a * (180 / Math.PI)");
}

/** Rounds toward zero, keeping the dtype; the gradient is zero. */
export function trunc(x: Tensor): Tensor {
  check_tensor(x, "trunc");
  const out = ew("Math.trunc(a)", [x], x.dtype);
  return attach(out, "TruncBackward0", [x], (g) => [zeros_for(g, x)], false);
}
export const fix = trunc;

/** x - trunc(x) (sign of x; floats only, as PyTorch); d/dx = 1. */
export function frac(x: Tensor): Tensor {
  check_tensor(x, "frac");
  float_only("frac", x.dtype);
  const out = ew("a - Math.trunc(a)", [x], x.dtype);
  return attach(out, "FracBackward0", [x], (g) => [g], false);
}

/** erfinv(y): the x with erf(x) = y, in (-1, 1); ±inf at ±1, NaN outside. d/dy = √π/2 · exp(x²). */
export function erfinv(x: Tensor): Tensor {
  check_tensor(x, "erfinv");
  const dt = float_type(x.dtype);
  const out = new Tensor(storageFor(dt, x.data.length), x.shape, dt);
  for (let i = 0; i < x.data.length; i++) out.data[i] = erfinv_scalar(x.data[i]);
  // (PyTorch saves the input, not the result: the result is computed again from it)
  return attach(out, "ErfinvBackward0", [x], (g) => {
    const y = new Tensor(storageFor(dt, x.data.length), x.shape, dt);
    for (let i = 0; i < x.data.length; i++) y.data[i] = erfinv_scalar(x.data[i]);
    return [ew("a * (0.5 * Math.sqrt(Math.PI)) * Math.exp(b * b)", [g, y], g.dtype)];
  }, true, SAVES_SELF);
}

/**
 * erfinv in double precision: a starting point from the inverse normal's tail or central
 * expansion, then Newton steps on erf(x) = y (|y| <= 0.9), or on erfc(x) = 1 - |y| (1 - |y| is
 * exact there, so the tails keep their relative precision).
 */
export function erfinv_scalar(y: number): number {
  if (y !== y || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  const ay = Math.abs(y);
  // Starting point: Giles' single-precision approximation (relative error ~1e-7).
  const w = -Math.log((1 - ay) * (1 + ay));
  let x: number;
  if (w < 5) {
    const t = w - 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * t;
    p = -3.5233877e-6 + p * t;
    p = -4.39150654e-6 + p * t;
    p = 0.00021858087 + p * t;
    p = -0.00125372503 + p * t;
    p = -0.00417768164 + p * t;
    p = 0.246640727 + p * t;
    p = 1.50140941 + p * t;
    x = p * ay;
  } else {
    const t = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * t;
    p = 0.00134934322 + p * t;
    p = -0.00367342844 + p * t;
    p = 0.00573950773 + p * t;
    p = -0.0076224613 + p * t;
    p = 0.00943887047 + p * t;
    p = 1.00167406 + p * t;
    p = 2.83297682 + p * t;
    x = p * ay;
  }
  const k = 2 / Math.sqrt(Math.PI);
  if (ay <= 0.9) {
    for (let it = 0; it < 3; it++) x -= (erf_scalar(x) - ay) / (k * Math.exp(-x * x));
  } else {
    const q = 1 - ay;
    for (let it = 0; it < 4; it++) {
      const e = erfc_pos(x);
      // Newton on log erfc(x) = log q: relative steps stay accurate when q is tiny.
      x += (Math.log(e) - Math.log(q)) * e / (k * Math.exp(-x * x));
    }
  }
  return y < 0 ? -x : x;
}

/** erfc(x) for x > 0 with relative precision (continued fraction for x >= 2, else 1 - erf). */
function erfc_pos(x: number): number {
  if (x < 2) return 1 - erf_scalar(x);
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    D = x + an * D;
    D = D === 0 ? tiny : D;
    C = x + an / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** True where the sign bit is set (-0 and negative numbers, and NaNs with the sign bit); no gradient. */
export function signbit(x: Tensor): Tensor {
  check_tensor(x, "signbit");
  const n = x.data.length;
  const out = new Float64Array(n);
  if (is_floating(x.dtype)) {
    // Read the stored sign bit itself (-0 and -NaN included): the highest byte of each element.
    const bytes = new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength);
    const w = x.data.BYTES_PER_ELEMENT;
    for (let i = 0; i < n; i++) out[i] = bytes[i * w + w - 1] & 0x80 ? 1 : 0;
  } else for (let i = 0; i < n; i++) out[i] = x.data[i] < 0 ? 1 : 0;
  return new Tensor(out, x.shape, "bool");
}

export interface NanToNumOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}

const FLT_MAX = 3.4028234663852886e38;

/**
 * Replaces NaN by `nan` (0), +inf by `posinf` and -inf by `neginf` (default: the dtype's largest
 * and lowest finite values); integers are returned as a copy. d/dx = 1 where x is finite, else 0.
 */
export function nan_to_num(x: Tensor, nan?: number | NanToNumOptions | null, posinf?: number | null, neginf?: number | null): Tensor {
  check_tensor(x, "nan_to_num");
  if (nan !== null && typeof nan === "object") {
    const bad = Object.keys(nan).find((k) => k !== "nan" && k !== "posinf" && k !== "neginf");
    if (bad !== undefined) throw new TypeError(`nan_to_num() got an unexpected keyword argument '${bad}' (allowed: nan, posinf, neginf)`);
    ({ nan, posinf, neginf } = nan);
  }
  for (const [k, v] of [["nan", nan], ["posinf", posinf], ["neginf", neginf]] as const) {
    if (v !== undefined && v !== null && typeof v !== "number") throw new TypeError(`nan_to_num(): argument '${k}' must be a number or null, not ${typeof v}`);
  }
  const big = x.dtype === "float32" ? FLT_MAX : Number.MAX_VALUE;
  const vn = (nan as number | null | undefined) ?? 0;
  const vp = posinf ?? big;
  const vm = neginf ?? -big;
  const out = is_floating(x.dtype)
    ? ew(kernel("a !== a ? vn : (a === Infinity ? vp : (a === -Infinity ? vm : a))", 1, ["vn", "vp", "vm"]), [x], x.dtype, x.dtype, [vn, vp, vm])
    : new Tensor(x.data.slice(), x.shape, x.dtype);
  return attach(out, "NanToNumBackward0", [x], (g) => [ew("(b - b === 0) ? a : 0", [g, x], g.dtype)], true, SAVES_SELF);
}

/** atan2(input, other): the angle of (other, input) in (-π, π]. d/da = b/(a²+b²), d/db = -a/(a²+b²). */
export function atan2(a: Tensor, b: Tensor): Tensor {
  check_tensor(a, "atan2");
  tensor_arg(b, "atan2", "other", 2);
  const dt = float_type(result_type(a, b));
  const out = ew("Math.atan2(a, b)", [a, b], dt);
  return attach(out, "Atan2Backward0", [a, b], (g, need) => {
    // As PyTorch: 1 / (a·a + b·b) with each square in its operand's dtype, and a zero gradient at
    // the origin (where that is infinite).
    const recip = ew("1 / (a + b)", [ew("a * a", [a], a.dtype), ew("a * a", [b], b.dtype)], dt);
    return [
      need[0] ? grad_of(ew("d === Infinity ? 0 : a * c * d", [g, a, b, recip], g.dtype), a) : null,
      need[1] ? grad_of(ew("d === Infinity ? 0 : -a * b * d", [g, a, b, recip], g.dtype), b) : null,
    ];
  }, true, BOTH_SAVES);
}
export const arctan2 = atan2;

/** sqrt(a² + b²) without overflow (floats only). d/da = a/out, d/db = b/out. */
export function hypot(a: Tensor, b: Tensor): Tensor {
  check_tensor(a, "hypot");
  tensor_arg(b, "hypot", "other", 2);
  const dt = result_type(a, b);
  float_only("hypot", dt);
  const out = ew("Math.hypot(a, b)", [a, b], dt);
  return attach(out, "HypotBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew("a * b / c", [g, a, out], g.dtype), a) : null,
    need[1] ? grad_of(ew("a * b / c", [g, b, out], g.dtype), b) : null,
  ], true, HYPOT_SAVES);
}

/**
 * C's fmod: a - trunc(a / b) * b, with the sign of the dividend (remainder has the divisor's).
 * Integer division by zero raises ZeroDivisionError. d/da = 1, d/db = -trunc(a / b).
 */
export function fmod(a: Tensor, b: TensorLike): Tensor {
  check_tensor(a, "fmod");
  check_operand(b, "fmod");
  const dt = result_type(a, b);
  if (dt === "bool") throw NotImplementedTypeError(`"fmod_cpu" not implemented for 'Bool'`);
  if (!is_floating(dt) && ew("b === 0 ? 1 : 0", [a, b], "float64").data.some((v) => v === 1)) throw RuntimeRangeError("ZeroDivisionError");
  const out = ew("a % b", [a, b], dt);
  return attach(out, b instanceof Tensor ? "FmodBackward1" : "FmodBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(g, a) : null,
    need[1] ? grad_of(ew("-a * Math.trunc(b / c)", [g, a, b], g.dtype), b) : null,
  ], true, FMOD_SAVES);
}

/** a ** b computed in float64 (the result is always float64); gradients as pow's, cast back to each input's dtype. */
export function float_power(a: TensorLike, b: TensorLike): Tensor {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) tensor_arg(b, "float_power", "exponent", 2);
  check_operand(a, "float_power", "input");
  check_operand(b, "float_power", "exponent");
  const up = (x: TensorLike): TensorLike => (x instanceof Tensor ? x.to("float64") : x);
  return pow(up(a), up(b));
}

function fminmax(a: Tensor, b: Tensor, max: boolean): Tensor {
  const op = max ? "fmax" : "fmin";
  check_tensor(a, op);
  tensor_arg(b, op, "other", 2);
  const dt = result_type(a, b);
  const cmp = max ? ">=" : "<=";
  // A NaN loses to a number; both NaN gives NaN.
  const out = ew(`b !== b ? a : (a !== a ? b : (a ${cmp} b ? a : b))`, [a, b], dt);
  // As PyTorch: input gets the gradient where input >= other (<= for fmin) or other is NaN; other elsewhere.
  const pick = `(b ${cmp} c || c !== c)`;
  return attach(out, max ? "FmaxBackward0" : "FminBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew(`${pick} ? a : 0`, [g, a, b], g.dtype), a) : null,
    need[1] ? grad_of(ew(`${pick} ? 0 : a`, [g, a, b], g.dtype), b) : null,
  ], true, BOTH_SAVES);
}

/** Element-wise maximum where a NaN loses to a number (maximum propagates NaN). */
export function fmax(a: Tensor, b: Tensor): Tensor {
  return fminmax(a, b, true);
}

/** Element-wise minimum where a NaN loses to a number (minimum propagates NaN). */
export function fmin(a: Tensor, b: Tensor): Tensor {
  return fminmax(a, b, false);
}

function logaddexp_(a: Tensor, b: Tensor, base2: boolean): Tensor {
  const op = base2 ? "logaddexp2" : "logaddexp";
  check_tensor(a, op);
  tensor_arg(b, op, "other", 2);
  const dt = result_type(a, b);
  float_only(op, dt);
  const fwd = base2
    ? "(a === b && (a === Infinity || a === -Infinity)) ? a : Math.max(a, b) + Math.log1p(Math.pow(2, -Math.abs(a - b))) / Math.LN2"
    : "(a === b && (a === Infinity || a === -Infinity)) ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))";
  const out = ew(fwd, [a, b], dt);
  const e = base2 ? "Math.pow(2," : "Math.exp(";
  return attach(out, base2 ? "Logaddexp2Backward0" : "LogaddexpBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew(`a / (1 + ${e} c - b))`, [g, a, b], g.dtype), a) : null,
    need[1] ? grad_of(ew(`a / (1 + ${e} b - c))`, [g, a, b], g.dtype), b) : null,
  ], true, BOTH_SAVES);
}

/** log(exp(a) + exp(b)), computed stably (floats only). d/da = 1 / (1 + exp(b - a)). */
export function logaddexp(a: Tensor, b: Tensor): Tensor {
  return logaddexp_(a, b, false);
}

/** log2(2^a + 2^b), computed stably (floats only). d/da = 1 / (1 + 2^(b - a)). */
export function logaddexp2(a: Tensor, b: Tensor): Tensor {
  return logaddexp_(a, b, true);
}

/** |a| with the sign of b (-0 counts as negative); float result. d/da = copysign(1, a)·copysign(1, b) (0 at a = 0), d/db = 0. */
export function copysign(a: Tensor, b: TensorLike): Tensor {
  check_tensor(a, "copysign");
  check_operand(b, "copysign");
  const dt = float_type(result_type(a, b));
  const out = ew("(b < 0 || (b === 0 && 1 / b < 0)) ? -Math.abs(a) : Math.abs(a)", [a, b], dt);
  return attach(out, b instanceof Tensor ? "CopysignBackward0" : "CopysignBackward1", [a, b], (g, need) => [
    need[0] ? grad_of(ew("b === 0 ? 0 : a * (c / b)", [g, a, out], g.dtype), a) : null,
    need[1] ? zeros_for(g, b) : null,
  ], true, COPYSIGN_SAVES);
}

/** a · log(b), 0 where a = 0 (unless b is NaN). d/da = log(b) (0 where a = 0), d/db = a / b. */
export function xlogy(a: TensorLike, b: TensorLike): Tensor {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) tensor_arg(b, "xlogy", "other", 2);
  check_operand(a, "xlogy", "input");
  check_operand(b, "xlogy");
  const dt = float_type(result_type(a, b));
  const out = ew("b !== b ? NaN : (a === 0 ? 0 : a * Math.log(b))", [a, b], dt);
  const name = a instanceof Tensor ? (b instanceof Tensor ? "XlogyBackward0" : "XlogyBackward2") : "XlogyBackward1";
  return attach(out, name, [a, b], (g, need) => [
    need[0] ? grad_of(ew("c !== c ? NaN : (b === 0 ? 0 : a * Math.log(c))", [g, a, b], g.dtype), a) : null,
    need[1] ? grad_of(ew("a * b / c", [g, a, b], g.dtype), b) : null,
  ], true, name === "XlogyBackward0" ? BOTH_SAVES : name === "XlogyBackward2" ? SAVES_SELF : undefined);
}
