/**
 * `inplace=True` for torch.nn's activations and dropouts (F.relu(x, true), new nn.ReLU(true), ...):
 * as PyTorch, the input itself takes the result's values and is returned.
 *
 * The op is computed out of place, as without `inplace` (the same fused kernel, the same random
 * draws), then written into the input's storage. Under autograd the rules of lrlab's in-place ops
 * (tensor/inplace.ts, tensor/view_history.ts) apply: PyTorch's errors first (a leaf that requires
 * grad, a view of one, a view made under no_grad, a slice written through a function), the op
 * reads a snapshot of the old values (its backward needs them, and the input's storage is about
 * to be overwritten), and the input's history is rebased on the result's node (through a view,
 * its base's too), renamed as PyTorch names the in-place node (LeakyReluBackward1, ...). The
 * input's version counter moves by one (tensor/version.ts), so an earlier op that saved it for its
 * backward raises PyTorch's error then; an identity (dropout in eval mode) writes nothing and
 * leaves it, as PyTorch's.
 */
import { Tensor } from "../tensor/tensor";
import { is_grad_enabled } from "../tensor/grad_mode";
import { rename, saves_result } from "../tensor/autograd";
import { check_inplace, rebase_history } from "../tensor/view_history";
import { bump_version } from "../tensor/version";

/** The in-place nodes whose backward reads the result (as PyTorch's): the input's later in-place changes are its error. */
const SAVES_RESULT = new Set(["LeakyReluBackward1", "EluBackward1", "CeluBackward1", "RreluWithNoiseBackward1"]);

/**
 * `op(input)` when `inplace` is false; otherwise `op` computed on the input's old values, written
 * into `input`, which is returned. `node` names the in-place grad_fn when PyTorch's differs from
 * the out-of-place one (e.g. "LeakyReluBackward1").
 */
export function maybeInplace(input: Tensor, inplace: boolean, op: (x: Tensor) => Tensor, node?: string): Tensor {
  if (!inplace || !(input instanceof Tensor)) return op(input);
  check_inplace(input, []);
  const recording = is_grad_enabled() && input.requires_grad;
  let src = input;
  if (recording) {
    // the old values, attached to the input's current history
    src = new Tensor(input.data.slice() as typeof input.data, input.shape, input.dtype, true);
    src.grad_fn = input.grad_fn;
  }
  const result = op(src);
  if (result === src) return input; // an identity (dropout in eval mode, p = 0): nothing changes
  input.data.set(result.data);
  if (recording) {
    if (node !== undefined) {
      rename(result, node);
      // PyTorch's in-place leaky_relu_ / elu_ / celu_ / selu_ / rrelu_ nodes save their result (the input, after)
      if (SAVES_RESULT.has(node)) saves_result(result);
    }
    rebase_history(input, result);
  } else bump_version(input);
  return input;
}
