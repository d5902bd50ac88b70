/**
 * Python's `torch.typename(obj)` for the messages of torch.nn's registration checks: a tensor is
 * its legacy type ("torch.FloatTensor"), anything else Python's name of its type (py_type_name).
 */
import { Tensor } from "../tensor/tensor";
import { py_type_name } from "../utils/py_type_name";

export function typename(v: unknown): string {
  return v instanceof Tensor ? String(v.type()) : py_type_name(v);
}
