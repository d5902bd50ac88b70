/**
 * Adam computes a step's scalars (bias corrections, float32 roundings) once for the parameters of
 * a group at the same step count and dtype, and shares them (adam.ts `adamScalars`; ~150 ns of a
 * tiny model's ~700 ns opt.step()). Parameters that are not at the same step (one without a
 * gradient at some steps) or not of one dtype must still get their own: each parameter of a mixed
 * group is updated exactly as it is by an optimizer of its own.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam, AdamW } from "../../kernel/src/optim/index";
import { rng } from "../tensor/gradcheck";

function params(): Tensor[] {
  const r = rng(3);
  return [
    new Tensor(Float32Array.from({ length: 6 }, () => r() - 0.5), [6], "float32", true),
    new Tensor(Float32Array.from({ length: 3 }, () => r() - 0.5), [3], "float32", true),
    new Tensor(Float64Array.from({ length: 4 }, () => r() - 0.5), [4], "float64", true),
    new Tensor(Float32Array.from({ length: 5 }, () => r() - 0.5), [5], "float32", true),
  ];
}

/** Gradients for step s: parameter 1 has none at steps 1 and 4 (its step count falls behind). */
function grads(ps: Tensor[], s: number): void {
  const r = rng(100 + s);
  ps.forEach((p, k) => {
    const n = p.data.length;
    const values = Array.from({ length: n }, () => (r() - 0.5) * 0.1);
    p.grad = k === 1 && (s === 1 || s === 4) ? null
      : new Tensor(p.data instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values), [n], p.dtype);
  });
}

describe("Adam's scalars shared within a group", () => {
  for (const [name, make] of [
    ["Adam", (ps: Tensor[]) => new Adam(ps, { lr: 0.01, betas: [0.8, 0.95], weight_decay: 0.1 })],
    ["AdamW, amsgrad", (ps: Tensor[]) => new AdamW(ps, { lr: 0.01, weight_decay: 0.1, amsgrad: true })],
  ] as const) {
    it(`${name}: a group whose parameters differ in step count and dtype updates each as alone`, () => {
      const together = params(), alone = params();
      const opt = make(together);
      const opts = alone.map((p) => make([p]));
      for (let s = 0; s < 6; s++) {
        grads(together, s);
        grads(alone, s);
        opt.step();
        // an optimizer of its own steps only a parameter that has a gradient (as the group's skips it)
        opts.forEach((o, k) => { if (alone[k].grad !== null) o.step(); });
      }
      // the lagging parameter's step count is its own
      expect(opt.state.get(together[1])!.step).toBe(4);
      expect(opt.state.get(together[0])!.step).toBe(6);
      together.forEach((p, k) => expect(Array.from(p.data), `parameter ${k}`).toEqual(Array.from(alone[k].data)));
    });
  }
});
