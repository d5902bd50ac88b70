/**
 * `torch.utils.data.WeightedRandomSampler(weights, num_samples, replacement = true, generator)`:
 * indices in [0, len(weights)) drawn with probabilities proportional to `weights` (they need not
 * sum to 1), the usual way to oversample rare classes: `new DataLoader(ds, { batch_size: 32,
 * sampler: new WeightedRandomSampler(w, ds.length) })`.
 *
 * As PyTorch's: the weights become a float64 tensor (1-d, else a ValueError), and each pass over
 * the sampler (each epoch) is one `torch.multinomial(weights, num_samples, replacement,
 * { generator })` (random/multinomial.ts, PyTorch's CPU algorithms), so the same seed gives
 * PyTorch's indices; without a generator it draws from the default one. Without replacement,
 * num_samples > len(weights) is multinomial's RuntimeError at iteration, as in PyTorch.
 * The optional arguments may be positional (Python's order) or one trailing options object
 * `{ replacement, generator }`.
 */
import { Tensor } from "../tensor/tensor";
import { tensor } from "../tensor/factories";
import { Generator } from "../random/generator";
import { multinomial } from "../random/multinomial";
import { ValueError } from "../errors";
import type { Sampler } from "./sampler";

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (an index may repeat); default true. */
  replacement?: boolean;
  /** The generator the draws come from; default null (torch's default generator). */
  generator?: Generator | null;
}

export class WeightedRandomSampler implements Sampler {
  /** The weights, a 1-d float64 tensor. */
  readonly weights: Tensor;
  readonly num_samples: number;
  readonly replacement: boolean;
  readonly generator: Generator | null;

  constructor(weights: Tensor | readonly number[], num_samples: number, options?: WeightedRandomSamplerOptions);
  constructor(weights: Tensor | readonly number[], num_samples: number, replacement?: boolean, generator?: Generator | null);
  constructor(weights: Tensor | readonly number[], num_samples: number, ...rest: unknown[]) {
    const { replacement = true, generator = null } = samplerOptions(rest);
    if (typeof num_samples !== "number" || !Number.isInteger(num_samples) || num_samples <= 0) {
      throw ValueError(`num_samples should be a positive integer value, but got num_samples=${String(num_samples)}`);
    }
    if (typeof replacement !== "boolean") {
      throw ValueError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    }
    if (generator !== null && !(generator instanceof Generator)) {
      throw new TypeError(`WeightedRandomSampler: generator must be a torch.Generator or null, got ${typeof generator}`);
    }
    const w = weights instanceof Tensor ? weights.detach().to("float64") : tensor(weights as number[], { dtype: "float64" });
    if (w.dim() !== 1) {
      throw ValueError(`weights should be a 1d sequence but given weights have shape (${w.shape.join(", ")})`);
    }
    this.weights = w;
    this.num_samples = num_samples;
    this.replacement = replacement;
    this.generator = generator;
  }

  get length(): number {
    return this.num_samples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const drawn = multinomial(this.weights, this.num_samples, this.replacement, { generator: this.generator }).data;
    for (let i = 0; i < drawn.length; i++) yield drawn[i];
  }
}

/** (replacement?, generator?) positionally, or one options object, into the options. */
function samplerOptions(rest: unknown[]): WeightedRandomSamplerOptions {
  const last = rest[rest.length - 1];
  const isObject = typeof last === "object" && last !== null && !(last instanceof Generator) && !Array.isArray(last);
  const out: Record<string, unknown> = {};
  const positional = isObject ? rest.slice(0, -1) : rest;
  if (positional.length > 2) {
    throw new TypeError(`WeightedRandomSampler() takes at most 4 positional arguments (weights, num_samples, replacement, generator) but ${positional.length + 2} were given`);
  }
  ["replacement", "generator"].forEach((k, i) => { if (positional[i] !== undefined) out[k] = positional[i]; });
  if (isObject) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (k !== "replacement" && k !== "generator") {
        throw new TypeError(`WeightedRandomSampler() got an unexpected keyword argument '${k}' (allowed: replacement, generator)`);
      }
      if (k in out) throw new TypeError(`WeightedRandomSampler() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out as WeightedRandomSamplerOptions;
}
