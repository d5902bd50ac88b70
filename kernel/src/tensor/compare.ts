/**
 * Comparisons and predicates (bool results, no gradient): eq ne lt le gt ge isfinite isnan isinf
 * logical_not/and/or all any, the whole-tensor checks equal allclose isclose, and the
 * differentiable selection where(cond, a, b).
 */
import { pyArgs } from "../utils/py_args";
import { Tensor, check_tensor } from "./tensor";
import type { DType } from "./tensor";
import { attach } from "./autograd";
import { TensorLike, check_operand, ew, result_type, shape_of } from "./operand";
import { kernel } from "./kernels";
import { layout, reduce_args, DimArg, KeepArg } from "./reduce";
import { check_scalar_fits, storage_for } from "./dtype";
import { sum_to } from "./sum_to";
import { saves } from "./version";
import { RuntimeTypeError } from "../errors";
import { SCALAR_TYPE_NAME as SCALAR_NAMES } from "./dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_COND = saves("0");

function cmp(a: Tensor, b: TensorLike, op: string, expr: string): Tensor {
  check_tensor(a, op);
  check_operand(b, op);
  return ew(expr, [a, b], "bool", result_type(a, b));
}

export function eq(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "eq", "a === b ? 1 : 0");
}
export function ne(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "ne", "a !== b ? 1 : 0");
}
export function lt(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "lt", "a < b ? 1 : 0");
}
export function le(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "le", "a <= b ? 1 : 0");
}
export function gt(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "gt", "a > b ? 1 : 0");
}
export function ge(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "ge", "a >= b ? 1 : 0");
}
export const greater = gt;
export const greater_equal = ge;
export const less = lt;
export const less_equal = le;
export const not_equal = ne;

function pred(x: Tensor, op: string, expr: string): Tensor {
  check_tensor(x, op);
  return ew(expr, [x], "bool", "float64");
}

export function isfinite(x: Tensor): Tensor {
  return pred(x, "isfinite", "(a === a && a !== Infinity && a !== -Infinity) ? 1 : 0");
}
export function isnan(x: Tensor): Tensor {
  return pred(x, "isnan", "a !== a ? 1 : 0");
}
export function isinf(x: Tensor): Tensor {
  return pred(x, "isinf", "(a === Infinity || a === -Infinity) ? 1 : 0");
}
export function logical_not(x: Tensor): Tensor {
  return pred(x, "logical_not", "a === 0 ? 1 : 0");
}
export function logical_and(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "logical_and", "(a !== 0 && b !== 0) ? 1 : 0");
}
export function logical_or(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "logical_or", "(a !== 0 || b !== 0) ? 1 : 0");
}
export function logical_xor(a: Tensor, b: TensorLike): Tensor {
  return cmp(a, b, "logical_xor", "((a !== 0) !== (b !== 0)) ? 1 : 0");
}

function all_any(x: Tensor, dim: DimArg, keepdim: KeepArg, all: boolean): Tensor {
  const op = all ? "all" : "any";
  check_tensor(x, op);
  const a = reduce_args(dim, keepdim, op, ["dim", "keepdim"]);
  const L = layout(x, a.dim, a.keepdim);
  const { src, outer, size, inner } = L;
  const out = storage_for("bool", outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let r = all;
      for (let k = 0; k < size; k++) {
        const nz = src[o * size * inner + k * inner + i] !== 0;
        if (all && !nz) {
          r = false;
          break;
        }
        if (!all && nz) {
          r = true;
          break;
        }
      }
      out[o * inner + i] = r ? 1 : 0;
    }
  }
  return new Tensor(out, L.out_shape, "bool");
}

/** True where every element (along dim) is nonzero. */
export function all(x: Tensor, dim?: DimArg, keepdim?: KeepArg): Tensor {
  return all_any(x, dim, keepdim, true);
}

/** True where some element (along dim) is nonzero. */
export function any(x: Tensor, dim?: DimArg, keepdim?: KeepArg): Tensor {
  return all_any(x, dim, keepdim, false);
}

/** Same shape and the same elements (NaN never equals itself, as PyTorch). */
export function equal(a: Tensor, b: Tensor): boolean {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("equal(): arguments must be Tensors");
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equal_nan?: boolean;
}

/** PyTorch's (rtol=1e-05, atol=1e-08, equal_nan=False), positionally or as keywords (positional ones used to be dropped). */
type CloseArg = number | boolean | CloseOptions | undefined;
const CLOSE_PARAMS = [["rtol", "number"], ["atol", "number"], ["equal_nan", "boolean"]] as const;

/** |a - b| <= atol + rtol * |b| elementwise (infinities must match exactly): `isclose(a, b, rtol?, atol?, equal_nan?)` or `isclose(a, b, { rtol, atol, equal_nan })`. */
export function isclose(a: Tensor, b: TensorLike, ...rest: CloseArg[]): Tensor {
  return iscloseWith("isclose", a, b, rest);
}

function iscloseWith(op: string, a: Tensor, b: TensorLike, rest: readonly CloseArg[]): Tensor {
  check_tensor(a, op);
  check_operand(b, op);
  const options = pyArgs(op, CLOSE_PARAMS, rest) as CloseOptions;
  if (b instanceof Tensor && b.dtype !== a.dtype) throw RuntimeTypeError(`${SCALAR_NAMES[a.dtype]} did not match ${SCALAR_NAMES[b.dtype]}`);
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  if (rtol < 0) throw new RangeError(`rtol must be greater than or equal to zero, but got ${rtol}`);
  if (atol < 0) throw new RangeError(`atol must be greater than or equal to zero, but got ${atol}`);
  const en = options.equal_nan ? 1 : 0;
  const k = kernel("a === b ? 1 : (a !== a || b !== b) ? ((en && a !== a && b !== b) ? 1 : 0) : (Math.abs(a - b) <= atol + rtol * Math.abs(b) && Math.abs(a - b) !== Infinity ? 1 : 0)", 2, ["rtol", "atol", "en"]);
  return ew(k, [a, b], "bool", "float64", [rtol, atol, en]);
}

/** Whether every element isclose: `allclose(a, b, rtol?, atol?, equal_nan?)` or with `{ rtol, atol, equal_nan }`. */
export function allclose(a: Tensor, b: TensorLike, ...rest: CloseArg[]): boolean {
  const c = iscloseWith("allclose", a, b, rest);
  for (let i = 0; i < c.data.length; i++) if (c.data[i] === 0) return false;
  return true;
}

/**
 * where(cond, a, b): a where cond is true, else b (all broadcast); the gradient goes to the side
 * that was picked.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  check_tensor(cond, "where", "condition");
  if (cond.dtype !== "bool") throw RuntimeTypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${SCALAR_NAMES[cond.dtype]}`);
  check_operand(a, "where", "input");
  check_operand(b, "where", "other");
  const dt = result_type(a, b);
  // a Python scalar must fit a small integer result (PyTorch's overflow error)
  if (typeof a === "number") check_scalar_fits(a, dt);
  if (typeof b === "number") check_scalar_fits(b, dt);
  const out = ew("a !== 0 ? b : c", [cond, a, b], dt);
  return attach(out, "WhereBackward0", [cond, a, b], (g, need) => [
    null,
    need[1] ? sum_to(ew("b !== 0 ? a : 0", [g, cond], g.dtype), shape_of(a)) : null,
    need[2] ? sum_to(ew("b !== 0 ? 0 : a", [g, cond], g.dtype), shape_of(b)) : null,
  ], true, SAVES_COND);
}


/** Indices of the nonzero elements, one row per element: shape [count, ndim] (int64). */
export function nonzero(x: Tensor): Tensor {
  check_tensor(x, "nonzero");
  const nd = x.dim();
  const hits: number[] = [];
  const pos = new Array<number>(nd).fill(0);
  for (let i = 0; i < x.data.length; i++) {
    if (x.data[i] !== 0) hits.push(...pos);
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < x.shape[d]) break;
      pos[d] = 0;
    }
  }
  const out = new Float64Array(hits);
  return new Tensor(out, [nd === 0 ? (x.data[0] !== 0 ? 1 : 0) : hits.length / nd, nd], "int64");
}

/** Number of nonzero elements (along `dim`), as int64. */
export function count_nonzero(x: Tensor, dim?: number | readonly number[] | null): Tensor {
  check_tensor(x, "count_nonzero");
  const L = layout(x, dim ?? null, false);
  const { src, outer, size, inner } = L;
  const out = storage_for("int64", outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      for (let i = 0; i < inner; i++) if (src[o * size * inner + k * inner + i] !== 0) out[o * inner + i]++;
    }
  }
  return new Tensor(out, L.out_shape, "int64");
}
