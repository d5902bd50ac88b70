/**
 * torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
 *
 * clip_grad_norm_: total norm ‖g‖_p over all gradients taken together,
 *   ‖g‖_p = (Σ_params ‖g_i‖_p^p)^{1/p}   (p = inf: max |g|),
 * computed as PyTorch does: the norm of the vector of per-parameter norms. Then every gradient
 * is multiplied by clamp(max_norm / (‖g‖ + 1e-6), max = 1), so it only ever shrinks. Returns the
 * total norm (before clipping) as a scalar tensor. A non-finite norm raises with
 * `error_if_nonfinite`, as in PyTorch.
 * clip_grad_value_: clamps every gradient element into [-clip_value, clip_value].
 *
 * A sparse gradient (nn.Embedding with `sparse: true`) is refused by both, before any gradient
 * changes: PyTorch 2.13 raises there too (NotImplementedError: no sparse kernel for
 * linalg_vector_norm, clamp_min_ or clamp_).
 *
 * Observers (the effective-learning-rate tracer, kernel/src/trace/clip.ts): while one is
 * registered, each call also tells it, after clipping, every clipped parameter with the float64
 * sum of squares of its gradient before and after (one more pass over the gradients each, only
 * then), so a trace can report the raw gradient's norm and the clip factor ‖g_clipped‖/‖g_raw‖.
 * Without an observer nothing more is done.
 */
import { Tensor, storageFor } from "../../tensor/tensor";

type Params = Tensor | Iterable<Tensor>;

/** @internal What a clipping call tells its observers (kernel/src/trace/clip.ts). */
export interface ClipObserver {
  /**
   * `params[i]`'s gradient had the sum of squares `before[i]` and now has `after[i]` (float64
   * sums); `by_norm`: clip_grad_norm_ (every gradient scaled by one factor), else clip_grad_value_.
   */
  clipped(params: readonly Tensor[], before: Float64Array, after: Float64Array, by_norm: boolean): void;
}

const observers = new Set<ClipObserver>();

/** @internal Register a clipping observer; returns the function that removes it. */
export function _observe_clipping(o: ClipObserver): () => void {
  observers.add(o);
  return () => {
    observers.delete(o);
  };
}

/** @internal Σ d², in float64 (a gradient's squared norm; also trace/clip.ts's). */
export function sumSquares(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return s;
}

function gradsOf(parameters: Params, op: string, kernel: string): { params: Tensor[]; grads: Tensor[] } {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  const params = list.filter((p) => p.grad !== null);
  const grads = params.map((p) => p.grad as Tensor);
  if (grads.some((g) => g.is_sparse)) {
    throw new Error(
      `${op}: a gradient is sparse (layout=torch.sparse_coo), which ${op} does not support, as in PyTorch 2.13 ` +
        `(NotImplementedError: Could not run '${kernel}' with arguments from the 'SparseCPU' backend); ` +
        "clip the dense equivalent (p.grad = p.grad.to_dense()) or leave that parameter out",
    );
  }
  return { params, grads };
}

/** The gradients' sums of squares now (observed calls only). */
function squares(grads: readonly Tensor[]): Float64Array {
  const out = new Float64Array(grads.length);
  for (let i = 0; i < grads.length; i++) out[i] = sumSquares(grads[i].data);
  return out;
}

function tell(params: readonly Tensor[], before: Float64Array, grads: readonly Tensor[], by_norm: boolean): void {
  const after = squares(grads);
  for (const o of [...observers]) o.clipped(params, before, after, by_norm);
}

function vecNorm(x: ArrayLike<number>, p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
    return m;
  }
  if (p === 2) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return Math.sqrt(s);
  }
  if (p === 1) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
    return s;
  }
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]) ** p;
  return s ** (1 / p);
}

export interface ClipGradNormOptions {
  norm_type?: number | "inf";
  error_if_nonfinite?: boolean;
  foreach?: boolean | null;
}

export function clip_grad_norm_(
  parameters: Params,
  max_norm: number,
  { norm_type = 2.0, error_if_nonfinite = false }: ClipGradNormOptions = {},
): Tensor {
  const p = norm_type === "inf" ? Infinity : Number(norm_type);
  if (!(p > 0)) throw new RangeError(`clip_grad_norm_: norm_type must be positive or "inf", got ${String(norm_type)}`);
  const { params, grads } = gradsOf(parameters, "clip_grad_norm_", "aten::linalg_vector_norm");
  if (grads.length === 0) return new Tensor(new Float32Array(1), [], "float32");
  const dtype = grads.some((g) => g.dtype === "float64") ? "float64" : "float32";
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  // Per-parameter norms are tensors in PyTorch (rounded to the grad's dtype), then normed again.
  const norms = grads.map((g) => (g.dtype === "float32" ? Math.fround(vecNorm(g.data, p)) : vecNorm(g.data, p)));
  const total = round(vecNorm(norms, p));
  if (error_if_nonfinite && !Number.isFinite(total)) {
    throw new Error(
      `The total norm of order ${p === Infinity ? "inf" : p} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
    );
  }
  const coef = round(max_norm / round(total + 1e-6));
  const clamped = Math.min(coef, 1);
  const before = observers.size > 0 ? squares(grads) : null;
  for (const g of grads) {
    const d = g.data;
    const c = g.dtype === "float32" ? Math.fround(clamped) : clamped;
    for (let i = 0; i < d.length; i++) d[i] *= c;
  }
  if (before !== null) tell(params, before, grads, true);
  const out = storageFor(dtype, 1);
  out[0] = total;
  return new Tensor(out, [], dtype);
}

export function clip_grad_value_(parameters: Params, clip_value: number): void {
  if (typeof clip_value !== "number" || Number.isNaN(clip_value)) {
    throw new TypeError(`clip_grad_value_: clip_value must be a number, got ${String(clip_value)}`);
  }
  const lo = -clip_value;
  const { params, grads } = gradsOf(parameters, "clip_grad_value_", "aten::clamp_min_");
  const before = observers.size > 0 ? squares(grads) : null;
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i] < lo ? lo : d[i] > clip_value ? clip_value : d[i];
  }
  if (before !== null) tell(params, before, grads, false);
}
