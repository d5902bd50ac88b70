/**
 * A module's full backward hooks (`register_full_backward_hook`, `register_full_backward_pre_hook`),
 * as PyTorch's `torch.utils.hooks.BackwardHook`: for one forward call, the module's tensor inputs
 * and tensor outputs each pass through an identity autograd Function ("BackwardHookFunction", as
 * PyTorch's). In backward, the outputs' node is reached first: it records the gradients w.r.t.
 * the outputs (`grad_output`), runs the backward pre-hooks (which may replace them); then the
 * inputs' node gets the gradients w.r.t. the inputs (`grad_input`) and runs the hooks
 * `hook(module, grad_input, grad_output)`, which may replace `grad_input`. When no input requires
 * grad, the hooks run at the outputs' node with `grad_input` all null (PyTorch warns so).
 *
 * `grad_input` / `grad_output` are arrays (Python's tuples) with one entry per positional argument
 * / output (a module returning one tensor has one output), null for non-tensors; as PyTorch's, a
 * tensor input that needs no gradient gets zeros, an output that got no gradient null. Non-tensor arguments (the trailing options object: kwargs) are left
 * alone, as PyTorch leaves kwargs. Only run when the module has such hooks and grad mode is on.
 */
import { Tensor } from "../tensor/tensor";
import { Function, type FunctionCtx } from "../tensor/autograd_function";
import { is_grad_enabled } from "../tensor/grad_mode";
import { RuntimeError } from "../errors";
import type { Module } from "./module";

/** `hook(module, grad_input, grad_output)`; a returned array replaces grad_input. */
export type FullBackwardHook = (module: Module, grad_input: (Tensor | null)[], grad_output: (Tensor | null)[]) => unknown;
/** `hook(module, grad_output)`; a returned array replaces grad_output. */
export type FullBackwardPreHook = (module: Module, grad_output: (Tensor | null)[]) => unknown;

/**
 * An identity Function named as PyTorch's, its backward given by the caller (one class per use).
 * `materialize`: a tensor that got no gradient gets zeros of its shape (PyTorch's grad_input: its
 * hook sees what the Function's backward returned, zeros for an input that needs no gradient),
 * or null (grad_output: the node's incoming gradients, None for an output not used).
 */
function hookFunction(onBackward: (grads: (Tensor | null)[]) => (Tensor | null)[], materialize: boolean): typeof Function {
  class BackwardHookFunction extends Function {
    static override forward(ctx: FunctionCtx, ...args: Tensor[]): Tensor[] {
      ctx.mark_non_differentiable(...args.filter((a) => !a.requires_grad));
      ctx.set_materialize_grads(materialize);
      return args;
    }
    static override backward(_ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] {
      return onBackward(grads);
    }
  }
  return BackwardHookFunction;
}

function checkReturned(out: unknown, expected: number, what: string): (Tensor | null)[] {
  if (!Array.isArray(out)) throw new TypeError(`${what} must return nothing or an array (Python's tuple) of ${expected} gradients, got ${typeof out}`);
  if (out.length !== expected) {
    throw RuntimeError(`Backward ${what === "backward pre-hook" ? "pre hook returned an invalid number of grad_output" : "hook returned an invalid number of grad_input"}, got ${out.length}, but expected ${expected}`);
  }
  return out as (Tensor | null)[];
}

/** One forward call's backward-hook state (PyTorch's BackwardHook). */
export class BackwardHookCall {
  private grad_outputs: (Tensor | null)[] | null = null;
  private n_inputs = -1;
  private input_index: number[] | null = null;
  private n_outputs = -1;
  private output_index: number[] | null = null;

  constructor(
    private readonly module: Module,
    private readonly hooks: FullBackwardHook[],
    private readonly pre_hooks: FullBackwardPreHook[],
  ) {}

  /** `fn` applied to `args`' tensors, and their positions (null when none requires grad or grad mode is off). */
  private wrap(args: unknown[], materialize: boolean, onBackward: (grads: (Tensor | null)[]) => (Tensor | null)[]): [unknown[], number[] | null] {
    const index: number[] = [];
    const tensors: Tensor[] = [];
    let requires = false;
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        index.push(i);
        tensors.push(a);
        requires ||= a.requires_grad;
      }
    });
    if (!(requires && is_grad_enabled())) return [args, null];
    const wrapped = hookFunction(onBackward, materialize).apply(...tensors) as Tensor[];
    const out = [...args];
    index.forEach((i, j) => (out[i] = wrapped[j]));
    return [out, index];
  }

  private pack(index: number[] | null, values: (Tensor | null)[], size: number): (Tensor | null)[] {
    const res: (Tensor | null)[] = new Array(size).fill(null);
    (index ?? []).forEach((i, j) => (res[i] = values[j] ?? null));
    return res;
  }

  /** The inputs to give forward: tensors that require grad pass through the inputs' hook node. */
  setupInput(args: unknown[]): unknown[] {
    const [out, index] = this.wrap(args, true, (grads) => {
      if (this.grad_outputs === null) return grads; // reached without passing through the outputs
      let res = this.pack(this.input_index, grads, this.n_inputs);
      for (const hook of this.hooks) {
        const r = hook(this.module, res, this.grad_outputs);
        if (r === undefined || r === null) continue;
        res = checkReturned(r, res.length, "backward hook");
      }
      this.grad_outputs = null;
      return (this.input_index ?? []).map((i) => res[i]);
    });
    this.n_inputs = args.length;
    this.input_index = index;
    return out;
  }

  /** forward's result, its tensors passing through the outputs' hook node (an array is a tuple). */
  setupOutput(result: unknown): unknown {
    const isTuple = Array.isArray(result);
    if (!isTuple && !(result instanceof Tensor)) {
      console.warn(`UserWarning: For backward hooks to be called, module output should be a Tensor or a tuple of Tensors but received ${result === null ? "null" : typeof result}`);
    }
    const outs = isTuple ? (result as unknown[]) : [result];
    const [wrapped, index] = this.wrap(outs, false, (grads) => {
      let gout = this.pack(this.output_index, grads, this.n_outputs);
      for (const pre of this.pre_hooks) {
        const r = pre(this.module, gout);
        if (r === undefined || r === null) continue;
        gout = checkReturned(r, gout.length, "backward pre-hook");
      }
      this.grad_outputs = gout;
      if (this.input_index === null) {
        console.warn(
          "UserWarning: Full backward hook is firing when gradients are computed with respect to module outputs since no inputs require gradients. " +
            "See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
        );
        const grad_inputs = this.pack([], [], this.n_inputs);
        for (const hook of this.hooks) {
          const r = hook(this.module, grad_inputs, gout);
          if (r !== undefined && r !== null && !(Array.isArray(r) && r.every((g) => g === null || g === undefined))) {
            throw RuntimeError("Backward hook for Modules where no input requires gradient should always return None or None for all gradients.");
          }
        }
        this.grad_outputs = null;
      }
      return (this.output_index ?? []).map((i) => gout[i]);
    });
    this.n_outputs = outs.length;
    this.output_index = index;
    return isTuple ? wrapped : wrapped[0];
  }
}
