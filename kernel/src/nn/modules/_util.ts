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

/**
 * Python's repr of a float in a layer printout: 1e-05, 0.001, 0.1, 1.0, 1e+16. Python writes the
 * shortest round-trip digits, in scientific notation when the exponent is < -4 or ≥ 16.
 */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = v.toExponential().split("e");
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = String(v);
  return s.includes(".") ? s : `${s}.0`;
}

export function pyBool(v: boolean): string {
  return v ? "True" : "False";
}
