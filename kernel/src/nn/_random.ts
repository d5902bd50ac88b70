/**
 * The samplers nn and data draw from: the random library's `uniform_`, `normal_` and `randperm`
 * (kernel/src/random), which are PyTorch-identical, so init and shuffling reproduce PyTorch's
 * numbers for the same seed. Initialisers write parameters in place, as PyTorch's do under
 * torch.no_grad(), so the in-place draws run with grad mode off.
 */
import type { Tensor } from "../tensor/tensor";
import type { Generator } from "../random/generator";
import { normal_, randperm, uniform_ } from "../random/index";
import { no_grad } from "../tensor/grad_mode";

interface Samplers {
  uniform_(t: Tensor, from: number, to: number, generator?: Generator | null): Tensor;
  normal_(t: Tensor, mean: number, std: number, generator?: Generator | null): Tensor;
  randperm(n: number, options?: { generator?: Generator | null }): Tensor;
}

const SAMPLERS: Samplers = {
  uniform_: (t, a, b, g) => no_grad(() => uniform_(t, a, b, g ?? undefined)),
  normal_: (t, m, sd, g) => no_grad(() => normal_(t, m, sd, g ?? undefined)),
  randperm: (n, o) => randperm(n, { generator: o?.generator ?? undefined }),
};

export function samplers(): Samplers {
  return SAMPLERS;
}
