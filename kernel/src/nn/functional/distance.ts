/**
 * F.normalize, F.cosine_similarity and F.pairwise_distance (PyTorch 2.13's semantics).
 *
 * - normalize:  y = x / max(‖x‖_p, eps) along `dim` (composed of norm, clamp_min and div, as
 *   PyTorch composes it, so the gradients are theirs).
 * - cosine_similarity: with x1, x2 broadcast together, N_i = max(‖x_i‖₂, eps) along `dim`,
 *   y = Σ (x1/N1)(x2/N2). As PyTorch, the clamp does not enter the gradient of the norm (it
 *   clamps in place without grad): with u = x1/N1, v = x2/N2 and n1 = ‖x1‖₂,
 *   dL/dx1 = g·(v/N1 − y·x1/(N1·n1)) (0 for the second term when n1 = 0), and likewise for x2.
 *   One fused node.
 * - pairwise_distance: y = ‖x1 − x2 + eps‖_p over the last dim of the broadcast shape (composed).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad, needs_grad, rename } from "../../tensor/autograd";
import { broadcast_shapes, wrap_dim } from "../../tensor/shape";
import { checkFloat, describe, record } from "../_autograd";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const COSINE_SAVES = saves("0 if 0, 1 if 1");

function options<T extends object>(op: string, names: readonly string[], args: unknown[]): Partial<T> {
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null) {
    for (const k of Object.keys(args[0])) if (!names.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})`);
    return args[0] as Partial<T>;
  }
  if (args.length > names.length) throw new TypeError(`${op}() takes at most ${names.length} optional arguments (${names.join(", ")}) but ${args.length} were given`);
  const o: Record<string, unknown> = {};
  args.forEach((v, i) => { if (v !== undefined) o[names[i]] = v; });
  return o as Partial<T>;
}

function checkNumber(v: unknown, op: string, what: string): number {
  if (typeof v !== "number") throw new TypeError(`${op}(): argument '${what}' must be a number, not ${describe(v)}`);
  return v;
}

export interface NormalizeOptions {
  /** The norm's exponent. Default 2. */
  p?: number;
  /** The dim normalised. Default 1. */
  dim?: number;
  /** A floor for the norm (avoids dividing by 0). Default 1e-12. */
  eps?: number;
}

/**
 * F.normalize(input, p = 2.0, dim = 1, eps = 1e-12): input divided by its p-norm along dim,
 * y = x / max(‖x‖_p, eps). p, dim, eps positionally or as `{ p, dim, eps }`.
 */
export function normalize(input: Tensor, options?: NormalizeOptions): Tensor;
export function normalize(input: Tensor, p?: number, dim?: number, eps?: number): Tensor;
export function normalize(input: Tensor, ...args: unknown[]): Tensor {
  const o = options<NormalizeOptions>("normalize", ["p", "dim", "eps"], args);
  checkFloat(input, "normalize");
  const p = checkNumber(o.p ?? 2, "normalize", "p");
  const dim = checkNumber(o.dim ?? 1, "normalize", "dim");
  const eps = checkNumber(o.eps ?? 1e-12, "normalize", "eps");
  const denom = input.norm(p, dim, true).clamp_min(eps).expand(input.shape);
  return input.div(denom);
}

export interface CosineSimilarityOptions {
  /** The dim along which the vectors lie. Default 1. */
  dim?: number;
  /** A floor for each norm. Default 1e-8. */
  eps?: number;
}

/**
 * F.cosine_similarity(x1, x2, dim = 1, eps = 1e-8): Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps))
 * along dim, x1 and x2 broadcast together; the result drops dim. dim, eps positionally or as
 * `{ dim, eps }`.
 */
export function cosine_similarity(x1: Tensor, x2: Tensor, options?: CosineSimilarityOptions): Tensor;
export function cosine_similarity(x1: Tensor, x2: Tensor, dim?: number, eps?: number): Tensor;
export function cosine_similarity(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const op = "cosine_similarity";
  const o = options<CosineSimilarityOptions>(op, ["dim", "eps"], args);
  checkFloat(x1, op, "x1");
  checkFloat(x2, op, "x2");
  const eps = checkNumber(o.eps ?? 1e-8, op, "eps");
  const shape = broadcast_shapes(x1.shape, x2.shape);
  const d = wrap_dim(checkNumber(o.dim ?? 1, op, "dim"), shape.length);
  const a = sameShape(x1.shape, shape) ? x1 : x1.expand(shape);
  const b = sameShape(x2.shape, shape) ? x2 : x2.expand(shape);
  const dtype = a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32";
  const D = shape[d];
  let inner = 1;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i];
  const outer = D * inner === 0 ? 0 : a.data.length / (D * inner);
  const xa = a.data, xb = b.data;
  const R = outer * inner;
  const n1 = new Float64Array(R), n2 = new Float64Array(R), N1 = new Float64Array(R), N2 = new Float64Array(R);
  const y = storageFor(dtype, R);
  for (let oo = 0; oo < outer; oo++) {
    for (let i = 0; i < inner; i++) {
      const r = oo * inner + i;
      const base = oo * D * inner + i;
      let s1 = 0, s2 = 0;
      for (let k = 0; k < D; k++) {
        const v1 = xa[base + k * inner], v2 = xb[base + k * inner];
        s1 += v1 * v1;
        s2 += v2 * v2;
      }
      n1[r] = Math.sqrt(s1);
      n2[r] = Math.sqrt(s2);
      N1[r] = Math.max(n1[r], eps);
      N2[r] = Math.max(n2[r], eps);
      let dot = 0;
      for (let k = 0; k < D; k++) dot += (xa[base + k * inner] / N1[r]) * (xb[base + k * inner] / N2[r]);
      y[r] = dot;
    }
  }
  const outShape = shape.filter((_, i) => i !== d);
  // PyTorch saves x1 for x1's gradient and x2 for x2's, not the result: what backward reads
  // besides them are copies (an in-place change of the result, or of an input that needs no
  // gradient, must not reach the other's gradient)
  const rec = needs_grad(a, b);
  const ys = rec ? y.slice() : y;
  const ca = rec && !a.requires_grad ? xa.slice() : xa;
  const cb = rec && !b.requires_grad ? xb.slice() : xb;
  return record(new Tensor(y, outShape, dtype), "SumBackward1", [a, b], (g, need) => {
    const gd = g.data;
    const ga = need[0] ? storageFor(a.dtype, xa.length) : null;
    const gb = need[1] ? storageFor(b.dtype, xb.length) : null;
    for (let oo = 0; oo < outer; oo++) {
      for (let i = 0; i < inner; i++) {
        const r = oo * inner + i;
        const base = oo * D * inner + i;
        const gr = gd[r], yr = ys[r];
        const ka = n1[r] === 0 ? 0 : yr / (N1[r] * n1[r]);
        const kb = n2[r] === 0 ? 0 : yr / (N2[r] * n2[r]);
        for (let k = 0; k < D; k++) {
          const at = base + k * inner;
          const v1 = ca[at], v2 = cb[at];
          if (ga) ga[at] = gr * (v2 / N2[r] / N1[r] - ka * v1);
          if (gb) gb[at] = gr * (v1 / N1[r] / N2[r] - kb * v2);
        }
      }
    }
    return [ga ? fresh_grad(new Tensor(ga, a.shape, a.dtype)) : null, gb ? fresh_grad(new Tensor(gb, b.shape, b.dtype)) : null];
  }, COSINE_SAVES);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export interface PairwiseDistanceOptions {
  /** The norm's exponent. Default 2. */
  p?: number;
  /** Added to the difference (avoids a zero norm's gradient). Default 1e-6. */
  eps?: number;
  /** Keep the reduced last dim (size 1). Default false. */
  keepdim?: boolean;
}

/**
 * F.pairwise_distance(x1, x2, p = 2.0, eps = 1e-6, keepdim = false): ‖x1 − x2 + eps‖_p over the
 * last dim of the broadcast shape. p, eps, keepdim positionally or as `{ p, eps, keepdim }`.
 */
export function pairwise_distance(x1: Tensor, x2: Tensor, options?: PairwiseDistanceOptions): Tensor;
export function pairwise_distance(x1: Tensor, x2: Tensor, p?: number, eps?: number, keepdim?: boolean): Tensor;
export function pairwise_distance(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const op = "pairwise_distance";
  const o = options<PairwiseDistanceOptions>(op, ["p", "eps", "keepdim"], args);
  checkFloat(x1, op, "x1");
  checkFloat(x2, op, "x2");
  const p = checkNumber(o.p ?? 2, op, "p");
  const eps = checkNumber(o.eps ?? 1e-6, op, "eps");
  const keepdim = o.keepdim ?? false;
  const nd = Math.max(x1.dim(), x2.dim());
  const diff = x1.sub(x2).add(eps);
  // PyTorch reduces dim max(x1.dim(), x2.dim()) − 1; two 0-d inputs have no dim to reduce
  const out = nd === 0 ? diff.norm(p, null, keepdim) : diff.norm(p, nd - 1, keepdim);
  return rename(out, "NormBackward1"); // (PyTorch's at::norm node)
}
