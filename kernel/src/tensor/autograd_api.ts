/**
 * `torch.autograd`: the engine's public entry points with PyTorch's names — `backward` over several
 * tensors, `grad` (gradients of outputs w.r.t. chosen inputs, returned instead of accumulated into
 * `.grad`), and the graph-building helpers for code that writes its own differentiable ops
 * (`attach`, `Node`, `needs_grad`, `sum_to`).
 */
import { Tensor } from "./tensor";
import { Capture, check_grad_options, run_backward } from "./autograd";
import { RuntimeError } from "../errors";

export { Node, attach, needs_grad, rename } from "./autograd";
export type { BackwardFn, BackwardOptions, GradHook } from "./autograd";
export { sum_to } from "./sum_to";
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from "./grad_mode";
export { Function, FunctionCtx, once_differentiable } from "./autograd_function";
export type { ApplyArgs, ApplyResult } from "./autograd_function";
export { gradcheck, GradcheckError } from "./gradcheck";
export type { GradcheckOptions } from "./gradcheck";

function as_list<T>(x: T | readonly T[]): T[] {
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

/** `torch.autograd.backward(tensors, grad_tensors?)`: backward from each tensor, accumulating into leaves. */
export function backward(tensors: Tensor | readonly Tensor[], grad_tensors?: (Tensor | null) | readonly (Tensor | null)[], options: { retain_graph?: boolean } = {}): void {
  const ts = as_list(tensors);
  const gs = grad_tensors === undefined ? ts.map(() => null) : as_list(grad_tensors);
  if (gs.length !== ts.length) throw new RangeError(`grad_tensors has ${gs.length} entries but tensors has ${ts.length}`);
  ts.forEach((t, i) => run_backward(t, gs[i], { retain_graph: options.retain_graph === true || i < ts.length - 1 }));
}

export interface GradOptions {
  grad_outputs?: (Tensor | null) | readonly (Tensor | null)[];
  retain_graph?: boolean;
  allow_unused?: boolean;
}

/**
 * `torch.autograd.grad(outputs, inputs, { grad_outputs, retain_graph, allow_unused })`: the
 * gradients of the outputs w.r.t. each input, summed over outputs. No `.grad` is modified.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  check_grad_options("grad", options, ["grad_outputs", "retain_graph", "allow_unused"]);
  const outs = as_list(outputs);
  const ins = as_list(inputs);
  const gos = options.grad_outputs === undefined ? outs.map(() => null) : as_list(options.grad_outputs);
  if (gos.length !== outs.length) throw new RangeError(`grad_outputs has ${gos.length} entries but outputs has ${outs.length}`);
  ins.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`grad(): inputs[${i}] is not a Tensor`);
    if (!t.requires_grad) throw RuntimeError(`One of the differentiated Tensors does not require grad`);
  });
  const capture: Capture = new Map(ins.map((t) => [t, null]));
  outs.forEach((o, i) => run_backward(o, gos[i], { retain_graph: options.retain_graph === true || i < outs.length - 1 }, capture));
  return ins.map((t) => {
    const g = capture.get(t) ?? null;
    if (g === null && !options.allow_unused) {
      throw RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
    }
    return g;
  });
}
