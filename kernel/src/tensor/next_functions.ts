/**
 * The autograd graph as PyTorch shows it to users: `grad_fn.next_functions` and the nodes' reprs.
 *
 * PyTorch's `loss.grad_fn.next_functions` is a tuple of `(node, input_nr)` pairs, one per input of
 * the op in the op's order: the input's grad_fn, an `AccumulateGrad` node for a leaf that requires
 * grad (its `.variable` is the leaf; one object per leaf, so the same leaf reached along two paths
 * is the same node), or `(None, 0)` for an input that needs no gradient. lrlab's nodes hold the same
 * facts as `inputs` and `edges` (autograd.ts); this file turns them into that structure.
 *
 * A node prints as PyTorch's `<MseLossBackward0 object at 0x7f...>` without the memory address,
 * which JavaScript does not have: `<MseLossBackward0 object #3>`, where #3 is a number given to the
 * node the first time it is printed (stable for the node's life, distinct between nodes, so two
 * printouts show whether they are the same node as PyTorch's addresses do).
 */
import { inspect } from "node:util";
import type { GradFn, NextFunction, Tensor } from "./tensor";

const ids = new WeakMap<object, number>();
let nextId = 1;

/** `<Name object #n>`: a node's repr (see the header). */
export function nodeRepr(node: object, name: string): string {
  let id = ids.get(node);
  if (id === undefined) {
    id = nextId++;
    ids.set(node, id);
  }
  return `<${name} object #${id}>`;
}

/**
 * PyTorch's AccumulateGrad: the graph's end at a leaf that requires grad, where the leaf's
 * gradient is accumulated into `.grad` (lrlab's engine does that itself; this node is the view of
 * it that next_functions shows). It has no next functions. Its `name()` is PyTorch's,
 * "torch::autograd::AccumulateGrad", while it prints as `<AccumulateGrad object ...>`, as PyTorch's.
 */
export class AccumulateGrad implements GradFn {
  /** The leaf tensor whose gradient this node accumulates. */
  readonly variable: Tensor;
  readonly inputs: readonly (Tensor | null)[] = [];
  readonly next_functions: readonly NextFunction[] = [];

  constructor(variable: Tensor) {
    this.variable = variable;
  }

  name(): string {
    return "torch::autograd::AccumulateGrad";
  }

  /** The end of the graph: nothing flows further (lrlab's engine accumulates leaves' gradients itself). */
  backward(): (Tensor | null)[] {
    return [];
  }

  toString(): string {
    return nodeRepr(this, "AccumulateGrad");
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

// One AccumulateGrad per leaf, for the leaf's life (held weakly, as PyTorch's tensor holds its own).
const accumulators = new WeakMap<Tensor, AccumulateGrad>();

/** The leaf's AccumulateGrad node (the same object every time). */
export function accumulateGradOf(leaf: Tensor): AccumulateGrad {
  let node = accumulators.get(leaf);
  if (node === undefined) {
    node = new AccumulateGrad(leaf);
    accumulators.set(leaf, node);
  }
  return node;
}

/**
 * A node's next_functions from its inputs (null: needs no gradient) and edges (each input's
 * grad_fn when the node was made): `[edge, 0]`, `[AccumulateGrad of the leaf, 0]` or `[null, 0]`.
 * The index is the input's output number in its producer; lrlab's ops give each output tensor its
 * own node, so it is 0.
 */
export function nextFunctions(inputs: readonly (Tensor | null)[], edges: readonly (GradFn | null)[]): NextFunction[] {
  return inputs.map((t, i): NextFunction => {
    const edge = edges[i];
    if (edge !== null && edge !== undefined) return [edge, 0];
    if (t !== null && t.requires_grad) return [accumulateGradOf(t), 0];
    return [null, 0];
  });
}
