/**
 * Sparse gradients and SparseAdam, unit by unit (the trajectories against PyTorch are in
 * sparse_parity.test.ts): the sparse COO tensor an nn.Embedding({ sparse: true }) backward makes
 * (its indices, values, coalescing, accumulation over two backwards, zero_grad, printing, the
 * errors of what it does not support), SparseAdam's update worked by hand, its validation and
 * state_dict, and what every other optimizer, LBFGS and clip_grad_* do with a sparse gradient
 * (PyTorch 2.13's behaviour, probed with /work/torchvenv/bin/python).
 */
import { describe, expect, test } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Optimizer } from "../../kernel/src/optim/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

const long = (v: number[]) => torch.tensor(v, { dtype: "int64" });
const f64 = (v: number[], shape: number[], requires_grad = false) => new Tensor(Float64Array.from(v), shape, "float64", requires_grad);
/** A float64 [rows, cols] parameter 1, 2, 3, ... */
const table = (rows: number, cols: number) => f64(Array.from({ length: rows * cols }, (_, i) => i + 1), [rows, cols], true);
/** p.grad = the sparse gradient with rows `idx` and values `vals` (one row each). */
function sparseGrad(p: Tensor, idx: number[], vals: number[][]): Tensor {
  const cols = p.shape[1];
  p.grad = torch.sparse_coo_tensor(long([...idx]).reshape(1, idx.length), f64(vals.flat(), [idx.length, cols]), p.shape);
  return p.grad;
}

describe("the sparse gradient of nn.Embedding({ sparse: true })", () => {
  test("one entry per looked-up index, in input order, uncoalesced; coalesce sums the repeats; to_dense", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, sparse: true });
    emb.forward(long([1, 3, 1, 0, 3, 3]).reshape(2, 3)).sum().mul(2).backward();
    const g = emb.weight.grad!;
    expect(g.is_sparse).toBe(true);
    expect(g.layout).toBe("sparse_coo");
    expect(emb.weight.is_sparse).toBe(false);
    expect(emb.weight.layout).toBe("strided");
    expect(g.shape).toEqual([5, 2]);
    expect(g._nnz()).toBe(6);
    expect(g.is_coalesced()).toBe(false);
    expect(g._indices().shape).toEqual([1, 6]);
    expect(Array.from(g._indices().data)).toEqual([1, 3, 1, 0, 3, 3]);
    expect(Array.from(g._values().data)).toEqual(Array(12).fill(2));
    expect(() => g.indices()).toThrow("Cannot get indices on an uncoalesced tensor, please call .coalesce() first");
    expect(() => g.values()).toThrow("Cannot get values on an uncoalesced tensor, please call .coalesce() first");
    // coalesce: rows 0, 1, 3 with 1, 2 and 3 repeats of 2
    const c = g.coalesce();
    expect(c.is_coalesced()).toBe(true);
    expect(Array.from(c.indices().data)).toEqual([0, 1, 3]);
    expect(Array.from(c.values().data)).toEqual([2, 2, 4, 4, 6, 6]);
    expect(c.coalesce()).toBe(c);
    expect(Array.from(g.to_dense().data)).toEqual([2, 2, 4, 4, 0, 0, 6, 6, 0, 0]);
    expect(g.numel()).toBe(10);
    expect([g.sparse_dim(), g.dense_dim()]).toEqual([1, 1]);
  });

  test("repeats are summed in their order (float32: 1e8 + (−1e8) + 1 = 1, but 1 + 1e8 − 1e8 = 0), as PyTorch", () => {
    const vals = (v: number[]) => new Tensor(Float32Array.from(v), [3, 1], "float32");
    const s1 = torch.sparse_coo_tensor(long([1, 1, 1]).reshape(1, 3), vals([1e8, -1e8, 1]), [3, 1]);
    const s2 = torch.sparse_coo_tensor(long([1, 1, 1]).reshape(1, 3), vals([1, 1e8, -1e8]), [3, 1]);
    expect(Array.from(s1.coalesce()._values().data)).toEqual([1]);
    expect(Array.from(s2.coalesce()._values().data)).toEqual([0]);
  });

  test("padding_idx: its positions are left out of the gradient; one entry is coalesced, F.embedding(sparse) too", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, padding_idx: 3, sparse: true });
    expect(String(emb)).toBe("Embedding(5, 2, padding_idx=3, sparse=True)");
    emb.forward(long([1, 3, 1, 0, 3, 3])).sum().backward();
    expect(Array.from(emb.weight.grad!._indices().data)).toEqual([1, 1, 0]);
    const w = table(4, 2);
    torch.nn.functional.embedding(long([2]), w, { sparse: true }).sum().backward();
    expect(w.grad!.is_sparse).toBe(true);
    expect(w.grad!.is_coalesced()).toBe(true); // fewer than two entries
  });

  test("two backwards accumulate into the same sparse .grad (indices appended: [1, 3, 1] then [4]); dense and sparse mix to dense", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, sparse: true });
    emb.forward(long([1, 3, 1])).sum().backward();
    const first = emb.weight.grad!;
    emb.forward(long([4])).sum().backward();
    expect(emb.weight.grad).toBe(first);
    expect(Array.from(first._indices().data)).toEqual([1, 3, 1, 4]);
    expect(first.is_coalesced()).toBe(false);
    // one backward using the weight both ways: dense ∂(2·ΣW)/∂W = 2 everywhere, plus 1 on row 1 twice
    const W = table(4, 2);
    torch.nn.functional.embedding(long([1, 1]), W, { sparse: true }).sum().add(W.mul(2).sum()).backward();
    expect(W.grad!.is_sparse).toBe(false);
    expect(Array.from(W.grad!.data)).toEqual([2, 2, 4, 4, 2, 2, 2, 2]);
    // sparse first, then dense: a new dense .grad
    W.grad = null;
    torch.nn.functional.embedding(long([1, 1]), W, { sparse: true }).sum().backward();
    W.mul(2).sum().backward();
    expect(W.grad!.is_sparse).toBe(false);
    expect(Array.from(W.grad!.data)).toEqual([2, 2, 4, 4, 2, 2, 2, 2]);
  });

  test("zero_grad: set_to_none (default) drops it; set_to_none=false leaves a sparse tensor with no entry (coalesced)", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, sparse: true });
    const opt = new torch.optim.SGD(emb.parameters(), { lr: 0.1 });
    emb.forward(long([1, 3, 1])).sum().backward();
    opt.zero_grad({ set_to_none: false });
    const g = emb.weight.grad!;
    expect([g.is_sparse, g._nnz(), g.is_coalesced()]).toEqual([true, 0, true]);
    emb.forward(long([2])).sum().backward();
    expect(emb.weight.grad).toBe(g);
    expect([g._nnz(), g.is_coalesced(), Array.from(g._indices().data)]).toEqual([1, true, [2]]);
    emb.zero_grad({ set_to_none: false });
    expect(emb.weight.grad!._nnz()).toBe(0);
    opt.zero_grad();
    expect(emb.weight.grad).toBe(null);
  });

  test("prints as PyTorch", () => {
    const W = new Tensor(new Float32Array(6).fill(1), [3, 2], "float32", true);
    torch.nn.functional.embedding(long([0, 2, 0]), W, { sparse: true }).sum().mul(2).backward();
    expect(String(W.grad)).toBe(
      "tensor(indices=tensor([[0, 2, 0]]),\n" +
        "       values=tensor([[2., 2.],\n" +
        "                      [2., 2.],\n" +
        "                      [2., 2.]]),\n" +
        "       size=(3, 2), nnz=3, layout=torch.sparse_coo)",
    );
    W.grad!.zero_();
    expect(String(W.grad)).toBe(
      "tensor(indices=tensor([], size=(1, 0)),\n       values=tensor([], size=(0, 2)),\n       size=(3, 2), nnz=0, layout=torch.sparse_coo)",
    );
    const D = table(3, 2);
    torch.nn.functional.embedding(long([0, 2]), D, { sparse: true }).sum().backward();
    expect(String(D.grad)).toMatch(/size=\(3, 2\), nnz=2, dtype=torch\.float64, layout=torch\.sparse_coo\)$/);
  });

  test("what a sparse tensor does not support is an error naming the operation and saying it is sparse", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, sparse: true });
    emb.forward(long([1, 3])).sum().backward();
    const g = emb.weight.grad!;
    for (const [op, run] of [
      ["sum()", () => g.sum()],
      ["exp()", () => g.exp()],
      ["item()", () => g.item()],
      ["reshape()", () => g.reshape(-1)],
      ["tolist()", () => g.tolist()],
      ["backward()", () => g.backward()],
      ["T", () => g.T],
    ] as [string, () => unknown][]) {
      expect(run, op).toThrow(new RegExp(`^${op.replace(/[()]/g, "\\$&")}: not supported for a sparse tensor \\(layout=torch\\.sparse_coo\\)`));
    }
    // a dense op given a sparse operand: no dense storage to read; the op is named
    expect(() => torch.mul(torch.ones(5, 2), g)).toThrow(/^mul: got a sparse tensor \(layout=torch\.sparse_coo\), which has no dense storage/);
    expect(() => g.data).toThrow(/sparse tensor \(layout=torch\.sparse_coo\), which has no dense storage/);
    // sparse + dense is PyTorch's error; dense + sparse works (no autograd recording)
    expect(() => g.add(torch.ones(5, 2))).toThrow("add(sparse, dense) is not supported. Use add(dense, sparse) instead.");
    const d = torch.zeros([5, 2], { dtype: "float64" });
    d.add_(g, { alpha: 3 });
    expect(Array.from(d.data)).toEqual([0, 0, 3, 3, 0, 0, 3, 3, 0, 0]);
    // a dense tensor refuses the sparse accessors, with PyTorch's messages
    expect(() => d.coalesce()).toThrow("coalesce expected sparse coordinate tensor layout but got Strided");
    expect(d.to_dense()).toBe(d);
  });

  test("sparse + sparse merges the index lists as ATen (coalesced only if both are)", () => {
    const a = torch.sparse_coo_tensor(long([2, 0]).reshape(1, 2), f64([1, 1], [2, 1]), [3, 1]);
    const b = torch.sparse_coo_tensor(long([1, 2]).reshape(1, 2), f64([1, 1], [2, 1]), [3, 1]).coalesce();
    // PyTorch 2.13: a + b → indices [1, 2, 0], values [1, 2, 1], not coalesced
    const c = a.add(b);
    expect([Array.from(c._indices().data), Array.from(c._values().data), c.is_coalesced()]).toEqual([[1, 2, 0], [1, 2, 1], false]);
    const d = a.coalesce().add(b, { alpha: 2 });
    expect([Array.from(d._indices().data), Array.from(d._values().data), d.is_coalesced()]).toEqual([[0, 1, 2], [1, 2, 3], true]);
  });
});

describe("SparseAdam", () => {
  test("one step by hand: lazy moments on the rows present, repeats summed, per-parameter bias correction", () => {
    // p = [[1, 2], [3, 4], [5, 6]], grad rows [0, 2, 0] with values [1, 1], [2, 2], [3, 3]: coalesced g0 = [4, 4], g2 = [2, 2]
    // t = 1, β = (0.9, 0.999), lr = 0.1, ε = 1e-8:
    //   m = 0.1 g, v = 0.001 g²; step size = 0.1·√(1 − 0.999)/(1 − 0.9) = √0.001
    //   Δ = −√0.001 · 0.1 g / (√(0.001 g²) + ε) = −0.1·g/(|g| + ε/√0.001) ≈ −0.1 (sign of g) on rows 0 and 2; row 1 unchanged
    const p = table(3, 2);
    const opt = new torch.optim.SparseAdam([p], { lr: 0.1 });
    sparseGrad(p, [0, 2, 0], [[1, 1], [2, 2], [3, 3]]);
    opt.step();
    const ss = Math.sqrt(0.001);
    const step = (g: number) => -ss * (0.1 * g) / (Math.sqrt(0.001 * g * g) + 1e-8);
    const want = [1 + step(4), 2 + step(4), 3, 4, 5 + step(2), 6 + step(2)];
    Array.from(p.data).forEach((x, i) => expect(x).toBeCloseTo(want[i], 14));
    expect(p.data[2]).toBe(3); // row 1: never in the gradient, never moves
    const st = opt.state.get(p)!;
    expect(st.step).toBe(1);
    expect(Array.from((st.exp_avg as Tensor).data).map((x) => +x.toFixed(12))).toEqual([0.4, 0.4, 0, 0, 0.2, 0.2]);
    expect(Array.from((st.exp_avg_sq as Tensor).data).map((x) => +x.toFixed(12))).toEqual([0.016, 0.016, 0, 0, 0.004, 0.004]);
    // maximize: the same step, uphill
    const q = table(3, 2);
    const up = new torch.optim.SparseAdam([q], { lr: 0.1, maximize: true });
    sparseGrad(q, [0, 2, 0], [[1, 1], [2, 2], [3, 3]]);
    up.step();
    expect(q.data[0]).toBeCloseTo(1 - step(4), 14);
    // an empty gradient: the step is counted, nothing moves
    q.grad!.zero_();
    const before = Array.from(q.data);
    up.step();
    expect(Array.from(q.data)).toEqual(before);
    expect(up.state.get(q)!.step).toBe(2);
  });

  test("PyTorch's errors: a dense gradient, lr/eps/betas ranges, a sparse parameter, an empty list, unknown options", () => {
    const p = table(2, 2);
    p.grad = torch.zeros([2, 2], { dtype: "float64" });
    expect(() => new torch.optim.SparseAdam([p]).step()).toThrow("SparseAdam does not support dense gradients, please consider Adam instead");
    expect(() => new torch.optim.SparseAdam([p], { lr: 0 })).toThrow(/^Invalid learning rate: 0/);
    expect(() => new torch.optim.SparseAdam([p], { lr: -1 })).toThrow(/^Invalid learning rate: -1/);
    expect(() => new torch.optim.SparseAdam([p], { eps: 0 })).toThrow(/^Invalid epsilon value: 0/);
    expect(() => new torch.optim.SparseAdam([p], { betas: [1, 0.9] })).toThrow(/^Invalid beta parameter at index 0: 1/);
    expect(() => new torch.optim.SparseAdam([p], { betas: [0.9, -0.1] })).toThrow(/^Invalid beta parameter at index 1: -0.1/);
    const sp = torch.sparse_coo_tensor(long([0]).reshape(1, 1), f64([1], [1]), [2]);
    expect(() => new torch.optim.SparseAdam([table(2, 2), sp])).toThrow("Sparse params at indices [[0, 1]]: SparseAdam requires dense parameter tensors");
    expect(() => new torch.optim.SparseAdam([])).toThrow("optimizer got an empty parameter list");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new torch.optim.SparseAdam([p], { weight_decay: 0.1 } as any)).toThrow(/SparseAdam.__init__\(\) got an unexpected keyword argument 'weight_decay'/);
    expect(String(new torch.optim.SparseAdam([p]))).toBe(
      "SparseAdam (\nParameter Group 0\n    betas: (0.9, 0.999)\n    eps: 1e-08\n    lr: 0.001\n    maximize: False\n)",
    );
  });

  test("a run resumed from state_dict mid-way continues bit-identically; a state of another shape is refused", () => {
    const grads = (t: number): [number[], number[][]] => [[t % 3, (t + 1) % 3, t % 3], [[t + 1, -1], [0.5, t], [2, 2]]];
    const ref = table(4, 2);
    const refOpt = new torch.optim.SparseAdam([ref], { lr: 0.05 });
    for (let t = 0; t < 8; t++) {
      sparseGrad(ref, ...grads(t));
      refOpt.step();
    }
    const a = table(4, 2);
    const aOpt = new torch.optim.SparseAdam([a], { lr: 0.05 });
    for (let t = 0; t < 4; t++) {
      sparseGrad(a, ...grads(t));
      aOpt.step();
    }
    const b = new Tensor(a.data.slice(), a.shape, a.dtype, true);
    const bOpt = new torch.optim.SparseAdam([b], { lr: 0.05 });
    bOpt.load_state_dict(aOpt.state_dict());
    for (let t = 4; t < 8; t++) {
      sparseGrad(b, ...grads(t));
      bOpt.step();
    }
    expect(Array.from(b.data)).toEqual(Array.from(ref.data));
    expect(() => new torch.optim.SparseAdam([table(3, 2)]).load_state_dict(aOpt.state_dict())).toThrow(/'exp_avg' of shape \[4, 2\]/);
  });
});

describe("the other optimizers given a sparse gradient: as PyTorch 2.13", () => {
  const refusing: [string, (ps: Tensor[]) => Optimizer, string][] = [
    ["Adam", (ps) => new torch.optim.Adam(ps), "Adam does not support sparse gradients, please consider SparseAdam instead"],
    ["AdamW", (ps) => new torch.optim.AdamW(ps), "Adam does not support sparse gradients, please consider SparseAdam instead"],
    ["Adamax", (ps) => new torch.optim.Adamax(ps), "Adamax does not support sparse gradients"],
    ["NAdam", (ps) => new torch.optim.NAdam(ps), "NAdam does not support sparse gradients"],
    ["RAdam", (ps) => new torch.optim.RAdam(ps), "RAdam does not support sparse gradients"],
    ["RMSprop", (ps) => new torch.optim.RMSprop(ps), "RMSprop does not support sparse gradients"],
    ["Adadelta", (ps) => new torch.optim.Adadelta(ps), "Adadelta does not support sparse gradients"],
    ["ASGD", (ps) => new torch.optim.ASGD(ps), "ASGD does not support sparse gradients"],
    ["Rprop", (ps) => new torch.optim.Rprop(ps), "Rprop does not support sparse gradients"],
    ["Adafactor", (ps) => new torch.optim.Adafactor(ps), "Adafactor does not support sparse gradients"],
    ["Muon", (ps) => new torch.optim.Muon(ps), "Muon does not support sparse gradients"],
    ["SGD(fused=True)", (ps) => new torch.optim.SGD(ps, { lr: 0.1, fused: true }), "`_fused_sgd` does not support sparse gradients"],
    ["SGD(weight_decay=0.1)", (ps) => new torch.optim.SGD(ps, { lr: 0.1, weight_decay: 0.1 }), "add(sparse, dense) is not supported. Use add(dense, sparse) instead."],
    ["Adagrad(weight_decay=0.1)", (ps) => new torch.optim.Adagrad(ps, { weight_decay: 0.1 }), "weight_decay option is not compatible with sparse gradients"],
    ["Adagrad(fused=True)", (ps) => new torch.optim.Adagrad(ps, { fused: true }), "`fused` does not support sparse grad or complex param"],
  ];
  for (const [name, make, message] of refusing) {
    // (SGD and Adagrad with weight decay raise in PyTorch's per-parameter loop, after the
    // parameters before the sparse one have moved; lrlab steps the sparse ones first, so raises
    // before the dense one moves: the dense parameter is not checked for those two)
    test(`${name}: "${message}", the sparse parameter unchanged`, () => {
      const dense = table(2, 2);
      dense.grad = f64([1, 1, 1, 1], [2, 2]);
      const p = table(3, 2);
      const opt = make([dense, p]);
      sparseGrad(p, [1, 1], [[1, 2], [3, 4]]);
      expect(() => opt.step()).toThrow(message);
      expect(Array.from(p.data)).toEqual([1, 2, 3, 4, 5, 6]);
      if (!name.includes("weight_decay")) expect(Array.from(dense.data)).toEqual([1, 2, 3, 4]);
    });
  }

  test("SGD and Adagrad with weight decay: the error names the option and says what to do, after PyTorch's words", () => {
    // PyTorch's own words for SGD ("add(sparse, dense) is not supported. Use add(dense, sparse)
    // instead.") name an operation the user never wrote; the message must say which option it is.
    for (const make of [
      (ps: Tensor[]) => new torch.optim.SGD(ps, { lr: 0.1, weight_decay: 0.01 }),
      (ps: Tensor[]) => new torch.optim.Adagrad(ps, { weight_decay: 0.01 }),
    ]) {
      const p = table(3, 2);
      const opt = make([p]);
      sparseGrad(p, [1], [[1, 2]]);
      let message = "";
      try {
        opt.step();
      } catch (e) {
        message = String((e as Error).message);
      }
      expect(message).toMatch(/^(SGD|Adagrad): weight_decay \(0\.01\) cannot be applied to a sparse gradient/);
      expect(message).toMatch(/weight_decay: 0/);
      expect(message).toMatch(/param group/);
    }
  });

  test("SGD: −γ per entry (repeats applied one by one), rows absent unchanged; momentum keeps a sparse buffer", () => {
    // grad rows [1, 1] with [1, 2] and [3, 4], lr 0.1: row 1 = [3, 4] − 0.1·[1, 2] − 0.1·[3, 4] = [2.6, 3.4]
    const p = table(3, 2);
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    sparseGrad(p, [1, 1], [[1, 2], [3, 4]]);
    opt.step();
    expect(Array.from(p.data).map((x) => +x.toFixed(12))).toEqual([1, 2, 2.6, 3.4, 5, 6]);
    // momentum 0.9: b = g (sparse, uncoalesced); next step b = 0.9 b + g' merges row 0 in: [[0], [1, 1]] → indices [0, 1, 1]
    const q = table(3, 2);
    const mom = new torch.optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    sparseGrad(q, [1, 1], [[1, 2], [3, 4]]);
    mom.step();
    const buf = mom.state.get(q)!.momentum_buffer as Tensor;
    expect([buf.is_sparse, buf._nnz(), buf.is_coalesced()]).toEqual([true, 2, false]);
    sparseGrad(q, [0], [[1, 1]]);
    mom.step();
    // q row 0: 1 − 0.1·1 = 0.9; row 1: 2.6 − 0.1·0.9·1 − 0.1·0.9·3 = 2.24 (and 3.4 − 0.1·0.9·(2 + 4) = 2.86)
    expect(Array.from(q.data).map((x) => +x.toFixed(12))).toEqual([0.9, 1.9, 2.24, 2.86, 5, 6]);
    expect(Array.from((mom.state.get(q)!.momentum_buffer as Tensor)._indices().data)).toEqual([0, 1, 1]);
    // the sparse buffer survives state_dict (a copy)
    const saved = mom.state_dict();
    expect((saved.state[0].momentum_buffer as Tensor).is_sparse).toBe(true);
    expect(saved.state[0].momentum_buffer).not.toBe(mom.state.get(q)!.momentum_buffer);
  });

  test("Adagrad: coalesced first; s_R += g², θ_R −= γ g/(√s + ε) on the rows present only", () => {
    // grad rows [1, 1] with [1, 2], [3, 4] → g1 = [4, 6]; s1 = [16, 36]; θ1 = [3, 4] − 0.1·[4/4, 6/6] = [2.9, 3.9] (ε = 1e-10)
    const p = table(3, 2);
    const opt = new torch.optim.Adagrad([p], { lr: 0.1 });
    sparseGrad(p, [1, 1], [[1, 2], [3, 4]]);
    opt.step();
    expect(Array.from(p.data).map((x) => +x.toFixed(9))).toEqual([1, 2, 2.9, 3.9, 5, 6]);
    expect(Array.from((opt.state.get(p)!.sum as Tensor).data)).toEqual([0, 0, 16, 36, 0, 0]);
  });

  test("LBFGS reads the dense equivalent (PyTorch's _gather_flat_grad: to_dense): the same step as with that dense gradient", () => {
    const run = (sparse: boolean) => {
      const p = table(3, 2);
      const opt = new torch.optim.LBFGS([p], { lr: 0.5, max_iter: 1 });
      opt.step(() => {
        if (sparse) sparseGrad(p, [1, 1, 2], [[1, 2], [3, 4], [0.5, 0.5]]);
        else p.grad = f64([0, 0, 4, 6, 0.5, 0.5], [3, 2]);
        return 1;
      });
      return Array.from(p.data);
    };
    expect(run(true)).toEqual(run(false));
    expect(run(true)).not.toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("clip_grad_norm_ and clip_grad_value_ refuse a sparse gradient (PyTorch: NotImplementedError), changing nothing", () => {
    const dense = table(2, 2);
    dense.grad = f64([10, 10, 10, 10], [2, 2]);
    const p = table(3, 2);
    sparseGrad(p, [1], [[3, 4]]);
    expect(() => torch.nn.utils.clip_grad_norm_([dense, p], 1)).toThrow(/^clip_grad_norm_: a gradient is sparse .*aten::linalg_vector_norm/);
    expect(() => torch.nn.utils.clip_grad_value_([dense, p], 1)).toThrow(/^clip_grad_value_: a gradient is sparse .*aten::clamp_min_/);
    expect(Array.from(dense.grad!.data)).toEqual([10, 10, 10, 10]);
  });
});
