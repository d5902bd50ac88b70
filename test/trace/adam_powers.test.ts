/**
 * Adam's factor (lr_preconditioned) takes β1^t and β2^t from the optimizer's last step
 * (optim/adam_powers.ts) when (t, β1, β2) are the ones it needs, else computes its own. Another
 * Adam stepped between the traced optimizer's step and the tracer's measure of it (here by a
 * post-hook registered before the trace, which runs first) leaves its own powers there: with other
 * betas, or the same betas at another step count, the trace must measure exactly what it measures
 * without that other optimizer.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import * as optim from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/index";
import { adamPowers } from "../../kernel/src/optim/adam_powers";
import { rng } from "../tensor/gradcheck";

/** Every step's latest() as JSON, Adam on a weight of 10 and a bias of 1; `other` stepped by a post-hook. */
function run(small: boolean, other: { betas: [number, number]; ahead: number } | null): string[] {
  const r = rng(27);
  const param = (n: number) => new Tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n], "float32", true);
  const w = param(10), b = param(1);
  const opt = new optim.Adam([w, b], { lr: 0.01 });
  if (other !== null) {
    const q = param(3);
    q.grad = new Tensor(Float32Array.from([0.1, -0.2, 0.3]), [3], "float32");
    const o = new optim.Adam([q], { lr: 0.01, betas: other.betas });
    for (let i = 0; i < other.ahead; i++) o.step();
    opt.register_step_post_hook(() => {
      o.step();
    });
  }
  const t = trace(opt as unknown as Parameters<typeof trace>[0], { batch_size: 8 });
  t._use_small = small;
  const out: string[] = [];
  const gr = rng(5);
  for (let s = 0; s < 30; s++) {
    for (const p of [w, b]) p.grad = new Tensor(Float32Array.from(p.data, () => gr() - 0.5), p.shape, "float32");
    opt.step();
    out.push(JSON.stringify(t.latest()));
  }
  t.stop();
  return out;
}

describe("Adam's factor with another Adam's powers left by a step in between", () => {
  for (const small of [true, false]) {
    it(`${small ? "small" : "general"} path: other betas, or the same betas at another step count, change nothing`, () => {
      const alone = run(small, null);
      expect(alone[29]).toMatch(/"lr_preconditioned":\{/);
      const otherBetas = run(small, { betas: [0.5, 0.6], ahead: 0 });
      expect(adamPowers.b1).toBe(0.5); // (the other's were the last)
      expect(otherBetas).toEqual(alone);
      const otherStep = run(small, { betas: [0.9, 0.999], ahead: 3 });
      expect(adamPowers.t).toBe(33);
      expect(otherStep).toEqual(alone);
    });
  }
});
