/**
 * nn.Embedding and F.embedding against PyTorch 2.13. The numbers below were printed by:
 *
 *   torch.manual_seed(0)
 *   e = torch.nn.Embedding(6, 3, padding_idx=2)
 *   idx = torch.tensor([[1, 2], [5, 1]])
 *   out = e(idx)
 *   coef = torch.arange(12, dtype=torch.float32).reshape(2, 2, 3)
 *   (out * coef).sum().backward()
 *   e.weight, out, e.weight.grad
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const WEIGHT = [
  -1.1258398294448853, -1.152360200881958, 0.5666506290435791, 0.7935083508491516, 0.5988394618034363, -1.5550950765609741,
  0.0, 0.0, 0.0, -0.1577124446630478, -0.1733967512845993, 0.18347793817520142,
  1.3893661499023438, 1.586334228515625, 0.946298360824585, -0.843676745891571, 0.9318265914916992, 1.2590092420578003,
];

describe("nn.Embedding", () => {
  it("PyTorch's table for the seed (N(0, 1), padding row zeroed), its rows, and the gradient (padding row left at zero)", () => {
    torch.manual_seed(0);
    const e = new torch.nn.Embedding(6, 3, { padding_idx: 2 });
    expect(Array.from(e.weight.data)).toEqual(WEIGHT.map(Math.fround));
    const idx = torch.tensor([[1, 2], [5, 1]], { dtype: "int64" });
    const out = e.forward(idx);
    expect(out.shape).toEqual([2, 2, 3]);
    // rows 1, 2 (the zero padding row), 5, 1
    const row = (r: number) => WEIGHT.slice(3 * r, 3 * r + 3).map(Math.fround);
    expect(Array.from(out.data)).toEqual([...row(1), ...row(2), ...row(5), ...row(1)]);
    const coef = torch.arange(12, { dtype: "float32" }).reshape([2, 2, 3]);
    out.mul(coef).sum().backward();
    // row 1 is read at positions 0 and 3: coef [0, 1, 2] + [9, 10, 11] = [9, 11, 13]; row 5 at
    // position 2: [6, 7, 8]; row 2 (padding) at position 1: no gradient
    expect(Array.from(e.weight.grad!.data)).toEqual([0, 0, 0, 9, 11, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 7, 8]);
    expect(e.toString()).toBe("Embedding(6, 3, padding_idx=2)");
    expect(new torch.nn.Embedding(10, 4).toString()).toBe("Embedding(10, 4)");
  });

  it("negative padding_idx, a 0-D index, from_pretrained (frozen unless asked), F.embedding", () => {
    expect(new torch.nn.Embedding(6, 3, { padding_idx: -1 }).padding_idx).toBe(5);
    const e = new torch.nn.Embedding(6, 3);
    expect(e.forward(torch.tensor(3, { dtype: "int64" })).shape).toEqual([3]);
    const table = torch.tensor([[1, 2], [3, 4]]);
    const p = torch.nn.Embedding.from_pretrained(table);
    expect(p.weight.requires_grad).toBe(false);
    expect(p.toString()).toBe("Embedding(2, 2)");
    expect(Array.from(p.forward(torch.tensor([1, 0, 1], { dtype: "int64" })).data)).toEqual([3, 4, 1, 2, 3, 4]);
    expect(torch.nn.Embedding.from_pretrained(table, { freeze: false }).weight.requires_grad).toBe(true);
    const w = torch.randn(4, 2, { requires_grad: true });
    const y = torch.nn.functional.embedding(torch.tensor([3, 3], { dtype: "int64" }), w);
    y.sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([0, 0, 0, 0, 0, 0, 2, 2]);
  });

  it("bad input: PyTorch's messages", () => {
    const e = new torch.nn.Embedding(6, 3);
    expect(() => e.forward(torch.tensor([6], { dtype: "int64" }))).toThrow(/^index out of range in self/);
    expect(() => e.forward(torch.tensor([-1], { dtype: "int64" }))).toThrow(/^index out of range in self/);
    expect(() => e.forward(torch.tensor([1.0]))).toThrow("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead");
    expect(() => new torch.nn.Embedding(6, 3, { padding_idx: 6 })).toThrow("Padding_idx must be within num_embeddings");
    // max_norm is supported (PyTorch's renormalisation: test/nn/nnsweep.test.ts)
    // scale_grad_by_freq is supported (test/nn/embedding_freq.test.ts)
    // sparse: true is supported (its gradients: test/optim/sparse.test.ts)
    expect(new torch.nn.Embedding(6, 3, { sparse: true }).sparse).toBe(true);
    expect(() => new torch.nn.Embedding(-1, 3)).toThrow(/num_embeddings must be a non-negative integer/);
  });

  it("trains: an embedding and a linear head learn a lookup", () => {
    torch.manual_seed(1);
    const emb = new torch.nn.Embedding(4, 8);
    const head = new torch.nn.Linear(8, 1);
    const opt = new torch.optim.Adam([...emb.parameters(), ...head.parameters()], { lr: 0.05 });
    const idx = torch.tensor([0, 1, 2, 3], { dtype: "int64" });
    const target = torch.tensor([[1], [-1], [2], [0.5]]);
    let loss = Infinity;
    for (let s = 0; s < 200; s++) {
      opt.zero_grad();
      const l = torch.nn.functional.mse_loss(head.forward(emb.forward(idx)), target);
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(1e-3);
  });
});
