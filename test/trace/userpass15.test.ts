/**
 * A researcher's pass (session 15, /work/scratch/s15/userA findings 1 and 6), through the
 * library as a traced cell runs it:
 * - lr_preconditioned counted the elements that never had a gradient: their factor is
 *   γ/((1−β1^t)·ε) under Adam (γ/ε under RMSprop, Adagrad), their step 0. An Embedding(100, 8)
 *   of which 20 rows are used read a median of 1.138e5 for lr 1e-3. Now those elements are left
 *   out (preconditioned.ts): the quantiles are those of the elements whose state has seen a
 *   gradient, checked against the optimizer's own state element by element.
 * - SGD's weight_decay given as a tensor (PyTorch allows it) was recorded as null.
 * Both tests failed before.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";

const { nn } = torch;

describe("lr_preconditioned leaves out elements whose state has seen no gradient", () => {
  it("Adam on an Embedding with unused rows: the factors of the used rows only", () => {
    torch.manual_seed(0);
    const emb = new nn.Embedding(100, 8);
    const head = new nn.Linear(8, 1);
    const opt = new torch.optim.Adam([...emb.parameters(), ...head.parameters()], { lr: 1e-3 });
    const t = trace(opt, { batch_size: 10, name: "embadam" });
    for (let i = 0; i < 20; i++) {
      const ids = torch.randint(0, 20, [10]); // only the first 20 of 100 rows are ever used
      opt.zero_grad();
      head.forward(emb.forward(ids)).pow(2).mean().backward();
      opt.step();
    }
    const q = t.latest()!.lr_preconditioned!;
    t.stop();
    // the factor of every element whose second moment is nonzero, from the optimizer's state
    const f: number[] = [];
    for (const p of [emb.weight, head.weight, head.bias!]) {
      const st = opt.state.get(p) as { step: number; exp_avg_sq: { data: Float32Array } };
      const tt = Number(st.step);
      for (const v of st.exp_avg_sq.data) if (v !== 0) f.push(1e-3 / (1 - 0.9 ** tt) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** tt) + 1e-8));
    }
    expect(f.length).toBe(20 * 8 + 8 + 1);
    expect(q.max).toBe(Math.max(...f));
    expect(q.min).toBe(Math.min(...f));
    // before: 113840.33 (= 1e-3/(1−0.9^20)/1e-8) from q25 up
    expect(q.q50).toBeLessThan(1);
    expect(q.q95).toBeLessThanOrEqual(q.max);
  });

  for (const [name, make] of [
    ["Adam", (p: torch.Tensor) => new torch.optim.Adam([p], { lr: 0.01 })],
    ["AdamW", (p: torch.Tensor) => new torch.optim.AdamW([p], { lr: 0.01 })],
    ["Adamax", (p: torch.Tensor) => new torch.optim.Adamax([p], { lr: 0.01 })],
    ["RMSprop", (p: torch.Tensor) => new torch.optim.RMSprop([p], { lr: 0.01 })],
    ["Adagrad", (p: torch.Tensor) => new torch.optim.Adagrad([p], { lr: 0.01 })],
  ] as const) {
    it(`${name}: masked elements (no gradient, no step) have no factor`, () => {
      // loss Σ p²·mask with mask [1, 0, 1, 0, 1, 1]: elements 1 and 3 never get a gradient;
      // before, max read 1e7 (Adam, AdamW, Adamax: γ/((1−β1)·ε)), 1e6 (RMSprop: γ/ε), 1e8 (Adagrad)
      const p = torch.tensor([1, 2, 3, 4, 5, 6], { requires_grad: true });
      const mask = torch.tensor([1, 0, 1, 0, 1, 1]);
      const opt = make(p);
      const t = trace(opt, { batch_size: 1 });
      opt.zero_grad();
      p.mul(p).mul(mask).sum().backward();
      opt.step();
      const q = t.latest()!.lr_preconditioned!;
      const e = t.latest()!.lr_elementwise!;
      t.stop();
      expect(q.max).toBeLessThan(1);
      // at the first step of these optimizers ρ (measured, g ≠ 0 only) and the factor agree in range
      expect(q.max / e.max).toBeLessThan(20);
    });
  }
});

describe("hyper-parameters given as one-element tensors are recorded", () => {
  it("SGD's weight_decay as a tensor: the trace's weight_decay is its value, not null", () => {
    const p = torch.tensor([1, -2], { requires_grad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1, weight_decay: torch.tensor(0.1) as unknown as number });
    const t = trace(opt, { batch_size: 1 });
    opt.zero_grad();
    p.sum().backward();
    opt.step();
    expect(t.latest()!.weight_decay).toBeCloseTo(0.1, 6);
    t.stop();
  });
});
