/**
 * torch.nn.Parameter: a leaf Tensor that a Module registers as one of its parameters.
 * It shares storage with the tensor it wraps (as `nn.Parameter(t)` does) and requires grad
 * unless told otherwise.
 */
import { inspect } from "node:util";
import { Tensor, storageFor } from "../tensor/tensor";
import { RuntimeError } from "../errors";
import { share_version } from "../tensor/version";

/** The body of `Parameter` (below: the class users see adds nothing to it). */
class ParameterBody extends Tensor {
  /** `new Parameter(torch.randn(3, 2))`; `new Parameter(t, false)` for a frozen parameter. */
  constructor(data?: Tensor, requires_grad = true) {
    if (data !== undefined && !(data instanceof Tensor)) {
      throw new TypeError(`Parameter(): argument 'data' must be a Tensor, got ${typeof data}`);
    }
    const src = data ?? new Tensor(storageFor("float32", 0), [0], "float32");
    // PyTorch's RuntimeError for `nn.Parameter(torch.tensor([1, 2]))`: an int64 or bool tensor can
    // only be a frozen Parameter (`new Parameter(t, false)`).
    if (requires_grad && src.dtype !== "float32" && src.dtype !== "float64") {
      throw RuntimeError(`Only Tensors of floating point and complex dtype can require gradients (got dtype ${src.dtype}; use new Parameter(t, false) for a frozen ${src.dtype} parameter, or t.float())`);
    }
    super(src.data, src.shape, src.dtype, requires_grad);
    if (data !== undefined) share_version(this, src); // (PyTorch's Parameter and its data share one version counter)
  }

  override toString(): string {
    return `Parameter containing:\n${Tensor.prototype.toString.call(this)}`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** String contexts (`String(p)`, templates) print the Parameter header too; numbers as Tensor. */
  override [Symbol.toPrimitive](hint: string): number | string {
    return hint === "string" ? this.toString() : super[Symbol.toPrimitive](hint);
  }
}

/*
 * `Parameter` is a class with no members of its own over a constructor typed to return a Tensor.
 * For the type checker a Parameter is then related to a Tensor as fast as a Tensor to itself;
 * declared with members of its own (even only its constructor), a Parameter was compared with a
 * Tensor member by member, each instantiated for the subclass: 188 type instantiations, ~6 ms in
 * every cell that passes `model.parameters()` or `model.weight` where a Tensor is expected (each
 * cell gets a new checker; test/kernel/type_cost.test.ts). At run time nothing changes:
 * `new Parameter(t)` runs ParameterBody's constructor, and `instanceof Parameter` holds.
 */
const ParameterConstructor: new (data?: Tensor, requires_grad?: boolean) => Tensor = ParameterBody;
// the name users meet where a class's name is shown (%who's types and their completions offered
// "ParameterBody", a name of no use to anyone)
Object.defineProperty(ParameterBody, "name", { value: "Parameter" });

/**
 * `torch.nn.Parameter`: `new Parameter(torch.randn(3, 2))`; `new Parameter(t, false)` for a
 * frozen parameter. A Tensor that a Module registers as one of its parameters.
 */
export class Parameter extends ParameterConstructor {}
