/**
 * F.dropout(input, { p, training, generator }): in training, each element is kept with
 * probability 1 - p and scaled by 1/(1 - p), so the expectation is unchanged:
 *   y = x · m / (1 - p),  m_i ~ Bernoulli(1 - p);   ∂y/∂x = m / (1 - p)
 * The mask is drawn as PyTorch's CPU `bernoulli_(1 - p)` draws it: one 64-bit draw per element,
 * u = (draw & (2^53 - 1)) · 2^-53, m = [u < 1 - p]; so `torch.manual_seed` gives PyTorch's mask.
 * PyTorch's mask takes the input's strides and is filled in memory order: for an input PyTorch
 * holds permuted (x.t(), MultiheadAttention's batch_first output, ...; tensor/memory_order.ts)
 * the draws go in that order here too, and the result keeps the layout, as PyTorch's. The
 * channel-wise dropouts draw one per channel of a contiguous [N, C, 1, ...] noise: logical order.
 * p = 0, eval mode or an empty input return the input itself; p = 1 zeroes without drawing.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { Storage } from "../../tensor/tensor";
import { memory_index } from "../../tensor/memory_order";
import { default_generator, Generator } from "../../random/generator";
import { fillBernoulliScalar } from "../../random/kernels";
import { checkFloat, record } from "../_autograd";
import { pyArgs } from "../../utils/py_args";
import { maybeInplace } from "../_inplace";

const TWO_POW_M53 = 2 ** -53;

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  /** Write the result into the input and return it (PyTorch's dropout_ etc.; nn/_inplace.ts). */
  inplace?: boolean;
  generator?: Generator | null;
}

/** `dropout(x, 0.2)`, `dropout(x, 0.2, false)` or `dropout(x, { p: 0.2, training })` (PyTorch's positional or keyword form). */
export function dropout(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean; generator?: Generator | null }): Tensor;
export function dropout(input: Tensor, p: number, options: { training?: boolean; inplace?: boolean; generator?: Generator | null }): Tensor;
export function dropout(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = true, generator = null, inplace = false } = pyArgs("dropout", params, args, ["generator"]) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => dropoutCore(t, p, training, generator));
}

function dropoutCore(input: Tensor, p: number, training: boolean, generator: Generator | null): Tensor {
  checkFloat(input, "dropout");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const n = input.data.length;
  if (p === 0 || !training || n === 0) return input;
  const dtype = input.dtype;
  const x = input.data;
  // The mask times the scale (0 or 1/(1 - p)), one factor per element: y = x·factor and the
  // gradient g·factor, branch-free (a branch on the mask mispredicts on a random p of elements).
  // The draws are the bulk sampler's (random/kernels.ts fillBernoulliScalar: the same 64-bit
  // draws and test, u < 1 - p, as one random53() per element, in bulk and in wasm when present):
  // the forward of [64, 32, 8, 8] took 2.8 ms, now 1.6.
  const factor = storageFor(dtype, n);
  if (p < 1) {
    const gen = generator ?? default_generator;
    const q = 1 - p;
    const order = input._memory_order;
    if (order === null) fillBernoulliScalar(factor, q, gen);
    else {
      const drawn = storageFor(dtype, n);
      fillBernoulliScalar(drawn, q, gen);
      const idx = memory_index(input.shape, order); // the k-th draw is the k-th element in PyTorch's memory
      for (let k = 0; k < n; k++) factor[idx[k]] = drawn[k];
    }
    // PyTorch divides the float mask by the scalar (1 - p) in the tensor's dtype.
    const scale = dtype === "float32" ? Math.fround(1 / Math.fround(q)) : 1 / q;
    for (let i = 0; i < n; i++) factor[i] *= scale; // 1·scale and 0·scale: exact
  }
  const y = storageFor(dtype, n);
  scaleBy(x, factor, y); // x·0 keeps the sign of zero, as PyTorch
  const out = new Tensor(y, input.shape, dtype);
  out._memory_order = input._memory_order; // input * noise keeps the layout
  return record(out, "MulBackward0", [input], (g) => {
    const gx = storageFor(dtype, n);
    scaleBy(g.data, factor, gx);
    return [new Tensor(gx, input.shape, dtype)];
  });
}

/** out[i] = a[i]·f[i]. */
function scaleBy(a: Storage, f: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] * f[i];
}

/**
 * F.dropout2d(input, p = 0.5, training = true, inplace = false): zeroes whole channels. For input
 * [N, C, H, W] each of the N·C channels is kept with probability 1 − p (one Bernoulli draw per
 * channel, in order, as PyTorch's `bernoulli_` on a [N, C, 1, 1] noise tensor, so
 * `torch.manual_seed` gives PyTorch's mask) and scaled by 1/(1 − p). As PyTorch 2.13, a 3-D input
 * is read as [N, C, L] (channel-wise 1-D dropout, with PyTorch's warning), and other ranks warn
 * and drop along their first two dims.
 */
export function dropout2d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout2d(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean }): Tensor;
export function dropout2d(input: Tensor, options?: { p?: number; training?: boolean; inplace?: boolean }): Tensor;
export function dropout2d(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = true, inplace = false } = pyArgs("dropout2d", params, args) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => dropout2dCore(t, p, training));
}

function dropout2dCore(input: Tensor, p: number, training: boolean): Tensor {
  checkFloat(input, "dropout2d");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) {
    console.warn(
      `UserWarning: dropout2d: Received a ${nd}-D input to dropout2d, which is deprecated and will result in an error in a future release. ` +
        "To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout " +
        "on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
    );
  }
  if (nd === 3) {
    console.warn(
      "UserWarning: dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is " +
        "interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as " +
        "one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
    );
  }
  if (nd < 2) throw new RangeError(`dropout2d: expected an input with a channel dimension (2D to 4D), got a ${nd}D tensor`);
  return featureDropout(input, p, training, input.shape[0] * input.shape[1]);
}

/**
 * Channel-wise dropout of input read as M channels of equal size, one after the other (also
 * dropout3d): PyTorch's feature_dropout, one Bernoulli(1 − p) draw per channel in order.
 */
function featureDropout(input: Tensor, p: number, training: boolean, M: number): Tensor {
  const n = input.data.length;
  if (p === 0 || !training || n === 0) return input;
  const dtype = input.dtype;
  const F = n / M;
  const mask = new Uint8Array(M);
  let scale = 0;
  if (p < 1) {
    const gen = default_generator;
    const q = 1 - p;
    for (let i = 0; i < M; i++) mask[i] = gen.random53() * TWO_POW_M53 < q ? 1 : 0;
    scale = dtype === "float32" ? Math.fround(1 / Math.fround(q)) : 1 / q;
  }
  const x = input.data;
  const y = storageFor(dtype, n);
  for (let i = 0; i < n; i++) y[i] = x[i] * (mask[(i / F) | 0] ? scale : 0);
  const out = new Tensor(y, input.shape, dtype);
  out._memory_order = input._memory_order;
  return record(out, "MulBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, n);
    for (let i = 0; i < n; i++) gx[i] = gd[i] * (mask[(i / F) | 0] ? scale : 0);
    return [new Tensor(gx, input.shape, dtype)];
  });
}

/**
 * F.dropout3d(input, p = 0.5, training = true, inplace = false): zeroes whole channels. For input
 * [N, C, D, H, W] each of the N·C channels (for unbatched [C, D, H, W] each of the C) is kept with
 * probability 1 − p (one Bernoulli draw per channel, in order, as PyTorch's, so
 * `torch.manual_seed` gives PyTorch's mask) and scaled by 1/(1 − p). As PyTorch 2.13, other ranks
 * warn and are read as unbatched (channels along their first dim).
 */
export function dropout3d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout3d(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean }): Tensor;
export function dropout3d(input: Tensor, options?: { p?: number; training?: boolean; inplace?: boolean }): Tensor;
export function dropout3d(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = true, inplace = false } = pyArgs("dropout3d", params, args) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => dropout3dCore(t, p, training));
}

function dropout3dCore(input: Tensor, p: number, training: boolean): Tensor {
  checkFloat(input, "dropout3d");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const nd = input.dim();
  if (nd !== 4 && nd !== 5) {
    console.warn(
      `UserWarning: dropout3d: Received a ${nd}-D input to dropout3d, which is deprecated and will result in an error in a future release. ` +
        "To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide channel-wise dropout " +
        "on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
    );
  }
  // PyTorch unsqueezes an unbatched input to [1, ...] first: a 0-d one is then 1-d
  if (nd < 1) throw new RangeError("Feature dropout requires at least 2 dimensions in the input");
  return featureDropout(input, p, training, nd === 5 ? input.shape[0] * input.shape[1] : input.shape[0]);
}

/**
 * The Bernoulli(1 − p) keep mask of `count` entries, drawn as PyTorch's CPU `bernoulli_(1 - p)` draws it;
 * with `like`, one per element of that tensor in its memory order (PyTorch's noise is empty_like(input)).
 */
function keepMask(count: number, p: number, like: Tensor | null = null): Uint8Array {
  const mask = new Uint8Array(count);
  const gen = default_generator;
  const q = 1 - p;
  if (like === null || like._memory_order === null) {
    for (let i = 0; i < count; i++) mask[i] = gen.random53() * TWO_POW_M53 < q ? 1 : 0;
  } else {
    const idx = memory_index(like.shape, like._memory_order);
    for (let k = 0; k < count; k++) mask[idx[k]] = gen.random53() * TWO_POW_M53 < q ? 1 : 0;
  }
  return mask;
}

/** x·0 (PyTorch's p = 1 result: `input * zeros({})`, signs of zero kept), differentiable. */
function timesZero(input: Tensor): Tensor {
  const n = input.data.length;
  const x = input.data;
  const y = storageFor(input.dtype, n);
  for (let i = 0; i < n; i++) y[i] = x[i] * 0;
  const out = new Tensor(y, input.shape, input.dtype);
  out._memory_order = input._memory_order;
  return record(out, "MulBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = gd[i] * 0;
    return [new Tensor(gx, input.shape, input.dtype)];
  });
}

/**
 * F.dropout1d(input, p = 0.5, training = true, inplace = false): zeroes whole channels of an
 * input [N, C, L] or unbatched [C, L] (one Bernoulli(1 − p) draw per channel, in order, as
 * PyTorch's `feature_dropout`, so `torch.manual_seed` gives PyTorch's mask), scaling the kept
 * ones by 1/(1 − p); the identity when not training. `inplace` writes the result into the input.
 */
export function dropout1d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout1d(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean }): Tensor;
export function dropout1d(input: Tensor, options?: { p?: number; training?: boolean; inplace?: boolean }): Tensor;
export function dropout1d(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = true, inplace = false } = pyArgs("dropout1d", params, args) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => dropout1dCore(t, p, training));
}

function dropout1dCore(input: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  checkFloat(input, "dropout1d");
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RangeError(
      `dropout1d: Expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 ` +
        "spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
    );
  }
  const n = input.data.length;
  if (p === 0 || !training || n === 0) return input;
  if (p === 1) return timesZero(input);
  const dtype = input.dtype;
  const M = nd === 3 ? input.shape[0] * input.shape[1] : input.shape[0];
  const L = input.shape[nd - 1];
  const mask = keepMask(M, p);
  const scale = dtype === "float32" ? Math.fround(1 / Math.fround(1 - p)) : 1 / (1 - p);
  const x = input.data;
  const y = storageFor(dtype, n);
  for (let c = 0; c < M; c++) {
    const s = mask[c] ? scale : 0;
    for (let i = c * L; i < (c + 1) * L; i++) y[i] = x[i] * s;
  }
  const out = new Tensor(y, input.shape, dtype);
  out._memory_order = input._memory_order;
  return record(out, "MulBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, n);
    for (let c = 0; c < M; c++) {
      const s = mask[c] ? scale : 0;
      for (let i = c * L; i < (c + 1) * L; i++) gx[i] = gd[i] * s;
    }
    return [new Tensor(gx, input.shape, dtype)];
  });
}

/** SELU's α·scale: the value alpha dropout drops to is −ALPHA_P times a. */
const ALPHA_P = 1.7580993408473766;

/**
 * Alpha dropout over `groups` groups of `F` consecutive elements (F = 1: element-wise; else whole
 * channels): y = a·x where kept, a·(−α') + … where dropped, so that a SELU network keeps zero mean
 * and unit variance:  a = 1/√((α'² p + 1)(1 − p)),  y = x·(m·a) + (m − 1)·α'a + α'a·p,
 * m ~ Bernoulli(1 − p) per group, α' = 1.7580993408473766. The arithmetic and the draws are
 * PyTorch's (`_dropout_impl`), rounded as its float32 ops round, so a seed gives its exact values.
 */
function alphaDropoutCore(input: Tensor, p: number, groups: number, elementwise = false): Tensor {
  const n = input.data.length;
  const dtype = input.dtype;
  const F = groups === 0 ? 0 : n / groups;
  const mask = keepMask(groups, p, elementwise ? input : null); // element-wise: in memory order
  const a = 1 / Math.sqrt((ALPHA_P * ALPHA_P * p + 1) * (1 - p));
  const f32 = dtype === "float32";
  const r = f32 ? Math.fround : (v: number) => v;
  const keepMul = r(a); // the noise tensor's kept entries, m·a
  const keepAdd = r(ALPHA_P * a * p); // b where kept: 0·(α'a) + α'a·p
  const dropAdd = r(-r(ALPHA_P * a) + keepAdd); // b where dropped: −α'a + α'a·p
  const x = input.data;
  const y = storageFor(dtype, n);
  for (let c = 0; c < groups; c++) {
    const mul = mask[c] ? keepMul : 0;
    const add = mask[c] ? keepAdd : dropAdd;
    // the product rounds to the dtype before the sum (two tensor ops in PyTorch)
    if (f32) for (let i = c * F; i < (c + 1) * F; i++) y[i] = Math.fround(x[i] * mul) + add;
    else for (let i = c * F; i < (c + 1) * F; i++) y[i] = x[i] * mul + add;
  }
  const out = new Tensor(y, input.shape, dtype);
  out._memory_order = input._memory_order;
  return record(out, "AddBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, n);
    for (let c = 0; c < groups; c++) {
      const mul = mask[c] ? keepMul : 0;
      for (let i = c * F; i < (c + 1) * F; i++) gx[i] = gd[i] * mul;
    }
    return [new Tensor(gx, input.shape, dtype)];
  });
}

/**
 * F.alpha_dropout(input, p = 0.5, training = false, inplace = false): dropout for SELU networks
 * that keeps the activations' mean and variance (each element kept with probability 1 − p, see
 * alphaDropoutCore for the affine map); shape kept. Note PyTorch's default `training = false`.
 * `p = 1` gives x·0, as PyTorch. `inplace` writes the result into the input.
 */
export function alpha_dropout(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function alpha_dropout(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean }): Tensor;
export function alpha_dropout(input: Tensor, options?: { p?: number; training?: boolean; inplace?: boolean }): Tensor;
export function alpha_dropout(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = false, inplace = false } = pyArgs("alpha_dropout", params, args) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => alpha_dropoutCore(t, p, training));
}

function alpha_dropoutCore(input: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  checkFloat(input, "alpha_dropout");
  if (p === 0 || !training || input.data.length === 0) return input;
  if (p === 1) return timesZero(input);
  return alphaDropoutCore(input, p, input.data.length, true);
}

/**
 * F.feature_alpha_dropout(input, p = 0.5, training = false, inplace = false): alpha dropout of
 * whole channels (one draw per entry of the first two dims, as PyTorch's feature noise
 * [N, C, 1, ...]); the input needs at least 2 dims when it drops. Note PyTorch's default
 * `training = false`. `inplace` writes the result into the input.
 */
export function feature_alpha_dropout(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function feature_alpha_dropout(input: Tensor, p?: number, training?: boolean, options?: { inplace?: boolean }): Tensor;
export function feature_alpha_dropout(input: Tensor, options?: { p?: number; training?: boolean; inplace?: boolean }): Tensor;
export function feature_alpha_dropout(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["p", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { p = 0.5, training = false, inplace = false } = pyArgs("feature_alpha_dropout", params, args) as DropoutOptions;
  return maybeInplace(input, inplace, (t) => feature_alpha_dropoutCore(t, p, training));
}

function feature_alpha_dropoutCore(input: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  checkFloat(input, "feature_alpha_dropout");
  if (p === 0 || !training || input.data.length === 0) return input;
  if (p === 1) return timesZero(input);
  if (input.dim() < 2) throw new RangeError("Feature dropout requires at least 2 dimensions in the input");
  return alphaDropoutCore(input, p, input.shape[0] * input.shape[1]);
}
