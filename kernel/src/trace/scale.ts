/**
 * `scale({ rule, lr, batch_size, new_batch_size, ... })`: carry hyperparameters to a new batch
 * size. κ = new_batch_size / batch_size.
 *
 *   "linear"  γ' = κγ.  Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in
 *             1 Hour", arXiv:1706.02677 §2.1 (keeps γ/B, the per-sample rate; use with warm-up).
 *   "sqrt"    γ' = √κ γ.  Hoffer et al. 2017, "Train longer, generalize better", arXiv:1705.08741
 *             §4 (keeps the covariance of the SGD step's noise).
 *   "adam_sqrt"  Malladi et al. 2022, "On the SDEs and Scaling Rules for Adaptive Gradient
 *             Algorithms", arXiv:2205.10287 (NeurIPS 2022), §4, the Square Root Scaling Rule, stated
 *             for RMSprop and for Adam:  γ' = √κ γ,  1−β1' = κ(1−β1),  1−β2' = κ(1−β2),  ε' = ε/√κ.
 *             It needs κ(1−β) < 1 for the new betas to be valid (the paper's rule is derived for
 *             κ where the SDE approximation holds).
 *   "noise"   SGD noise scale g = γN/(B(1−μ))  (Smith & Le 2018, "A Bayesian Perspective on
 *             Generalization and Stochastic Gradient Descent", arXiv:1710.06451 §5; Smith et al.
 *             2018, "Don't Decay the Learning Rate, Increase the Batch Size", arXiv:1711.00489):
 *             keeping g constant when B → κB gives γ' = κγ (at fixed μ); returns g before/after.
 */

export type ScaleRule = "linear" | "sqrt" | "adam_sqrt" | "noise";
export const SCALE_RULES: readonly ScaleRule[] = ["linear", "sqrt", "adam_sqrt", "noise"];

export interface ScaleOptions {
  rule: ScaleRule;
  lr: number;
  batch_size: number;
  new_batch_size: number;
  /** adam_sqrt: Adam's/RMSprop's betas (default [0.9, 0.999]). */
  betas?: [number, number];
  /** adam_sqrt: ε (default 1e-8). */
  eps?: number;
  /** noise: momentum μ (default 0). */
  momentum?: number;
  /** noise: training-set size N (required). */
  dataset_size?: number;
}

export interface ScaleResult {
  rule: ScaleRule;
  /** κ = new_batch_size / batch_size. */
  factor: number;
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** noise: g before and after (equal by construction). */
  noise_scale?: number;
  new_noise_scale?: number;
  /** The paper the rule comes from. */
  reference: string;
}

/**
 * A number as printed: the shortest form that reads back to it at 12 significant digits, so float
 * noise goes (1 − 4·(1 − 0.9) = 0.6000000000000001 prints 0.6); the value itself stays exact.
 */
export function printed(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
}

/**
 * The result, as returned (exact numbers), printing its numbers as `printed` writes them: the
 * kernel and console.log show a value through util.inspect, which asks this.
 */
function result(r: ScaleResult): ScaleResult {
  // a rate beyond float64 (lr=1e308 scaled up) was printed as "lr Infinity", a result
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new RangeError(`scale: the ${r.rule} rule gives ${k} = ${v} for these values (it overflows a float64): check lr, batch_size and new_batch_size`);
    }
  }
  Object.defineProperty(r, Symbol.for("nodejs.util.inspect.custom"), {
    enumerable: false,
    value: () => {
      const shown: Record<string, unknown> = { ...r };
      for (const [k, v] of Object.entries(r)) {
        if (typeof v === "number") shown[k] = printed(v);
        else if (Array.isArray(v)) shown[k] = v.map((x) => (typeof x === "number" ? printed(x) : x));
      }
      return shown;
    },
  });
  return r;
}

const KEYS = ["rule", "lr", "batch_size", "new_batch_size", "betas", "eps", "momentum", "dataset_size"];
const REFERENCES: Record<ScaleRule, string> = {
  linear: "Goyal et al. 2017, arXiv:1706.02677",
  sqrt: "Hoffer et al. 2017, arXiv:1705.08741",
  adam_sqrt: "Malladi et al. 2022, arXiv:2205.10287",
  noise: "Smith & Le 2018, arXiv:1710.06451",
};

const positive = (name: string, v: unknown) => {
  if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new RangeError(`scale: ${name} must be a finite number > 0, got ${String(v)}`);
};
const positiveInt = (name: string, v: unknown) => {
  if (!(typeof v === "number" && Number.isInteger(v) && v > 0)) throw new RangeError(`scale: ${name} must be a positive integer, got ${String(v)}`);
};

export function scale(options: ScaleOptions): ScaleResult {
  if (options === null || typeof options !== "object") throw new TypeError("scale: expected { rule, lr, batch_size, new_batch_size, ... }");
  for (const k of Object.keys(options)) if (!KEYS.includes(k)) throw new TypeError(`scale: unknown option "${k}"; valid options: ${KEYS.join(", ")}`);
  const { rule, lr, batch_size, new_batch_size } = options;
  if (!SCALE_RULES.includes(rule)) throw new RangeError(`scale: unknown rule ${JSON.stringify(rule)}; valid rules: ${SCALE_RULES.join(", ")}`);
  positive("lr", lr);
  positiveInt("batch_size", batch_size);
  positiveInt("new_batch_size", new_batch_size);
  const k = new_batch_size / batch_size;
  const reference = REFERENCES[rule];
  if (rule === "linear") return result({ rule, factor: k, lr: k * lr, reference });
  if (rule === "sqrt") return result({ rule, factor: k, lr: Math.sqrt(k) * lr, reference });
  if (rule === "adam_sqrt") {
    const betas = options.betas ?? [0.9, 0.999];
    const eps = options.eps ?? 1e-8;
    if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`scale: betas must be [beta1, beta2], got ${JSON.stringify(betas)}`);
    betas.forEach((b, i) => {
      if (!(typeof b === "number" && b >= 0 && b < 1)) throw new RangeError(`scale: Invalid beta parameter at index ${i}: ${b}`);
    });
    if (!(typeof eps === "number" && eps >= 0 && Number.isFinite(eps))) throw new RangeError(`scale: eps must be a finite number >= 0, got ${eps}`);
    const nb = betas.map((b, i) => {
      const one = k * (1 - b);
      if (one >= 1) {
        throw new RangeError(
          `scale: adam_sqrt cannot scale by ${printed(k)}: 1 − beta${i + 1} would become ${printed(k)}·(1 − ${b}) = ${printed(one)} >= 1 (the rule holds while κ(1−β) < 1)`,
        );
      }
      return 1 - one;
    }) as [number, number];
    return result({ rule, factor: k, lr: Math.sqrt(k) * lr, betas: nb, eps: eps / Math.sqrt(k), reference });
  }
  // noise
  const mu = options.momentum ?? 0;
  if (!(typeof mu === "number" && mu >= 0 && mu < 1)) throw new RangeError(`scale: momentum must be in [0, 1), got ${mu}`);
  positiveInt("dataset_size", options.dataset_size);
  const N = options.dataset_size as number;
  const g = (lr * N) / (batch_size * (1 - mu));
  const newLr = k * lr;
  return result({ rule, factor: k, lr: newLr, noise_scale: g, new_noise_scale: (newLr * N) / (new_batch_size * (1 - mu)), reference });
}
