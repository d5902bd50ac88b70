/**
 * Python's `torch.typename(obj)` for the messages of torch.nn's registration checks: a tensor is
 * its legacy type ("torch.FloatTensor"), a JS number "int" or "float", a string "str", an array
 * "list", null or undefined "NoneType", a class instance its class's name.
 */
import { Tensor } from "../tensor/tensor";

export function typename(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (v instanceof Tensor) return String(v.type());
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  if (typeof v === "function") return "function";
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return "dict";
    return (v as object).constructor?.name ?? "object";
  }
  return typeof v;
}
