/**
 * torch.logspace: `steps` values base^t for t evenly spaced from start to end, computed as
 * PyTorch's CPU kernel does (start and end in the output dtype, the exponent and the power in
 * double, the first half counting up from start and the second half down from end), so the values
 * match PyTorch's to the last bit in float64. A factory, kept apart from factories.ts.
 */
import { Tensor } from "./tensor";
import { coerce, get_default_dtype, is_floating, storage_for } from "./dtype";
import { TensorOptions, check_options } from "./shape";
import { RuntimeError } from "../errors";

export interface LogspaceOptions extends TensorOptions {
  base?: number;
}

/** `logspace(start, end, steps, base = 10, { dtype, requires_grad })`: base^linspace(start, end, steps). */
export function logspace(start: number, end: number, steps: number, base?: number | LogspaceOptions, options?: LogspaceOptions): Tensor {
  if (base !== null && typeof base === "object") {
    options = base;
    base = base.base;
  }
  const { base: kw_base, ...rest } = options ?? {};
  const b = base ?? kw_base ?? 10;
  for (const [k, v] of [["start", start], ["end", end], ["steps", steps], ["base", b]] as const) {
    if (typeof v !== "number") throw new TypeError(`logspace(): argument '${k}' must be a number, not ${v === null ? "null" : typeof v}`);
  }
  const o = check_options(rest, "logspace");
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`logspace(): number of steps must be non-negative`);
  const dtype = o.dtype ?? get_default_dtype();
  if (o.requires_grad && !is_floating(dtype)) throw RuntimeError(`Only Tensors of floating point and complex dtype can require gradients (logspace() got dtype ${dtype})`);
  const cast = (v: number) => (dtype === "float32" ? Math.fround(v) : coerce(v, dtype));
  const s = cast(start);
  const e = cast(end);
  const store = storage_for(dtype, steps);
  if (steps === 1) store[0] = coerce(Math.pow(b, s), dtype);
  else if (steps > 1) {
    const step = (e - s) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) store[i] = coerce(Math.pow(b, i < half ? s + step * i : e - step * (steps - i - 1)), dtype);
  }
  return new Tensor(store, [steps], dtype, o.requires_grad ?? false);
}
