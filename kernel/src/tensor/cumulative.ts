/**
 * Cumulative ops along a dim: cumsum (y_k = sum_{j<=k} x_j; backward: the reversed cumulative sum
 * of the gradient, dx_j = sum_{k>=j} g_k) and cumprod (y_k = prod_{j<=k} x_j; backward
 * dx_j = sum_{k>=j} g_k * prod_{i<=k, i!=j} x_i, computed directly so zeros are handled).
 */
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { coerce_storage, is_floating, is_small_int, storage_for } from "./dtype";
import { layout } from "./reduce";
import { saves } from "./version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_AND_OUT = saves("0, out");

type Store = { length: number; [i: number]: number };

/**
 * out[…, k, …] = combine(acc, src[…, k, …]) running along the dim (from its end when `reverse`),
 * the accumulator starting at `start` and kept as a double, each value stored in out's type.
 */
function scan(src: Store, out: Store, outer: number, size: number, inner: number, start: number, combine: (acc: number, v: number) => number, reverse = false): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = start;
      for (let n = 0; n < size; n++) {
        const k = reverse ? size - 1 - n : n;
        const at = o * size * inner + k * inner + i;
        acc = combine(acc, src[at]);
        out[at] = acc;
      }
    }
  }
}
export interface CumOptions {
  dim?: number;
  dtype?: DType;
}

/** `dim` positionally with `{ dtype }`, or both as Python's keywords (`{ dim, dtype }`). */
function cum_args(dim: number | CumOptions, options: CumOptions | undefined, op: string): { dim: number; dtype: DType | undefined } {
  const o = typeof dim === "object" && dim !== null ? dim : options ?? {};
  for (const k of Object.keys(o)) {
    if (k !== "dim" && k !== "dtype") throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: dim, dtype)`);
  }
  const d = typeof dim === "object" && dim !== null ? dim.dim : dim;
  if (d === undefined) throw new TypeError(`${op}() missing 1 required positional arguments: "dim"`);
  if (typeof d !== "number" || !Number.isInteger(d)) throw new TypeError(`${op}(): argument 'dim' (an int) is required, got ${JSON.stringify(d)}`);
  return { dim: d, dtype: o.dtype };
}

const add = (a: number, b: number): number => a + b;
const mul = (a: number, b: number): number => a * b;

export function cumsum(x: Tensor, dim: number | CumOptions, options?: CumOptions): Tensor {
  check_tensor(x, "cumsum");
  const a = cum_args(dim, options, "cumsum");
  const dtype = a.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const { src, outer, size, inner } = layout(x, a.dim, true);
  const out = storage_for(dtype, src.length);
  scan(src, out, outer, size, inner, 0, add);
  if (is_small_int(dtype)) coerce_storage(out, dtype); // cumsum({ dtype: uint8 }) wraps
  const res = new Tensor(out, x.shape, dtype);
  return attach(res, "CumsumBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, g.data.length);
    scan(g.data, gx, outer, size, inner, 0, add, true);
    return [new Tensor(gx, x.shape, g.dtype)];
  }, false);
}

export function cumprod(x: Tensor, dim: number | CumOptions, options?: CumOptions): Tensor {
  check_tensor(x, "cumprod");
  const a = cum_args(dim, options, "cumprod");
  const dtype = a.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const { src, outer, size, inner } = layout(x, a.dim, true);
  const out = storage_for(dtype, src.length);
  scan(src, out, outer, size, inner, 1, mul);
  if (is_small_int(dtype)) coerce_storage(out, dtype);
  const res = new Tensor(out, x.shape, dtype);
  return attach(res, "CumprodBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, g.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        for (let j = 0; j < size; j++) {
          // sum over k >= j of g_k * prod_{i<=k, i != j} x_i
          let pre = 1;
          for (let q = 0; q < j; q++) pre *= src[base + q * inner];
          let acc = 0;
          let run = pre;
          for (let k = j; k < size; k++) {
            if (k > j) run *= src[base + k * inner];
            acc += g.data[base + k * inner] * run;
          }
          gx[base + j * inner] = acc;
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  }, true, SELF_AND_OUT);
}
