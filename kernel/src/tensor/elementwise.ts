/**
 * Differentiable element-wise arithmetic with broadcasting and PyTorch's type promotion:
 * add sub mul div pow maximum minimum neg exp log sqrt rsqrt abs sign clamp lerp (and a few
 * relatives). Each op records a node named as PyTorch's; gradients of broadcast operands are
 * summed back to the operand's shape (sum_to).
 */
import { DType, Tensor, check_tensor, numelOf, storageFor } from "./tensor";
import { attach, rename } from "./autograd";
import { check_scalar_fits, coerce, is_floating, is_integer, is_small_int } from "./dtype";
import { TensorLike, check_operand, ew, float_type, result_type, shape_of } from "./operand";
import { kernel } from "./kernels";
import { sum_to } from "./sum_to";
import { carryLossScale } from "./loss_scale";
import { checkKeywords } from "../utils/py_args";
import { saves } from "./version";
import { NotImplementedTypeError, RuntimeError, RuntimeRangeError, RuntimeTypeError } from "../errors";
import { wasm_unary } from "./transcendental_ops";

// What PyTorch's derivative formulas save (version.ts): backward refuses to run when one of these
// was modified in place since.
const SAVES_SELF = saves("0");
const SAVES_OUT = saves("out");
const SELF_AND_OUT = saves("0, out");
const MUL_SAVES = saves("1 if 0, 0 if 1");
const DIV_SAVES = saves("1, 0 if 1");
const REMAINDER_SAVES = saves("0 if 1, 1 if 1");
const POW_SAVES: Record<string, ReturnType<typeof saves>> = { PowBackward0: saves("0"), PowBackward1: saves("0, 1, out"), PowBackward2: saves("1, out") };
const BOTH_SAVES = saves("0, 1");
const CLAMP_SAVES = saves("0, 1, 2");
const LERP_SAVES = saves("2, 0 if 2, 1 if 2");

export type { TensorLike } from "./operand";

function grad_of(g: Tensor, x: TensorLike): Tensor | null {
  return x instanceof Tensor ? sum_to(g, x.shape) : null;
}

/** The zero gradient of a piecewise-constant op for operand x (null for a JS number). */
function zeros_for(g: Tensor, x: TensorLike): Tensor | null {
  return x instanceof Tensor ? new Tensor(storageFor(g.dtype, numelOf(x.shape)), x.shape, g.dtype) : null;
}

function as_tensor_arg(x: TensorLike, op: string): Tensor | TensorLike {
  return check_operand(x, op, "input");
}

export interface AlphaOptions {
  alpha?: number;
}

function alpha_of(o: AlphaOptions | undefined, op: string): number {
  if (o !== undefined && o !== null) checkKeywords(op, o, ["alpha"]);
  const a = o?.alpha ?? 1;
  if (typeof a !== "number") throw new TypeError(`${op}(): alpha must be a number, got ${typeof a}`);
  return a;
}

/** a + alpha * b. d/da = 1, d/db = alpha. */
export function add(a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  as_tensor_arg(a, "add");
  check_operand(b, "add");
  const alpha = alpha_of(options, "add");
  const dt = result_type(a, b);
  if (alpha !== 1 && !is_floating(dt) && !Number.isInteger(alpha)) {
    throw RuntimeTypeError(`For integral input tensors, argument alpha must not be a floating point number.`);
  }
  const out =
    dt === "bool"
      ? ew("(a + b) !== 0 ? 1 : 0", [a, b], dt)
      : alpha === 1
        ? ew("a + b", [a, b], dt)
        : ew(kernel("a + alpha * b", 2, ["alpha"]), [a, b], dt, dt, [alpha]);
  return attach(out, "AddBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(g, a) : null,
    need[1] ? grad_of(alpha === 1 ? g : ew(kernel("a * s", 1, ["s"]), [g], g.dtype, g.dtype, [alpha]), b) : null,
  ], false);
}

/**
 * PyTorch refuses a bool operand in a subtraction (tensor or scalar, whatever the other one is):
 * two bools suggest xor (a - b on masks is "in one, not both"), one bool suggests ~ / logical_not.
 */
export function check_sub_bool(a: TensorLike, b: TensorLike): void {
  const is_bool = (v: TensorLike): boolean => (v instanceof Tensor ? v.dtype === "bool" : typeof v === "boolean");
  if (is_bool(a) && is_bool(b)) {
    throw RuntimeTypeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  }
  if (is_bool(a) || is_bool(b)) {
    throw RuntimeTypeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
}

/** a - alpha * b. d/da = 1, d/db = -alpha. */
export function sub(a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  as_tensor_arg(a, "sub");
  check_operand(b, "sub");
  const alpha = alpha_of(options, "sub");
  check_sub_bool(a, b);
  const dt = result_type(a, b);
  const out = alpha === 1 ? ew("a - b", [a, b], dt) : ew(kernel("a - alpha * b", 2, ["alpha"]), [a, b], dt, dt, [alpha]);
  return attach(out, "SubBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(g, a) : null,
    need[1] ? grad_of(ew(kernel("a * s", 1, ["s"]), [g], g.dtype, g.dtype, [-alpha]), b) : null,
  ], false);
}

/** Reversed subtraction: b - alpha * a. */
export function rsub(a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  return rename(sub(b, a, options), b instanceof Tensor ? "RsubBackward0" : "RsubBackward1");
}

/** a * b. d/da = b, d/db = a. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  as_tensor_arg(a, "mul");
  check_operand(b, "mul");
  const dt = result_type(a, b);
  // int32 products wrap exactly as PyTorch's (a float64 product past 2^53 would lose the low bits)
  const out = ew(dt === "int32" ? "Math.imul(a, b)" : "a * b", [a, b], dt);
  attach(out, "MulBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew("a * b", [g, b], g.dtype), a) : null,
    need[1] ? grad_of(ew("a * b", [g, a], g.dtype), b) : null,
  ], true, MUL_SAVES);
  // a loss scaled by a number keeps its mark (loss_scale.ts)
  return typeof b === "number" ? carryLossScale(a, out, b) : out;
}

/**
 * Integer division by zero has no integer result (PyTorch raises ZeroDivisionError for
 * floor/trunc division and remainder of integer tensors; floats give inf/nan).
 */
function check_int_divisor(a: TensorLike, b: TensorLike, rt: DType, kernel_name: string): void {
  if (is_floating(rt)) return;
  // two bools (or a bool and a bool scalar): PyTorch's CPU kernels have no bool version
  if (rt === "bool") throw NotImplementedTypeError(`"${kernel_name}" not implemented for 'Bool'`);
  const zero = ew("b === 0 ? 1 : 0", [a, b], "float64").data.some((v) => v === 1);
  if (zero) throw RuntimeRangeError("ZeroDivisionError");
}

export interface DivOptions {
  rounding_mode?: "trunc" | "floor" | null;
}

/**
 * a / b (true division: integers give the default float dtype), or rounded with
 * `rounding_mode` "trunc" / "floor" (then integer dtypes stay integer, and the gradient is zero).
 * d/da = 1/b, d/db = -a/b^2.
 */
export function div(a: TensorLike, b: TensorLike, options?: DivOptions): Tensor {
  as_tensor_arg(a, "div");
  check_operand(b, "div");
  if (options !== undefined && options !== null) checkKeywords("div", options, ["rounding_mode"]);
  const mode = options?.rounding_mode ?? null;
  if (mode !== null && mode !== "trunc" && mode !== "floor") {
    throw RuntimeRangeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${mode}'`);
  }
  const rt = result_type(a, b);
  if (mode !== null) {
    check_int_divisor(a, b, rt, `div_${mode}_cpu`);
    const out = ew(mode === "trunc" ? "Math.trunc(a / b)" : "Math.floor(a / b)", [a, b], rt === "bool" ? "int64" : rt);
    // Piecewise constant: a zero gradient (PyTorch gives zeros, not None).
    return attach(out, "DivBackward2", [a, b], (g, need) => [need[0] ? zeros_for(g, a) : null, need[1] ? zeros_for(g, b) : null], false);
  }
  const dt = float_type(rt);
  const out = ew("a / b", [a, b], dt);
  attach(out, "DivBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew("a / b", [g, b], g.dtype), a) : null,
    need[1] ? grad_of(ew("-a * b / (c * c)", [g, a, b], g.dtype), b) : null,
  ], true, DIV_SAVES);
  // a loss divided by a number keeps its mark (loss_scale.ts)
  return typeof b === "number" ? carryLossScale(a, out, 1 / b) : out;
}

export const true_divide = div;

/** Integer-division rounding toward -inf (floor(a / b)). Not differentiable, as in PyTorch. */
export function floor_divide(a: TensorLike, b: TensorLike): Tensor {
  const out = div(a, b, { rounding_mode: "floor" });
  if (out.grad_fn === null) return out;
  // PyTorch records a node whose backward raises (div with rounding_mode "floor" is the differentiable spelling).
  out.grad_fn = null;
  out.requires_grad = false;
  return attach(out, "NotImplemented", [a, b], () => {
    throw RuntimeError("derivative for aten::floor_divide is not implemented (use div(a, b, { rounding_mode: \"floor\" }), whose gradient is zero)");
  }, false);
}

/** Python's modulus: a - floor(a / b) * b (sign of the divisor). d/da = 1, d/db = -floor(a/b). */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  as_tensor_arg(a, "remainder");
  check_operand(b, "remainder");
  const dt = result_type(a, b);
  check_int_divisor(a, b, dt, "remainder_cpu");
  const out = ew("a - Math.floor(a / b) * b", [a, b], dt);
  return attach(out, "RemainderBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(g, a) : null,
    need[1] ? grad_of(ew("-a * Math.floor(b / c)", [g, a, b], g.dtype), b) : null,
  ], true, REMAINDER_SAVES);
}

/**
 * a ** b of int32 / int16 / int8 / uint8 values, as PyTorch's integer kernel (powi): square and
 * multiply in 32-bit two's complement (Math.imul), so a power far past 2^53 wraps exactly where
 * Math.pow would round first (int32 3 ** 40 is 689956897); the element-wise driver then wraps it
 * into the dtype (2^8 and 2^16 divide 2^32, so the smaller dtypes get PyTorch's results too). A
 * negative exponent gives 1 for base 1, +-1 for base -1, else 0 (the integer part of a^b).
 */
export const INT_POW_EXPR =
  "((x, e) => { if (e < 0) return x === 1 ? 1 : x === -1 ? (e % 2 === 0 ? 1 : -1) : 0; " +
  "let r = 1; x |= 0; while (e > 0) { if (e % 2 === 1) r = Math.imul(r, x); e = Math.floor(e / 2); x = Math.imul(x, x); } return r; })(a, b)";

/** A negative scalar exponent of an integer power (result dtype `dt`): PyTorch's error, for pow and pow_. */
export function check_int_exponent(dt: DType, b: TensorLike): void {
  if (is_integer(dt) && !(b instanceof Tensor) && Number(b) < 0) throw RuntimeRangeError("Integers to negative integer powers are not allowed.");
}

/**
 * a ** b. d/da = b * a^(b-1) (0 where b = 0), d/db = a^b * log(a) (0 where a = 0 and b >= 0,
 * PyTorch's convention).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  as_tensor_arg(a, "pow");
  check_operand(b, "pow");
  const dt = result_type(a, b);
  if (dt === "bool") throw NotImplementedTypeError(`"pow" not implemented for 'Bool'`);
  // an integer power: a negative scalar exponent is PyTorch's error; in an exponent tensor, as
  // PyTorch's integer kernel: 1 for base 1, +-1 for base -1, else 0 (the integer part of a^b)
  check_int_exponent(dt, b);
  // int64 (exact to 2^53) keeps Math.pow; the 32-bit and smaller dtypes wrap exactly (INT_POW_EXPR)
  const expr = is_small_int(dt) ? INT_POW_EXPR
    : is_integer(dt) ? "b < 0 ? (a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0) : Math.pow(a, b)" : "Math.pow(a, b)";
  const out = ew(expr, [a, b], dt);
  const name = b instanceof Tensor ? (a instanceof Tensor ? "PowBackward1" : "PowBackward2") : "PowBackward0";
  return attach(out, name, [a, b], (g, need) => [
    need[0] ? grad_of(ew("c === 0 ? 0 : a * c * Math.pow(b, c - 1)", [g, a, b], g.dtype), a) : null,
    need[1] ? grad_of(ew("(b === 0 && c >= 0) ? 0 : a * Math.pow(b, c) * Math.log(b)", [g, a, b], g.dtype), b) : null,
  ], true, POW_SAVES[name]);
}

/** Elementwise max; where equal, each side gets half of the gradient (as PyTorch). */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  return minmax(a, b, true);
}

/** Elementwise min; where equal, each side gets half of the gradient (as PyTorch). */
export function minimum(a: Tensor, b: TensorLike): Tensor {
  return minmax(a, b, false);
}

function minmax(a: Tensor, b: TensorLike, max: boolean): Tensor {
  const op = max ? "maximum" : "minimum";
  check_tensor(a, op);
  check_operand(b, op);
  const dt = result_type(a, b);
  const cmp = max ? ">" : "<";
  // NaN propagates (a !== a tests for NaN).
  const out = ew(`(a !== a || b !== b) ? NaN : (a ${cmp} b ? a : b)`, [a, b], dt);
  return attach(out, max ? "MaximumBackward0" : "MinimumBackward0", [a, b], (g, need) => [
    need[0] ? grad_of(ew(`b === c ? a / 2 : (b ${cmp} c ? a : 0)`, [g, a, b], g.dtype), a) : null,
    need[1] ? grad_of(ew(`b === c ? a / 2 : (c ${cmp} b ? a : 0)`, [g, a, b], g.dtype), b) : null,
  ], true, BOTH_SAVES);
}

/**
 * A unary op: `fwd` over `a`; `bwd` over (a = grad, b = input, c = output) gives the input's
 * gradient. `floating` ops turn integer inputs into the default float dtype. `saved`: what
 * PyTorch saves for the gradient (the input, or the result), none when null.
 */
function unary(x: Tensor, op: string, name: string, fwd: string, bwd: string | null, floating: boolean, saved: "self" | "out" | null, fast?: "exp" | "expm1"): Tensor {
  check_tensor(x, op);
  const dt: DType = floating ? float_type(x.dtype) : x.dtype;
  // `fast`: large float tensors take the same bits from WebAssembly SIMD (transcendental_ops.ts)
  const out = (fast !== undefined ? wasm_unary(fast, x, dt) : null) ?? ew(fwd, [x], dt, dt);
  // Piecewise constant (floor, ceil, round, sign): a zero gradient (PyTorch gives zeros, not None).
  if (bwd === null) return attach(out, name, [x], (g) => [zeros_for(g, x)], false);
  return attach(out, name, [x], (g) => [ew(bwd, [g, x, out], g.dtype)], saved !== null, saved === "self" ? SAVES_SELF : saved === "out" ? SAVES_OUT : undefined);
}

export function neg(x: Tensor): Tensor {
  if (x instanceof Tensor && x.dtype === "bool") {
    throw RuntimeTypeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
  return unary(x, "neg", "NegBackward0", "-a", "-a", false, null);
}
export const negative = neg;

/** d/dx exp(x) = exp(x). */
export function exp(x: Tensor): Tensor {
  return unary(x, "exp", "ExpBackward0", "Math.exp(a)", "a * c", true, "out", "exp");
}

/** d/dx log(x) = 1/x. */
export function log(x: Tensor): Tensor {
  return unary(x, "log", "LogBackward0", "Math.log(a)", "a / b", true, "self");
}

/** d/dx log(1 + x) = 1/(1 + x). */
export function log1p(x: Tensor): Tensor {
  return unary(x, "log1p", "Log1PBackward0", "Math.log1p(a)", "a / (1 + b)", true, "self");
}

/** d/dx exp(x) - 1 = exp(x). */
export function expm1(x: Tensor): Tensor {
  return unary(x, "expm1", "Expm1Backward0", "Math.expm1(a)", "a * (c + 1)", true, "out", "expm1");
}

export function log2(x: Tensor): Tensor {
  return unary(x, "log2", "Log2Backward0", "Math.log2(a)", "a / (b * Math.LN2)", true, "self");
}

export function log10(x: Tensor): Tensor {
  return unary(x, "log10", "Log10Backward0", "Math.log10(a)", "a / (b * Math.LN10)", true, "self");
}

/** d/dx sqrt(x) = 1 / (2 sqrt(x)). */
export function sqrt(x: Tensor): Tensor {
  return unary(x, "sqrt", "SqrtBackward0", "Math.sqrt(a)", "a / (2 * c)", true, "out");
}

/** d/dx x^(-1/2) = -x^(-3/2) / 2 = -out^3 / 2. */
export function rsqrt(x: Tensor): Tensor {
  return unary(x, "rsqrt", "RsqrtBackward0", "1 / Math.sqrt(a)", "-0.5 * a * c * c * c", true, "out");
}

/** d/dx x^2 = 2x. */
export function square(x: Tensor): Tensor {
  return pow(x, 2);
}

/** d/dx 1/x = -1/x^2 = -out^2. */
export function reciprocal(x: Tensor): Tensor {
  return unary(x, "reciprocal", "ReciprocalBackward0", "1 / a", "-a * c * c", true, "out");
}

/** d/dx |x| = sign(x) (0 at 0). */
export function abs(x: Tensor): Tensor {
  check_abs_dtype(x);
  return unary(x, "abs", "AbsBackward0", "Math.abs(a)", "b > 0 ? a : (b < 0 ? -a : 0)", false, "self");
}

/** PyTorch has no abs for bool (its NotImplementedError), where |b| would silently be b here. */
export function check_abs_dtype(x: Tensor): void {
  if (x instanceof Tensor && x.dtype === "bool") throw NotImplementedTypeError(`"abs_cpu" not implemented for 'Bool'`);
}

/** -1, 0 or 1 by sign; sign(NaN) = 0 and sign(-0) = 0, as PyTorch's CPU kernel. Zero gradient everywhere. */
export function sign(x: Tensor): Tensor {
  return unary(x, "sign", "SignBackward0", "a > 0 ? 1 : (a < 0 ? -1 : 0)", null, false, null);
}

/** x / |x| (0 at 0): for real tensors the same values as sign (NaN -> 0); zero gradient. */
export function sgn(x: Tensor): Tensor {
  check_tensor(x, "sgn");
  const out = ew("a > 0 ? 1 : (a < 0 ? -1 : 0)", [x], x.dtype, x.dtype);
  // (PyTorch's SgnBackward0 saves the input and the result, for complex inputs)
  return attach(out, "SgnBackward0", [x], (g) => [zeros_for(g, x)], true, SELF_AND_OUT);
}

export function sin(x: Tensor): Tensor {
  return unary(x, "sin", "SinBackward0", "Math.sin(a)", "a * Math.cos(b)", true, "self");
}

export function cos(x: Tensor): Tensor {
  return unary(x, "cos", "CosBackward0", "Math.cos(a)", "-a * Math.sin(b)", true, "self");
}

/** floor, ceil, round, trunc of a bool tensor: PyTorch's CPU kernels have none ("floor_vml_cpu" ...). */
function no_bool_rounding(x: Tensor, op: string): void {
  if (x instanceof Tensor && x.dtype === "bool") throw NotImplementedTypeError(`"${op}_vml_cpu" not implemented for 'Bool'`);
}

export function floor(x: Tensor): Tensor {
  no_bool_rounding(x, "floor");
  return unary(x, "floor", "FloorBackward0", "Math.floor(a)", null, false, null);
}

export function ceil(x: Tensor): Tensor {
  no_bool_rounding(x, "ceil");
  return unary(x, "ceil", "CeilBackward0", "Math.ceil(a)", null, false, null);
}

/** Round half to even, as torch.round. */
export function round(x: Tensor): Tensor {
  no_bool_rounding(x, "round");
  return unary(x, "round", "RoundBackward0", "(Math.abs(a % 1) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a))", null, false, null);
}

export interface ClampBounds {
  min?: number | Tensor | null;
  max?: number | Tensor | null;
}

export type ClampBound = number | Tensor | null | undefined;

/** Normalises clamp's (min, max) or ({ min, max }) arguments. */
export function clamp_bounds(min: ClampBound | ClampBounds, max: ClampBound, op: string): [number | Tensor, number | Tensor] {
  if (min !== null && typeof min === "object" && !(min instanceof Tensor)) {
    checkKeywords(op, min, ["min", "max"]);
    max = min.max;
    min = min.min;
  }
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw RuntimeTypeError(`torch.${op}: At least one of 'min' or 'max' must not be None`);
  }
  for (const v of [min, max]) {
    if (v !== undefined && v !== null && typeof v !== "number" && !(v instanceof Tensor)) {
      throw new TypeError(`${op}(): min and max must be numbers, tensors or null, got ${typeof v}`);
    }
  }
  return [(min as number | Tensor | null | undefined) ?? -Infinity, max ?? Infinity];
}

/**
 * clamp(x, min, max) = min(max(x, min), max) (if min > max, everything becomes max, as PyTorch);
 * NaN stays NaN. The gradient passes where min <= x <= max; with tensor bounds, min gets it
 * where x < min < max, and max where x > max or max < min.
 */
export function clamp(x: Tensor, min?: ClampBound | ClampBounds, max?: ClampBound): Tensor {
  const [lo, hi] = clamp_bounds(min, max, "clamp");
  check_tensor(x, "clamp");
  if (lo instanceof Tensor || hi instanceof Tensor) {
    const dt = result_type(x, lo, hi);
    const out = ew("a !== a ? a : Math.min(Math.max(a, b), c)", [x, lo, hi], dt);
    return attach(out, "ClampBackward0", [x, lo, hi], (g, need) => [
      need[0] ? sum_to(clamp_pass(g, x, lo, hi), x.shape) : null,
      // As PyTorch: when min > max the output is max, so min gets nothing and max gets everything.
      need[1] ? sum_to(ew("(b < c && c < d) ? a : 0", [g, x, lo, hi], g.dtype), shape_of(lo)) : null,
      need[2] ? sum_to(ew("(b > d || d < c) ? a : 0", [g, x, lo, hi], g.dtype), shape_of(hi)) : null,
    ], true, CLAMP_SAVES);
  }
  const ints = (Number.isInteger(lo) || lo === -Infinity) && (Number.isInteger(hi) || hi === Infinity);
  // as PyTorch's promotion: a float bound makes an integer tensor float, an integer bound a bool tensor int64
  const dt = is_floating(x.dtype) ? x.dtype : !ints ? float_type(x.dtype) : x.dtype === "bool" && (Number.isFinite(lo) || Number.isFinite(hi)) ? "int64" : x.dtype;
  const [l, h] = is_small_int(dt) ? [small_int_bound(lo, dt), small_int_bound(hi, dt)] : [lo, hi];
  const out = ew(kernel("a !== a ? a : Math.min(Math.max(a, lo), hi)", 1, ["lo", "hi"]), [x], dt, dt, [l, h]);
  return attach(out, "ClampBackward1", [x], (g) => [ew(kernel("(b >= lo && b <= hi) ? a : 0", 2, ["lo", "hi"]), [g, x], g.dtype, g.dtype, [l, h])], true, SAVES_SELF);
}

/**
 * A clamp bound of an int32 / int16 / int8 / uint8 tensor as PyTorch uses it: checked (clamp(0,
 * 300) of uint8 is its overflow error), then written into the dtype (uint8: -5 is 251, so
 * clamp(min=-5) raises everything to 251). An absent bound (+-Infinity) stays.
 */
export function small_int_bound(v: number, dt: DType): number {
  if (!Number.isFinite(v)) return v;
  check_scalar_fits(v, dt);
  return coerce(v, dt);
}

/** The gradient that passes through clamp to x: g where lo <= x <= hi. */
function clamp_pass(g: Tensor, x: Tensor, lo: TensorLike, hi: TensorLike): Tensor {
  const inside = ew("(b >= c) ? a : 0", [g, x, lo], g.dtype);
  return ew("(b <= c) ? a : 0", [inside, x, hi], g.dtype);
}
export const clip = clamp;

export function clamp_min(x: Tensor, min: number | Tensor): Tensor {
  return rename(clamp(x, min, null), "ClampMinBackward0");
}

export function clamp_max(x: Tensor, max: number | Tensor): Tensor {
  return rename(clamp(x, null, max), "ClampMaxBackward0");
}

/**
 * lerp(start, end, weight) = start + weight * (end - start).
 * d/dstart = 1 - weight, d/dend = weight, d/dweight = end - start.
 */
export function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  check_tensor(start, "lerp");
  check_operand(end, "lerp", "end");
  check_operand(weight, "lerp", "weight");
  const dt = result_type(start, end, weight);
  if (!is_floating(dt)) throw new TypeError(`lerp(): expected floating point tensors, got ${dt}`);
  const out = ew("a + c * (b - a)", [start, end, weight], dt);
  return attach(out, "LerpBackward" + (weight instanceof Tensor ? "1" : "0"), [start, end, weight], (g, need) => [
    need[0] ? sum_to(ew("a * (1 - b)", [g, weight], g.dtype), start.shape) : null,
    need[1] ? sum_to(ew("a * b", [g, weight], g.dtype), shape_of(end)) : null,
    need[2] ? sum_to(ew("a * (c - b)", [g, start, end], g.dtype), shape_of(weight)) : null,
  ], true, LERP_SAVES);
}
