/**
 * Shared pieces of every optimizer's update loop.
 *
 * Float32 parity with PyTorch: each optimizer mirrors PyTorch's single-tensor (foreach=False) op
 * order. Every intermediate PyTorch materialises as a float32 tensor is rounded with
 * `Math.fround` (`r` below); a store into a Float32Array rounds by itself. Python scalars
 * (bias corrections, step sizes) are computed in double, then cast to the tensor's dtype (`r`)
 * where PyTorch passes them to a kernel, because ATen casts a scalar to the kernel's opmath
 * type (float for float32). ATen's CPU `add(a, b, alpha)` and `lerp` are fused multiply-adds:
 * `r(a + alpha * b)` evaluated in double reproduces them (the product of two float32 values is
 * exact in double). `addcmul` fuses its last multiply-add, `r(a + r(v * t1) * t2)`; `addcdiv` is
 * `r(a + r(r(v * t1) / t2))` (both checked against PyTorch 2.13 on AVX2/AVX-512 CPUs).
 * For float64 `r` is the identity.
 *
 * The helpers below are generic over the dtype (`r` and `Storage` unions). The most used
 * optimizers (SGD, Adam/AdamW, RMSprop, Adagrad) run their per-step loop in two dtype-specialised
 * copies instead (`…Update32` with `Math.fround`, `…Update64` without), fused into one pass per
 * element: a loop that V8 has seen with both array types and both rounding functions runs about
 * twice as slow (bench/NOTES.md). The helpers stay for the first step and the rarer optimizers.
 * SGD and Adam/AdamW run the same loops in WebAssembly SIMD on parameters of 256 elements or
 * more, with bit-identical results (optim/wasm/update.ts).
 */
import { Tensor, type Storage } from "../tensor/tensor";
import { enable_grad } from "../tensor/grad_mode";
import { get_default_dtype } from "../tensor/dtype";
import type { Closure, StepOptions } from "./optimizer";
import { pyStr, type ParamGroup, type ParamState } from "./optimizer";
import { AssertionError, RuntimeError } from "../errors";

export type Round = (x: number) => number;
const identity: Round = (x) => x;

/** The rounding of intermediates for `p`'s dtype: `Math.fround` for float32, identity otherwise. */
export function rounder(p: Tensor): Round {
  return p.data instanceof Float32Array ? Math.fround : identity;
}

/** A zero state tensor shaped and typed like `p` (`torch.zeros_like(p)`). */
export function zerosLike(p: Tensor): Tensor {
  const data: Storage = p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
  return new Tensor(data, p.shape, p.dtype);
}

/** `torch.full_like(p, value)`. */
export function fullLike(p: Tensor, value: number): Tensor {
  const t = zerosLike(p);
  t.data.fill(value);
  return t;
}

/** `p.clone()` of a storage as a state tensor shaped like `p`. */
export function cloneAs(p: Tensor, data: Storage): Tensor {
  const copy: Storage = p.data instanceof Float32Array ? Float32Array.from(data) : Float64Array.from(data);
  return new Tensor(copy, p.shape, p.dtype);
}

/**
 * PyTorch's error for a sparse gradient given to an optimizer that does not take one (its
 * `_init_group` raises before the group's update): Adam's (and AdamW's) points to SparseAdam.
 */
export function sparseGradMessage(name: string): string {
  if (name === "Adam" || name === "AdamW") return "Adam does not support sparse gradients, please consider SparseAdam instead";
  return `${name} does not support sparse gradients`;
}

/** Whether a parameter of `group` has a sparse gradient (one check per parameter). */
export function hasSparseGrad(group: ParamGroup): boolean {
  for (const p of group.params) {
    const g = p.grad;
    if (g !== null && g.is_sparse) return true;
  }
  return false;
}

/**
 * Each parameter of `group` that has a gradient, with its state record (created on first use).
 * PyTorch skips parameters whose `.grad` is None; so do we. A sparse gradient is PyTorch's error
 * (`sparseGradMessage`), raised before any parameter of the group is updated, unless `sparse` is
 * "skip": then the optimizer updates those parameters itself (SGD, Adagrad) and they are left out.
 */
export function* paramsWithGrad(
  group: ParamGroup,
  stateOf: (p: Tensor) => ParamState,
  name: string,
  sparse: "refuse" | "skip" = "refuse",
): Generator<{ p: Tensor; grad: Storage; state: ParamState }> {
  if (sparse === "refuse" && hasSparseGrad(group)) throw new Error(sparseGradMessage(name));
  // capturable / differentiable (rarely true): PyTorch's errors, once the group has a gradient
  let flags = group.capturable === true || group.differentiable === true;
  for (const p of group.params) {
    const g = p.grad;
    if (g === null || g.is_sparse) continue;
    if (flags) {
      checkImplementationFlags(group, name);
      flags = false;
    }
    if (g.data.length !== p.data.length || g.dtype !== p.dtype) {
      throw new Error(`${name}: grad of a parameter of shape [${p.shape.join(", ")}] (${p.dtype}) has shape [${g.shape.join(", ")}] (${g.dtype})`);
    }
    yield { p, grad: g.data, state: stateOf(p) };
  }
}

/**
 * PyTorch's checks of `fused` against the other flags, made by SGD's and Adagrad's constructors
 * after the param groups are built (Adam and AdamW check before): RuntimeErrors in PyTorch.
 */
export function checkFusedFlags(options: ImplementationFlags): void {
  if (!options.fused) return;
  if (options.differentiable) throw RuntimeError("`fused` does not support `differentiable`");
  if (options.foreach) throw RuntimeError("`fused` and `foreach` cannot be `True` together.");
}

/** The devices PyTorch 2.13 lists as supporting capturable=True (`_get_capturable_supported_devices`). */
function capturableDevices(xla: boolean): string {
  return `['cuda', 'xpu', 'hpu', 'privateuseone'${xla ? ", 'xla'" : ""}]`;
}

/**
 * PyTorch 2.13's error for `capturable=True` on the CPU, raised by its update function at the
 * step (not at construction): the wording and the device list depend on the optimizer and on
 * whether the group runs the multi-tensor (`foreach=True`) or the single-tensor implementation.
 */
export function capturableMessage(name: string, foreach: boolean): string {
  let what = "params and state_steps";
  let xla = !foreach || name === "RMSprop" || name === "Rprop";
  if (name === "NAdam") what = foreach ? "params, mu_products, and state_steps" : "params, mu_products and state_steps";
  else if (name === "ASGD") what = "params, mus, etas, and state_steps";
  else if (name === "Adadelta") xla = false;
  return (
    `If capturable=True, ${what} must be on supported devices: ${capturableDevices(xla)}.` +
    " (lrlab computes on the CPU, where PyTorch raises this too: capturable=True is for CUDA-graph capture; leave it false.)"
  );
}

/** Optimizers whose differentiable=True step gives the numbers of their plain step (see checkImplementationFlags). */
const DIFFERENTIABLE_SAME_NUMBERS = new Set(["SGD", "Adamax", "RAdam", "Adadelta", "Rprop", "ASGD"]);

/**
 * The implementation flags PyTorch acts on at the step, for a group with at least one gradient:
 * - `capturable=True` (not with `fused=True`, whose CPU kernel ignores it): PyTorch's
 *   AssertionError, since lrlab, like PyTorch on the CPU, has no CUDA-graph capture;
 * - `differentiable=True`: PyTorch runs the step with autograd enabled (even inside no_grad), so
 *   `foreach=True` is its "_foreach ops don't support autograd" (SGD excepted), and a leaf that
 *   requires grad cannot be updated in place (its RuntimeError). A non-leaf parameter (what the
 *   flag is for: differentiating through the update) is refused: lrlab's update loops write the
 *   parameter's storage and record nothing in autograd, so later gradients through it would
 *   silently be those of the tensor before the step. A parameter that does not require grad is
 *   updated as without the flag where that gives PyTorch's numbers (checked against PyTorch 2.13,
 *   float32 and float64: SGD, Adamax, RAdam, Adadelta, Rprop, ASGD); Adam, AdamW, NAdam, Adagrad
 *   and RMSprop compute their differentiable step in another order (Adam's bias corrections as
 *   tensors of the default dtype), 1 ulp to 1e-6 away, so it is refused there, saying so.
 */
export function checkImplementationFlags(group: ParamGroup, name: string): void {
  if (group.capturable === true && group.fused !== true) throw AssertionError(capturableMessage(name, group.foreach === true));
  if (group.differentiable !== true) return;
  if (group.foreach === true && name !== "SGD") throw AssertionError("_foreach ops don't support autograd");
  for (const p of group.params) {
    if (p.grad === null) continue;
    if (!p.requires_grad) {
      if (DIFFERENTIABLE_SAME_NUMBERS.has(name)) continue;
      throw RuntimeError(
        `${name}: differentiable=True is not supported by lrlab here: PyTorch's differentiable ${name} step computes in another ` +
          "order (in tensors of the default dtype), whose rounding lrlab does not reproduce, and for a parameter that does not " +
          "require grad the flag changes nothing else: leave differentiable false.",
      );
    }
    if (p.is_leaf) {
      throw RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation. " +
          `(${name} with differentiable=True updates its parameters with autograd on, as PyTorch does, even inside no_grad: ` +
          "a parameter that requires grad must be a non-leaf tensor then. Without differentiable=True the step runs under no_grad.)",
      );
    }
    throw RuntimeError(
      `${name}: differentiable=True on a non-leaf parameter is not supported by lrlab: PyTorch records the update in autograd ` +
        "so that gradients flow through the step (e.g. meta-learning), but lrlab's optimizers update the storage without recording " +
        "anything, so gradients through the updated parameter would silently be wrong. Compute such an update with tensor ops " +
        "(p2 = p.sub(p.grad.mul(lr))), or optimize leaf tensors without differentiable=True.",
    );
  }
}

/** Scratch buffers for the transformed gradient, one per parameter, reused across steps. */
const scratch = new WeakMap<Tensor, Storage>();

function scratchFor(p: Tensor): Storage {
  let s = scratch.get(p);
  if (s === undefined || s.length !== p.data.length || s.constructor !== p.data.constructor) {
    s = p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
    scratch.set(p, s);
  }
  return s;
}

/**
 * The gradient the update reads: `g = maximize ? -∇ : ∇`, then the coupled (L2) weight decay
 * `g ← g + λθ` (PyTorch's `grad.add(param, alpha=weight_decay)`, a fused multiply-add).
 * Returns `p.grad`'s own storage when neither applies (never written to), else a scratch buffer
 * owned by `p` (valid until the next call for `p`).
 */
export function effectiveGrad(p: Tensor, grad: Storage, maximize: boolean, weight_decay: number): Storage {
  if (!maximize && weight_decay === 0) return grad;
  const out = scratchFor(p);
  const r = rounder(p);
  const wd = r(weight_decay);
  const theta = p.data;
  const n = grad.length;
  if (weight_decay === 0) {
    for (let i = 0; i < n; i++) out[i] = -grad[i];
  } else if (maximize) {
    for (let i = 0; i < n; i++) out[i] = -grad[i] + wd * theta[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = grad[i] + wd * theta[i];
  }
  return out;
}

/** Decoupled weight decay (AdamW): `θ ← θ·(1 − γλ)`, PyTorch's `param.mul_(1 - lr * weight_decay)`. */
export function decoupledDecay(p: Tensor, lr: number, weight_decay: number): void {
  if (weight_decay === 0) return;
  const factor = rounder(p)(1 - lr * weight_decay);
  const theta = p.data;
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i] * factor;
}

/**
 * `a.lerp_(b, w)` in place, as ATen computes it: `a + w(b − a)` when |w| < 0.5, else
 * `b + (w − 1)(b − a)`, each a fused multiply-add on the rounded difference.
 */
export function lerpInPlace(a: Storage, b: Storage, weight: number, r: Round): void {
  const w = r(weight);
  const n = a.length;
  if (Math.abs(w) < 0.5) {
    for (let i = 0; i < n; i++) a[i] = a[i] + w * r(b[i] - a[i]);
  } else {
    const c = r(w - 1);
    for (let i = 0; i < n; i++) a[i] = b[i] + c * r(b[i] - a[i]);
  }
}

/** `v.mul_(beta).addcmul_(g, g, value=1 - beta)`: the exponential average of squares (fused addcmul). */
export function emaSquareInPlace(v: Storage, g: Storage, beta: number, r: Round): void {
  const b = r(beta);
  const c = r(1 - beta);
  for (let i = 0; i < v.length; i++) v[i] = r(v[i] * b) + r(c * g[i]) * g[i];
}

/** Python float `x ** 0.5` (glibc's pow is correctly rounded here, as Math.sqrt is). */
export const sqrt = Math.sqrt;

/**
 * Hyperparameter validation helpers with PyTorch's wording, followed by what is allowed:
 * `Invalid learning rate: -0.1 (lr must be >= 0)` (PyTorch's text first, so it still matches).
 */
export function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

/**
 * A `[a, b]` pair option (Python tuple); `what` names it in the error. Tensors in it (PyTorch
 * 2.13's Adam family takes `betas` as two 1-element tensors) are refused with what to write
 * instead: PyTorch then computes the moment averages and bias corrections in tensor arithmetic
 * (in the tensors' dtype), whose rounding lrlab does not reproduce (measured: 1e-7 relative on
 * float32 tensors, and even float64 tensors differ from numbers in AdamW), so accepting them
 * would give other numbers than PyTorch. A tensor with a number is PyTorch's ValueError.
 */
export function pair(v: unknown, what: string): [number, number] {
  if (Array.isArray(v) && v.length === 2 && (v[0] instanceof Tensor || v[1] instanceof Tensor)) {
    if (!(v[0] instanceof Tensor && v[1] instanceof Tensor)) throw new Error(`${what} must be either both floats or both Tensors`);
    const nums = v.map((t: Tensor) => (t.data.length === 1 ? tensorValueText(t) : "..."));
    throw new TypeError(
      `${what} as Tensors are not supported by lrlab (PyTorch then computes with them in tensor arithmetic, whose ` +
        `rounding lrlab does not reproduce): pass two numbers, e.g. ${what}: [${nums.join(", ")}] (each tensor's .item())`,
    );
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "number" || typeof v[1] !== "number") {
    throw new TypeError(`${what} must be an array of two numbers, got ${describeValue(v)}`);
  }
  return [v[0], v[1]];
}

/**
 * A 1-element tensor's value as a message suggests it: for float32 the shortest decimal that
 * reads back as the same float32 (`0.01` for torch.tensor(0.01), not 0.009999999776482582).
 */
export function tensorValueText(t: Tensor): string {
  const v = Number(t.data[0]);
  if (t.dtype === "float32" && Number.isFinite(v)) {
    for (let digits = 1; digits <= 9; digits++) {
      const s = Number(v.toPrecision(digits));
      if (Math.fround(s) === v) return pyStr(s);
    }
  }
  return pyStr(v);
}

/** A value for an error message: numbers and arrays of numbers as they are, else their kind. */
function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(describeValue).join(", ")}]`;
  if (typeof v === "number") return pyStr(v);
  if (v instanceof Tensor) return `a Tensor of shape [${v.shape.join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  return typeof v === "object" ? `a ${(v as object).constructor?.name ?? "object"}` : `${String(v)} (${typeof v})`;
}

/**
 * The implementation switches, documented once: `foreach`, `fused`, `capturable` and
 * `differentiable` select PyTorch implementations (multi-tensor, fused kernels, CUDA-graph capture,
 * autograd through the step). lrlab has one implementation, the single-tensor loop, and stores
 * them in the group for fidelity. `foreach` and `fused` compute the same update and are ignored
 * (but for PyTorch's errors for fused with foreach or differentiable); `capturable: true` and
 * `differentiable: true` give PyTorch's CPU errors at step() (checkImplementationFlags).
 */
export interface ImplementationFlags {
  /** Accepted and ignored: PyTorch's choice of its multi-tensor (foreach) implementation; default null. */
  foreach?: boolean | null;
  /** Accepted and ignored: PyTorch's fused-kernel implementation (with foreach or differentiable, PyTorch's error); default null. */
  fused?: boolean | null;
  /**
   * Accepted; true is PyTorch's AssertionError at step() ("If capturable=True, params and
   * state_steps must be on supported devices"): CUDA-graph capture, which PyTorch refuses on the
   * CPU, where lrlab computes (not with fused: true, which ignores it); default false.
   */
  capturable?: boolean;
  /**
   * Accepted; true runs PyTorch's checks of autograd through the step: a parameter that requires
   * grad is PyTorch's in-place error (a leaf), or refused (a non-leaf: lrlab records no graph
   * through the update); one that does not is updated as usual where that is PyTorch's result;
   * default false.
   */
  differentiable?: boolean;
}

/**
 * Throws PyTorch's error for a learning rate that is not a number >= 0, or a Tensor lr that is
 * not 1-element ("Tensor lr must be 1-element"). A 1-element Tensor is accepted, as PyTorch 2.13
 * accepts it in every optimizer; which dtypes each optimizer takes is checked per param group
 * (Optimizer._check_tensor_lr). Returns the lr's value.
 */
export function checkLr(lr: unknown, message = (v: number) => `Invalid learning rate: ${pyStr(v)} (lr must be >= 0)`): number {
  if (lr instanceof Tensor) {
    if (lr.is_sparse || lr.data.length !== 1) throw new Error("Tensor lr must be 1-element");
    const v = Number(lr.data[0]);
    if (!(0 <= v)) throw new Error(message(v));
    return v;
  }
  if (typeof lr !== "number") {
    throw new TypeError(`lr must be a number or a 1-element Tensor, got ${typeof lr}`);
  }
  if (!(0 <= lr)) throw new Error(message(lr));
  return lr;
}

/** Runs the closure with gradients enabled (PyTorch's `with torch.enable_grad(): loss = closure()`). */
export function evalClosure(closure: Closure | StepOptions | null | undefined, optimizer?: object): number | Tensor | undefined {
  if (closure === undefined || closure === null) return undefined;
  if (typeof closure === "function") return enable_grad(closure);
  const step = `${optimizer?.constructor?.name ?? "Optimizer"}.step()`;
  // (the step wrapper turns step({ closure }) into step(closure): another key got here)
  if (typeof closure === "object" && !(closure instanceof Tensor)) {
    const key = Object.keys(closure).find((k) => k !== "closure");
    if (key !== undefined) throw new TypeError(`${step} got an unexpected keyword argument '${key}' (its one argument is the closure: step(closure) or step({ closure }))`);
    return evalClosure((closure as StepOptions).closure, optimizer);
  }
  throw new TypeError(`${step} expects a closure (a function that re-evaluates the model and returns the loss), got ${typeof closure}`);
}

/**
 * Rounding of the scalar state tensors PyTorch creates with `_get_scalar_dtype()` (NAdam's
 * `mu_product`, ASGD's `eta` and `mu`): float64 when the default dtype is float64, else float32,
 * whatever the parameters' dtype.
 */
export function scalarRounder(): (x: number) => number {
  return get_default_dtype() === "float64" ? (x) => x : Math.fround;
}

/**
 * The error for weight decay on a sparse gradient (SGD, Adagrad): which option, what to do, then
 * PyTorch 2.13's own words (its RuntimeError for the same step).
 */
export function sparseWeightDecayMessage(name: string, weight_decay: number, pytorch: string): string {
  return `${name}: weight_decay (${weight_decay}) cannot be applied to a sparse gradient (nn.Embedding({ sparse: true })); `
    + `put the sparse parameters in a param group of their own with weight_decay: 0 `
    + `(new torch.optim.${name}([{ params: emb.parameters(), weight_decay: 0 }, { params: rest }], ...)), or use dense gradients. `
    + `PyTorch 2.13 raises here too: RuntimeError: ${pytorch}`;
}

/** PyTorch's name of a dtype in its messages ("float" for float32, "double" for float64). */
function atenDtype(d: string): string {
  return d === "float32" ? "float" : d === "float64" ? "double" : d === "float16" ? "Half" : d === "bfloat16" ? "BFloat16" : d;
}

/**
 * `exp_avg.lerp_(grad, 1 − β1)` (Adam, AdamW, NAdam, RAdam, Adamax) needs both of one dtype:
 * PyTorch's error when the model's dtype changed after the optimizer's state was made
 * (`model.double()` mid-run: a user's pass found lrlab training on silently), with what to do.
 */
export function checkLerpDtype(expAvg: Tensor, grad: Tensor, optimizer: string): void {
  if (expAvg.dtype === grad.dtype) return;
  throw RuntimeError(
    `expected dtype ${atenDtype(expAvg.dtype)} for \`end\` but got dtype ${atenDtype(grad.dtype)} `
    + `(${optimizer}'s state exp_avg is ${expAvg.dtype} and the gradient ${grad.dtype}: the parameters' dtype changed after the optimizer's first step, `
    + "e.g. model.double(); make the optimizer again after the change, as in PyTorch)",
  );
}
