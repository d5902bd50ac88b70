/**
 * Diagonals: diagonal (a diagonal of two dims moved to the end), diag (vector -> matrix, matrix ->
 * vector), diag_embed (the last dim onto a diagonal of two new dims), trace, and the index lists
 * tril_indices / triu_indices. Each is a gather or placement at flat positions (flat_index.ts), so
 * the gradient is the matching placement or gather. `diagonal` copies (every tensor here is
 * contiguous; in PyTorch it is a view), and remembers where its elements sit (slice_window.ts), so
 * an in-place method on it writes into the input as through PyTorch's view: `x.diagonal().fill_(0)`
 * zeroes x's diagonal. As for other slices, the copy is a snapshot of x when it was taken.
 */
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { check_dtype, storage_for, SCALAR_TYPE_NAME, is_integer, is_floating } from "./dtype";
import { wrap_dim } from "./shape";
import { gather_flat, place_flat, strided_positions, strides_of } from "./flat_index";
import { set_window } from "./slice_window";

export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}

function int_arg(v: unknown, op: string, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}(): argument '${name}' must be int, not ${JSON.stringify(v)}`);
  return v;
}

function diag_args(offset: number | DiagonalOptions | undefined, dim1: number | undefined, dim2: number | undefined, d1: number, d2: number, op: string): { offset: number; dim1: number; dim2: number } {
  if (typeof offset === "object" && offset !== null) {
    for (const k of Object.keys(offset)) if (!["offset", "dim1", "dim2"].includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: offset, dim1, dim2)`);
    return { offset: int_arg(offset.offset ?? 0, op, "offset"), dim1: int_arg(offset.dim1 ?? d1, op, "dim1"), dim2: int_arg(offset.dim2 ?? d2, op, "dim2") };
  }
  return { offset: int_arg(offset ?? 0, op, "offset"), dim1: int_arg(dim1 ?? d1, op, "dim1"), dim2: int_arg(dim2 ?? d2, op, "dim2") };
}

/** Positions and shape of the `offset` diagonal of dims a, b of `shape` (it becomes the last dim). */
function diagonal_layout(shape: readonly number[], offset: number, a: number, b: number): { pos: Uint32Array; out: number[]; base: number; strides: number[] } {
  const st = strides_of(shape);
  const n1 = shape[a];
  const n2 = shape[b];
  const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  const base = len === 0 ? 0 : offset >= 0 ? offset * st[b] : -offset * st[a];
  const out: number[] = [];
  const ost: number[] = [];
  shape.forEach((s, d) => {
    if (d !== a && d !== b) {
      out.push(s);
      ost.push(st[d]);
    }
  });
  out.push(len);
  ost.push(st[a] + st[b]);
  return { pos: strided_positions(out, ost, base), out, base, strides: ost };
}

/**
 * `diagonal(x, offset = 0, dim1 = 0, dim2 = 1)` (or `{ offset, dim1, dim2 }`): x[..., i, ..., i + offset, ...]
 * over i, with dims dim1 and dim2 removed and the diagonal appended as the last dim.
 */
export function diagonal(x: Tensor, offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor {
  check_tensor(x, "diagonal");
  const o = diag_args(offset, dim1, dim2, 0, 1, "diagonal");
  const a = wrap_dim(o.dim1, x.dim());
  const b = wrap_dim(o.dim2, x.dim());
  if (a === b) throw new RangeError(`diagonal dimensions cannot be identical ${o.dim1}, ${o.dim2}`);
  const { pos, out, base, strides } = diagonal_layout(x.shape, o.offset, a, b);
  const d = gather_flat(x, pos, out, "DiagonalBackward0");
  set_window(d, x, base, strides); // PyTorch's diagonal is a view: in-place ops write back
  return d;
}

/**
 * `x.fill_diagonal_(fill_value, wrap = false)`: in place, the main diagonal set to fill_value: the
 * elements x[i, i, ..., i] (every dim of x must then have the same length when x has more than
 * two). For a tall matrix (rows > columns + 1), `wrap` continues the diagonal every columns + 1
 * rows below the first square, as numpy's fill_diagonal does. Written through masked_fill_, so
 * autograd records it as it records that (the gradient is zero on the diagonal).
 */
export function fill_diagonal_(x: Tensor, fill_value: number | boolean, wrap = false): Tensor {
  check_tensor(x, "fill_diagonal_");
  if (typeof fill_value !== "number" && typeof fill_value !== "boolean") {
    throw new TypeError(`fill_diagonal_(): argument 'fill_value' must be a number, not ${fill_value === null ? "null" : typeof fill_value}`);
  }
  if (typeof wrap !== "boolean") throw new TypeError(`fill_diagonal_(): argument 'wrap' must be bool, not ${typeof wrap}`);
  const nd = x.dim();
  if (nd < 2) throw new RangeError(`dimensions must larger than 1 (fill_diagonal_ of a tensor of shape [${x.shape.join(", ")}])`);
  if (nd > 2 && x.shape.some((n) => n !== x.shape[0])) {
    throw new RangeError(`all dimensions of input must be of equal length (fill_diagonal_ of a tensor of shape [${x.shape.join(", ")}])`);
  }
  const st = strides_of(x.shape);
  const step = st.reduce((a, b) => a + b, 0);
  const numel = x.numel();
  const end = nd === 2 && wrap ? numel : Math.min(...x.shape) * step;
  const mask = storage_for("bool", numel);
  for (let p = 0; p < end && p < numel; p += step) mask[p] = 1;
  x.masked_fill_(new Tensor(mask, x.shape, "bool"), fill_value);
  return x;
}

/**
 * `diag_embed(x, offset = 0, dim1 = -2, dim2 = -1)`: a tensor with one more dim whose (dim1, dim2)
 * matrices hold x's last dim on their `offset` diagonal, zeros elsewhere.
 */
export function diag_embed(x: Tensor, offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor {
  check_tensor(x, "diag_embed");
  const o = diag_args(offset, dim1, dim2, -2, -1, "diag_embed");
  const nd = x.dim() + 1;
  const a = wrap_dim(o.dim1, nd);
  const b = wrap_dim(o.dim2, nd);
  if (a === b) throw new RangeError(`diagonal dimensions cannot be identical ${o.dim1}, ${o.dim2}`);
  const n = x.dim() === 0 ? 1 : x.shape[x.dim() - 1];
  const m = n + Math.abs(o.offset);
  const batch = x.shape.slice(0, -1);
  const shape: number[] = [];
  let k = 0;
  for (let d = 0; d < nd; d++) shape.push(d === a || d === b ? m : batch[k++]);
  const st = strides_of(shape);
  const wst: number[] = [];
  for (let d = 0; d < nd; d++) if (d !== a && d !== b) wst.push(st[d]);
  wst.push(st[a] + st[b]);
  const base = o.offset >= 0 ? o.offset * st[b] : -o.offset * st[a];
  const pos = strided_positions([...batch, n], wst, base);
  return place_flat(x, pos, shape, "DiagEmbedBackward0");
}

/** `diag(x, diagonal = 0)`: a 1-D x as the `diagonal`-th diagonal of a square matrix; a 2-D x's diagonal. */
export function diag(x: Tensor, diagonal_ = 0): Tensor {
  check_tensor(x, "diag");
  const k = int_arg(diagonal_, "diag", "diagonal");
  if (x.dim() === 1) return diag_embed(x, k, 0, 1);
  if (x.dim() !== 2) throw new RangeError(`diag(): Supports 1D or 2D tensors. Got ${x.dim()}D`);
  const { pos, out } = diagonal_layout(x.shape, k, 0, 1);
  return gather_flat(x, pos, out, "DiagonalBackward0_copy");
}

/** Sum of the main diagonal of a matrix (integer inputs give int64). */
export function trace(x: Tensor): Tensor {
  check_tensor(x, "trace");
  if (x.dim() !== 2) throw new RangeError(`trace: expected a matrix, but got tensor with dim ${x.dim()}`);
  const { pos } = diagonal_layout(x.shape, 0, 0, 1);
  const dtype: DType = is_floating(x.dtype) ? x.dtype : "int64"; // integer and bool traces sum into int64, as PyTorch's
  let s = 0;
  for (let i = 0; i < pos.length; i++) s += x.data[pos[i]];
  const out = storage_for(dtype, 1);
  out[0] = s;
  return attach(new Tensor(out, [], dtype), "TraceBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, x.data.length);
    for (let i = 0; i < pos.length; i++) gx[pos[i]] = g.data[0];
    return [new Tensor(gx, x.shape, g.dtype)];
  }, false);
}

function tri_indices(row: number, col: number, offset: number, options: { dtype?: DType } | undefined, lower: boolean): Tensor {
  const op = lower ? "tril_indices" : "triu_indices";
  int_arg(row, op, "row");
  int_arg(col, op, "col");
  int_arg(offset, op, "offset");
  if (row < 0) throw new RangeError(`row must be non-negative, got${row}`);
  if (col < 0) throw new RangeError(`col must be non-negative, got${col}`);
  const dtype = options?.dtype === undefined ? "int64" : check_dtype(options.dtype, `${op}()`);
  if (!is_integer(dtype)) throw new TypeError(`"${op}" not implemented for '${SCALAR_TYPE_NAME[dtype]}'`);
  const is: number[] = [];
  const js: number[] = [];
  for (let i = 0; i < row; i++) {
    for (let j = 0; j < col; j++) {
      if (lower ? j - i <= offset : j - i >= offset) {
        is.push(i);
        js.push(j);
      }
    }
  }
  const data = new Float64Array(2 * is.length);
  data.set(is, 0);
  data.set(js, is.length);
  return new Tensor(data, [2, is.length], "int64");
}

/** The (row, col) indices, [2, N] int64, of the elements on and below the `offset` diagonal of a row x col matrix. */
export function tril_indices(row: number, col: number, offset = 0, options?: { dtype?: DType }): Tensor {
  return tri_indices(row, col, offset, options, true);
}

/** The (row, col) indices, [2, N] int64, of the elements on and above the `offset` diagonal of a row x col matrix. */
export function triu_indices(row: number, col: number, offset = 0, options?: { dtype?: DType }): Tensor {
  return tri_indices(row, col, offset, options, false);
}
