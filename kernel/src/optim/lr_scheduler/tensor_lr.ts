/**
 * A Tensor lr in the schedulers, as PyTorch 2.13 handles it.
 *
 * An optimizer may hold `lr` as a 1-element tensor (`torch.optim.SGD(params, lr=torch.tensor(0.01))`).
 * PyTorch's schedulers then keep it a tensor: `base_lrs` and `initial_lr` are clones of it, each
 * rate is computed in tensor arithmetic (`group["lr"] * gamma`, `eta_min + (base_lr - eta_min) * c / 2`,
 * one op at a time, each rounded to the tensor's dtype), written back in place with
 * `group["lr"].fill_(value)` (so the optimizer's tensor stays the same object), and `get_last_lr()`
 * returns clones of the groups' tensors. Rates computed from numbers only (CyclicLR, OneCycleLR,
 * ReduceLROnPlateau) are written into the tensor the same way, rounded to its dtype.
 *
 * The ops below reproduce that arithmetic on 0-dim values: with a float32 operand, both operands
 * are rounded to float32 and so is the result (PyTorch's CPU kernel for float32 casts a Python
 * scalar to float32 and computes in float32, and one IEEE op on float32 values computed in double
 * and rounded once gives the same bits); with a float64 operand, they are double ops, which is
 * what plain numbers give. Each scheduler's `get_lr` uses them in PyTorch's order of operations.
 */
import { Tensor } from "../../tensor/tensor";
import { TypeError_ } from "./errors";
import { tensorValueText } from "../_functional";

/** A group's rate as a schedule computes with it: a Python float (number) or a 1-element float tensor. */
export type Lr = number | Tensor;

/** The float dtypes a scheduler computes in (see checkTensorLr for the others). */
type FloatDType = "float32" | "float64";

/** The dtype and shape of the result of an op between `a` and `b`, or null for two numbers. */
function resultOf(a: Lr, b: Lr): { dtype: FloatDType; shape: number[] } | null {
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (ta === null && tb === null) return null;
  // between tensors, the wider float dtype (0-dim tensors of one category promote to the wider one)
  const dtype: FloatDType = ta?.dtype === "float64" || tb?.dtype === "float64" ? "float64" : "float32";
  const shape = [ta, tb].reduce<number[]>((s, t) => (t !== null && t.shape.length > s.length ? [...t.shape] : s), []);
  return { dtype, shape };
}

/** A fresh tensor holding `value` rounded to `dtype`. */
function tensorOfValue(value: number, dtype: FloatDType, shape: number[]): Tensor {
  const data = dtype === "float32" ? Float32Array.of(value) : Float64Array.of(value);
  return new Tensor(data, shape, dtype);
}

/** One binary op in PyTorch's arithmetic (see the file comment). */
function binary(a: Lr, b: Lr, op: (x: number, y: number) => number): Lr {
  const out = resultOf(a, b);
  if (out === null) return op(a as number, b as number);
  const x = Number(a instanceof Tensor ? a.data[0] : a);
  const y = Number(b instanceof Tensor ? b.data[0] : b);
  if (out.dtype === "float32") return tensorOfValue(op(Math.fround(x), Math.fround(y)), "float32", out.shape);
  return tensorOfValue(op(x, y), "float64", out.shape);
}

/** `a * b` as PyTorch computes it (a Python float product, or a tensor op). */
export const mul = (a: Lr, b: Lr): Lr => binary(a, b, (x, y) => x * y);
/** `a + b` as PyTorch computes it. */
export const add = (a: Lr, b: Lr): Lr => binary(a, b, (x, y) => x + y);
/** `a - b` as PyTorch computes it. */
export const sub = (a: Lr, b: Lr): Lr => binary(a, b, (x, y) => x - y);
/** `a / b` as PyTorch computes it. */
export const div = (a: Lr, b: Lr): Lr => binary(a, b, (x, y) => x / y);

/** PyTorch's `_param_groups_val_list` entry: a tensor is cloned, so no two lists alias one tensor. */
export function copyLr<T>(value: T): T {
  return (value instanceof Tensor ? value.clone() : value) as T;
}

/**
 * PyTorch's `_update_param_group_val`: a tensor in the group is filled in place with the value
 * (rounded to its dtype), so the optimizer and any reference to it see the new rate; anything
 * else is replaced.
 */
export function setGroupValue(group: Record<string, unknown>, key: string, value: unknown): void {
  const current = group[key];
  if (current instanceof Tensor) current.fill_(value instanceof Tensor ? Number(value.data[0]) : (value as number));
  else group[key] = value;
}

/**
 * The Tensor lrs a scheduler takes: 1-element float32 or float64 tensors. PyTorch also runs a
 * schedule on an integer tensor (its rates are computed in float32 and truncated back into the
 * integer tensor by `fill_`, so `StepLR` turns lr 1 into 0); lrlab refuses that instead.
 */
export function checkTensorLr(lr: Tensor, where: string): void {
  if (lr.data.length !== 1) throw TypeError_(`${where} is a Tensor with ${lr.data.length} elements: a Tensor lr must be 1-element`);
  if (lr.dtype === "float32" || lr.dtype === "float64") return;
  throw TypeError_(
    `${where} is a ${lr.dtype} Tensor: lrlab's learning-rate schedulers take a float32 or float64 Tensor lr ` +
      `(PyTorch would write each rate back into the ${lr.dtype} tensor, truncated). ` +
      `Use lr: torch.tensor(${tensorValueText(lr)}, { dtype: torch.float64 }) or a number.`,
  );
}
