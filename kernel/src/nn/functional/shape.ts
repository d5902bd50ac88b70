/**
 * Shape-only ops used by layers: flatten (PyTorch's reshape: a view of the input when its strides
 * allow, else a copy; backward reshapes the gradient back).
 */
import { Tensor } from "../../tensor/tensor";
import { reshape_to } from "../../tensor/views";
import { wrapDim } from "./activation";

/** Merges dims start_dim..end_dim into one: [N, C, L] → [N, C·L] with the defaults of nn.Flatten. */
export function flatten(input: Tensor, start_dim = 0, end_dim = -1): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError("flatten(): argument 'input' must be Tensor");
  if (input.dim() === 0) return reshape_to(input, [1]);
  const s = wrapDim(start_dim, input.dim());
  const e = wrapDim(end_dim, input.dim());
  if (s > e) throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return input;
  let merged = 1;
  for (let i = s; i <= e; i++) merged *= input.shape[i];
  return reshape_to(input, [...input.shape.slice(0, s), merged, ...input.shape.slice(e + 1)]);
}
