/**
 * torch.nn.Parameter: a leaf Tensor that a Module registers as one of its parameters.
 * It shares storage with the tensor it wraps (as `nn.Parameter(t)` does) and requires grad
 * unless told otherwise.
 */
import { inspect } from "node:util";
import { Tensor, storageFor } from "../tensor/tensor";

export class Parameter extends Tensor {
  /** `new Parameter(torch.randn(3, 2))`; `new Parameter(t, false)` for a frozen parameter. */
  constructor(data?: Tensor, requires_grad = true) {
    if (data !== undefined && !(data instanceof Tensor)) {
      throw new TypeError(`Parameter(): argument 'data' must be a Tensor, got ${typeof data}`);
    }
    const src = data ?? new Tensor(storageFor("float32", 0), [0], "float32");
    super(src.data, src.shape, src.dtype, requires_grad);
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
