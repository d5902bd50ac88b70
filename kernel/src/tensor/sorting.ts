/**
 * Sorting along a dim: sort (values and indices; stable), argsort, topk. The gradient of the
 * values goes back to the positions they came from (a scatter by the indices). NaN sorts as the
 * largest value, as in PyTorch.
 */
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { storage_for } from "./dtype";
import { layout } from "./reduce";
import { ValuesIndices } from "./return_types";
import { wrap_dim } from "./shape";

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

/** Orders each slice along dim, keeping the first `k` (all when k is undefined). */
function ordered(x: Tensor, dim: number, descending: boolean, k: number | undefined, name: string, op: string): ValuesIndices {
  const d = x.dim() === 0 ? 0 : wrap_dim(dim, x.dim());
  const L = layout(x, x.dim() === 0 ? null : d, true);
  const { src, outer, size, inner } = L;
  const kk = k ?? size;
  const shape = [...x.shape];
  if (shape.length > 0) shape[d] = kk;
  const vals = storage_for(x.dtype, outer * kk * inner);
  const idx = new Float64Array(outer * kk * inner);
  const order = new Array<number>(size);
  // NaN is the largest value; ties keep their original order (stable sort).
  const key = (v: number) => (v !== v ? Infinity : v);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      for (let j = 0; j < size; j++) order[j] = j;
      order.sort((p, q) => {
        const a = src[base + p * inner];
        const b = src[base + q * inner];
        const an = a !== a;
        const bn = b !== b;
        if (an || bn) return an === bn ? p - q : (an ? 1 : -1) * (descending ? -1 : 1);
        const c = descending ? key(b) - key(a) : key(a) - key(b);
        return c !== 0 ? c : p - q;
      });
      for (let j = 0; j < kk; j++) {
        const at = o * kk * inner + j * inner + i;
        vals[at] = src[base + order[j] * inner];
        idx[at] = order[j];
      }
    }
  }
  const values = new Tensor(vals, shape, x.dtype);
  const indices = new Tensor(idx, shape, "int64");
  attach(values, name, [x], (g) => {
    const gx = storage_for(g.dtype, x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let j = 0; j < kk; j++) {
          const at = o * kk * inner + j * inner + i;
          gx[o * size * inner + idx[at] * inner + i] += g.data[at];
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  });
  return new ValuesIndices(op, values, indices);
}

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}

/** `sort(x, dim = -1, descending = false)` or `sort(x, { dim, descending })`: { values, indices }. */
export function sort(x: Tensor, dim: number | SortOptions = -1, descending = false): ValuesIndices {
  check(x, "sort");
  if (typeof dim === "object") {
    descending = dim.descending ?? false;
    dim = dim.dim ?? -1;
  }
  return ordered(x, dim, descending, undefined, "SortBackward0", "sort");
}

export function argsort(x: Tensor, dim: number | SortOptions = -1, descending = false): Tensor {
  return sort(x, dim, descending).indices;
}

/** The k largest (or smallest, `largest: false`) elements along dim, sorted. */
export function topk(x: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  check(x, "topk");
  const d = x.dim() === 0 ? 0 : wrap_dim(dim, x.dim());
  const size = x.dim() === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new RangeError(`selected index k out of range (k = ${k}, size of dim ${d} = ${size})`);
  return ordered(x, d, largest, k, "TopkBackward0", "topk");
}
