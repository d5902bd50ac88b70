/**
 * Shared pieces of the optimizer tests: fixture loading, tensors from flat arrays, and the
 * ∞-norm relative error used by every parity assertion.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../kernel/src/tensor/tensor";

export type DTypeName = "float32" | "float64";

export interface StepRecord {
  grads: (number[] | null)[];
  params: number[][];
}

export interface OptimCase {
  name: string;
  optimizer: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  options: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  groups: { params: number[]; options: Record<string, any> }[] | null;
  dtype: DTypeName;
  shapes: number[][];
  lr_change: { step: number; factor: number } | null;
  none_grad: { param: number; every: number; offset: number } | null;
  init: number[][];
  steps: StepRecord[];
  final_state: (Record<string, number | number[]> | null)[];
}

export function loadCases<T = OptimCase>(name: string): T[] {
  const path = join(__dirname, "..", "fixtures", "optim", `${name}.json`);
  return (JSON.parse(readFileSync(path, "utf8")) as { cases: T[] }).cases;
}

export function tensorOf(values: number[], shape: readonly number[], dtype: DTypeName, requires_grad = false): Tensor {
  const data = dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
  return new Tensor(data, shape, dtype, requires_grad);
}

/** max|actual − expected| / max|expected| (the ∞-norm relative error; 0 when both are zero). */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity;
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return scale === 0 ? diff : diff / scale;
}

/** float64 within 1e-12 relative, float32 within 1e-6 relative (the project's parity budget). */
export const TOL: Record<DTypeName, number> = { float32: 1e-6, float64: 1e-12 };
