/**
 * The named tuples torch.linalg returns — `torch.return_types.linalg_slogdet(sign, logabsdet)`,
 * `linalg_qr(Q, R)`, `linalg_eigh(eigenvalues, eigenvectors)`, `linalg_svd(U, S, Vh)`: fields by
 * name, by position (`r[0]`), by destructuring (`const [Q, R] = torch.linalg.qr(A)`), printed as
 * PyTorch prints them.
 */
import type { Tensor } from "../tensor";

/** A named tuple of tensors, `torch.return_types.<op>(field=..., ...)`. */
class NamedTensors {
  readonly op: string;
  private readonly fields: readonly string[];
  constructor(op: string, fields: readonly string[], values: readonly Tensor[]) {
    this.op = op;
    this.fields = fields;
    fields.forEach((f, i) => {
      Object.defineProperty(this, f, { value: values[i], enumerable: true });
      Object.defineProperty(this, i, { value: values[i], enumerable: false });
    });
  }
  get length(): number {
    return this.fields.length;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    for (const f of this.fields) yield (this as unknown as Record<string, Tensor>)[f];
  }
  toString(): string {
    return `torch.return_types.${this.op}(\n${this.fields.map((f) => `${f}=${String((this as unknown as Record<string, Tensor>)[f])}`).join(",\n")})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** `torch.return_types.linalg_slogdet(sign, logabsdet)`. */
export interface SlogdetResult extends Iterable<Tensor> { readonly sign: Tensor; readonly logabsdet: Tensor; readonly 0: Tensor; readonly 1: Tensor; readonly length: number }
/** `torch.return_types.linalg_qr(Q, R)`. */
export interface QRResult extends Iterable<Tensor> { readonly Q: Tensor; readonly R: Tensor; readonly 0: Tensor; readonly 1: Tensor; readonly length: number }
/** `torch.return_types.linalg_eigh(eigenvalues, eigenvectors)`. */
export interface EighResult extends Iterable<Tensor> { readonly eigenvalues: Tensor; readonly eigenvectors: Tensor; readonly 0: Tensor; readonly 1: Tensor; readonly length: number }
/** `torch.return_types.linalg_svd(U, S, Vh)`. */
export interface SVDResult extends Iterable<Tensor> { readonly U: Tensor; readonly S: Tensor; readonly Vh: Tensor; readonly 0: Tensor; readonly 1: Tensor; readonly 2: Tensor; readonly length: number }

export function named<T>(op: string, fields: readonly string[], values: readonly Tensor[]): T {
  return new NamedTensors(op, fields, values) as unknown as T;
}
