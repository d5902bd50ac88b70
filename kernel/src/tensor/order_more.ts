/**
 * Scans, order statistics and membership PyTorch has beyond cumulative.ts and sorting.ts:
 *   logcumsumexp (a running log-sum-exp along a dim, stable; floats only, as PyTorch),
 *   kthvalue (the k-th smallest along a dim with its index: torch.return_types.kthvalue; among
 *     tied values the index PyTorch's CPU kernel returns, from the same quickselect with a
 *     median-of-three pivot that its SortingUtils uses, so gradients reach the same element),
 *   msort (sort along dim 0, values only), isin (membership in a set of test elements).
 */
import { wasm_map } from "./transcendental_ops";
import { dimKeyword } from "../utils/py_args";
import { pyArgs } from "../utils/py_args";
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { is_floating, storage_for, SCALAR_TYPE_NAME } from "./dtype";
import { layout } from "./reduce";
import { ValuesIndices } from "./return_types";
import { wrap_dim } from "./shape";
import { sort } from "./sorting";
import { saves } from "./version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_AND_OUT = saves("0, out");

/** PyTorch's name of a dtype in kernel errors. */
function cname(d: Tensor["dtype"]): string {
  return SCALAR_TYPE_NAME[d];
}

function dim_arg(dim: unknown, op: string): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new TypeError(`${op}(): argument 'dim' (an int) is required, got ${JSON.stringify(dim)}`);
  return dim;
}

/**
 * out_k = log Σ_{j<=k} exp(x_j) along `dim` (`logcumsumexp(x, dim)` or `{ dim }`).
 * d/dx_j = Σ_{k>=j} g_k · exp(x_j - out_k), summed from the end with the ratios exp(out_j - out_{j+1}) <= 1.
 */
export function logcumsumexp(x: Tensor, dim: number | { dim: number }): Tensor {
  check_tensor(x, "logcumsumexp");
  const d = dim_arg(typeof dim === "object" && dim !== null ? dimKeyword<number>("logcumsumexp", dim) : dim, "logcumsumexp");
  if (!is_floating(x.dtype)) throw new TypeError(`"logcumsumexp_out_cpu" not implemented for '${cname(x.dtype)}'`);
  const { src, outer, size, inner } = layout(x, x.dim() === 0 ? null : wrap_dim(d, x.dim()), true);
  const acc = new Float64Array(src.length);
  const out = storage_for(x.dtype, src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let run = -Infinity;
      for (let k = 0; k < size; k++) {
        const at = o * size * inner + k * inner + i;
        const v = src[at];
        if (v !== v || run !== run) run = NaN;
        else if (run === -Infinity) run = v;
        else if (v !== -Infinity) {
          const m = Math.max(run, v);
          run = m === Infinity ? Infinity : m + Math.log1p(Math.exp(-Math.abs(run - v)));
        }
        // Store the rounded value and keep going from it, as PyTorch accumulates in the dtype.
        out[at] = run;
        run = out[at];
        acc[at] = run;
      }
    }
  }
  const res = new Tensor(out, x.shape, x.dtype);
  return attach(res, "LogcumsumexpBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, src.length);
    // Both exponentials of every element from WebAssembly when large enough (transcendental_ops.ts:
    // Math.exp's bits; their arguments do not depend on the running sum). (The forward's
    // log1p(exp(...)) takes the running value: one element after the other, it stays Math.exp.)
    const n = src.length;
    const ratio = wasm_map("exp", n, (a) => {
      for (let o = 0; o < outer; o++) {
        for (let k = 0; k < size - 1; k++) {
          const at = (o * size + k) * inner;
          for (let i = 0; i < inner; i++) a[at + i] = acc[at + i] - acc[at + i + inner];
        }
      }
    });
    const scale = ratio === null ? null : wasm_map("exp", n, (a) => { for (let j = 0; j < n; j++) a[j] = src[j] - acc[j]; });
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0; // Σ_{k>=j} g_k exp(out_j - out_k)
        for (let k = size - 1; k >= 0; k--) {
          const at = o * size * inner + k * inner + i;
          if (k < size - 1) {
            const next = acc[at + inner];
            s *= ratio !== null ? ratio[at] : Math.exp(acc[at] - next);
          }
          s += g.data[at];
          // (-inf - -inf is NaN, as PyTorch's gradient where the running sum is still empty)
          gx[at] = s * (scale !== null ? scale[at] : Math.exp(src[at] - acc[at]));
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  }, true, SELF_AND_OUT);
}

/** PyTorch's order for the quickselect: a NaN is greater than any number. */
function gt_or_nan(a: number, b: number): boolean {
  return (a !== a && b === b) || a > b;
}

/**
 * Quickselect of position k in vals (positions carried along in idx), with a median-of-three
 * pivot and Hoare-style partition, the scheme PyTorch's CPU kthvalue uses: same swaps, so tied
 * values come out with the same indices.
 */
function quickselect(vals: number[], idx: number[], k: number): void {
  const swap = (p: number, q: number) => {
    const v = vals[p];
    vals[p] = vals[q];
    vals[q] = v;
    const t = idx[p];
    idx[p] = idx[q];
    idx[q] = t;
  };
  let L = 0;
  let R = vals.length - 1;
  for (;;) {
    if (R <= L) return;
    if (R === L + 1) {
      if (gt_or_nan(vals[L], vals[R])) swap(L, R);
      return;
    }
    const P = L + Math.floor((R - L) / 2);
    swap(P, L + 1);
    if (gt_or_nan(vals[L + 1], vals[R])) swap(L + 1, R);
    if (gt_or_nan(vals[L], vals[R])) swap(L, R);
    if (gt_or_nan(vals[L + 1], vals[L])) swap(L + 1, L);
    let i = L + 1;
    let j = R;
    const piv = vals[L];
    for (;;) {
      do i++;
      while (gt_or_nan(piv, vals[i]));
      do j--;
      while (gt_or_nan(vals[j], piv));
      if (j < i) break;
      swap(i, j);
    }
    swap(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}

export interface KthvalueOptions {
  dim?: number;
  keepdim?: boolean;
  /** numpy's names for `dim` / `keepdim`, which PyTorch accepts too. */
  axis?: number;
  keepdims?: boolean;
}

/**
 * The k-th smallest element (k from 1) along `dim` (default -1) and its index:
 * torch.return_types.kthvalue(values, indices). `kthvalue(x, k, dim, keepdim)` or
 * `kthvalue(x, k, { dim, keepdim })`. The gradient goes to the selected element.
 */
export function kthvalue(x: Tensor, k: number, dimArg?: number | KthvalueOptions, keepdimArg?: boolean | KthvalueOptions): ValuesIndices {
  check_tensor(x, "kthvalue");
  // Keywords in any trailing slot (`kthvalue(x, 2, 1, { keepdim: false })`: the object used to count as true).
  const a = pyArgs("kthvalue", [["dim", "number"], ["keepdim", "boolean"]], [dimArg, keepdimArg], [], true);
  const dim = (a.dim as number | undefined) ?? -1;
  const keepdim = (a.keepdim as boolean | undefined) ?? false;
  if (typeof k !== "number" || !Number.isInteger(k)) throw new TypeError(`kthvalue(): argument 'k' must be int, not ${typeof k}`);
  const nd = x.dim();
  const d = wrap_dim(dim_arg(dim, "kthvalue"), Math.max(nd, 1));
  const size = nd === 0 ? 1 : x.shape[d];
  if (k < 1 || k > size) throw new RangeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  const L = layout(x, nd === 0 ? null : d, keepdim);
  const { src, outer, inner } = L;
  const out_shape = nd === 0 ? [] : L.out_shape;
  const vals = storage_for(x.dtype, outer * inner);
  const idx = new Float64Array(outer * inner);
  const v = new Array<number>(size);
  const p = new Array<number>(size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < size; j++) {
        v[j] = src[o * size * inner + j * inner + i];
        p[j] = j;
      }
      quickselect(v, p, k - 1);
      vals[o * inner + i] = v[k - 1];
      idx[o * inner + i] = p[k - 1];
    }
  }
  const values = new Tensor(vals, out_shape, x.dtype);
  const indices = new Tensor(idx, out_shape, "int64");
  attach(values, "KthvalueBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gx[o * size * inner + idx[o * inner + i] * inner + i] += g.data[o * inner + i];
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  });
  return new ValuesIndices("kthvalue", values, indices);
}

/** Sorted along dim 0 (values only): sort(x, 0).values. */
export function msort(x: Tensor): Tensor {
  check_tensor(x, "msort");
  return sort(x, 0).values;
}

export interface IsinOptions {
  assume_unique?: boolean;
  invert?: boolean;
}

/**
 * True where an element of `elements` is in `test_elements` (either may be a number); `invert`
 * gives the complement. `assume_unique` is accepted (it only lets PyTorch skip work). No gradient.
 */
export function isin(elements: Tensor | number | boolean, test_elements: Tensor | number | boolean, options?: IsinOptions): Tensor {
  if (!(elements instanceof Tensor) && !(test_elements instanceof Tensor)) {
    throw new TypeError("isin() received an invalid combination of arguments: at least one of elements and test_elements must be a Tensor");
  }
  for (const [name, v] of [["elements", elements], ["test_elements", test_elements]] as const) {
    if (!(v instanceof Tensor) && typeof v !== "number" && typeof v !== "boolean") throw new TypeError(`isin(): argument '${name}' must be Tensor or Number, not ${v === null ? "null" : typeof v}`);
  }
  const o = options ?? {};
  for (const key of Object.keys(o)) if (key !== "assume_unique" && key !== "invert") throw new TypeError(`isin() got an unexpected keyword argument '${key}' (allowed: assume_unique, invert)`);
  const invert = o.invert ?? false;
  const test = test_elements instanceof Tensor ? test_elements.data : [Number(test_elements)];
  const set = new Set<number>();
  for (let i = 0; i < test.length; i++) set.add(test[i] === 0 ? 0 : test[i]); // -0 and 0 are equal
  const src = elements instanceof Tensor ? elements.data : [Number(elements)];
  const shape = elements instanceof Tensor ? elements.shape : [];
  const out = new Float64Array(src.length);
  // NaN equals nothing, as PyTorch's == (a Set would find it).
  for (let i = 0; i < src.length; i++) out[i] = (src[i] === src[i] && set.has(src[i] === 0 ? 0 : src[i])) !== invert ? 1 : 0;
  return new Tensor(out, shape, "bool");
}
