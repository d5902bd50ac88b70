/**
 * Tensor.to's arguments, read as PyTorch reads its three forms:
 *   to(dtype, non_blocking?, copy?, { ... })
 *   to(device?, dtype?, non_blocking?, copy?, { device, dtype, non_blocking, copy, memory_format })
 *   to(other, non_blocking?, copy?, { ... })   (other's dtype; its device is the CPU)
 * JS names dtypes with strings, so a string is a dtype when it is one ("float64", "torch.double",
 * ...) and a device otherwise: `t.to("cpu", "float64")` is (device, dtype), where PyTorch's own
 * strings would be refused (Python names dtypes torch.float64).
 *
 * lrlab has one device, the CPU: "cpu" / "cpu:0" / torch.device("cpu") change nothing; a CUDA
 * device is PyTorch's own error on a CPU-only build; any other string is PyTorch's
 * "Invalid device string" plus what lrlab accepts.
 */
import { checkKeywords, isOptionsObject } from "../utils/py_args";
import { AssertionError, RuntimeError, TypeError_ } from "../errors";
import { Device } from "./device";
import { check_dtype, isLrlabDtype } from "./dtype";
import { Tensor } from "./tensor";
import type { DType } from "./tensor";

export interface ToArgs {
  /** The dtype asked for; undefined: keep the tensor's. */
  dtype: DType | undefined;
  /** copy=True: a new tensor even when nothing changes. */
  copy: boolean;
}

/** PyTorch's dtypes that lrlab lacks: named as dtypes, so the error lists lrlab's dtypes. */
const OTHER_DTYPES = /^(torch\.)?(float16|half|bfloat16|uint16|uint32|uint64|complex32|complex64|cfloat|complex128|cdouble|float8\w*)$/;

/** Whether a string names a dtype (lrlab's or another of PyTorch's), not a device. */
export const isDtypeName = (v: unknown): boolean => typeof v === "string" && (isLrlabDtype(v) || OTHER_DTYPES.test(v));

function check_device(device: unknown): void {
  if (device === undefined || device === null || device instanceof Device) return;
  if (typeof device === "string") {
    if (/^cpu(:\d+)?$/.test(device)) return;
    if (/^cuda(:\d+)?$/.test(device)) throw AssertionError("Torch not compiled with CUDA enabled (lrlab runs on the CPU only: use \"cpu\" or drop the device)");
    throw RuntimeError(
      `Invalid device string: '${device}' (lrlab's one device is "cpu"; its dtypes are "float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool", or torch.float32, torch.float64, torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)`,
    );
  }
  throw TypeError_(`to(): a device must be "cpu" or torch.device("cpu"), got ${typeof device}`);
}

/** What a call of to(...) gave, by PyTorch's three forms: checked by Tensor.to and Module.to each their way. */
export interface ToForms {
  device: unknown;
  dtype: unknown;
  copy: unknown;
}

/**
 * Reads `to(...args)` by PyTorch's three forms (header), with `op`'s keywords checked; arguments
 * that fit none of them are PyTorch's "invalid combination" TypeError. Nothing else is checked.
 */
export function readToForms(args: readonly unknown[], op: string): ToForms {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const kw = n > 0 && isOptionsObject(args[n - 1]) && !(args[n - 1] instanceof Device) ? (args[--n] as Record<string, unknown>) : {};
  checkKeywords(op, kw, ["device", "dtype", "non_blocking", "copy", "memory_format"]);
  const pos = args.slice(0, n);
  let device: unknown = kw.device;
  let dtype: unknown = kw.dtype;
  let rest = pos.slice(1);
  const first = pos[0];
  if (first instanceof Tensor) dtype = first.dtype;
  else if (isDtypeName(first)) dtype = first;
  else if (pos.length > 0) {
    device = first;
    if (rest.length > 0 && (rest[0] === null || typeof rest[0] === "string")) {
      dtype = rest[0];
      rest = rest.slice(1);
    }
  }
  // what may follow: non_blocking, copy (booleans)
  if (rest.length > 2 || rest.some((v) => typeof v !== "boolean")) {
    const got = pos.map((v) => (v instanceof Tensor ? "Tensor" : v === null ? "None" : typeof v)).join(", ");
    throw TypeError_(`to() received an invalid combination of arguments - got (${got}); PyTorch's forms are to(device, dtype, non_blocking, copy), to(dtype, non_blocking, copy) and to(tensor, non_blocking, copy)`);
  }
  return { device, dtype, copy: rest.length === 2 ? rest[1] : kw.copy };
}

/** Reads `t.to(...args)`; errors name what was wrong and the forms PyTorch takes. */
export function parse_to_args(args: readonly unknown[]): ToArgs {
  const { device, dtype, copy } = readToForms(args, "to");
  if (copy !== undefined && typeof copy !== "boolean") throw TypeError_(`to(): argument 'copy' must be bool, not ${typeof copy}`);
  check_device(device);
  return { dtype: dtype === undefined || dtype === null ? undefined : check_dtype(dtype, "to()"), copy: copy === true };
}
