/**
 * PyTorch's named tuples `torch.return_types.max(values=..., indices=...)` (max/min along a dim,
 * sort, topk): fields by name, by position (`r[0]`, `r[1]`) and by destructuring
 * (`const [values, indices] = x.max(1)`), printed as PyTorch prints them.
 */
import type { Tensor } from "./tensor";

export class ValuesIndices {
  readonly values: Tensor;
  readonly indices: Tensor;
  /** The op's name, as in `torch.return_types.<name>`. */
  readonly op: string;

  constructor(op: string, values: Tensor, indices: Tensor) {
    this.op = op;
    this.values = values;
    this.indices = indices;
  }

  get 0(): Tensor {
    return this.values;
  }

  get 1(): Tensor {
    return this.indices;
  }

  get length(): number {
    return 2;
  }

  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  toString(): string {
    return `torch.return_types.${this.op}(\nvalues=${String(this.values)},\nindices=${String(this.indices)})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
