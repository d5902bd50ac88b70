/**
 * Python's name of a JS value's type, as PyTorch's messages print it: a JS number "int" or
 * "float", a string "str", an array "list", a plain object "dict", null or undefined "NoneType",
 * a class instance its class's name. Tensors are named by their legacy type in nn/typename.ts;
 * this part needs no tensor, so the tensor core can use it too.
 */
export function py_type_name(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
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
