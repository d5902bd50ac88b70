/**
 * Operands of element-wise ops: tensors or JS scalars, their promoted result dtype, and the raw
 * (no-autograd) element-wise evaluation used by the ops and their backward formulas.
 */
import { DType, Tensor } from "./tensor";
import { category, coerce, coerce_expr, coerce_storage, is_small_int, get_default_dtype, promote_types, scalar_dtype, storage_for } from "./dtype";
import { broadcast_shapes } from "./shape";
import { Kernel, Operand, kernel, run } from "./kernels";
import { elementwise_order } from "./memory_order";

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;

export function check_operand(x: unknown, op: string, arg = "other"): TensorLike {
  if (x instanceof Tensor || typeof x === "number" || typeof x === "boolean") return x;
  throw new TypeError(`${op}(): argument '${arg}' must be a Tensor or a number, not ${x === null ? "null" : Array.isArray(x) ? "an array (wrap it with torch.tensor)" : typeof x}`);
}

/** torch.result_type over tensors and scalars (see dtype.ts for the rules). */
export function result_type(...xs: TensorLike[]): DType {
  let dimmed: DType | null = null;
  let zero: DType | null = null;
  let scalar: DType | null = null;
  for (const x of xs) {
    if (x instanceof Tensor) {
      if (x.shape.length > 0) dimmed = dimmed === null ? x.dtype : promote_types(dimmed, x.dtype);
      else zero = zero === null ? x.dtype : promote_types(zero, x.dtype);
    } else {
      const d = scalar_dtype(x);
      scalar = scalar === null ? d : promote_types(scalar, d);
    }
  }
  let r: DType | null = dimmed;
  if (zero !== null && (r === null || category(zero) > category(r))) r = zero;
  if (scalar !== null && (r === null || category(scalar) > category(r))) {
    r = scalar === "float64" || scalar === "float32" ? get_default_dtype() : scalar;
  }
  return r ?? get_default_dtype();
}

/** Float dtype for ops that always give floats (exp, div, ...): int/bool become the default float. */
export function float_type(d: DType): DType {
  return d === "float32" || d === "float64" ? d : get_default_dtype();
}

const scalar_shape: number[] = [];

/** A view of `x` for the kernels; scalars are rounded to the compute dtype first (as PyTorch does). */
export function as_operand(x: TensorLike, compute: DType): Operand {
  if (x instanceof Tensor) return x;
  let v = typeof x === "boolean" ? (x ? 1 : 0) : x;
  if (compute === "float32") v = Math.fround(v);
  else if (compute === "bool") v = v !== 0 ? 1 : 0;
  // integers truncate, and wrap (uint8 + 300 is uint8 + 44, as PyTorch); ±Infinity (an absent clamp bound) stays
  else if (compute !== "float64" && Number.isFinite(v)) v = coerce(v, compute);
  const d = new Float64Array(1);
  d[0] = v;
  return { data: d, shape: scalar_shape };
}

export function shape_of(x: TensorLike): readonly number[] {
  return x instanceof Tensor ? x.shape : scalar_shape;
}

/**
 * Evaluates `expr` element-wise over the broadcast operands into a new tensor of `out_dtype`
 * (no autograd). `compute` is the dtype scalars are rounded to (default: out_dtype).
 */
export function ew(expr: string | Kernel, xs: readonly TensorLike[], out_dtype: DType, compute: DType = out_dtype, extra: readonly number[] = []): Tensor {
  let shape: readonly number[] = scalar_shape;
  let permuted = false;
  for (const x of xs) {
    if (x instanceof Tensor) {
      shape = shape === scalar_shape ? x.shape : broadcast_shapes(shape, x.shape);
      if (x._memory_order !== null) permuted = true;
    }
  }
  let n = 1;
  for (const d of shape) n *= d;
  const out = storage_for(out_dtype, n);
  // integer results are stored as coerce() does: "+ 0" turns -0 into 0 (int64 has no negative zero),
  // int32 / int16 / int8 / uint8 wrap around (dtype.ts coerce_expr); float and bool kernels are unchanged
  const k = typeof expr === "string" ? kernel(out_dtype === "float32" || out_dtype === "float64" || out_dtype === "bool" ? expr : coerce_expr(expr, out_dtype), xs.length) : expr;
  run(k, out, shape, xs.map((x) => as_operand(x, compute)), extra);
  if (typeof expr !== "string" && is_small_int(out_dtype)) coerce_storage(out, out_dtype);
  const res = new Tensor(out, shape, out_dtype);
  if (permuted) res._memory_order = elementwise_order(xs, shape); // PyTorch's TensorIterator keeps the layout
  return res;
}
