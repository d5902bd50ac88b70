/**
 * A parameter listed twice in one group (PyTorch warns that this will become an error): SGD with
 * momentum gives PyTorch 2.13's numbers. PyTorch reads every momentum buffer before it updates any
 * and writes them back after, so on the first step both entries start a buffer of their own, and
 * on later steps both update the one buffer kept. Expected values printed by PyTorch 2.13 (float64,
 * grads [1, 0.5], [0.25, -1], [2, 0], lr 0.1).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

function run(opts: Record<string, unknown>): { steps: number[][]; buf: number[] } {
  const p = new torch.nn.Parameter(torch.tensor([1.0, -2.0], { dtype: "float64" }));
  const o = new torch.optim.SGD([p, p], { lr: 0.1, ...opts });
  const steps: number[][] = [];
  for (const g of [[1.0, 0.5], [0.25, -1.0], [2.0, 0.0]]) {
    p.grad = torch.tensor(g, { dtype: "float64" });
    o.step();
    steps.push(Array.from(p.data as Float64Array));
  }
  return { steps, buf: Array.from((o.state.get(p) as { momentum_buffer: torch.Tensor }).momentum_buffer.data) };
}

function expectClose(got: number[][], want: number[][]): void {
  got.forEach((row, i) => row.forEach((v, j) => expect(v, `step ${i + 1}, element ${j}`).toBeCloseTo(want[i][j], 12)));
}

describe("SGD over a parameter listed twice", () => {
  it("momentum: two fresh buffers on the first step, then one shared buffer", () => {
    // step 1: each entry b = g = [1, 0.5]; θ = [1, -2] − 0.1·[1, 0.5] − 0.1·[1, 0.5] = [0.8, -2.1]
    // step 2: b = 0.9·[1, 0.5] + [0.25, -1] = [1.15, -0.55], θ −= 0.1 b → [0.685, -2.045];
    //         the same b again: 0.9·[1.15, -0.55] + [0.25, -1] = [1.285, -1.495], θ −= 0.1 b → [0.5565, -1.8955]
    const { steps, buf } = run({ momentum: 0.9 });
    expectClose(steps, [[0.8, -2.1], [0.5565, -1.8955], [-0.243235, -1.639855]]);
    expectClose([buf], [[4.84085, -1.21095]]);
  });

  it("nesterov, and dampening with weight decay", () => {
    expectClose(run({ momentum: 0.9, nesterov: true }).steps,
      [[0.62, -2.19], [0.35085, -1.80595], [-0.7689115, -1.5758695]]);
    expectClose(run({ momentum: 0.5, dampening: 0.3, weight_decay: 0.1 }).steps,
      [[0.7811, -2.0597], [0.6425476739, -1.8714172253], [0.2366775760591211, -1.7501384693377395]]);
  });
});
