/**
 * torch.linalg's norms: vector_norm (any real `ord`, over any dims), matrix_norm ('fro', 'nuc',
 * ±1, ±2, ±inf over two dims) and norm (vector or matrix by `ord` and `dim`, as PyTorch decides).
 * Each is built the way PyTorch builds it, so values and gradients are PyTorch's: vector_norm is
 * the library's p-norm (reduce.ts, LinalgVectorNormBackward0); ±1/±inf are max/min of |A|'s
 * column/row sums (amax/amin split ties evenly, as PyTorch's); 'nuc' and ±2 sum/max/min svdvals.
 */
import { pyArgs } from "../../utils/py_args";
import { DType, Tensor } from "../tensor";
import { check_dtype, is_floating } from "../dtype";
import { wrap_dim } from "../shape";
import { abs } from "../elementwise";
import { amax, amin, norm as p_norm, sum } from "../reduce";
import { permute, unsqueeze } from "../views";
import { check_tensor } from "../tensor";
import { svdvals } from "./factor";
import { torch_type } from "./common";

type Dims = number | readonly number[] | null;
type MatrixOrd = number | "fro" | "nuc";

export interface VectorNormOptions {
  /** The order p: Σ|x|ᵖ^(1/p); Infinity = max |x|, -Infinity = min |x|, 0 = number of nonzeros. Default 2. */
  ord?: number;
  /** Dims to reduce (default all). */
  dim?: Dims;
  keepdim?: boolean;
  /** numpy's names for dim / keepdim, which PyTorch accepts too (not with dim / keepdim). */
  axis?: Dims;
  keepdims?: boolean;
  /** Cast the input to this floating dtype first. */
  dtype?: DType | null;
}

export interface MatrixNormOptions {
  /** 'fro' (default), 'nuc', Infinity, -Infinity, 1, -1, 2, -2. */
  ord?: MatrixOrd;
  /** The two dims holding the matrices (default [-2, -1]). */
  dim?: readonly number[];
  keepdim?: boolean;
  /** numpy's names for dim / keepdim, which PyTorch accepts too (not with dim / keepdim). */
  axis?: readonly number[];
  keepdims?: boolean;
  dtype?: DType | null;
}

export interface NormOptions {
  ord?: MatrixOrd | null;
  dim?: Dims;
  keepdim?: boolean;
  /** numpy's names for dim / keepdim, which PyTorch accepts too (not with dim / keepdim). */
  axis?: Dims;
  keepdims?: boolean;
  dtype?: DType | null;
}

/** Positional (ord, dim, keepdim, { dtype }) or one options object, into one options object. */
/**
 * (ord, dim, keepdim, *, dtype) positionally or as keywords in the trailing object (with PyTorch's
 * numpy aliases axis / keepdims: these linalg norms are native ops); an unknown key, a value given
 * twice or a non-boolean keepdim is an error (an unknown key used to be ignored).
 */
function parse<O extends { ord?: unknown; dim?: unknown; keepdim?: unknown; dtype?: unknown }>(op: string, ord: unknown, dim: unknown, keepdim: unknown, rest: unknown): O {
  return pyArgs(op, [["ord", "any"], ["dim", "any"], ["keepdim", "boolean"]], [ord, dim, keepdim, rest], ["dtype"], true) as O;
}

function cast(x: Tensor, dtype: DType | null | undefined, op: string): Tensor {
  if (dtype === undefined || dtype === null) return x;
  const d = check_dtype(dtype, op);
  if (!is_floating(d)) throw new TypeError(`${op}: dtype should be floating point or complex. Got ${torch_type(d)}`);
  return x.to(d);
}

/**
 * `torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False, { dtype })`: (Σ|x|^ord)^(1/ord)
 * over `dim` (all elements by default); ord ±Infinity gives max/min |x|, 0 the count of nonzeros.
 */
export function vector_norm(x: Tensor, ord?: number | VectorNormOptions, dim?: Dims | VectorNormOptions, keepdim?: boolean | VectorNormOptions, options?: { dtype?: DType | null }): Tensor {
  const o = parse<VectorNormOptions>("linalg.vector_norm", ord, dim, keepdim, options);
  check_tensor(x, "linalg_vector_norm", "input");
  const p = o.ord ?? 2;
  if (typeof p !== "number") throw new TypeError(`linalg_vector_norm(): argument 'ord' must be Number, not ${typeof p === "string" ? "str" : typeof p}`);
  if (!is_floating(x.dtype) && (o.dtype === undefined || o.dtype === null)) {
    throw new TypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${torch_type(x.dtype)}`);
  }
  const d = o.dim === undefined ? null : o.dim;
  return p_norm(cast(x, o.dtype, "linalg.vector_norm"), p, typeof d === "number" ? [d] : d, o.keepdim ?? false);
}

/**
 * `torch.linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, { dtype })`: 'fro' √Σa²,
 * 'nuc' Σσ, 2/−2 max/min σ, 1/−1 max/min column sum of |a|, ±Infinity max/min row sum of |a|.
 */
export function matrix_norm(A: Tensor, ord?: MatrixOrd | MatrixNormOptions, dim?: readonly number[] | MatrixNormOptions, keepdim?: boolean | MatrixNormOptions, options?: { dtype?: DType | null }): Tensor {
  const o = parse<MatrixNormOptions>("linalg.matrix_norm", ord, dim, keepdim, options);
  check_tensor(A, "linalg_matrix_norm", "input");
  const p = o.ord ?? "fro";
  const kd = o.keepdim ?? false;
  if (A.dim() < 2) throw new RangeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
  if (!is_floating(A.dtype) && (o.dtype === undefined || o.dtype === null)) {
    throw new TypeError(`linalg.matrix_norm: Expected a floating point or complex tensor as input. Got ${torch_type(A.dtype)}`);
  }
  const dims = o.dim ?? [-2, -1];
  if (!Array.isArray(dims) || dims.length !== 2) throw new RangeError(`linalg.matrix_norm: dim must be a 2-tuple. Got ${Array.isArray(dims) ? dims.join(" ") : String(dims)}`);
  const d0 = wrap_dim(dims[0], A.dim());
  const d1 = wrap_dim(dims[1], A.dim());
  if (d0 === d1) throw new RangeError(`linalg.matrix_norm: dims must be different. Got (${dims[0]}, ${dims[1]})`);
  const ok = p === "fro" || p === "nuc" || p === 1 || p === -1 || p === 2 || p === -2 || p === Infinity || p === -Infinity;
  if (!ok) throw new RangeError(`linalg.matrix_norm: Order ${typeof p === "number" ? (Number.isInteger(p) ? p : p) : p} not supported.`);
  const x = cast(A, o.dtype, "linalg.matrix_norm");
  if (p === "fro") return p_norm(x, 2, [d0, d1], kd);
  if (p === "nuc" || p === 2 || p === -2) {
    // as PyTorch: the two dims moved last, svdvals reduced, then (keepdim) moved back
    const rest = x.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
    const perm = [...rest, d0, d1];
    const s = svdvals(permute(x, perm));
    const r = p === "nuc" ? sum(s, -1, kd) : p === 2 ? amax(s, -1, kd) : amin(s, -1, kd);
    if (!kd) return r;
    const back = new Array<number>(perm.length);
    perm.forEach((d, i) => (back[d] = i));
    return permute(unsqueeze(r, -1), back);
  }
  // ±1: sum |A| over the rows (d0), then max/min over the columns (d1); ±inf: the other way round
  const [sum_dim, ext_dim] = p === 1 || p === -1 ? [d0, d1] : [d1, d0];
  const sums = sum(abs(x), sum_dim, kd);
  const e = kd || ext_dim < sum_dim ? ext_dim : ext_dim - 1;
  return p > 0 ? amax(sums, e, kd) : amin(sums, e, kd);
}

/**
 * `torch.linalg.norm(A, ord=None, dim=None, keepdim=False, { dtype })`: a vector norm when `dim`
 * is one dim (or A is 1-D), a matrix norm when `dim` is two dims (or A is 2-D and `ord` given);
 * with neither `ord` nor `dim`, the 2-norm of all elements.
 */
export function norm(A: Tensor, ord?: MatrixOrd | null | NormOptions, dim?: Dims | NormOptions, keepdim?: boolean | NormOptions, options?: { dtype?: DType | null }): Tensor {
  const o = parse<NormOptions>("linalg.norm", ord, dim, keepdim, options);
  check_tensor(A, "linalg_norm", "input");
  const p = o.ord ?? null;
  const kd = o.keepdim ?? false;
  const d = o.dim ?? null;
  const rest = { dtype: o.dtype };
  if (d !== null) {
    const ds = typeof d === "number" ? [d] : [...d];
    if (ds.length === 1) {
      if (typeof p === "string") throw new RangeError(`linalg.norm: If dim is specified, it must be of length 2 when ord is a string ('${p}'). Got [${ds.join(", ")}]`);
      return vector_norm(A, p ?? 2, ds, kd, rest);
    }
    if (ds.length === 2) return matrix_norm(A, p ?? "fro", ds, kd, rest);
    throw new RangeError(`linalg.norm: If dim is specified, it must be of length 1 or 2. Got [${ds.join(", ")}]`);
  }
  if (p === null) return vector_norm(A, 2, null, kd, rest);
  if (A.dim() === 1) {
    if (typeof p === "string") throw new RangeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
    return vector_norm(A, p, null, kd, rest);
  }
  if (A.dim() === 2) return matrix_norm(A, p, [-2, -1], kd, rest);
  throw new RangeError(`linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ${A.dim()}D.`);
}
