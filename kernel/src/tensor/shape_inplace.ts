/**
 * The in-place shape methods: `unsqueeze_ squeeze_ t_ transpose_`. PyTorch changes only the
 * tensor's sizes and strides; they count as in-place ops (the version moves, a leaf that requires
 * grad refuses them), and on a tensor with history the new grad_fn is PyTorch's
 * (UnsqueezeBackward1, SqueezeBackward3/4/5, TBackward1, TransposeBackward1).
 *
 * lrlab's tensors are contiguous, so:
 * - unsqueeze_ / squeeze_ keep the storage (and any views of it) and change the shape only;
 * - t_ / transpose_ write the transposed values into new storage: views of the tensor taken before
 *   (or the base it is a view of) no longer share storage with it afterwards, where PyTorch's would.
 */
import { check_inplace } from "./view_history";
import { is_grad_enabled } from "./grad_mode";
import { bump_version } from "./version";
import { Tensor, check_tensor } from "./tensor";
import { rename } from "./autograd";
import * as V from "./views";
import { RuntimeError } from "../errors";

/**
 * Runs the out-of-place op on a stand-in for self's current values and history, then gives self
 * the result's shape (and, for a copy, its values) and grad_fn, renamed to the in-place node.
 */
function in_place_shape(self: Tensor, op: string, node: string, f: (x: Tensor) => Tensor, copies: boolean): Tensor {
  check_tensor(self, op);
  check_inplace(self, []);
  const records = is_grad_enabled() && self.requires_grad;
  // (a stand-in, not self: the node's input must keep self's old history, not become self)
  const old = new Tensor(self.data, self.shape, self.dtype, false);
  if (records) {
    old._set_requires_grad(true);
    old.grad_fn = self.grad_fn;
  }
  const r = f(old);
  if (copies) {
    self.data = r.data;
    self._view = null;
    self._window = null;
    self._memory_order = r._memory_order;
  }
  self.shape = [...r.shape];
  bump_version(self);
  if (records) self.grad_fn = rename(r, node).grad_fn;
  return self;
}

/** `x.unsqueeze_(dim)`: a size-1 dim inserted at `dim`, in place. */
export function unsqueeze_(self: Tensor, dim: number | { dim: number }): Tensor {
  const d = typeof dim === "object" && dim !== null ? dim.dim : dim;
  return in_place_shape(self, "unsqueeze_", "UnsqueezeBackward1", (x) => V.unsqueeze(x, d), false);
}

/** `x.squeeze_()` (every size-1 dim), `x.squeeze_(dim)` or `x.squeeze_([dims])`, in place. */
export function squeeze_(self: Tensor, dim?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor {
  const d = typeof dim === "object" && dim !== null && !Array.isArray(dim) ? (dim as { dim?: number | readonly number[] }).dim : (dim as number | readonly number[] | undefined);
  const node = d === undefined || d === null ? "SqueezeBackward3" : typeof d === "number" ? "SqueezeBackward4" : "SqueezeBackward5";
  return in_place_shape(self, "squeeze_", node, (x) => V.squeeze(x, d ?? undefined), false);
}

/** `x.t_()`: the transpose of a tensor with at most 2 dims, in place. */
export function t_(self: Tensor): Tensor {
  check_tensor(self, "t_");
  if (self.dim() > 2) throw RuntimeError(`t_() expects a tensor with <= 2 dimensions, but self is ${self.dim()}D`);
  return in_place_shape(self, "t_", "TBackward1", (x) => V.t(x), self.dim() === 2);
}

/** `x.transpose_(dim0, dim1)`: two dims swapped, in place. */
export function transpose_(self: Tensor, dim0: number, dim1: number): Tensor {
  return in_place_shape(self, "transpose_", "TransposeBackward1", (x) => V.transpose(x, dim0, dim1), true);
}
