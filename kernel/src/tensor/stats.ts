/**
 * Statistics over a matrix of observations: cov (rows are variables, columns observations; the
 * `correction` (1: Bessel's), integer frequency weights `fweights` and float observation weights
 * `aweights` as numpy.cov / torch.cov) and corrcoef (Pearson's correlation coefficients, clipped to
 * [-1, 1]). Both are built from differentiable ops (mean / sum, sub, mm, div, sqrt, clamp), so the
 * gradient is theirs, as in PyTorch where they are composite too (SqueezeBackward0 and
 * ClampBackward1 end the graph there as here). Integer inputs give the default float dtype.
 */
import { Tensor, check_tensor } from "./tensor";
import { get_default_dtype, is_floating, SCALAR_TYPE_NAME, is_integer } from "./dtype";
import { div, mul, sqrt, sub, clamp } from "./elementwise";
import { mean, sum } from "./reduce";
import { mm } from "./linalg";
import { reshape, squeeze, t, unsqueeze } from "./views";
import { diagonal } from "./diagonal";

export interface CovOptions {
  correction?: number;
  fweights?: Tensor | null;
  aweights?: Tensor | null;
}

function type_name(d: Tensor["dtype"]): string {
  return SCALAR_TYPE_NAME[d];
}

function check_weights(w: Tensor, name: string, num_obs: number, integral: boolean): void {
  check_tensor(w, "cov", name);
  if (w.dim() > 1) throw new RangeError(`cov(): expected ${name} to have one or fewer dimensions but got ${name} with ${w.dim()} dimensions`);
  if (w.numel() !== num_obs) throw new RangeError(`cov(): expected ${name} to have the same numel as there are observations in the input but got ${w.numel()} != ${num_obs}`);
  if (integral && !is_integer(w.dtype)) throw new TypeError(`cov(): expected fweights to have integral dtype but got fweights with ${type_name(w.dtype)} dtype`);
  if (!integral && !is_floating(w.dtype)) throw new TypeError(`cov(): expected aweights to have floating point dtype but got aweights with ${type_name(w.dtype)} dtype`);
  for (let i = 0; i < w.data.length; i++) if (w.data[i] < 0) throw new RangeError(`cov(): ${name} cannot be negative`);
}

/**
 * The covariance matrix of the variables (rows) of a 1-D or 2-D input over its observations
 * (columns): Σ_k w_k (x_ik - x̄_i)(x_jk - x̄_j) / (Σw - correction·Σ(w·a)/Σw) (numpy.cov's
 * normalization). A 1-D input gives a 0-dim variance. Nonpositive degrees of freedom warn and divide by 0.
 */
export function cov(input: Tensor, options?: CovOptions): Tensor {
  check_tensor(input, "cov");
  const o = options ?? {};
  for (const k of Object.keys(o)) if (k !== "correction" && k !== "fweights" && k !== "aweights") throw new TypeError(`cov() got an unexpected keyword argument '${k}' (allowed: correction, fweights, aweights)`);
  const correction = o.correction ?? 1;
  if (typeof correction !== "number" || !Number.isInteger(correction)) throw new TypeError(`cov(): argument 'correction' must be int, not ${typeof correction === "number" ? "float" : typeof correction}`);
  if (input.dim() > 2) throw new RangeError(`cov(): expected input to have two or fewer dimensions but got an input with ${input.dim()} dimensions`);
  let x = input.dim() < 2 ? reshape(input, 1, -1) : input;
  if (!is_floating(x.dtype)) x = x.to(get_default_dtype());
  const num_obs = x.shape[1];
  const fw = o.fweights ?? null;
  const aw = o.aweights ?? null;
  if (fw !== null) check_weights(fw, "fweights", num_obs, true);
  if (aw !== null) check_weights(aw, "aweights", num_obs, false);
  const w: Tensor | null = fw !== null && aw !== null ? mul(fw, aw) : fw ?? aw;
  let avg: Tensor;
  let w_sum: Tensor | null = null;
  if (w === null) avg = mean(x, 1);
  else {
    w_sum = sum(w);
    avg = div(sum(mul(x, w), 1), w_sum);
  }
  let norm_factor: Tensor | number;
  if (w_sum === null) norm_factor = num_obs - correction;
  else if (correction === 0) norm_factor = w_sum;
  else if (aw === null) norm_factor = sub(w_sum, correction);
  else norm_factor = sub(w_sum, div(mul(sum(mul(w as Tensor, aw)), correction), w_sum));
  const nf_value = typeof norm_factor === "number" ? norm_factor : norm_factor.item();
  if (nf_value <= 0) {
    console.warn("UserWarning: cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of observations.");
    norm_factor = typeof norm_factor === "number" ? 0 : mul(norm_factor, 0);
  }
  const xm = sub(x, unsqueeze(avg, 1));
  const c = mm(xm, t(w === null ? xm : mul(xm, w)));
  return squeeze(div(c, norm_factor));
}

/** Pearson's correlation coefficients of the rows of a 1-D or 2-D input: cov / (σ_i σ_j), clipped to [-1, 1]. */
export function corrcoef(input: Tensor): Tensor {
  check_tensor(input, "corrcoef");
  const c = cov(input);
  if (c.dim() === 0) return div(c, c);
  const sd = sqrt(diagonal(c));
  const r = div(div(c, unsqueeze(sd, 1)), unsqueeze(sd, 0));
  return clamp(r, -1, 1);
}
