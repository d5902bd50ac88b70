/**
 * In-place forms of ops that lrlab had only out of place: relu_ sigmoid_ tanh_ floor_ ceil_
 * round_ trunc_ sin_ cos_ reciprocal_ rsqrt_ square_ sign_ log1p_ expm1_ erf_ frac_ tril_ triu_, and
 * scatter_ scatter_add_, as Tensor methods and (where PyTorch has them) torch.<name>_ functions.
 *
 * Each computes its out-of-place op, then writes the result into self with lrlab's rules for
 * in-place ops (nn/_inplace.ts maybeInplace: PyTorch's leaf / view checks, the op reading a
 * snapshot of the old values when autograd records, self's history rebased on the result's node,
 * whose name is the in-place one's too: ReluBackward0, RoundBackward1, ScatterBackward0, ...).
 * A floating result is refused for an int64 / bool self first, with PyTorch's cast error, so the
 * values written always fit self's dtype. The out-of-place op allocates one result (the in-place
 * kernels of inplace.ts avoid that; these ops are not on an optimizer's hot path).
 */
import { Tensor } from "./tensor";
import { is_floating } from "./dtype";
import { is_grad_enabled } from "./grad_mode";
import { check_inplace, rebase_history } from "./view_history";
import { bump_version } from "./version";
import { maybeInplace } from "../nn/_inplace";
import * as E from "./elementwise";
import * as A from "./activation";
import * as MM from "./math_more";
import { round } from "./round_decimals";
import { scatter, scatter_add, scatter_reduce_arg } from "./gather";
import type { ScatterOptions } from "./gather";
import { tril, triu, type TriDiagonal } from "./rearrange";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";


/** `op(self)` written into self; `floating`: the op's result is floating, which int64 / bool cannot take. */
function unary_(self: Tensor, op: (x: Tensor) => Tensor, floating: boolean): Tensor {
  if (floating && self instanceof Tensor && !is_floating(self.dtype)) {
    throw new TypeError(`result type Float can't be cast to the desired output type ${TORCH_NAME[self.dtype]}`);
  }
  return maybeInplace(self, true, op);
}

export const relu_ = (self: Tensor): Tensor => unary_(self, A.relu, false);
export const sigmoid_ = (self: Tensor): Tensor => unary_(self, A.sigmoid, true);
export const tanh_ = (self: Tensor): Tensor => unary_(self, A.tanh, true);
export const floor_ = (self: Tensor): Tensor => unary_(self, E.floor, false);
export const ceil_ = (self: Tensor): Tensor => unary_(self, E.ceil, false);
export const trunc_ = (self: Tensor): Tensor => unary_(self, MM.trunc, false);
export const fix_ = trunc_;
export const frac_ = (self: Tensor): Tensor => unary_(self, MM.frac, false);
export const sin_ = (self: Tensor): Tensor => unary_(self, E.sin, true);
export const cos_ = (self: Tensor): Tensor => unary_(self, E.cos, true);
export const reciprocal_ = (self: Tensor): Tensor => unary_(self, E.reciprocal, true);
export const rsqrt_ = (self: Tensor): Tensor => unary_(self, E.rsqrt, true);
export const square_ = (self: Tensor): Tensor => unary_(self, E.square, false);
export const sign_ = (self: Tensor): Tensor => unary_(self, E.sign, false);
export const log1p_ = (self: Tensor): Tensor => unary_(self, E.log1p, true);
export const expm1_ = (self: Tensor): Tensor => unary_(self, E.expm1, true);
export const erf_ = (self: Tensor): Tensor => unary_(self, A.erf, true);

/** round_(), or round_({ decimals }) as round's (PyTorch's RoundBackward1 then). */
export function round_(self: Tensor, options?: { decimals?: number }): Tensor {
  return unary_(self, (x) => round(x, options), false);
}

/** tril_(diagonal) / triu_(diagonal), the diagonal as tril's (a number or `{ diagonal }`). */
export function tril_(self: Tensor, diagonal?: TriDiagonal): Tensor {
  return unary_(self, (x) => tril(x, diagonal), false);
}
export function triu_(self: Tensor, diagonal?: TriDiagonal): Tensor {
  return unary_(self, (x) => triu(x, diagonal), false);
}

/** scatter_ / scatter_add_: src is an operand too (it may require grad while self does not). */
function scatter_into(self: Tensor, src: Tensor | number, op: (x: Tensor) => Tensor): Tensor {
  if (!(self instanceof Tensor)) return op(self);
  check_inplace(self, [src]);
  const recording = is_grad_enabled() && (self.requires_grad || (src instanceof Tensor && src.requires_grad));
  let old = self;
  if (recording) {
    // the old values, attached to self's current history (scatter's backward may read them)
    old = new Tensor(self.data.slice() as typeof self.data, self.shape, self.dtype, self.requires_grad);
    old.grad_fn = self.grad_fn;
  }
  const result = op(old);
  self.data.set(result.data);
  if (recording) rebase_history(self, result);
  else bump_version(self);
  return self;
}

export function scatter_(self: Tensor, dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): Tensor {
  scatter_reduce_arg(options, "scatter_"); // checked before anything is written
  return scatter_into(self, src, (x) => scatter(x, dim, index, src, options));
}

export function scatter_add_(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatter_into(self, src, (x) => scatter_add(x, dim, index, src));
}

// ---- the methods (declared on Tensor here, so tensor.ts stays as it is) -------------------------

declare module "./tensor" {
  interface Tensor {
    /** In place: relu (ReluBackward0). */ relu_(): this;
    /** In place: sigmoid. */ sigmoid_(): this;
    /** In place: tanh. */ tanh_(): this;
    /** In place: floor. */ floor_(): this;
    /** In place: ceil. */ ceil_(): this;
    /** In place: round, or round to `decimals` places. */ round_(options?: { decimals?: number }): this;
    /** In place: trunc. */ trunc_(): this;
    /** In place: trunc (fix is its alias). */ fix_(): this;
    /** In place: frac. */ frac_(): this;
    /** In place: sin. */ sin_(): this;
    /** In place: cos. */ cos_(): this;
    /** In place: reciprocal. */ reciprocal_(): this;
    /** In place: rsqrt. */ rsqrt_(): this;
    /** In place: square. */ square_(): this;
    /** In place: sign. */ sign_(): this;
    /** In place: log1p. */ log1p_(): this;
    /** In place: expm1. */ expm1_(): this;
    /** In place: erf. */ erf_(): this;
    /** In place: tril (zeros above the `diagonal`-th diagonal). */ tril_(diagonal?: TriDiagonal): this;
    /** In place: triu (zeros below the `diagonal`-th diagonal). */ triu_(diagonal?: TriDiagonal): this;
    /** In place: self[p with p[dim] = index[p]] = src[p] (or the number `src`). */ scatter_(dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): this;
    /** In place: adds src[p] at self[p with p[dim] = index[p]]. */ scatter_add_(dim: number, index: Tensor, src: Tensor): this;
  }
}

const METHODS: Record<string, (this: Tensor, ...a: never[]) => Tensor> = {
  round_(this: Tensor, options?: { decimals?: number }) { return round_(this, options); },
  tril_(this: Tensor, diagonal?: TriDiagonal) { return tril_(this, diagonal); },
  triu_(this: Tensor, diagonal?: TriDiagonal) { return triu_(this, diagonal); },
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions) { return scatter_(this, dim, index, src, options); },
  scatter_add_(this: Tensor, dim: number, index: Tensor, src: Tensor) { return scatter_add_(this, dim, index, src); },
};
for (const [name, f] of Object.entries({
  relu_, sigmoid_, tanh_, floor_, ceil_, trunc_, fix_, frac_, sin_, cos_, reciprocal_, rsqrt_, square_, sign_, log1p_, expm1_, erf_,
})) METHODS[name] = { [name](this: Tensor) { return f(this); } }[name];
// non-enumerable, as a class's methods; named, so the slice write-back wrapper (slice_window.ts) wraps them
for (const [name, value] of Object.entries(METHODS)) {
  Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true, enumerable: false });
}
