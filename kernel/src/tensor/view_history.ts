/**
 * Views and in-place ops: how an in-place op through a view reaches its base's gradient.
 *
 * `view`, `reshape`, `flatten`, `unflatten`, `squeeze`, `unsqueeze`, `t` (of a 0-D or 1-D tensor)
 * and `index(":")` return a view: a tensor over its input's storage. Every tensor here is contiguous
 * and slicing copies, so a view always covers the whole storage of its base, element for element:
 * a view and its base are the same numbers in two shapes, and reshaping one's gradient gives the
 * other's. (`base` is the root: a view of a view has the first tensor as its base.)
 *
 * An in-place op through a view changes the base's values, so it must change the base's history
 * too, as PyTorch's CopySlices does:
 *   - the op is recorded on the view as on any tensor (inplace.ts: out of place on a snapshot of
 *     the old values), giving `result`, the view's new values with their history;
 *   - the base's grad_fn becomes CopySlices(result), whose backward reshapes the base's gradient
 *     to the view's shape;
 *   - every view of the base (the modified one included) rebuilds its own grad_fn from the base's
 *     new one (AsStridedBackward0, PyTorch's name), so a later use of any view sees the new values'
 *     history. An in-place op on the base itself does the same for its views.
 * A view and its base share one version counter (version.ts), which every in-place op on any of
 * them moves (under no_grad too); a view keeps the version it was built at (`seen`) and rebuilds
 * lazily when they differ (Tensor's `grad_fn` and `requires_grad` getters call `sync_view`), so
 * views that are never used again cost nothing. As PyTorch's: after an in-place op under no_grad
 * (an optimizer's step on a parameter) a view of a tensor that requires grad has an
 * AsStridedBackward0 too.
 *
 * Before an in-place op records, PyTorch's checks (`check_inplace`), with its messages: a view of a
 * leaf that requires grad can't be modified (it would rewrite the parameter behind autograd's
 * back), nor can a view made under no_grad be modified with grad mode on.
 *
 * What a graph node saw when it was built stays as it was: the engine follows the grad_fn each input
 * had when the node was made (Node.edges), not the one it has after later in-place ops.
 */
import { Tensor } from "./tensor";
import { Node, attach, history_replaced } from "./autograd";
import { is_grad_enabled } from "./grad_mode";
import { check_slice_inplace } from "./slice_window";
import { bump_version, retarget_saved, share_version, version_of } from "./version";
import type { MultiOutput } from "./version";
import { RuntimeError } from "../errors";

export interface ViewMeta {
  /** The tensor that owns the storage (never itself a view). */
  readonly base: Tensor;
  /** The (shared) version when this view's grad_fn was last built. */
  seen: number;
  /** Made under no_grad (or from such a view): it stays out of the graph, and PyTorch forbids modifying it in place with grad mode on. */
  readonly no_grad: boolean;
  /** Set on unbind's outputs: one of several views an op returned (version.ts MultiOutput). */
  multi?: MultiOutput;
}

/** `x`'s elements in `shape`, sharing x's storage; backward reshapes the gradient back. */
export function make_view(x: Tensor, shape: readonly number[], name: string): Tensor {
  const out = share_version(new Tensor(x.data, shape, x.dtype), x);
  const parent = x._view;
  const base = parent !== null ? parent.base : x;
  out._view = { base, seen: version_of(base), no_grad: !is_grad_enabled() || (parent !== null && parent.no_grad) };
  const in_shape = [...x.shape];
  return attach(out, name, [x], (g) => [new Tensor(g.data, in_shape, g.dtype)], false);
}

/** Rebuilds a view's history from its base's current one (called by Tensor's getters). */
export function sync_view(v: Tensor): void {
  const m = v._view!;
  const base = m.base;
  m.seen = version_of(base);
  if (m.no_grad) return;
  const old = v.grad_fn;
  const shape = [...base.shape];
  const r = base.requires_grad;
  // A view made a leaf that requires grad by requires_grad_() over a base that does not: nothing
  // to rebuild from the base, and it stays a leaf that requires grad, as PyTorch's.
  if (!r && old === null) return;
  v._set_requires_grad(r);
  v.grad_fn = r ? new Node("AsStridedBackward0", [base], (g) => [new Tensor(g.data, shape, g.dtype)], false) : null;
  history_replaced(v, old);
}

const NO_GRAD_VIEW =
  "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. " +
  "You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).";

/**
 * PyTorch's checks before an in-place op on `self` with these other operands, when grad mode is on
 * and something requires grad: not a leaf that requires grad, not a view of one, not a view made
 * under no_grad.
 */
export function check_inplace(self: Tensor, others: readonly unknown[]): void {
  // a slice (a copy that writes back, slice_window.ts): only through a method, never recorded
  check_slice_inplace(self, others);
  if (!is_grad_enabled()) return;
  const m = self._view;
  const r = self.requires_grad || (m !== null && m.base.requires_grad);
  if (!r && !others.some((o) => o instanceof Tensor && o.requires_grad)) return;
  if (m !== null) {
    if (m.no_grad) throw RuntimeError(NO_GRAD_VIEW);
    if (r && m.base.is_leaf) {
      throw RuntimeError(
        "a view of a leaf Variable that requires grad is being used in an in-place operation. " +
          "(Modify it under torch.no_grad(() => ...), as optimizers do, or work on a copy: .clone().)",
      );
    }
  }
  if (r && self.is_leaf) throw RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
}

/**
 * After an in-place op on `self` recorded `result` (self's new values, with their history, already
 * written into self): self's version moves on; self's history becomes result's; for a view, its
 * base's becomes CopySlices(result), and the views of that base (self too) rebuild theirs from it.
 * What result's node saved as its output (sigmoid_ saves its result) is self now, at its new version.
 */
export function rebase_history(self: Tensor, result: Tensor): void {
  bump_version(self);
  const fn = result.grad_fn;
  if (fn instanceof Node && fn._saved !== null) retarget_saved(fn._saved, result, self);
  const m = self._view;
  if (m === null) {
    const old = self.grad_fn;
    self.grad_fn = fn;
    self._set_requires_grad(result.requires_grad);
    history_replaced(self, old);
    return;
  }
  const base = m.base;
  const old = base.grad_fn;
  const shape = [...self.shape];
  // (base's own views, self too, see the version move and rebuild from this)
  base.grad_fn = result.requires_grad ? new Node("CopySlices", [result], (g) => [new Tensor(g.data, shape, g.dtype)], false) : null;
  base._set_requires_grad(result.requires_grad);
  history_replaced(base, old);
}
