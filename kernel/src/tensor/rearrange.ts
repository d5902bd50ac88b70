/**
 * Rearranging ops: flip (reverse dims; its own backward), repeat (tile; backward sums the tiles),
 * tril / triu (zero above / below a diagonal; the gradient is masked the same way).
 */
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { storage_for } from "./dtype";
import { contiguous_strides, strided_copy, wrap_dim } from "./shape";
import { sum_to } from "./sum_to";
import { RuntimeRangeError } from "../errors";

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

function flip_raw(x: Tensor, dims: readonly number[]): Tensor {
  const st = contiguous_strides(x.shape);
  let offset = 0;
  const strides = st.map((s, d) => {
    if (!dims.includes(d)) return s;
    offset += (x.shape[d] - 1) * s;
    return -s;
  });
  const out = storage_for(x.dtype, x.data.length);
  if (out.length > 0) strided_copy(x.data, offset, x.shape, strides, out);
  return new Tensor(out, x.shape, x.dtype);
}

/** Reverses the order of elements along `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  check(x, "flip");
  const ds = (typeof dims === "number" ? [dims] : [...dims]).map((d) => wrap_dim(d, x.dim()));
  const out = flip_raw(x, ds);
  return attach(out, "FlipBackward0", [x], (g) => [flip_raw(g, ds)], false);
}

/** Tiles x `sizes[i]` times along dim i (extra leading sizes add dims), as Tensor.repeat. */
export function repeat(x: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
  check(x, "repeat");
  const reps = (sizes.length === 1 && Array.isArray(sizes[0]) ? (sizes[0] as number[]) : (sizes as number[])).slice();
  if (reps.length < x.dim()) {
    throw RuntimeRangeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  }
  for (const r of reps) if (!Number.isInteger(r) || r < 0) throw new RangeError(`repeat(): repeats must be non-negative integers, got ${r}`);
  const lead = reps.length - x.dim();
  const src_shape = [...new Array<number>(lead).fill(1), ...x.shape];
  // View the result as [r0, s0, r1, s1, ...] read from x with stride 0 on the repeat axes.
  const st = contiguous_strides(src_shape);
  const big_shape: number[] = [];
  const big_strides: number[] = [];
  src_shape.forEach((s, d) => {
    big_shape.push(reps[d], s);
    big_strides.push(0, st[d]);
  });
  const out_shape = src_shape.map((s, d) => s * reps[d]);
  const n = out_shape.reduce((a, b) => a * b, 1);
  const out = storage_for(x.dtype, n);
  if (n > 0) strided_copy(x.data, 0, big_shape, big_strides, out);
  const res = new Tensor(out, out_shape, x.dtype);
  return attach(res, "RepeatBackward0", [x], (g) => {
    const tiled = new Tensor(g.data, big_shape, g.dtype);
    const keep = src_shape.flatMap((s) => [1, s]);
    return [new Tensor(sum_to(tiled, keep).data, x.shape, g.dtype)];
  }, false);
}

function tri(x: Tensor, diagonal: number, lower: boolean): Tensor {
  const op = lower ? "tril" : "triu";
  check(x, op);
  if (x.dim() < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions`);
  const R = x.shape[x.dim() - 2];
  const C = x.shape[x.dim() - 1];
  const keep = (i: number, j: number) => (lower ? j - i <= diagonal : j - i >= diagonal);
  const mask_apply = (src: Tensor): Tensor => {
    const out = storage_for(src.dtype, src.data.length);
    for (let b = 0; b < src.data.length; b += R * C) {
      for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) if (keep(i, j)) out[b + i * C + j] = src.data[b + i * C + j];
    }
    return new Tensor(out, src.shape, src.dtype);
  };
  return attach(mask_apply(x), lower ? "TrilBackward0" : "TriuBackward0", [x], (g) => [mask_apply(g)], false);
}

/** tril/triu's diagonal, Python's keyword form too: `triu(x, { diagonal: 1 })`. */
export type TriDiagonal = number | { diagonal?: number };

/** The diagonal asked for, checked as PyTorch checks its int (an options object was read as NaN: all zeros, no error). */
function diagonal_of(d: TriDiagonal | undefined, op: string): number {
  if (typeof d === "object" && d !== null) {
    const bad = Object.keys(d).filter((k) => k !== "diagonal");
    if (bad.length > 0) throw new TypeError(`${op}() got an unexpected keyword argument '${bad[0]}' (valid: diagonal)`);
    d = d.diagonal;
  }
  if (d === undefined) return 0;
  if (typeof d !== "number" || !Number.isInteger(d)) {
    throw new TypeError(`${op}(): argument 'diagonal' must be int, not ${typeof d === "number" ? "float" : d === null ? "NoneType" : typeof d}`);
  }
  return d;
}

/** Keeps the elements on and below the `diagonal`-th diagonal of the last two dims. */
export function tril(x: Tensor, diagonal: TriDiagonal = 0): Tensor {
  return tri(x, diagonal_of(diagonal, "tril"), true);
}

/** Keeps the elements on and above the `diagonal`-th diagonal of the last two dims. */
export function triu(x: Tensor, diagonal: TriDiagonal = 0): Tensor {
  return tri(x, diagonal_of(diagonal, "triu"), false);
}
