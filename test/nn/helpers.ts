/** Shared helpers for the nn/data tests: fixtures from real PyTorch and tolerance checks. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import type { DType } from "../../kernel/src/tensor/tensor";

export interface FixtureTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "nn", name), "utf8")) as T;
}

const DTYPES: Record<string, DType> = { float32: "float32", float64: "float64", int64: "int64", bool: "bool" };

/** A fresh Tensor holding a fixture tensor's values (exactly). */
export function fromFixture(f: FixtureTensor, requires_grad = false): Tensor {
  const dtype = DTYPES[f.dtype];
  if (!dtype) throw new Error(`fixture dtype ${f.dtype}`);
  const data = dtype === "float32" ? Float32Array.from(f.data) : Float64Array.from(f.data);
  return new Tensor(data, f.shape, dtype, requires_grad);
}

/**
 * Tolerances: 1e-12 relative for float64 and 1e-6 for float32. "Relative" is measured against the
 * tensor's scale, |a - b| ≤ rtol·(|b| + max|ref|), because entries that cancel to almost 0 (a
 * gradient summing terms of opposite signs) cannot be matched relative to themselves when our
 * summation order differs from PyTorch's.
 */
export function expectClose(actual: Tensor | null | undefined, expected: FixtureTensor, what = ""): void {
  expect(actual, `${what}: missing tensor`).toBeTruthy();
  const a = actual as Tensor;
  expect(a.shape, `${what}: shape`).toEqual(expected.shape);
  expect(a.dtype, `${what}: dtype`).toBe(expected.dtype);
  const rtol = a.dtype === "float32" ? 1e-6 : 1e-12;
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const v = a.data[i];
    const tol = rtol * (Math.abs(e) + scale);
    if (!(Math.abs(v - e) <= tol)) {
      throw new Error(`${what}: element ${i} is ${v}, PyTorch has ${e} (|diff| ${Math.abs(v - e)} > ${tol})`);
    }
  }
}

/** Bitwise equality with a fixture (for values PyTorch draws from its generator). */
export function expectExact(actual: Tensor, expected: FixtureTensor, what = ""): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(Array.from(actual.data), what).toEqual(expected.data);
}

/** A layer's forward and backward as PyTorch ran it (generate_nn.py, generate_conv.py). */
export interface LayerCase {
  name: string;
  state_before: Record<string, FixtureTensor>;
  x: FixtureTensor;
  upstream: FixtureTensor;
  y: FixtureTensor;
  grad_x: FixtureTensor;
  param_grads: Record<string, FixtureTensor>;
  state_after: Record<string, FixtureTensor>;
}

/**
 * Runs module `m` (built for case `c`, in float64 when the case is) from PyTorch's parameters and
 * buffers, and checks the output, the input's and every parameter's gradient, and the state after
 * (a BatchNorm's running statistics) against the case.
 */
export function checkLayerCase(m: { double(): unknown; load_state_dict(sd: Record<string, Tensor>): unknown; forward(x: Tensor): unknown;
  named_parameters(): Iterable<[string, Tensor]>; state_dict(): Record<string, Tensor> }, c: LayerCase): void {
  if (c.x.dtype === "float64") m.double();
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.state_before)) sd[k] = fromFixture(v);
  m.load_state_dict(sd);
  const x = fromFixture(c.x, true);
  const y = m.forward(x) as Tensor;
  expectClose(y, c.y, `${c.name} forward`);
  y.backward(fromFixture(c.upstream));
  expectClose(x.grad, c.grad_x, `${c.name} grad x`);
  const params = Object.fromEntries(m.named_parameters());
  expect(Object.keys(params).sort()).toEqual(Object.keys(c.param_grads).sort());
  for (const [k, g] of Object.entries(c.param_grads)) expectClose(params[k].grad, g, `${c.name} grad ${k}`);
  const after = m.state_dict();
  expect(Object.keys(after)).toEqual(Object.keys(c.state_after));
  for (const [k, v] of Object.entries(c.state_after)) {
    if (v.dtype === "int64") expect(Array.from(after[k].data)).toEqual(v.data);
    else expectClose(after[k], v, `${c.name} state ${k}`);
  }
}
