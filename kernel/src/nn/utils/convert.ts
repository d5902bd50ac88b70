/** parameters_to_vector / vector_to_parameters: flatten parameters into one 1-D tensor and back. */
import { Tensor, storageFor } from "../../tensor/tensor";

export function parameters_to_vector(parameters: Iterable<Tensor>): Tensor {
  const list = [...parameters];
  const dtype = list.length > 0 ? list[0].dtype : "float32";
  const n = list.reduce((s, p) => s + p.data.length, 0);
  const out = storageFor(dtype, n);
  let o = 0;
  for (const p of list) {
    out.set(p.data, o);
    o += p.data.length;
  }
  return new Tensor(out, [n], dtype);
}

export function vector_to_parameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeof vec}`);
  const list = [...parameters];
  const n = list.reduce((s, p) => s + p.data.length, 0);
  if (vec.data.length !== n) throw new RangeError(`vector_to_parameters: vector has ${vec.data.length} elements, the parameters ${n}`);
  let o = 0;
  for (const p of list) {
    p.data.set(vec.data.subarray(o, o + p.data.length));
    o += p.data.length;
  }
}
