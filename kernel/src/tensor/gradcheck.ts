/**
 * `torch.autograd.gradcheck(func, inputs, { eps, atol, rtol, raise_exception, nondet_tol })`:
 * checks a function's autograd gradients (a custom `autograd.Function`'s backward, typically)
 * against finite differences, as PyTorch 2.13's slow mode.
 *
 * For each input x_i that requires grad and each output y_o that requires grad, two Jacobians of
 * shape [x_i.numel(), y_o.numel()] (row k: the derivatives w.r.t. element k of x_i):
 *   numerical  J_n[k][j] = (y_o(x + eps e_k)[j] - y_o(x - eps e_k)[j]) / (2 eps)   (x perturbed in place)
 *   analytical J_a[k][j] = (autograd.grad(y_o, x_i, grad_outputs = e_j))[k]      (one backward per output element)
 * and they must satisfy |J_a - J_n| <= atol + rtol |J_n| everywhere (torch.allclose). Then backward
 * is run a second time and must give the same Jacobian within `nondet_tol` (reentrancy). Outputs
 * that do not require grad must have a zero numerical Jacobian.
 *
 * A failure raises GradcheckError with PyTorch's message ("Jacobian mismatch for output 0 with
 * respect to input 0,\nnumerical:tensor(...)\nanalytical:tensor(...)\n"), or returns false with
 * `raise_exception: false`. Inputs that require grad and are not float64 get PyTorch's UserWarning
 * (finite differences in float32 are too coarse for the default tolerances).
 *
 * Not done (lrlab has no double backward, forward-mode AD, batching or undefined gradients):
 * `gradgradcheck`, `check_forward_ad`, `check_batched_grad`, `fast_mode`; these options are
 * refused when true. `check_undefined_grad` is accepted and has nothing to check here: a custom
 * Function's backward is never given an undefined gradient (zeros, or null with
 * set_materialize_grads(false), as its author chose).
 */
import { Tensor } from "./tensor";
import { no_grad, enable_grad } from "./grad_mode";
import { Capture, run_backward } from "./autograd";

/** PyTorch's torch.autograd.gradcheck.GradcheckError (a RuntimeError). */
export class GradcheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradcheckError";
  }
}

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw GradcheckError on failure (default true); false: return false. */
  raise_exception?: boolean;
  /** Allowed difference between two backward runs (default 0). */
  nondet_tol?: number;
  /** Accepted; nothing to check in lrlab (see the module comment). */
  check_undefined_grad?: boolean;
  /** Must stay false (not supported). */
  check_forward_ad?: boolean;
  /** Must stay false (not supported). */
  check_batched_grad?: boolean;
  /** Must stay false (not supported). */
  fast_mode?: boolean;
  /** Accepted (default true: the backward check is what gradcheck does here). */
  check_backward_ad?: boolean;
}

const ACCEPTED = ["eps", "atol", "rtol", "raise_exception", "nondet_tol", "check_undefined_grad", "check_forward_ad", "check_batched_grad", "fast_mode", "check_backward_ad"];

function check_options(o: GradcheckOptions): void {
  if (typeof o !== "object" || o === null) throw new TypeError("gradcheck() expects its keyword arguments as one options object");
  for (const k of Object.keys(o)) {
    if (!ACCEPTED.includes(k)) throw new TypeError(`gradcheck() got an unexpected keyword argument '${k}'; accepted: ${ACCEPTED.join(", ")}`);
  }
  for (const k of ["check_forward_ad", "check_batched_grad", "fast_mode"] as const) {
    if (o[k] === true) throw new Error(`gradcheck(): ${k}=true is not supported in lrlab (no forward-mode AD, batched gradients or fast mode); only the slow backward-mode check is done`);
  }
  if (o.check_backward_ad === false) throw new Error("gradcheck(): check_backward_ad=false leaves nothing to check in lrlab (check_forward_ad is not supported)");
  for (const k of ["eps", "atol", "rtol", "nondet_tol"] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) throw new TypeError(`gradcheck(): ${k} must be a non-negative number, got ${String(v)}`);
  }
}

/** The tensors among func's result, in order (a single tensor or an array of values). */
function tensor_outputs(out: unknown): Tensor[] {
  const list = Array.isArray(out) ? out : [out];
  return list.filter((o): o is Tensor => o instanceof Tensor);
}

/** One output's values as float64 (a fresh copy: the next call may reuse nothing, but be safe). */
function values(t: Tensor): Float64Array {
  return Float64Array.from(t.data);
}

/**
 * Checks func's gradients w.r.t. the inputs that require grad against central finite differences
 * (see the module comment); true when they agree, else GradcheckError (or false).
 */
export function gradcheck(func: (...args: any[]) => Tensor | readonly unknown[], inputs: Tensor | readonly unknown[], options: GradcheckOptions = {}): boolean {
  check_options(options);
  if (typeof func !== "function") throw new TypeError("gradcheck(): func must be a function");
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const nondet_tol = options.nondet_tol ?? 0;
  const raise = options.raise_exception ?? true;
  const args: unknown[] = inputs instanceof Tensor ? [inputs] : [...inputs];
  const diff_inputs = args.filter((a): a is Tensor => a instanceof Tensor && a.requires_grad);
  if (diff_inputs.length === 0) {
    throw new Error("gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=True.");
  }
  args.forEach((a, i) => {
    if (a instanceof Tensor && a.requires_grad && a.dtype !== "float64") {
      console.warn(
        `UserWarning: Input #${i} requires gradient and is not a double precision floating point or complex. This check will likely fail if all the inputs are not of double precision floating point or complex. `,
      );
    }
  });
  const fail = (message: string): boolean => {
    if (raise) throw new GradcheckError(message);
    return false;
  };

  const outs = tensor_outputs(enable_grad(() => func(...args)));
  const diff_outs = outs.filter((o) => o.requires_grad);
  const numerical = numerical_jacobians(func, args, diff_inputs, eps);

  // Outputs that do not require grad: their numerical Jacobian must be zero.
  for (let o = 0; o < outs.length; o++) {
    if (outs[o].requires_grad) continue;
    for (const per_input of numerical) for (const row of per_input[o]) if (row.some((v) => v !== 0)) return fail("Numerical gradient for function expected to be zero");
  }
  const diff_index = outs.map((o) => o.requires_grad);
  const analytical = analytical_jacobians(diff_outs, diff_inputs);
  let d = 0;
  for (let oi = 0; oi < outs.length; oi++) {
    if (!diff_index[oi]) continue;
    for (let i = 0; i < diff_inputs.length; i++) {
      const n = numerical[i][oi];
      const a = analytical[i][d];
      if (!allclose(a, n, rtol, atol)) {
        return fail(
          `Jacobian mismatch for output ${d} with respect to input ${i},\n` +
            `numerical:${jacobian_tensor(n, diff_inputs[i], outs[oi]).toString()}\n` +
            `analytical:${jacobian_tensor(a, diff_inputs[i], outs[oi]).toString()}\n`,
        );
      }
    }
    d++;
  }
  const again = analytical_jacobians(diff_outs, diff_inputs);
  for (let i = 0; i < diff_inputs.length; i++) {
    for (let o = 0; o < diff_outs.length; o++) {
      const a = analytical[i][o];
      const b = again[i][o];
      for (let k = 0; k < a.length; k++) {
        for (let j = 0; j < a[k].length; j++) {
          if (!(Math.abs(a[k][j] - b[k][j]) <= nondet_tol)) {
            return fail(
              `Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient.The tolerance for nondeterminism was ${nondet_tol === Math.trunc(nondet_tol) ? nondet_tol.toFixed(1) : nondet_tol}.`,
            );
          }
        }
      }
    }
  }
  return true;
}

/** |a - n| <= atol + rtol |n| for every element (torch.allclose(analytical, numerical)). */
function allclose(a: Float64Array[], n: Float64Array[], rtol: number, atol: number): boolean {
  for (let k = 0; k < a.length; k++) {
    for (let j = 0; j < a[k].length; j++) {
      const x = a[k][j];
      const y = n[k][j];
      if (x === y) continue;
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
    }
  }
  return true;
}

/** Rows (one per input element) as a float64 tensor [input numel, output numel], for the message. */
function jacobian_tensor(rows: Float64Array[], input: Tensor, output: Tensor): Tensor {
  const m = output.numel();
  const data = new Float64Array(rows.length * m);
  rows.forEach((r, k) => data.set(r, k * m));
  return new Tensor(data, [input.numel(), m], "float64");
}

/**
 * numerical[i][o][k]: the central difference of output o (every tensor output) w.r.t. element k of
 * input i, computed by perturbing the input's storage in place (restored afterwards).
 */
function numerical_jacobians(func: (...args: any[]) => unknown, args: unknown[], diff_inputs: Tensor[], eps: number): Float64Array[][][] {
  return no_grad(() =>
    diff_inputs.map((x) => {
      const per_output: Float64Array[][] = [];
      const data = x.data;
      for (let k = 0; k < data.length; k++) {
        const orig = data[k];
        let minus: Float64Array[];
        let plus: Float64Array[];
        try {
          data[k] = orig - eps;
          minus = tensor_outputs(func(...args)).map(values);
          data[k] = orig + eps;
          plus = tensor_outputs(func(...args)).map(values);
        } finally {
          data[k] = orig;
        }
        plus.forEach((p, o) => {
          const row = new Float64Array(p.length);
          for (let j = 0; j < p.length; j++) row[j] = (p[j] - minus[o][j]) / (2 * eps);
          (per_output[o] ??= []).push(row);
        });
      }
      return per_output;
    }),
  );
}

/**
 * analytical[i][o][k]: dy_o[j]/dx_i[k] by one backward per output element j (grad_outputs the
 * unit vector e_j, retain_graph), gradients captured as autograd.grad does (no `.grad` touched).
 */
function analytical_jacobians(outs: Tensor[], diff_inputs: Tensor[]): Float64Array[][][] {
  const jac: Float64Array[][][] = diff_inputs.map((x) => outs.map((o) => Array.from({ length: x.numel() }, () => new Float64Array(o.numel()))));
  outs.forEach((out, o) => {
    const m = out.numel();
    for (let j = 0; j < m; j++) {
      const unit = new Tensor(out.dtype === "float32" ? new Float32Array(m) : new Float64Array(m), out.shape, out.dtype);
      unit.data[j] = 1;
      const capture: Capture = new Map(diff_inputs.map((t) => [t, null]));
      run_backward(out, unit, { retain_graph: true }, capture);
      diff_inputs.forEach((x, i) => {
        const g = capture.get(x);
        if (!g) return;
        const gd = g.is_sparse ? g.to_dense().data : g.data;
        for (let k = 0; k < gd.length; k++) jac[i][o][k][j] = gd[k];
      });
    }
  });
  return jac;
}
