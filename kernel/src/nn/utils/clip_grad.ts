/**
 * torch.nn.utils.clip_grad_norm_, clip_grad_value_, and (PyTorch ≥ 2.6) get_total_norm and
 * clip_grads_with_norm_, the two halves of clip_grad_norm_.
 *
 * get_total_norm: total norm ‖g‖_p over all gradients taken together,
 *   ‖g‖_p = (Σ_params ‖g_i‖_p^p)^{1/p}   (p = inf: max |g|, -inf: min |g|, 0: count of non-zeros),
 * computed as PyTorch does: the norm of the vector of per-parameter norms (torch.linalg.vector_norm's
 * orders, any real p). A non-finite norm raises with `error_if_nonfinite`, as in PyTorch.
 * clip_grads_with_norm_: every gradient is multiplied by clamp(max_norm / (‖g‖ + 1e-6), max = 1),
 * so it only ever shrinks. clip_grad_norm_ does both and returns the total norm (before clipping)
 * as a scalar tensor.
 * clip_grad_value_: clamps every gradient element into [-clip_value, clip_value].
 *
 * The optional arguments are PyTorch's, positional in its order or in an options object
 * (clip_args.ts); `foreach` is accepted and changes nothing (one CPU implementation). The required
 * ones after the parameters may be named in that object too, as Python's keywords:
 * `clip_grad_norm_(params, { max_norm: 1.0, norm_type: 2 })`, `clip_grad_value_(params, { clip_value: 0.5 })`.
 *
 * A sparse gradient (nn.Embedding with `sparse: true`) is refused by both, before any gradient
 * changes: PyTorch 2.13 raises there too (NotImplementedError: no sparse kernel for
 * linalg_vector_norm, clamp_min_ or clamp_).
 *
 * Observers (the effective-learning-rate tracer, kernel/src/trace/clip.ts): while one is
 * registered, each call that changes gradients (not get_total_norm) also tells it, after
 * clipping, every clipped parameter with the float64 sum of squares of its gradient before and
 * after (one more pass over the gradients each, only then), so a trace can report the raw gradient's norm and the clip factor ‖g_clipped‖/‖g_raw‖.
 * Without an observer nothing more is done.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { RuntimeError, TypeError_ } from "../../errors";
import { shown, type Positional } from "../../optim/positional";
import {
  CLIP_GRAD_NORM, CLIP_GRAD_VALUE, CLIP_GRADS_WITH_NORM, GET_TOTAL_NORM, clipArgs, leadArgs, normOrder, pyFloatRepr, type NormType,
} from "./clip_args";

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
  const params = tensorsOf(parameters).filter((p) => p.grad !== null);
  const grads = params.map((p) => p.grad as Tensor);
  refuseSparse(grads, op, kernel);
  return { params, grads };
}

function refuseSparse(grads: readonly Tensor[], op: string, kernel: string): void {
  if (grads.some((g) => g.is_sparse)) {
    throw new Error(
      `${op}: a gradient is sparse (layout=torch.sparse_coo), which ${op} does not support, as in PyTorch 2.13 ` +
        `(NotImplementedError: Could not run '${kernel}' with arguments from the 'SparseCPU' backend); ` +
        "clip the dense equivalent (p.grad = p.grad.to_dense()) or leave that parameter out",
    );
  }
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

/** ‖x‖_p as torch.linalg.vector_norm: p = ±inf max/min |x|, p = 0 the count of non-zeros, else (Σ|x|^p)^(1/p). */
function vecNorm(x: ArrayLike<number>, p: number): number {
  if (p === Infinity || p === -Infinity) {
    let m = p > 0 ? 0 : Infinity;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      if (Number.isNaN(a)) return NaN;
      m = p > 0 ? Math.max(m, a) : Math.min(m, a);
    }
    return m;
  }
  if (p === 0) {
    let c = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) c++;
    return c;
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

/** The options form of clip_grad_norm_ (and get_total_norm): PyTorch's keyword arguments. */
export interface ClipGradNormOptions {
  /** The order p: a number (Infinity for float('inf')) or a string float() reads, "inf". Default 2. */
  norm_type?: NormType;
  error_if_nonfinite?: boolean;
  /** Accepted for PyTorch's signature: one CPU implementation either way. */
  foreach?: boolean | null;
}

/** The options form of clip_grad_value_ and clip_grads_with_norm_. */
export interface ClipForeachOptions {
  /** Accepted for PyTorch's signature: one CPU implementation either way. */
  foreach?: boolean | null;
}

/** clip_grad_norm_'s arguments after the parameters all by name, as Python's `max_norm=1.0, norm_type=2`. */
export interface ClipGradNormKeywords extends ClipGradNormOptions {
  max_norm: number | Tensor;
}

/** clip_grad_value_'s arguments after the parameters by name (`clip_value=0.5`). */
export interface ClipGradValueKeywords extends ClipForeachOptions {
  clip_value: number;
}

/** clip_grads_with_norm_'s arguments after the parameters (or after max_norm) by name. */
export interface ClipGradsWithNormKeywords extends ClipForeachOptions {
  max_norm?: number | Tensor;
  total_norm: Tensor | number;
}

/**
 * The optional arguments: the options object, or PyTorch's positional values then optionally the
 * options for the rest. One signature each, not overloads: a typed cell's error then says what
 * went wrong (`Type 'true' is not assignable to type 'NormType'`) where overloads said only "No
 * overload matches this call" (and a number was TS2559 against the options type before).
 */
type NormArgs =
  | [options?: ClipGradNormOptions]
  | Positional<[norm_type: NormType, error_if_nonfinite: boolean, foreach: boolean | null], ClipGradNormOptions>;
type ForeachArgs = [options?: ClipForeachOptions] | [foreach: boolean | null];

/** max_norm / clip_value as Python's float(): a number or a one-element Tensor. */
function floatArg(op: string, name: string, v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof Tensor && v.numel() === 1) return Number(v.data[0]);
  throw TypeError_(`${op}(): '${name}' must be a number, but got ${v === undefined ? "nothing (it is required)" : shown(v)}`);
}

function tensorsOf(tensors: Params): Tensor[] {
  return tensors instanceof Tensor ? [tensors] : [...tensors];
}

/** The total p-norm of `grads` as a 0-dim tensor (get_total_norm's; see the file comment). */
function totalNorm(grads: readonly Tensor[], p: number, error_if_nonfinite: boolean): Tensor {
  if (grads.length === 0) return new Tensor(new Float32Array(1), [], "float32");
  const dtype = grads.some((g) => g.dtype === "float64") ? "float64" : "float32";
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  // Per-parameter norms are tensors in PyTorch (rounded to the grad's dtype), then normed again.
  const norms = grads.map((g) => (g.dtype === "float32" ? Math.fround(vecNorm(g.data, p)) : vecNorm(g.data, p)));
  const total = round(vecNorm(norms, p));
  if (error_if_nonfinite && !Number.isFinite(total)) {
    throw RuntimeError(
      `The total norm of order ${pyFloatRepr(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
    );
  }
  const out = storageFor(dtype, 1);
  out[0] = total;
  return new Tensor(out, [], dtype);
}

/** grad ← grad · min(max_norm / (total + 1e-6), 1), the coefficient in total's dtype, then in each grad's. */
function scaleGrads(params: readonly Tensor[], grads: readonly Tensor[], max_norm: number, total: number, totalDtype: string): void {
  if (grads.length === 0) return;
  const round = totalDtype === "float32" ? Math.fround : (v: number) => v;
  const clamped = Math.min(round(max_norm / round(total + 1e-6)), 1);
  const before = observers.size > 0 ? squares(grads) : null;
  for (const g of grads) {
    const d = g.data;
    const c = g.dtype === "float32" ? Math.fround(clamped) : clamped;
    for (let i = 0; i < d.length; i++) d[i] *= c;
  }
  if (before !== null) tell(params, before, grads, true);
}

/**
 * `clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None)`:
 * positional in PyTorch's order (`clip_grad_norm_(ps, 1.0, Infinity)`) or an options object
 * (`clip_grad_norm_(ps, 1.0, { norm_type: "inf" })`). Returns the total norm before clipping.
 */
export function clip_grad_norm_(parameters: Params, max_norm: number | Tensor | ClipGradNormKeywords, ...args: NormArgs): Tensor {
  const op = "clip_grad_norm_";
  const given = leadArgs(CLIP_GRAD_NORM, [max_norm, ...args]);
  const { norm_type = 2.0, error_if_nonfinite = false } = clipArgs(CLIP_GRAD_NORM, given.args) as ClipGradNormOptions;
  const maxNorm = floatArg(op, "max_norm", given.lead[0]);
  const p = normOrder(op, norm_type);
  const { params, grads } = gradsOf(parameters, op, "aten::linalg_vector_norm");
  const total = totalNorm(grads, p, error_if_nonfinite);
  scaleGrads(params, grads, maxNorm, total.data[0], total.dtype);
  return total;
}

/**
 * `get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None)` (PyTorch ≥ 2.6):
 * the norm of `tensors` (the gradients themselves, not parameters) viewed as one vector, as
 * clip_grad_norm_ computes it; nothing changes. An empty list gives tensor(0.) (float32).
 */
export function get_total_norm(tensors: Params, ...args: NormArgs): Tensor {
  const op = "get_total_norm";
  const { norm_type = 2.0, error_if_nonfinite = false } = clipArgs(GET_TOTAL_NORM, args) as ClipGradNormOptions;
  const p = normOrder(op, norm_type);
  const list = tensorsOf(tensors);
  refuseSparse(list, op, "aten::linalg_vector_norm");
  return totalNorm(list, p, error_if_nonfinite);
}

/**
 * `clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None)` (PyTorch ≥ 2.6): scales
 * every gradient by min(max_norm / (total_norm + 1e-6), 1) with a total norm computed before
 * (get_total_norm); clip_grad_norm_ is the two together. total_norm is a one-element Tensor as in
 * PyTorch, or (lrlab only: PyTorch raises a TypeError from torch.clamp) a number, e.g. `.item()`'s.
 */
export function clip_grads_with_norm_(
  parameters: Params, max_norm: number | Tensor | ClipGradsWithNormKeywords, total_norm?: Tensor | number | ClipGradsWithNormKeywords, ...args: ForeachArgs
): void {
  const op = "clip_grads_with_norm_";
  const given = leadArgs(CLIP_GRADS_WITH_NORM, [max_norm, total_norm, ...args]);
  clipArgs(CLIP_GRADS_WITH_NORM, given.args);
  const maxNorm = floatArg(op, "max_norm", given.lead[0]);
  // optional in the signature only for the keyword form, clip_grads_with_norm_(ps, { max_norm, total_norm }); left out
  // positionally, the type error below says what it takes
  total_norm = given.lead[1] as Tensor | number;
  let total: number, dtype: string;
  if (typeof total_norm === "number") [total, dtype] = [total_norm, "float64"];
  else if (total_norm instanceof Tensor && total_norm.numel() === 1 && (total_norm.dtype === "float32" || total_norm.dtype === "float64")) {
    [total, dtype] = [Number(total_norm.data[0]), total_norm.dtype];
  } else {
    throw TypeError_(
      `${op}(): 'total_norm' takes the total norm as a one-element float Tensor (what get_total_norm returns) or a number, but got ` +
        (total_norm instanceof Tensor ? `a ${total_norm.dtype} Tensor of shape [${total_norm.shape.join(", ")}]` : shown(total_norm)),
    );
  }
  const { params, grads } = gradsOf(parameters, op, "aten::mul_");
  scaleGrads(params, grads, maxNorm, total, dtype);
}

/**
 * `clip_grad_value_(parameters, clip_value, foreach=None)`: clamps every gradient element into
 * [-clip_value, clip_value]; foreach positionally (`clip_grad_value_(ps, 0.5, true)`) or as an option.
 */
export function clip_grad_value_(parameters: Params, clip_value: number | ClipGradValueKeywords, ...args: ForeachArgs): void {
  const given = leadArgs(CLIP_GRAD_VALUE, [clip_value, ...args]);
  clipArgs(CLIP_GRAD_VALUE, given.args);
  clip_value = given.lead[0] as number;
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
