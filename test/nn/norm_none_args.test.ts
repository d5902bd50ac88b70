/**
 * F.batch_norm / F.layer_norm with PyTorch's positional arguments and None (null) weight, bias and
 * running statistics (kernel/src/nn/functional/normalization.ts): `F.batch_norm(x, rm, rv, null)`
 * crashed with "Cannot read properties of null (reading 'weight')". group_norm and instance_norm,
 * positional already, are checked with null too. Values and input gradients in float64 and
 * float32 from PyTorch 2.13: test/fixtures/generate_hooks.py ("norm_none").
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { fixture } from "./helpers";

const F = torch.nn.functional;
const ref = fixture("hooks.json").norm_none;

function close(a: Tensor, expected: unknown, rtol: number, what: string): void {
  const e = (expected as number[]).flat(Infinity) as number[];
  const got = Array.from(a.data);
  expect(got.length, what).toBe(e.length);
  const scale = Math.max(...e.map(Math.abs));
  got.forEach((v, i) => expect(Math.abs(v - e[i]), `${what}[${i}]: ${v} vs ${e[i]}`).toBeLessThanOrEqual(rtol * (Math.abs(e[i]) + scale)));
}

for (const dt of ["float64", "float32"] as const) {
  describe(`normalisation with null arguments (${dt})`, () => {
    const r = ref[dt];
    const dtype = torch[dt];
    const rtol = dt === "float32" ? 2e-6 : 1e-12;
    const T = (v: unknown) => torch.tensor(v as number[], { dtype });
    const specs: Record<string, (x: Tensor) => Tensor> = {
      bn_eval_none_weight: (x) => F.batch_norm(x, T(r.rm), T(r.rv), null),
      bn_eval_weight_none_bias: (x) => F.batch_norm(x, T(r.rm), T(r.rv), T(r.w), null, false, 0.1, 1e-3),
      bn_train_no_stats: (x) => F.batch_norm(x, null, null, null, T(r.b), true),
      bn_train_none_weight_bias: (x) => F.batch_norm(x, T(r.rm), T(r.rv), null, null, true, 0.2),
      ln_none: (x) => F.layer_norm(x, [2], null),
      ln_none_bias: (x) => F.layer_norm(x, [3, 2], null, null, 1e-3),
      ln_weight_only: (x) => F.layer_norm(x, [2], T([2, -1]), null),
      gn_none: (x) => F.group_norm(x, 3, null, T(r.b), 1e-3),
      in_none: (x) => F.instance_norm(x, null, null, null, null),
    };
    for (const [name, f] of Object.entries(specs)) {
      it(`${name}: values and the input's gradient`, () => {
        const x = T(r.x).requires_grad_();
        const y = f(x);
        const c = r.cases[name];
        close(y, c.y, rtol, "y");
        y.backward(torch.linspace(-1, 1, y.numel(), { dtype }).reshape(y.shape));
        // float32: PyTorch computes in float32, lrlab in float64; a 2-element layer_norm's
        // gradient is a near-total cancellation, so float32 gradients get 1e-4 of their scale
        close(x.grad!, c.x_grad, dt === "float32" ? 1e-4 : rtol * 10, "x.grad");
      });
    }

    it("training with null weight updates the running statistics in place", () => {
      const rm = T(r.rm), rv = T(r.rv);
      F.batch_norm(T(r.x), rm, rv, null, null, true, 0.2);
      close(rm, r.cases.bn_train_stats_after.rm, rtol, "running_mean");
      close(rv, r.cases.bn_train_stats_after.rv, rtol, "running_var");
    });
  });
}

describe("argument errors", () => {
  it("the options object still works, and unknown keys or too many arguments are named", () => {
    const x = torch.randn([4, 3]);
    const a = F.batch_norm(x, torch.zeros([3]), torch.ones([3]), { weight: null, eps: 1e-5 });
    const b = F.batch_norm(x, torch.zeros([3]), torch.ones([3]), null, null, false, 0.1, 1e-5);
    expect(a.tolist()).toEqual(b.tolist());
    expect(() => F.batch_norm(x, null, null, { wieght: null } as never)).toThrow("batch_norm() got an unexpected keyword argument 'wieght' (allowed: weight, bias, training, momentum, eps)");
    expect(() => (F.batch_norm as any)(x, null, null, null, null, true, 0.1, 1e-5, 1)).toThrow("batch_norm() takes from 3 to 8 positional arguments but 9 were given");
    expect(() => F.layer_norm(x, [3], { epsilon: 1 } as never)).toThrow("layer_norm() got an unexpected keyword argument 'epsilon' (allowed: weight, bias, eps)");
  });
});
