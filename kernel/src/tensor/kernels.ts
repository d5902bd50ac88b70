/**
 * Element-wise kernels and the broadcasting driver.
 *
 * A kernel processes one run of `n` elements: `out[oo + i] = f(A[ao + i*as], B[bo + i*bs], ...)`.
 * Kernels are generated once per expression with `new Function`, so each op gets its own tight,
 * closure-free loop (V8 optimises these like hand-written code); they are cached by expression.
 *
 * The driver broadcasts the operands to the output shape without materialising them: it computes
 * each operand's strides (0 along broadcast dims), drops size-1 dims and merges adjacent dims that
 * are contiguous for every operand (so same-shape operands become a single run and `[N, M] + [M]`
 * becomes N runs of M), then walks the outer dims with an odometer and calls the kernel per run.
 * Same-shape and scalar operands therefore take a single kernel call.
 */
import type { Shape, Storage } from "./tensor";
import { broadcast_strides } from "./shape";

export type Kernel = (out: Storage, oo: number, n: number, ...operands: (Storage | number)[]) => void;

// Keyed by the expression itself (string literals keep their hash, so a lookup allocates nothing),
// then by arity.
const cache = new Map<string, Kernel[]>();
const NO_EXTRA: readonly string[] = [];

/**
 * Compiles `expr` (over variables a, b, c, d — the operands' elements) into a kernel for `arity`
 * operands. `extra` names extra scalar parameters (e.g. "alpha") passed after the operands.
 */
export function kernel(expr: string, arity: number, extra: readonly string[] = NO_EXTRA): Kernel {
  const key = extra.length === 0 ? expr : `${expr}|${extra.join(",")}`;
  let by_arity = cache.get(key);
  if (by_arity === undefined) {
    by_arity = [];
    cache.set(key, by_arity);
  }
  let k = by_arity[arity];
  if (k !== undefined) return k;
  const names = ["a", "b", "c", "d"].slice(0, arity);
  const params = ["O", "oo", "n"];
  // Operand X's array, offset and stride are X, X_o, X_s (not "do": a reserved word).
  for (const v of names) params.push(v.toUpperCase(), `${v.toUpperCase()}_o`, `${v.toUpperCase()}_s`);
  params.push(...extra);
  const loads = names.map((v) => `const ${v} = ${v.toUpperCase()}[${v.toUpperCase()}_o + i * ${v.toUpperCase()}_s];`).join(" ");
  const body = `for (let i = 0; i < n; i++) { ${loads} O[oo + i] = ${expr}; }`;
  k = new Function(...params, body) as Kernel;
  by_arity[arity] = k;
  return k;
}

export interface Operand {
  data: Storage;
  shape: Shape;
}

/**
 * Runs `k` over operands broadcast to `out_shape`, writing the contiguous `out`.
 * `extra` scalars are passed through to the kernel.
 */
export function run(k: Kernel, out: Storage, out_shape: Shape, operands: readonly Operand[], extra: readonly number[] = []): void {
  const total = out.length;
  if (total === 0) return;
  const m = operands.length;
  // Fast path: every operand is either a single value or already laid out like the output (an
  // operand with as many elements as the output can only differ by size-1 dims), so one kernel
  // call with strides 1 or 0 covers everything.
  let simple = true;
  for (let j = 0; j < m; j++) {
    const n = operands[j].data.length;
    if (n !== total && n !== 1) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const fargs: (Storage | number)[] = new Array(m * 3 + extra.length);
    for (let j = 0; j < m; j++) {
      const d = operands[j].data;
      fargs[3 * j] = d;
      fargs[3 * j + 1] = 0;
      fargs[3 * j + 2] = d.length === total ? 1 : 0;
    }
    for (let e = 0; e < extra.length; e++) fargs[3 * m + e] = extra[e];
    k(out, 0, total, ...fargs);
    return;
  }
  // Strides of every operand over the output shape, then drop size-1 dims and merge contiguous ones.
  const all = operands.map((o) => broadcast_strides(o.shape, out_shape));
  const dims: number[] = [];
  const st: number[][] = operands.map(() => []);
  for (let d = 0; d < out_shape.length; d++) {
    if (out_shape[d] === 1) continue;
    const last = dims.length - 1;
    let mergeable = last >= 0;
    for (let j = 0; j < m && mergeable; j++) {
      if (st[j][last] !== all[j][d] * out_shape[d]) mergeable = false;
    }
    if (mergeable) {
      dims[last] *= out_shape[d];
      for (let j = 0; j < m; j++) st[j][last] = all[j][d];
    } else {
      dims.push(out_shape[d]);
      for (let j = 0; j < m; j++) st[j].push(all[j][d]);
    }
  }
  const args: (Storage | number)[] = new Array(m * 3 + extra.length);
  for (let j = 0; j < m; j++) {
    args[3 * j] = operands[j].data;
    args[3 * j + 1] = 0;
    args[3 * j + 2] = 0;
  }
  for (let e = 0; e < extra.length; e++) args[3 * m + e] = extra[e];
  const nd = dims.length;
  if (nd === 0) {
    k(out, 0, 1, ...args);
    return;
  }
  const inner = dims[nd - 1];
  for (let j = 0; j < m; j++) args[3 * j + 2] = st[j][nd - 1];
  if (nd === 1) {
    k(out, 0, inner, ...args);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  const off = new Array<number>(m).fill(0);
  for (let o = 0; o < total; o += inner) {
    for (let j = 0; j < m; j++) args[3 * j + 1] = off[j];
    k(out, o, inner, ...args);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < m; j++) off[j] += st[j][d];
      if (idx[d] < dims[d]) break;
      for (let j = 0; j < m; j++) off[j] -= st[j][d] * dims[d];
      idx[d] = 0;
    }
  }
}
