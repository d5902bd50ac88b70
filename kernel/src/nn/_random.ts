/**
 * The samplers nn and data draw from, looked up in the random library (kernel/src/random) at call
 * time: `uniform_`, `normal_` and `randperm` are PyTorch-identical there, so init and shuffling
 * reproduce PyTorch's numbers for the same seed.
 */
import type { Tensor } from "../tensor/tensor";
import type { Generator } from "../random/generator";
import * as random from "../random/index";
import { no_grad } from "../tensor/grad_mode";

interface Samplers {
  uniform_(t: Tensor, from?: number, to?: number, generator?: Generator | null): Tensor;
  normal_(t: Tensor, mean?: number, std?: number, generator?: Generator | null): Tensor;
  randperm(n: number, options?: { generator?: Generator | null; dtype?: string }): Tensor;
}

export function samplers(): Samplers {
  const r = random as unknown as Partial<Samplers>;
  for (const name of ["uniform_", "normal_", "randperm"] as const) {
    if (typeof r[name] !== "function") throw new Error(`lrlab: random.${name} is not available in this build`);
  }
  const s = r as Samplers;
  // Initialisers write parameters in place, as PyTorch's do under torch.no_grad().
  return {
    uniform_: (t, a, b, g) => no_grad(() => s.uniform_(t, a, b, g)),
    normal_: (t, m, sd, g) => no_grad(() => s.normal_(t, m, sd, g)),
    randperm: (n, o) => s.randperm(n, o),
  };
}
