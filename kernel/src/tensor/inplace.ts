/**
 * In-place ops (the ones optimizers use): add_ sub_ mul_ div_ pow_ addcmul_ addcdiv_ lerp_ clamp_
 * sqrt_ neg_ exp_ abs_ copy_ zero_ fill_ masked_fill_.
 *
 * Each moves self's version counter by one (under no_grad too; shared with self's views, version.ts):
 * a node that saved self for its backward then raises PyTorch's error instead of differentiating
 * through the new values.
 *
 * Outside autograd (no_grad, or nothing requires grad) they write straight into `self.data` with
 * the element-wise kernels: no allocation besides the kernel call. When the graph must record
 * them, the op is computed out of place on a snapshot of `self` (so the node sees the old values)
 * and `self` takes over the result's values and grad_fn, as PyTorch rebases history.
 *
 * Through a view (view, reshape, flatten, squeeze, unsqueeze, ...: same storage as its base), the
 * op rewrites the base's history too, as PyTorch's CopySlices (view_history.ts).
 *
 * As PyTorch: an in-place op on a leaf that requires grad, or on a view of one, (outside no_grad)
 * is an error; the other operands broadcast to self's shape (never the reverse); the result type
 * must be castable to self's dtype (no float into an int64 tensor).
 */
import { checkKeywords, pyArgs } from "../utils/py_args";
import { DType, Storage, Tensor, check_tensor, storageFor } from "./tensor";
import { is_grad_enabled } from "./grad_mode";
import { C_TYPE_NAME, category, check_scalar_fits, coerce, coerce_expr, is_floating, is_integer, is_small_int } from "./dtype";
import { TensorLike, as_operand, check_operand, result_type } from "./operand";
import { kernel, run } from "./kernels";
import { broadcast_shapes, fmt_shape } from "./shape";
import * as E from "./elementwise";
import { masked_fill, masked_fill_value, sum_where } from "./indexing";
import { attach, rename } from "./autograd";
import { check_inplace, rebase_history } from "./view_history";
import { sum_to } from "./sum_to";
import { carryLossScale } from "./loss_scale";
import { bump_version } from "./version";
import { RuntimeRangeError, RuntimeTypeError } from "../errors";
import { type Transcendental, wasm_transcendental } from "./wasm/transcendental";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";


function check_self(self: Tensor, op: string, others: readonly unknown[]): void {
  if (!(self instanceof Tensor)) throw new TypeError(`${op}(): self must be a Tensor`);
  check_inplace(self, others);
}

function check_shapes(self: Tensor, others: readonly TensorLike[]): void {
  for (const o of others) {
    if (!(o instanceof Tensor)) continue;
    const b = broadcast_shapes(self.shape, o.shape);
    if (b.length !== self.shape.length || b.some((d, i) => d !== self.shape[i])) {
      throw RuntimeRangeError(`output with shape ${fmt_shape(self.shape)} doesn't match the broadcast shape ${fmt_shape(b)}`);
    }
  }
}

function check_cast(self: Tensor, rt: DType): void {
  if (category(rt) > category(self.dtype)) {
    throw RuntimeTypeError(`result type ${TORCH_NAME[rt]} can't be cast to the desired output type ${TORCH_NAME[self.dtype]}`);
  }
}

function records(self: Tensor, others: readonly TensorLike[]): boolean {
  if (!is_grad_enabled()) return false;
  if (self.requires_grad) return true;
  return others.some((o) => o instanceof Tensor && o.requires_grad);
}

/** Replaces self's values and history with `result`'s (result has self's shape); through a view, the base's history too. */
function adopt(self: Tensor, result: Tensor): Tensor {
  const d = self.data;
  const s = result.data;
  if (!is_floating(self.dtype)) for (let i = 0; i < d.length; i++) d[i] = coerce(s[i], self.dtype);
  else d.set(s);
  rebase_history(self, result);
  return self;
}

/** The gradient w.r.t. values an op overwrote entirely: zeros (PyTorch gives zeros, not None). */
function overwritten(g: Tensor): Tensor {
  return new Tensor(storageFor(g.dtype, g.data.length), g.shape, g.dtype);
}

/** A copy of self standing for its values before the in-place op, attached to the same history. */
function snapshot(self: Tensor): Tensor {
  const old = new Tensor(self.data.slice() as typeof self.data, self.shape, self.dtype, self.requires_grad);
  old.grad_fn = self.grad_fn;
  return old;
}

/**
 * The common driver: `expr` over (a = self, b, c = others) with `extra` scalars on the fast path;
 * `graph(old)` computes the same out of place for autograd.
 */
function inplace(self: Tensor, op: string, others: TensorLike[], expr: string, extra: string[], values: number[], graph: (old: Tensor) => Tensor, rt?: DType, node_name?: string, wasm?: Transcendental): Tensor {
  check_self(self, op, others);
  others.forEach((o, i) => check_operand(o, op, i === 0 ? "other" : `arg${i + 1}`));
  check_shapes(self, others);
  const t = rt ?? result_type(self, ...others);
  check_cast(self, t);
  if (records(self, others)) {
    const result = graph(snapshot(self));
    return adopt(self, node_name === undefined ? result : rename(result, node_name));
  }
  // exp_ of a large float tensor: the same bits as its kernel from WebAssembly (wasm/transcendental.ts)
  if (wasm !== undefined && (self.dtype === "float32" || self.dtype === "float64") && wasm_transcendental(wasm, self.data, 0, self.data, 0, self.data.length)) {
    bump_version(self);
    return self;
  }
  let e = expr;
  if (self.dtype === "int64") e = `Math.trunc(${expr}) + 0`;
  else if (self.dtype === "bool") e = `(${expr}) !== 0 ? 1 : 0`;
  else if (self.dtype === "int32" && expr === "a * b") e = "Math.imul(a, b)"; // exact int32 wrap-around
  else if (is_small_int(self.dtype)) e = coerce_expr(expr, self.dtype); // truncate, then wrap (uint8: -1 -> 255)
  const k = kernel(e, 1 + others.length, extra);
  run(k, self.data, self.shape, [self, ...others.map((o) => as_operand(o, t))], values);
  bump_version(self);
  return self;
}

export function add_(self: Tensor, other: TensorLike, options?: E.AlphaOptions): Tensor {
  const alpha = (pyArgs("add_", [["alpha", "number"]], options === undefined ? [] : [options]).alpha as number | undefined) ?? 1;
  return inplace(self, "add_", [other], "a + b * alpha", ["alpha"], [alpha], (old) => E.add(old, other, options));
}

export function sub_(self: Tensor, other: TensorLike, options?: E.AlphaOptions): Tensor {
  const alpha = (pyArgs("sub_", [["alpha", "number"]], options === undefined ? [] : [options]).alpha as number | undefined) ?? 1;
  if (self instanceof Tensor) E.check_sub_bool(self, other);
  return inplace(self, "sub_", [other], "a - b * alpha", ["alpha"], [alpha], (old) => E.sub(old, other, options));
}

export function mul_(self: Tensor, other: TensorLike): Tensor {
  const out = inplace(self, "mul_", [other], "a * b", [], [], (old) => E.mul(old, other));
  // a loss scaled in place keeps its mark, with the factor (loss_scale.ts)
  return typeof other === "number" ? carryLossScale(out, out, other) : out;
}

export function div_(self: Tensor, other: TensorLike, options?: E.DivOptions): Tensor {
  if (options !== undefined && options !== null) checkKeywords("div_", options, ["rounding_mode"]);
  const mode = options?.rounding_mode ?? null;
  const expr = mode === "trunc" ? "Math.trunc(a / b)" : mode === "floor" ? "Math.floor(a / b)" : "a / b";
  const rt = mode === null ? E_float(result_type(self, other)) : undefined;
  const out = inplace(self, "div_", [other], expr, [], [], (old) => E.div(old, other, options), rt);
  return mode === null && typeof other === "number" ? carryLossScale(out, out, 1 / other) : out;
}

function E_float(d: DType): DType {
  return is_floating(d) ? d : "float32";
}

export function pow_(self: Tensor, exponent: TensorLike): Tensor {
  // an integer result to a negative Python scalar power: PyTorch's error, as E.pow (it gave 0); a
  // float exponent (-0.5) makes the result float, which inplace() refuses to cast, as PyTorch
  if (self instanceof Tensor) E.check_int_exponent(result_type(self, exponent), exponent);
  // an int32 / int16 / int8 / uint8 tensor: PyTorch's exact wrap-around, as E.pow
  const expr = self instanceof Tensor && is_small_int(self.dtype) ? E.INT_POW_EXPR : "Math.pow(a, b)";
  return inplace(self, "pow_", [exponent], expr, [], [], (old) => E.pow(old, exponent));
}

/** self += value * t1 * t2 */
export function addcmul_(self: Tensor, t1: Tensor, t2: Tensor, options?: { value?: number }): Tensor {
  const value = (pyArgs("addcmul_", [["value", "number"]], options === undefined ? [] : [options]).value as number | undefined) ?? 1;
  return inplace(self, "addcmul_", [t1, t2], "a + value * b * c", ["value"], [value], (old) => E.add(old, E.mul(E.mul(t1, t2), value)), undefined, "AddcmulBackward0");
}

/** self += value * t1 / t2 */
export function addcdiv_(self: Tensor, t1: Tensor, t2: Tensor, options?: { value?: number }): Tensor {
  const value = (pyArgs("addcdiv_", [["value", "number"]], options === undefined ? [] : [options]).value as number | undefined) ?? 1;
  return inplace(self, "addcdiv_", [t1, t2], "a + value * b / c", ["value"], [value], (old) => E.add(old, E.mul(E.div(t1, t2), value)), undefined, "AddcdivBackward0");
}

/** self += weight * (end - self) */
export function lerp_(self: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  return inplace(self, "lerp_", [end, weight], "a + c * (b - a)", [], [], (old) => E.lerp(old, end, weight));
}

export function clamp_(self: Tensor, min?: E.ClampBound | E.ClampBounds, max?: E.ClampBound): Tensor {
  const [lo, hi] = E.clamp_bounds(min, max, "clamp_");
  // An absent bound is +-Infinity: it must not make an int64 tensor's result type float.
  const rt = result_type(self, ...[lo, hi].filter((v) => typeof v !== "number" || Number.isFinite(v)));
  // (clamp_'s cast check names the output type as c10 prints it: "long int", where add_'s says "Long")
  if (self instanceof Tensor && category(rt) > category(self.dtype)) {
    throw RuntimeTypeError(`result type ${TORCH_NAME[rt]} can't be cast to the desired output type ${is_integer(self.dtype) ? C_TYPE_NAME[self.dtype] : TORCH_NAME[self.dtype]}`);
  }
  // a Python scalar bound of a small dtype: checked, then written into it (uint8: -5 is 251), as E.clamp
  const small = self instanceof Tensor && is_small_int(self.dtype);
  const [l, h] = [lo, hi].map((v) => (small && typeof v === "number" ? E.small_int_bound(v, self.dtype) : v));
  return inplace(self, "clamp_", [l, h], "a !== a ? a : Math.min(Math.max(a, b), c)", [], [], (old) => E.clamp(old, l, h), rt);
}

export function clamp_min_(self: Tensor, min: number | Tensor): Tensor {
  return clamp_(self, min, null);
}

export function clamp_max_(self: Tensor, max: number | Tensor): Tensor {
  return clamp_(self, null, max);
}

function unary_(self: Tensor, op: string, expr: string, graph: (old: Tensor) => Tensor, floating: boolean, wasm?: Transcendental): Tensor {
  if (floating && !is_floating(self.dtype)) check_cast(self, "float32");
  return inplace(self, op, [], expr, [], [], graph, undefined, undefined, wasm);
}

export function sqrt_(self: Tensor): Tensor {
  return unary_(self, "sqrt_", "Math.sqrt(a)", (old) => E.sqrt(old), true);
}

export function exp_(self: Tensor): Tensor {
  return unary_(self, "exp_", "Math.exp(a)", (old) => E.exp(old), true, "exp");
}

export function log_(self: Tensor): Tensor {
  return unary_(self, "log_", "Math.log(a)", (old) => E.log(old), true);
}

export function neg_(self: Tensor): Tensor {
  return unary_(self, "neg_", "-a", (old) => E.neg(old), false);
}

export function abs_(self: Tensor): Tensor {
  E.check_abs_dtype(self);
  return unary_(self, "abs_", "Math.abs(a)", (old) => E.abs(old), false);
}

/** Copies `src` (broadcast to self's shape, converted to self's dtype) into self. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  check_self(self, "copy_", [src]);
  check_tensor(src, "copy_", "src");
  check_shapes(self, [src]);
  if (records(self, [src])) {
    const moved = new Tensor(self.data.slice() as typeof self.data, self.shape, self.dtype);
    run(kernel("b", 2), moved.data, self.shape, [self, src]);
    const src_shape = [...src.shape];
    // self's old values are an input too (with a zero gradient): the result requires grad when
    // self did, even if src does not, as PyTorch's CopyBackwards.
    attach(moved, "CopyBackwards", [snapshot(self), src], (g, need) => [need[0] ? overwritten(g) : null, need[1] ? sum_to(g, src_shape) : null], false);
    return adopt(self, moved);
  }
  const e = self.dtype === "int64" ? "Math.trunc(b)" : self.dtype === "bool" ? "b !== 0 ? 1 : 0" : is_small_int(self.dtype) ? coerce_expr("b", self.dtype) : "b";
  run(kernel(e, 2), self.data, self.shape, [self, src]);
  bump_version(self);
  return self;
}


export function fill_(self: Tensor, value: number | boolean | Tensor): Tensor {
  return fillWith(self, value, "fill_");
}

/** fill_ and zero_: one op, named in the history as PyTorch names it (zero_ ZeroBackward0, fill_(0) FillBackward2). */
function fillWith(self: Tensor, value: number | boolean | Tensor, op: "fill_" | "zero_"): Tensor {
  check_self(self, op, [value]);
  let v: number;
  if (value instanceof Tensor) {
    if (value.dim() !== 0) throw new RangeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`);
    v = value.data[0];
  } else if (typeof value === "number" || typeof value === "boolean") v = Number(value);
  else throw new TypeError(`fill_(): value must be a number, not ${value === null ? "null" : typeof value}`);
  check_scalar_fits(v, self.dtype); // fill_(300) of a uint8 tensor: PyTorch's overflow error
  if (records(self, [value])) {
    // The old values no longer matter: the gradient w.r.t. them is zero. A 0-dim tensor value
    // gets the sum of g (PyTorch's FillBackward3).
    const filled = new Tensor(self.data.slice() as typeof self.data, self.shape, self.dtype);
    filled.data.fill(coerce(v, self.dtype));
    if (value instanceof Tensor) {
      const vdt = value.dtype;
      return adopt(self, attach(filled, "FillBackward3", [snapshot(self), value], (g, need) => [need[0] ? overwritten(g) : null, need[1] ? sum_where(g, null, vdt) : null], false));
    }
    return adopt(self, attach(filled, op === "zero_" ? "ZeroBackward0" : "FillBackward2", [snapshot(self)], (g) => [overwritten(g)], false));
  }
  self.data.fill(coerce(v, self.dtype));
  bump_version(self);
  return self;
}

/**
 * For in-place ops kept elsewhere that overwrite every element with values that do not depend on
 * the old ones (the random samplers normal_, uniform_, bernoulli_, ...): PyTorch's checks (a leaf
 * or a view of a leaf that requires grad, a view made under no_grad), then `fill(data)` writes the
 * new values, then, when autograd records, the tensor (or, through a view, its base) gets a
 * history named `node` (e.g. "NormalBackward0") in which the old values have a zero gradient.
 */
export function overwrite_(self: Tensor, node: string, fill: (data: Storage) => void): Tensor {
  check_self(self, node, []);
  if (!(is_grad_enabled() && self.requires_grad)) {
    fill(self.data);
    bump_version(self);
    return self;
  }
  // The old values' history, without their values (the zero gradient does not read them).
  const old = new Tensor(self.data, self.shape, self.dtype, true);
  old.grad_fn = self.grad_fn;
  const filled = new Tensor(storageFor(self.dtype, self.data.length), self.shape, self.dtype);
  fill(filled.data);
  return adopt(self, attach(filled, node, [old], (g) => [overwritten(g)], false));
}

export function zero_(self: Tensor): Tensor {
  return fillWith(self, 0, "zero_");
}

export function masked_fill_(self: Tensor, mask: Tensor, valueArg: TensorLike | { value: TensorLike }): Tensor {
  const value = masked_fill_value(valueArg, "masked_fill_");
  check_self(self, "masked_fill_", [value]);
  if (!(mask instanceof Tensor) || mask.dtype !== "bool") throw new TypeError(`masked_fill_ only supports boolean masks`);
  check_shapes(self, [mask]);
  if (records(self, [value])) return adopt(self, masked_fill(snapshot(self), mask, value));
  const raw = value instanceof Tensor ? value.data[0] : Number(value);
  check_scalar_fits(raw, self.dtype);
  const v = coerce(raw, self.dtype);
  run(kernel("b !== 0 ? v : a", 2, ["v"]), self.data, self.shape, [self, mask], [v]);
  bump_version(self);
  return self;
}
