/**
 * Function cases of test/fixtures/generate_spatial.py: a function of float tensors (each requiring
 * grad) run as PyTorch ran it, its value and every input's gradient checked (helpers.ts tolerances).
 */
import { expect } from "vitest";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

export interface FnCase {
  name: string;
  inputs: FixtureTensor[];
  upstream: FixtureTensor;
  y: FixtureTensor;
  grads: (FixtureTensor | null)[];
}

export function checkFnCase(fn: (...xs: Tensor[]) => Tensor, c: FnCase): void {
  const xs = c.inputs.map((t) => fromFixture(t, true));
  const y = fn(...xs);
  expectClose(y, c.y, `${c.name} forward`);
  y.backward(fromFixture(c.upstream));
  c.grads.forEach((g, i) => {
    if (g === null) expect(xs[i].grad, `${c.name} grad ${i}`).toBeNull();
    else expectClose(xs[i].grad, g, `${c.name} grad ${i}`);
  });
}

/** The case's name without the float32 suffix (the key of the tests' tables). */
export const baseName = (name: string): string => name.replace(/_f32$/, "");
