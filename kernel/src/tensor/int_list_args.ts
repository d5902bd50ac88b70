/**
 * PyTorch's argument parser's errors for a size (a "tuple of ints" parameter: zeros' `size`,
 * reshape's `shape`, permute's `dims`, ...) given something else, in its words:
 *   zeros(2.5)          argument 'size' (position 1) must be tuple of ints, not float
 *   zeros([2.5, 3])     argument 'size' (position 1) must be tuple of ints, but found element of type float at pos 0
 *   zeros(2, 2.5)       argument 'size' failed to unpack the object at pos 2 with error "type must be tuple of ints,but got float"
 * (PyTorch reads the first element to pick the parameter's form, and only meets a later bad one
 * while unpacking, 1-based). Tensor.view has a second form, view(dtype): a value neither form takes
 * is its "received an invalid combination of arguments". lrlab adds what was given.
 */
import { py_type_name } from "../utils/py_type_name";

/** A value as written: NaN, Infinity and 2.5 as numbers, strings quoted. */
function show(d: unknown): string {
  if (typeof d === "number" || typeof d === "bigint" || typeof d === "boolean" || d === null || d === undefined) return String(d);
  if (typeof d === "string") return JSON.stringify(d);
  if (Array.isArray(d)) return `[${d.map(show).join(", ")}]`;
  return py_type_name(d);
}

const is_int = (d: unknown): boolean => typeof d === "number" && Number.isInteger(d);

/**
 * The index of the first element of `list` that is not an integer, or -1. `list` is the size as
 * given: the one array argument, or the arguments themselves (f(2, 3)).
 */
export function first_non_int(list: readonly unknown[]): number {
  for (let k = 0; k < list.length; k++) if (!is_int(list[k])) return k;
  return -1;
}

/**
 * PyTorch's TypeError for element `k` of `list` not being an int. `scalar`: the size was one
 * argument that is not an array (`zeros(2.5)`), the "not float" form.
 */
export function int_list_error(where: string, arg: string, list: readonly unknown[], k: number, scalar: boolean): TypeError {
  const bad = list[k];
  const type = py_type_name(bad);
  let text: string;
  if (scalar) text = `${where}(): argument '${arg}' (position 1) must be tuple of ints, not ${type}`;
  else if (k === 0) text = `${where}(): argument '${arg}' (position 1) must be tuple of ints, but found element of type ${type} at pos 0`;
  else text = `${where}(): argument '${arg}' failed to unpack the object at pos ${k + 1} with error "type must be tuple of ints,but got ${type}"`;
  return new TypeError(`${text} (got ${scalar ? show(bad) : show(list)})`);
}

/**
 * Tensor.view's error for arguments that are neither a dtype nor a size, as PyTorch words it
 * (with the reasons per form when one argument was given).
 */
export function view_args_error(args: readonly unknown[]): TypeError {
  const typeOf = (v: unknown): string => {
    if (Array.isArray(v) && args.length === 1) return `list of [${v.map(py_type_name).join(", ")}]`;
    if (typeof v === "string") return "str";
    return py_type_name(v);
  };
  const got = args.map((a) => (Array.isArray(a) ? "list" : py_type_name(a))).join(", ");
  let text = `view() received an invalid combination of arguments - got (${got}), but expected one of:\n`;
  const why = args.length === 1 ? `      didn't match because some of the arguments have invalid types: (!${typeOf(args[0])}!)\n` : "";
  text += ` * (torch.dtype dtype)\n${why} * (tuple of ints size)\n${why}`;
  return new TypeError(`${text}(got ${args.map(show).join(", ")})`);
}
