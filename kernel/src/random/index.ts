/**
 * Seeded randomness identical to PyTorch's CPU generator (MT19937, PyTorch's float conversions and
 * samplers): `torch.manual_seed`, `torch.Generator`, rand/randn/randint/randperm/normal, multinomial and the
 * in-place `uniform_`/`normal_`/`random_`/`bernoulli_`/`exponential_` (also as Tensor methods).
 */
import "./methods";

export {
  Generator,
  default_generator,
  manual_seed,
  seed,
  initial_seed,
  get_rng_state,
  set_rng_state,
} from "./generator"; // (not DEFAULT_RNG_SEED: the seed a new Generator starts from, not a PyTorch name)
export {
  rand,
  randn,
  randint,
  randperm,
  normal,
  rand_like,
  randn_like,
  randint_like,
  bernoulli,
} from "./factories";
export { uniform_, normal_, random_, bernoulli_, exponential_ } from "./inplace";
export { multinomial } from "./multinomial";
export type { MultinomialOptions } from "./multinomial";
export type { RandomOptions, GeneratorArg } from "./options";
export type { RandSizeArgs } from "./factories";
