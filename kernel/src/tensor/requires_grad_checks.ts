/**
 * PyTorch's checks for `t.requires_grad = r` (THPVariable_set_requires_grad), kept apart from
 * tensor.ts so the setter stays one line.
 *
 * The setter is stricter than requires_grad_(): on a non-leaf it refuses true as well as false
 * (requires_grad_(true) on a non-leaf is allowed), and its dtype message says "floating point and
 * complex dtype" where requires_grad_'s says "floating point dtype". The library's own code sets
 * the flag through Tensor._set_requires_grad, never through these checks.
 */
import type { Tensor } from "./tensor";
import { is_floating } from "./dtype";
import { RuntimeError } from "../errors";

const LEAF = "you can only change requires_grad flags of leaf variables.";
const DETACH_HINT = " If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().";

/** Throws PyTorch's RuntimeError when a notebook may not assign `r` to `t.requires_grad`. */
export function check_requires_grad_assignment(t: Tensor, r: unknown): void {
  if (typeof r !== "boolean") throw RuntimeError("requires_grad must be a bool");
  // PyTorch checks leaf-ness first; the detach hint comes only with false
  if (!t.is_leaf) throw RuntimeError(r ? LEAF : LEAF + DETACH_HINT);
  if (r && !is_floating(t.dtype)) throw RuntimeError("only Tensors of floating point and complex dtype can require gradients");
}
