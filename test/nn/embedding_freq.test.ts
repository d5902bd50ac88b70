/**
 * Embedding's scale_grad_by_freq against PyTorch 2.13 (test/fixtures/generate_embedding_freq.py).
 *
 * Hand-computed first: indices [1, 2, 1] with output gradients g0, g1, g2 give row 1 the gradient
 * (g0 + g2) / 2 (index 1 occurs twice), row 2 the gradient g1 (once); without the option row 1
 * would get g0 + g2. The fixture's cases check the same rule bit for bit, with repeats up to ~40,
 * padding rows (skipped, but counted), a 0-dim index, float32 and float64.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";

interface Case { dtype: "float32" | "float64"; num: number; dim: number; idx_shape: number[]; padding_idx: number | null; weight: number[]; idx: number[]; g: number[]; grad: number[] }
const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn/embedding_freq.json"), "utf8")) as { cases: Case[]; repr: string; sparse_error: string };

describe("Embedding scale_grad_by_freq", () => {
  it("divides each position's gradient by its index's count (hand-computed)", () => {
    const w = torch.zeros([3, 2], { requires_grad: true });
    const y = torch.nn.functional.embedding(torch.tensor([1, 2, 1], { dtype: "int64" }), w, { scale_grad_by_freq: true });
    // g0 = [2, 4], g1 = [6, 8], g2 = [10, 12]: row 1 = ([2, 4] + [10, 12]) / 2 = [6, 8]; row 2 = [6, 8]
    y.backward(torch.tensor([[2, 4], [6, 8], [10, 12]]));
    expect(Array.from(w.grad!.data)).toEqual([0, 0, 6, 8, 6, 8]);
  });

  for (const [i, c] of fx.cases.entries()) {
    it(`case ${i}: ${c.dtype}, ${c.num}×${c.dim}, indices [${c.idx_shape.join(", ")}], padding_idx ${String(c.padding_idx)}: PyTorch's gradient bit for bit`, () => {
      for (const via of ["functional", "module"] as const) {
        const w = torch.tensor(c.weight, { dtype: c.dtype }).reshape([c.num, c.dim]);
        const idx = torch.tensor(c.idx, { dtype: "int64" }).reshape(c.idx_shape);
        let y: torch.Tensor, grad: () => torch.Tensor | null;
        if (via === "functional") {
          w.requires_grad_(true);
          y = torch.nn.functional.embedding(idx, w, { padding_idx: c.padding_idx, scale_grad_by_freq: true });
          grad = () => w.grad;
        } else {
          const m = torch.nn.Embedding.from_pretrained(w, { freeze: false, padding_idx: c.padding_idx, scale_grad_by_freq: true });
          y = m.forward(idx);
          grad = () => m.weight.grad;
        }
        y.backward(torch.tensor(c.g, { dtype: c.dtype }).reshape([...c.idx_shape, c.dim]));
        expect(Array.from(grad()!.data), via).toEqual(c.grad);
      }
    });
  }

  it("is a module attribute and in its repr, as PyTorch's", () => {
    const m = new torch.nn.Embedding(10, 3, { padding_idx: 2, scale_grad_by_freq: true });
    expect(m.scale_grad_by_freq).toBe(true);
    expect(m.toString()).toBe(fx.repr);
    expect(new torch.nn.Embedding(10, 3).scale_grad_by_freq).toBe(false);
  });

  it("with sparse gradients: PyTorch's error at backward; a non-boolean: an error naming the option", () => {
    const w = torch.randn([4, 2], { requires_grad: true });
    const y = torch.nn.functional.embedding(torch.tensor([0, 1, 1], { dtype: "int64" }), w, { scale_grad_by_freq: true, sparse: true });
    expect(() => y.sum().backward()).toThrow(fx.sparse_error);
    expect(() => new torch.nn.Embedding(4, 2, { scale_grad_by_freq: 1 as unknown as boolean })).toThrow("Embedding: scale_grad_by_freq must be a boolean, got 1");
  });
});
