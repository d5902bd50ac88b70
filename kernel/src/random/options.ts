/**
 * Argument handling shared by the random functions: options objects, sizes, generators, dtypes,
 * and the checks with PyTorch's error wording.
 */

import { Tensor, type DType } from "../tensor/tensor";
import { check_size } from "../tensor/shape";
import { check_dtype, get_default_dtype } from "../tensor/dtype";
import { is_grad_enabled } from "../tensor/grad_mode";
import { Generator, RuntimeError, default_generator } from "./generator";

export interface RandomOptions {
  dtype?: DType;
  generator?: Generator | null;
  requires_grad?: boolean;
}
export type GeneratorArg = Generator | null | undefined | { generator?: Generator | null };

const OPTION_KEYS = ["dtype", "generator", "requires_grad", "device", "layout", "pin_memory", "memory_format"];

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x) && !(x instanceof Tensor) && !(x instanceof Generator);
}

export function checkOptions(o: unknown, where: string): RandomOptions {
  if (o === undefined || o === null) return {};
  if (!isPlainObject(o)) throw new TypeError(`${where}(): options must be an object like { dtype, generator, requires_grad }`);
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) throw new TypeError(`${where}() got an unexpected keyword argument '${k}'`);
  }
  const out: RandomOptions = {};
  if (o.dtype !== undefined && o.dtype !== null) out.dtype = check_dtype(o.dtype, `${where}()`);
  if (o.generator !== undefined && o.generator !== null) out.generator = checkGenerator(o.generator, where);
  if (o.requires_grad !== undefined) {
    if (typeof o.requires_grad !== "boolean") throw new TypeError(`${where}(): requires_grad must be a boolean`);
    out.requires_grad = o.requires_grad;
  }
  return out;
}

export function checkGenerator(g: unknown, where: string): Generator {
  if (!(g instanceof Generator)) throw new TypeError(`${where}(): generator must be a torch.Generator, got ${describe(g)}`);
  return g;
}

/** Resolves a trailing generator argument (Generator, null/undefined, or { generator }). */
export function resolveGenerator(g: GeneratorArg, where: string): Generator {
  if (g === undefined || g === null) return default_generator;
  if (g instanceof Generator) return g;
  if (isPlainObject(g)) {
    for (const k of Object.keys(g)) {
      if (k !== "generator") throw new TypeError(`${where}() got an unexpected keyword argument '${k}'`);
    }
    return g.generator === undefined || g.generator === null ? default_generator : checkGenerator(g.generator, where);
  }
  throw new TypeError(`${where}(): generator must be a torch.Generator, got ${describe(g)}`);
}

export function describe(x: unknown): string {
  if (x instanceof Tensor) return "Tensor";
  if (Array.isArray(x)) return "array";
  return x === null ? "null" : typeof x;
}

/** `f(2, 3)`, `f([2, 3])`, either optionally followed by an options object. */
export function parseSizeArgs(args: readonly unknown[], where: string): { size: number[]; options: RandomOptions } {
  let list = args;
  let options: RandomOptions = {};
  if (list.length > 0 && isPlainObject(list[list.length - 1])) {
    options = checkOptions(list[list.length - 1], where);
    list = list.slice(0, -1);
  }
  const scalar = list.length === 1 && !Array.isArray(list[0]);
  if (list.length === 1 && Array.isArray(list[0])) list = list[0] as unknown[];
  else if (list.length === 0) throw new TypeError(`${where}() missing 1 required positional argument: "size"`);
  return { size: check_size(list, where, scalar), options };
}

export function sizeOf(size: number | readonly number[], where: string): number[] {
  return check_size(Array.isArray(size) ? size : [size as never], where, !Array.isArray(size));
}

export function numelOf(size: readonly number[]): number {
  let n = 1;
  for (const d of size) n *= d;
  return n;
}

const SMALL_INT_RANGE: Partial<Record<DType, [number, number, string]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1, "int"], int16: [-32768, 32767, "short"], int8: [-128, 127, "signed char"], uint8: [0, 255, "unsigned char"],
};

/** PyTorch's check of integer draws [from, to) against a small integer dtype (randint, random_). */
export function checkIntDtypeBounds(dtype: DType, from: number, to: number): void {
  const range = SMALL_INT_RANGE[dtype];
  if (range === undefined) return;
  if (from < range[0] || from > range[1]) throw new RuntimeError(`from is out of bounds for ${range[2]}`);
  if (to - 1 < range[0] || to - 1 > range[1]) throw new RuntimeError(`to - 1 is out of bounds for ${range[2]}`);
}

export function floatDtype(dtype: DType | undefined, where: string, kernel: string): DType {
  const dt = dtype ?? get_default_dtype();
  if (dt !== "float32" && dt !== "float64") {
    throw new TypeError(`${where}(): "${kernel}" not implemented for '${dt}'; use dtype "float32" or "float64"`);
  }
  return dt;
}

export function storage(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

export function make(data: Float32Array | Float64Array, size: readonly number[], dtype: DType, requires_grad: boolean | undefined, where: string): Tensor {
  if (requires_grad && dtype !== "float32" && dtype !== "float64") {
    throw new RuntimeError(`${where}(): Only Tensors of floating point dtype can require gradients`);
  }
  return new Tensor(data, size, dtype, requires_grad ?? false);
}

export function checkInplace(t: unknown, where: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}(): expected a Tensor, got ${describe(t)}`);
  return t;
}

export function checkNumber(x: unknown, name: string, where: string): number {
  if (typeof x !== "number" || Number.isNaN(x)) throw new TypeError(`${where}(): ${name} must be a number, got ${describe(x)}`);
  return x;
}

export function checkIntRange(low: number, high: number, where: string): void {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TypeError(`${where}(): low and high must be integers (safe integers), got low=${low}, high=${high}`);
  }
  if (low >= high) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
}

export function checkStd(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
}

export function checkProbabilities(p: Tensor, where: string): void {
  for (const v of p.data) {
    if (!(v >= 0 && v <= 1)) throw new RuntimeError(`${where}(): expected all probabilities in [0, 1], found ${v}`);
  }
}
