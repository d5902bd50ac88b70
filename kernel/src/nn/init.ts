/**
 * torch.nn.init: in-place initialisers (no autograd recording; they write `tensor.data`).
 *
 * Fans, for a weight of shape [out, in, k1, k2, ...] with receptive field r = k1·k2···:
 *   fan_in = in·r,  fan_out = out·r   (fewer than 2 dims is an error, as in PyTorch)
 * Gains (calculate_gain): linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1 + slope²)),
 * selu 3/4.
 *   xavier_uniform_:  U(-a, a),  a = gain·√(6/(fan_in + fan_out))   (computed as √3·std)
 *   xavier_normal_:   N(0, std²), std = gain·√(2/(fan_in + fan_out))
 *   kaiming_uniform_: U(-b, b),  b = √3·gain/√fan               (fan by `mode`)
 *   kaiming_normal_:  N(0, std²), std = gain/√fan
 * Every scalar is computed in double in PyTorch's order, and the draws come from the random
 * library's uniform_/normal_, so the values equal PyTorch's bit for bit for the same seed.
 *
 * Every parameter after the tensor is Python's positional-or-keyword, so each function takes
 * them positionally (`normal_(w, 0, 0.02)`), as one options object (`normal_(w, { std: 0.02 })`,
 * PyTorch's `normal_(w, std=0.02)`), or both (`normal_(w, 0, { std: 0.02 })`); unknown keywords
 * and values given twice are Python's errors.
 */
import { Tensor } from "../tensor/tensor";
import type { Generator } from "../random/generator";
import { samplers } from "./_random";
import { written } from "../tensor/slice_window";
import { erf } from "./_math";
import { pyArgs } from "../utils/py_args";
import type { Param } from "../utils/py_args";
import type { Positional } from "../optim/positional";
export { sparse_, dirac_ } from "./init_more";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export type FanMode = "fan_in" | "fan_out";

function checkTensor(t: unknown, fn: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`nn.init.${fn}: expected a Tensor, got ${t === null ? "null" : typeof t}`);
}

export function calculate_gain(nonlinearity: Nonlinearity, param?: number | null | { param?: number | null }): number;
export function calculate_gain(nonlinearity: Nonlinearity, ...args: unknown[]): number {
  const { param } = pyArgs("calculate_gain", [["param", "number?"]], args) as { param?: number | null };
  const linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linear.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== "number" || Number.isNaN(param)) throw new TypeError(`negative_slope ${String(param)} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new Error(
    `Unsupported nonlinearity ${String(nonlinearity)} (allowed: linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu)`,
  );
}

/** [fan_in, fan_out] of a weight tensor (PyTorch's `_calculate_fan_in_and_fan_out`). */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  const d = tensor.dim();
  if (d < 2) throw new Error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  let rf = 1;
  for (let i = 2; i < d; i++) rf *= tensor.shape[i];
  return [tensor.shape[1] * rf, tensor.shape[0] * rf];
}

function correctFan(tensor: Tensor, mode: FanMode): number {
  if (mode !== "fan_in" && mode !== "fan_out") {
    throw new Error(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  }
  const [fin, fout] = _calculate_fan_in_and_fan_out(tensor);
  return mode === "fan_in" ? fin : fout;
}

function zeroElements(tensor: Tensor): boolean {
  if (tensor.shape.includes(0)) {
    console.warn("UserWarning: Initializing zero-element tensors is a no-op");
    return true;
  }
  return false;
}

const GENERATOR: Param = ["generator", "generator?"];

export interface UniformOptions {
  a?: number;
  b?: number;
  generator?: Generator | null;
}

/** U(a, b) in place: `uniform_(w, -0.1, 0.1)` or `uniform_(w, { a: -0.1, b: 0.1, generator })`. */
export function uniform_(tensor: Tensor, options?: UniformOptions): Tensor;
export function uniform_(tensor: Tensor, ...args: Positional<[a: number, b: number, generator: Generator | null], UniformOptions>): Tensor;
export function uniform_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "uniform_");
  const { a = 0.0, b = 1.0, generator = null } = pyArgs("uniform_", [["a", "number"], ["b", "number"], GENERATOR], args) as UniformOptions;
  return samplers().uniform_(tensor, a, b, generator);
}

export interface NormalOptions {
  mean?: number;
  std?: number;
  generator?: Generator | null;
}

/** N(mean, std²) in place: `normal_(w, 0, 0.02)` or `normal_(w, { std: 0.02, generator })`. */
export function normal_(tensor: Tensor, options?: NormalOptions): Tensor;
export function normal_(tensor: Tensor, ...args: Positional<[mean: number, std: number, generator: Generator | null], NormalOptions>): Tensor;
export function normal_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "normal_");
  const { mean = 0.0, std = 1.0, generator = null } = pyArgs("normal_", [["mean", "number"], ["std", "number"], GENERATOR], args) as NormalOptions;
  return samplers().normal_(tensor, mean, std, generator);
}

/** Fills with `val`: `constant_(w, 0.5)` or `constant_(w, { val: 0.5 })`. */
export function constant_(tensor: Tensor, val: number): Tensor;
export function constant_(tensor: Tensor, options: { val: number }): Tensor;
export function constant_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "constant_");
  const { val } = pyArgs("constant_", [["val", "number"]], args) as { val?: number };
  if (val === undefined) throw new TypeError("constant_() missing 1 required positional argument: 'val'");
  tensor.data.fill(val);
  return written(tensor);
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

/** Fills a 2-D tensor with the identity (ones on the main diagonal). */
export function eye_(tensor: Tensor): Tensor {
  checkTensor(tensor, "eye_");
  if (tensor.dim() !== 2) throw new Error("Only tensors with 2 dimensions are supported");
  const [r, c] = tensor.shape;
  tensor.data.fill(0);
  for (let i = 0; i < Math.min(r, c); i++) tensor.data[i * c + i] = 1;
  return written(tensor);
}

export interface XavierOptions {
  gain?: number;
  generator?: Generator | null;
}

const GAIN: readonly Param[] = [["gain", "number"], GENERATOR];

/** `xavier_uniform_(w, 2)` or `xavier_uniform_(w, { gain: 2, generator })`. */
export function xavier_uniform_(tensor: Tensor, options?: XavierOptions): Tensor;
export function xavier_uniform_(tensor: Tensor, ...args: Positional<[gain: number, generator: Generator | null], XavierOptions>): Tensor;
export function xavier_uniform_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "xavier_uniform_");
  const { gain = 1.0, generator = null } = pyArgs("xavier_uniform_", GAIN, args) as XavierOptions;
  const [fin, fout] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fin + fout));
  const a = Math.sqrt(3.0) * std;
  return samplers().uniform_(tensor, -a, a, generator);
}

/** `xavier_normal_(w, 0.5)` or `xavier_normal_(w, { gain: 0.5, generator })`. */
export function xavier_normal_(tensor: Tensor, options?: XavierOptions): Tensor;
export function xavier_normal_(tensor: Tensor, ...args: Positional<[gain: number, generator: Generator | null], XavierOptions>): Tensor;
export function xavier_normal_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "xavier_normal_");
  const { gain = 1.0, generator = null } = pyArgs("xavier_normal_", GAIN, args) as XavierOptions;
  const [fin, fout] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fin + fout));
  return samplers().normal_(tensor, 0, std, generator);
}

export interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Generator | null;
}

const KAIMING: readonly Param[] = [["a", "number"], ["mode", "string"], ["nonlinearity", "string"], GENERATOR];
type KaimingPositional = Positional<[a: number, mode: FanMode, nonlinearity: Nonlinearity, generator: Generator | null], KaimingOptions>;

/** `kaiming_uniform_(w, Math.sqrt(5))` (nn.Linear's) or `kaiming_uniform_(w, { a, mode, nonlinearity, generator })`. */
export function kaiming_uniform_(tensor: Tensor, options?: KaimingOptions): Tensor;
export function kaiming_uniform_(tensor: Tensor, ...args: KaimingPositional): Tensor;
export function kaiming_uniform_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "kaiming_uniform_");
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu", generator = null } = pyArgs("kaiming_uniform_", KAIMING, args) as KaimingOptions;
  if (zeroElements(tensor)) return tensor;
  const fan = correctFan(tensor, mode);
  const gain = calculate_gain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return samplers().uniform_(tensor, -bound, bound, generator);
}

/** `kaiming_normal_(w, 0, "fan_out", "relu")` or `kaiming_normal_(w, { mode: "fan_out", nonlinearity: "relu" })`. */
export function kaiming_normal_(tensor: Tensor, options?: KaimingOptions): Tensor;
export function kaiming_normal_(tensor: Tensor, ...args: KaimingPositional): Tensor;
export function kaiming_normal_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "kaiming_normal_");
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu", generator = null } = pyArgs("kaiming_normal_", KAIMING, args) as KaimingOptions;
  if (zeroElements(tensor)) return tensor;
  const fan = correctFan(tensor, mode);
  const gain = calculate_gain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  return samplers().normal_(tensor, 0, std, generator);
}

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  a?: number;
  b?: number;
  generator?: Generator | null;
}

/**
 * N(mean, std²) truncated to [a, b], with PyTorch 2.13's two samplers:
 * - if the mass P = Φ((b-μ)/σ) - Φ((a-μ)/σ) exceeds 0.3: draw normals and redraw (a whole
 *   tensor of fresh normals per round, as PyTorch does) where a value falls outside [a, b];
 * - otherwise rejection from U(a, b): accept x when log u ≤ -½((x-μ)/σ)² - log_peak, with
 *   log_peak the log-density (up to a constant) at the mode clamp(μ, a, b).
 * Float32 arithmetic is rounded at each step like PyTorch's in-place ops; a float32 log that
 * differs from PyTorch's by an ulp could, very rarely, flip one acceptance in the second sampler.
 */
export function trunc_normal_(tensor: Tensor, options?: TruncNormalOptions): Tensor;
export function trunc_normal_(
  tensor: Tensor,
  ...args: Positional<[mean: number, std: number, a: number, b: number, generator: Generator | null], TruncNormalOptions>
): Tensor;
export function trunc_normal_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "trunc_normal_");
  const { mean = 0, std = 1, a = -2, b = 2, generator = null } = pyArgs(
    "trunc_normal_", [["mean", "number"], ["std", "number"], ["a", "number"], ["b", "number"], GENERATOR], args,
  ) as TruncNormalOptions;
  const s = samplers();
  const cdf = (x: number): number => (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn("UserWarning: mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  const f32 = tensor.dtype === "float32";
  const r = f32 ? Math.fround : (x: number) => x;
  const n = tensor.data.length;
  const p = cdf((b - mean) / std) - cdf((a - mean) / std);
  if (p > 0.3) {
    const lo = r(a);
    const hi = r(b);
    s.normal_(tensor, mean, std, generator);
    const x = tensor.data;
    const fresh = new Tensor(f32 ? new Float32Array(n) : new Float64Array(n), tensor.shape, tensor.dtype);
    let resampled = false;
    for (;;) {
      let any = false;
      for (let i = 0; i < n; i++) if (x[i] < lo || x[i] > hi) { any = true; break; }
      if (!any) break;
      resampled = true;
      s.normal_(fresh, mean, std, generator);
      for (let i = 0; i < n; i++) if (x[i] < lo || x[i] > hi) x[i] = fresh.data[i];
    }
    // (PyTorch copies the resampled values in with one more in-place op, copy_)
    return resampled ? written(tensor) : tensor;
  }
  const mode = Math.max(a, Math.min(mean, b));
  const logPeak = -0.5 * ((mode - mean) / std) ** 2;
  const make = (): Tensor => new Tensor(f32 ? new Float32Array(n) : new Float64Array(n), tensor.shape, tensor.dtype);
  const cand = make();
  const acc = make();
  const logPdf = (v: number): number => r(r(-0.5 * r(r(r(v - mean) / std) ** 2)) - logPeak);
  s.uniform_(tensor, a, b, generator);
  const result = tensor.data;
  s.uniform_(acc, 0, 1, generator);
  const pending = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    pending[i] = r(Math.log(acc.data[i])) > logPdf(result[i]) ? 1 : 0;
    any = any || pending[i] === 1;
  }
  const resampled = any;
  while (any) {
    s.uniform_(cand, a, b, generator);
    const c = cand.data;
    for (let i = 0; i < n; i++) if (pending[i]) result[i] = c[i];
    s.uniform_(acc, 0, 1, generator);
    any = false;
    for (let i = 0; i < n; i++) {
      if (pending[i]) pending[i] = r(Math.log(acc.data[i])) > logPdf(c[i]) ? 1 : 0;
      any = any || pending[i] === 1;
    }
  }
  // (PyTorch: uniform_ above, then a copy_ of the resampled values if there were any)
  return written(tensor, resampled ? 1 : 0);
}

/**
 * A (semi-)orthogonal matrix: Q of the QR factorisation of a standard normal [rows, cols]
 * matrix (transposed first when rows < cols), with Q's columns multiplied by sign(diag R) so the
 * result is uniformly distributed (Mezzadri 2007), then scaled by `gain`. QR by Householder
 * reflections in double precision; R's diagonal signs make Q unique, so it matches LAPACK's up
 * to rounding.
 */
export function orthogonal_(tensor: Tensor, options?: XavierOptions): Tensor;
export function orthogonal_(tensor: Tensor, ...args: Positional<[gain: number, generator: Generator | null], XavierOptions>): Tensor;
export function orthogonal_(tensor: Tensor, ...args: unknown[]): Tensor {
  checkTensor(tensor, "orthogonal_");
  const { gain = 1, generator = null } = pyArgs("orthogonal_", GAIN, args) as XavierOptions;
  if (tensor.dim() < 2) throw new Error("Only tensors with 2 or more dimensions are supported");
  if (tensor.data.length === 0) return tensor;
  const rows = tensor.shape[0];
  const cols = tensor.data.length / rows;
  const flat = new Tensor(tensor.dtype === "float32" ? new Float32Array(rows * cols) : new Float64Array(rows * cols), [rows, cols], tensor.dtype);
  samplers().normal_(flat, 0, 1, generator);
  // A is m×k with m ≥ k (transposed when rows < cols).
  const tr = rows < cols;
  const m = tr ? cols : rows;
  const k = tr ? rows : cols;
  const A = new Float64Array(m * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    if (tr) A[j * k + i] = flat.data[i * cols + j];
    else A[i * k + j] = flat.data[i * cols + j];
  }
  const q = thinQ(A, m, k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    tensor.data[i * cols + j] = gain * (tr ? q[j * k + i] : q[i * k + j]);
  }
  return written(tensor, 2); // (PyTorch's copy_ then mul_: two in-place ops)
}

/** Thin Q (m×k) of A = QR by Householder, with columns signed so that diag(R) ≥ 0. */
function thinQ(A: Float64Array, m: number, k: number): Float64Array {
  const R = A.slice();
  const vs: Float64Array[] = [];
  const signs = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += R[i * k + j] * R[i * k + j];
    norm = Math.sqrt(norm);
    const alpha = R[j * k + j] > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = j; i < m; i++) v[i] = R[i * k + j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let c = j; c < k; c++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += v[i] * R[i * k + c];
        const f = (2 * dot) / vn;
        for (let i = j; i < m; i++) R[i * k + c] -= f * v[i];
      }
    }
    vs.push(v);
    signs[j] = R[j * k + j] < 0 ? -1 : R[j * k + j] > 0 ? 1 : 0;
  }
  // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity.
  const Q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) Q[j * k + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    let vn = 0;
    for (let i = j; i < m; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i] * Q[i * k + c];
      const f = (2 * dot) / vn;
      for (let i = j; i < m; i++) Q[i * k + c] -= f * v[i];
    }
  }
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) Q[i * k + c] *= signs[c];
  return Q;
}
