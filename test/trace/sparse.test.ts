/**
 * The tracer on steps with sparse gradients (nn.Embedding({ sparse: true })): g_t is the sparse
 * gradient's dense equivalent (zeros on the rows it lacks, repeated rows summed), so the metrics
 * are EFFECTIVE_LR.md's on that vector; SparseAdam's lr_preconditioned is its own factor
 * (γ√(1−β2^t)/(1−β1^t)) / (√v_t + ε) over the elements of the rows present at the step (the
 * others do not move). The large case (over 65,536 elements) goes through the shared-memory copies
 * and the worker thread. The gradient the optimizer reads stays the sparse one.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { trace } from "../../kernel/src/trace/index";

const long = (v: number[]) => torch.tensor(v, { dtype: "int64" });
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function table(rows: number, cols: number): Tensor {
  return new Tensor(Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i + 1)), [rows, cols], "float64", true);
}

describe("trace with sparse gradients", () => {
  it("SGD: lr_projected = lr_realized = γ on the dense equivalent (repeats summed), ρ = γ; .grad stays sparse", () => {
    // rows [1, 3, 1] of a 5×2 table, loss Σ rows·c: g = 2c on row 1, c on row 3, 0 elsewhere;
    // SGD steps −γ per entry, so Δ = −γ g on the dense equivalent: −⟨Δ, g⟩/‖g‖² = ‖Δ‖/‖g‖ = γ
    const emb = torch.nn.Embedding.from_pretrained(table(5, 2), { freeze: false, sparse: true });
    const opt = new torch.optim.SGD(emb.parameters(), { lr: 0.1 });
    const t = trace(opt);
    const c = new Tensor(Float64Array.from([0.5, -2, 1.5, 3, -1, 0.25]), [3, 2], "float64");
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      emb.forward(long([1, 3, 1])).mul(c).sum().backward();
      opt.step();
      expect(emb.weight.grad!.is_sparse).toBe(true);
    }
    const m = t.latest()!;
    expect(t.errors).toEqual([]);
    expect(rel(m.lr_projected!, 0.1)).toBeLessThan(1e-12);
    expect(rel(m.lr_realized!, 0.1)).toBeLessThan(1e-12);
    // ‖g‖ of the dense equivalent: row 1 = [0.5 − 1, −2 + 0.25] = [−0.5, −1.75], row 3 = [1.5, 3]
    expect(rel(m.grad_norm!, Math.hypot(-0.5, -1.75, 1.5, 3))).toBeLessThan(1e-12);
    expect(rel(m.lr_elementwise!.min, 0.1)).toBeLessThan(1e-9);
    expect(rel(m.lr_elementwise!.max, 0.1)).toBeLessThan(1e-9);
  });

  it("SparseAdam: lr_preconditioned = (γ√(1−β2^t)/(1−β1^t)) / (√v_t + ε) over the rows present only", () => {
    const emb = torch.nn.Embedding.from_pretrained(table(6, 2), { freeze: false, sparse: true });
    const opt = new torch.optim.SparseAdam(emb.parameters(), { lr: 0.01, eps: 1e-3 });
    const t = trace(opt);
    const batches = [[0, 2, 0], [2, 4, 4], [1, 2, 0]];
    const c = new Tensor(Float64Array.from([0.5, -2, 1.5, 3, -1, 0.25]), [3, 2], "float64");
    for (const b of batches) {
      opt.zero_grad();
      emb.forward(long(b)).mul(c).sum().backward();
      opt.step();
    }
    expect(t.errors).toEqual([]);
    // by hand from the state after step 3 (t = 3), on rows 0, 1, 2 (the last batch's):
    const st = opt.state.get(emb.weight)!;
    const v = (st.exp_avg_sq as Tensor).data;
    const stepSize = (0.01 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3);
    const f = [0, 1, 2, 3, 4, 5].map((k) => stepSize / (Math.sqrt(v[k]) + 1e-3)).sort((a, b) => a - b);
    const m = t.latest()!;
    expect(m.lr_preconditioned!.min).toBeCloseTo(f[0], 15);
    expect(m.lr_preconditioned!.max).toBeCloseTo(f[5], 15);
    // rows 3, 4, 5 are out (row 5 never touched: its factor would be γ√(1−β2³)/(1−β1³)/ε ≈ 0.19)
    expect(m.lr_preconditioned!.max).toBeLessThan(stepSize / 1e-3 / 2);
    // the measured rates: Δ only on rows present, ρ over g ≠ 0 (rows 0, 1, 2)
    expect(Number.isFinite(m.lr_elementwise!.min)).toBe(true);
    expect(m.grad_norm).toBeGreaterThan(0);
  });

  it("a large table (measured on the worker thread) gives the same metrics as measuring at once", () => {
    const run = (worker: boolean) => {
      const emb = torch.nn.Embedding.from_pretrained(table(40_000, 2), { freeze: false, sparse: true });
      const opt = new torch.optim.SparseAdam(emb.parameters(), { lr: 0.01 });
      const t = trace(opt);
      if (!worker) (t as unknown as { pipeline: { use_worker: boolean } }).pipeline.use_worker = false;
      for (let s = 0; s < 4; s++) {
        opt.zero_grad();
        emb.forward(long([s, 7, 39_999, s + 100, 7])).sum().backward();
        opt.step();
      }
      const m = t.latest()!;
      expect(t.errors).toEqual([]);
      t.stop();
      return [m.lr_projected, m.lr_realized, m.grad_norm, m.lr_preconditioned!.q50, m.lr_elementwise!.q50];
    };
    const a = run(true), b = run(false);
    a.forEach((x, i) => expect(rel(x!, b[i]!)).toBeLessThan(1e-12));
  });
});
