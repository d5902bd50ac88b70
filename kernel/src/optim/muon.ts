/**
 * `torch.optim.Muon` (Jordan et al., 2024): momentum, then orthogonalisation of each 2-D update
 * by a quintic Newton–Schulz iteration.
 *
 *   B_t ← μ B_{t−1} + (1 − μ) g_t                   (computed as lerp(B, g, 1 − μ))
 *   B̃_t ← g_t + μ (B_t − g_t)  if nesterov, else B_t   (lerp(g, B, μ))
 *   O_t ← NS_k^{(a,b,c)}(B̃_t; ε):  X ← B̃/max(‖B̃‖_F, ε);  k times:  A ← XXᵀ,  X ← aX + (bA + cA²)X
 *   θ_t ← θ_{t−1}(1 − γλ) − γ' O_t,   γ' = γ·√max(1, A/B) ("original") or 0.2γ·√max(A, B) ("match_rms_adamw")
 *
 * Where PyTorch deviates from Keller Jordan's reference: the momentum is the EMA form (lerp)
 * rather than `B ← μB + g`. As in PyTorch, the Newton–Schulz iteration runs in bfloat16: every
 * intermediate matrix is rounded to bfloat16 here too (products accumulated, then rounded to
 * float32, then to bfloat16), which reproduces PyTorch's updates. A different summation order
 * in a BLAS could flip a bfloat16 rounding (2^-8 relative in one update element); the fixtures
 * show none. Muon takes only 2-D parameters.
 * State: `momentum_buffer`.
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, lerpInPlace, paramsWithGrad, rounder, sqrt, zerosLike, evalClosure } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { MuonGroup } from "./groups";

export interface MuonOptions {
  /** Learning rate γ; default 1e-3. */
  lr?: number | Tensor;
  /** Weight decay λ, decoupled, θ ← θ(1 − γλ); default 0.1. */
  weight_decay?: number;
  /** Momentum factor μ; default 0.95. */
  momentum?: number;
  /** Use Nesterov-style momentum, B̃ ← g + μ(B − g); default true. */
  nesterov?: boolean;
  /** Coefficients (a, b, c) of the quintic Newton–Schulz iteration; default [3.4445, -4.775, 2.0315]. */
  ns_coefficients?: [number, number, number];
  /** Term ε in the normalisation X ← B̃ / max(‖B̃‖_F, ε), for numerical stability; default 1e-7. */
  eps?: number;
  /** Number k of Newton–Schulz iterations; default 5. */
  ns_steps?: number;
  /** Scaling of γ by the shape A×B: "original" √max(1, A/B) or "match_rms_adamw" 0.2·√max(A, B); default null ("original"). */
  adjust_lr_fn?: "original" | "match_rms_adamw" | null;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds to bfloat16 (round to nearest even on the float32 bits), as c10::BFloat16 does. */
export function bf16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if (Number.isNaN(f32[0])) return NaN;
  u32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16;
  return f32[0];
}

/** C = bf16(β·M + α·(A·B)), A [n×k], B [k×m], row-major; sums in double, rounded to float32 first. */
function addmm(M: Float64Array | null, beta: number, A: Float64Array, B: Float64Array, alpha: number, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += A[i * k + l] * B[l * m + j];
      const prod = Math.fround(s);
      const v = M === null ? prod : Math.fround(Math.fround(beta * M[i * m + j]) + Math.fround(alpha * prod));
      out[i * m + j] = bf16(v);
    }
  }
  return out;
}

function transpose(X: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(X.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = X[i * cols + j];
  return out;
}

/** PyTorch's `_zeropower_via_newtonschulz` on a [rows×cols] matrix, in bfloat16. */
export function zeropower_via_newtonschulz(G: ArrayLike<number>, rows: number, cols: number, coeffs: [number, number, number], steps: number, eps: number): Float64Array {
  if (steps >= 100) throw new Error("Number of steps must be less than 100 for computational efficiency");
  if (coeffs.length !== 3) throw new Error("Coefficients must be a tuple of exactly 3 values");
  const [a, b, c] = coeffs;
  let X: Float64Array = new Float64Array(G.length);
  for (let i = 0; i < G.length; i++) X[i] = bf16(Math.fround(G[i]));
  const tall = rows > cols;
  let n = rows;
  let m = cols;
  if (tall) {
    X = transpose(X, rows, cols);
    n = cols;
    m = rows;
  }
  let s = 0;
  for (let i = 0; i < X.length; i++) s += X[i] * X[i];
  const nrm = bf16(Math.max(bf16(Math.fround(sqrt(s))), eps));
  for (let i = 0; i < X.length; i++) X[i] = bf16(X[i] / nrm);
  for (let it = 0; it < steps; it++) {
    const Xt = transpose(X, n, m);
    const gram = addmm(null, 0, X, Xt, 1, n, m, n);
    const gramUpdate = addmm(gram, b, gram, gram, c, n, n, n);
    X = addmm(X, a, gramUpdate, X, 1, n, n, m);
  }
  return tall ? transpose(X, n, m) : X;
}

export class Muon extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: MuonGroup[];
  constructor(params: ParamsT, options?: MuonOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, weight_decay: number, momentum: number, nesterov: boolean, ns_coefficients: [number, number, number], eps: number, ns_steps: number, adjust_lr_fn: "original" | "match_rms_adamw" | null], MuonOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Muon", args) as MuonOptions;
    checkOptimizerOptions("Muon", options);
    const {
      lr = 1e-3, weight_decay = 0.1, momentum = 0.95, nesterov = true, eps = 1e-7, ns_steps = 5, adjust_lr_fn = null,
    } = options;
    const ns_coefficients = options.ns_coefficients ?? [3.4445, -4.775, 2.0315];
    checkLr(lr, (v) => `Learning rate should be >= 0 but is: ${pyStr(v)}`);
    check(0 <= momentum, `momentum should be >= 0 but is: ${pyStr(momentum)}`);
    check(0 <= weight_decay, `weight decay should be >= 0 but is: ${pyStr(weight_decay)}`);
    check(
      adjust_lr_fn === null || adjust_lr_fn === "original" || adjust_lr_fn === "match_rms_adamw",
      `Adjust learning rate function ${pyStr(adjust_lr_fn)} is not supported (adjust_lr_fn must be "original", "match_rms_adamw" or null)`,
    );
    super(params, { lr, weight_decay, momentum, nesterov, ns_coefficients: [...ns_coefficients], eps, ns_steps, adjust_lr_fn });
    for (const group of this.param_groups) {
      for (const p of group.params) {
        if (p.shape.length !== 2) {
          throw new Error(`Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([${p.shape.join(", ")}])`);
        }
      }
    }
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.mul_(1 - lr * weight_decay)` (whatever the weight decay) then `param.add_(...)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 2;
  }

  /** PyTorch's `Muon.__setstate__` on a loaded group (no defaults of its own; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, {});
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, weight_decay, momentum, nesterov, ns_coefficients, eps, ns_steps, adjust_lr_fn } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Muon")) {
        if (p.shape.length !== 2) throw new Error("Param gradient must be a 2D matrix");
        if (state.momentum_buffer === undefined) state.momentum_buffer = zerosLike(p);
        const r = rounder(p);
        const buf = (state.momentum_buffer as Tensor).data;
        lerpInPlace(buf, grad, 1 - momentum, r);
        let update: ArrayLike<number> = buf;
        if (nesterov) {
          const u = grad.slice();
          lerpInPlace(u, buf, momentum, r);
          update = u;
        }
        const [A, B] = p.shape;
        const O = zeropower_via_newtonschulz(update, A, B, ns_coefficients, ns_steps, eps);
        const ratio = adjust_lr_fn === "match_rms_adamw" ? 0.2 * sqrt(Math.max(A, B)) : sqrt(Math.max(1, A / B));
        const negLr = r(-(lr * ratio));
        const decay = r(1 - lr * weight_decay);
        const theta = p.data;
        for (let i = 0; i < theta.length; i++) theta[i] = r(theta[i] * decay) + negLr * O[i];
      }
    }
    return loss;
  }
}
