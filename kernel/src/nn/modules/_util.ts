import { Tensor, storageFor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { get_default_dtype } from "../../tensor/dtype";
import { Parameter } from "../parameter";

/** A floating dtype for a layer's parameters: the given one, else the default dtype. */
export function floatDtype(dtype: DType | undefined | null, layer: string): DType {
  const dt = dtype ?? get_default_dtype();
  if (dt !== "float32" && dt !== "float64") {
    throw new TypeError(`${layer}: dtype must be "float32" or "float64", got ${String(dt)}`);
  }
  return dt;
}

/** A zero-filled Parameter of `shape`. */
export function emptyParam(shape: number[], dtype: DType): Parameter {
  return new Parameter(new Tensor(storageFor(dtype, shape.reduce((a, b) => a * b, 1)), shape, dtype));
}

export function filled(shape: number[], dtype: DType, value: number): Tensor {
  const t = new Tensor(storageFor(dtype, shape.reduce((a, b) => a * b, 1)), shape, dtype);
  t.data.fill(value);
  return t;
}

/** A positive integer layer size, or an error naming the argument. */
export function checkSize(v: unknown, layer: string, what: string, allowZero = true): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    throw new TypeError(`${layer}: ${what} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${String(v)}`);
  }
  return v;
}

/** Python's repr of a float in a layer printout: 1e-05, 0.1, 1.0. */
export function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const s = String(v);
  // JS writes 1e-5 where Python writes 1e-05.
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

export function pyBool(v: boolean): string {
  return v ? "True" : "False";
}
