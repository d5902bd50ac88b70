/**
 * End to end through the package root (`import * as torch`), against PyTorch: seeded init, randn,
 * randint, a shuffled DataLoader, Sequential(Linear, Tanh, Linear, GELU, Linear), CrossEntropy with
 * label smoothing, backward, clip_grad_norm_ and SGD with momentum, 3 epochs.
 *
 * Tolerances as everywhere: float64 1e-12, float32 1e-6 relative (to the tensor's scale for the
 * final weights), across all 12 steps.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { fixture } from "./helpers";

const runs = fixture("training.json");

describe("a seeded training run equals PyTorch's", () => {
  it.each((runs as any[]).map((r) => [r.dtype, r] as [string, any]))("%s", (_d, run) => {
    const dtype = run.dtype as "float32" | "float64";
    torch.manual_seed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(4, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 8), new torch.nn.GELU(), new torch.nn.Linear(8, 3),
    ).to(dtype);
    const X = torch.randn([20, 4], { dtype });
    const y = torch.randint(0, 3, [20]);
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, y), { batch_size: 6, shuffle: true });
    const loss_fn = new torch.nn.CrossEntropyLoss({ label_smoothing: 0.05 });
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const [xb, yb] of loader) {
        opt.zero_grad();
        const loss: Tensor = loss_fn.forward(model.forward(xb), yb);
        loss.backward();
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
        opt.step();
        losses.push(loss.data[0]);
      }
    }
    const rtol = dtype === "float32" ? 1e-6 : 1e-12;
    expect(losses.length).toBe(run.losses.length);
    losses.forEach((l, i) => expect(Math.abs(l - run.losses[i]), `loss ${i}`).toBeLessThanOrEqual(rtol * Math.abs(run.losses[i])));
    const sd = model.state_dict();
    for (const [k, v] of Object.entries(run.final) as [string, any][]) {
      const scale = Math.max(...v.data.map(Math.abs));
      v.data.forEach((e: number, i: number) => {
        expect(Math.abs(sd[k].data[i] - e), `${k}[${i}]`).toBeLessThanOrEqual(rtol * (Math.abs(e) + scale));
      });
    }
  });
});
